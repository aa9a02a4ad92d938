//! `/api/v1/captures/{id}` (the record), `/raw` (the bytes as received)
//! and `/text` (the text versions compare). A capture is named by all 64
//! hex digits of its id: a prefix could come to name two captures.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, holds, immutable_response, json_response, with_archive};
use crate::id::ObjectId;
use crate::query::items::RecordItem;
use crate::store::{Address, Archive, CaptureId, CaptureRecord};
use crate::web::app::App;

fn capture_id(id: &str) -> Result<CaptureId, ApiError> {
    id.parse::<ObjectId>().map(CaptureId).map_err(|_| {
        ApiError::invalid(format!(
            "{:?} is not a capture id: the API takes all 64 hex digits (listings give them as `capture`)",
            id.chars().take(80).collect::<String>()
        ))
    })
}

/// The record of a capture the catalog knows (an unknown id is 404).
fn known_record(a: &Archive, id: &CaptureId) -> Result<CaptureRecord, ApiError> {
    if a.capture_row(id)?.is_none() {
        return Err(ApiError::not_found(format!(
            "no capture has the id {id}; /api/v1/documents/{{name}}/versions?captures=1 lists a document's captures"
        )));
    }
    Ok(a.record(id)?)
}

/// The capture record with its version and story. Its version number can
/// change (an older capture imported later renumbers), so it is
/// revalidated rather than cached for good.
pub async fn record(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let id = capture_id(&id)?;
    let json = with_archive(&app, move |_, a| {
        let record = known_record(a, &id)?;
        let resolved = a.resolve(&Address::Capture(id.to_string()))?;
        let story = crate::query::story_of(a, &resolved.doc);
        Json::of(&RecordItem::new(&resolved, record, story.as_ref()))
    })
    .await?;
    Ok(json_response(&req, json, None))
}

/// Which bytes of a capture.
#[derive(Clone, Copy)]
enum Bytes {
    Raw,
    Text,
}

async fn bytes(
    app: Arc<App>,
    id: String,
    raw: Option<String>,
    req: HeaderMap,
    which: Bytes,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let id = capture_id(&id)?;
    let (tag, suffix) = match which {
        Bytes::Raw => (format!("\"{id}.raw\""), "raw"),
        Bytes::Text => (format!("\"{id}.txt\""), "txt"),
    };
    let cached = holds(&req, &tag);
    let body = with_archive(&app, move |_, a| {
        let record = known_record(a, &id)?;
        if cached {
            return Ok(None);
        }
        let object = match which {
            Bytes::Raw => record.content,
            Bytes::Text => record.text.ok_or_else(|| {
                ApiError::not_found(format!(
                    "capture {id} has no text (its bytes are not text); /api/v1/captures/{id}/raw has them"
                ))
            })?,
        };
        Ok(Some(a.read_object(&object)?.to_vec()))
    })
    .await?;
    Ok(match which {
        // Evidence may be hostile: a download, never a page on this origin.
        Bytes::Raw => immutable_response(
            &req,
            &tag,
            "application/octet-stream",
            &format!("attachment; filename=\"{id}.{suffix}\""),
            body,
        ),
        Bytes::Text => immutable_response(
            &req,
            &tag,
            "text/plain; charset=utf-8",
            &format!("inline; filename=\"{id}.{suffix}\""),
            body,
        ),
    })
}

/// The bytes as received (a download).
pub async fn raw(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    bytes(app, id, q, req, Bytes::Raw).await
}

/// The text versions compare.
pub async fn text(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    bytes(app, id, q, req, Bytes::Text).await
}
