//! Cobertura XML (coverage.py, gcovr, …): the root's rates as written, and
//! each class's own lines summed per file for the drill-down.

use crate::details::CoverageExtract;
use crate::metrics::EvidenceKind;
use crate::parsed::{num, Metrics, ParseError, Parsed};
use crate::read::xml::{attr, attr_num, expect_root, Ev, XmlStream};
use quick_xml::events::BytesStart;
use std::io::BufRead;

/// Cobertura: the root `line-rate`/`branch-rate` × 100 as written; absent when
/// NaN or when `lines-valid`/`branches-valid` is 0.
pub fn parse<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    parse_with(reader, None)
}

/// Cobertura, collecting the lines of each file into `detail` when given:
/// the `<line>` elements of each `<class>`'s own `<lines>` (not its
/// methods'), summed per `filename` as the tool counted them.
pub fn parse_with<R: BufRead>(
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
        Some(out) => files(&mut x, out)?,
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
fn files<R: BufRead>(x: &mut XmlStream<R>, out: &mut CoverageExtract) -> Result<(), ParseError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::get;

    #[test]
    fn cobertura_takes_the_root_rates_as_written() {
        let p = parse(
            r#"<?xml version="1.0"?><coverage line-rate="0.6667" branch-rate="0" lines-valid="3" branches-valid="0"><packages/></coverage>"#.as_bytes(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(66.67));
        assert_eq!(get(&p, "coverage.branch_pct"), None);
        let p = parse(r#"<coverage line-rate="NaN" branch-rate="0.5"/>"#.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), None);
        assert_eq!(get(&p, "coverage.branch_pct"), Some(50.0));
        assert!(parse(r#"<coverage version="1"/>"#.as_bytes()).is_err());
        assert!(parse(r#"<report line-rate="1"/>"#.as_bytes()).is_err());
    }
}
