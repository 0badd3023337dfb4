//! JUnit XML in any dialect, by the contract (crate README, "Per format"): count `<testcase>` elements
//! wherever they are; outcome error > failure > skipped > passed; flaky reruns
//! pass and count as flaky; a failure or error directly in a suite is one more
//! errored case; summary attributes are only compared, never trusted.
//! JUnit is the one test-report format (`tests.*`): every runner writes it.
//! A commit named by a property of the root or the first suite is the
//! report's subject.
//!
//! Size: one streaming state machine (the dialects' rules and the
//! drill-down's failing cases share it) and its unit tests (~210 lines).

use crate::details::{
    clip, CaseOutcome, FailedCase, TestsExtract, FAILURE_TEXT_CHARS, FAILURE_TEXT_LINES, TEXT_CHARS,
};
use crate::metrics::EvidenceKind;
use crate::parsed::{Metrics, ParseError, Parsed, Subject};
use crate::read::xml::{attr, attr_num, Ev, XmlStream};
use quick_xml::events::BytesStart;
use std::io::BufRead;

const KIND: EvidenceKind = EvidenceKind::Junit;

/// Property names (compared ignoring case) whose value, 7–64 hex digits, is
/// the commit the test run names.
const COMMIT_PROPERTIES: [&str; 7] = [
    "commit",
    "git.commit",
    "git_commit",
    "GIT_COMMIT",
    "vcs.revision",
    "revision",
    "sha",
];

/// Test cases by outcome.
#[derive(Default)]
struct Totals {
    total: u64,
    passed: u64,
    failed: u64,
    errors: u64,
    skipped: u64,
    flaky: u64,
    duration: f64,
    timed: bool,
}

/// What an open element is to the counting.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    Suites,
    Suite,
    Case,
    /// An `<error>` or `<failure>` of a test case, or directly in a suite.
    Problem,
    /// The `<properties>` of the root or of the first suite.
    Properties,
    Other,
}

/// The file's first `<testsuite>`, whose properties may name the subject.
#[derive(Clone, Copy, Default, PartialEq)]
enum FirstSuite {
    #[default]
    NotSeen,
    /// Open, at this depth of the element stack.
    Open(usize),
    Done,
}

/// What an `<error>` or `<failure>` says: its message and the first lines of its text.
#[derive(Default)]
struct Said {
    message: String,
    /// Raw text, gathered up to a bound.
    text: String,
}

impl Said {
    fn of(s: &BytesStart<'_>) -> Result<Said, String> {
        let message = match attr(s, b"message")? {
            Some(m) if !m.trim().is_empty() => m,
            _ => attr(s, b"type")?.unwrap_or_default(),
        };
        Ok(Said {
            message: clip(&message, TEXT_CHARS),
            text: String::new(),
        })
    }

    /// The first lines of the text, bounded.
    fn excerpt(&self) -> String {
        let lines: Vec<&str> = self
            .text
            .trim()
            .lines()
            .map(str::trim_end)
            .take(FAILURE_TEXT_LINES)
            .collect();
        clip(&lines.join("\n"), FAILURE_TEXT_CHARS)
    }
}

/// Where captured text goes.
#[derive(Clone, Copy, PartialEq)]
enum Sink {
    CaseError,
    CaseFailure,
    Suite,
}

/// The drill-down being collected, when asked for: the failing cases with
/// what their reports say.
struct Collect {
    out: TestsExtract,
    /// Names of the open suites.
    suites: Vec<String>,
    /// classname and name of the open test case.
    case: (String, String),
    error: Option<Said>,
    failure: Option<Said>,
    suite_problem: Option<Said>,
    /// The open `<error>`/`<failure>` whose text is being kept.
    capturing: Option<Sink>,
}

impl Collect {
    fn suite(&self) -> String {
        self.suites.last().cloned().unwrap_or_default()
    }

    fn said(&mut self, into: Sink) -> Option<&mut Said> {
        match into {
            Sink::CaseError => self.error.as_mut(),
            Sink::CaseFailure => self.failure.as_mut(),
            Sink::Suite => self.suite_problem.as_mut(),
        }
    }

    fn text(&mut self, t: &str) {
        if let Some(into) = self.capturing {
            if let Some(said) = self.said(into) {
                // enough for the excerpt's lines and characters, whatever follows
                if said.text.len() < FAILURE_TEXT_CHARS * 4 {
                    said.text.push_str(t);
                }
            }
        }
    }

    fn push(&mut self, outcome: CaseOutcome, classname: String, name: String, said: Said) {
        let suite = self.suite();
        self.out.push(FailedCase {
            outcome,
            suite: clip(&suite, TEXT_CHARS),
            classname: clip(&classname, TEXT_CHARS),
            name: clip(&name, TEXT_CHARS),
            text: said.excerpt(),
            message: said.message,
        });
    }

    /// A failure or error directly in a suite: one errored case named after it.
    fn push_suite_problem(&mut self) {
        let said = self.suite_problem.take().unwrap_or_default();
        let suite = self.suite();
        self.push(CaseOutcome::Error, suite, "(suite)".into(), said);
    }

    fn finish_case(&mut self, c: &Case) {
        let (classname, name) = std::mem::take(&mut self.case);
        let (error, failure) = (self.error.take(), self.failure.take());
        if c.error {
            self.push(
                CaseOutcome::Error,
                classname,
                name,
                error.unwrap_or_default(),
            );
        } else if c.failure {
            self.push(
                CaseOutcome::Failed,
                classname,
                name,
                failure.unwrap_or_default(),
            );
        }
    }
}

/// Outcome elements seen inside the open test case.
#[derive(Default)]
struct Case {
    error: bool,
    failure: bool,
    skipped: bool,
    flaky: bool,
}

/// Summary attributes of the top-level suites (or of the root <testsuites>).
#[derive(Default)]
struct Claimed {
    tests: Option<f64>,
    failures: Option<f64>,
    errors: Option<f64>,
    skipped: Option<f64>,
}

impl Claimed {
    fn add(&mut self, s: &BytesStart<'_>) -> Result<(), String> {
        fn acc(slot: &mut Option<f64>, v: Option<f64>) {
            if let Some(v) = v {
                *slot = Some(slot.unwrap_or(0.0) + v);
            }
        }
        acc(&mut self.tests, attr_num(s, b"tests")?);
        acc(&mut self.failures, attr_num(s, b"failures")?);
        acc(&mut self.errors, attr_num(s, b"errors")?);
        let skipped = match attr_num(s, b"skipped")? {
            Some(v) => Some(v),
            None => attr_num(s, b"disabled")?,
        };
        acc(&mut self.skipped, skipped);
        Ok(())
    }
}

/// Everything counted so far.
#[derive(Default)]
struct State {
    t: Totals,
    stack: Vec<Open>,
    case: Case,
    root_claims: Claimed,
    suite_claims: Claimed,
    root_is_suites: bool,
    first_suite: FirstSuite,
    /// The commit a property names.
    subject: Subject,
    detail: Option<Box<Collect>>,
}

impl State {
    /// One start (or empty) tag; errors carry no line yet.
    fn element(&mut self, s: &BytesStart<'_>, is_start: bool) -> Result<(), String> {
        let parent = self.stack.last().copied();
        let local = s.local_name();
        let name = local.as_ref();
        let open = match (parent, name) {
            (None, b"testsuites") => {
                self.root_is_suites = true;
                self.root_claims.add(s)?;
                Open::Suites
            }
            (None, b"testsuite") => {
                self.suite_claims.add(s)?;
                self.open_suite(s, is_start)?;
                Open::Suite
            }
            (None, other) => {
                return Err(format!(
                    "root element is <{}>, expected <testsuites> or <testsuite>",
                    String::from_utf8_lossy(other)
                ))
            }
            (_, b"testsuite") => {
                if parent == Some(Open::Suites) && self.stack.len() == 1 {
                    self.suite_claims.add(s)?;
                }
                self.open_suite(s, is_start)?;
                Open::Suite
            }
            (_, b"testcase") => {
                self.case = Case::default();
                if let Some(v) = attr_num(s, b"time")? {
                    self.t.duration += v;
                    self.t.timed = true;
                }
                if let Some(d) = self.detail.as_deref_mut() {
                    d.case = (
                        attr(s, b"classname")?.unwrap_or_default(),
                        attr(s, b"name")?.unwrap_or_default(),
                    );
                }
                Open::Case
            }
            (Some(Open::Case), b"error") => {
                self.case.error = true;
                self.said(s, is_start, Sink::CaseError)?;
                Open::Problem
            }
            (Some(Open::Case), b"failure") => {
                self.case.failure = true;
                self.said(s, is_start, Sink::CaseFailure)?;
                Open::Problem
            }
            (Some(Open::Case), b"skipped") => {
                self.case.skipped = true;
                Open::Other
            }
            (
                Some(Open::Case),
                b"flakyFailure" | b"flakyError" | b"rerunFailure" | b"rerunError",
            ) => {
                self.case.flaky = true;
                Open::Other
            }
            (Some(Open::Suites | Open::Suite), b"properties") if self.names_subject() => {
                Open::Properties
            }
            (Some(Open::Properties), b"property") => {
                self.property(s);
                Open::Other
            }
            (Some(Open::Suite), b"failure" | b"error") => {
                // a broken suite counts as one errored test case
                self.t.total += 1;
                self.t.errors += 1;
                self.said(s, is_start, Sink::Suite)?;
                if !is_start {
                    if let Some(d) = self.detail.as_deref_mut() {
                        d.push_suite_problem();
                    }
                }
                Open::Problem
            }
            _ => Open::Other,
        };
        if is_start {
            self.stack.push(open);
        } else if open == Open::Case {
            self.finish_case();
        }
        Ok(())
    }

    fn end(&mut self) {
        match self.stack.pop() {
            Some(Open::Case) => self.finish_case(),
            Some(Open::Suite) => {
                if self.first_suite == FirstSuite::Open(self.stack.len()) {
                    self.first_suite = FirstSuite::Done;
                }
                if let Some(d) = self.detail.as_deref_mut() {
                    d.suites.pop();
                }
            }
            Some(Open::Problem) => {
                if let Some(d) = self.detail.as_deref_mut() {
                    if d.capturing.take() == Some(Sink::Suite) {
                        d.push_suite_problem();
                    }
                }
            }
            _ => {}
        }
    }

    fn finish_case(&mut self) {
        finish(&mut self.t, &self.case);
        if let Some(d) = self.detail.as_deref_mut() {
            d.finish_case(&self.case);
        }
    }

    fn open_suite(&mut self, s: &BytesStart<'_>, is_start: bool) -> Result<(), String> {
        if self.first_suite == FirstSuite::NotSeen {
            self.first_suite = if is_start {
                FirstSuite::Open(self.stack.len())
            } else {
                FirstSuite::Done
            };
        }
        if let Some(d) = self.detail.as_deref_mut() {
            if is_start {
                d.suites.push(attr(s, b"name")?.unwrap_or_default());
            }
        }
        Ok(())
    }

    /// Whether the open element, a suite, is the root or the first suite:
    /// its properties may name the subject.
    fn names_subject(&self) -> bool {
        let parent = self.stack.len().saturating_sub(1);
        parent == 0 || self.first_suite == FirstSuite::Open(parent)
    }

    /// A `<property>` of the root or the first suite: the first valid commit
    /// named is kept. An attribute that can't be read is skipped, never
    /// refused (a subject is extra information).
    fn property(&mut self, s: &BytesStart<'_>) {
        if self.subject.has_commit() {
            return;
        }
        let Some(name) = attr(s, b"name").ok().flatten() else {
            return;
        };
        if COMMIT_PROPERTIES
            .iter()
            .any(|p| p.eq_ignore_ascii_case(name.trim()))
        {
            if let Some(value) = attr(s, b"value").ok().flatten() {
                self.subject.commit(&value);
            }
        }
    }

    /// An `<error>`/`<failure>`: keeps the first of each kind, and its text while open.
    fn said(&mut self, s: &BytesStart<'_>, is_start: bool, into: Sink) -> Result<(), String> {
        let Some(d) = self.detail.as_deref_mut() else {
            return Ok(());
        };
        let slot = match into {
            Sink::CaseError => &mut d.error,
            Sink::CaseFailure => &mut d.failure,
            Sink::Suite => &mut d.suite_problem,
        };
        if slot.is_some() {
            return Ok(());
        }
        *slot = Some(Said::of(s)?);
        if is_start {
            d.capturing = Some(into);
        }
        Ok(())
    }

    /// Whether text is being kept.
    fn capturing(&self) -> bool {
        self.detail.as_ref().is_some_and(|d| d.capturing.is_some())
    }
}

/// Parses a JUnit XML report, streaming.
pub fn parse<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    parse_with(reader, None)
}

/// Parses a JUnit XML report, streaming, and collects the failing cases into
/// `detail` when given.
pub fn parse_with<R: BufRead>(
    reader: R,
    detail: Option<&mut TestsExtract>,
) -> Result<Parsed, ParseError> {
    let mut x = XmlStream::new(KIND, reader);
    let mut st = State {
        detail: detail.is_some().then(|| {
            Box::new(Collect {
                out: TestsExtract::new(),
                suites: Vec::new(),
                case: Default::default(),
                error: None,
                failure: None,
                suite_problem: None,
                capturing: None,
            })
        }),
        ..State::default()
    };
    loop {
        let step = match x.next()? {
            Ev::Eof => break,
            Ev::End => {
                st.end();
                Ok(())
            }
            Ev::Text(t) => {
                if let Some(d) = st.detail.as_deref_mut() {
                    d.text(&t);
                }
                Ok(())
            }
            Ev::Start(s) => st.element(&s, true),
            Ev::Empty(s) => st.element(&s, false),
        };
        step.map_err(|e| x.error(e))?;
        if st.detail.is_some() {
            x.capture_text(st.capturing());
        }
    }
    if let (Some(out), Some(d)) = (detail, st.detail.take()) {
        *out = d.out;
    }

    let subject = std::mem::take(&mut st.subject).finish();
    let t = &st.t;
    let mut m = Metrics::default();
    m.set("tests.total", t.total as f64);
    m.set("tests.passed", t.passed as f64);
    m.set("tests.failed", t.failed as f64);
    m.set("tests.errors", t.errors as f64);
    m.set("tests.skipped", t.skipped as f64);
    m.set("tests.flaky", t.flaky as f64);
    let ran = t.total.saturating_sub(t.skipped);
    if ran > 0 {
        m.set("tests.pass_rate", t.passed as f64 / ran as f64 * 100.0);
    }
    if t.timed {
        m.set("tests.duration_s", t.duration);
    }
    let claims = if st.root_is_suites && st.root_claims.tests.is_some() {
        &st.root_claims
    } else {
        &st.suite_claims
    };
    Ok(m.into_parsed(KIND, disagreements(claims, t))
        .with_subject(subject))
}

/// A claimed count as written: whole numbers without a decimal point.
fn fmt_count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn finish(t: &mut Totals, c: &Case) {
    t.total += 1;
    if c.error {
        t.errors += 1;
    } else if c.failure {
        t.failed += 1;
    } else if c.skipped {
        t.skipped += 1;
    } else {
        t.passed += 1;
        if c.flaky {
            t.flaky += 1;
        }
    }
}

fn disagreements(c: &Claimed, t: &Totals) -> Vec<String> {
    let mut out = Vec::new();
    let checks = [
        ("tests", c.tests, t.total, "test case(s)"),
        ("failures", c.failures, t.failed, "failed"),
        ("errors", c.errors, t.errors, "errored"),
        ("skipped", c.skipped, t.skipped, "skipped"),
    ];
    for (attr, claimed, counted, what) in checks {
        if let Some(v) = claimed {
            if v != counted as f64 {
                out.push(format!(
                    "summary attribute {attr}={} disagrees with the file's {counted} {what}; the counted test cases are used",
                    fmt_count(v)
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(xml: &str) -> Parsed {
        parse(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"))
    }
    fn m(p: &Parsed, k: &str) -> Option<f64> {
        p.metrics.get(k).copied()
    }

    #[test]
    fn cases_in_nested_suites_are_counted_by_their_first_matching_outcome() {
        let r = p(r#"<testsuites><testsuite name="a"><testsuite name="b">
            <testcase name="1" time="0.5"/>
            <testcase name="2" time="0.25"><failure/></testcase>
            <testcase name="3"><skipped/><error/></testcase>
            <testcase name="4"><skipped/></testcase>
          </testsuite></testsuite></testsuites>"#);
        assert_eq!(m(&r, "tests.total"), Some(4.0));
        assert_eq!(m(&r, "tests.passed"), Some(1.0));
        assert_eq!(m(&r, "tests.failed"), Some(1.0));
        assert_eq!(m(&r, "tests.errors"), Some(1.0));
        assert_eq!(m(&r, "tests.skipped"), Some(1.0));
        assert_eq!(m(&r, "tests.pass_rate"), Some(33.3333));
        assert_eq!(m(&r, "tests.duration_s"), Some(0.75));
        assert_eq!(m(&r, "tests.flaky"), Some(0.0));
    }

    #[test]
    fn a_rerun_that_passed_is_passed_and_flaky() {
        let r = p(
            r#"<testsuite tests="3" failures="2"><testcase name="f"><flakyFailure/><flakyFailure/></testcase></testsuite>"#,
        );
        assert_eq!(m(&r, "tests.passed"), Some(1.0));
        assert_eq!(m(&r, "tests.flaky"), Some(1.0));
        assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("tests=3"));
    }

    #[test]
    fn a_failure_directly_in_a_suite_is_one_more_errored_case() {
        let r = p(r#"<testsuite><error message="setup failed"/><testcase name="a"/></testsuite>"#);
        assert_eq!(m(&r, "tests.total"), Some(2.0));
        assert_eq!(m(&r, "tests.errors"), Some(1.0));
        assert_eq!(m(&r, "tests.pass_rate"), Some(50.0));
    }

    #[test]
    fn duration_is_absent_without_numeric_times_and_pass_rate_without_runs() {
        let r = p(r#"<testsuite><testcase name="a" time=""><skipped/></testcase></testsuite>"#);
        assert_eq!(m(&r, "tests.duration_s"), None);
        assert_eq!(m(&r, "tests.pass_rate"), None);
        assert_eq!(m(&r, "tests.skipped"), Some(1.0));
    }

    #[test]
    fn a_truncated_file_is_refused_with_its_line() {
        let e = parse("<testsuite>\n<testcase name=\"a\">\n<failure>".as_bytes()).unwrap_err();
        assert_eq!(e.kind, EvidenceKind::Junit);
        assert!(
            e.to_string()
                .contains("unexpected end of file inside <failure>"),
            "{e}"
        );
        assert_eq!(e.line, Some(3));
    }

    #[test]
    fn the_wrong_root_is_refused() {
        let e = parse(r#"<coverage line-rate="1"/>"#.as_bytes()).unwrap_err();
        assert!(e.message.contains("root element is <coverage>"), "{e}");
        assert!(parse("{\"tests\": 1}".as_bytes()).is_err());
        assert!(parse("".as_bytes()).is_err());
    }

    #[test]
    fn billion_laughs_is_refused_without_expansion() {
        let xml = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><testsuite><testcase name="&lol2;"/></testsuite>"#;
        let e = parse(xml.as_bytes()).unwrap_err();
        assert!(e.message.contains("declares entities"), "{e}");
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let xml = format!(
            "<testsuites>{}{}</testsuites>",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        );
        let e = parse(xml.as_bytes()).unwrap_err();
        assert!(e.message.contains("nested deeper"), "{e}");
    }

    #[test]
    fn invalid_utf8_is_refused() {
        let mut xml = b"<testsuite><testcase name=\"a\"><system-out>".to_vec();
        xml.extend_from_slice(&[0xff, 0xfe, 0xfd]);
        xml.extend_from_slice(b"</system-out></testcase></testsuite>");
        let e = parse(&xml[..]).unwrap_err();
        assert!(e.message.contains("UTF-8"), "{e}");
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let r = p("\u{feff}<?xml version=\"1.0\"?>\r\n<testsuite>\r\n<testcase name=\"a\"/>\r\n</testsuite>\r\n");
        assert_eq!(m(&r, "tests.total"), Some(1.0));
    }

    #[test]
    fn an_error_wins_over_a_failure_and_a_failure_over_a_skip() {
        let r = p(
            r#"<testsuite><testcase name="a"><skipped/><failure/></testcase><testcase name="b"><failure/><error/></testcase>
            <testcase name="c"><rerunError/><skipped/></testcase><testcase name="d"><flakyError/></testcase></testsuite>"#,
        );
        assert_eq!(m(&r, "tests.failed"), Some(1.0));
        assert_eq!(m(&r, "tests.errors"), Some(1.0));
        assert_eq!(m(&r, "tests.skipped"), Some(1.0));
        assert_eq!(m(&r, "tests.flaky"), Some(1.0));
        assert_eq!(m(&r, "tests.duration_s"), None);
    }

    #[test]
    fn a_broken_nested_suite_counts_one_errored_case_and_root_attributes_are_compared() {
        let r = p(
            r#"<testsuites tests="3" failures="0"><testsuite name="outer"><testsuite name="inner"><failure message="BeforeAll"/>
            <testcase name="a" time="1.5"/></testsuite></testsuite></testsuites>"#,
        );
        assert_eq!(m(&r, "tests.total"), Some(2.0));
        assert_eq!(m(&r, "tests.errors"), Some(1.0));
        assert_eq!(m(&r, "tests.pass_rate"), Some(50.0));
        assert_eq!(m(&r, "tests.duration_s"), Some(1.5));
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("tests=3"), "{:?}", r.warnings);
    }

    #[test]
    fn summary_attributes_of_top_level_suites_are_summed_when_the_root_has_none() {
        let r = p(
            r#"<testsuites><testsuite tests="1"><testcase name="a"/></testsuite><testsuite tests="1" skipped="1"><testcase name="b"/></testsuite></testsuites>"#,
        );
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].contains("skipped=1"), "{:?}", r.warnings);
    }

    fn commit(xml: &str) -> Option<String> {
        let r = p(xml);
        assert_eq!(m(&r, "tests.total"), Some(1.0), "{xml}");
        let subject = r.subject?;
        assert!(subject.name.is_empty() && subject.digests.is_empty());
        subject.commit
    }

    #[test]
    fn a_commit_property_of_the_root_or_the_first_suite_names_the_subject() {
        assert_eq!(
            commit(
                r#"<testsuites><properties><property name="os" value="linux"/><property name="GIT_COMMIT" value="0A1B2C3D4E5F60718293A4B5C6D7E8F901234567"/></properties>
                <testsuite name="a"><testcase name="x"/></testsuite></testsuites>"#
            )
            .as_deref(),
            Some("0a1b2c3d4e5f60718293a4b5c6d7e8f901234567")
        );
        assert_eq!(
            commit(
                r#"<testsuites><testsuite name="a"><properties><property name="Vcs.Revision" value="abc1234"/></properties><testcase name="x"/></testsuite>
                <testsuite name="b"><properties><property name="sha" value="fedcba9"/></properties></testsuite></testsuites>"#
            )
            .as_deref(),
            Some("abc1234")
        );
        assert_eq!(
            commit(r#"<testsuite><properties><property name="git.commit" value="deadbeef"/></properties><testcase name="x"/></testsuite>"#)
                .as_deref(),
            Some("deadbeef")
        );
    }

    #[test]
    fn a_non_hex_commit_is_ignored_and_a_later_valid_one_is_taken() {
        assert_eq!(
            commit(
                r#"<testsuite><properties><property name="commit" value="HEAD"/><property name="revision" value="r1234567"/>
                <property name="git_commit" value="  c0ffee1  "/></properties><testcase name="x"/></testsuite>"#
            )
            .as_deref(),
            Some("c0ffee1")
        );
        assert_eq!(
            commit(
                r#"<testsuite><properties><property name="commit" value="not-a-sha"/></properties><testcase name="x"/></testsuite>"#
            ),
            None
        );
    }

    #[test]
    fn properties_elsewhere_or_unreadable_name_no_commit_and_refuse_nothing() {
        for xml in [
            // the second suite, a nested suite, a test case
            r#"<testsuites><testsuite name="a"/><testsuite name="b"><properties><property name="commit" value="abc1234"/></properties><testcase name="x"/></testsuite></testsuites>"#,
            r#"<testsuites><testsuite name="a"><testsuite name="n"><properties><property name="commit" value="abc1234"/></properties><testcase name="x"/></testsuite></testsuite></testsuites>"#,
            r#"<testsuite><testcase name="x"><properties><property name="commit" value="abc1234"/></properties></testcase></testsuite>"#,
            // a property not named as a commit; escapes that can't be read
            r#"<testsuite><properties><property name="build" value="abc1234"/><property name="commit" value="&bad;"/><property name="sha" valu/></properties><testcase name="x"/></testsuite>"#,
        ] {
            assert_eq!(commit(xml), None, "{xml}");
        }
    }
}
