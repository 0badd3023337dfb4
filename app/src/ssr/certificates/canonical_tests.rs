//! Proof that typing the certificate payload changed no signed byte: the typed
//! builder writes the same canonical JSON as the untyped code it replaced, and
//! a payload stored by that code reads into the type and back to the very
//! bytes that were hashed and signed.

use super::{canonical, signed_text};
use crate::domain::certificate::{CertificatePayload, Person};
use crate::domain::views::MilestoneView;
use crate::ssr::auth::Actor;
use serde_json::{json, Value};

/// The payload exactly as `certificates::payload` built it before the payload
/// had a type (copied verbatim from that function): the reference the typed
/// builder must match byte for byte.
fn legacy_payload(
    number: &str,
    v: &MilestoneView,
    issued_at: &str,
    issuer: &Actor,
    key_id: &str,
) -> Value {
    json!({
        "format": "attest-certificate/1",
        "number": number,
        "key_id": key_id,
        "project": {"code": v.project.code, "name": v.project.name},
        "milestone": {
            "code": v.code, "title": v.title, "goal": v.goal,
            "planned_start": v.planned_start, "planned_end": v.planned_end, "actual_start": v.actual_start,
        },
        "issued_at": issued_at,
        "issued_by": {"username": issuer.username, "name": issuer.display_name},
        "state_digest": v.state_digest,
        "progress": v.progress,
        "tasks": v.tasks.iter().map(|t| json!({
            "code": t.code, "title": t.title, "owner": t.owner, "done_by": t.done_by, "done_at": t.done_at,
        })).collect::<Vec<_>>(),
        "checklists": v.checklists.iter().map(|c| json!({
            "title": c.title,
            "items": c.items.iter().map(|i| json!({
                "section": i.section, "text": i.text, "ticked_by": i.ticked_by, "ticked_at": i.ticked_at,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "criteria": v.criteria.iter().map(|c| json!({
            "code": c.code, "title": c.title, "metric": c.metric, "op": c.op.as_str(), "target": c.target, "unit": c.unit,
            "actual": c.judgement.actual, "verdict": c.judgement.verdict,
            "evidence_id": c.judgement.evidence_id, "evidence_sha256": c.judgement.evidence_sha256,
        })).collect::<Vec<_>>(),
        // withdrawn files no longer count, so they are not among the facts
        "evidence": v.evidence.iter().filter(|e| e.withdrawn.is_none()).map(|e| json!({
            "id": e.id, "sha256": e.sha256, "kind": e.kind, "name": e.original_name, "size_bytes": e.size_bytes,
            "uploaded_by": e.uploaded_by, "uploaded_at": e.uploaded_at, "effective_at": e.effective_at,
            "commit": e.commit_sha,
        })).collect::<Vec<_>>(),
        "signoffs": v.signoff_roles.iter().filter_map(|r| r.latest.as_ref().map(|s| json!({
            "role": r.role_name, "user": s.user, "decision": s.decision, "comment": s.comment,
            "signed_at": s.signed_at, "state_digest": s.state_digest,
        }))).collect::<Vec<_>>(),
    })
}

/// A milestone view with every shape the payload can hold: null and set
/// optional values, fractional, whole and missing numbers, Chinese and
/// escaped text, a withdrawn file and a role with no sign-off (both left
/// out), an untouched task and an unticked item.
fn view() -> MilestoneView {
    let evidence = |id: i64, withdrawn: Value, commit: Value| {
        json!({
            "id": id, "project_code": "WM", "milestone_code": "M3", "sha256": format!("{id:0>64}"),
            "size_bytes": 12_345_678_901_i64, "media_type": "application/xml", "original_name": format!("junit-{id}.xml"),
            "kind": "junit", "metrics": {"tests.pass_rate": 99.5}, "warnings": [], "uploaded_by": "eng",
            "uploaded_at": "2026-11-20T08:00:00Z", "effective_at": "2026-11-20T07:59:59Z", "commit_sha": commit,
            "ci_url": null, "task_code": null, "item_text": null, "criterion_code": "C1", "criterion_id": 1,
            "withdrawn": withdrawn,
        })
    };
    let signoff = json!({
        "id": 9, "role_name": "QA lead", "user": "qa", "decision": "approve", "comment": "看过了 \"ok\"\n",
        "signed_at": "2026-11-22T00:00:00Z", "state_digest": "d1", "stale": false,
    });
    serde_json::from_value(json!({
        "project": {"code": "WM", "name": "WeMaster 平台", "description": "", "public": false},
        "id": 3, "code": "M3", "title": "联调 | staging", "goal": "", "planned_start": "2026-10-01",
        "planned_end": null, "actual_start": "2026-10-02T09:00:00Z", "actual_end": null,
        "state": "signed_off",
        "progress": {"tasks": {"done": 1, "total": 2}, "items": {"done": 1, "total": 1}, "criteria": {"done": 2, "total": 3}},
        "state_digest": "d1",
        "tasks": [
            {"id": 1, "code": "M3-01", "title": "t", "owner": "o", "requires_evidence": false, "evidence_count": 0,
             "done_by": "eng", "done_at": "2026-11-20T00:00:00Z"},
            {"id": 2, "code": "M3-02", "title": "untouched", "owner": "", "requires_evidence": true, "evidence_count": 1,
             "done_by": null, "done_at": null},
        ],
        "checklists": [{"id": 1, "title": "Staging", "items": [
            {"id": 1, "section": "Smoke", "text": "Log in", "requires_evidence": false, "evidence_count": 0,
             "ticked_by": "pm", "ticked_at": "2026-11-21T00:00:00Z"},
            {"id": 2, "section": "", "text": "Not yet", "requires_evidence": false, "evidence_count": 0,
             "ticked_by": null, "ticked_at": null},
        ]}],
        "criteria": [
            {"id": 1, "code": "C1", "title": "Tests", "metric": "tests.pass_rate", "op": ">=", "target": 99.5, "unit": "%",
             "judgement": {"verdict": "met", "actual": 99.5, "evidence_id": 7, "evidence_sha256": "ee"}},
            {"id": 2, "code": "C2", "title": "p95", "metric": "load.p95_ms", "op": "<", "target": 250.0, "unit": "ms",
             "judgement": {"verdict": "met", "actual": 0.1, "evidence_id": 8, "evidence_sha256": "ff"}},
            {"id": 3, "code": "C3", "title": "Vulns", "metric": "security.critical", "op": "==", "target": 0.0, "unit": "",
             "judgement": {"verdict": "no_evidence", "actual": null, "evidence_id": null, "evidence_sha256": null}},
        ],
        "evidence": [evidence(7, Value::Null, json!("abc123")), evidence(8, Value::Null, Value::Null),
                     evidence(9, json!({"by": "pm", "at": "2026-11-21T00:00:00Z", "reason": "wrong build"}), Value::Null)],
        "signoff_roles": [
            {"id": 1, "role_name": "QA lead", "approver": "qa", "approver_name": "Q", "status": "approved", "latest": signoff},
            {"id": 2, "role_name": "Tech lead", "approver": "eng", "approver_name": "E", "status": "missing", "latest": null},
        ],
        "signoff_history": [], "certificates": [], "gaps": [],
        "rights": {"username": "pm", "role": "pm", "is_admin": false, "can_work": true, "can_manage": true},
        "members": [], "history": [],
    }))
    .expect("a milestone view")
}

fn issuer() -> Actor {
    Actor {
        id: 1,
        username: "pm".into(),
        display_name: "Li Na 李娜".into(),
        is_admin: false,
        project_scope: None,
        scopes: None,
    }
}

/// What the untyped code stored for [`view`], issued as
/// `WM-M3-20261123-001` at `2026-11-23T10:00:00Z` with key `k1`.
const STORED: &str = include_str!("stored_payload.json");

#[test]
fn the_typed_payload_signs_the_same_bytes_as_the_untyped_one() {
    let (v, actor) = (view(), issuer());
    let legacy = canonical(&legacy_payload(
        "WM-M3-20261123-001",
        &v,
        "2026-11-23T10:00:00Z",
        &actor,
        "k1",
    ))
    .unwrap();
    let typed = signed_text(&CertificatePayload::of(
        "WM-M3-20261123-001",
        &v,
        "2026-11-23T10:00:00Z",
        Person {
            username: actor.username.clone(),
            name: actor.display_name.clone(),
        },
        "k1",
    ))
    .unwrap();
    assert_eq!(typed, legacy);
    assert_eq!(
        typed,
        STORED.trim_end(),
        "and both match the stored fixture"
    );
}

#[test]
fn a_stored_payload_reads_into_the_type_and_back_to_its_exact_bytes() {
    let stored: Value = serde_json::from_str(STORED).unwrap();
    let read = CertificatePayload::read(&stored);
    assert_eq!(read.criteria[1].actual, Some(0.1));
    assert_eq!(read.criteria[2].actual, None);
    assert_eq!(read.evidence.len(), 2, "the withdrawn file is not a fact");
    assert_eq!(read.signoffs.len(), 1);
    assert_eq!(signed_text(&read).unwrap(), STORED.trim_end());
}
