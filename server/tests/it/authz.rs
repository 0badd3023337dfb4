//! The authorization matrix (issue 7 §4): every REST and browser route (the
//! list comes from the router itself, `server::route_list`) and every server
//! function (from server_fn's own registry) × every kind of caller, with the
//! expected answer in one table. A route or server function added without a
//! row fails `every_route_has_a_row`.
//!
//! Size: one self-contained test per behaviour (arrange, act and assert in
//! full, through the real router), so the suite grows with what it covers;
//! the shared world and request helpers are in `common`.

use crate::common;

use app::domain::tokens::Scopes;
use app::ssr::tokens::{self, TokenRequest};
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{junit, multipart, Reply, TestApp, World};
use serde_json::{json, Value};
use tower::ServiceExt;

/// Who may use a route.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    /// Anyone, logged in or not.
    Anyone,
    /// Any logged-in user (their own things only).
    LoggedIn,
    /// Members of the project (and admins).
    Member,
    /// PMs and engineers of the project (and admins).
    Worker,
    /// PMs of the project and admins.
    Manager,
    /// Admins only, about a project.
    AdminOfProject,
    /// Admins only, no project involved.
    Admin,
    /// The named approver of the sign-off role (qa).
    Approver,
    /// The owner of the token being revoked (pm) and admins.
    TokenOwner,
    /// Whoever granted the waiver (qa), PMs of the project and admins.
    WaiverRevoker,
}

/// The callers of the REST API.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    Anonymous,
    GarbageToken,
    RevokedToken,
    ExpiredToken,
    NonMember,
    /// The PM's token limited to another project.
    ScopedElsewhere,
    Viewer,
    Engineer,
    Qa,
    Pm,
    Admin,
}

const CALLERS: [Caller; 11] = [
    Caller::Anonymous,
    Caller::GarbageToken,
    Caller::RevokedToken,
    Caller::ExpiredToken,
    Caller::NonMember,
    Caller::ScopedElsewhere,
    Caller::Viewer,
    Caller::Engineer,
    Caller::Qa,
    Caller::Pm,
    Caller::Admin,
];

/// What a caller gets: a refusal with this status, or through (any answer the
/// operation itself gives after the checks: 2xx, or 409 for a state conflict).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Expect {
    Status(u16),
    Through,
}

fn expected(who: Who, c: Caller) -> Expect {
    use Caller::*;
    use Expect::*;
    if who == Who::Anyone {
        return Through;
    }
    if matches!(c, Anonymous | GarbageToken | RevokedToken | ExpiredToken) {
        return Status(401);
    }
    let project_scoped = matches!(
        who,
        Who::Member
            | Who::Worker
            | Who::Manager
            | Who::AdminOfProject
            | Who::Approver
            | Who::WaiverRevoker
    );
    // outsiders learn nothing: the same 404 as for a project that does not exist
    if project_scoped && matches!(c, NonMember | ScopedElsewhere) {
        return Status(404);
    }
    let allowed = match who {
        Who::Anyone | Who::LoggedIn => c != ScopedElsewhere,
        Who::Member => true,
        Who::Worker => matches!(c, Engineer | Qa | Pm | Admin),
        Who::Manager => matches!(c, Pm | Admin),
        Who::AdminOfProject | Who::Admin => c == Admin,
        Who::Approver => c == Qa,
        Who::TokenOwner => matches!(c, Pm | Admin),
        Who::WaiverRevoker => matches!(c, Qa | Pm | Admin),
    };
    match (allowed, who, c) {
        (true, ..) => Through,
        // a token limited to a project cannot act outside any project
        (false, Who::LoggedIn | Who::Admin | Who::TokenOwner, ScopedElsewhere) => Status(403),
        // somebody else's token is as absent as a token that does not exist
        (false, Who::TokenOwner, _) => Status(404),
        _ => Status(403),
    }
}

/// The table: every REST and browser route, who may use it, and a request
/// body that passes validation (so that only the caller decides the answer).
fn rest_row(method: &Method, path: &str) -> Option<(Who, Option<Value>)> {
    let ms = "/api/v1/projects/{code}/milestones/{ms}";
    let row = match (method.as_str(), path) {
        (
            "GET",
            "/healthz"
            | "/readyz"
            | "/metrics"
            | "/.well-known/attest-keys.json"
            | "/api/v1/openapi.json",
        ) => (Who::Anyone, None),
        ("POST", "/api/v1/projects") => (Who::Admin, Some(json!({"code": "NEWP", "name": "New"}))),
        ("GET", "/api/v1/projects/{code}")
        | ("GET", "/api/v1/projects/{code}/report")
        | ("GET", "/api/v1/projects/{code}/report.md") => (Who::Member, None),
        ("POST", "/api/v1/projects/{code}/milestones") => {
            (Who::Manager, Some(json!({"code": "M9", "title": "Nine"})))
        }
        ("POST", "/api/v1/projects/{code}/members") => (
            Who::Manager,
            Some(json!({"username": "viewer", "role": "viewer"})),
        ),
        ("POST", "/api/v1/projects/{code}/visibility") => {
            (Who::Manager, Some(json!({"public": false})))
        }
        ("POST", "/api/v1/projects/{code}/separation-of-duties") => {
            (Who::AdminOfProject, Some(json!({"enabled": true})))
        }
        ("POST", "/api/v1/projects/{code}/evidence") => (Who::Worker, None),
        ("GET", "/api/v1/evidence/{id}")
        | ("GET", "/api/v1/evidence/{id}/file")
        | ("GET", "/api/v1/evidence/{id}/details") => (Who::Member, None),
        ("GET", "/api/v1/certificates/{number}")
        | ("GET", "/api/v1/certificates/{number}/export")
        | ("GET", "/api/v1/certificates/{number}/export.md")
        | ("GET", "/api/v1/certificates/{number}/export.pdf")
        | ("GET", "/api/v1/certificates/{number}/in-toto.json")
        | ("GET", "/api/v1/certificates/{number}/bundle") => (Who::Member, None),
        ("POST", "/api/v1/certificates/{number}/revoke") => {
            (Who::Manager, Some(json!({"reason": "matrix"})))
        }
        ("GET", "/api/v1/projects/{code}/members") => (Who::Member, None),
        ("DELETE", "/api/v1/projects/{code}/members/{username}") => (Who::Manager, None),
        ("POST", "/api/v1/projects/{code}/describe") => {
            (Who::Manager, Some(json!({"description": "matrix"})))
        }
        ("GET", "/api/v1/users") => (Who::Admin, None),
        ("POST", "/api/v1/users") => (
            Who::Admin,
            Some(json!({"username": "newuser", "password": "password-123"})),
        ),
        ("POST", "/api/v1/users/{username}/disable")
        | ("POST", "/api/v1/users/{username}/enable") => (Who::Admin, Some(json!({}))),
        ("POST", "/api/v1/users/{username}/admin") => (Who::Admin, Some(json!({"admin": true}))),
        ("POST", "/api/v1/users/{username}/password") => {
            (Who::Admin, Some(json!({"password": "password-456"})))
        }
        ("GET", "/api/v1/tokens") => (Who::LoggedIn, None),
        ("GET", "/api/v1/templates")
        | ("GET", "/api/v1/templates/{slug}")
        | ("GET", "/api/v1/templates/{slug}/export.md") => (Who::LoggedIn, None),
        ("POST", "/api/v1/templates") => (
            Who::Admin,
            Some(json!({"slug": "matrix", "markdown": "- [ ] a"})),
        ),
        ("GET", "/api/v1/projects/{code}/templates")
        | ("GET", "/api/v1/projects/{code}/templates/{slug}")
        | ("GET", "/api/v1/projects/{code}/templates/{slug}/export.md") => (Who::Member, None),
        ("POST", "/api/v1/projects/{code}/templates") => (
            Who::Manager,
            Some(json!({"slug": "matrix", "markdown": "- [ ] a"})),
        ),
        ("POST", p) if p == format!("{ms}/checklists/from-template") => {
            (Who::Manager, Some(json!({"template": "deploy-playbook"})))
        }
        ("DELETE", "/api/v1/tokens/{id}") | ("POST", "/api/v1/tokens/{id}/revoke") => {
            (Who::TokenOwner, Some(json!({})))
        }
        // the browser's own routes are checked with sessions below
        ("POST", "/p/{code}/m/{ms}/evidence")
        | ("POST", "/p/{code}/m/{ms}/audits")
        | ("GET", "/evidence/{id}/file") => return None,
        // the report goes as text/markdown (see `call`)
        ("POST", p) if p == format!("{ms}/audits") => (Who::Worker, None),
        ("GET", p)
            if p == format!("{ms}/audits/{{id}}")
                || p == format!("{ms}/audits/{{id}}/export.md") =>
        {
            (Who::Member, None)
        }
        ("POST", p) if p == format!("{ms}/audits/{{id}}/claims/{{n}}") => {
            // the first allowed caller moves the version on: the rest meet a 409
            (Who::Worker, Some(json!({"target": "none", "version": 1})))
        }
        ("GET", p) if p == ms || p == format!("{ms}/history") => (Who::Member, None),
        ("POST", p) if p == format!("{ms}/tasks") => (
            Who::Manager,
            Some(json!({"code": "M1-09", "title": "Nine"})),
        ),
        ("POST", p) if p == format!("{ms}/tasks/{{task}}/complete") => {
            (Who::Worker, Some(json!({})))
        }
        ("POST", p) if p == format!("{ms}/checklists") => (
            Who::Manager,
            Some(json!({"title": "t", "sections": [{"title": "", "items": [{"text": "a"}]}]})),
        ),
        ("POST", p)
            if p == format!("{ms}/checklists/{{id}}/items/{{item}}/tick")
                || p == format!("{ms}/checklists/{{id}}/items/{{item}}/untick") =>
        {
            (Who::Worker, Some(json!({})))
        }
        ("POST", p) if p == format!("{ms}/criteria") => (
            Who::Manager,
            Some(
                json!({"code": "C9", "title": "t", "metric": "tests.pass_rate", "op": ">=", "target": 1}),
            ),
        ),
        ("POST", p) if p == format!("{ms}/signoff-roles") => (
            Who::Manager,
            Some(json!({"role": "Ops", "approver": "eng"})),
        ),
        ("POST", p) if p == format!("{ms}/signoffs") => (
            Who::Approver,
            Some(json!({"role": "QA lead", "decision": "approve", "state_digest": "0".repeat(64)})),
        ),
        ("POST", p) if p == format!("{ms}/certificate") => (Who::Manager, Some(json!({}))),
        ("POST", p) if p == format!("{ms}/release") => (Who::Manager, Some(json!({}))),
        ("POST", p) if p == format!("{ms}/checkpoints") => (
            Who::Manager,
            Some(json!({"offsets": ["2h"], "grace": "30m"})),
        ),
        ("POST", p) if p == format!("{ms}/waivers") => (
            Who::Approver,
            Some(
                json!({"criterion": "C1", "role": "QA lead", "reason": "matrix", "until": in_days(30), "state_digest": "0".repeat(64)}),
            ),
        ),
        ("POST", p) if p == format!("{ms}/waivers/{{waiver}}/revoke") => {
            (Who::WaiverRevoker, Some(json!({"reason": "matrix"})))
        }
        ("POST", p) if p == format!("{ms}/reopen") => {
            (Who::Manager, Some(json!({"reason": "matrix"})))
        }
        ("POST", p) if p == format!("{ms}/edit") => (
            Who::Manager,
            Some(json!({"version": 1, "title": "Renamed"})),
        ),
        ("POST", p) if p == format!("{ms}/tasks/{{task}}/edit") => (
            Who::Manager,
            Some(json!({"version": 1, "title": "Renamed"})),
        ),
        ("POST", p)
            if p == format!("{ms}/tasks/{{task}}/move")
                || p == format!("{ms}/checklists/{{id}}/move")
                || p == format!("{ms}/checklists/{{id}}/items/{{item}}/move") =>
        {
            (
                Who::Manager,
                Some(json!({"version": 1, "direction": "down"})),
            )
        }
        ("POST", p) if p == format!("{ms}/checklists/{{id}}/edit") => (
            Who::Manager,
            Some(json!({"version": 1, "title": "Renamed"})),
        ),
        ("POST", p) if p == format!("{ms}/checklists/{{id}}/items/{{item}}/edit") => {
            (Who::Manager, Some(json!({"version": 1, "text": "renamed"})))
        }
        ("POST", p) if p == format!("{ms}/criteria/{{criterion}}/edit") => {
            (Who::Manager, Some(json!({"version": 1, "target": 99})))
        }
        ("POST", p) if p == format!("{ms}/signoff-roles/{{role}}/edit") => {
            // the same name: the row must still be there for every caller
            (Who::Manager, Some(json!({"version": 1, "role": "QA lead"})))
        }
        ("POST", "/api/v1/evidence/{id}/withdraw") => {
            (Who::Worker, Some(json!({"reason": "matrix"})))
        }
        _ => return None,
    };
    Some(row)
}

const BROWSER_ROUTES: [(&str, &str); 5] = [
    ("POST", "/p/{code}/m/{ms}/evidence"),
    ("POST", "/p/{code}/m/{ms}/audits"),
    ("GET", "/evidence/{id}/file"),
    ("GET", "/live/p/{code}"),
    ("GET", "/live/p/{code}/m/{ms}"),
];

/// A project WM (M1 certified, M2 with a checklist), a project OTHER, and a
/// token for every kind of caller.
struct Fixture {
    w: World,
    number: String,
    evidence: i64,
    checklist: i64,
    item: i64,
    /// A waiver qa granted on M2.
    waiver: i64,
    /// A claims audit of M1 with one claim.
    audit: i64,
    victim_token: i64,
    tokens: Vec<(Caller, Option<String>)>,
}

async fn fixture() -> Fixture {
    let w = World::new().await;
    let number = w.certify("all tests pass", "ship").await;
    let m = w.milestone().await;
    let evidence = m["evidence"][0]["id"].as_i64().unwrap();
    let pool = &w.app.state.pool;
    let ok = |r: &Reply| {
        assert!(
            r.status.is_success(),
            "{}",
            String::from_utf8_lossy(&r.bytes)
        )
    };
    ok(&w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Two"}),
        )
        .await);
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/checklists",
            json!({"title": "Pre-deploy", "sections": [{"title": "", "items": [{"text": "backup"}]}]}),
        )
        .await;
    ok(&r);
    let checklist = r.json()["id"].as_i64().unwrap();
    let item: i64 = sqlx::query_scalar("select id from checklist_items where checklist_id = $1")
        .bind(checklist)
        .fetch_one(pool)
        .await
        .unwrap();
    // a criterion of M2 without evidence, waived by qa as M2's QA lead
    ok(&w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/criteria",
            json!({"code": "C1", "title": "t", "metric": "tests.pass_rate", "op": ">=", "target": 1}),
        )
        .await);
    ok(&w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/signoff-roles",
            json!({"role": "QA lead", "approver": "qa"}),
        )
        .await);
    let seen = w
        .app
        .get(Some(&w.qa), "/api/v1/projects/WM/milestones/M2")
        .await
        .json();
    let r = w
        .app
        .post(
            Some(&w.qa),
            "/api/v1/projects/WM/milestones/M2/waivers",
            json!({"criterion": "C1", "role": "QA lead", "reason": "matrix", "until": in_days(30), "state_digest": seen["state_digest"]}),
        )
        .await;
    ok(&r);
    let waiver = r.json()["id"].as_i64().unwrap();
    let r = w
        .app
        .send(
            Request::post("/api/v1/projects/WM/milestones/M1/audits")
                .header(header::AUTHORIZATION, format!("Bearer {}", w.pm))
                .header(header::CONTENT_TYPE, "text/markdown")
                .body(Body::from("- ✅ 测试覆盖率 92%\n"))
                .unwrap(),
        )
        .await;
    ok(&r);
    let audit = r.json()["id"].as_i64().unwrap();
    ok(&w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects",
            json!({"code": "OTHER", "name": "Other"}),
        )
        .await);
    ok(&w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects/OTHER/members",
            json!({"username": "pm", "role": "pm"}),
        )
        .await);
    w.app.user("outsider", false).await;
    // the account the user and member routes act on
    w.app.user("victim", false).await;
    ok(&w
        .app
        .post(
            Some(&w.admin),
            "/api/v1/projects/WM/members",
            json!({"username": "victim", "role": "viewer"}),
        )
        .await);
    let token = |user: &'static str, project: Option<&'static str>, expires: Option<i64>| async move {
        tokens::create(
            pool,
            user,
            TokenRequest {
                project,
                name: "matrix",
                scopes: Scopes::all(),
                expires_in_days: expires,
            },
            None,
        )
        .await
        .unwrap()
    };
    let revoked = token("pm", None, None).await;
    tokens::revoke(pool, None, revoked.id).await.unwrap();
    let expired = token("pm", None, Some(1)).await;
    sqlx::query("update api_tokens set expires_at = '2001-01-01T00:00:00Z' where id = $1")
        .bind(expired.id)
        .execute(pool)
        .await
        .unwrap();
    let victim = token("pm", None, None).await;
    let tokens = vec![
        (Caller::Anonymous, None),
        (
            Caller::GarbageToken,
            Some(
                "att_0000000000000000000000000000000000000000000000000000000000000000".to_string(),
            ),
        ),
        (Caller::RevokedToken, Some(revoked.secret)),
        (Caller::ExpiredToken, Some(expired.secret)),
        (
            Caller::NonMember,
            Some(token("outsider", None, None).await.secret),
        ),
        (
            Caller::ScopedElsewhere,
            Some(token("pm", Some("OTHER"), None).await.secret),
        ),
        (Caller::Viewer, Some(w.viewer.clone())),
        (Caller::Engineer, Some(w.eng.clone())),
        (Caller::Qa, Some(w.qa.clone())),
        (Caller::Pm, Some(w.pm.clone())),
        (Caller::Admin, Some(w.admin.clone())),
    ];
    Fixture {
        w,
        number,
        evidence,
        checklist,
        item,
        waiver,
        audit,
        victim_token: victim.id,
        tokens,
    }
}

impl Fixture {
    fn fill(&self, path: &str) -> String {
        let ms = if path.contains("/checklists/{id}") || path.contains("/waivers/{waiver}") {
            "M2"
        } else {
            "M1"
        };
        path.replace("{code}", "WM")
            .replace("{ms}", ms)
            .replace("{task}", "M1-01")
            .replace("{criterion}", "C1")
            .replace("{role}", "QA%20lead")
            .replace("{number}", &self.number)
            .replace("{item}", &self.item.to_string())
            .replace("{waiver}", &self.waiver.to_string())
            .replace("{username}", "victim")
            .replace("{slug}", "deploy-playbook")
            .replace("{n}", "0")
            .replace(
                "{id}",
                &if path.contains("/tokens/") {
                    self.victim_token
                } else if path.contains("/checklists/") {
                    self.checklist
                } else if path.contains("/audits/") {
                    self.audit
                } else {
                    self.evidence
                }
                .to_string(),
            )
    }

    async fn call(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> Reply {
        let uri = self.fill(path);
        let mut b = Request::builder().method(method.clone()).uri(&uri);
        if let Some(t) = token {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = if uri.ends_with("/audits") && *method == Method::POST {
            b.header(header::CONTENT_TYPE, "text/markdown")
                .body(Body::from("- ✅ 测试覆盖率 92%\n"))
                .unwrap()
        } else if uri.ends_with("/evidence") && *method == Method::POST {
            let xml = junit(3, 0);
            let (ct, bytes) =
                multipart(&[("milestone", "M2")], Some(("junit.xml", xml.as_bytes())));
            b.header(header::CONTENT_TYPE, ct)
                .body(Body::from(bytes))
                .unwrap()
        } else if let Some(v) = body {
            b.header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(v.to_string()))
                .unwrap()
        } else {
            b.body(Body::empty()).unwrap()
        };
        self.w.app.send(req).await
    }
}

/// A day `days` from today, as a date field takes it.
fn in_days(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

fn passed(expect: Expect, r: &Reply) -> bool {
    match expect {
        Expect::Status(s) => r.status.as_u16() == s,
        Expect::Through => r.status.is_success() || r.status == StatusCode::CONFLICT,
    }
}

#[tokio::test]
async fn every_route_has_a_row() {
    let app = TestApp::new().await;
    let missing: Vec<String> = server::route_list(app.state.clone())
        .iter()
        .filter(|(m, p)| {
            rest_row(m, p).is_none() && !BROWSER_ROUTES.contains(&(m.as_str(), p.as_str()))
        })
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorization matrix: {missing:?}"
    );
    let fns: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(p, _)| server_fn_row(p).is_none())
        .map(|(p, m)| format!("{m} {p}"))
        .collect();
    assert!(
        fns.is_empty(),
        "server functions without a row in the authorization matrix: {fns:?}"
    );
}

#[tokio::test]
async fn every_rest_route_answers_every_caller_as_the_table_says() {
    let f = fixture().await;
    let routes = server::route_list(f.w.app.state.clone());
    let mut wrong = Vec::new();
    let mut checked = 0;
    for (method, path) in &routes {
        let Some((who, body)) = rest_row(method, path) else {
            continue;
        };
        for caller in CALLERS {
            let token = f
                .tokens
                .iter()
                .find(|(c, _)| *c == caller)
                .and_then(|(_, t)| t.as_deref());
            let expect = expected(who, caller);
            let r = f.call(method, path, body.as_ref(), token).await;
            checked += 1;
            if !passed(expect, &r) {
                wrong.push(format!(
                    "{method} {path} as {caller:?}: expected {expect:?}, got {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.bytes)
                        .chars()
                        .take(160)
                        .collect::<String>()
                ));
            }
        }
    }
    assert!(
        checked >= 30 * CALLERS.len(),
        "only {checked} cells checked"
    );
    assert!(
        wrong.is_empty(),
        "{} of {checked} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The callers of the browser: a session for each account, or none.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Session {
    Anonymous,
    NonMember,
    Viewer,
    Engineer,
    Qa,
    Pm,
    Admin,
}

const SESSIONS: [(Session, &str); 7] = [
    (Session::Anonymous, ""),
    (Session::NonMember, "outsider"),
    (Session::Viewer, "viewer"),
    (Session::Engineer, "eng"),
    (Session::Qa, "qa"),
    (Session::Pm, "pm"),
    (Session::Admin, "admin"),
];

fn as_caller(s: Session) -> Caller {
    match s {
        Session::Anonymous => Caller::Anonymous,
        Session::NonMember => Caller::NonMember,
        Session::Viewer => Caller::Viewer,
        Session::Engineer => Caller::Engineer,
        Session::Qa => Caller::Qa,
        Session::Pm => Caller::Pm,
        Session::Admin => Caller::Admin,
    }
}

/// The server functions: who may call each, and form arguments that pass validation.
fn server_fn_row(path: &str) -> Option<(Who, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_string();
    let row = match path.trim_start_matches("/api/") {
        "current_user" | "logout" | "verify_certificate" => {
            (Who::Anyone, vec![("number", s("{number}"))])
        }
        "login" => (
            Who::Anyone,
            vec![
                ("username", s("nobody")),
                ("password", s("wrong-password")),
                ("next", s("/")),
            ],
        ),
        "list_projects" | "list_tokens" | "get_time_zone" => (Who::LoggedIn, vec![]),
        "set_time_zone" => (Who::LoggedIn, vec![("time_zone", s("Asia/Shanghai"))]),
        "set_language" => (Who::Anyone, vec![("lang", s("zh-Hans")), ("next", s("/"))]),
        "create_token" => (Who::LoggedIn, vec![("name", s("matrix"))]),
        "revoke_token" => (Who::TokenOwner, vec![("id", s("{token}"))]),
        "get_evidence" | "get_evidence_details" => (Who::Member, vec![("id", s("{evidence}"))]),
        "get_certificate" => (Who::Member, vec![("number", s("{number}"))]),
        "revoke_certificate" => (
            Who::Manager,
            vec![
                ("number", s("{number}")),
                ("reason", s("matrix")),
                ("confirm", s("yes")),
            ],
        ),
        "get_milestone" | "get_history" => (
            Who::Member,
            vec![("project", s("WM")), ("milestone", s("M1"))],
        ),
        "get_project" | "get_project_report" => (Who::Member, vec![("code", s("WM"))]),
        "tick_item" => (
            Who::Worker,
            vec![
                ("project", s("WM")),
                ("item", s("{item}")),
                ("tick", s("true")),
            ],
        ),
        "complete_task" => (
            Who::Worker,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("task", s("M1-01")),
            ],
        ),
        "add_task" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("code", s("M2-01")),
                ("title", s("t")),
                ("owner", s("")),
            ],
        ),
        "add_checklist" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("title", s("t")),
                ("items", s("a")),
            ],
        ),
        "get_templates" => (Who::Member, vec![("code", s("WM"))]),
        "save_template" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("slug", s("matrix")),
                ("lang", s("en")),
                ("markdown", s("- [ ] a")),
            ],
        ),
        "apply_template" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("template", s("deploy-playbook")),
            ],
        ),
        "add_criterion" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("code", s("C9")),
                ("title", s("t")),
                ("metric", s("tests.pass_rate")),
                ("op", s(">=")),
                ("target", s("1")),
            ],
        ),
        "set_signoff_role" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("role", s("Ops")),
                ("approver", s("eng")),
            ],
        ),
        "sign" => (
            Who::Approver,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("role", s("QA lead")),
                ("decision", s("approve")),
                ("comment", s("")),
                ("state_digest", "0".repeat(64)),
            ],
        ),
        "waive" => (
            Who::Approver,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("criterion", s("C1")),
                ("role", s("QA lead")),
                ("reason", s("matrix")),
                ("until", in_days(30)),
                ("state_digest", "0".repeat(64)),
            ],
        ),
        "record_release" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("confirm", s("yes")),
            ],
        ),
        "add_checkpoints" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("offsets", s("2h")),
                ("grace", s("30m")),
            ],
        ),
        "revoke_waiver" => (
            Who::WaiverRevoker,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("waiver", s("{waiver}")),
                ("reason", s("matrix")),
            ],
        ),
        "issue_certificate" => (
            Who::Manager,
            vec![("project", s("WM")), ("milestone", s("M1"))],
        ),
        "create_milestone" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("code", s("M8")),
                ("title", s("t")),
                ("goal", s("")),
            ],
        ),
        "set_project_public" => (Who::Manager, vec![("project", s("WM"))]),
        "list_users" | "list_all_projects" => (Who::Admin, vec![]),
        "add_user" => (
            Who::Admin,
            vec![
                ("username", s("newuser")),
                ("display_name", s("")),
                ("password", s("password-123")),
            ],
        ),
        "set_user_disabled" => (
            Who::Admin,
            vec![("username", s("victim")), ("disabled", s("true"))],
        ),
        "set_user_admin" => (
            Who::Admin,
            vec![("username", s("victim")), ("admin", s("true"))],
        ),
        "reset_password" => (
            Who::Admin,
            vec![("username", s("victim")), ("password", s("password-456"))],
        ),
        "create_project" => (
            Who::Admin,
            vec![
                ("code", s("NEWQ")),
                ("name", s("New")),
                ("description", s("")),
            ],
        ),
        "describe_project" => (
            Who::Manager,
            vec![("project", s("WM")), ("description", s("matrix"))],
        ),
        "get_members" => (Who::Member, vec![("code", s("WM"))]),
        "add_member" | "change_member_role" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("username", s("victim")),
                ("role", s("engineer")),
            ],
        ),
        "remove_member" => (
            Who::Manager,
            vec![("project", s("WM")), ("username", s("victim"))],
        ),
        "reopen_milestone" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("reason", s("matrix")),
                ("confirm", s("yes")),
            ],
        ),
        "edit_milestone" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("version", s("1")),
                ("title", s("Two")),
                ("goal", s("")),
                ("planned_start", s("")),
                ("planned_end", s("")),
            ],
        ),
        "edit_task" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("task", s("M1-01")),
                ("version", s("1")),
                ("title", s("t")),
                ("description", s("")),
            ],
        ),
        "move_task" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("task", s("M1-01")),
                ("version", s("1")),
                ("direction", s("up")),
            ],
        ),
        "edit_checklist" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("checklist", s("{checklist}")),
                ("version", s("1")),
                ("title", s("t")),
            ],
        ),
        "move_checklist" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("checklist", s("{checklist}")),
                ("version", s("1")),
                ("direction", s("up")),
            ],
        ),
        "edit_item" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("checklist", s("{checklist}")),
                ("item", s("{item}")),
                ("version", s("1")),
                ("text", s("t")),
            ],
        ),
        "move_item" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M2")),
                ("checklist", s("{checklist}")),
                ("item", s("{item}")),
                ("version", s("1")),
                ("direction", s("up")),
            ],
        ),
        "edit_criterion" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("criterion", s("C1")),
                ("version", s("1")),
                ("title", s("t")),
                ("metric", s("tests.pass_rate")),
                ("op", s(">=")),
                ("target", s("1")),
            ],
        ),
        "rename_signoff_role" => (
            Who::Manager,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("role", s("QA lead")),
                ("version", s("1")),
                ("new_name", s("QA lead")),
            ],
        ),
        "withdraw_evidence" => (
            Who::Worker,
            vec![("id", s("{evidence}")), ("reason", s("matrix"))],
        ),
        "list_audits" => (
            Who::Member,
            vec![("project", s("WM")), ("milestone", s("M1"))],
        ),
        "get_audit" => (
            Who::Member,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("audit", s("{audit}")),
            ],
        ),
        "create_audit" => (
            Who::Worker,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("title", s("matrix")),
                ("text", s("- ✅ 测试覆盖率 92%")),
            ],
        ),
        "map_claim" => (
            Who::Worker,
            vec![
                ("project", s("WM")),
                ("milestone", s("M1")),
                ("audit", s("{audit}")),
                ("claim", s("0")),
                ("target", s("none")),
                ("version", s("1")),
            ],
        ),
        _ => return None,
    };
    Some(row)
}

async fn login(app: &TestApp, user: &str) -> String {
    let body = serde_urlencoded::to_string([
        ("username", user),
        ("password", "password-123"),
        ("next", "/"),
    ])
    .unwrap();
    let r = app
        .send(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert!(
        r.status.is_success() || r.status.is_redirection(),
        "log-in of {user}: {}",
        r.status
    );
    r.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// A session cookie for every account (none for the anonymous caller).
async fn sessions(app: &TestApp) -> Vec<(Session, Option<String>)> {
    let mut cookies = Vec::new();
    for (s, user) in SESSIONS {
        let cookie = if user.is_empty() {
            None
        } else {
            Some(login(app, user).await)
        };
        cookies.push((s, cookie));
    }
    cookies
}

#[tokio::test]
async fn every_server_function_and_browser_route_answers_every_session_as_the_table_says() {
    let f = fixture().await;
    let app = &f.w.app;
    let cookies = sessions(app).await;
    let mut wrong = Vec::new();
    let mut checked = 0;
    let fns: Vec<&'static str> = leptos::server_fn::axum::server_fn_paths()
        .map(|(p, _)| p)
        // logging out would end the session the next rows need; it is covered by the browser suite
        .filter(|p| !p.ends_with("/logout"))
        .collect();
    for path in fns {
        let (who, args) = server_fn_row(path).unwrap_or_else(|| panic!("no row for {path}"));
        let args: Vec<(&str, String)> = args
            .into_iter()
            .map(|(k, v)| {
                let v = v
                    .replace("{number}", &f.number)
                    .replace("{evidence}", &f.evidence.to_string())
                    .replace("{item}", &f.item.to_string())
                    .replace("{waiver}", &f.waiver.to_string())
                    .replace("{audit}", &f.audit.to_string())
                    .replace("{checklist}", &f.checklist.to_string())
                    .replace("{token}", &f.victim_token.to_string());
                (k, v)
            })
            .collect();
        let body = serde_urlencoded::to_string(&args).unwrap();
        for (s, cookie) in &cookies {
            let mut expect = expected(who, as_caller(*s));
            let mut body = body.clone();
            if path.ends_with("/login") {
                // a wrong password is refused the same way for everyone (a
                // different unknown account each time, below the throttle)
                expect = Expect::Status(401);
                body = body.replace("nobody", &format!("nobody-{s:?}").to_lowercase());
            }
            let mut b = Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin");
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            let r = app.send(b.body(Body::from(body)).unwrap()).await;
            checked += 1;
            if !passed(expect, &r) {
                wrong.push(format!(
                    "{path} as {s:?}: expected {expect:?}, got {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.bytes)
                        .chars()
                        .take(160)
                        .collect::<String>()
                ));
            }
        }
    }
    for (method, path) in BROWSER_ROUTES {
        for (s, cookie) in &cookies {
            let uri = f.fill(path);
            let mut b = Request::builder()
                .method(method)
                .uri(&uri)
                .header(header::ACCEPT, "application/json")
                .header("sec-fetch-site", "same-origin");
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            let req = if method == "POST" {
                let xml = junit(3, 0);
                let (ct, bytes) = multipart(&[], Some(("junit.xml", xml.as_bytes())));
                b.header(header::CONTENT_TYPE, ct)
                    .body(Body::from(bytes))
                    .unwrap()
            } else {
                b.body(Body::empty()).unwrap()
            };
            let who = if method == "POST" {
                Who::Worker
            } else {
                Who::Member
            };
            let expect = expected(who, as_caller(*s));
            let r = if path.starts_with("/live/") {
                // a stream answers with its status at once and stays open: read no body
                let res = app.router.clone().oneshot(req).await.unwrap();
                Reply {
                    status: res.status(),
                    headers: res.headers().clone(),
                    bytes: Vec::new(),
                }
            } else {
                app.send(req).await
            };
            checked += 1;
            // a download link followed without a session leads to the log-in page
            let to_login = method == "GET"
                && *s == Session::Anonymous
                && r.status == StatusCode::SEE_OTHER
                && r.headers[header::LOCATION]
                    .to_str()
                    .unwrap()
                    .starts_with("/login");
            if !(passed(expect, &r) || to_login) {
                wrong.push(format!(
                    "{method} {path} as {s:?}: expected {expect:?}, got {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.bytes)
                        .chars()
                        .take(160)
                        .collect::<String>()
                ));
            }
        }
    }
    assert!(
        checked >= 20 * SESSIONS.len(),
        "only {checked} cells checked"
    );
    assert!(
        wrong.is_empty(),
        "{} of {checked} cells differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The pages: which sessions may see a page's private content. A page is
/// always answered (the HTML shell renders), so the check is what it shows:
/// members see the project's name, everyone else sees neither the name nor
/// any of its files.
fn page_row(path: &str) -> Option<Who> {
    Some(match path {
        "/" | "/login" | "/verify/{number}" => Who::Anyone,
        "/account" | "/account/tokens" => Who::LoggedIn,
        "/admin/users" | "/admin/projects" => Who::Admin,
        "/p/{code}"
        | "/p/{code}/report"
        | "/p/{code}/members"
        | "/p/{code}/templates"
        | "/p/{code}/m/{ms}"
        | "/p/{code}/m/{ms}/history"
        | "/p/{code}/m/{ms}/audits"
        | "/p/{code}/m/{ms}/audits/{id}"
        | "/evidence/{id}"
        | "/certificates/{number}" => Who::Member,
        _ => return None,
    })
}

#[tokio::test]
async fn every_page_shows_private_content_only_to_members() {
    let f = fixture().await;
    let app = &f.w.app;
    let pages: Vec<String> = server::page_routes()
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    let missing: Vec<&String> = pages.iter().filter(|p| page_row(p).is_none()).collect();
    assert!(
        missing.is_empty(),
        "pages without a row in the authorization matrix: {missing:?}"
    );
    let cookies = sessions(app).await;
    let mut wrong = Vec::new();
    for path in &pages {
        let who = page_row(path).unwrap_or(Who::Anyone);
        if who != Who::Member {
            continue;
        }
        let uri = path
            .replace("{code}", "WM")
            .replace("{ms}", "M1")
            .replace("/audits/{id}", &format!("/audits/{}", f.audit))
            .replace("{id}", &f.evidence.to_string())
            .replace("{number}", &f.number);
        for (s, cookie) in &cookies {
            let mut b = Request::get(&uri).header(header::ACCEPT, "text/html");
            if let Some(c) = cookie {
                b = b.header(header::COOKIE, c);
            }
            let r = app.send(b.body(Body::empty()).unwrap()).await;
            let html = String::from_utf8_lossy(&r.bytes).to_string();
            let member = expected(who, as_caller(*s)) == Expect::Through;
            let shows = html.contains("WeMaster") || html.contains("junit.xml");
            if r.status.is_server_error() || shows != member {
                wrong.push(format!(
                    "{uri} as {s:?}: status {}, private content shown: {shows}, expected: {member}",
                    r.status
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
