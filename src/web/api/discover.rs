//! `/api/v1/search`, `/api/v1/similar` and `/api/v1/stories`: what
//! `vellum search`, `similar` and `stories` answer, as JSON.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::params::Params;
use super::problem::ApiError;
use super::respond::{Json, json_response, with_archive};
use crate::query::items::{SearchItem, SimilarAnswer, StoryItem};
use crate::query::{self, SimilarTarget};
use crate::republish;
use crate::search::{self, SearchQuery};
use crate::web::app::App;

/// Longest search read.
const MAX_Q: usize = 500;
/// Documents a similarity answer lists by default, and at most.
const SIMILAR_DEFAULT: u64 = 10;
const SIMILAR_MAX: u64 = 100;

/// `?q=&doc=&all_versions=&cursor=&limit=`: the paragraphs holding every
/// term, best first, paged.
pub async fn search(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(
        raw.as_deref(),
        &["q", "doc", "all_versions", "cursor", "limit"],
    )?;
    let text = p.required("q", "troops")?.to_owned();
    if text.len() > MAX_Q {
        return Err(ApiError::invalid(format!(
            "the search is {} bytes; use at most {MAX_Q}",
            text.len()
        )));
    }
    let page = p.page("search")?;
    if page.wanted() > search::MAX_LIMIT {
        return Err(ApiError::invalid(format!(
            "a search lists at most its {} best hits; this page starts past them",
            search::MAX_LIMIT
        )));
    }
    let all_versions = p.flag("all_versions")?;
    let doc = p.get("doc").map(str::to_owned);
    let json = with_archive(&app, move |_, a| {
        let doc = doc.map(|d| a.document(&d)).transpose()?;
        let q = SearchQuery {
            text,
            doc: doc.map(|d| d.as_str().to_owned()),
            all_versions,
            limit: page.wanted(),
        };
        let hits = search::search(a, &q)?;
        Json::page(&page.page(hits.iter().map(SearchItem::from)))
    })
    .await?;
    let next = p.next_url("/api/v1/search", json.next.as_deref());
    Ok(json_response(&req, json, next))
}

/// `?doc=ADDR&limit=`: the documents sharing text with an archived
/// document (or version), as `vellum similar --json` answers.
pub async fn similar(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["doc", "limit"])?;
    let target = p.required("doc", "DOC")?.to_owned();
    let n = p.number("limit", SIMILAR_DEFAULT, 1, SIMILAR_MAX)? as usize;
    let json = with_archive(&app, move |_, a| {
        let index = republish::read_index(a)?;
        let t = SimilarTarget::archived(a, &target)?;
        let (query, results) = query::similar_to(a, &index, &t, n)?;
        Json::of(&SimilarAnswer::new(&t, &query, &results))
    })
    .await?;
    Ok(json_response(&req, json, None))
}

/// `?all=&cursor=&limit=`: the stories (groups of documents carrying the
/// same text), largest first, each with its lineage; single-document
/// stories with `all=1`. Paged.
pub async fn stories(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    req: HeaderMap,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["all", "cursor", "limit"])?;
    let all = p.flag("all")?;
    let page = p.page(if all { "stories-all" } else { "stories" })?;
    let json = with_archive(&app, move |_, a| {
        let index = republish::read_index(a)?;
        let mut texts = republish::store_texts(a);
        let shown = republish::stories(&index, &mut texts)?
            .into_iter()
            .filter(|s| all || s.docs.len() > 1);
        // The lineage of this page's stories only.
        let mut items = Vec::new();
        let page = page.page(shown);
        for s in &page.items {
            let lineage = republish::lineage::of_story(&index, s, &mut texts)?;
            items.push(StoryItem::new(s, lineage));
        }
        Json::page(&crate::query::paging::Page {
            items,
            next: page.next,
        })
    })
    .await?;
    let next = p.next_url("/api/v1/stories", json.next.as_deref());
    Ok(json_response(&req, json, next))
}
