//! Streaming XML on quick-xml, shared by the XML formats (JUnit, Cobertura,
//! JaCoCo, ZAP's XML report). The stream never builds a tree, reuses one
//! buffer, refuses a DTD that declares entities (no entity is ever expanded),
//! refuses invalid UTF-8, and knows the line of every problem without paying
//! for it on the happy path.

use super::lines::{count, LineCounter};
use crate::metrics::EvidenceKind;
use crate::parsed::{num, ParseError};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::BufRead;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 512;

/// What `XmlStream::next` saw; text only when asked for.
pub enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    Text(String),
    End,
    Eof,
}

#[derive(Clone, Copy)]
enum Tag {
    Start,
    Empty,
    Text,
    End,
    Eof,
}

/// A checked, line-aware XML event stream over any `BufRead`.
pub struct XmlStream<R: BufRead> {
    reader: Reader<LineCounter<R>>,
    buf: Vec<u8>,
    kind: EvidenceKind,
    /// Local names of the open elements, back to back, for "inside <x>".
    names: Vec<u8>,
    open: Vec<(usize, usize)>,
    seen_root: bool,
    want_text: bool,
    /// Text as written: untrimmed, CDATA and references included.
    capture: bool,
    text: String,
}

impl<R: BufRead> XmlStream<R> {
    /// A stream that yields elements only.
    pub fn new(kind: EvidenceKind, reader: R) -> Self {
        let mut reader = Reader::from_reader(LineCounter::new(reader));
        // whitespace between elements produces no events: fewer round trips
        reader.config_mut().trim_text(true);
        XmlStream {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            kind,
            names: Vec::new(),
            open: Vec::new(),
            seen_root: false,
            want_text: false,
            capture: false,
            text: String::new(),
        }
    }

    /// A stream that also yields (trimmed, non-empty) text.
    pub fn with_text(kind: EvidenceKind, reader: R) -> Self {
        let mut s = Self::new(kind, reader);
        s.want_text = true;
        s
    }

    /// Turns capturing on or off: while on, text comes untrimmed, CDATA
    /// sections and character or predefined references included (each as
    /// its own `Ev::Text`), for a consumer that keeps what a report says.
    pub fn capture_text(&mut self, on: bool) {
        if self.capture != on {
            self.capture = on;
            self.want_text = on;
            self.reader.config_mut().trim_text(!on);
        }
    }

    /// The line the reader has reached.
    pub fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// The line where the last event began (its content is still in the buffer).
    pub fn event_line(&self) -> u64 {
        self.line().saturating_sub(count(&self.buf)).max(1)
    }

    /// Number of open elements.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    fn innermost(&self) -> String {
        self.open
            .last()
            .and_then(|&(s, l)| self.names.get(s..s + l))
            .map(|n| format!(" inside <{}>", String::from_utf8_lossy(n)))
            .unwrap_or_default()
    }

    /// An error at the line where the last event began.
    pub fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.kind, message, Some(self.event_line()))
    }

    /// The next element event (or text, when asked for); everything else is
    /// checked and skipped.
    pub fn next(&mut self) -> Result<Ev<'_>, ParseError> {
        let (tag, name_len, content_len) = loop {
            if let Some(found) = self.step()? {
                break found;
            }
        };
        Ok(match tag {
            Tag::Start => Ev::Start(self.start_tag(name_len, content_len)?),
            Tag::Empty => Ev::Empty(self.start_tag(name_len, content_len)?),
            Tag::Text => Ev::Text(std::mem::take(&mut self.text)),
            Tag::End => Ev::End,
            Tag::Eof => Ev::Eof,
        })
    }

    fn start_tag(&self, name_len: usize, content_len: usize) -> Result<BytesStart<'_>, ParseError> {
        let content = self
            .buf
            .get(..content_len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .ok_or_else(|| self.error("invalid UTF-8 in a tag"))?;
        Ok(BytesStart::from_content(content, name_len))
    }

    fn fail(&self, message: String) -> ParseError {
        ParseError::new(self.kind, message, Some(self.line()))
    }

    /// Reads one event into `buf`; Some when it is one `next` returns.
    fn step(&mut self) -> Result<Option<(Tag, usize, usize)>, ParseError> {
        self.buf.clear();
        let ev = match self.reader.read_event_into(&mut self.buf) {
            Ok(ev) => ev,
            Err(e) => {
                let msg = format!("not well-formed XML ({e}){}", self.innermost());
                return Err(self.fail(msg));
            }
        };
        match ev {
            Event::Start(_) | Event::Empty(_) if self.open.is_empty() && self.seen_root => {
                Err(self.error("more than one root element"))
            }
            Event::Start(s) => {
                let (name_len, len) = (s.name().as_ref().len(), s.len());
                let local = s.local_name();
                let start = self.names.len();
                self.names.extend_from_slice(local.as_ref());
                self.open.push((start, local.as_ref().len()));
                self.seen_root = true;
                if self.open.len() > MAX_DEPTH {
                    return Err(
                        self.error(format!("elements nested deeper than {MAX_DEPTH} levels"))
                    );
                }
                Ok(Some((Tag::Start, name_len, len)))
            }
            Event::Empty(s) => {
                self.seen_root = true;
                Ok(Some((Tag::Empty, s.name().as_ref().len(), s.len())))
            }
            Event::End(_) => {
                if let Some((start, _)) = self.open.pop() {
                    self.names.truncate(start);
                }
                Ok(Some((Tag::End, 0, 0)))
            }
            Event::Text(t) => {
                let Ok(text) = std::str::from_utf8(&t) else {
                    let msg = format!("invalid UTF-8 in text{}", self.innermost());
                    return Err(self.error(msg));
                };
                if self.open.is_empty() {
                    // untrimmed (capturing) text may be the line break after the root
                    if self.capture && text.trim().is_empty() {
                        return Ok(None);
                    }
                    return Err(self.error("text outside the root element"));
                }
                if self.want_text {
                    self.text.clear();
                    self.text.push_str(text);
                    return Ok(Some((Tag::Text, 0, 0)));
                }
                Ok(None)
            }
            Event::CData(t) => {
                let Ok(text) = std::str::from_utf8(&t) else {
                    let msg = format!("invalid UTF-8 in CDATA{}", self.innermost());
                    return Err(self.error(msg));
                };
                if self.capture {
                    self.text.clear();
                    self.text.push_str(text);
                    return Ok(Some((Tag::Text, 0, 0)));
                }
                Ok(None)
            }
            Event::Comment(t) => {
                if std::str::from_utf8(&t).is_err() {
                    return Err(self.error("invalid UTF-8 in a comment"));
                }
                Ok(None)
            }
            Event::DocType(t) => {
                if t.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY")) {
                    return Err(self.error(
                        "the document type declares entities; entity expansion is never performed, so the file is refused",
                    ));
                }
                Ok(None)
            }
            Event::GeneralRef(r) => {
                let name: &[u8] = &r;
                let known =
                    r.is_char_ref() || matches!(name, b"lt" | b"gt" | b"amp" | b"apos" | b"quot");
                if !known {
                    let msg = format!(
                        "reference to an undeclared entity &{};",
                        String::from_utf8_lossy(&r)
                    );
                    return Err(self.error(msg));
                }
                if self.capture {
                    let resolved = match name {
                        b"lt" => Some('<'),
                        b"gt" => Some('>'),
                        b"amp" => Some('&'),
                        b"apos" => Some('\''),
                        b"quot" => Some('"'),
                        _ => r.resolve_char_ref().ok().flatten(),
                    };
                    self.text.clear();
                    self.text.extend(resolved);
                    return Ok(Some((Tag::Text, 0, 0)));
                }
                Ok(None)
            }
            Event::Eof => {
                if !self.open.is_empty() {
                    let msg = format!("unexpected end of file{}", self.innermost());
                    return Err(self.fail(msg));
                }
                if !self.seen_root {
                    return Err(self.fail("no XML element found".into()));
                }
                Ok(Some((Tag::Eof, 0, 0)))
            }
            Event::Decl(_) | Event::PI(_) => Ok(None),
        }
    }

    /// Reads to the end, checking the rest of the document is well-formed.
    pub fn drain(&mut self) -> Result<(), ParseError> {
        loop {
            if let Ev::Eof = self.next()? {
                return Ok(());
            }
        }
    }
}

/// The raw (still escaped) value of an attribute, found by its local name;
/// None when absent. A small quote-aware scan: cheaper than a general
/// attribute iterator on the hot path (one `time=` per test case).
fn raw_attr<'a>(s: &'a BytesStart<'_>, name: &[u8]) -> Result<Option<&'a [u8]>, String> {
    let bytes = s.attributes_raw();
    let mut i = 0;
    loop {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let key_start = i;
        while bytes
            .get(i)
            .is_some_and(|b| *b != b'=' && !b.is_ascii_whitespace())
        {
            i += 1;
        }
        let Some(key) = bytes.get(key_start..i).filter(|k| !k.is_empty()) else {
            return Ok(None);
        };
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            return Err(format!(
                "malformed attribute {} (no value)",
                String::from_utf8_lossy(key)
            ));
        }
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => {
                return Err(format!(
                    "malformed attribute {} (value not quoted)",
                    String::from_utf8_lossy(key)
                ))
            }
        };
        let value_start = i + 1;
        let len = bytes
            .get(value_start..)
            .and_then(|rest| memchr::memchr(quote, rest))
            .ok_or_else(|| {
                format!(
                    "malformed attribute {} (unclosed quote)",
                    String::from_utf8_lossy(key)
                )
            })?;
        i = value_start + len + 1;
        let local = key.rsplit(|b| *b == b':').next().unwrap_or(key);
        if local == name {
            return Ok(bytes.get(value_start..value_start + len));
        }
    }
}

/// The value of an attribute, unescaped; None when absent. Errors carry no
/// line: the caller adds `XmlStream::event_line` once the tag is released.
pub fn attr(s: &BytesStart<'_>, name: &[u8]) -> Result<Option<String>, String> {
    let Some(raw) = raw_attr(s, name)? else {
        return Ok(None);
    };
    let text = std::str::from_utf8(raw).map_err(|_| "invalid UTF-8 in an attribute".to_string())?;
    quick_xml::escape::unescape(text)
        .map(|v| Some(v.into_owned()))
        .map_err(|e| format!("attribute {} ({e})", String::from_utf8_lossy(name)))
}

/// A numeric attribute, without allocating unless it holds a reference; None
/// when absent or not a number.
pub fn attr_num(s: &BytesStart<'_>, name: &[u8]) -> Result<Option<f64>, String> {
    match raw_attr(s, name)? {
        None => Ok(None),
        Some(raw) if raw.contains(&b'&') => Ok(attr(s, name)?.and_then(|v| num(&v))),
        Some(raw) => Ok(std::str::from_utf8(raw).ok().and_then(num)),
    }
}

/// Reads the root element, refusing any other name.
pub fn expect_root<R: BufRead>(
    x: &mut XmlStream<R>,
    name: &str,
) -> Result<BytesStart<'static>, ParseError> {
    let found = match x.next()? {
        Ev::Start(s) | Ev::Empty(s) => {
            if s.local_name().as_ref() == name.as_bytes() {
                return Ok(s.into_owned());
            }
            String::from_utf8_lossy(s.local_name().as_ref()).into_owned()
        }
        _ => return Err(x.error(format!("expected a <{name}> element"))),
    };
    Err(x.error(format!("root element is <{found}>, expected <{name}>")))
}

#[cfg(test)]
mod tests {
    use crate::junit;

    #[test]
    fn undeclared_entities_more_roots_and_stray_text_are_refused() {
        let cases = [
            (
                "<testsuite><testcase name=\"a\">&lol;</testcase></testsuite>",
                "undeclared entity",
            ),
            ("<testsuite/><testsuite/>", "more than one root"),
            ("<testsuite/>trailing", "outside the root"),
            ("<testsuite><testcase></testsuite>", "not well-formed"),
            (
                "<!DOCTYPE x [<!ENTITY % p \"x\">]><testsuite/>",
                "declares entities",
            ),
        ];
        for (xml, want) in cases {
            let e = junit::parse(xml.as_bytes()).expect_err(xml);
            assert!(e.message.contains(want), "{xml}: {e}");
        }
        let ok = "<testsuite name=\"a &amp; b &#233;\"><testcase name=\"x\">&lt;ok&gt;</testcase></testsuite>";
        assert!(junit::parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn an_attribute_error_names_the_line_of_its_tag() {
        let xml = "<testsuite>\n\n<testcase name=\"a\" time=\"1\"/>\n<testcase name=\"b\" time=1/>\n</testsuite>";
        let e = junit::parse(xml.as_bytes()).expect_err("unquoted");
        assert_eq!(e.line, Some(4), "{e}");
    }
}
