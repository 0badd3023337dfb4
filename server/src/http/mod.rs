//! HTTP plumbing shared by the REST API and the browser's upload and
//! download routes: how an [`AppError`](app::error::AppError) is answered
//! ([`error`]) and how a request names its caller and body ([`extract`]).
//! Nothing here decides who may do what: that is `app::ssr`'s job, except
//! the token scope a route names as a type, which is transport.

pub mod error;
pub mod extract;
pub mod prefer;

pub use error::{ApiError, ApiResult};
pub use extract::{need, session_actor, ApiActor, ApiJson, RouteScope};
pub use prefer::Prefer;
