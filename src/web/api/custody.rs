//! `/api/v1/root` and `/api/v1/proof/{address}`: the archive log's root,
//! and the proof that a capture is in it (what `vellum root --json` and
//! `vellum proof` print; `vellum check-proof` checks the proof offline).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, json_response, with_archive};
use crate::store::Address;
use crate::web::app::App;

pub async fn root(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let json = with_archive(&app, |_, a| Json::of(&crate::query::log_root(a)?)).await?;
    Ok(json_response(&req, json, None))
}

/// `?size=N`: against the log of N entries (a size whose root was
/// published); the whole log by default.
pub async fn proof(
    State(app): State<Arc<App>>,
    Path(address): Path<String>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["size"])?;
    let size = p
        .get("size")
        .map(|_| p.number("size", 0, 1, u64::MAX))
        .transpose()?;
    let addr: Address = crate::when::anchored(address.trim()).parse()?;
    let json = with_archive(&app, move |_, a| {
        Json::of(&crate::query::inclusion_proof(a, &addr, size)?)
    })
    .await?;
    Ok(json_response(&req, json, None))
}
