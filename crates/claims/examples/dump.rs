//! Prints the claims of a Markdown report, one a line: `cargo run -p attest-claims --example dump -- report.md`.

use claims::{extract, metric_for, ClaimKind};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: dump <report.md>");
        std::process::exit(2);
    };
    let source = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    let claims = match extract(&source) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    };
    for c in &claims {
        let what = match &c.kind {
            ClaimKind::Metric { target, actual } => format!(
                "metric {actual}{}",
                target
                    .as_ref()
                    .map(|t| format!(" (target {t})"))
                    .unwrap_or_default()
            ),
            ClaimKind::TaskDone { at } => format!(
                "done{}",
                at.as_ref().map(|a| format!(" at {a}")).unwrap_or_default()
            ),
            ClaimKind::SignOff { role, who, verdict } => {
                format!("sign-off {role:?} {who:?} {verdict}")
            }
            k => format!(
                "{} {}",
                k.name(),
                k.value().map(|v| v.to_string()).unwrap_or_default()
            ),
        };
        let metric = c
            .value()
            .and_then(|v| metric_for(&c.subject, v.unit))
            .unwrap_or("");
        println!("{:>4}  {:<40}  {what}  {metric}", c.line, c.subject);
    }
}
