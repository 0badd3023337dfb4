//! One small report per rule of the crate README ("What a claim is"), so each
//! rule can be read, and broken, on its own.

use claims::{extract, Claim, ClaimKind, Cmp, Unit};

fn figures(md: &str) -> Vec<(usize, String, String)> {
    extract(md)
        .unwrap()
        .iter()
        .filter_map(|c| Some((c.line, c.subject.clone(), c.value()?.to_string())))
        .collect()
}

fn all(md: &str) -> Vec<Claim> {
    extract(md).unwrap()
}

fn f(line: usize, subject: &str, value: &str) -> (usize, String, String) {
    (line, subject.to_string(), value.to_string())
}

#[test]
fn headings_give_context_but_claim_nothing() {
    let claims = all("## 性能指标 (100%达成)\n\n- P99延迟: 201ms\n");
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].section.as_deref(), Some("性能指标 (100%达成)"));
    assert_eq!(claims[0].line, 3);
}

#[test]
fn tagged_code_is_code_but_an_untagged_block_is_read() {
    let md = "```bash\n# coverage: 90%\n```\n\n```\n里程碑进度: ████ 100%\n```\n";
    assert_eq!(figures(md), vec![f(6, "里程碑进度", "100%")]);
    assert!(figures("    覆盖率: 90%\n").is_empty(), "indented code");
    assert!(figures("- 版本 `v 90%`\n").is_empty(), "inline code");
}

#[test]
fn dates_versions_and_identifiers_are_masked() {
    let md = "- **完成时间**: 2025-11-02 18:00\n- **版本**: v1.2.3\n- **证书编号**: WM-M4-20251102-001\n- 第1阶段: 完成\n";
    assert!(figures(md).is_empty(), "{:?}", figures(md));
}

#[test]
fn to_dos_claim_nothing() {
    let md = "- [ ] CPU 使用率 < 70%\n  - 内存 80%\n- ⚠️ 单元测试（0% → 60%）\n- [x] 覆盖率 91%\n";
    assert_eq!(figures(md), vec![f(4, "覆盖率", "91%")]);
}

#[test]
fn plans_and_their_lead_ins_claim_nothing() {
    let md = "## 后续计划\n\n- 覆盖率提升到 80%\n\n## 结果\n\n**建议**:\n- 灰度发布10%用户\n\n**已完成**:\n- 覆盖率 75%\n";
    assert_eq!(figures(md), vec![f(11, "覆盖率", "75%")]);
    assert!(figures("# Release plan\n\n- coverage 90%\n").is_empty());
    assert!(figures("- **预计执行时间**: 5分钟\n- **目标**: 覆盖率≥60%\n").is_empty());
}

#[test]
fn ranges_old_values_sizes_limits_and_lone_targets_claim_nothing() {
    let md = "- 执行时间 5-10分钟\n- 评分: 5.0/10 → 9.0/10\n- rollback.sh (567 行)\n- ✅ 自动重连（最多10次）\n- ✅ 并发用户测试（目标300）\n";
    assert_eq!(figures(md), vec![f(2, "评分", "9.0/10")]);
}

#[test]
fn bare_numbers_count_only_in_tables_and_at_the_start_of_a_labelled_value() {
    let md = "- 质量提升: 94 → 98 (+4)\n- 升级到 Vue 3\n- Co-Authored-By: Claude 4.5\n- 服务: localhost:3001\n";
    assert_eq!(figures(md), vec![f(1, "质量提升", "98")]);
    let ports = "| 组件 | 端口 |\n|---|---|\n| API | 8080 |\n| DB | 5432 |\n";
    assert!(figures(ports).is_empty());
    let counts = "| 阶段 | 用例数 | 结果 |\n|---|---|---|\n| 单元 | 20 | 20/20 ✅ |\n";
    assert_eq!(
        figures(counts),
        vec![f(3, "单元 用例数", "20"), f(3, "单元", "20/20")]
    );
}

#[test]
fn durations_are_claims_when_measured_not_when_configured() {
    let md = "- P99=201ms\n- 总耗时: 3小时\n- 18天完成平台开发\n- 心跳机制（30秒间隔）\n- 超时从30s调整为5s\n- 日志轮转（30天保留）\n- 回滚流程: < 15分钟完成恢复\n";
    assert_eq!(
        figures(md),
        vec![
            f(1, "P99", "201 ms"),
            f(2, "总耗时", "3 h"),
            f(3, "完成平台开发", "18 d"),
            f(7, "回滚流程 完成恢复", "<15 min"),
        ]
    );
}

#[test]
fn none_of_a_counted_metric_is_zero() {
    let md = "- ✅ 无高危安全漏洞\n- ✅ 无严重代码异味\n- ✅ 零停机部署\n- No critical vulnerabilities\n";
    assert_eq!(
        figures(md),
        vec![
            f(1, "高危安全漏洞", "0"),
            f(4, "critical vulnerabilities", "0")
        ]
    );
    let claims = all(md);
    assert!(matches!(claims[1].kind, ClaimKind::TaskDone { .. }));
}

#[test]
fn a_target_beside_a_figure_is_its_target() {
    let claims = all("- **代码覆盖率**: 90.4% (目标 85%)\n- Coverage 92% (target: 90%)\n");
    let targets: Vec<_> = claims
        .iter()
        .map(|c| (c.value().unwrap().number, c.kind.target().map(|t| t.number)))
        .collect();
    assert_eq!(targets, vec![(90.4, Some(85.0)), (92.0, Some(90.0))]);
    assert!(matches!(claims[1].kind, ClaimKind::Metric { .. }));
}

#[test]
fn bounds_are_kept_with_the_figure() {
    let claims = all("- 吞吐量: 1000+/s\n- 覆盖率: >95%\n- ✅ 代码覆盖率超过 90%\n- 在 18 天内成功交付\n- 耗时 ~11秒\n");
    let cmps: Vec<Cmp> = claims.iter().map(|c| c.value().unwrap().cmp).collect();
    assert_eq!(cmps, vec![Cmp::Ge, Cmp::Gt, Cmp::Gt, Cmp::Le, Cmp::Approx]);
}

#[test]
fn a_figure_in_brackets_takes_the_words_before_them() {
    let md = "- ✅ 8个阻断级问题（100%修复）\n- **测试文档** (6份):\n- MySQL数据库（45个表）\n";
    assert_eq!(
        figures(md),
        vec![
            f(1, "阻断级问题", "8"),
            f(1, "阻断级问题 修复", "100%"),
            f(2, "测试文档", "6"),
            f(3, "MySQL数据库 表", "45"),
        ]
    );
}

#[test]
fn task_tables_give_tasks_done_with_their_time() {
    let md = "| 任务编号 | 任务描述 | 状态 | 完成时间 |\n|---|---|---|---|\n| M4-01 | 生成报告 | ✅ 完成 | 2025-11-02 18:00 |\n| M4-02 | 回滚脚本 | 进行中 | |\n| M4-03 | 部署手册 | 未完成 | 2025-11-03 |\n";
    let tasks: Vec<(usize, String, Option<String>)> = all(md)
        .into_iter()
        .filter_map(|c| match c.kind {
            ClaimKind::TaskDone { at } => Some((c.line, c.subject, at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        tasks,
        vec![(
            3,
            "生成报告".to_string(),
            Some("2025-11-02T18:00".to_string())
        )]
    );
}

#[test]
fn sign_offs_are_read_in_sign_off_sections_only() {
    let md = "## 稳定性验证\n\n- 7x24小时压力测试: ✅ 通过\n\n## ✅ 验收签字\n\n```\n部署负责人验收:   ✅ APPROVED\n验收人:           MT5-CRS Team\n\nQA: APPROVED\n```\n";
    let claims = all(md);
    let kinds: Vec<(usize, &str)> = claims.iter().map(|c| (c.line, c.kind.name())).collect();
    assert_eq!(
        kinds,
        vec![(3, "task_done"), (8, "sign_off"), (11, "sign_off")]
    );
    let ClaimKind::SignOff { role, who, verdict } = &claims[1].kind else {
        unreachable!()
    };
    assert_eq!(
        (role.as_deref(), who.as_deref(), verdict.as_str()),
        (Some("部署负责人"), Some("MT5-CRS Team"), "APPROVED")
    );
    let ClaimKind::SignOff { who, .. } = &claims[2].kind else {
        unreachable!()
    };
    assert_eq!(who, &None, "the who-line is in the other block");
}

#[test]
fn decimals_are_the_digits_written() {
    let claims = all("- 耗时: 1.80秒\n- b: 90%\n- c: 10.0/10\n- d: 2,400个\n");
    let d: Vec<(f64, u8, Unit)> = claims
        .iter()
        .map(|c| {
            let v = c.value().unwrap();
            (v.number, v.decimals, v.unit)
        })
        .collect();
    assert_eq!(
        d,
        vec![
            (1.8, 2, Unit::Seconds),
            (90.0, 0, Unit::Percent),
            (10.0, 1, Unit::Score { out_of: 10 }),
            (2400.0, 0, Unit::Count),
        ]
    );
}
