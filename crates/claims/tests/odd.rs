//! Odd input: nothing, too much, binary, NULs, CRLF, broken tables, deep
//! nesting, and a sweep of generated documents — never a panic, always within
//! the limits, every claim pointing at a real line.

use claims::{
    extract, Claim, ClaimKind, ExtractError, MAX_CLAIMS, MAX_INPUT_BYTES, MAX_TEXT_CHARS,
};

const SEED_000: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/seeds/000_d1a8c5fed38b193c.txt"
);

/// The invariants every extraction keeps.
fn sane(input: &str, claims: &[Claim]) {
    let lines = input.split('\n').count().max(1);
    for c in claims {
        assert!(
            c.line >= 1 && c.line <= lines,
            "line {} of {lines}: {c:?}",
            c.line
        );
        assert!(c.text.chars().count() <= MAX_TEXT_CHARS);
        assert!(c.subject.chars().count() <= MAX_TEXT_CHARS);
        if let Some(v) = c.value() {
            assert!(v.number.is_finite(), "{c:?}");
        }
    }
    assert!(claims.len() <= MAX_CLAIMS);
}

fn run(input: &str) -> Vec<Claim> {
    match extract(input) {
        Ok(claims) => {
            sane(input, &claims);
            claims
        }
        Err(ExtractError::TooManyClaims { .. }) => Vec::new(),
        Err(e) => panic!("{e}"),
    }
}

/// A small deterministic generator (no dependency needed for a sweep).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() as usize) % from.len()]
    }
}

#[test]
fn an_empty_report_has_no_claims() {
    assert_eq!(extract(""), Ok(Vec::new()));
    assert_eq!(extract("   \n\n\t\n"), Ok(Vec::new()));
    assert_eq!(extract("# 只有标题"), Ok(Vec::new()));
}

#[test]
fn input_over_one_mebibyte_is_refused() {
    let big = "a".repeat(MAX_INPUT_BYTES + 1);
    assert_eq!(
        extract(&big),
        Err(ExtractError::TooLarge {
            bytes: MAX_INPUT_BYTES + 1,
            limit: MAX_INPUT_BYTES
        })
    );
    let exactly = "a".repeat(MAX_INPUT_BYTES);
    assert_eq!(extract(&exactly), Ok(Vec::new()));
}

#[test]
fn a_megabyte_of_prose_is_read() {
    let para = "本报告汇总了集成里程碑的执行结果，详细记录了每个阶段的成就和挑战。\n\n";
    let input = para.repeat(1_000_000 / para.len());
    assert!(input.len() <= MAX_INPUT_BYTES && input.len() > 900_000);
    assert_eq!(extract(&input), Ok(Vec::new()));
}

#[test]
fn a_megabyte_of_figures_is_refused_past_the_claim_limit() {
    let input = "- 覆盖率: 90%\n".repeat(1_000_000 / 18);
    assert!(input.len() <= MAX_INPUT_BYTES);
    assert_eq!(
        extract(&input),
        Err(ExtractError::TooManyClaims { limit: MAX_CLAIMS })
    );
    // and up to the limit they are all there
    let some = "- 覆盖率: 90%\n".repeat(MAX_CLAIMS);
    assert_eq!(extract(&some).map(|c| c.len()), Ok(MAX_CLAIMS));
}

#[test]
fn one_huge_line_of_figures_stays_within_the_limits() {
    let input = "✅ 1% ".repeat(MAX_INPUT_BYTES / 8);
    run(&input);
    let input = format!("- 状态: {}", "9".repeat(500_000));
    assert!(run(&input).is_empty());
    let input = format!("- 覆盖率: {}%", "((((".repeat(100_000));
    run(&input);
}

#[test]
fn binary_junk_never_panics() {
    let mut g = Lcg(7);
    for _ in 0..50 {
        let bytes: Vec<u8> = (0..20_000).map(|_| g.next() as u8).collect();
        run(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn nul_bytes_are_read_around() {
    let claims = run("- **代码覆盖率**\0: 90.4%\0 (目标 85%)\n\0\0\n| 指标\0 | 实际 |\n|---|---|\n| 覆盖率 | 9\u{0}0% |\n");
    assert!(
        claims
            .iter()
            .any(|c| c.line == 1 && c.value().map(|v| v.number) == Some(90.4)),
        "{claims:#?}"
    );
}

#[test]
fn crlf_line_ends_give_the_same_claims() {
    let lf = std::fs::read_to_string(SEED_000).unwrap();
    let crlf = lf.replace('\n', "\r\n");
    let a = extract(&lf).unwrap();
    let b = extract(&crlf).unwrap();
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(
            (x.line, &x.subject, &x.kind, &x.text),
            (y.line, &y.subject, &y.kind, &y.text)
        );
    }
    // a lone CR is not a line end for Markdown either, and must not panic
    run(&lf.replace('\n', "\r"));
}

#[test]
fn broken_tables_never_panic() {
    for input in [
        "| 指标 | 目标 | 实际 |\n|---|---|---|\n| 覆盖率 | 85%",
        "| 指标 | 目标 | 实际 |\n|---|---|---|\n| 覆盖率 | 85% | 90% | 99% | 1% |\n| x |",
        "| 指标 | 目标 | 实际 |\n|---|---|---|",
        "| 指标 | 目标 | 实际 |\n| 覆盖率 | 85% | 90% |",
        "|---|---|\n| 覆盖率 | 90% |",
        "| | |\n|-|-|\n| | |",
        "| 任务 | 状态 | 完成时间 |\n|--|--|--|\n| | ✅ | 2025-13-45 99:99 |",
    ] {
        run(input);
    }
    // a table cut short still gives its complete rows
    let claims =
        run("| 指标 | 目标 | 实际 |\n|---|---|---|\n| 覆盖率 | 85% | 90% |\n| 通过率 | 100%");
    assert!(claims.iter().any(|c| c.subject == "覆盖率"), "{claims:#?}");
    let wide = format!("| a | 实际 |\n|---|---|\n{}\n", "| x | 1% ".repeat(10_000));
    run(&wide);
}

#[test]
fn deep_nesting_never_panics() {
    run(&format!("{} 覆盖率: 90%", ">".repeat(5_000)));
    let mut list = String::new();
    for i in 0..900 {
        list.push_str(&" ".repeat(i * 2));
        list.push_str("- ✅ 覆盖率: 90%\n");
    }
    assert!(list.len() <= MAX_INPUT_BYTES);
    run(&list);
    run(&format!(
        "{}覆盖率 90%{}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    ));
    run(&"```\n".repeat(10_000));
}

#[test]
fn generated_documents_never_panic() {
    const PIECES: &[&str] = &[
        "覆盖率",
        "测试",
        "P95",
        "延迟",
        "高危漏洞",
        "任务",
        "状态",
        "目标",
        "实际",
        "无",
        "从",
        "提升到",
        "coverage",
        "latency",
        "no",
        "from",
        "to",
        "of",
        "Approved",
        "验收",
        "计划",
        "0",
        "1",
        "12",
        "90.4",
        "1,000",
        "99.9",
        "2025-11-02",
        "18:00",
        "v1.2.3",
        "%",
        "ms",
        "s",
        "秒",
        "分钟",
        "小时",
        "天",
        "个",
        "项",
        "行",
        "/",
        "+",
        "-",
        "~",
        "<",
        "≥",
        "×",
        "x",
        "→",
        ":",
        "：",
        "，",
        "(",
        ")",
        "（",
        "）",
        "|",
        "\n",
        "\n\n",
        " ",
        "  ",
        "# ",
        "## ",
        "- ",
        "- [ ] ",
        "- [x] ",
        "1. ",
        "> ",
        "**",
        "`",
        "```",
        "```bash",
        "|---|---|",
        "✅",
        "⚠️",
        "🔴",
        "█",
        "║",
        "\0",
        "\r\n",
        "\u{FEFF}",
        "é",
        "Ａ",
    ];
    let mut g = Lcg(42);
    for _ in 0..3_000 {
        let n = 1 + (g.next() % 60) as usize;
        let doc: String = (0..n).map(|_| g.pick(PIECES)).collect();
        run(&doc);
    }
}

#[test]
fn claims_serialise_and_read_back_unchanged() {
    let source = std::fs::read_to_string(SEED_000).unwrap();
    let claims = extract(&source).unwrap();
    let json = serde_json::to_string(&claims).unwrap();
    let back: Vec<Claim> = serde_json::from_str(&json).unwrap();
    assert_eq!(claims, back);
    // the shape the app stores
    let one = serde_json::to_value(claims.iter().find(|c| c.line == 114).unwrap()).unwrap();
    assert_eq!(one["kind"]["type"], "metric");
    assert_eq!(one["kind"]["actual"]["unit"], "percent");
    assert_eq!(one["kind"]["actual"]["decimals"], 1);
    assert_eq!(one["kind"]["target"]["number"], 85.0);
    let task = claims
        .iter()
        .find(|c| matches!(c.kind, ClaimKind::TaskDone { .. }))
        .unwrap();
    let t = serde_json::to_value(task).unwrap();
    assert_eq!(
        t["kind"],
        serde_json::json!({"type": "task_done", "at": "2025-11-02T18:00"})
    );
    let err = serde_json::to_value(ExtractError::TooManyClaims { limit: 1 }).unwrap();
    assert_eq!(
        err,
        serde_json::json!({"error": "too_many_claims", "limit": 1})
    );
}
