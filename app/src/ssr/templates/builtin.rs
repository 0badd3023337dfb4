//! The templates every installation ships with, in its library: a
//! deployment playbook (environment, security, resources, staging
//! promotion, rollback triggers, with default criteria) in English and
//! Chinese, from `app/templates/*.md`. Brought up to date at every start:
//! a shipped text that changed becomes the template's next version, so
//! checklists applied from the old one are told a newer one exists.

use super::markdown;
use sqlx::AnyPool;

/// (slug, language, Markdown) of each built-in template.
pub const BUILTIN: &[(&str, &str, &str)] = &[
    (
        "deploy-playbook",
        "en",
        include_str!("../../../templates/deploy-playbook.en.md"),
    ),
    (
        "deploy-playbook-zh",
        "zh",
        include_str!("../../../templates/deploy-playbook.zh.md"),
    ),
];

/// Stores each built-in template, or its next version when the shipped text
/// changed. One write transaction, begun by `begin` (the database's
/// [`crate::ssr::db::begin_write`], passed in by the module that opens it);
/// nothing is written when all are current.
pub async fn ensure(
    pool: &AnyPool,
    begin: impl AsyncFn(&AnyPool) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error>,
) -> Result<(), sqlx::Error> {
    let mut wanted = Vec::new();
    for (slug, lang, md) in BUILTIN {
        let body = markdown::import(md, slug)
            .unwrap_or_else(|e| panic!("built-in template {slug} does not parse: {e}"));
        let json = serde_json::to_string(&body).expect("a template body serialises");
        wanted.push((*slug, *lang, body.checklist.title.clone(), json));
    }
    let current = |slug: &str| {
        sqlx::query_as::<_, (i64, Option<i64>, Option<String>)>(
            "select t.id, v.version, v.body_json from checklist_templates t
             left join checklist_template_versions v on v.template_id = t.id
               and v.version = (select max(version) from checklist_template_versions where template_id = t.id)
             where t.project_id is null and t.slug = $1",
        )
        .bind(slug.to_string())
    };
    let mut stale = false;
    for (slug, _, _, json) in &wanted {
        let row = current(slug).fetch_optional(pool).await?;
        stale |= row.and_then(|r| r.2).as_deref() != Some(json.as_str());
    }
    if !stale {
        return Ok(());
    }
    let mut tx = begin(pool).await?;
    let now = crate::ssr::now();
    for (slug, lang, title, json) in wanted {
        let (id, version, body) = match current(slug).fetch_optional(&mut *tx).await? {
            Some(row) => row,
            None => {
                let id = sqlx::query_scalar::<_, i64>(
                    "insert into checklist_templates (project_id, slug, lang, builtin, created_at) values (null, $1, $2, 1, $3) returning id",
                )
                .bind(slug)
                .bind(lang)
                .bind(&now)
                .fetch_one(&mut *tx)
                .await?;
                (id, None, None)
            }
        };
        if body.as_deref() == Some(json.as_str()) {
            continue;
        }
        sqlx::query(
            "insert into checklist_template_versions (template_id, version, title, body_json, created_at) values ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version.unwrap_or(0) + 1)
        .bind(&title)
        .bind(&json)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}
