//! JaCoCo XML: LINE and BRANCH counters of the report, else of its packages
//! summed, else of its source files; each source file's LINE counter for the
//! drill-down.

use crate::details::CoverageExtract;
use crate::metrics::EvidenceKind;
use crate::parsed::{Metrics, ParseError, Parsed};
use crate::read::xml::{attr, attr_num, expect_root, Ev, XmlStream};
use quick_xml::events::BytesStart;
use std::io::BufRead;

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
pub fn parse<R: BufRead>(reader: R) -> Result<Parsed, ParseError> {
    parse_with(reader, None)
}

/// JaCoCo, collecting each source file's LINE counter (named
/// `package/file`) into `detail` when given.
pub fn parse_with<R: BufRead>(
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
                        counter(&s, level, &mut counters).map(|c| counted = c.zip(Some(level)))
                    })
                } else {
                    named
                }
            }
            Ev::Empty(s) if s.local_name().as_ref() == b"counter" => {
                let level = parents.last().copied().unwrap_or(Level::Other);
                counter(&s, level, &mut counters).map(|c| counted = c.zip(Some(level)))
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
fn counter(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::get;

    #[test]
    fn jacoco_prefers_report_counters_then_packages_then_source_files() {
        let report = r#"<report name="r"><package name="p"><class name="c"><counter type="LINE" missed="100" covered="0"/></class>
            <sourcefile name="a"><counter type="LINE" missed="1" covered="1"/></sourcefile>
            <counter type="LINE" missed="1" covered="3"/><counter type="BRANCH" missed="1" covered="1"/></package>
            <counter type="LINE" missed="2" covered="8"/></report>"#;
        let p = parse(report.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(80.0));
        assert_eq!(get(&p, "coverage.branch_pct"), None);
        let packages = r#"<report name="r"><package name="p"><counter type="LINE" missed="1" covered="3"/><counter type="BRANCH" missed="1" covered="1"/></package>
            <package name="q"><counter type="LINE" missed="3" covered="1"/></package></report>"#;
        let p = parse(packages.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), Some(50.0));
        assert_eq!(get(&p, "coverage.branch_pct"), Some(50.0));
        let files = r#"<report name="r"><package name="p"><sourcefile name="a"><counter type="LINE" missed="0" covered="0"/><counter type="BRANCH" missed="4" covered="0"/></sourcefile></package></report>"#;
        let p = parse(files.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(get(&p, "coverage.line_pct"), None);
        assert_eq!(get(&p, "coverage.branch_pct"), Some(0.0));
    }
}
