//! Suggestions in both languages: the synonym table (subject → metric, unit
//! checked), candidates by metric and by label, and the whole path from a
//! report's line to a verdict.

use claims::{
    extract, judge, metric_for, recorded_in, suggest, Candidate, CandidateKind, ClaimKind, Unit,
    Verdict,
};

fn cand(id: &str, kind: CandidateKind, label: &str, metric: Option<&str>) -> Candidate {
    Candidate {
        id: id.into(),
        kind,
        label: label.into(),
        metric: metric.map(str::to_string),
    }
}

#[test]
fn subjects_name_metrics_in_chinese_and_english() {
    let ms = Unit::Millis;
    let pct = Unit::Percent;
    let n = Unit::Count;
    for (subject, unit, metric) in [
        ("测试覆盖率", pct, "coverage.line_pct"),
        ("代码覆盖率", pct, "coverage.line_pct"),
        ("单元测试覆盖率", pct, "coverage.line_pct"),
        ("coverage", pct, "coverage.line_pct"),
        ("Line coverage", pct, "coverage.line_pct"),
        ("分支覆盖率", pct, "coverage.branch_pct"),
        ("Branch coverage", pct, "coverage.branch_pct"),
        ("高危漏洞", n, "vulns.high"),
        ("漏洞扫描 高危漏洞", n, "vulns.high"),
        ("high vulnerabilities", n, "vulns.high"),
        ("严重漏洞", n, "vulns.critical"),
        ("critical", n, "vulns.critical"),
        ("中危漏洞", n, "vulns.medium"),
        ("低危", n, "vulns.low"),
        ("测试通过率", pct, "tests.pass_rate"),
        ("pass rate", pct, "tests.pass_rate"),
        ("单元测试 通过", pct, "tests.pass_rate"),
        ("失败用例", n, "tests.failed"),
        ("tests failed", n, "tests.failed"),
        ("测试用例", n, "tests.total"),
        ("P95", ms, "latency.p95_ms"),
        ("p95 延迟", ms, "latency.p95_ms"),
        ("P95 响应时间", ms, "latency.p95_ms"),
        ("P99延迟", ms, "latency.p99_ms"),
        ("P50延迟", ms, "latency.p50_ms"),
        ("平均响应时间", ms, "latency.mean_ms"),
        ("最大延迟", ms, "latency.max_ms"),
        ("错误率", pct, "http.error_rate_pct"),
        ("error rate", pct, "http.error_rate_pct"),
        ("QPS", Unit::Plain, "http.rps"),
        ("TPS", Unit::PerSecond, "http.rps"),
        ("吞吐量", Unit::PerSecond, "http.rps"),
        ("Throughput", Unit::PerSecond, "http.rps"),
        ("静态分析错误", n, "findings.error"),
        ("SBOM 组件数", n, "sbom.components"),
        ("测试耗时", Unit::Seconds, "tests.duration_s"),
        ("Ｐ９５ 延迟", ms, "latency.p95_ms"), // full-width
    ] {
        assert_eq!(
            metric_for(subject, unit),
            Some(metric),
            "{subject} in {unit:?}"
        );
    }
}

#[test]
fn a_metric_is_named_only_when_the_unit_fits() {
    assert_eq!(metric_for("测试覆盖率", Unit::Count), None);
    assert_eq!(metric_for("高危漏洞", Unit::Percent), None);
    assert_eq!(metric_for("P95 延迟", Unit::Percent), None);
    assert_eq!(metric_for("测试覆盖", Unit::Score { out_of: 10 }), None);
    assert_eq!(metric_for("错误率", Unit::Count), None);
    // a latency in seconds is still a latency
    assert_eq!(metric_for("P99延迟", Unit::Seconds), Some("latency.p99_ms"));
}

#[test]
fn coverage_of_other_things_and_achievement_rates_are_not_code_coverage() {
    for subject in [
        "API 测试覆盖率",
        "类型安全覆盖率",
        "脚本覆盖率",
        "加密测试 加密覆盖",
        "代码覆盖率 达成率",
        "文档完整性",
        "缓存命中率",
        "安全漏洞修复",
    ] {
        assert_eq!(metric_for(subject, Unit::Percent), None, "{subject}");
    }
}

fn milestone() -> Vec<Candidate> {
    vec![
        cand(
            "T1",
            CandidateKind::Task,
            "创建回滚脚本 rollback-all.sh",
            None,
        ),
        cand(
            "T2",
            CandidateKind::Task,
            "Migrate payments to Stripe v3",
            None,
        ),
        cand(
            "C1",
            CandidateKind::Criterion,
            "代码覆盖率 ≥ 85%",
            Some("coverage.line_pct"),
        ),
        cand(
            "M1",
            CandidateKind::Metric,
            "Line coverage",
            Some("coverage.line_pct"),
        ),
        cand(
            "M2",
            CandidateKind::Metric,
            "High vulnerabilities",
            Some("vulns.high"),
        ),
        cand("C2", CandidateKind::Criterion, "文档完整性 ≥ 95%", None),
        cand(
            "M3",
            CandidateKind::Metric,
            "Mean latency",
            Some("latency.mean_ms"),
        ),
    ]
}

#[test]
fn a_figure_goes_to_the_criterion_recording_its_metric_before_the_bare_metric() {
    let claims = extract("- **代码覆盖率**: 90.4% (目标 85%)\n- Line coverage: 88.2%\n").unwrap();
    for c in &claims {
        let s = suggest(c, &milestone()).expect("a suggestion");
        assert_eq!(s.id, "C1", "{c:?} → {s:?}");
        assert_eq!(s.metric.as_deref(), Some("coverage.line_pct"));
        assert!(s.reason.contains("coverage.line_pct"), "{}", s.reason);
    }
    // without the criterion, the metric
    let only_metrics: Vec<Candidate> = milestone()
        .into_iter()
        .filter(|c| c.kind != CandidateKind::Criterion)
        .collect();
    assert_eq!(suggest(&claims[1], &only_metrics).unwrap().id, "M1");
}

#[test]
fn a_zero_vulnerability_claim_goes_to_the_vulnerability_metric_in_both_languages() {
    let claims =
        extract("- ✅ 无高危安全漏洞\n- 漏洞扫描: 0 个高危漏洞\n- Trivy: 0 high vulnerabilities\n")
            .unwrap();
    assert_eq!(claims.len(), 3, "{claims:#?}");
    for c in &claims {
        assert_eq!(c.value().map(|v| v.number), Some(0.0));
        assert_eq!(
            suggest(c, &milestone()).map(|s| s.id).as_deref(),
            Some("M2"),
            "{c:?}"
        );
    }
}

#[test]
fn a_latency_without_a_percentile_is_suggested_as_the_mean_and_says_so() {
    let claims =
        extract("| 指标 | 目标值 | 实际值 |\n|---|---|---|\n| API 响应时间 | < 200ms | 145ms |\n")
            .unwrap();
    let s = suggest(&claims[0], &milestone()).unwrap();
    assert_eq!(s.id, "M3");
    assert!(s.reason.contains("no percentile"), "{}", s.reason);
}

#[test]
fn a_figure_naming_no_metric_goes_to_the_most_similar_criterion() {
    let claims = extract("- **文档完整性**: 98%\n- **缓存命中率**: 93.7%\n").unwrap();
    let s = suggest(&claims[0], &milestone()).unwrap();
    assert_eq!((s.id.as_str(), s.metric.as_deref()), ("C2", None));
    assert!(s.similarity >= 0.5);
    assert_eq!(suggest(&claims[1], &milestone()), None);
}

#[test]
fn tasks_done_go_to_tasks_by_label_in_both_languages() {
    let report = "| 任务编号 | 任务描述 | 状态 | 完成时间 |\n|---|---|---|---|\n| M4-04 | 创建回滚脚本 | ✅ 完成 | 2025-11-02 19:30 |\n\n- [x] Migrate payments to the Stripe v3 API\n- [x] 整理会议纪要\n";
    let claims = extract(report).unwrap();
    let ids: Vec<Option<String>> = claims
        .iter()
        .map(|c| suggest(c, &milestone()).map(|s| s.id))
        .collect();
    assert_eq!(
        ids,
        vec![Some("T1".to_string()), Some("T2".to_string()), None],
        "{claims:#?}"
    );
}

#[test]
fn sign_offs_are_not_suggested() {
    let claims = extract("## 验收签字\n\n- 项目经理: ✅ 确认所有交付物完整\n").unwrap();
    assert!(matches!(claims[0].kind, ClaimKind::SignOff { .. }));
    assert_eq!(suggest(&claims[0], &milestone()), None);
}

#[test]
fn from_a_report_line_to_a_verdict() {
    let claims =
        extract("- 覆盖率: 90.40%\n- P95 延迟: 0.18s\n- 测试通过率: 92%\n- 高危漏洞: 0 个\n")
            .unwrap();
    let recorded = |metric: &str| match metric {
        "coverage.line_pct" => Some(90.4049),
        "latency.p95_ms" => Some(181.0),
        "tests.pass_rate" => Some(71.2),
        _ => None,
    };
    let verdicts: Vec<Verdict> = claims
        .iter()
        .map(|c| {
            let v = c.value().unwrap();
            let metric = metric_for(&c.subject, v.unit).unwrap();
            let r = recorded(metric).and_then(|r| recorded_in(metric, r, v.unit));
            judge(v, r)
        })
        .collect();
    assert_eq!(
        verdicts,
        vec![
            Verdict::Confirmed,                       // 90.40 at two decimals
            Verdict::Confirmed,                       // 181 ms is 0.18 s
            Verdict::Contradicted { recorded: 71.2 }, // 92% claimed
            Verdict::Unsupported,                     // nothing recorded
        ]
    );
    assert_eq!(claims[0].value().unwrap().decimals, 2);
}
