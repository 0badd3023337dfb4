//! Reading JSON reports, shared by the JSON formats: a whole document read
//! as a typed struct or a `serde_json::Value`, with every byte checked to be
//! UTF-8 (serde_json skips ignored strings unread) and the line of a problem
//! kept. serde_json's recursion limit refuses absurdly deep nesting, so no
//! input can overflow the stack.

use super::lines::count as count_newlines;
use crate::metrics::EvidenceKind;
use crate::parsed::{num, ParseError};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::io::BufRead;

/// The line where a JSON document stopped being UTF-8.
#[derive(Debug)]
struct NotUtf8 {
    line: u64,
}

impl std::fmt::Display for NotUtf8 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid UTF-8 at line {}", self.line)
    }
}

impl std::error::Error for NotUtf8 {}

/// Passes bytes through while checking they are UTF-8 (serde_json skips the
/// strings it is told to ignore without looking at them). Validates a whole
/// buffer at a time; a character cut by the buffer's end waits for the next.
struct Utf8Checked<R> {
    inner: R,
    buf: Box<[u8]>,
    /// Next byte to hand out.
    pos: usize,
    /// End of the validated bytes.
    end: usize,
    /// End of the bytes read.
    filled: usize,
    /// Newlines in the buffers already handed out.
    newlines: u64,
}

impl<R: std::io::Read> Utf8Checked<R> {
    fn new(inner: R) -> Self {
        Utf8Checked {
            inner,
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            end: 0,
            filled: 0,
            newlines: 0,
        }
    }

    fn invalid(&self, upto: usize) -> std::io::Error {
        let line = self.newlines + count_newlines(&self.buf[..upto]) + 1;
        std::io::Error::new(std::io::ErrorKind::InvalidData, NotUtf8 { line })
    }

    fn refill(&mut self) -> std::io::Result<()> {
        self.newlines += count_newlines(&self.buf[..self.end]);
        self.buf.copy_within(self.end..self.filled, 0);
        self.filled -= self.end;
        self.pos = 0;
        self.end = 0;
        loop {
            let n = match self.inner.read(&mut self.buf[self.filled..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                // the file ends inside a character
                return if self.filled > 0 {
                    Err(self.invalid(0))
                } else {
                    Ok(())
                };
            }
            self.filled += n;
            match std::str::from_utf8(&self.buf[..self.filled]) {
                Ok(_) => self.end = self.filled,
                Err(e) if e.error_len().is_none() => self.end = e.valid_up_to(),
                Err(e) => return Err(self.invalid(e.valid_up_to())),
            }
            if self.end > 0 {
                return Ok(());
            }
        }
    }
}

impl<R: std::io::Read> std::io::Read for Utf8Checked<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos >= self.end {
            self.refill()?;
        }
        let n = (self.end - self.pos).min(out.len());
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads a whole JSON document as `T`, naming the kind and line on failure.
pub fn read<T: DeserializeOwned, R: BufRead>(
    kind: EvidenceKind,
    reader: R,
) -> Result<T, ParseError> {
    serde_json::from_reader(Utf8Checked::new(reader)).map_err(|e| {
        if e.is_io() {
            let io = std::io::Error::from(e);
            return match io.get_ref().and_then(|i| i.downcast_ref::<NotUtf8>()) {
                Some(bad) => ParseError::new(kind, "invalid UTF-8", Some(bad.line)),
                None => ParseError::new(kind, format!("cannot read the file: {io}"), None),
            };
        }
        let line = (e.line() > 0).then_some(e.line() as u64);
        let what = if e.is_syntax() || e.is_eof() {
            "not well-formed JSON".to_string()
        } else {
            "not the structure this kind requires".to_string()
        };
        // serde_json appends " at line L column C"; the line is kept separately
        let detail = e.to_string();
        let detail = detail
            .rsplit_once(" at line ")
            .map_or(detail.as_str(), |(d, _)| d)
            .to_string();
        ParseError::new(kind, format!("{what} ({detail})"), line)
    })
}

/// The first significant byte, without consuming it.
pub fn first_byte<R: BufRead>(reader: &mut R) -> Option<u8> {
    loop {
        let buf = reader.fill_buf().ok()?;
        if buf.is_empty() {
            return None;
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                reader.consume(i);
                return Some(b);
            }
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// A number, or a string holding one.
pub fn f(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => num(s),
        _ => None,
    }
}

/// A string or a number as text; empty otherwise.
pub fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use crate::metrics::EvidenceKind;
    use crate::parse;

    #[test]
    fn malformed_and_deeply_nested_json_is_refused() {
        let e = parse(EvidenceKind::Sarif, "{\"runs\": [\n{".as_bytes()).unwrap_err();
        assert!(e.message.contains("not well-formed JSON"), "{e}");
        assert_eq!(e.line, Some(2));
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert!(parse(EvidenceKind::Sarif, deep.as_bytes()).is_err());
        assert!(parse(EvidenceKind::Spdx, "{\"a\":1}".as_bytes()).is_err());
    }

    #[test]
    fn a_character_cut_by_the_read_buffer_is_still_valid_utf8() {
        let filler = "x".repeat(64 * 1024 - 30);
        let doc = format!(
            r#"{{"spdxVersion":"SPDX-2.3","comment":"{filler}ééééé€€€😀😀","packages":[{{}}]}}"#
        );
        assert_eq!(
            parse(EvidenceKind::Spdx, doc.as_bytes())
                .unwrap_or_else(|e| panic!("{e}"))
                .metrics
                .get("sbom.components")
                .copied(),
            Some(1.0)
        );
        let mut bad = doc.into_bytes();
        bad.truncate(64 * 1024 - 2);
        bad.push(0xe2);
        assert!(parse(EvidenceKind::Spdx, &bad[..]).is_err());
    }
}
