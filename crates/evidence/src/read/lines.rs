//! A buffered reader that knows which line its consumer has reached, so a
//! streaming parser can say where a problem is. Newlines are counted a whole
//! buffer at a time when it is refilled (one vectorised pass over every byte),
//! and the partly read buffer only when a line number is actually asked for.

use std::io::{BufRead, ErrorKind, Read, Result};

/// Size of the reading buffer.
const CAPACITY: usize = 256 * 1024;

/// Wraps any reader; implements `BufRead` over its own buffer.
pub struct LineCounter<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    filled: usize,
    /// Newlines in every buffer already read to its end.
    newlines: u64,
}

impl<R: Read> LineCounter<R> {
    /// Starts counting at line 1.
    pub fn new(inner: R) -> Self {
        LineCounter {
            inner,
            buf: vec![0; CAPACITY].into_boxed_slice(),
            pos: 0,
            filled: 0,
            newlines: 0,
        }
    }

    /// The 1-based line of the next unread byte.
    pub fn line(&self) -> u64 {
        self.newlines + count(self.buf.get(..self.pos).unwrap_or_default()) + 1
    }
}

/// Newlines in `bytes`; written in blocks so the compiler vectorises it.
pub fn count(bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(128);
    let mut n = 0u64;
    for chunk in &mut chunks {
        let mut c = 0u8;
        for &b in chunk {
            c += u8::from(b == b'\n');
        }
        n += u64::from(c);
    }
    n + chunks.remainder().iter().filter(|&&b| b == b'\n').count() as u64
}

impl<R: Read> Read for LineCounter<R> {
    fn read(&mut self, out: &mut [u8]) -> Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> LineCounter<R> {
    /// Counts the finished buffer and reads the next one.
    #[cold]
    fn refill(&mut self) -> Result<()> {
        self.newlines += count(&self.buf[..self.filled]);
        self.pos = 0;
        self.filled = 0;
        self.filled = loop {
            match self.inner.read(&mut self.buf) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        Ok(())
    }
}

impl<R: Read> BufRead for LineCounter<R> {
    #[inline]
    fn fill_buf(&mut self) -> Result<&[u8]> {
        if self.pos >= self.filled {
            self.refill()?;
        }
        Ok(&self.buf[self.pos..self.filled])
    }

    #[inline]
    fn consume(&mut self, amt: usize) {
        self.pos = (self.pos + amt).min(self.filled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_follows_what_was_consumed_across_refills() {
        let text = "a\n".repeat(CAPACITY) + "end";
        let mut r = LineCounter::new(text.as_bytes());
        let mut seen = 0u64;
        loop {
            let n = r.fill_buf().map(<[u8]>::len).unwrap_or(0);
            if n == 0 {
                break;
            }
            let step = n.min(4099);
            seen += count(&r.fill_buf().unwrap_or_default()[..step]);
            r.consume(step);
            assert_eq!(r.line(), seen + 1);
        }
        assert_eq!(r.line(), CAPACITY as u64 + 1);
    }
}
