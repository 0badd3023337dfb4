//! Evidence against the release it claims to be about: a report that names
//! its own subject (the image a scanner scanned, the component an SBOM
//! describes, the commit a test run names; `evidence::ReportSubject`) is
//! cross-checked against the milestone's release subject. A file about
//! something else is a gap naming both, blocks the certificate until it is
//! withdrawn or the subject corrected, and decides nothing: the criteria it
//! decided are stale.

use super::criterion::{EvidenceFacts, Verdict};
use super::format::short_hash;
use super::freshness::{same_build, show_build};
pub use super::reason::Mismatch;
use super::timed::Subject;
use super::views::CriterionView;

/// Why evidence `e` is about something other than what the milestone ships,
/// in words naming both; None when it names nothing comparable, or agrees.
///
/// Digests are compared when both name some (any shared digest agrees: a
/// scan names the image ID and repo digests, the milestone perhaps only one
/// of them). Commits are compared when both name one (an abbreviation of 7+
/// digits matches the full SHA).
pub fn mismatch(e: &EvidenceFacts, ships: &Subject) -> Option<String> {
    mismatch_of(e, ships).map(|m| m.to_string())
}

/// [`mismatch`] as data, for saying it in a reader's language.
pub fn mismatch_of(e: &EvidenceFacts, ships: &Subject) -> Option<Mismatch> {
    let theirs = e.subject.as_ref()?;
    let ours: Vec<&str> = ships.artifacts.iter().map(|a| a.digest.as_str()).collect();
    if !theirs.digests.is_empty()
        && !ours.is_empty()
        && !theirs.digests.iter().any(|d| ours.contains(&d.as_str()))
    {
        return Some(Mismatch::Digests {
            id: e.id,
            name: theirs.name.clone(),
            theirs: digests(theirs.digests.iter().map(String::as_str)),
            ours: digests(ours.into_iter()),
        });
    }
    match (&theirs.commit, &ships.commit) {
        (Some(found), Some(want)) if !same_build(found, want) => Some(Mismatch::Commit {
            id: e.id,
            name: theirs.name.clone(),
            found: show_build(found),
            want: show_build(want),
        }),
        _ => None,
    }
}

fn digests<'a>(ds: impl Iterator<Item = &'a str>) -> String {
    ds.map(|d| {
        let hex = d.strip_prefix("sha256:").unwrap_or(d);
        format!("sha256:{}", short_hash(hex))
    })
    .collect::<Vec<_>>()
    .join(", ")
}

/// Every counted (not withdrawn) file about something other than what the
/// milestone ships: its id and why.
pub fn foreign(evidence: &[EvidenceFacts], ships: &Subject) -> Vec<(i64, Mismatch)> {
    evidence
        .iter()
        .filter(|e| !e.withdrawn)
        .filter_map(|e| mismatch_of(e, ships).map(|why| (e.id, why)))
        .collect()
}

/// Makes stale every criterion a foreign file decided (for an expression,
/// any of the files it read), with the file's reason.
pub fn apply(criteria: &mut [CriterionView], foreign: &[(i64, Mismatch)]) {
    if foreign.is_empty() {
        return;
    }
    for c in criteria.iter_mut() {
        if !matches!(c.judgement.verdict, Verdict::Met | Verdict::NotMet) {
            continue;
        }
        let read = c
            .judgement
            .inputs
            .iter()
            .filter_map(|i| i.evidence_id)
            .chain(c.judgement.evidence_id);
        let why = read
            .filter_map(|id| foreign.iter().find(|(f, _)| *f == id))
            .map(|(_, why)| why.clone())
            .next();
        if let Some(why) = why {
            c.judgement.verdict = Verdict::Stale;
            c.judgement.set_reason(super::reason::Reason::Foreign(why));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::fixtures::criterion;
    use crate::domain::timed::Artifact;
    use crate::i18n::Locale;
    use evidence::ReportSubject;

    const IMAGE: &str = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    const OTHER: &str = "sha256:2222222222222222222222222222222222222222222222222222222222222222";

    fn scan(id: i64, subject: ReportSubject) -> EvidenceFacts {
        EvidenceFacts {
            id,
            sha256: format!("{id:064x}"),
            effective_at: "2026-12-01T00:00:00Z".into(),
            criterion_id: None,
            metrics: Default::default(),
            withdrawn: false,
            commit: None,
            subject: Some(subject),
        }
    }

    fn ships(digest: Option<&str>, commit: Option<&str>) -> Subject {
        Subject {
            commit: commit.map(str::to_string),
            tag: None,
            artifacts: digest
                .map(|d| {
                    vec![Artifact {
                        name: "web".into(),
                        digest: d.into(),
                    }]
                })
                .unwrap_or_default(),
        }
    }

    #[test]
    fn a_scan_of_another_image_is_named_with_both_digests_and_a_shared_digest_agrees() {
        let other = scan(
            7,
            ReportSubject {
                name: "alpine:3.10".into(),
                digests: vec![OTHER.into()],
                commit: None,
            },
        );
        assert_eq!(
            mismatch(&other, &ships(Some(IMAGE), None)).as_deref(),
            Some("evidence #7 is about alpine:3.10 (sha256:222222222222…) but the milestone ships sha256:111111111111…")
        );
        let both = scan(
            8,
            ReportSubject {
                name: "web:2.1".into(),
                digests: vec![IMAGE.into(), OTHER.into()],
                commit: None,
            },
        );
        assert_eq!(mismatch(&both, &ships(Some(IMAGE), None)), None);
        // nothing to compare: the milestone names no artifact, or the scan no digest
        assert_eq!(mismatch(&other, &ships(None, Some("abcdef1"))), None);
        let nameless = scan(9, ReportSubject::default());
        assert_eq!(mismatch(&nameless, &ships(Some(IMAGE), None)), None);
    }

    #[test]
    fn a_run_naming_another_commit_is_named_and_an_abbreviation_agrees() {
        let run = scan(
            3,
            ReportSubject {
                name: String::new(),
                digests: vec![],
                commit: Some("d4e5f6a7b8c9d0e1".into()),
            },
        );
        assert_eq!(
            mismatch(&run, &ships(None, Some("a1b2c3d4e5f6"))).as_deref(),
            Some("evidence #3, from commit d4e5f6a7b8c9…, but the milestone ships commit a1b2c3d4e5f6")
        );
        assert_eq!(mismatch(&run, &ships(None, Some("d4e5f6a"))), None);
        assert_eq!(
            mismatch_of(&run, &ships(None, Some("a1b2c3d4e5f6")))
                .unwrap()
                .text(Locale::zh_Hans),
            "证据 #3 来自提交 d4e5f6a7b8c9…，而里程碑交付的是提交 a1b2c3d4e5f6"
        );
        let named = Mismatch::Digests {
            id: 7,
            name: "alpine:3.10".into(),
            theirs: "sha256:222222222222…".into(),
            ours: "sha256:111111111111…".into(),
        };
        assert_eq!(
            named.text(Locale::zh_Hans),
            "证据 #7 针对的是 alpine:3.10（sha256:222222222222…），而里程碑交付的是 sha256:111111111111…"
        );
    }

    #[test]
    fn criteria_a_foreign_file_decided_go_stale_and_withdrawn_files_are_not_checked() {
        let mut files = vec![scan(
            12,
            ReportSubject {
                name: "alpine:3.10".into(),
                digests: vec![OTHER.into()],
                commit: None,
            },
        )];
        let subject = ships(Some(IMAGE), None);
        let found = foreign(&files, &subject);
        assert_eq!(found.len(), 1);
        let mut cs = [
            criterion(Verdict::Met, Some(0.0)),
            criterion(Verdict::NoEvidence, None),
        ];
        cs[1].judgement.evidence_id = None;
        apply(&mut cs, &found);
        assert_eq!(cs[0].judgement.verdict, Verdict::Stale);
        assert!(cs[0]
            .judgement
            .reason
            .as_deref()
            .unwrap()
            .contains("alpine:3.10"));
        assert_eq!(cs[1].judgement.verdict, Verdict::NoEvidence);
        files[0].withdrawn = true;
        assert!(foreign(&files, &subject).is_empty());
    }
}
