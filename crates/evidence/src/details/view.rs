//! What a page or CI is shown of a file: its drill-down cut to size, and the
//! comparison with the previous evidence of the same kind.
//!
//! Size: a little over 500 lines: the unit tests of the comparison (~250 lines)
//! live here beside it.

use super::*;

/// The evidence a file is compared with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PreviousEvidence {
    pub id: i64,
    pub original_name: String,
    pub effective_at: String,
    /// "criterion C1" or "milestone M4": where it was looked for.
    pub scope: String,
}

/// The first entries of a list, and how long it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shown<T> {
    pub items: Vec<T>,
    pub total: u64,
}

impl<T> Shown<T> {
    fn of(all: Vec<T>) -> Self {
        let total = all.len() as u64;
        Shown {
            items: all.into_iter().take(SHOWN_CHANGES).collect(),
            total,
        }
    }
    /// How many are not shown.
    pub fn more(&self) -> u64 {
        self.total.saturating_sub(self.items.len() as u64)
    }
}

/// A file whose coverage changed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileDelta {
    pub file: String,
    pub pct_before: f64,
    pub pct_after: f64,
    /// After − before, percentage points.
    pub delta: f64,
}

/// What changed since the previous evidence of the same kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Comparison {
    Tests {
        /// Failing now, not before.
        new_failures: Shown<CaseKey>,
        /// Failing before, not now.
        fixed: Shown<CaseKey>,
        /// Failing in both.
        still_failing: Shown<CaseKey>,
        /// True when a file had more failing cases than were kept.
        partial: bool,
    },
    Coverage {
        line_pct_before: Option<f64>,
        line_pct_after: Option<f64>,
        /// After − before, percentage points.
        delta: Option<f64>,
        /// Files in both whose line coverage rose, most first.
        better: Shown<FileDelta>,
        /// Files in both whose line coverage fell, most first.
        worse: Shown<FileDelta>,
        partial: bool,
    },
    Findings {
        /// Present now, not before (by rule id and location/package).
        new: Shown<Finding>,
        /// Present before, not now.
        fixed: Shown<Finding>,
        partial: bool,
    },
}

/// The drill-down of one evidence file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceDetails {
    pub evidence_id: i64,
    pub kind: String,
    pub tests: Option<TestDetails>,
    pub coverage: Option<CoverageDetails>,
    pub findings: Option<FindingDetails>,
    pub previous: Option<PreviousEvidence>,
    pub comparison: Option<Comparison>,
    /// Why the stored file gave no details (it could not be read again).
    pub problem: Option<String>,
}

/// One file as [`details`] needs it: its metrics and what re-parsing it gave.
pub struct Parsed<'a> {
    pub metrics: &'a BTreeMap<String, f64>,
    pub extract: &'a Extract,
}

const SEVERITY_METRICS: [&str; 8] = [
    "findings.error",
    "findings.warning",
    "findings.note",
    "vulns.critical",
    "vulns.high",
    "vulns.medium",
    "vulns.low",
    "vulns.unknown",
];

/// The drill-down of a file, compared with `previous` when there is one.
pub fn details(
    evidence_id: i64,
    kind: &str,
    current: Parsed<'_>,
    previous: Option<(PreviousEvidence, Parsed<'_>)>,
) -> EvidenceDetails {
    let mut out = EvidenceDetails {
        evidence_id,
        kind: kind.to_string(),
        tests: None,
        coverage: None,
        findings: None,
        previous: None,
        comparison: None,
        problem: None,
    };
    match current.extract {
        Extract::Tests(t) => {
            out.tests = Some(TestDetails {
                failing: t.failing.clone(),
                failing_total: t.failing_total,
            })
        }
        Extract::Coverage(c) => {
            let mut files = c.list();
            files.sort_by(|a, b| b.uncovered().cmp(&a.uncovered()).then(a.file.cmp(&b.file)));
            files.truncate(SHOWN_FILES);
            out.coverage = Some(CoverageDetails {
                files_total: c.files_total,
                least_covered: files,
            });
        }
        Extract::Findings(f) => {
            let counts = SEVERITY_METRICS
                .iter()
                .filter_map(|m| {
                    let v = current.metrics.get(*m)?;
                    Some(SeverityCount {
                        severity: m.split_once('.').map_or(*m, |(_, s)| s).to_string(),
                        count: *v as u64,
                    })
                })
                .collect();
            let mut shown: Vec<Finding> = f.findings.clone();
            // stable: file order within a severity
            shown.sort_by_key(|f| severity_rank(&f.severity));
            shown.truncate(SHOWN_FINDINGS);
            out.findings = Some(FindingDetails {
                counts,
                findings: shown,
                findings_total: f.total,
            });
        }
        Extract::Nothing => {}
    }
    if let Some((prev, before)) = previous {
        out.comparison = compare(before, current);
        out.previous = Some(prev);
    }
    out
}

/// What changed from `before` to `after`; None when they are not comparable.
pub fn compare(before: Parsed<'_>, after: Parsed<'_>) -> Option<Comparison> {
    Some(match (before.extract, after.extract) {
        (Extract::Tests(b), Extract::Tests(a)) => Comparison::Tests {
            new_failures: Shown::of(a.keys.difference(&b.keys).cloned().collect()),
            fixed: Shown::of(b.keys.difference(&a.keys).cloned().collect()),
            still_failing: Shown::of(a.keys.intersection(&b.keys).cloned().collect()),
            partial: !(a.keys_complete && b.keys_complete),
        },
        (Extract::Coverage(b), Extract::Coverage(a)) => {
            let pct = |p: &Parsed<'_>| p.metrics.get("coverage.line_pct").copied();
            let (before_pct, after_pct) = (pct(&before), pct(&after));
            let mut better = Vec::new();
            let mut worse = Vec::new();
            for f in a.list() {
                let Some(&(covered, total)) = b.files.get(&f.file) else {
                    continue;
                };
                let old = FileCoverage {
                    file: f.file.clone(),
                    covered,
                    total,
                };
                let (Some(pb), Some(pa)) = (old.pct(), f.pct()) else {
                    continue;
                };
                let d = FileDelta {
                    file: f.file,
                    pct_before: pb,
                    pct_after: pa,
                    delta: round2(pa - pb),
                };
                if d.delta > 0.0 {
                    better.push(d);
                } else if d.delta < 0.0 {
                    worse.push(d);
                }
            }
            better.sort_by(|x, y| y.delta.total_cmp(&x.delta).then(x.file.cmp(&y.file)));
            worse.sort_by(|x, y| x.delta.total_cmp(&y.delta).then(x.file.cmp(&y.file)));
            Comparison::Coverage {
                line_pct_before: before_pct,
                line_pct_after: after_pct,
                delta: before_pct
                    .zip(after_pct)
                    .map(|(b, a)| (a - b) * 10_000.0)
                    .map(|v| v.round() / 10_000.0),
                better: Shown::of(better),
                worse: Shown::of(worse),
                partial: b.files_total > b.files.len() as u64
                    || a.files_total > a.files.len() as u64,
            }
        }
        (Extract::Findings(b), Extract::Findings(a)) => {
            let keys = |x: &FindingsExtract| -> BTreeSet<(String, String)> {
                x.findings
                    .iter()
                    .map(|f| (f.rule.clone(), f.location.clone()))
                    .collect()
            };
            let (kb, ka) = (keys(b), keys(a));
            let only = |x: &FindingsExtract, other: &BTreeSet<(String, String)>| {
                let mut seen = BTreeSet::new();
                let mut v: Vec<Finding> = x
                    .findings
                    .iter()
                    .filter(|f| {
                        let k = (f.rule.clone(), f.location.clone());
                        !other.contains(&k) && seen.insert(k)
                    })
                    .cloned()
                    .collect();
                v.sort_by_key(|f| severity_rank(&f.severity));
                v
            };
            Comparison::Findings {
                new: Shown::of(only(a, &kb)),
                fixed: Shown::of(only(b, &ka)),
                partial: !(a.complete() && b.complete()),
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(classname: &str, name: &str) -> FailedCase {
        FailedCase {
            outcome: CaseOutcome::Failed,
            suite: "s".into(),
            classname: classname.into(),
            name: name.into(),
            message: "boom".into(),
            text: String::new(),
        }
    }

    fn tests(names: &[&str]) -> Extract {
        let mut t = TestsExtract::new();
        for n in names {
            t.push(case("pkg.A", n));
        }
        Extract::Tests(t)
    }

    fn names(s: &Shown<CaseKey>) -> Vec<&str> {
        s.items.iter().map(|k| k.name.as_str()).collect()
    }

    #[test]
    fn a_test_comparison_splits_new_fixed_and_still_failing_by_classname_and_name() {
        let m = BTreeMap::new();
        let (b, a) = (tests(&["one", "two"]), tests(&["two", "three"]));
        let c = compare(
            Parsed {
                metrics: &m,
                extract: &b,
            },
            Parsed {
                metrics: &m,
                extract: &a,
            },
        );
        let Some(Comparison::Tests {
            new_failures,
            fixed,
            still_failing,
            partial,
        }) = c
        else {
            panic!("{c:?}")
        };
        assert_eq!(names(&new_failures), ["three"]);
        assert_eq!(names(&fixed), ["one"]);
        assert_eq!(names(&still_failing), ["two"]);
        assert!(!partial);
    }

    #[test]
    fn the_same_name_in_another_class_is_another_test() {
        let m = BTreeMap::new();
        let b = tests(&["t"]);
        let mut other = TestsExtract::new();
        other.push(case("pkg.B", "t"));
        let a = Extract::Tests(other);
        let Some(Comparison::Tests {
            new_failures,
            fixed,
            ..
        }) = compare(
            Parsed {
                metrics: &m,
                extract: &b,
            },
            Parsed {
                metrics: &m,
                extract: &a,
            },
        )
        else {
            panic!()
        };
        assert_eq!((new_failures.total, fixed.total), (1, 1));
    }

    #[test]
    fn failing_cases_beyond_the_cap_are_counted_but_not_kept() {
        let mut t = TestsExtract::new();
        for i in 0..SHOWN_FAILURES + 7 {
            t.push(case("c", &format!("t{i}")));
        }
        assert_eq!(t.failing.len(), SHOWN_FAILURES);
        assert_eq!(t.failing_total, SHOWN_FAILURES as u64 + 7);
        let m = BTreeMap::new();
        let e = Extract::Tests(t);
        let d = details(
            1,
            "junit",
            Parsed {
                metrics: &m,
                extract: &e,
            },
            None,
        );
        let shown = d.tests.unwrap_or_else(|| panic!("tests"));
        assert_eq!(shown.failing.len(), SHOWN_FAILURES);
        assert_eq!(shown.failing_total, SHOWN_FAILURES as u64 + 7);
    }

    #[test]
    fn the_least_covered_files_come_first_and_only_the_top_ones_are_shown() {
        let mut c = CoverageExtract::default();
        for i in 0..30u64 {
            c.add(&format!("f{i:02}.rs"), 100 - i, 100);
        }
        c.add("f00.rs", 0, 50);
        let m = BTreeMap::new();
        let e = Extract::Coverage(c);
        let d = details(
            1,
            "lcov",
            Parsed {
                metrics: &m,
                extract: &e,
            },
            None,
        );
        let cov = d.coverage.unwrap_or_else(|| panic!("coverage"));
        assert_eq!(cov.files_total, 30);
        assert_eq!(cov.least_covered.len(), SHOWN_FILES);
        assert_eq!(cov.least_covered[0].file, "f00.rs");
        assert_eq!(cov.least_covered[0].uncovered(), 50);
        assert_eq!(cov.least_covered[0].pct(), Some(66.67));
        assert_eq!(cov.least_covered[1].file, "f29.rs");
    }

    #[test]
    fn a_coverage_comparison_gives_the_overall_delta_and_files_that_moved() {
        let mut b = CoverageExtract::default();
        b.add("a.rs", 5, 10);
        b.add("b.rs", 8, 10);
        b.add("c.rs", 1, 1);
        b.add("gone.rs", 0, 4);
        let mut a = CoverageExtract::default();
        a.add("a.rs", 9, 10);
        a.add("b.rs", 6, 10);
        a.add("c.rs", 1, 1);
        a.add("new.rs", 0, 3);
        let mb = BTreeMap::from([("coverage.line_pct".to_string(), 60.0)]);
        let ma = BTreeMap::from([("coverage.line_pct".to_string(), 66.6667)]);
        let (eb, ea) = (Extract::Coverage(b), Extract::Coverage(a));
        let Some(Comparison::Coverage {
            delta,
            better,
            worse,
            ..
        }) = compare(
            Parsed {
                metrics: &mb,
                extract: &eb,
            },
            Parsed {
                metrics: &ma,
                extract: &ea,
            },
        )
        else {
            panic!()
        };
        assert_eq!(delta, Some(6.6667));
        assert_eq!(better.items.len(), 1);
        assert_eq!(
            (better.items[0].file.as_str(), better.items[0].delta),
            ("a.rs", 40.0)
        );
        assert_eq!(
            (worse.items[0].file.as_str(), worse.items[0].delta),
            ("b.rs", -20.0)
        );
        assert_eq!(worse.total, 1);
    }

    #[test]
    fn findings_are_new_or_fixed_by_rule_and_location_and_listed_by_severity() {
        let mut b = FindingsExtract::default();
        b.push(Finding::new("low", "CVE-1", "openssl@1.0", "old"));
        b.push(Finding::new("high", "CVE-2", "zlib@1.2", "kept"));
        let mut a = FindingsExtract::default();
        a.push(Finding::new("high", "CVE-2", "zlib@1.2", "kept"));
        a.push(Finding::new("low", "CVE-3", "musl@1.1", "new low"));
        a.push(Finding::new("critical", "CVE-1", "openssl@1.1", "moved"));
        let m = BTreeMap::from([("vulns.critical".to_string(), 1.0)]);
        let (eb, ea) = (Extract::Findings(b), Extract::Findings(a));
        let prev = PreviousEvidence {
            id: 7,
            original_name: "trivy.json".into(),
            effective_at: "2026-12-01T00:00:00Z".into(),
            scope: "milestone M4".into(),
        };
        let d = details(
            8,
            "trivy",
            Parsed {
                metrics: &m,
                extract: &ea,
            },
            Some((
                prev,
                Parsed {
                    metrics: &m,
                    extract: &eb,
                },
            )),
        );
        let f = d.findings.unwrap_or_else(|| panic!("findings"));
        assert_eq!(f.counts[0].severity, "critical");
        let order: Vec<&str> = f.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(order, ["CVE-1", "CVE-2", "CVE-3"]);
        let Some(Comparison::Findings { new, fixed, .. }) = d.comparison else {
            panic!()
        };
        let rules = |s: &Shown<Finding>| -> Vec<String> {
            s.items
                .iter()
                .map(|f| format!("{} {}", f.rule, f.location))
                .collect()
        };
        assert_eq!(rules(&new), ["CVE-1 openssl@1.1", "CVE-3 musl@1.1"]);
        assert_eq!(rules(&fixed), ["CVE-1 openssl@1.0"]);
    }

    #[test]
    fn different_kinds_are_not_compared() {
        let m = BTreeMap::new();
        let (a, b) = (tests(&["x"]), Extract::Coverage(CoverageExtract::default()));
        assert!(compare(
            Parsed {
                metrics: &m,
                extract: &a
            },
            Parsed {
                metrics: &m,
                extract: &b
            }
        )
        .is_none());
    }

    #[test]
    fn long_texts_are_clipped_on_a_character_boundary() {
        assert_eq!(clip("  héllo  ", 3), "hél…");
        assert_eq!(clip("abc", 3), "abc");
    }
}
