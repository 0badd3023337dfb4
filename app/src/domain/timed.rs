//! The types of time in a verdict that pages, the API and the certificate
//! share: where a waiver stands, a release moment and what it ships, a
//! release checkpoint and where it stands. Types (and the subject's input
//! rules) only; the rules of judging are in `waiver`, `checkpoint` and
//! `freshness`.

use super::criterion::WaiverView;
use crate::i18n::Locale;
use crate::{t, tl};
use serde::{Deserialize, Serialize};

/// Who revoked a waiver, when and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Revocation {
    pub by: String,
    pub at: String,
    pub reason: String,
}

/// Where a waiver stands as of a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WaiverStatus {
    /// It covers its criterion now.
    Standing,
    Expired,
    Revoked,
    /// The criterion's rule, its evidence or its verdict changed since, or
    /// the giver no longer holds the role: it covers what no longer is.
    Lapsed,
}

impl WaiverStatus {
    pub fn label(self) -> &'static str {
        match self {
            WaiverStatus::Standing => "standing",
            WaiverStatus::Expired => "expired",
            WaiverStatus::Revoked => "revoked",
            WaiverStatus::Lapsed => "lapsed",
        }
    }
}

/// A waiver with where it stands, for the milestone's list and the report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WaiverEntry {
    pub criterion: String,
    pub waiver: WaiverView,
    pub status: WaiverStatus,
    /// The evidence whose number was waived (null: it had none).
    pub evidence_sha256: Option<String>,
    pub state_digest: String,
    pub revoked: Option<Revocation>,
}

/// When a milestone was released, and who recorded it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Release {
    /// RFC 3339: the release moment.
    pub at: String,
    /// Who recorded it (username).
    pub by: String,
}

/// Where a checkpoint stands. Never typed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckpointStatus {
    /// The release has not been recorded: nothing is due yet.
    AwaitingRelease,
    /// Released; not due yet.
    Scheduled,
    /// Due, and its grace has not run out.
    Due,
    /// Every one of its criteria met (or waived) by evidence from its window.
    Passed,
    /// Its grace ran out before it passed.
    Overdue,
}

impl CheckpointStatus {
    pub fn label(self) -> &'static str {
        match self {
            CheckpointStatus::AwaitingRelease => "awaiting release",
            CheckpointStatus::Scheduled => "scheduled",
            CheckpointStatus::Due => "due",
            CheckpointStatus::Passed => "passed",
            CheckpointStatus::Overdue => "overdue",
        }
    }
}

/// A checkpoint as pages show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CheckpointView {
    pub id: i64,
    pub label: String,
    pub offset_minutes: i64,
    pub grace_minutes: i64,
    /// RFC 3339; absent until the release is recorded.
    pub due_at: Option<String>,
    /// When its grace runs out (the end of its window).
    pub closes_at: Option<String>,
    pub status: CheckpointStatus,
    /// The codes of its criteria.
    pub criteria: Vec<String>,
}

/// What a milestone certifies: the build it ships (commit and/or tag) and
/// its artifacts' digests.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Subject {
    /// A commit SHA (7 to 64 hex digits).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// A release tag, e.g. `v2.1.0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub artifacts: Vec<Artifact>,
}

/// A shipped artifact and its digest (`sha256:` and 64 hex digits).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct Artifact {
    pub name: String,
    pub digest: String,
}

/// How many artifacts a subject names at most.
pub const MAX_ARTIFACTS: usize = 20;

impl Subject {
    /// Nothing named.
    pub fn is_empty(&self) -> bool {
        self.commit.is_none() && self.tag.is_none() && self.artifacts.is_empty()
    }

    /// The builds evidence may name: the commit and the tag.
    pub fn builds(&self) -> Vec<&str> {
        self.commit
            .iter()
            .chain(self.tag.iter())
            .map(String::as_str)
            .collect()
    }

    /// A subject as typed: each part checked, naming what is wrong (in the
    /// reader's language).
    pub fn parse(commit: &str, tag: &str, artifacts: &[Artifact]) -> Result<Self, String> {
        let commit = commit.trim().to_ascii_lowercase();
        let hex = (7..=64).contains(&commit.len()) && commit.chars().all(|c| c.is_ascii_hexdigit());
        if !commit.is_empty() && !hex {
            return Err(t!(
                milestone.errors.subject_commit,
                got = format!("{commit:?}")
            ));
        }
        let tag = tag.trim().to_string();
        if tag.chars().count() > 128 || tag.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(t!(milestone.errors.subject_tag, got = format!("{tag:?}")));
        }
        if artifacts.len() > MAX_ARTIFACTS {
            return Err(t!(milestone.errors.subject_artifacts, max = MAX_ARTIFACTS));
        }
        let artifacts = artifacts
            .iter()
            .map(|a| {
                let name = a.name.trim().to_string();
                let digest = a.digest.trim().to_ascii_lowercase();
                let hex = digest.strip_prefix("sha256:").unwrap_or("");
                if name.is_empty()
                    || name.chars().count() > 300
                    || name.chars().any(char::is_control)
                {
                    return Err(t!(
                        milestone.errors.subject_artifact_name,
                        got = format!("{name:?}")
                    ));
                }
                if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(t!(
                        milestone.errors.subject_artifact_digest,
                        name = &name,
                        got = format!("{digest:?}")
                    ));
                }
                Ok(Artifact { name, digest })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Subject {
            commit: Some(commit).filter(|c| !c.is_empty()),
            tag: Some(tag).filter(|t| !t.is_empty()),
            artifacts,
        })
    }

    /// Artifacts as a form's text: one `name sha256:…` per line.
    pub fn artifacts_text(&self) -> String {
        self.artifacts
            .iter()
            .map(|a| format!("{} {}", a.name, a.digest))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Artifacts from a form's text (one `name sha256:…` per line; the
    /// digest is the last word).
    pub fn artifacts_from_text(text: &str) -> Vec<Artifact> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| match l.rsplit_once(char::is_whitespace) {
                Some((name, digest)) => Artifact {
                    name: name.trim().into(),
                    digest: digest.into(),
                },
                None => Artifact {
                    name: String::new(),
                    digest: l.into(),
                },
            })
            .collect()
    }
}

impl WaiverStatus {
    /// The waiver status's name in `locale`.
    pub fn text(self, locale: Locale) -> String {
        match self {
            WaiverStatus::Standing => tl!(locale, common.waiver.standing),
            WaiverStatus::Expired => tl!(locale, common.waiver.expired),
            WaiverStatus::Revoked => tl!(locale, common.waiver.revoked),
            WaiverStatus::Lapsed => tl!(locale, common.waiver.lapsed),
        }
    }
}

impl CheckpointStatus {
    /// The checkpoint status's name in `locale`.
    pub fn text(self, locale: Locale) -> String {
        match self {
            CheckpointStatus::AwaitingRelease => tl!(locale, common.checkpoint.awaiting_release),
            CheckpointStatus::Scheduled => tl!(locale, common.checkpoint.scheduled),
            CheckpointStatus::Due => tl!(locale, common.checkpoint.due),
            CheckpointStatus::Passed => tl!(locale, common.checkpoint.passed),
            CheckpointStatus::Overdue => tl!(locale, common.checkpoint.overdue),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subject_is_checked_part_by_part() {
        let image = Artifact {
            name: "registry.example/wm/api".into(),
            digest: format!("SHA256:{}", "AB".repeat(32)),
        };
        let s = Subject::parse(" A1B2C3D ", "v2.1.0", std::slice::from_ref(&image)).unwrap();
        assert_eq!(s.commit.as_deref(), Some("a1b2c3d"));
        assert_eq!(s.artifacts[0].digest, format!("sha256:{}", "ab".repeat(32)));
        assert_eq!(s.builds(), ["a1b2c3d", "v2.1.0"]);
        assert!(Subject::parse("", "", &[]).unwrap().is_empty());
        assert!(Subject::parse("xyz1234", "", &[])
            .unwrap_err()
            .contains("hex"));
        assert!(Subject::parse("", "v 2", &[])
            .unwrap_err()
            .contains("without spaces"));
        let bad = Artifact {
            name: "api".into(),
            digest: "sha256:abc".into(),
        };
        assert!(Subject::parse("", "", &[bad])
            .unwrap_err()
            .contains("64 hex digits"));
        let text = format!(
            "registry.example/wm/api sha256:{}\n\n worker image  sha256:{}",
            "ab".repeat(32),
            "cd".repeat(32)
        );
        let parsed = Subject::artifacts_from_text(&text);
        assert_eq!(parsed[1].name, "worker image");
        assert_eq!(
            Subject {
                artifacts: parsed.clone(),
                ..Subject::default()
            }
            .artifacts_text()
            .lines()
            .count(),
            2
        );
    }
}
