//! Identifiers parsed once at the edge ("parse, don't validate").

use crate::error::AppError;
use crate::t;
use serde::{Deserialize, Serialize};
use std::fmt;

/// `raw` as the refusals quote it: `"m 4"`.
fn quoted(raw: &str) -> String {
    format!("{raw:?}")
}

/// Codes typed in lower case mean the same as in capitals: `m5` is `M5`,
/// `wm` is `WM`. Input with capitals of its own (`Sprint-3`) is kept as typed.
pub fn normalise_case(raw: &str) -> String {
    let s = raw.trim();
    if s.chars().any(|c| c.is_ascii_uppercase()) {
        s.to_string()
    } else {
        s.to_ascii_uppercase()
    }
}

/// A project code such as `WM`: 2–12 of A–Z, 0–9 and '-', starting with a
/// letter; lower-case input is taken in capitals (`wm` → `WM`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProjectCode(String);

impl ProjectCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 12
            && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
        if !ok {
            return Err(AppError::invalid(
                "code",
                t!(common.codes.project_code, raw = quoted(raw)),
            ));
        }
        if s.len() < 2 {
            return Err(AppError::invalid(
                "code",
                t!(common.codes.project_code_short),
            ));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A milestone code as teams name them: `M4`, `Sprint-3`, `R2026.1`. 1–20 of
/// letters, digits, '-', '.' and '_', starting with a letter or digit;
/// all-lower-case input is taken in capitals (`m5` → `M5`). Codes are unique
/// within a project regardless of case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MilestoneCode(String);

impl MilestoneCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = normalise_case(raw);
        let ok = !s.is_empty()
            && s.len() <= 20
            && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
        if !ok {
            return Err(AppError::invalid(
                "code",
                t!(common.codes.milestone_code, raw = quoted(raw)),
            ));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Orders codes as people count: `M2` before `M10`, `R2026.2` before
/// `R2026.10` (runs of digits compare as numbers, the rest case-insensitively).
pub fn natural_key(code: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = code.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            let mut n = c.to_digit(10).unwrap_or(0) as u64;
            while let Some(d) = chars.peek().and_then(|d| d.to_digit(10)) {
                n = n.saturating_mul(10).saturating_add(d as u64);
                chars.next();
            }
            out.push((std::mem::take(&mut text), n));
        } else {
            text.push(c.to_ascii_lowercase());
        }
    }
    if !text.is_empty() {
        out.push((text, u64::MAX));
    }
    out
}

/// A task or criterion code such as `M4-01` or `C2`: 1–20 of A–Z, 0–9, '-',
/// '.'; lower-case input is taken in capitals (`c2` → `C2`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ItemCode(String);

impl ItemCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let s = raw.trim().to_ascii_uppercase();
        let ok = !s.is_empty()
            && s.len() <= 20
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if ok {
            Ok(Self(s))
        } else {
            Err(AppError::invalid(
                field,
                t!(common.codes.item_code, raw = quoted(raw)),
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProjectCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Display for MilestoneCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Non-empty, trimmed text of at most `max` characters.
pub fn required_text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(AppError::invalid(field, t!(common.codes.required)));
    }
    if s.chars().count() > max {
        return Err(AppError::invalid(field, t!(common.codes.too_long, max)));
    }
    Ok(s.to_string())
}

/// Checks an optional free-text field: trimmed, blank allowed, at most `max` characters.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(AppError::invalid(field, t!(common.codes.too_long, max)));
    }
    Ok(s.to_string())
}

/// A project role. Admins are a separate, global flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Engineer,
    Pm,
}

impl Role {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "viewer" => Ok(Role::Viewer),
            "engineer" => Ok(Role::Engineer),
            "pm" => Ok(Role::Pm),
            _ => Err(AppError::invalid(
                "role",
                t!(common.codes.role, raw = quoted(raw)),
            )),
        }
    }
    /// The role's name as the reader reads it (`as_str()` is the code).
    pub fn label(self) -> String {
        match self {
            Role::Pm => t!(projects.members.roles.pm),
            Role::Engineer => t!(projects.members.roles.engineer),
            Role::Viewer => t!(projects.members.roles.viewer),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Engineer => "engineer",
            Role::Pm => "pm",
        }
    }
    /// May upload evidence, complete tasks and tick items.
    pub fn can_work(self) -> bool {
        self >= Role::Engineer
    }
    /// May manage milestones, tasks, checklists, criteria, sign-off roles and certificates.
    pub fn can_manage(self) -> bool {
        self == Role::Pm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_codes_are_short_capitals() {
        assert_eq!(ProjectCode::parse(" WM ").unwrap().as_str(), "WM");
        assert_eq!(ProjectCode::parse("wm").unwrap().as_str(), "WM");
        assert!(ProjectCode::parse("W M").is_err());
        assert!(ProjectCode::parse("W").is_err());
        assert!(ProjectCode::parse("1WM").is_err());
        assert!(ProjectCode::parse("ABCDEFGHIJKLM").is_err());
    }

    #[test]
    fn milestone_codes_are_what_teams_use() {
        assert_eq!(MilestoneCode::parse("M4").unwrap().as_str(), "M4");
        assert_eq!(MilestoneCode::parse(" m5 ").unwrap().as_str(), "M5");
        assert_eq!(
            MilestoneCode::parse("Sprint-3").unwrap().as_str(),
            "Sprint-3"
        );
        assert_eq!(
            MilestoneCode::parse("sprint-3").unwrap().as_str(),
            "SPRINT-3"
        );
        assert_eq!(MilestoneCode::parse("R2026.1").unwrap().as_str(), "R2026.1");
        assert!(MilestoneCode::parse("").is_err());
        assert!(MilestoneCode::parse("-M4").is_err());
        assert!(MilestoneCode::parse("M 4").is_err());
        assert!(MilestoneCode::parse("M4/../x").is_err());
        assert!(MilestoneCode::parse("交付").is_err());
        assert!(MilestoneCode::parse(&"M".repeat(21)).is_err());
    }

    #[test]
    fn item_codes_take_lower_case_as_capitals() {
        assert_eq!(ItemCode::parse("code", "c4").unwrap().as_str(), "C4");
        assert_eq!(ItemCode::parse("code", "m4-06").unwrap().as_str(), "M4-06");
        assert!(ItemCode::parse("code", "C 4").is_err());
    }

    #[test]
    fn codes_sort_as_people_count() {
        let mut codes = vec!["M10", "M2", "R2026.10", "R2026.2", "Sprint-3", "m1"];
        codes.sort_by_key(|c| natural_key(c));
        assert_eq!(
            codes,
            ["m1", "M2", "M10", "R2026.2", "R2026.10", "Sprint-3"]
        );
    }

    #[test]
    fn roles_order_by_power() {
        assert!(Role::Pm.can_manage() && Role::Pm.can_work());
        assert!(Role::Engineer.can_work() && !Role::Engineer.can_manage());
        assert!(!Role::Viewer.can_work());
        assert!(Role::parse("admin").is_err());
    }

    #[test]
    fn required_text_rejects_blank_and_overlong() {
        assert!(required_text("title", "  ", 10).is_err());
        assert!(required_text("title", "12345678901", 10).is_err());
        assert_eq!(
            required_text("title", " 交付封版 ", 10).unwrap(),
            "交付封版"
        );
    }
}
