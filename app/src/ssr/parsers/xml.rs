//! Streaming XML on quick-xml: a reader that tracks open elements (for "inside
//! <testcase>" messages and end-of-file checks), refuses DTD entity
//! declarations and invalid UTF-8, and never expands entities. Also the small
//! XML formats: Cobertura, JaCoCo and ZAP's XML report.

use super::{num, LineCounter, Metrics, ParseError, Parsed};
use crate::domain::metrics::EvidenceKind;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use std::io::BufRead;

/// Deepest element nesting accepted.
const MAX_DEPTH: usize = 512;

#[derive(Clone, Copy)]
enum Tag {
    Start,
    Empty,
    End,
    Eof,
}

pub enum Ev<'a> {
    Start(BytesStart<'a>),
    Empty(BytesStart<'a>),
    End,
    Eof,
}

pub struct XmlStream<R: BufRead> {
    reader: Reader<LineCounter<R>>,
    buf: Vec<u8>,
    kind: EvidenceKind,
    names: Vec<u8>,
    open: Vec<(usize, usize)>,
    seen_root: bool,
}

impl<R: BufRead> XmlStream<R> {
    pub fn new(kind: EvidenceKind, reader: R) -> Self {
        let mut reader = Reader::from_reader(LineCounter::new(reader));
        reader.config_mut().trim_text(false);
        XmlStream {
            reader,
            buf: Vec::with_capacity(64 * 1024),
            kind,
            names: Vec::new(),
            open: Vec::new(),
            seen_root: false,
        }
    }

    pub fn line(&self) -> u64 {
        self.reader.get_ref().line()
    }

    /// Number of open elements.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    fn innermost(&self) -> String {
        self.open
            .last()
            .map(|&(s, l)| {
                format!(
                    " inside <{}>",
                    String::from_utf8_lossy(&self.names[s..s + l])
                )
            })
            .unwrap_or_default()
    }

    pub fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError::new(self.kind, message, Some(self.line()))
    }

    /// The next element event; text, comments and declarations are checked and skipped.
    pub fn next(&mut self) -> Result<Ev<'_>, ParseError> {
        let (tag, name_len, content_len) = loop {
            if let Some(found) = self.step()? {
                break found;
            }
        };
        let start = || -> Result<BytesStart<'_>, ParseError> {
            let content = std::str::from_utf8(&self.buf[..content_len.min(self.buf.len())])
                .map_err(|_| {
                    ParseError::new(self.kind, "invalid UTF-8 in a tag", Some(self.line()))
                })?;
            Ok(BytesStart::from_content(content, name_len))
        };
        Ok(match tag {
            Tag::Start => Ev::Start(start()?),
            Tag::Empty => Ev::Empty(start()?),
            Tag::End => Ev::End,
            Tag::Eof => Ev::Eof,
        })
    }

    /// Reads one event into `buf`; Some when it is one `next` returns.
    fn step(&mut self) -> Result<Option<(Tag, usize, usize)>, ParseError> {
        self.buf.clear();
        let ev = match self.reader.read_event_into(&mut self.buf) {
            Ok(ev) => ev,
            Err(e) => {
                let innermost = self.innermost();
                return Err(ParseError::new(
                    self.kind,
                    format!("not well-formed XML ({e}){innermost}"),
                    Some(self.reader.get_ref().line()),
                ));
            }
        };
        let line = self.reader.get_ref().line();
        let kind = self.kind;
        match ev {
            Event::Start(s) | Event::Empty(s) if self.open.is_empty() && self.seen_root => {
                let _ = s;
                Err(ParseError::new(
                    kind,
                    "more than one root element",
                    Some(line),
                ))
            }
            Event::Start(s) => {
                if self.open.len() >= MAX_DEPTH {
                    return Err(ParseError::new(
                        kind,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                        Some(line),
                    ));
                }
                self.seen_root = true;
                let name_len = s.name().as_ref().len();
                let local = s.local_name();
                let start = self.names.len();
                self.names.extend_from_slice(local.as_ref());
                self.open.push((start, local.as_ref().len()));
                Ok(Some((Tag::Start, name_len, s.len())))
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
                let bytes: &[u8] = &t;
                if std::str::from_utf8(bytes).is_err() {
                    let innermost = self.innermost();
                    return Err(ParseError::new(
                        kind,
                        format!("invalid UTF-8 in text{innermost}"),
                        Some(line),
                    ));
                }
                if self.open.is_empty()
                    && !bytes.iter().all(u8::is_ascii_whitespace)
                    && !bytes.starts_with(b"\xef\xbb\xbf")
                {
                    return Err(ParseError::new(
                        kind,
                        "text outside the root element",
                        Some(line),
                    ));
                }
                Ok(None)
            }
            Event::CData(t) => {
                if std::str::from_utf8(&t).is_err() {
                    let innermost = self.innermost();
                    return Err(ParseError::new(
                        kind,
                        format!("invalid UTF-8 in CDATA{innermost}"),
                        Some(line),
                    ));
                }
                Ok(None)
            }
            Event::DocType(t) => {
                if t.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY")) {
                    return Err(ParseError::new(
                        kind,
                        "the document type declares entities; entity expansion is never performed, so the file is refused",
                        Some(line),
                    ));
                }
                Ok(None)
            }
            Event::Eof => {
                if !self.open.is_empty() {
                    let innermost = self.innermost();
                    return Err(ParseError::new(
                        kind,
                        format!("unexpected end of file{innermost}"),
                        Some(line),
                    ));
                }
                if !self.seen_root {
                    return Err(ParseError::new(kind, "no XML element found", Some(line)));
                }
                Ok(Some((Tag::Eof, 0, 0)))
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::GeneralRef(_) => Ok(None),
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

/// The value of an attribute, unescaped; None when absent.
pub fn attr(
    s: &BytesStart<'_>,
    name: &[u8],
    kind: EvidenceKind,
    line: u64,
) -> Result<Option<String>, ParseError> {
    for a in s.attributes() {
        let a =
            a.map_err(|e| ParseError::new(kind, format!("malformed attribute ({e})"), Some(line)))?;
        if a.key.local_name().as_ref() == name {
            let v = a.unescape_value().map_err(|e| {
                ParseError::new(
                    kind,
                    format!("attribute {} ({e})", String::from_utf8_lossy(name)),
                    Some(line),
                )
            })?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

/// Guesses an XML report kind from the head of the document.
pub fn detect(head: &str) -> Option<EvidenceKind> {
    let root = root_name(head)?;
    match root.as_str() {
        "testsuites" | "testsuite" => Some(EvidenceKind::Junit),
        "coverage" if head.contains("line-rate") => Some(EvidenceKind::Cobertura),
        "report"
            if head.contains("<counter")
                || head.contains("<package")
                || head.contains("<sessioninfo")
                || head.contains("JACOCO") =>
        {
            Some(EvidenceKind::Jacoco)
        }
        "OWASPZAPReport" => Some(EvidenceKind::Zap),
        _ => None,
    }
}

/// The local name of the first element, skipping the prolog.
fn root_name(head: &str) -> Option<String> {
    let mut rest = head;
    loop {
        let i = rest.find('<')?;
        rest = &rest[i..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return Some(name.rsplit(':').next().unwrap_or(&name).to_string());
        }
    }
}

fn expect_root<R: BufRead>(
    x: &mut XmlStream<R>,
    names: &[&str],
    what: &str,
) -> Result<BytesStart<'static>, ParseError> {
    match x.next()? {
        Ev::Start(s) | Ev::Empty(s) => {
            let name = String::from_utf8_lossy(s.local_name().as_ref()).to_string();
            if names.contains(&name.as_str()) {
                Ok(s.into_owned())
            } else {
                Err(x.error(format!("root element is <{name}>, expected {what}")))
            }
        }
        _ => Err(x.error(format!("expected {what}"))),
    }
}

/// Cobertura: the root `line-rate`/`branch-rate` × 100 as written.
pub fn cobertura<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Cobertura;
    let mut x = XmlStream::new(kind, reader);
    let root = expect_root(&mut x, &["coverage"], "<coverage>")?;
    let line = x.line();
    let get = |n: &[u8]| attr(&root, n, kind, line);
    let line_rate = get(b"line-rate")?;
    let branch_rate = get(b"branch-rate")?;
    let lines_valid = get(b"lines-valid")?.and_then(|v| num(&v));
    let branches_valid = get(b"branches-valid")?.and_then(|v| num(&v));
    if line_rate.is_none() && branch_rate.is_none() {
        return Err(x.error("the <coverage> element has neither line-rate nor branch-rate"));
    }
    x.drain()?;
    let mut m = Metrics::default();
    let pct = |rate: Option<String>, valid: Option<f64>| -> Option<f64> {
        let r = num(rate.as_deref()?)?;
        if valid == Some(0.0) {
            return None;
        }
        Some(r * 100.0)
    };
    m.set_opt("coverage.line_pct", pct(line_rate, lines_valid));
    m.set_opt("coverage.branch_pct", pct(branch_rate, branches_valid));
    Ok(m.into_parsed(kind, Vec::new()))
}

#[derive(Default, Clone, Copy)]
struct Counter {
    missed: f64,
    covered: f64,
    seen: bool,
}

impl Counter {
    fn add(&mut self, missed: f64, covered: f64) {
        self.missed += missed;
        self.covered += covered;
        self.seen = true;
    }
    fn pct(self) -> Option<f64> {
        let total = self.missed + self.covered;
        (self.seen && total > 0.0).then(|| self.covered / total * 100.0)
    }
}

/// JaCoCo: report-level LINE/BRANCH counters, else packages', else source files'.
pub fn jacoco<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Jacoco;
    let mut x = XmlStream::new(kind, reader);
    expect_root(&mut x, &["report"], "<report>")?;
    // [level][0 = line, 1 = branch]; levels: 0 report, 1 package, 2 sourcefile, 9 anything else
    let mut counters = [[Counter::default(); 2]; 3];
    let mut parents: Vec<usize> = vec![0];
    loop {
        let line = x.line();
        let (s, is_start) = match x.next()? {
            Ev::Eof => break,
            Ev::End => {
                parents.pop();
                continue;
            }
            Ev::Start(s) => (s, true),
            Ev::Empty(s) => (s, false),
        };
        let local = s.local_name();
        if local.as_ref() == b"counter" {
            let level = parents.last().copied().unwrap_or(9);
            if level < 3 {
                let slot = match attr(&s, b"type", kind, line)?.as_deref() {
                    Some("LINE") => Some(0),
                    Some("BRANCH") => Some(1),
                    _ => None,
                };
                if let Some(slot) = slot {
                    let field = |n: &[u8]| -> Result<f64, ParseError> {
                        attr(&s, n, kind, line)?
                            .and_then(|v| num(&v))
                            .ok_or_else(|| {
                                ParseError::new(
                                    kind,
                                    format!(
                                        "<counter> without a numeric {}",
                                        String::from_utf8_lossy(n)
                                    ),
                                    Some(line),
                                )
                            })
                    };
                    counters[level][slot].add(field(b"missed")?, field(b"covered")?);
                }
            }
        }
        if is_start {
            parents.push(match local.as_ref() {
                b"package" => 1,
                b"sourcefile" => 2,
                _ => 9,
            });
        }
    }
    let level = (0..3)
        .find(|&l| counters[l][0].seen || counters[l][1].seen)
        .unwrap_or(0);
    let mut m = Metrics::default();
    m.set_opt("coverage.line_pct", counters[level][0].pct());
    m.set_opt("coverage.branch_pct", counters[level][1].pct());
    Ok(m.into_parsed(kind, Vec::new()))
}

/// ZAP XML: alerts (not instances) by riskcode 3/2/1 → high/medium/low.
pub fn zap<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Zap;
    let mut x = XmlStream::new(kind, reader);
    expect_root(&mut x, &["OWASPZAPReport"], "<OWASPZAPReport>")?;
    let mut counts = [0u64; 4];
    let mut in_alert = false;
    let mut in_riskcode = false;
    let mut alert_depth = 0;
    loop {
        match x.next_with_text()? {
            XEv::Eof => break,
            XEv::Start(name) => {
                if name == b"alertitem" {
                    in_alert = true;
                    alert_depth = x.depth();
                } else if in_alert && name == b"riskcode" {
                    in_riskcode = true;
                }
            }
            XEv::Text(t) if in_riskcode => {
                let code =
                    num(&t).ok_or_else(|| x.error(format!("riskcode is not a number: {t:?}")))?;
                match code as i64 {
                    0..=3 => counts[code as usize] += 1,
                    _ => return Err(x.error(format!("riskcode {code} is not 0–3"))),
                }
            }
            XEv::End => {
                in_riskcode = false;
                if in_alert && x.depth() < alert_depth {
                    in_alert = false;
                }
            }
            _ => {}
        }
    }
    let mut m = Metrics::default();
    m.set("vulns.high", counts[3] as f64);
    m.set("vulns.medium", counts[2] as f64);
    m.set("vulns.low", counts[1] as f64);
    Ok(m.into_parsed(kind, Vec::new()))
}

pub enum XEv {
    Start(Vec<u8>),
    Text(String),
    End,
    Eof,
}

impl<R: BufRead> XmlStream<R> {
    /// Like `next` but also yields text (for the few formats that keep numbers in text).
    pub fn next_with_text(&mut self) -> Result<XEv, ParseError> {
        loop {
            self.buf.clear();
            let ev = self.reader.read_event_into(&mut self.buf).map_err(|e| {
                ParseError::new(self.kind, format!("not well-formed XML ({e})"), None)
            })?;
            match ev {
                Event::Text(t) => {
                    let s = std::str::from_utf8(&t)
                        .map_err(|_| ParseError::new(self.kind, "invalid UTF-8 in text", None))?
                        .trim()
                        .to_string();
                    if !s.is_empty() {
                        return Ok(XEv::Text(s));
                    }
                }
                Event::DocType(t) if t.windows(8).any(|w| w.eq_ignore_ascii_case(b"<!ENTITY")) => {
                    return Err(ParseError::new(
                        self.kind,
                        "the document type declares entities; entity expansion is never performed",
                        None,
                    ));
                }
                Event::Start(s) => {
                    let name = s.local_name().as_ref().to_vec();
                    let start = self.names.len();
                    self.names.extend_from_slice(&name);
                    self.open.push((start, name.len()));
                    if self.open.len() > MAX_DEPTH {
                        return Err(ParseError::new(
                            self.kind,
                            format!("elements nested deeper than {MAX_DEPTH} levels"),
                            None,
                        ));
                    }
                    return Ok(XEv::Start(name));
                }
                Event::End(_) => {
                    if let Some((start, _)) = self.open.pop() {
                        self.names.truncate(start);
                    }
                    return Ok(XEv::End);
                }
                Event::Eof => {
                    if !self.open.is_empty() {
                        let msg = format!("unexpected end of file{}", self.innermost());
                        return Err(self.error(msg));
                    }
                    return Ok(XEv::Eof);
                }
                _ => {}
            }
        }
    }
}
