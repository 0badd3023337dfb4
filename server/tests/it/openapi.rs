//! Issue 11, item 7: the OpenAPI document at `/api/v1/openapi.json` names
//! exactly the routes the router serves for programs, each operation's path
//! parameters are the ones in its path, every `$ref` resolves, protected
//! operations say which token scope they need, and real answers from the
//! router validate against the schemas the document gives for them.

use crate::common;

use common::World;
use serde_json::{json, Value};
use std::collections::BTreeSet;

async fn document(w: &World) -> Value {
    let r = w.app.get(None, "/api/v1/openapi.json").await;
    assert_eq!(r.status, 200, "the document is public");
    r.json()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for m in METHODS {
            if let Some(op) = item.get(m) {
                out.push((m.to_uppercase(), path.clone(), op.clone()));
            }
        }
    }
    out
}

#[tokio::test]
async fn the_document_names_every_route_the_router_serves_and_no_other() {
    let w = World::new().await;
    let doc = document(&w).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let documented: BTreeSet<(String, String)> = operations(&doc)
        .into_iter()
        .map(|(m, p, _)| (m, p))
        .collect();
    let served: BTreeSet<(String, String)> = server::service_route_list(w.app.state.clone())
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    let missing: Vec<_> = served.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "served but not documented: {missing:#?}"
    );
    assert!(extra.is_empty(), "documented but not served: {extra:#?}");
    assert!(served.len() > 50, "{}", served.len());
}

#[tokio::test]
async fn each_operation_declares_its_path_parameters_scope_and_answers() {
    let w = World::new().await;
    let doc = document(&w).await;
    let public = [
        "/healthz",
        "/readyz",
        "/metrics",
        "/.well-known/attest-keys.json",
        "/api/v1/openapi.json",
    ];
    let scopes = ["read", "evidence:write", "tasks:write", "manage", "signoff"];
    for (method, path, op) in operations(&doc) {
        let what = format!("{method} {path}");
        // the {placeholders} of the path are exactly its path parameters
        let in_path: BTreeSet<String> = path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(str::to_string)
            .collect();
        let declared: BTreeSet<String> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(in_path, declared, "{what}: path parameters");
        // a tag, a summary from the handler's doc comment, a success answer
        assert!(op["tags"][0].is_string(), "{what}: no tag");
        assert!(
            op["summary"].as_str().is_some_and(|s| !s.is_empty()),
            "{what}: no summary"
        );
        let responses = op["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{what}: no success answer"
        );
        if public.contains(&path.as_str()) {
            assert!(op.get("security").is_none(), "{what} is public");
            continue;
        }
        assert!(responses.contains_key("4XX"), "{what}: no error answer");
        let security = op["security"]
            .as_array()
            .unwrap_or_else(|| panic!("{what}: no security"));
        let token = security
            .iter()
            .find_map(|s| s.get("token"))
            .unwrap_or_else(|| panic!("{what}: no token scope"));
        assert_eq!(token.as_array().unwrap().len(), 1, "{what}");
        assert!(
            scopes.contains(&token[0].as_str().unwrap()),
            "{what}: {token}"
        );
    }
}

#[tokio::test]
async fn every_reference_in_the_document_resolves() {
    let w = World::new().await;
    let doc = document(&w).await;
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(all.len() > 20, "{}", all.len());
    for r in all {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("unexpected $ref {r}"));
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "$ref {r} does not resolve"
        );
    }
}

/// Validates `instance` against the schema the document gives for the
/// `status` answer of `method path`.
fn check(doc: &Value, method: &str, path: &str, status: &str, instance: &Value) {
    let errors = errors(doc, method, path, status, instance);
    assert!(
        errors.is_empty(),
        "{method} {path}: the answer does not match the document:\n{}",
        errors.join("\n")
    );
}

fn errors(doc: &Value, method: &str, path: &str, status: &str, instance: &Value) -> Vec<String> {
    let schema = doc["paths"][path][method]["responses"][status]["content"]["application/json"]
        ["schema"]
        .clone();
    assert!(
        schema.is_object(),
        "{method} {path} {status}: no JSON schema"
    );
    // the whole document as the root, so "#/components/schemas/…" resolves
    let mut root = doc.clone();
    let root_map = root.as_object_mut().unwrap();
    for (k, v) in schema.as_object().unwrap() {
        root_map.insert(k.clone(), v.clone());
    }
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&root)
        .unwrap_or_else(|e| panic!("{method} {path}: the schema does not compile: {e}"));
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[tokio::test]
async fn real_answers_validate_against_the_documented_schemas() {
    let w = World::new().await;
    let number = w.certify("Unit tests pass", "Ship").await;
    let doc = document(&w).await;
    let ms = "/api/v1/projects/{code}/milestones/{ms}";
    let get = |path: String| {
        let w = &w;
        async move {
            let r = w.app.get(Some(&w.pm), &path).await;
            assert_eq!(r.status, 200, "{path}: {}", r.error_message());
            r.json()
        }
    };
    check(
        &doc,
        "get",
        ms,
        "200",
        &get("/api/v1/projects/WM/milestones/M1".into()).await,
    );
    check(
        &doc,
        "get",
        &format!("{ms}/history"),
        "200",
        &get("/api/v1/projects/WM/milestones/M1/history".into()).await,
    );
    let project = get("/api/v1/projects/WM".into()).await;
    check(&doc, "get", "/api/v1/projects/{code}", "200", &project);
    // the check bites: a project is not a milestone, nor a milestone without its digest
    assert!(!errors(&doc, "get", ms, "200", &project).is_empty());
    let mut milestone = get("/api/v1/projects/WM/milestones/M1".into()).await;
    milestone.as_object_mut().unwrap().remove("state_digest");
    let missing = errors(&doc, "get", ms, "200", &milestone);
    assert!(
        missing.iter().any(|e| e.contains("state_digest")),
        "{missing:?}"
    );
    check(
        &doc,
        "get",
        "/api/v1/projects/{code}/report",
        "200",
        &get("/api/v1/projects/WM/report".into()).await,
    );
    check(
        &doc,
        "get",
        "/api/v1/projects/{code}/members",
        "200",
        &get("/api/v1/projects/WM/members".into()).await,
    );
    let cert = get(format!("/api/v1/certificates/{number}")).await;
    check(&doc, "get", "/api/v1/certificates/{number}", "200", &cert);
    check(
        &doc,
        "get",
        "/api/v1/certificates/{number}/export",
        "200",
        &get(format!("/api/v1/certificates/{number}/export")).await,
    );
    let evidence_id = cert["payload"]["evidence"][0]["id"].as_i64().unwrap();
    check(
        &doc,
        "get",
        "/api/v1/evidence/{id}",
        "200",
        &get(format!("/api/v1/evidence/{evidence_id}")).await,
    );
    check(
        &doc,
        "get",
        "/api/v1/evidence/{id}/details",
        "200",
        &get(format!("/api/v1/evidence/{evidence_id}/details")).await,
    );
    check(
        &doc,
        "get",
        "/api/v1/tokens",
        "200",
        &get("/api/v1/tokens".into()).await,
    );
    check(
        &doc,
        "get",
        "/.well-known/attest-keys.json",
        "200",
        &w.app
            .get(None, "/.well-known/attest-keys.json")
            .await
            .json(),
    );
    // an upload's answer and a refusal's (on a new milestone: M1 is certified)
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones",
            json!({"code": "M2", "title": "Next"}),
        )
        .await;
    assert_eq!(r.status, 201);
    check(
        &doc,
        "post",
        "/api/v1/projects/{code}/milestones",
        "201",
        &r.json(),
    );
    let r = w
        .app
        .upload(
            &w.eng,
            "WM",
            &[("milestone", "M2")],
            Some(("more.xml", common::junit(3, 1).as_bytes())),
        )
        .await;
    assert_eq!(r.status, 201);
    check(
        &doc,
        "post",
        "/api/v1/projects/{code}/evidence",
        "201",
        &r.json(),
    );
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/tasks",
            json!({"code": "M2-01", "title": "More"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.error_message());
    check(&doc, "post", &format!("{ms}/tasks"), "201", &r.json());
    let r = w
        .app
        .post(
            Some(&w.pm),
            "/api/v1/projects/WM/milestones/M2/tasks",
            json!({"code": "M2-01", "title": "Again"}),
        )
        .await;
    assert_eq!(r.status, 409);
    check(&doc, "post", &format!("{ms}/tasks"), "4XX", &r.json());
}
