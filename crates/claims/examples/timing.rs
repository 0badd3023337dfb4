//! Times extraction of adversarial 1 MB inputs (a check, not a benchmark).
use std::time::Instant;
fn main() {
    let cases: Vec<(&str, String)> = vec![
        (
            "one line of figures",
            "✅ 1% ".repeat(claims::MAX_INPUT_BYTES / 8),
        ),
        ("500k digits", format!("- 状态: {}", "9".repeat(500_000))),
        ("brackets", format!("- 覆盖率: {}%", "((((".repeat(100_000))),
        ("lines of figures", "- 覆盖率: 90%\n".repeat(1_000_000 / 18)),
        (
            "prose",
            "本报告汇总了集成里程碑的执行结果，详细记录了每个阶段的成就和挑战。\n\n".repeat(9_000),
        ),
    ];
    for (name, input) in cases {
        let t = Instant::now();
        let r = claims::extract(&input);
        println!(
            "{name:>20}: {:>8.1} ms  {} bytes  {:?}",
            t.elapsed().as_secs_f64() * 1e3,
            input.len(),
            r.map(|c| c.len()).map_err(|e| e.to_string())
        );
    }
}
