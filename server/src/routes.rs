//! A router that remembers its routes. Every REST and browser route is added
//! through [`Routes`], so the list of (method, path) pairs comes from the
//! router itself: the authorization matrix test walks it, and a route added
//! without a row in that test's table fails it.

use axum::handler::Handler;
use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;

/// An Axum router plus the (method, path) of every route in it.
pub struct Routes<S> {
    router: Router<S>,
    list: Vec<(Method, String)>,
}

impl<S: Clone + Send + Sync + 'static> Default for Routes<S> {
    fn default() -> Self {
        Routes {
            router: Router::new(),
            list: Vec::new(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Routes<S> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(path, Method::GET, axum::routing::get(handler))
    }

    pub fn post<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(path, Method::POST, axum::routing::post(handler))
    }

    pub fn delete<H: Handler<T, S>, T: 'static>(self, path: &str, handler: H) -> Self {
        self.add(path, Method::DELETE, axum::routing::delete(handler))
    }

    /// A route whose method router carries its own layers; `method` is the
    /// one method it answers.
    pub fn add(mut self, path: &str, method: Method, route: MethodRouter<S>) -> Self {
        self.list.push((method, path.to_string()));
        self.router = self.router.route(path, route);
        self
    }

    /// Nests `inner` under `prefix` (e.g. `/api/v1`).
    pub fn nest(mut self, prefix: &str, inner: Routes<S>) -> Self {
        self.list.extend(
            inner
                .list
                .into_iter()
                .map(|(m, p)| (m, format!("{prefix}{p}"))),
        );
        self.router = self.router.nest(prefix, inner.router);
        self
    }

    pub fn merge(mut self, other: Routes<S>) -> Self {
        self.list.extend(other.list);
        self.router = self.router.merge(other.router);
        self
    }

    /// Every (method, path) added, in the order added.
    pub fn list(&self) -> &[(Method, String)] {
        &self.list
    }

    pub fn into_router(self) -> Router<S> {
        self.router
    }
}
