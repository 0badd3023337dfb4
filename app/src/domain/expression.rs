//! Criteria beyond "metric op target": expressions over several metrics, in
//! CEL (`vulns.critical == 0 && vulns.high <= 2`), and ratchets against the
//! previous certified milestone (`coverage.line_pct >= previous`, or
//! `previous.coverage.line_pct` inside an expression).
//!
//! Each metric an expression reads is decided like a plain criterion's (the
//! newest file attached to the criterion, else the newest unattached one), so
//! one expression can read several files; the judgement lists every number it
//! was evaluated on, with its file, and the certificate shows them.
//!
//! CEL (the `cel` crate, its Pratt parser) runs on the server only: the
//! browser never judges, so the wasm bundle carries none of it. An expression
//! is bounded before it is parsed (400 characters) and after (16 levels
//! deep): the interpreter recurses once per level, ~40 KiB of stack a level in
//! a debug build, and a request's thread has 2 MiB.
//!
//! Size: the two rules beyond "metric op target" (expression, ratchet), the
//! CEL binding with its bounds, and their tests, which pin the bounds (the
//! deepest expression accepted evaluated on a 1 MiB stack).

use super::criterion::{deciding, judge, EvidenceFacts, Judgement, Op, Verdict};
pub use super::reason::{source_text, ExprError, Reason};
use evidence::metrics::round_metric;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest expression accepted, in characters.
pub const MAX_LEN: usize = 400;
/// The deepest expression accepted, in syntax-tree levels.
pub const MAX_DEPTH: usize = 16;

pub use super::criterion::{Input, PREVIOUS};

/// The earlier certified milestone a ratchet compares with: the nearest
/// earlier milestone of the project with a standing certificate, and the
/// value that certificate recorded for each metric (the first criterion in
/// its order that measured it).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Baseline {
    /// The milestone's code (`M3`).
    pub milestone: String,
    /// The certificate's number.
    pub certificate: String,
    pub values: BTreeMap<String, f64>,
}

impl Baseline {
    /// "M3's certificate ATT-2026-0003": the words judging records (they
    /// enter the state digest and the certificate, so they stay English;
    /// [`source_text`] says them in a reader's language).
    pub fn source(&self) -> String {
        format!("{}'s certificate {}", self.milestone, self.certificate)
    }
}

/// A criterion's rule as judging reads it.
#[derive(Clone, Copy, Debug)]
pub struct Rule<'a> {
    pub id: i64,
    pub metric: &'a str,
    pub op: Op,
    pub target: f64,
    /// A CEL expression: when present, metric, op and target are not read.
    pub expression: Option<&'a str>,
    /// The target is the baseline's value for `metric`.
    pub ratchet: bool,
}

/// Judges a criterion's rule from the evidence it sees, and for a ratchet
/// (or an expression reading `previous`) from the baseline.
pub fn judge_rule(
    rule: &Rule<'_>,
    evidence: &[EvidenceFacts],
    baseline: Option<&Baseline>,
) -> Judgement {
    if let Some(source) = rule.expression {
        return judge_expression(rule.id, source, evidence, baseline);
    }
    if !rule.ratchet {
        return judge(rule.id, rule.metric, rule.op, rule.target, evidence);
    }
    let previous = baseline.and_then(|b| b.values.get(rule.metric).map(|v| (b, *v)));
    let Some((b, target)) = previous else {
        let mut j = judge(rule.id, rule.metric, rule.op, f64::NAN, evidence);
        if j.verdict != Verdict::NoEvidence {
            j.verdict = Verdict::NotMet;
            j.set_reason(match baseline {
                None => Reason::NoBaselineForRatchet {
                    metric: rule.metric.to_string(),
                },
                Some(b) => Reason::BaselineLacksRatchet {
                    baseline: b.source(),
                    metric: rule.metric.to_string(),
                },
            });
        }
        return j;
    };
    let mut j = judge(rule.id, rule.metric, rule.op, target, evidence);
    j.inputs = vec![Input {
        metric: rule.metric.to_string(),
        value: target,
        evidence_id: None,
        evidence_sha256: None,
        previous: true,
    }];
    j.baseline = Some(b.source());
    j
}

fn judge_expression(
    criterion_id: i64,
    source: &str,
    evidence: &[EvidenceFacts],
    baseline: Option<&Baseline>,
) -> Judgement {
    let mut j = Judgement {
        verdict: Verdict::NoEvidence,
        actual: None,
        evidence_id: None,
        evidence_sha256: None,
        reason: None,
        why: None,
        waiver: None,
        inputs: Vec::new(),
        baseline: None,
    };
    let compiled = match compile(source) {
        Ok(c) => c,
        Err(e) => {
            j.verdict = Verdict::NotMet;
            j.set_reason(Reason::Unreadable(e));
            return j;
        }
    };
    let mut missing = Vec::new();
    let mut newest: Option<&EvidenceFacts> = None;
    let reads = &compiled.reads;
    for metric in &reads.metrics {
        match deciding(criterion_id, metric, evidence) {
            None => missing.push(metric.clone()),
            Some((e, v)) => {
                j.inputs.push(Input {
                    metric: metric.clone(),
                    value: round_metric(metric, v),
                    evidence_id: Some(e.id),
                    evidence_sha256: Some(e.sha256.clone()),
                    previous: false,
                });
                if newest.is_none_or(|n| (&e.effective_at, e.id) > (&n.effective_at, n.id)) {
                    newest = Some(e);
                }
            }
        }
    }
    if !missing.is_empty() {
        j.set_reason(Reason::NoEvidenceFor { metrics: missing });
        return j;
    }
    let mut previous = BTreeMap::new();
    for metric in &reads.previous {
        match baseline.and_then(|b| b.values.get(metric)) {
            Some(v) => {
                previous.insert(metric.clone(), *v);
                j.inputs.push(Input {
                    metric: metric.clone(),
                    value: *v,
                    evidence_id: None,
                    evidence_sha256: None,
                    previous: true,
                });
            }
            None => missing.push(metric.clone()),
        }
    }
    (j.evidence_id, j.evidence_sha256) = (newest.map(|e| e.id), newest.map(|e| e.sha256.clone()));
    if !reads.previous.is_empty() {
        j.baseline = baseline.map(Baseline::source);
    }
    if !missing.is_empty() {
        j.verdict = Verdict::NotMet;
        j.set_reason(match baseline {
            None => Reason::NoBaselineToCompare { metrics: missing },
            Some(b) => Reason::BaselineLacks {
                baseline: b.source(),
                metrics: missing,
            },
        });
        return j;
    }
    let current: BTreeMap<String, f64> = j
        .inputs
        .iter()
        .filter(|i| !i.previous)
        .map(|i| (i.metric.clone(), i.value))
        .collect();
    match compiled.evaluate(&current, &previous) {
        Ok(true) => j.verdict = Verdict::Met,
        Ok(false) => j.verdict = Verdict::NotMet,
        Err(e) => {
            j.verdict = Verdict::NotMet;
            j.set_reason(Reason::NotEvaluated(e));
        }
    }
    j
}

/// The metrics an expression reads: from the evidence, and from the
/// baseline certificate (`previous.…`), each once, in the order written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reads {
    pub metrics: Vec<String>,
    pub previous: Vec<String>,
}

#[cfg(feature = "ssr")]
pub use cel_impl::{check, compile, Compiled};

/// Without the server's interpreter (the browser's build) there is nothing
/// to compile with: the browser never judges.
#[cfg(not(feature = "ssr"))]
pub struct Compiled {
    pub reads: Reads,
}

#[cfg(not(feature = "ssr"))]
impl Compiled {
    pub fn evaluate(
        &self,
        _current: &BTreeMap<String, f64>,
        _previous: &BTreeMap<String, f64>,
    ) -> Result<bool, ExprError> {
        Err(ExprError::ServerOnly)
    }
}

#[cfg(not(feature = "ssr"))]
pub fn compile(_source: &str) -> Result<Compiled, ExprError> {
    Err(ExprError::ServerOnly)
}

#[cfg(feature = "ssr")]
mod cel_impl {
    use super::{ExprError, Reads, MAX_DEPTH, MAX_LEN, PREVIOUS};
    use crate::error::AppError;
    use cel::common::ast::Expr;
    use cel::parser::PrattParser;
    use cel::{Context, IdedExpr, Value};
    use std::collections::{BTreeMap, HashMap};

    fn parse(source: &str) -> Result<IdedExpr, ExprError> {
        let n = source.chars().count();
        if n > MAX_LEN {
            return Err(ExprError::TooLong {
                max: MAX_LEN,
                got: n,
            });
        }
        if source.trim().is_empty() {
            return Err(ExprError::Empty);
        }
        PrattParser::new()
            .max_recursion_depth(MAX_DEPTH as u16 * 2)
            .parse(source)
            .map_err(|e| {
                // the first error, on one line: "Syntax error: … at column 4"
                let first = e.errors.first();
                match first {
                    Some(p) => ExprError::Syntax {
                        message: p.msg.clone(),
                        at: Some(p.pos.1.max(0)),
                    },
                    None => ExprError::Syntax {
                        message: e.to_string(),
                        at: None,
                    },
                }
            })
    }

    /// An expression parsed and walked once: its tree and what it reads.
    pub struct Compiled {
        expr: IdedExpr,
        pub reads: Reads,
    }

    /// Parses and walks `source`: every metric it reads (a known one, as
    /// `vulns.high` or `previous.vulns.high`), its depth within bounds, and
    /// only what a criterion needs (comparisons, arithmetic, logic, numbers).
    pub fn compile(source: &str) -> Result<Compiled, ExprError> {
        let expr = parse(source)?;
        let reads = walk(&expr)?;
        Ok(Compiled { expr, reads })
    }

    fn walk(expr: &IdedExpr) -> Result<Reads, ExprError> {
        let mut out = Reads::default();
        let mut stack: Vec<(&IdedExpr, usize)> = vec![(expr, 1)];
        while let Some((e, depth)) = stack.pop() {
            if depth > MAX_DEPTH {
                return Err(ExprError::TooDeep { max: MAX_DEPTH });
            }
            match &e.expr {
                Expr::Literal(_) => {}
                Expr::Call(call) => {
                    // reversed, so metrics are listed in the order written
                    stack.extend(call.args.iter().rev().map(|a| (a, depth + 1)));
                    stack.extend(call.target.iter().map(|t| (t.as_ref(), depth + 1)));
                }
                Expr::Ident(_) | Expr::Select(_) => {
                    let name = qualified(e).ok_or(ExprError::NotAName)?;
                    let (list, metric) = match name.strip_prefix(PREVIOUS) {
                        Some(rest) if rest.starts_with('.') => (&mut out.previous, &rest[1..]),
                        _ => (&mut out.metrics, name.as_str()),
                    };
                    if evidence::metrics::metric_info(metric).is_none() {
                        return Err(if name == PREVIOUS {
                            ExprError::PreviousNeedsMetric
                        } else {
                            ExprError::NotAMetric {
                                name: metric.to_string(),
                            }
                        });
                    }
                    if !list.iter().any(|m| m == metric) {
                        list.push(metric.to_string());
                    }
                }
                Expr::List(_) | Expr::Map(_) | Expr::Struct(_) | Expr::Comprehension(_) => {
                    return Err(ExprError::Collections)
                }
                Expr::Unspecified => return Err(ExprError::Incomplete),
            }
        }
        if out.metrics.is_empty() {
            return Err(ExprError::NoMetric);
        }
        Ok(out)
    }

    /// `a.b.c` as one name, if `e` spells one.
    fn qualified(e: &IdedExpr) -> Option<String> {
        let mut parts = Vec::new();
        let mut e = e;
        loop {
            match &e.expr {
                Expr::Ident(name) => {
                    parts.push(name.as_str());
                    break;
                }
                Expr::Select(s) if !s.test => {
                    parts.push(s.field.as_str());
                    e = &s.operand;
                }
                _ => return None,
            }
        }
        parts.reverse();
        Some(parts.join("."))
    }

    /// `metric → value` as CEL variables: `vulns.high` is field `high` of
    /// the map `vulns`; `previous` holds the same shape.
    fn variables(values: &BTreeMap<String, f64>) -> HashMap<String, Value> {
        let mut groups: HashMap<String, HashMap<String, Value>> = HashMap::new();
        for (metric, value) in values {
            if let Some((group, field)) = metric.split_once('.') {
                groups
                    .entry(group.to_string())
                    .or_default()
                    .insert(field.to_string(), Value::Float(*value));
            }
        }
        groups
            .into_iter()
            .map(|(k, v)| (k, Value::Map(v.into())))
            .collect()
    }

    impl Compiled {
        /// Evaluates it on the numbers given: true, false, or why not.
        pub fn evaluate(
            &self,
            current: &BTreeMap<String, f64>,
            previous: &BTreeMap<String, f64>,
        ) -> Result<bool, ExprError> {
            let mut ctx = Context::default();
            for (name, value) in variables(current) {
                ctx.add_variable_from_value(name, value);
            }
            if !previous.is_empty() {
                let previous: HashMap<String, Value> = variables(previous);
                ctx.add_variable_from_value(PREVIOUS, previous);
            }
            match Value::resolve(&self.expr, &ctx) {
                Ok(Value::Bool(b)) => Ok(b),
                Ok(other) => Err(ExprError::NotBoolean {
                    value: shown(&other),
                }),
                Err(e) => Err(ExprError::Evaluation(e.to_string())),
            }
        }
    }

    fn shown(v: &Value) -> String {
        match v {
            Value::Float(f) => crate::domain::format::number(*f),
            Value::Int(i) => i.to_string(),
            other => format!("{other:?}"),
        }
    }

    /// Checks an expression typed into a form: it parses, reads known
    /// metrics, stays within bounds, and gives true or false on sample
    /// numbers (so `vulns.high + "x"` is refused now, not at judging).
    /// The refusal is in the reader's language.
    pub fn check(source: &str) -> Result<Reads, AppError> {
        let source = source.trim();
        let bad = |why: ExprError| AppError::invalid("expression", why.text(crate::i18n::lang()));
        let compiled = compile(source).map_err(bad)?;
        let ones = |ms: &[String]| ms.iter().map(|m| (m.clone(), 1.0)).collect();
        let r = &compiled.reads;
        compiled
            .evaluate(&ones(&r.metrics), &ones(&r.previous))
            .map_err(bad)?;
        Ok(compiled.reads)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    fn ev(id: i64, at: &str, metrics: &[(&str, f64)]) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("{id:064x}"),
            effective_at: at.into(),
            criterion_id: None,
            metrics: metrics.iter().map(|(m, v)| (m.to_string(), *v)).collect(),
            withdrawn: false,
            commit: None,
            subject: None,
        }
    }

    fn rule(expression: &str) -> Rule<'_> {
        Rule {
            id: 1,
            metric: "",
            op: Op::Eq,
            target: 1.0,
            expression: Some(expression),
            ratchet: false,
        }
    }

    #[test]
    fn an_expression_reads_each_metric_from_its_own_deciding_file_and_lists_them() {
        let e = [
            ev(
                1,
                "2026-12-01T00:00:00Z",
                &[("vulns.critical", 0.0), ("vulns.high", 2.0)],
            ),
            ev(2, "2026-12-02T00:00:00Z", &[("tests.pass_rate", 99.5)]),
            ev(3, "2026-11-30T00:00:00Z", &[("vulns.high", 9.0)]),
        ];
        let j = judge_rule(
            &rule("vulns.critical == 0 && vulns.high <= 2 && tests.pass_rate >= 99"),
            &e,
            None,
        );
        assert_eq!(j.verdict, Verdict::Met);
        let inputs: Vec<(String, f64, Option<i64>)> = j
            .inputs
            .iter()
            .map(|i| (i.metric.clone(), i.value, i.evidence_id))
            .collect();
        assert_eq!(
            inputs,
            vec![
                ("vulns.critical".into(), 0.0, Some(1)),
                ("vulns.high".into(), 2.0, Some(1)),
                ("tests.pass_rate".into(), 99.5, Some(2)),
            ]
        );
        // the newest input file stands for the judgement
        assert_eq!(j.evidence_id, Some(2));
        let j = judge_rule(&rule("vulns.critical == 0 && vulns.high < 2"), &e, None);
        assert_eq!((j.verdict, j.reason), (Verdict::NotMet, None));
    }

    #[test]
    fn a_metric_without_evidence_leaves_the_expression_without_evidence_naming_it() {
        let e = [ev(1, "2026-12-01T00:00:00Z", &[("vulns.critical", 0.0)])];
        let j = judge_rule(
            &rule("vulns.critical == 0 && coverage.line_pct >= 80"),
            &e,
            None,
        );
        assert_eq!(j.verdict, Verdict::NoEvidence);
        assert_eq!(
            j.reason.as_deref(),
            Some("no evidence for coverage.line_pct")
        );
    }

    #[test]
    fn a_ratchet_compares_with_the_baseline_and_without_one_is_not_met_saying_why() {
        let e = [ev(
            1,
            "2026-12-01T00:00:00Z",
            &[("coverage.line_pct", 84.0)],
        )];
        let ratchet = Rule {
            id: 1,
            metric: "coverage.line_pct",
            op: Op::Ge,
            target: 0.0,
            expression: None,
            ratchet: true,
        };
        let base = |v: f64| Baseline {
            milestone: "M3".into(),
            certificate: "ATT-1".into(),
            values: BTreeMap::from([("coverage.line_pct".to_string(), v)]),
        };
        let j = judge_rule(&ratchet, &e, Some(&base(84.0)));
        assert_eq!(
            j.verdict,
            Verdict::Met,
            "equal to the previous value holds >="
        );
        assert_eq!(j.baseline.as_deref(), Some("M3's certificate ATT-1"));
        assert_eq!(j.inputs[0].sentence(), "previous coverage.line_pct = 84");
        let j = judge_rule(&ratchet, &e, Some(&base(84.5)));
        assert_eq!(j.verdict, Verdict::NotMet);
        let j = judge_rule(&ratchet, &e, None);
        assert_eq!(j.verdict, Verdict::NotMet);
        assert!(j.reason.unwrap().contains("nothing to ratchet against"));
        let other = Baseline {
            values: BTreeMap::from([("tests.pass_rate".to_string(), 99.0)]),
            ..base(0.0)
        };
        let j = judge_rule(&ratchet, &e, Some(&other));
        assert_eq!(
            j.reason.as_deref(),
            Some("M3's certificate ATT-1 records no coverage.line_pct: nothing to ratchet against")
        );
        // no evidence stays no evidence, baseline or not
        let j = judge_rule(&ratchet, &[], None);
        assert_eq!((j.verdict, j.reason), (Verdict::NoEvidence, None));
    }

    #[test]
    fn an_expression_reads_previous_values_from_the_baseline() {
        let e = [ev(
            1,
            "2026-12-01T00:00:00Z",
            &[("coverage.line_pct", 85.0)],
        )];
        let r = rule("coverage.line_pct >= previous.coverage.line_pct - 0.5");
        let base = Baseline {
            milestone: "M3".into(),
            certificate: "ATT-1".into(),
            values: BTreeMap::from([("coverage.line_pct".to_string(), 85.4)]),
        };
        let j = judge_rule(&r, &e, Some(&base));
        assert_eq!(j.verdict, Verdict::Met);
        assert_eq!(j.inputs.len(), 2);
        assert!(j.inputs[1].previous);
        let j = judge_rule(&r, &e, None);
        assert_eq!(j.verdict, Verdict::NotMet);
        assert!(j.reason.unwrap().contains("no earlier milestone"));
    }

    #[test]
    fn reasons_are_recorded_in_english_and_said_in_the_readers_language() {
        let e = [ev(1, "2026-12-01T00:00:00Z", &[("vulns.critical", 0.0)])];
        let j = judge_rule(
            &rule("vulns.critical == 0 && vulns.high <= 2 && tests.total > 0"),
            &e,
            None,
        );
        assert_eq!(
            j.reason.as_deref(),
            Some("no evidence for vulns.high, tests.total")
        );
        assert_eq!(
            j.reason_text(Locale::zh_Hans).as_deref(),
            Some("没有 vulns.high、tests.total 的证据")
        );
        // words a later rule put in its place are said as they are
        let mut replaced = j.clone();
        replaced.reason = Some("its evidence is 40 days old".into());
        assert_eq!(
            replaced.reason_text(Locale::zh_Hans).as_deref(),
            Some("its evidence is 40 days old")
        );
        let base = Baseline {
            milestone: "M3".into(),
            certificate: "ATT-1".into(),
            values: BTreeMap::new(),
        };
        let r = rule("coverage.line_pct >= previous.coverage.line_pct");
        let e = [ev(
            1,
            "2026-12-01T00:00:00Z",
            &[("coverage.line_pct", 85.0)],
        )];
        let j = judge_rule(&r, &e, Some(&base));
        assert_eq!(
            j.reason.as_deref(),
            Some("M3's certificate ATT-1 records no coverage.line_pct")
        );
        assert_eq!(
            j.reason_text(Locale::zh_Hans).as_deref(),
            Some("M3 的证书 ATT-1 未记录 coverage.line_pct")
        );
        assert_eq!(
            source_text("M3's certificate ATT-1", Locale::zh_Hans),
            "M3 的证书 ATT-1"
        );
        assert_eq!(
            source_text("M3's certificate ATT-1", Locale::en),
            "M3's certificate ATT-1"
        );
        let previous = Input {
            metric: "coverage.line_pct".into(),
            value: 85.2,
            evidence_id: None,
            evidence_sha256: None,
            previous: true,
        };
        assert_eq!(previous.sentence(), "previous coverage.line_pct = 85.2");
        assert_eq!(
            Reason::FalseOn(vec![previous]).text(Locale::zh_Hans),
            "按 上次认证的 coverage.line_pct = 85.2 计算结果为 false"
        );
        assert_eq!(
            ExprError::NotAMetric {
                name: "vulns.hgh".into()
            }
            .text(Locale::zh_Hans),
            "\"vulns.hgh\" 不是指标；指标形如 vulns.high 或 coverage.line_pct"
        );
    }

    #[test]
    fn expressions_are_checked_when_typed_and_refusals_name_the_problem() {
        let refused = |s: &str| check(s).unwrap_err().to_string();
        assert!(refused("vulns.hgh == 0").contains("\"vulns.hgh\" is not a metric"));
        assert!(refused("vulns.high +").contains("expression:"));
        assert!(refused("vulns.high").contains("not true or false"));
        assert!(refused("vulns.high + \"x\" > 1").contains("expression:"));
        assert!(refused("1 == 1").contains("reads no metric"));
        assert!(refused("[1].all(x, x > 0) && vulns.high == 0").contains("lists, maps and macros"));
        assert!(refused(&"vulns.high == 0 && ".repeat(30)).contains("at most 400 characters"));
        // parentheses make no level; operators do
        let parens = format!("{}vulns.high{} == 0", "(".repeat(100), ")".repeat(100));
        assert!(check(&parens).is_ok());
        let deep = format!("{}vulns.high{} == 0", "(0.0 + ".repeat(20), ")".repeat(20));
        assert!(refused(&deep).contains("nested deeper than 16 levels"));
        let r = check("vulns.critical == 0 && previous.vulns.high >= vulns.high").unwrap();
        assert_eq!(r.metrics, vec!["vulns.critical", "vulns.high"]);
        assert_eq!(r.previous, vec!["vulns.high"]);
    }

    #[test]
    fn the_longest_deepest_accepted_expression_judges_on_a_small_stack() {
        // 15 nested additions: parse, walk and evaluate on a 1 MiB thread,
        // half of a request's (tokio's workers have 2 MiB); an unoptimised
        // build needs ~40 KiB a level, 512 KiB overflowed
        let sum = vec!["tests.failed"; 15].join(" + ");
        let source = format!("{sum} == 0");
        assert!(source.len() <= MAX_LEN);
        assert!(check(&source).is_ok(), "{:?}", check(&source));
        let deeper = format!(
            "{} + tests.failed == 0",
            vec!["tests.failed"; 16].join(" + ")
        );
        assert!(check(&deeper)
            .unwrap_err()
            .to_string()
            .contains("deeper than 16"));
        let ok = std::thread::Builder::new()
            .stack_size(1024 * 1024)
            .spawn(move || {
                let values = BTreeMap::from([("tests.failed".to_string(), 0.0)]);
                compile(&source)?.evaluate(&values, &BTreeMap::new())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(ok, Ok(true));
    }

    #[test]
    fn hostile_expressions_are_refused_with_the_reason_and_never_panic() {
        for (source, says) in [
            (
                "9223372036854775807 + 1 > 0 && tests.total > 0.0",
                "Overflow",
            ),
            ("1 / 0 == 1 && tests.total > 0.0", "Division by zero"),
            ("1 % 0 == 1 && tests.total > 0.0", "Remainder by zero"),
            (
                "-(-9223372036854775808) > 0 && tests.total > 0.0",
                "Overflow",
            ),
            (
                "matches('a', '(') && tests.total > 0.0",
                "Undeclared reference to 'matches'",
            ),
        ] {
            let refused = std::panic::catch_unwind(|| check(source))
                .unwrap_or_else(|_| panic!("{source} panicked"))
                .unwrap_err()
                .to_string();
            assert!(refused.contains(says), "{source}: {refused}");
        }
        // odd bytes in a string, a division by 0.0 (infinity): judged, not refused
        for source in [
            "\"\u{0}\" == \"a\" || tests.total > 0.0",
            "tests.total / 0.0 > 1.0",
        ] {
            assert!(check(source).is_ok(), "{source}");
        }
    }
}
