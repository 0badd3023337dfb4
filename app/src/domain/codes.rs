//! Identifiers parsed once at the edge ("parse, don't validate").

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

fn check(field: &str, raw: &str, max: usize, what: &str) -> Result<String, AppError> {
    let s = raw.trim();
    let ok = !s.is_empty()
        && s.len() <= max
        && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(s.to_string())
    } else {
        Err(AppError::invalid(field, format!("{what}: got {raw:?}")))
    }
}

/// A project code such as `WM`: 2–12 of A–Z, 0–9 and '-', starting with a letter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProjectCode(String);

impl ProjectCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = check(
            "code",
            raw,
            12,
            "a project code is 2–12 capital letters, digits or '-', starting with a letter",
        )?;
        if s.len() < 2 {
            return Err(AppError::invalid(
                "code",
                "a project code has at least 2 characters",
            ));
        }
        Ok(Self(s))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A milestone code such as `M4`: `M` followed by a number 0–999.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneCode(String);

impl MilestoneCode {
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        let digits = s.strip_prefix('M').unwrap_or("");
        if digits.is_empty() || digits.len() > 3 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(AppError::invalid(
                "code",
                format!("a milestone code is M followed by a number, like M4: got {raw:?}"),
            ));
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A task or criterion code such as `M4-01` or `C2`: 1–20 of A–Z, 0–9, '-', '.'.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemCode(String);

impl ItemCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, AppError> {
        let s = raw.trim();
        let ok = !s.is_empty()
            && s.len() <= 20
            && s.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if ok {
            Ok(Self(s.to_string()))
        } else {
            Err(AppError::invalid(
                field,
                format!("a code is 1–20 capital letters, digits, '-' or '.': got {raw:?}"),
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
        return Err(AppError::invalid(field, "is required"));
    }
    if s.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(s.to_string())
}

/// Checks an optional free-text field: trimmed, blank allowed, at most `max` characters.
pub fn optional_text(field: &str, raw: &str, max: usize) -> Result<String, AppError> {
    let s = raw.trim();
    if s.chars().count() > max {
        return Err(AppError::invalid(
            field,
            format!("is longer than {max} characters"),
        ));
    }
    Ok(s.to_string())
}

/// A project role. Admins are a separate, global flag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
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
                format!("role is one of pm, engineer, viewer: got {raw:?}"),
            )),
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
        assert!(ProjectCode::parse("wm").is_err());
        assert!(ProjectCode::parse("W").is_err());
        assert!(ProjectCode::parse("1WM").is_err());
        assert!(ProjectCode::parse("ABCDEFGHIJKLM").is_err());
    }

    #[test]
    fn milestone_codes_are_m_and_a_number() {
        assert_eq!(MilestoneCode::parse("M4").unwrap().as_str(), "M4");
        assert!(MilestoneCode::parse("M").is_err());
        assert!(MilestoneCode::parse("4").is_err());
        assert!(MilestoneCode::parse("M4a").is_err());
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
