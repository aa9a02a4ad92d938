//! The JSON API under `/api/v1/`: read-only, over [`crate::query`], its
//! items the library's types (the JSON schema of [`crate::schema`]), its
//! OpenAPI 3.1 document at `/api/v1/openapi.json` ([`openapi`]).
//!
//! - Listings are pages `{items, next}` ([`crate::query::paging`]): pass
//!   `next` back as `cursor`; the next page's address is also in a
//!   `Link: <…>; rel="next"` header (RFC 8288).
//! - Errors are `application/problem+json` (RFC 9457, [`problem`]), the
//!   status from the error's kind.
//! - A capture's bytes and text never change: `ETag` and a year's
//!   `max-age`. Everything else carries an `ETag` of its body and is
//!   revalidated (`If-None-Match` gives 304).
//! - Only GET and HEAD (405 otherwise); unknown query parameters are 400.
//!   [`cors`] adds `Access-Control-Allow-Origin: *` to GET answers.

mod captures;
mod changes;
mod custody;
mod diff;
mod discover;
mod documents;
pub mod openapi;
mod params;
pub mod problem;
mod respond;

use std::sync::Arc;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;

use crate::web::app::App;

pub use problem::{ApiError, PROBLEM_JSON, Problem};

/// Where the API lives.
pub const PREFIX: &str = "/api/v1";

/// What API answers carry as their policy: nothing on the page may load
/// or run (a JSON body opened in a browser stays inert).
const CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The API's routes (merged into [`super::http::router`]).
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/api/v1/openapi.json", get(openapi::serve))
        .route("/api/v1/documents", get(documents::list))
        .route("/api/v1/documents/{name}", get(documents::one))
        .route(
            "/api/v1/documents/{name}/versions",
            get(documents::versions),
        )
        .route("/api/v1/captures/{id}", get(captures::record))
        .route("/api/v1/captures/{id}/raw", get(captures::raw))
        .route("/api/v1/captures/{id}/text", get(captures::text))
        .route("/api/v1/diff", get(diff::diff))
        .route("/api/v1/search", get(discover::search))
        .route("/api/v1/similar", get(discover::similar))
        .route("/api/v1/stories", get(discover::stories))
        .route("/api/v1/changes", get(changes::list))
        .route("/api/v1/root", get(custody::root))
        .route("/api/v1/proof/{*address}", get(custody::proof))
        .route("/api/v1", get(unknown))
        .route("/api/v1/", get(unknown))
        .route("/api/v1/{*rest}", get(unknown))
        .layer(middleware::from_fn(guard))
}

/// `Access-Control-Allow-Origin: *` on the API's answers to GET and HEAD
/// (`vellum serve --cors`): scripts on other origins may read the API.
/// Nothing else is allowed across origins (no preflight is answered).
pub fn cors(router: Router) -> Router {
    router.layer(middleware::from_fn(allow_origin))
}

async fn allow_origin(req: Request, next: Next) -> Response {
    let api = req.uri().path() == PREFIX || req.uri().path().starts_with("/api/v1/");
    let read = req.method() == Method::GET || req.method() == Method::HEAD;
    let mut res = next.run(req).await;
    if api && read {
        res.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    res
}

/// Refuses every method but GET and HEAD (as a problem), and sets the
/// security headers.
async fn guard(req: Request, next: Next) -> Response {
    let mut res = if req.method() == Method::GET || req.method() == Method::HEAD {
        next.run(req).await
    } else {
        let mut r = ApiError::invalid(format!(
            "{} is not answered: the API is read-only (GET and HEAD only)",
            req.method()
        ))
        .response_as(StatusCode::METHOD_NOT_ALLOWED);
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    };
    let h = res.headers_mut();
    super::headers::secure(h, CSP);
    res
}

async fn unknown() -> ApiError {
    ApiError::not_found(
        "there is no API endpoint at this address; /api/v1/openapi.json describes every one",
    )
}
