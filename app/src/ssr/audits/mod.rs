//! Claims audits: a hand-written Markdown report read against one
//! milestone's records. Creating one (PMs and engineers) extracts its claims
//! with `attest-claims`, suggests the record each is about and stores both
//! with the source; a member confirms or changes a claim's mapping against
//! the audit's version (a stale version is refused inside the write, 409).
//! Reading one judges every claim against the milestone as it is now, through
//! the same derivation as its page (`milestones::view`): a figure against the
//! deciding evidence's number (`claims::judge`, at the report's precision), a
//! task done against the task, a sign-off against the role's approval. The
//! Markdown export is the judged view as a document.

mod judge;
mod markdown;

pub use markdown::markdown;

use crate::domain::audits::*;
use crate::domain::views::MilestoneView;
use crate::error::AppError;
use crate::i18n::Locale;
use crate::ssr::audit::{self, Event};
use crate::ssr::auth::{Actor, Need};
use crate::ssr::db;
use crate::ssr::milestones::{self, build_view};
use crate::ssr::scope::{milestone_for, milestone_row_in, project_for};
use crate::t;
use claims::Claim;
use judge::{candidates, claimed, judge, suggested, targets};
use serde_json::json;
use sha2::{Digest, Sha256};
use sqlx::AnyPool;

/// A report larger than this is refused (413): `claims::MAX_INPUT_BYTES`, 1 MiB.
pub const MAX_REPORT_BYTES: usize = claims::MAX_INPUT_BYTES;
/// A title is at most this many characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// A source file name is kept to this many characters.
const MAX_NAME_CHARS: usize = 200;

/// A report as it arrives: its bytes, and the title and file name it came with.
#[derive(Clone, Debug, Default)]
pub struct NewAudit<'a> {
    pub title: Option<&'a str>,
    pub name: Option<&'a str>,
    pub bytes: &'a [u8],
}

/// The report's text, or why it is not read: over `claims::MAX_INPUT_BYTES`
/// (413), not UTF-8 or holding NUL bytes (422: not a text Markdown report),
/// empty (422).
pub fn source_text(bytes: &[u8]) -> Result<&str, AppError> {
    if bytes.len() > MAX_REPORT_BYTES {
        return Err(too_large());
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| AppError::Unprocessable(t!(audit.errors.not_utf8, error = e)))?;
    if text.contains('\0') {
        return Err(AppError::Unprocessable(t!(audit.errors.nul_bytes)));
    }
    if text.trim().is_empty() {
        return Err(AppError::invalid("text", t!(audit.errors.empty)));
    }
    Ok(text)
}

/// What a report over [`MAX_REPORT_BYTES`] is told.
pub fn too_large() -> AppError {
    AppError::TooLarge(t!(audit.errors.too_large, max = MAX_REPORT_BYTES))
}

/// Creates an audit of a report on a milestone: its claims extracted, each
/// with a suggested mapping. PMs and engineers of the project. Every
/// refusal comes before anything is written.
pub async fn create(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    new: NewAudit<'_>,
) -> Result<i64, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let text = source_text(new.bytes)?;
    let name = new
        .name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or("pasted.md");
    let name: String = name
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME_CHARS)
        .collect();
    let title = match new.title.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > MAX_TITLE_CHARS => {
            return Err(AppError::invalid(
                "title",
                t!(audit.errors.title_too_long, max = MAX_TITLE_CHARS),
            ))
        }
        Some(t) => t.to_string(),
        None => name.clone(),
    };
    let found = claims::extract(text).map_err(|e| match e {
        claims::ExtractError::TooLarge { bytes, limit } => AppError::TooLarge(t!(
            audit.errors.extract_too_large,
            bytes = bytes,
            limit = limit
        )),
        claims::ExtractError::TooManyClaims { limit } => {
            AppError::Unprocessable(t!(audit.errors.too_many_claims, limit = limit))
        }
    })?;
    let sha = hex::encode(Sha256::digest(new.bytes));
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let v = build_view(&mut tx, &p, &m, rights).await?;
    let candidates = candidates(&v);
    let mapping: Vec<Mapping> = found
        .iter()
        .map(|c| suggested(c, &candidates, &v))
        .collect();
    let id = sqlx::query_scalar::<_, i64>(
        "insert into claim_audits (milestone_id, created_by, created_at, title, source_name, source_sha256, source_text, claims_json, mapping_json)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id",
    )
    .bind(m.id)
    .bind(actor.id)
    .bind(crate::ssr::now())
    .bind(&title)
    .bind(&name)
    .bind(&sha)
    .bind(text)
    .bind(serde_json::to_string(&found).map_err(internal)?)
    .bind(serde_json::to_string(&mapping).map_err(internal)?)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        Event::new("claims_audit.create", format!("#{id} {title}"))
            .by(actor.id)
            .in_project(p.id)
            .on_milestone(m.id)
            .after(json!({
                "audit": id, "title": title, "source": name, "sha256": sha,
                "claims": found.len(),
                "suggested": mapping.iter().filter(|m| m.target.is_some()).count(),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

fn internal(e: serde_json::Error) -> AppError {
    tracing::error!(error = %e, "claims audit JSON");
    AppError::Internal
}

/// An audit's stored row.
#[derive(sqlx::FromRow)]
struct AuditRow {
    id: i64,
    title: String,
    source_name: String,
    source_sha256: String,
    created_by: String,
    created_at: String,
    claims_json: String,
    mapping_json: String,
    version: i64,
}

const SELECT_AUDIT: &str = "select a.id, a.title, a.source_name, a.source_sha256, u.username as created_by, a.created_at, a.claims_json, a.mapping_json, a.version
     from claim_audits a join users u on u.id = a.created_by where a.id = $1 and a.milestone_id = $2";

impl AuditRow {
    fn parts(&self) -> Result<(Vec<Claim>, Vec<Mapping>), AppError> {
        let claims: Vec<Claim> = serde_json::from_str(&self.claims_json).map_err(internal)?;
        let mut mapping: Vec<Mapping> =
            serde_json::from_str(&self.mapping_json).map_err(internal)?;
        mapping.resize(
            claims.len(),
            Mapping {
                target: None,
                status: MappingStatus::Suggested,
                reason: None,
                by: None,
                at: None,
            },
        );
        Ok((claims, mapping))
    }
}

/// A milestone's audits, newest first. Members.
pub async fn list(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
) -> Result<AuditList, AppError> {
    let (p, m, rights) = milestone_for(pool, actor, project, milestone, Need::Read).await?;
    let rows: Vec<(i64, String, String, String, String, String, String)> = sqlx::query_as(
        "select a.id, a.title, a.source_name, a.source_sha256, u.username, a.created_at, a.claims_json
         from claim_audits a join users u on u.id = a.created_by where a.milestone_id = $1 order by a.id desc",
    )
    .bind(m.id)
    .fetch_all(pool)
    .await?;
    let audits = rows
        .into_iter()
        .map(
            |(id, title, source_name, source_sha256, created_by, created_at, claims_json)| {
                let claims = serde_json::from_str::<Vec<serde_json::Value>>(&claims_json)
                    .map(|c| c.len() as u32)
                    .unwrap_or(0);
                AuditSummary {
                    id,
                    title,
                    source_name,
                    source_sha256,
                    created_by,
                    created_at,
                    claims,
                }
            },
        )
        .collect();
    Ok(AuditList {
        project: p.code.clone(),
        project_name: p.name.clone(),
        milestone: m.code.clone(),
        milestone_title: m.title.clone(),
        can_create: rights.can_work,
        audits,
    })
}

/// An audit, every claim judged against the milestone's records as they are
/// now. Members.
pub async fn get(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    id: i64,
) -> Result<AuditView, AppError> {
    let (_, m, _) = milestone_for(pool, actor, project, milestone, Need::Read).await?;
    let row: AuditRow = sqlx::query_as(SELECT_AUDIT)
        .bind(id)
        .bind(m.id)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(t!(audit.errors.no_audit, id = id, milestone = &m.code))
        })?;
    let v = milestones::view(pool, actor, project, milestone).await?;
    judged(&row, &v)
}

/// Confirms or changes the record claim `n` is about (`criterion:C2`,
/// `task:M4-01`, `metric:coverage.line_pct`, `signoff:QA lead`, or `none`),
/// as of the audit `version` the caller saw: a stale version is refused
/// (409) inside the same write, and nothing changes. PMs and engineers.
#[allow(clippy::too_many_arguments)]
pub async fn map_claim(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    id: i64,
    n: usize,
    target: &str,
    version: i64,
) -> Result<AuditView, AppError> {
    let (p, rights) = project_for(pool, actor, project, Need::Work).await?;
    let target = target.trim();
    let mut tx = db::write(pool).await?;
    let m = milestone_row_in(&mut tx, &p, milestone).await?;
    let row: AuditRow = sqlx::query_as(SELECT_AUDIT)
        .bind(id)
        .bind(m.id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(t!(audit.errors.no_audit, id = id, milestone = &m.code))
        })?;
    if row.version != version {
        return Err(AppError::Conflict(t!(
            audit.errors.stale_version,
            id = id,
            sent = version,
            current = row.version
        )));
    }
    let (found, mut mapping) = row.parts()?;
    if n >= found.len() {
        return Err(AppError::NotFound(t!(
            audit.errors.no_claim,
            n = n,
            id = id,
            count = found.len()
        )));
    }
    let v = build_view(&mut tx, &p, &m, rights).await?;
    let chosen = if target.eq_ignore_ascii_case("none") || target.is_empty() {
        None
    } else {
        let options = targets(&v);
        let hit = options
            .iter()
            .find(|o| o.id == target)
            .or_else(|| options.iter().find(|o| o.id.eq_ignore_ascii_case(target)))
            .ok_or_else(|| {
                AppError::invalid(
                    "target",
                    t!(
                        audit.errors.bad_target,
                        target = format!("{target:?}"),
                        milestone = &m.code
                    ),
                )
            })?;
        Some(hit.id.clone())
    };
    let before = mapping[n].clone();
    let now = crate::ssr::now();
    mapping[n] = Mapping {
        target: chosen.clone(),
        status: MappingStatus::Confirmed,
        reason: None,
        by: Some(actor.username.clone()),
        at: Some(now),
    };
    let done = sqlx::query(
        "update claim_audits set mapping_json = $1, version = version + 1 where id = $2 and version = $3",
    )
    .bind(serde_json::to_string(&mapping).map_err(internal)?)
    .bind(id)
    .bind(version)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(AppError::Conflict(t!(audit.errors.changed, id = id)));
    }
    audit::record(
        &mut tx,
        Event::new(
            "claims_audit.map",
            format!("#{id} {} line {}", row.title, found[n].line),
        )
        .by(actor.id)
        .in_project(p.id)
        .on_milestone(m.id)
        .before(json!({"claim": n, "target": before.target, "status": before.status}))
        .after(json!({"claim": n, "target": chosen, "status": MappingStatus::Confirmed, "version": version + 1})),
    )
    .await?;
    tx.commit().await?;
    get(pool, actor, project, milestone, id).await
}

/// The audit as a Markdown document in `locale`: the source (name and
/// SHA-256), the milestone, when; a table of every claim with what it maps
/// to, its verdict, the recorded value and the evidence (id and SHA-256);
/// then the counts. Members.
pub async fn export_markdown(
    pool: &AnyPool,
    actor: &Actor,
    project: &str,
    milestone: &str,
    id: i64,
    locale: Locale,
) -> Result<String, AppError> {
    let a = get(pool, actor, project, milestone, id).await?;
    Ok(markdown(&a, locale))
}

/// The view of a stored audit, judged against `v`.
fn judged(row: &AuditRow, v: &MilestoneView) -> Result<AuditView, AppError> {
    let (found, mapping) = row.parts()?;
    let options = targets(v);
    let claims: Vec<ClaimRow> = found
        .iter()
        .zip(mapping)
        .enumerate()
        .map(|(n, (c, mapping))| {
            let target_label = mapping.target.as_ref().map(|t| {
                options
                    .iter()
                    .find(|o| &o.id == t)
                    .map(|o| o.label.clone())
                    .unwrap_or_else(|| t.clone())
            });
            ClaimRow {
                n,
                line: c.line,
                text: c.text.clone(),
                subject: c.subject.clone(),
                section: c.section.clone(),
                kind: c.kind.name().to_string(),
                claimed: claimed(&c.kind),
                target_claimed: c.kind.target().map(ToString::to_string),
                verdict: judge(c, mapping.target.as_deref(), v),
                target_label,
                mapping,
            }
        })
        .collect();
    Ok(AuditView {
        id: row.id,
        project: v.project.code.clone(),
        project_name: v.project.name.clone(),
        milestone: v.code.clone(),
        milestone_title: v.title.clone(),
        title: row.title.clone(),
        source_name: row.source_name.clone(),
        source_sha256: row.source_sha256.clone(),
        created_by: row.created_by.clone(),
        created_at: row.created_at.clone(),
        version: row.version,
        judged_at: crate::ssr::now(),
        can_map: v.rights.can_work,
        counts: OutcomeCounts::of(&claims),
        claims,
        targets: options,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_that_is_not_text_is_refused_before_anything_else() {
        assert_eq!(source_text(b"\xff\xfe\x00\x01").unwrap_err().status(), 422);
        assert_eq!(source_text(b"a\0b").unwrap_err().status(), 422);
        assert_eq!(source_text(b"  \n ").unwrap_err().status(), 422);
        let big = vec![b'a'; claims::MAX_INPUT_BYTES + 1];
        assert_eq!(source_text(&big).unwrap_err().status(), 413);
        assert_eq!(
            source_text("测试覆盖率 92%".as_bytes()).unwrap(),
            "测试覆盖率 92%"
        );
    }
}
