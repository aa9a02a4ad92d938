//! How API answers are made: on a blocking thread with an archive from
//! the pool, as JSON with an ETag (revalidated) or as immutable bytes.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::problem::ApiError;
use crate::error::ErrorKind;
use crate::store::Archive;
use crate::web::app::App;

/// How long caches keep what never changes (the HTML view's capture
/// bytes are kept as long).
pub use super::super::headers::IMMUTABLE;

/// A JSON answer made on a blocking thread: its body, and the cursor of
/// the page after it (for the `Link` header).
pub(crate) struct Json {
    pub body: Vec<u8>,
    pub next: Option<String>,
}

impl Json {
    pub fn of<T: Serialize>(value: &T) -> Result<Json, ApiError> {
        Ok(Json {
            body: serde_json::to_vec(value)
                .map_err(|e| ApiError::new(ErrorKind::Io, format!("encoding the answer: {e}")))?,
            next: None,
        })
    }

    /// A page: its body, and its `next` for the `Link` header.
    pub fn page<T: Serialize>(page: &crate::query::paging::Page<T>) -> Result<Json, ApiError> {
        Ok(Json {
            next: page.next.clone(),
            ..Json::of(page)?
        })
    }
}

/// Runs `f` on a blocking thread with an archive from the pool.
pub(crate) async fn with_archive<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App, &Archive) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let a = &*app;
        a.pool.with(|archive| f(a, archive))?
    })
    .await
    .unwrap_or_else(|e| {
        Err(ApiError::new(
            ErrorKind::Io,
            format!("the answer could not be made ({e}); please report this"),
        ))
    })
}

/// Whether the client already holds `tag` (`If-None-Match`).
pub(crate) fn holds(req: &HeaderMap, tag: &str) -> bool {
    req.get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"))
}

/// A JSON answer that may change: an ETag of its bytes, revalidated; a
/// `Link` to the next page (`next_url`) when there is one.
pub(crate) fn json_response(req: &HeaderMap, json: Json, next_url: Option<String>) -> Response {
    let tag = format!("\"{}\"", &blake3::hash(&json.body).to_hex()[..32]);
    let mut res = if holds(req, &tag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(json.body));
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        r
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    if let Some(v) =
        next_url.and_then(|u| HeaderValue::from_str(&format!("<{u}>; rel=\"next\"")).ok())
    {
        h.insert(header::LINK, v);
    }
    res
}

/// Bytes that never change (a capture's): ETag `tag`, cached for a year.
pub(crate) fn immutable_response(
    req: &HeaderMap,
    tag: &str,
    content_type: &'static str,
    disposition: &str,
    bytes: Option<Vec<u8>>,
) -> Response {
    let mut res = match bytes {
        Some(b) if !holds(req, tag) => {
            let mut r = Response::new(Body::from(b));
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(v) = HeaderValue::from_str(disposition) {
                r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
            }
            r
        }
        _ => StatusCode::NOT_MODIFIED.into_response(),
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    res
}
