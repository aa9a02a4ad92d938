//! Routes, response headers and statuses.
//!
//! | route | page | caching |
//! | --- | --- | --- |
//! | `/` | documents | ETag |
//! | `/doc/DOC` | timeline | ETag |
//! | `/doc/DOC/N` | version N | ETag |
//! | `/diff?a=ADDR&b=ADDR[&view=side][&ignore-…=1][&full=1]` | diff | ETag |
//! | `/search?q=QUERY[&doc=DOC][&all=1]` | full-text search | ETag |
//! | `/capture/ID/raw` | the bytes as received, as a download | immutable |
//! | `/capture/ID/text` | the text versions compare, `text/plain` | immutable |
//! | `/static/style.css`, `/static/keys.js` | assets | ETag |
//!
//! Every response carries the Content-Security-Policy, `nosniff` and
//! `Referrer-Policy: no-referrer`. Methods other than GET and HEAD get 405.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::app::App;
use super::error::WebError;
use super::page::{Frame, esc, page};
use super::{diff_page, pages, search_page};
use crate::id::ObjectId;
use crate::store::{Archive, CaptureId};

pub const CSP: &str = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
pub use super::headers::IMMUTABLE;

/// The routes of the web view over `app`.
pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/changes.atom", get(super::atom::archive_feed))
        .route("/doc/{doc}", get(timeline))
        .route("/doc/{doc}/changes.atom", get(super::atom::doc_feed))
        .route("/doc/{doc}/{n}", get(version))
        .route("/diff", get(diff))
        .route("/search", get(search))
        .route("/capture/{id}/raw", get(capture_raw))
        .route("/capture/{id}/text", get(capture_text))
        .route("/static/style.css", get(style))
        .route("/static/keys.js", get(keys))
        .merge(super::memento::router())
        .fallback(not_found)
        .layer(middleware::from_fn(guard))
        .merge(super::api::router())
        .with_state(app)
}

/// Serves `router` on `listener` until it fails (or the process ends).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

/// Refuses every method but GET and HEAD, and sets the security headers.
async fn guard(req: Request, next: Next) -> Response {
    let mut res = if req.method() == Method::GET || req.method() == Method::HEAD {
        next.run(req).await
    } else {
        let mut r = error_page(
            StatusCode::METHOD_NOT_ALLOWED,
            "This archive view is read-only: only GET and HEAD requests are answered.",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        r
    };
    let h = res.headers_mut();
    super::headers::secure(h, CSP);
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Runs `f` on a blocking thread with an archive from the pool.
async fn with_archive<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App, &Archive) -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let a = &*app;
        a.pool.with(|archive| f(a, archive))?
    })
    .await
    .unwrap_or_else(|e| {
        Err(WebError::Internal(format!(
            "the page could not be made ({e}); please report this"
        )))
    })
}

/// A page that shows changing state: an ETag of its bytes, revalidated.
fn revalidated(req: &HeaderMap, content_type: &'static str, body: String) -> Response {
    let tag = format!("\"{}\"", &blake3::hash(body.as_bytes()).to_hex()[..32]);
    let matches = req
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag || t.trim() == "*"));
    let mut res = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = Response::new(Body::from(body));
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        r
    };
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(v) = HeaderValue::from_str(&tag) {
        h.insert(header::ETAG, v);
    }
    res
}

fn html(req: &HeaderMap, result: Result<String, WebError>) -> Response {
    match result {
        Ok(body) => revalidated(req, "text/html; charset=utf-8", body),
        Err(e) => error_response(&e),
    }
}

fn error_response(e: &WebError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_page(status, &e.message())
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = page(
        &Frame {
            title: &title,
            search: false,
            keys: false,
            wide: false,
        },
        &format!(
            "<h1>{}</h1>\n<p class=\"error\">{}</p>\n<p><a href=\"/\">All documents</a></p>\n",
            esc(&title),
            esc(message)
        ),
    );
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn index(State(app): State<Arc<App>>, req: HeaderMap) -> Response {
    html(&req, with_archive(&app, pages::index).await)
}

async fn timeline(
    State(app): State<Arc<App>>,
    Path(doc): Path<String>,
    req: HeaderMap,
) -> Response {
    html(
        &req,
        with_archive(&app, move |app, a| pages::timeline(app, a, &doc)).await,
    )
}

async fn version(
    State(app): State<Arc<App>>,
    Path((doc, n)): Path<(String, String)>,
    req: HeaderMap,
) -> Response {
    html(
        &req,
        with_archive(&app, move |app, a| pages::version(app, a, &doc, &n)).await,
    )
}

async fn diff(State(app): State<Arc<App>>, RawQuery(q): RawQuery, req: HeaderMap) -> Response {
    let params = match diff_page::Params::parse(q.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    html(
        &req,
        with_archive(&app, move |app, a| diff_page::page_html(app, a, &params)).await,
    )
}

async fn search(State(app): State<Arc<App>>, RawQuery(q): RawQuery, req: HeaderMap) -> Response {
    let params = match search_page::Params::parse(q.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return error_response(&e),
    };
    html(
        &req,
        with_archive(&app, move |app, a| search_page::page_html(app, a, &params)).await,
    )
}

/// A full 64-digit capture id: what never comes to name something else.
fn capture_id(id: &str) -> Result<CaptureId, WebError> {
    id.parse::<ObjectId>().map(CaptureId).map_err(|_| {
        WebError::BadRequest(format!(
            "{:?} is not a capture id: these addresses take all 64 hex digits (a version's page links to them)",
            id.chars().take(80).collect::<String>()
        ))
    })
}

/// The record of a capture the catalog knows (an unknown id is 404, not
/// a missing object).
fn known_record(a: &Archive, id: &CaptureId) -> Result<crate::store::CaptureRecord, WebError> {
    if a.capture_row(id)?.is_none() {
        return Err(WebError::NotFound(format!(
            "no capture has the id {id}; a version's page links to its captures"
        )));
    }
    Ok(a.record(id)?)
}

/// Bytes addressed by capture id: they never change, so caches keep them.
fn immutable(bytes: Vec<u8>, id: &CaptureId, disposition: String) -> Response {
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(v) = HeaderValue::from_str(&format!("\"{id}\"")) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

async fn capture_raw(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let id = match capture_id(&id) {
        Ok(id) => id,
        Err(e) => return error_response(&e),
    };
    let bytes = with_archive(&app, move |_, a| {
        let record = known_record(a, &id)?;
        Ok(a.read_object(&record.content)?.to_vec())
    })
    .await;
    match bytes {
        // Evidence is hostile: a download, never a page on this origin.
        Ok(b) => immutable(b, &id, format!("attachment; filename=\"{id}.raw\"")),
        Err(e) => error_response(&e),
    }
}

async fn capture_text(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let id = match capture_id(&id) {
        Ok(id) => id,
        Err(e) => return error_response(&e),
    };
    let bytes = with_archive(&app, move |_, a| {
        let record = known_record(a, &id)?;
        match record.text {
            Some(t) => Ok(a.read_object(&t)?.to_vec()),
            None => Err(WebError::NotFound(format!(
                "capture {id} has no text (its bytes are not text); /capture/{id}/raw has them"
            ))),
        }
    })
    .await;
    match bytes {
        Ok(b) => immutable(b, &id, format!("inline; filename=\"{id}.txt\"")),
        Err(e) => error_response(&e),
    }
}

async fn style(req: HeaderMap) -> Response {
    revalidated(
        &req,
        "text/css; charset=utf-8",
        super::page::STYLE.to_owned(),
    )
}

async fn keys(req: HeaderMap) -> Response {
    revalidated(
        &req,
        "text/javascript; charset=utf-8",
        super::page::KEYS_JS.to_owned(),
    )
}

async fn not_found() -> Response {
    error_page(
        StatusCode::NOT_FOUND,
        "There is no page at this address. Documents are listed on the front page; a document's \
versions are at /doc/DOC, one version at /doc/DOC/N, a diff at /diff?a=ADDR&b=ADDR.",
    )
}
