//! `/api/v1/changes`: the archive's changes, most significant first, as
//! `vellum changes` lists them (from the significance index; serving writes
//! nothing, so what the index lacks is scored in memory).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, json_response, with_archive};
use crate::significance::{self, ChangesQuery, SignificanceError};
use crate::web::app::App;

/// `?since=&min_score=&doc=&cursor=&limit=`: changes scoring at least
/// `min_score` (0 to 1) whose new version was captured at or after `since`,
/// most significant first, paged.
pub async fn list(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw.as_deref(),
        &["since", "min_score", "doc", "cursor", "limit"],
    )?;
    let since = p.time("since", false)?;
    let min_score = match p.get("min_score") {
        None => 0.0,
        Some(v) => v
            .parse::<f64>()
            .ok()
            .filter(|x| (0.0..=1.0).contains(x))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "min_score={:?} is not a number from 0 to 1",
                    v.chars().take(40).collect::<String>()
                ))
            })?,
    };
    let doc = p.get("doc").map(str::to_owned);
    let page = p.page("changes")?;
    let json = with_archive(&app, move |_, a| {
        let doc = match doc {
            Some(d) => Some(a.document(&d)?.to_string()),
            None => None,
        };
        let q = ChangesQuery {
            since,
            min_score,
            doc,
            limit: None,
        };
        let mut index = significance::Index::read(a).map_err(api_error)?;
        let all = significance::changes(a, &mut index, &q).map_err(api_error)?;
        Json::page(&page.page(all))
    })
    .await?;
    let next = p.next_url("/api/v1/changes", json.next.as_deref());
    Ok(json_response(&req, json, next))
}

fn api_error(e: SignificanceError) -> ApiError {
    match e {
        SignificanceError::Store(s) => s.into(),
        e => ApiError::new(
            e.kind(),
            format!("{e}; `vellum reindex` rebuilds the significance index"),
        ),
    }
}
