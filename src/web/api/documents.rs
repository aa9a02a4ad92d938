//! `/api/v1/documents`, `/api/v1/documents/{name}` and
//! `/api/v1/documents/{name}/versions`.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, json_response, with_archive};
use crate::query::items::{CaptureItem, DocumentItem, VersionItem};
use crate::query::{self, DocumentFilter, Window};
use crate::web::app::App;

/// `?q=&url=&source=&since=&until=&cursor=&limit=`: the documents the
/// filters keep, by name, paged.
pub async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw.as_deref(),
        &["q", "url", "source", "since", "until", "cursor", "limit"],
    )?;
    let page = p.page("documents")?;
    let filter = DocumentFilter {
        text: p.get("q").map(str::to_owned),
        url: p.get("url").map(str::to_owned),
        source: p.get("source").map(str::to_owned),
        window: Window {
            since: p.time("since", false)?,
            until: p.time("until", true)?,
            ..Window::default()
        },
    };
    let json = with_archive(&app, move |_, a| {
        let docs = query::documents_filtered(a, &filter)?;
        Json::page(&page.page(docs.iter().map(DocumentItem::from)))
    })
    .await?;
    let next = p.next_url("/api/v1/documents", json.next.as_deref());
    Ok(json_response(&req, json, next))
}

/// One document's summary, by name or URL.
pub async fn one(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let json = with_archive(&app, move |_, a| {
        let doc = a.document(&name)?;
        let summary = query::document_summary(a, doc.as_str())?
            .ok_or_else(|| ApiError::not_found(format!("no document is named {doc}")))?;
        Json::of(&DocumentItem::from(&summary))
    })
    .await?;
    Ok(json_response(&req, json, None))
}

/// `?cursor=&limit=`: the document's versions, oldest first, paged; with
/// `captures=1` every capture (sighting) instead.
pub async fn versions(
    State(app): State<Arc<App>>,
    Path(name): Path<String>,
    RawQuery(raw): RawQuery,
    uri: Uri,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["captures", "cursor", "limit"])?;
    let captures = p.flag("captures")?;
    let page = p.page(if captures { "captures" } else { "versions" })?;
    let json = with_archive(&app, move |_, a| {
        let doc = a.document(&name)?;
        let history = a.history(doc.as_str())?;
        if captures {
            let rows = query::captures_in(a, &history, doc.as_str(), &Window::default())?;
            return Json::page(&page.page(rows.iter().map(CaptureItem::from)));
        }
        // Only the page's versions: their statistics are read, no other's.
        let rows = query::paging::version_page(a, &history, &page)?;
        Json::page(&rows.map(|r| VersionItem::new(doc.as_str(), &r, false, false)))
    })
    .await?;
    // The path as asked (percent-encoded): the next page is beside it.
    let next = p.next_url(uri.path(), json.next.as_deref());
    Ok(json_response(&req, json, next))
}
