//! A claims audit as a Markdown document: the source (name and SHA-256),
//! the milestone, when; a row per claim with what it maps to, its verdict,
//! the recorded value and the evidence (id and SHA-256); then the counts.

use crate::domain::audits::*;
use crate::i18n::Locale;

/// The document [`super::export_markdown`] answers.
pub fn markdown(a: &AuditView, locale: Locale) -> String {
    use crate::tl;
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = String::new();
    out.push_str(&format!(
        "# {}: {}\n\n",
        tl!(locale, audit.export.heading),
        cell(&a.title)
    ));
    out.push_str(&format!(
        "- {}: `{}` (SHA-256 `{}`)\n",
        tl!(locale, audit.export.source),
        a.source_name.replace('`', "'"),
        a.source_sha256
    ));
    out.push_str(&format!(
        "- {}: {} {} {}\n",
        tl!(locale, audit.export.milestone),
        a.project,
        a.milestone,
        cell(&a.milestone_title)
    ));
    out.push_str(&format!(
        "- {}: {} ({})\n",
        tl!(locale, audit.export.created),
        a.created_at,
        a.created_by
    ));
    out.push_str(&format!(
        "- {}: {}\n\n",
        tl!(locale, audit.export.judged),
        a.judged_at
    ));
    out.push_str(&format!(
        "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|\n",
        tl!(locale, audit.column.line),
        tl!(locale, audit.column.claim),
        tl!(locale, audit.column.maps_to),
        tl!(locale, audit.column.verdict),
        tl!(locale, audit.column.recorded),
        tl!(locale, audit.column.evidence),
    ));
    for c in &a.claims {
        let maps_to = match (&c.target_label, c.mapping.status) {
            (None, _) => tl!(locale, audit.export.none),
            (Some(l), MappingStatus::Confirmed) => l.clone(),
            (Some(l), MappingStatus::Suggested) => {
                format!("{l} ({})", tl!(locale, audit.mapping.suggested))
            }
        };
        let evidence = match (&c.verdict.evidence_id, &c.verdict.evidence_sha256) {
            (Some(id), Some(sha)) => format!("#{id} `{sha}`"),
            (Some(id), None) => format!("#{id}"),
            _ => "—".to_string(),
        };
        out.push_str(&format!(
            "| {} | {} | {} | **{}**: {} | {} | {} |\n",
            c.line,
            cell(&c.text),
            cell(&maps_to),
            c.verdict.outcome.text(locale),
            cell(&c.verdict_text(locale)),
            c.verdict.recorded.as_deref().unwrap_or("—"),
            evidence
        ));
    }
    out.push_str(&format!(
        "\n{}: {} · {}: {} · {}: {}\n",
        Outcome::Confirmed.text(locale),
        a.counts.confirmed,
        Outcome::Contradicted.text(locale),
        a.counts.contradicted,
        Outcome::Unsupported.text(locale),
        a.counts.unsupported
    ));
    out
}
