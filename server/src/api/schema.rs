//! Types the OpenAPI document uses to describe the API (`openapi.rs`): the
//! error answer every refusal has, the path parameter sets the handlers'
//! `#[utoipa::path]` attributes share, `{"id"}` of something created, and
//! the upload form.

use serde::Serialize;
use utoipa::{IntoParams, IntoResponses, ToSchema};

/// Every refusal: `{"error":{"code","message"}}`, plus `gaps` (409 not
/// ready) or `field` (422 invalid input) when the error has them.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable machine code, e.g. `not_found`, `conflict`, `not_ready`.
    pub code: String,
    /// What went wrong and what to do, for people.
    pub message: String,
    /// 409 `not_ready`: what keeps the milestone from it.
    pub gaps: Option<Vec<String>>,
    /// 422 `invalid`: the input field at fault.
    pub field: Option<String>,
}

/// The refusals every operation may answer.
#[derive(IntoResponses)]
#[allow(dead_code)]
pub enum Errors {
    /// Bad input, not logged in, no right, unknown, conflict, not ready, too large, busy
    #[response(status = "4XX")]
    Client(ErrorBody),
    /// The server cannot do it now (storage not writable or full, no PDF font) or failed
    #[response(status = "5XX")]
    Server(ErrorBody),
}

/// `{"id": …}` of something created.
#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ProjectPath {
    /// The project's code, e.g. `WM`.
    code: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct MilestonePath {
    /// The project's code.
    code: String,
    /// The milestone's code, e.g. `M4`.
    ms: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct AuditPath {
    /// The project's code.
    code: String,
    /// The milestone's code, e.g. `M4`.
    ms: String,
    /// The claims audit's id.
    id: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ClaimPath {
    /// The project's code.
    code: String,
    /// The milestone's code, e.g. `M4`.
    ms: String,
    /// The claims audit's id.
    id: i64,
    /// The claim's index in the audit (`claims[].n`), from 0.
    n: usize,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct WaiverPath {
    /// The project's code.
    code: String,
    /// The milestone's code, e.g. `M4`.
    ms: String,
    /// The waiver's id.
    waiver: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct TaskPath {
    code: String,
    ms: String,
    /// The task's code, e.g. `M4-01`.
    task: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ChecklistPath {
    code: String,
    ms: String,
    /// The checklist's id.
    id: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ItemPath {
    code: String,
    ms: String,
    /// The checklist's id.
    id: i64,
    /// The item's id.
    item: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct CriterionPath {
    code: String,
    ms: String,
    /// The criterion's code, e.g. `C1`.
    criterion: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct RolePath {
    code: String,
    ms: String,
    /// The sign-off role's id.
    role: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct MemberPath {
    code: String,
    username: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct CertificatePath {
    /// The certificate's number, e.g. `WM-M3-20261123-001`.
    number: String,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct IdPath {
    id: i64,
}

#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct UserPath {
    username: String,
}

/// The upload form (multipart): the file and what it is evidence for.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The report (JUnit, coverage, SARIF, a scanner's JSON, a load test, an SBOM, …).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// The kind, when it should not be detected (e.g. `junit`, `cobertura`, `sarif`).
    kind: Option<String>,
    /// The milestone's code.
    milestone: String,
    /// A criterion of that milestone it is evidence for.
    criterion: Option<String>,
    /// A task it is evidence for.
    task: Option<String>,
    /// A checklist item's id it is evidence for.
    item: Option<i64>,
    /// When the evidence was produced (RFC 3339; bounded: not in the future, not before the project).
    effective_at: Option<String>,
    /// The commit it was produced from.
    commit: Option<String>,
    /// The CI run that produced it.
    ci_url: Option<String>,
}
