//! The changes across the archive, most significant first (`vellum
//! changes`, the web view, the monitor's notifications).

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use crate::store::{Archive, Version};
use crate::when::format_time;

use super::error::SignificanceError;
use super::index::Index;
use super::model::{Excerpt, Reason};

/// Which changes to list.
#[derive(Debug, Clone, Default)]
pub struct ChangesQuery {
    /// Only changes whose new version was captured at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Only changes scoring at least this.
    pub min_score: f64,
    /// Only this document's changes.
    pub doc: Option<String>,
    /// At most this many (the most significant).
    pub limit: Option<usize>,
}

/// One end of a change: a version of the document.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct VersionEnd {
    /// Counted from 1 in history order (`DOC@N`).
    pub version: u64,
    /// The version's first capture: its stable, citable address.
    pub capture: String,
    pub captured_at: String,
}

/// A change between two consecutive versions of a document, scored.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "ChangeItem")]
pub struct Change {
    pub doc: String,
    pub from: VersionEnd,
    pub to: VersionEnd,
    /// Between 0 and 1 (see `docs/significance.md`).
    pub score: f64,
    /// The signals found, strongest first.
    pub reasons: Vec<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<Excerpt>,
    /// The version's title, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip)]
    at: Option<OffsetDateTime>,
}

impl VersionEnd {
    fn of(v: &Version) -> VersionEnd {
        VersionEnd {
            version: v.number,
            capture: v.capture.to_string(),
            captured_at: format_time(v.captured_at),
        }
    }
}

/// The changes `q` asks for, most significant first (then newest first,
/// then by document).
pub fn changes(
    archive: &Archive,
    index: &mut Index,
    q: &ChangesQuery,
) -> Result<Vec<Change>, SignificanceError> {
    let docs = match &q.doc {
        Some(d) => vec![d.clone()],
        // A document last captured before `since` has no change after it.
        None => archive
            .documents()?
            .into_iter()
            .filter(|d| q.since.is_none_or(|t| d.last >= t))
            .map(|d| d.doc)
            .collect(),
    };
    // Every score read in one transaction of the index (one lock).
    index.reading(|index| collect(archive, index, q, docs))
}

fn collect(
    archive: &Archive,
    index: &mut Index,
    q: &ChangesQuery,
    docs: Vec<String>,
) -> Result<Vec<Change>, SignificanceError> {
    let mut out = Vec::new();
    for doc in docs {
        let history = archive.history(&doc)?;
        for pair in history.versions.windows(2) {
            let (old, new) = (&pair[0], &pair[1]);
            if q.since.is_some_and(|t| new.captured_at < t) {
                continue;
            }
            let s = index.score_versions(archive, old, new)?;
            if s.value < q.min_score {
                continue;
            }
            out.push(Change {
                doc: doc.clone(),
                from: VersionEnd::of(old),
                to: VersionEnd::of(new),
                score: s.value,
                reasons: s.reasons,
                excerpt: s.excerpt,
                title: new.title.clone(),
                at: Some(new.captured_at),
            });
        }
    }
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(b.at.cmp(&a.at))
            .then(a.doc.cmp(&b.doc))
    });
    if let Some(n) = q.limit {
        out.truncate(n);
    }
    Ok(out)
}
