//! Atom feeds of changes (RFC 4287): the archive's at `/changes.atom`, one
//! document's at `/doc/DOC/changes.atom`, both taking `?min_score=X`. The
//! newest changes first (at most [`MAX_ENTRIES`]), each linking to its diff
//! by capture ids, with its significance score and reasons (as `log` and
//! `changes` show them, from the significance index). Only the newest
//! version pairs are read and scored.

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::app::App;
use super::error::WebError;
use crate::store::Archive;

/// Entries in one feed.
pub const MAX_ENTRIES: usize = 100;

/// `/changes.atom`
pub async fn archive_feed(
    State(app): State<Arc<App>>,
    RawQuery(q): RawQuery,
    req: HeaderMap,
) -> Response {
    feed(app, None, q, req).await
}

/// `/doc/DOC/changes.atom`
pub async fn doc_feed(
    State(app): State<Arc<App>>,
    Path(doc): Path<String>,
    RawQuery(q): RawQuery,
    req: HeaderMap,
) -> Response {
    feed(app, Some(doc), q, req).await
}

async fn feed(app: Arc<App>, doc: Option<String>, q: Option<String>, req: HeaderMap) -> Response {
    let min_score = match min_score(q.as_deref().unwrap_or("")) {
        Ok(m) => m,
        Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
    };
    let made = tokio::task::spawn_blocking(move || {
        app.pool
            .with(|archive| render(archive, doc.as_deref(), min_score))
            .map_err(WebError::from)?
    })
    .await
    .unwrap_or_else(|e| {
        Err(WebError::Internal(format!(
            "the feed could not be made ({e})"
        )))
    });
    match made {
        Ok(body) => {
            let tag = format!("\"{}\"", &blake3::hash(body.as_bytes()).to_hex()[..32]);
            let fresh = req
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == tag);
            let mut r = match fresh {
                true => StatusCode::NOT_MODIFIED.into_response(),
                false => body.into_response(),
            };
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/atom+xml; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            if let Ok(v) = HeaderValue::from_str(&tag) {
                h.insert(header::ETAG, v);
            }
            r
        }
        Err(e) => {
            let status =
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, e.message()).into_response()
        }
    }
}

/// `min_score=X` from a query string (0 when absent).
fn min_score(q: &str) -> Result<f64, String> {
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "min_score" {
            return v
                .parse::<f64>()
                .ok()
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| format!("min_score={v} is not a number between 0 and 1"));
        }
    }
    Ok(0.0)
}

/// One change between two consecutive versions, scored.
struct Change {
    doc: String,
    from: (u64, String),
    to: (u64, String),
    at: String,
    title: Option<String>,
    score: f64,
    reasons: Vec<String>,
}

fn render(archive: &Archive, doc: Option<&str>, min_score: f64) -> Result<String, WebError> {
    let doc = match doc {
        Some(d) => Some(
            archive
                .document(d)
                .map_err(|_| WebError::NotFound(format!("no document {d}")))?
                .to_string(),
        ),
        None => None,
    };
    let docs = match &doc {
        Some(d) => vec![d.clone()],
        None => archive.documents()?.into_iter().map(|d| d.doc).collect(),
    };
    // Every pair of consecutive versions, newest first; only the newest are
    // read and scored (a feed lists at most MAX_ENTRIES).
    let mut pairs = Vec::new();
    for d in docs {
        let history = archive.history(&d)?;
        for w in history.versions.windows(2) {
            pairs.push((w[1].captured_at, d.clone(), w[0].clone(), w[1].clone()));
        }
    }
    pairs.sort_by(|a, b| (b.0, &b.1).cmp(&(a.0, &a.1)));
    let mut changes = Vec::new();
    // Read only (serving writes nothing): what the index lacks is scored in
    // memory.
    let mut index = crate::significance::Index::read(archive).ok();
    for (at, d, old, new) in pairs {
        if changes.len() >= MAX_ENTRIES {
            break;
        }
        let indexed = index
            .as_mut()
            .and_then(|i| i.score_versions(archive, &old, &new).ok());
        let s = match indexed {
            Some(s) => s,
            None => {
                let (a, b) = (
                    archive.read_object(&old.key)?,
                    archive.read_object(&new.key)?,
                );
                crate::significance::score(
                    &String::from_utf8_lossy(&a),
                    &String::from_utf8_lossy(&b),
                    &Default::default(),
                )
            }
        };
        let (score, reasons) = (s.value, s.reason_lines());
        if score < min_score {
            continue;
        }
        changes.push(Change {
            doc: d,
            from: (old.number, old.capture.to_string()),
            to: (new.number, new.capture.to_string()),
            at: crate::when::format_time(at),
            title: new.title.clone(),
            score,
            reasons,
        });
    }
    Ok(atom(doc.as_deref(), &changes))
}

fn atom(doc: Option<&str>, changes: &[Change]) -> String {
    let (title, id, self_link) = match doc {
        Some(d) => (
            format!("vellum: changes to {d}"),
            format!("urn:vellum:changes:{}", esc(d)),
            format!("/doc/{}/changes.atom", super::page::qs(d)),
        ),
        None => (
            "vellum: changes".to_owned(),
            "urn:vellum:changes".to_owned(),
            "/changes.atom".to_owned(),
        ),
    };
    let updated = changes
        .iter()
        .map(|c| c.at.as_str())
        .max()
        .unwrap_or("1970-01-01T00:00:00Z");
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n\
         <title>{}</title>\n<id>{id}</id>\n<updated>{updated}</updated>\n\
         <link rel=\"self\" href=\"{}\"/>\n<generator>vellum</generator>\n",
        esc(&title),
        esc(&self_link)
    );
    for c in changes {
        let summary = format!("score {:.2}: {}", c.score, c.reasons.join("; "));
        out.push_str(&format!(
            "<entry>\n<title>{} @{} → @{}{}</title>\n<id>urn:vellum:change:{}:{}</id>\n\
             <updated>{}</updated>\n<link href=\"/diff?a={}&amp;b={}\"/>\n\
             <category term=\"{:.2}\" label=\"score\"/>\n<summary>{}</summary>\n</entry>\n",
            esc(&c.doc),
            c.from.0,
            c.to.0,
            c.title
                .as_deref()
                .map(|t| format!(": {}", esc(t)))
                .unwrap_or_default(),
            c.from.1,
            c.to.1,
            c.at,
            c.from.1,
            c.to.1,
            c.score,
            esc(&summary)
        ));
    }
    out.push_str("</feed>\n");
    out
}

fn esc(s: &str) -> String {
    super::page::esc(s)
}
