//! API token scopes and the token list as pages and the REST API show it.
//!
//! A token acts as its user, limited twice: to one project if it names one,
//! and to its scopes. Browser sessions have every scope.
//!
//! | scope | allows |
//! |---|---|
//! | `read` | reading projects, milestones, evidence, reports and certificates (every token can) |
//! | `evidence:write` | uploading evidence |
//! | `tasks:write` | completing tasks, ticking and unticking checklist items |
//! | `manage` | PM actions: projects, members, visibility, milestones, tasks, checklists, criteria, sign-off roles, issuing and revoking certificates, managing tokens |
//! | `signoff` | approving or rejecting as a sign-off role |

use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One permission a token may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Scope {
    #[serde(rename = "read")]
    Read,
    #[serde(rename = "evidence:write")]
    EvidenceWrite,
    #[serde(rename = "tasks:write")]
    TasksWrite,
    #[serde(rename = "manage")]
    Manage,
    #[serde(rename = "signoff")]
    Signoff,
}

impl Scope {
    /// Every scope, in the order pages list them.
    pub const ALL: [Scope; 5] = [
        Scope::Read,
        Scope::EvidenceWrite,
        Scope::TasksWrite,
        Scope::Manage,
        Scope::Signoff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::EvidenceWrite => "evidence:write",
            Scope::TasksWrite => "tasks:write",
            Scope::Manage => "manage",
            Scope::Signoff => "signoff",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        Scope::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                AppError::invalid(
                    "scopes",
                    crate::t!(
                        account.errors.unknown_scope,
                        raw = format!("{:?}", raw.trim()),
                        names = Scope::names()
                    ),
                )
            })
    }

    /// What the scope allows, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::Read => "read projects, milestones, evidence, reports and certificates",
            Scope::EvidenceWrite => "upload evidence",
            Scope::TasksWrite => "complete tasks, tick checklist items",
            Scope::Manage => "PM actions: plan milestones, members, issue and revoke certificates",
            Scope::Signoff => "approve or reject as a sign-off role",
        }
    }

    /// `read, evidence:write, …`
    pub fn names() -> String {
        Scope::ALL.map(Scope::as_str).join(", ")
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of one token: a sorted set that always holds `read`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Scopes(Vec<Scope>);

impl Scopes {
    /// Every scope: what a browser session and a pre-scope token have.
    pub fn all() -> Self {
        Scopes(Scope::ALL.to_vec())
    }

    /// A set from scopes; `read` is always added.
    pub fn of(scopes: impl IntoIterator<Item = Scope>) -> Self {
        let mut v: Vec<Scope> = scopes.into_iter().chain([Scope::Read]).collect();
        v.sort();
        v.dedup();
        Scopes(v)
    }

    /// Parses names separated by spaces or commas (as stored, as typed).
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let scopes = raw
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(Scope::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scopes::of(scopes))
    }

    pub fn allows(&self, scope: Scope) -> bool {
        self.0.contains(&scope)
    }

    pub fn iter(&self) -> impl Iterator<Item = Scope> + '_ {
        self.0.iter().copied()
    }

    /// Space-separated names, the stored form.
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// One API token as its owner (or an admin) sees it; never its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenView {
    pub id: i64,
    pub name: String,
    /// The owner's username.
    pub user: String,
    /// The one project it is limited to, if any.
    pub project: Option<String>,
    pub scopes: Scopes,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// `active`, `expired` or `revoked`.
    pub status: String,
}

/// The token page: the caller's tokens (everyone's for admins), the projects
/// a new token may be limited to, and a secret just created (shown once).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokensPage {
    pub tokens: Vec<TokenView>,
    pub is_admin: bool,
    pub projects: Vec<String>,
    pub new_secret: Option<NewToken>,
}

/// A token just created: its secret, shown this once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewToken {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scope_set_holds_read_and_is_sorted() {
        let s = Scopes::parse("signoff, evidence:write").unwrap();
        assert_eq!(s.to_text(), "read evidence:write signoff");
        assert!(s.allows(Scope::Read) && !s.allows(Scope::Manage));
    }

    #[test]
    fn an_unknown_scope_is_refused_naming_the_known_ones() {
        let e = Scopes::parse("read admin").unwrap_err();
        assert!(e.to_string().contains("evidence:write"), "{e}");
    }

    #[test]
    fn the_stored_default_parses_to_every_scope() {
        assert_eq!(
            Scopes::parse("read evidence:write tasks:write manage signoff").unwrap(),
            Scopes::all()
        );
    }
}
