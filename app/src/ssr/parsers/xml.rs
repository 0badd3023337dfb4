//! Streaming XML on quick-xml, shared by the XML formats, and the small ones
//! themselves: Cobertura, JaCoCo and ZAP's XML report. The stream never
//! builds a tree, reuses one buffer, refuses a DTD that declares entities (no
//! entity is ever expanded), refuses invalid UTF-8, and knows the line of
//! every problem without paying for it on the happy path.

use super::count::count;
use super::{num, LineCounter, Metrics, ParseError, Parsed};
use crate::domain::details::{CoverageExtract, Finding, FindingsExtract};
use crate::domain::metrics::EvidenceKind;
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

/// Guesses an XML report kind from the head of the document.
pub fn detect(head: &str) -> Option<EvidenceKind> {
    let root = root_name(head)?;
    match root.as_str() {
        "testsuites" | "testsuite" => Some(EvidenceKind::Junit),
        "coverage" if head.contains("line-rate") || head.contains("branch-rate") => {
            Some(EvidenceKind::Cobertura)
        }
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
        rest = rest.get(i..)?;
        let skip = if rest.starts_with("<?") {
            rest.find("?>")? + 2
        } else if rest.starts_with("<!--") {
            rest.find("-->")? + 3
        } else if rest.starts_with("<!DOCTYPE")
            && rest
                .find('[')
                .is_some_and(|b| rest.find('>').is_some_and(|g| b < g))
        {
            // an internal subset: skip to its end
            rest.find("]>")? + 2
        } else if rest.starts_with("<!") {
            rest.find('>')? + 1
        } else {
            let name: String = rest
                .get(1..)?
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return Some(name.rsplit(':').next().unwrap_or(&name).to_string());
        };
        rest = rest.get(skip..)?;
    }
}

/// Reads the root element, refusing any other name.
fn expect_root<R: BufRead>(
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

/// Cobertura: the root `line-rate`/`branch-rate` × 100 as written; absent when
/// NaN or when `lines-valid`/`branches-valid` is 0.
pub fn cobertura<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    cobertura_with(reader, None)
}

/// Cobertura, collecting the lines of each file into `detail` when given:
/// the `<line>` elements of each `<class>`'s own `<lines>` (not its
/// methods'), summed per `filename` as the tool counted them.
pub fn cobertura_with<R: BufRead>(
    reader: R,
    detail: Option<&mut CoverageExtract>,
) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Cobertura;
    let mut x = XmlStream::new(kind, reader);
    let root = expect_root(&mut x, "coverage")?;
    let get = |n: &[u8]| attr(&root, n).map_err(|e| x.error(e));
    let line_rate = get(b"line-rate")?;
    let branch_rate = get(b"branch-rate")?;
    let lines_valid = get(b"lines-valid")?.and_then(|v| num(&v));
    let branches_valid = get(b"branches-valid")?.and_then(|v| num(&v));
    if line_rate.is_none() && branch_rate.is_none() {
        return Err(x.error("the <coverage> element has neither line-rate nor branch-rate"));
    }
    match detail {
        None => x.drain()?,
        Some(out) => cobertura_files(&mut x, out)?,
    }
    let pct = |rate: Option<String>, valid: Option<f64>| -> Option<f64> {
        let r = num(rate.as_deref()?)?;
        (valid != Some(0.0)).then_some(r * 100.0)
    };
    let mut m = Metrics::default();
    m.set_opt("coverage.line_pct", pct(line_rate, lines_valid));
    m.set_opt("coverage.branch_pct", pct(branch_rate, branches_valid));
    Ok(m.into_parsed(kind, Vec::new()))
}

/// Reads the rest of a Cobertura report, counting each class's lines.
fn cobertura_files<R: BufRead>(
    x: &mut XmlStream<R>,
    out: &mut CoverageExtract,
) -> Result<(), ParseError> {
    #[derive(Clone, Copy, PartialEq)]
    enum Open {
        Class,
        ClassLines,
        Other,
    }
    let mut stack: Vec<Open> = Vec::new();
    // the open class: its file, covered and total lines
    let mut class: Option<(String, u64, u64)> = None;
    let count_line = |s: &BytesStart<'_>,
                      stack: &[Open],
                      class: &mut Option<(String, u64, u64)>|
     -> Result<(), String> {
        let hits = attr_num(s, b"hits")?;
        if stack.last() == Some(&Open::ClassLines) {
            if let Some(c) = class.as_mut() {
                c.2 += 1;
                if hits.is_some_and(|h| h > 0.0) {
                    c.1 += 1;
                }
            }
        }
        Ok(())
    };
    loop {
        let step: Result<(), String> = match x.next()? {
            Ev::Eof => break,
            Ev::End => {
                if stack.pop() == Some(Open::Class) {
                    if let Some((file, covered, total)) = class.take() {
                        out.add(&file, covered, total);
                    }
                }
                Ok(())
            }
            Ev::Text(_) => Ok(()),
            Ev::Start(s) if s.local_name().as_ref() == b"line" => {
                let counted = count_line(&s, &stack, &mut class);
                stack.push(Open::Other);
                counted
            }
            Ev::Empty(s) if s.local_name().as_ref() == b"line" => {
                count_line(&s, &stack, &mut class)
            }
            Ev::Start(s) => {
                let (open, res) = match (stack.last(), s.local_name().as_ref()) {
                    (_, b"class") => {
                        let file = match attr(&s, b"filename") {
                            Ok(None) => attr(&s, b"name"),
                            other => other,
                        };
                        match file {
                            Ok(file) => {
                                class = Some((file.unwrap_or_default(), 0, 0));
                                (Open::Class, Ok(()))
                            }
                            Err(e) => (Open::Other, Err(e)),
                        }
                    }
                    (Some(Open::Class), b"lines") => (Open::ClassLines, Ok(())),
                    _ => (Open::Other, Ok(())),
                };
                stack.push(open);
                res
            }
            Ev::Empty(s) => {
                if s.local_name().as_ref() == b"class" {
                    if let Ok(Some(file)) = attr(&s, b"filename") {
                        out.add(&file, 0, 0);
                    }
                }
                Ok(())
            }
        };
        step.map_err(|e| x.error(e))?;
    }
    Ok(())
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

/// Where a JaCoCo `<counter>` sits.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Report = 0,
    Package = 1,
    SourceFile = 2,
    Other = 3,
}

/// JaCoCo: report-level LINE/BRANCH counters, else the packages' summed,
/// else the source files'.
pub fn jacoco<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    jacoco_with(reader, None)
}

/// JaCoCo, collecting each source file's LINE counter (named
/// `package/file`) into `detail` when given.
pub fn jacoco_with<R: BufRead>(
    reader: R,
    mut detail: Option<&mut CoverageExtract>,
) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Jacoco;
    let mut x = XmlStream::new(kind, reader);
    expect_root(&mut x, "report")?;
    // [level][0 = line, 1 = branch]
    let mut counters = [[Counter::default(); 2]; 3];
    let mut parents: Vec<Level> = vec![Level::Report];
    // names of the open package and source file, when collecting
    let (mut package, mut sourcefile) = (String::new(), String::new());
    loop {
        let mut counted = None;
        let step: Result<(), String> = match x.next()? {
            Ev::Eof => break,
            Ev::End => {
                parents.pop();
                Ok(())
            }
            Ev::Text(_) => Ok(()),
            Ev::Start(s) => {
                let level = parents.last().copied().unwrap_or(Level::Other);
                let name = s.local_name();
                let this = match name.as_ref() {
                    b"package" => Level::Package,
                    b"sourcefile" => Level::SourceFile,
                    _ => Level::Other,
                };
                parents.push(this);
                let named = if detail.is_some() && this != Level::Other {
                    attr(&s, b"name").map(|n| match this {
                        Level::Package => package = n.unwrap_or_default(),
                        _ => sourcefile = n.unwrap_or_default(),
                    })
                } else {
                    Ok(())
                };
                if name.as_ref() == b"counter" {
                    named.and_then(|()| {
                        jacoco_counter(&s, level, &mut counters)
                            .map(|c| counted = c.zip(Some(level)))
                    })
                } else {
                    named
                }
            }
            Ev::Empty(s) if s.local_name().as_ref() == b"counter" => {
                let level = parents.last().copied().unwrap_or(Level::Other);
                jacoco_counter(&s, level, &mut counters).map(|c| counted = c.zip(Some(level)))
            }
            Ev::Empty(_) => Ok(()),
        };
        step.map_err(|e| x.error(e))?;
        if let (Some(out), Some(((0, missed, covered), Level::SourceFile))) =
            (detail.as_deref_mut(), counted)
        {
            let file = if package.is_empty() {
                sourcefile.clone()
            } else {
                format!("{package}/{sourcefile}")
            };
            out.add(&file, covered as u64, (covered + missed) as u64);
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

/// Adds a LINE or BRANCH counter at its level; returns (0 = line, 1 =
/// branch; missed; covered) of the counters it counted.
fn jacoco_counter(
    s: &BytesStart<'_>,
    level: Level,
    counters: &mut [[Counter; 2]; 3],
) -> Result<Option<(usize, f64, f64)>, String> {
    if level == Level::Other {
        return Ok(None);
    }
    let slot = match attr(s, b"type")?.as_deref() {
        Some("LINE") => 0,
        Some("BRANCH") => 1,
        _ => return Ok(None),
    };
    let field = |n: &[u8]| -> Result<f64, String> {
        attr_num(s, n)?
            .ok_or_else(|| format!("<counter> without a numeric {}", String::from_utf8_lossy(n)))
    };
    let (missed, covered) = (field(b"missed")?, field(b"covered")?);
    if let Some(level) = counters.get_mut(level as usize) {
        level[slot].add(missed, covered);
    }
    Ok(Some((slot, missed, covered)))
}

/// One `<alertitem>` being read for the drill-down.
#[derive(Default)]
struct Alert {
    pluginid: String,
    alert: String,
    name: String,
    riskcode: String,
    /// The child element whose text is being kept.
    field: Option<u8>,
}

/// ZAP XML: alerts (not instances) by riskcode 3/2/1 → high/medium/low;
/// each counted alert (plugin id, site, name) listed into `detail` when given.
pub fn zap_with<R: BufRead>(
    reader: R,
    mut detail: Option<&mut FindingsExtract>,
) -> Result<Parsed, ParseError> {
    let kind = EvidenceKind::Zap;
    let mut x = XmlStream::with_text(kind, reader);
    expect_root(&mut x, "OWASPZAPReport")?;
    if detail.is_some() {
        // names may hold references (&amp;) and spaces around them
        x.capture_text(true);
    }
    let mut counts = [0u64; 4];
    // depth of the open <alertitem>, and whether its <riskcode> is open
    let mut alert_depth: Option<usize> = None;
    let mut in_riskcode = false;
    let mut site = String::new();
    let mut alert = Alert::default();
    loop {
        let opened = match x.next()? {
            Ev::Eof => break,
            Ev::Start(s) => {
                if detail.is_some() && s.local_name().as_ref() == b"site" {
                    site = attr(&s, b"name").ok().flatten().unwrap_or_default();
                }
                s.local_name().as_ref().to_vec()
            }
            Ev::Text(t) if in_riskcode && detail.is_some() => {
                alert.riskcode.push_str(&t);
                continue;
            }
            Ev::Text(t) if in_riskcode => {
                match riskcode(&t) {
                    Ok(code) => {
                        if let Some(c) = counts.get_mut(code) {
                            *c += 1;
                        }
                    }
                    Err(e) => return Err(x.error(e)),
                }
                continue;
            }
            Ev::Text(t) => {
                match alert.field {
                    Some(0) => alert.pluginid.push_str(&t),
                    Some(1) => alert.alert.push_str(&t),
                    Some(2) => alert.name.push_str(&t),
                    _ => {}
                }
                continue;
            }
            Ev::End => {
                if in_riskcode && detail.is_some() && !alert.riskcode.trim().is_empty() {
                    // captured text arrives in pieces: judged once whole
                    match riskcode(&alert.riskcode) {
                        Ok(code) => {
                            if let Some(c) = counts.get_mut(code) {
                                *c += 1;
                            }
                        }
                        Err(e) => return Err(x.error(e)),
                    }
                }
                in_riskcode = false;
                alert.field = None;
                if alert_depth.is_some_and(|d| x.depth() < d) {
                    alert_depth = None;
                    let a = std::mem::take(&mut alert);
                    if let Some(out) = detail.as_deref_mut() {
                        let band = match riskcode(&a.riskcode) {
                            Ok(3) => Some("high"),
                            Ok(2) => Some("medium"),
                            Ok(1) => Some("low"),
                            _ => None,
                        };
                        if let Some(band) = band {
                            let title = if a.alert.trim().is_empty() {
                                &a.name
                            } else {
                                &a.alert
                            };
                            out.push(Finding::new(band, &a.pluginid, &site, title));
                        }
                    }
                }
                continue;
            }
            Ev::Empty(_) => continue,
        };
        if opened == b"alertitem" {
            alert_depth = Some(x.depth());
            alert = Alert::default();
        } else if let Some(d) = alert_depth {
            if opened == b"riskcode" {
                in_riskcode = true;
                alert.riskcode.clear();
            } else if detail.is_some() && x.depth() == d + 1 {
                alert.field = match opened.as_slice() {
                    b"pluginid" => Some(0),
                    b"alert" => Some(1),
                    b"name" => Some(2),
                    _ => None,
                };
            }
        }
    }
    let mut m = Metrics::default();
    m.set("vulns.high", counts[3] as f64);
    m.set("vulns.medium", counts[2] as f64);
    m.set("vulns.low", counts[1] as f64);
    Ok(m.into_parsed(kind, Vec::new()))
}

/// A riskcode: 0, 1, 2 or 3.
fn riskcode(t: &str) -> Result<usize, String> {
    num(t)
        .filter(|c| c.fract() == 0.0 && (0.0..=3.0).contains(c))
        .map(|c| c as usize)
        .ok_or_else(|| format!("riskcode {:?} is not 0, 1, 2 or 3", t.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(p: &Parsed, k: &str) -> Option<f64> {
        p.metrics.get(k).copied()
    }

    #[test]
    fn cobertura_takes_the_root_rates_as_written() {
        let p = cobertura(
            r#"<?xml version="1.0"?><coverage line-rate="0.6667" branch-rate="0" lines-valid="3" branches-valid="0"><packages/></coverage>"#.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(66.67));
        assert_eq!(get(&p, "coverage.branch_pct"), None);
        let p = cobertura(r#"<coverage line-rate="NaN" branch-rate="0.5"/>"#.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), None);
        assert_eq!(get(&p, "coverage.branch_pct"), Some(50.0));
        assert!(cobertura(r#"<coverage version="1"/>"#.as_bytes()).is_err());
        assert!(cobertura(r#"<report line-rate="1"/>"#.as_bytes()).is_err());
    }

    #[test]
    fn jacoco_prefers_report_counters_then_packages_then_source_files() {
        let report = r#"<report name="r"><package name="p"><class name="c"><counter type="LINE" missed="100" covered="0"/></class>
            <sourcefile name="a"><counter type="LINE" missed="1" covered="1"/></sourcefile>
            <counter type="LINE" missed="1" covered="3"/><counter type="BRANCH" missed="1" covered="1"/></package>
            <counter type="LINE" missed="2" covered="8"/></report>"#;
        let p = jacoco(report.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(80.0));
        assert_eq!(get(&p, "coverage.branch_pct"), None);
        let packages = r#"<report name="r"><package name="p"><counter type="LINE" missed="1" covered="3"/><counter type="BRANCH" missed="1" covered="1"/></package>
            <package name="q"><counter type="LINE" missed="3" covered="1"/></package></report>"#;
        let p = jacoco(packages.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(50.0));
        assert_eq!(get(&p, "coverage.branch_pct"), Some(50.0));
        let files = r#"<report name="r"><package name="p"><sourcefile name="a"><counter type="LINE" missed="0" covered="0"/><counter type="BRANCH" missed="4" covered="0"/></sourcefile></package></report>"#;
        let p = jacoco(files.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), None);
        assert_eq!(get(&p, "coverage.branch_pct"), Some(0.0));
    }

    #[test]
    fn zap_xml_counts_alerts_not_instances() {
        let xml = r#"<?xml version="1.0"?><OWASPZAPReport version="2.11"><site name="x">
            <alerts><alertitem><riskcode>3</riskcode><count>7</count><instances><instance/></instances></alertitem>
            <alertitem><riskcode>1</riskcode></alertitem><alertitem><riskcode>0</riskcode></alertitem>
            <alertitem><riskcode> 2 </riskcode></alertitem></alerts></site></OWASPZAPReport>"#;
        let p = zap_with(xml.as_bytes(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (
                get(&p, "vulns.high"),
                get(&p, "vulns.medium"),
                get(&p, "vulns.low")
            ),
            (Some(1.0), Some(1.0), Some(1.0))
        );
        assert_eq!(get(&p, "vulns.critical"), None);
        let bad = r#"<OWASPZAPReport><site><alerts><alertitem><riskcode>high</riskcode></alertitem></alerts></site></OWASPZAPReport>"#;
        assert!(zap_with(bad.as_bytes(), None).is_err());
    }

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
            let e = super::super::junit::parse(xml.as_bytes()).expect_err(xml);
            assert!(e.message.contains(want), "{xml}: {e}");
        }
        let ok = "<testsuite name=\"a &amp; b &#233;\"><testcase name=\"x\">&lt;ok&gt;</testcase></testsuite>";
        assert!(super::super::junit::parse(ok.as_bytes()).is_ok());
    }

    #[test]
    fn an_attribute_error_names_the_line_of_its_tag() {
        let xml = "<testsuite>\n\n<testcase name=\"a\" time=\"1\"/>\n<testcase name=\"b\" time=1/>\n</testsuite>";
        let e = super::super::junit::parse(xml.as_bytes()).expect_err("unquoted");
        assert_eq!(e.line, Some(4), "{e}");
    }

    #[test]
    fn detection_skips_the_prolog_doctype_and_comments() {
        assert_eq!(
            detect("<?xml version=\"1.0\"?>\n<!-- <coverage> -->\n<!DOCTYPE t [<!ELEMENT t ANY>]>\n<ns:testsuites xmlns:ns=\"u\">"),
            Some(EvidenceKind::Junit)
        );
        assert_eq!(detect("<coverage version=\"1\">"), None);
        assert_eq!(
            detect("<report name=\"x\"><sessioninfo/>"),
            Some(EvidenceKind::Jacoco)
        );
        assert_eq!(detect("<"), None);
    }
}
