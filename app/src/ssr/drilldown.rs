//! The evidence drill-down: one stored file parsed again (the failing
//! tests, the least covered files, the findings) and compared with the
//! previous evidence of the same kind. Reads only; the rules of what is shown
//! and compared are in the `evidence` crate (`evidence::details`).

use super::auth::{project_for, Actor, Need};
use super::facts::{EvidenceRow, EVIDENCE_SELECT};
use super::AppState;
use crate::error::AppError;
use crate::t;
use evidence::details::{self, EvidenceDetails, Extract, PreviousEvidence};
use evidence::metrics::EvidenceKind;
use std::collections::BTreeMap;

/// The drill-down of one evidence file: its stored bytes parsed again (the
/// failing tests, the least covered files, the findings) and compared with
/// the previous evidence of the same kind — for the same criterion when it
/// is attached to one, else in the same milestone; "previous" by
/// (`effective_at`, id), the order that judges criteria. Members of its project.
pub async fn details(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<EvidenceDetails, AppError> {
    let row: EvidenceRow = sqlx::query_as(&format!("{EVIDENCE_SELECT} where e.id = $1"))
        .bind(id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or_else(|| AppError::NotFound(t!(evidence.errors.no_evidence, id = id)))?;
    project_for(&state.pool, actor, &row.project_code, Need::Read)
        .await
        .map_err(super::auth::hidden_as(t!(
            evidence.errors.no_evidence,
            id = id
        )))?;
    let before = "e.kind = $2 and (e.effective_at < $3 or (e.effective_at = $4 and e.id < $5))
        order by e.effective_at desc, e.id desc limit 1";
    let (scope_sql, scope) = match (&row.criterion_code, &row.milestone_code) {
        (Some(c), _) => (
            "e.criterion_id = $1",
            t!(evidence.scope.criterion, code = c),
        ),
        (None, Some(m)) => (
            "e.milestone_id = (select milestone_id from evidence where id = $1)",
            t!(evidence.scope.milestone, code = m),
        ),
        (None, None) => ("0 = $1", String::new()),
    };
    let previous: Option<EvidenceRow> =
        sqlx::query_as(&format!("{EVIDENCE_SELECT} where {scope_sql} and {before}"))
            .bind(row.criterion_id.unwrap_or(row.id))
            .bind(&row.kind)
            .bind(&row.effective_at)
            .bind(&row.effective_at)
            .bind(row.id)
            .fetch_optional(&state.pool)
            .await?;

    let mut out = EvidenceDetails {
        evidence_id: row.id,
        kind: row.kind.clone(),
        tests: None,
        coverage: None,
        findings: None,
        previous: None,
        comparison: None,
        problem: None,
    };
    let Some(kind) = EvidenceKind::parse(&row.kind).filter(|k| k.is_report()) else {
        return Ok(out);
    };
    let path = state.blobs.local_file(&row.sha256).await?;
    let prev_path = match previous.as_ref() {
        Some(p) => state.blobs.local_file(&p.sha256).await.ok(),
        None => None,
    };
    // both files are parsed off the async workers: they may be large
    let (current, before) = tokio::task::spawn_blocking(move || {
        let current = evidence::parse_path_detailed(&path, kind);
        let before = prev_path.and_then(|p| evidence::parse_path_detailed(&p, kind).ok());
        (current, before)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "drill-down parser task failed");
        AppError::Internal
    })?;
    let (parsed, extract) = match current {
        Ok(c) => c,
        Err(e) => {
            tracing::warn!(evidence = id, error = %e, "stored evidence no longer parses");
            // the parser's words stay as it wrote them
            out.problem = Some(t!(evidence.errors.not_reread, error = e.to_string()));
            return Ok(out);
        }
    };
    let before_extract: Option<(BTreeMap<String, f64>, Extract)> =
        before.map(|(p, x)| (p.metrics, x));
    let previous = previous.map(|p| PreviousEvidence {
        id: p.id,
        original_name: p.original_name,
        effective_at: p.effective_at,
        scope,
    });
    let mut out = details::details(
        row.id,
        &row.kind,
        details::Parsed {
            metrics: &parsed.metrics,
            extract: &extract,
        },
        previous
            .clone()
            .zip(before_extract.as_ref())
            .map(|(p, (m, x))| {
                (
                    p,
                    details::Parsed {
                        metrics: m,
                        extract: x,
                    },
                )
            }),
    );
    // a previous file that no longer reads is still named, without a comparison
    out.previous = previous;
    Ok(out)
}
