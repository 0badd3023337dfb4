//! Evidence: immutable files with their parsed metrics. An upload is streamed
//! into the blob store's temp area, parsed, and only then committed (blob
//! renamed into place, row inserted): a refused file leaves nothing behind.
//!
//! Size: one upload's whole validation (links, metadata, times, commit and CI
//! fields, the criterion it must speak to) reads top to bottom in
//! `store_upload`, each refusal in both languages, with its tests.

use super::audit::{self, Event};
use super::auth::{project_for, Actor, Need};
use super::blobs::Received;
use super::evidence_stream::Streamed;
use super::facts::{EvidenceRow, EVIDENCE_SELECT};
use super::scope::milestone_row;
use super::AppState;
use crate::domain::kinds::KindText;
use crate::domain::views::EvidenceView;
use crate::error::AppError;
use crate::t;
use evidence::metrics::EvidenceKind;
use serde_json::json;

/// One evidence file and where its bytes are, for a reader of its project.
pub async fn get(state: &AppState, actor: &Actor, id: i64) -> Result<EvidenceView, AppError> {
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
    Ok(row.to_view())
}

/// What came with an uploaded file.
#[derive(Clone, Debug, Default)]
pub struct UploadMeta {
    pub original_name: String,
    pub media_type: String,
    pub kind: Option<String>,
    pub milestone: Option<String>,
    pub criterion: Option<String>,
    pub task: Option<String>,
    pub item: Option<String>,
    pub effective_at: Option<String>,
    pub commit: Option<String>,
    pub ci_url: Option<String>,
}

/// The kind an upload asks for: None (or "auto") = detect from the content.
pub fn requested_kind(raw: Option<&str>) -> Result<Option<EvidenceKind>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None | Some("auto") => Ok(None),
        Some(k) => EvidenceKind::parse(k).map(Some).ok_or_else(|| {
            let all: Vec<&str> = EvidenceKind::REPORTS.iter().map(|k| k.as_str()).collect();
            AppError::invalid(
                "kind",
                t!(
                    evidence.errors.unknown_kind,
                    kind = format!("{k:?}"),
                    all = all.join(", ")
                ),
            )
        }),
    }
}

/// How far a client's `effective_at` may lie ahead of the server's clock.
pub const MAX_CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(5);

/// The earliest `effective_at` accepted (a guard against zeroed clocks).
const EARLIEST_EFFECTIVE: &str = "2000-01-01T00:00:00Z";

/// A client's `effective_at`, bounded: never later than the upload time plus
/// [`MAX_CLOCK_SKEW`] (a far-future date would outrank every later run and
/// pin a verdict forever), never before 2000.
pub fn bounded_effective_at(
    raw: &str,
    uploaded_at: chrono::DateTime<chrono::Utc>,
) -> Result<String, AppError> {
    let t = super::parse_time("effective_at", raw)?;
    let latest = super::fmt_time(uploaded_at + MAX_CLOCK_SKEW);
    if t > latest {
        return Err(AppError::invalid(
            "effective_at",
            t!(
                evidence.errors.effective_future,
                t = &t,
                minutes = MAX_CLOCK_SKEW.num_minutes(),
                latest = latest
            ),
        ));
    }
    if t.as_str() < EARLIEST_EFFECTIVE {
        return Err(AppError::invalid(
            "effective_at",
            t!(
                evidence.errors.effective_too_early,
                t = &t,
                earliest = EARLIEST_EFFECTIVE
            ),
        ));
    }
    Ok(t)
}

/// A report its parser refused (422): the parser's words, kept in English as
/// the `evidence` crate writes them, in a frame in the reader's language
/// ("该文件不是有效的 JUnit XML：…"). In English exactly the error's own
/// text (`JUnit XML: … at line 3`).
pub fn refused_report(e: &evidence::ParseError) -> AppError {
    let kind = e.kind.text(crate::i18n::lang());
    let detail = &e.message;
    AppError::Unprocessable(match e.line {
        Some(line) => t!(
            evidence.errors.not_valid_at,
            kind = kind,
            detail = detail,
            line = line
        ),
        None => t!(evidence.errors.not_valid, kind = kind, detail = detail),
    })
}

fn blank(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Validates the links and metadata, parses the received file (or takes the
/// verdict of the parse that ran while it arrived, when that was for the same
/// kind) and, only if all of that succeeds, stores it. PMs and engineers.
pub async fn store_upload(
    state: &AppState,
    actor: &Actor,
    project: &str,
    meta: UploadMeta,
    received: Received,
    streamed: Option<Streamed>,
) -> Result<EvidenceView, AppError> {
    let discard = received.discarder();
    let stored = store_received(state, actor, project, meta, received, streamed).await;
    if let (Err(_), Some(discard)) = (&stored, discard) {
        discard.run().await;
    }
    stored
}

async fn store_received(
    state: &AppState,
    actor: &Actor,
    project: &str,
    meta: UploadMeta,
    received: Received,
    streamed: Option<Streamed>,
) -> Result<EvidenceView, AppError> {
    let pool = &state.pool;
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let ms_code = blank(&meta.milestone)
        .ok_or_else(|| AppError::invalid("milestone", t!(evidence.errors.milestone_required)))?;
    let m = milestone_row(pool, &p, ms_code).await.map_err(|_| {
        AppError::invalid(
            "milestone",
            t!(
                evidence.errors.no_milestone,
                code = ms_code,
                project = &p.code
            ),
        )
    })?;
    // refused before a byte is parsed when the milestone is already closed;
    // decided again inside the write below
    super::milestones::ensure_open(&mut *pool.acquire().await?, &p, &m, &rights).await?;

    let criterion: Option<(i64, String, String)> = match blank(&meta.criterion) {
        None => None,
        Some(code) => Some(
            sqlx::query_as(
                "select id, code, metric from criteria where milestone_id = $1 and code = $2",
            )
            .bind(m.id)
            .bind(code.to_ascii_uppercase())
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "criterion",
                    t!(
                        evidence.errors.no_criterion,
                        code = code,
                        milestone = &m.code
                    ),
                )
            })?,
        ),
    };
    let criterion_id = criterion.as_ref().map(|c| c.0);
    let task_id = match blank(&meta.task) {
        None => None,
        Some(code) => Some(
            sqlx::query_scalar::<_, i64>(
                "select id from tasks where milestone_id = $1 and code = $2",
            )
            .bind(m.id)
            .bind(code.to_ascii_uppercase())
            .fetch_optional(pool)
            .await?
            .ok_or_else(|| {
                AppError::invalid(
                    "task",
                    t!(evidence.errors.no_task, code = code, milestone = &m.code),
                )
            })?,
        ),
    };
    let item_id = match blank(&meta.item) {
        None => None,
        Some(raw) => {
            let id: i64 = raw.parse().map_err(|_| {
                AppError::invalid(
                    "item",
                    t!(evidence.errors.item_not_number, raw = format!("{raw:?}")),
                )
            })?;
            Some(
                sqlx::query_scalar::<_, i64>(
                    "select i.id from checklist_items i join checklists c on c.id = i.checklist_id where i.id = $1 and c.milestone_id = $2",
                )
                .bind(id)
                .bind(m.id)
                .fetch_optional(pool)
                .await?
                .ok_or_else(|| AppError::invalid("item", t!(evidence.errors.no_item, id = id, milestone = &m.code)))?,
            )
        }
    };
    let kind = requested_kind(meta.kind.as_deref())?;
    let now = super::now();
    let effective_at = match blank(&meta.effective_at) {
        None => now.clone(),
        Some(t) => bounded_effective_at(t, chrono::Utc::now())?,
    };
    let commit = match blank(&meta.commit) {
        None => None,
        Some(c) if (7..=64).contains(&c.len()) && c.chars().all(|ch| ch.is_ascii_hexdigit()) => {
            Some(c.to_ascii_lowercase())
        }
        Some(c) => {
            return Err(AppError::invalid(
                "commit",
                t!(evidence.errors.bad_commit, raw = format!("{c:?}")),
            ))
        }
    };
    let ci_url = match blank(&meta.ci_url) {
        None => None,
        Some(u)
            if (u.starts_with("https://") || u.starts_with("http://"))
                && u.len() <= 2000
                && !u.contains(char::is_whitespace) =>
        {
            Some(u.to_string())
        }
        Some(u) => {
            return Err(AppError::invalid(
                "ci_url",
                t!(evidence.errors.bad_ci_url, raw = format!("{u:?}")),
            ))
        }
    };
    let name = meta.original_name.trim();
    let original_name = if name.is_empty() {
        "evidence".to_string()
    } else {
        name.chars().take(255).collect()
    };
    if received.size == 0 {
        return Err(AppError::invalid("file", t!(evidence.errors.empty_file)));
    }

    let parsed = match streamed {
        Some(s) if s.requested == kind => s.result,
        // the kind field came after the file, or nothing ran alongside
        _ => {
            let path = received.path.to_path_buf();
            tokio::task::spawn_blocking(move || evidence::parse_path(&path, kind))
                .await
                .map_err(|e| {
                    tracing::error!(error = %e, "parser task failed");
                    AppError::Internal
                })?
        }
    }
    .map_err(|e| refused_report(&e))?;

    // a file attached to a criterion must speak to it: accepted and then
    // ignored would look like evidence while judging nothing
    if let Some((_, code, metric)) = &criterion {
        if !parsed.metrics.contains_key(metric) {
            let yields: Vec<&str> = parsed.metrics.keys().map(String::as_str).collect();
            return Err(AppError::invalid(
                "criterion",
                t!(
                    evidence.errors.metric_not_yielded,
                    code = code,
                    metric = metric,
                    kind = parsed.kind.as_str(),
                    yields = if yields.is_empty() {
                        t!(evidence.errors.no_metrics)
                    } else {
                        yields.join(", ")
                    }
                ),
            ));
        }
    }
    let sha256 = received.sha256.clone();
    let size = received.size as i64;
    state.blobs.commit(received).await?;
    let metrics_json = serde_json::to_string(&parsed.metrics).map_err(|_| AppError::Internal)?;
    let warnings_json = serde_json::to_string(&parsed.warnings).map_err(|_| AppError::Internal)?;
    let media_type = if meta.media_type.trim().is_empty() {
        "application/octet-stream".to_string()
    } else {
        meta.media_type.trim().to_string()
    };

    let mut tx = super::db::write(pool).await?;
    super::milestones::ensure_open(&mut tx, &p, &m, &rights).await?;
    let id = sqlx::query_scalar::<_, i64>(
        "insert into evidence (project_id, milestone_id, task_id, item_id, criterion_id, sha256, size_bytes, media_type, original_name,
            kind, metrics_json, warnings_json, uploaded_by, uploaded_at, effective_at, commit_sha, ci_url, subject_json)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) returning id",
    )
    .bind(p.id)
    .bind(m.id)
    .bind(task_id)
    .bind(item_id)
    .bind(criterion_id)
    .bind(&sha256)
    .bind(size)
    .bind(&media_type)
    .bind(&original_name)
    .bind(parsed.kind.as_str())
    .bind(&metrics_json)
    .bind(&warnings_json)
    .bind(actor.id)
    .bind(&now)
    .bind(&effective_at)
    .bind(&commit)
    .bind(&ci_url)
    .bind(
        parsed
            .subject
            .as_ref()
            .map(|s| serde_json::to_string(s).unwrap_or_default()),
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::new("evidence.add", format!("#{id} {original_name}")).by(actor.id).in_project(p.id).on_milestone(m.id).after(json!({"sha256": sha256, "kind": parsed.kind.as_str(), "metrics": parsed.metrics, "size": size})),
    )
    .await?;
    tx.commit().await?;
    let row: EvidenceRow = sqlx::query_as(&format!("{EVIDENCE_SELECT} where e.id = $1"))
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(row.to_view())
}

/// Withdraws an evidence file with a reason. PMs and engineers of its
/// project. The file stays listed and hashed, but no longer counts for
/// verdicts, task and item evidence, or new certificates. A file of a
/// signed-off or certified milestone needs the milestone reopened first.
/// Decided inside the write transaction that records it: of two withdrawals
/// one succeeds, the other gets 409.
pub async fn withdraw(
    state: &AppState,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<EvidenceView, AppError> {
    let pool = &state.pool;
    let row: EvidenceRow = sqlx::query_as(&format!("{EVIDENCE_SELECT} where e.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| AppError::NotFound(t!(evidence.errors.no_evidence, id = id)))?;
    let (p, rights) = project_for(pool, actor, &row.project_code, Need::Work)
        .await
        .map_err(super::auth::hidden_as(t!(
            evidence.errors.no_evidence,
            id = id
        )))?;
    let reason = crate::domain::codes::required_text("reason", reason, 1000)?;
    let mut tx = super::db::write(pool).await?;
    let done: Option<(String, String)> = sqlx::query_as(
        "select w.withdrawn_at, u.username from evidence_withdrawals w join users u on u.id = w.withdrawn_by where w.evidence_id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((at, by)) = done {
        return Err(AppError::Conflict(t!(
            evidence.errors.already_withdrawn,
            id = id,
            at = at,
            by = by
        )));
    }
    if let Some(code) = &row.milestone_code {
        let m = super::scope::milestone_row_in(&mut tx, &p, code).await?;
        super::milestones::ensure_open(&mut tx, &p, &m, &rights).await?;
    }
    let now = super::now();
    sqlx::query("insert into evidence_withdrawals (evidence_id, withdrawn_by, withdrawn_at, reason) values ($1, $2, $3, $4)")
        .bind(id)
        .bind(actor.id)
        .bind(&now)
        .bind(&reason)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        Event {
            actor_id: Some(actor.id),
            project_id: Some(p.id),
            milestone_id: row.milestone_id,
            action: "evidence.withdraw",
            subject: format!("#{id} {}", row.original_name),
            before: Some(json!({"counts": true})),
            after: Some(json!({"counts": false, "reason": reason, "sha256": row.sha256})),
        },
    )
    .await?;
    tx.commit().await?;
    let row: EvidenceRow = sqlx::query_as(&format!("{EVIDENCE_SELECT} where e.id = $1"))
        .bind(id)
        .fetch_one(pool)
        .await?;
    Ok(row.to_view())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::parse_from_rfc3339(s).unwrap().into()
    }

    #[test]
    fn effective_at_may_lead_the_upload_by_the_clock_skew_only() {
        let up = at("2026-12-02T10:00:00Z");
        assert_eq!(
            bounded_effective_at("2026-12-02T10:05:00Z", up).unwrap(),
            "2026-12-02T10:05:00Z"
        );
        assert_eq!(
            bounded_effective_at("2026-12-02T12:00:00+02:00", up).unwrap(),
            "2026-12-02T10:00:00Z",
            "offsets are normalised before comparing"
        );
        let err = bounded_effective_at("2026-12-02T10:05:01Z", up).unwrap_err();
        assert_eq!(err.status(), 422);
        assert!(
            err.to_string()
                .contains("2026-12-02T10:05:00Z at the latest"),
            "{err}"
        );
        assert!(bounded_effective_at("9999-12-31T23:59:59Z", up).is_err());
    }

    /// `f` as a reader of `locale` would have it run.
    fn read_in<T>(locale: crate::i18n::Locale, f: impl FnOnce() -> T) -> T {
        use leptos::prelude::{provide_context, Owner};
        Owner::new().with(|| {
            provide_context(crate::i18n::Lang(locale));
            f()
        })
    }

    #[test]
    fn a_refused_report_keeps_the_parsers_words_in_a_frame_in_the_readers_language() {
        use crate::i18n::Locale;
        let at_line = evidence::ParseError::new(EvidenceKind::Junit, "unclosed tag", Some(3));
        let anywhere = evidence::ParseError::new(EvidenceKind::Zap, "no alerts", None);
        for e in [&at_line, &anywhere] {
            assert_eq!(
                read_in(Locale::en, || refused_report(e)),
                AppError::Unprocessable(e.to_string()),
                "English is the parser's own text"
            );
        }
        assert_eq!(
            read_in(Locale::zh_Hans, || refused_report(&at_line)).to_string(),
            "该文件不是有效的 JUnit XML：unclosed tag（第 3 行）"
        );
        assert_eq!(
            read_in(Locale::zh_Hans, || refused_report(&anywhere)).to_string(),
            "该文件不是有效的 OWASP ZAP 报告：no alerts"
        );
    }

    #[test]
    fn effective_at_before_2000_is_refused() {
        let up = at("2026-12-02T10:00:00Z");
        assert!(bounded_effective_at("1999-12-31T23:59:59Z", up).is_err());
        assert!(bounded_effective_at("2000-01-01T00:00:00Z", up).is_ok());
    }
}
