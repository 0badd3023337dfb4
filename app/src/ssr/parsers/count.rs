//! A `BufRead` wrapper that counts the lines its consumer has read, so a
//! streaming parser can say where a problem is.

use std::io::{BufRead, Read, Result};

pub struct LineCounter<R> {
    inner: R,
    newlines: u64,
}

impl<R: BufRead> LineCounter<R> {
    pub fn new(inner: R) -> Self {
        LineCounter { inner, newlines: 0 }
    }
    /// The 1-based line of the next unread byte.
    pub fn line(&self) -> u64 {
        self.newlines + 1
    }
}

fn count(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: BufRead> Read for LineCounter<R> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = self.inner.read(buf)?;
        self.newlines += count(&buf[..n]);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineCounter<R> {
    fn fill_buf(&mut self) -> Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            self.newlines += count(&buf[..amt.min(buf.len())]);
        }
        self.inner.consume(amt);
    }
}
