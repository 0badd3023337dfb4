//! The rules for a template as it comes in: its name, its language and
//! its content (Markdown or JSON, exactly one), each refused with the field
//! and a message that says what is wrong.

use super::{markdown, TemplateInput, MAX_CRITERIA, MAX_MARKDOWN};
use crate::domain::checklist::TemplateBody;
use crate::domain::criterion::parse_metric;
use crate::error::AppError;
use crate::ssr::milestones::checklists::validate;
use crate::t;

/// A template slug: 1–60 of a–z, 0–9 and '-', lower-cased.
pub fn parse_slug(raw: &str) -> Result<String, AppError> {
    let s = raw.trim().to_ascii_lowercase();
    let ok = !s.is_empty()
        && s.len() <= 60
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s)
    } else {
        Err(AppError::invalid(
            "slug",
            t!(projects.errors.template_slug, got = format!("{raw:?}")),
        ))
    }
}

pub fn parse_lang(raw: Option<&str>) -> Result<String, AppError> {
    match raw.map(str::trim).unwrap_or("en") {
        "" | "en" => Ok("en".into()),
        "zh" | "zh-CN" | "zh-Hans" => Ok("zh".into()),
        other => Err(AppError::invalid(
            "lang",
            t!(projects.errors.template_lang, got = format!("{other:?}")),
        )),
    }
}

/// The rules for a template's content: a valid checklist (as for one added
/// by hand) and criteria on known metrics with finite targets.
pub fn check_body(body: &TemplateBody) -> Result<(), AppError> {
    validate(&body.checklist)?;
    if body.criteria.len() > MAX_CRITERIA {
        return Err(AppError::invalid(
            "criteria",
            t!(
                projects.errors.template_criteria,
                max = MAX_CRITERIA,
                got = body.criteria.len()
            ),
        ));
    }
    for (n, c) in body.criteria.iter().enumerate() {
        parse_metric(&c.metric)
            .map_err(|e| AppError::invalid(&format!("criteria[{n}].metric"), e.to_string()))?;
        crate::domain::codes::required_text(&format!("criteria[{n}].title"), &c.title, 300)?;
        if !c.target.is_finite() {
            return Err(AppError::invalid(
                &format!("criteria[{n}].target"),
                t!(projects.errors.template_target),
            ));
        }
    }
    Ok(())
}

/// The content of `input`, checked.
pub fn body_of(input: &TemplateInput) -> Result<TemplateBody, AppError> {
    let body = match (&input.markdown, &input.body) {
        (Some(md), None) => {
            if md.len() > MAX_MARKDOWN {
                return Err(AppError::invalid(
                    "markdown",
                    t!(
                        projects.errors.template_size,
                        max = MAX_MARKDOWN / 1024,
                        got = md.len().div_ceil(1024)
                    ),
                ));
            }
            markdown::import(md, &input.slug)?
        }
        (None, Some(body)) => body.clone(),
        _ => {
            return Err(AppError::invalid(
                "markdown",
                t!(projects.errors.template_one_of),
            ))
        }
    };
    check_body(&body)?;
    Ok(body)
}
