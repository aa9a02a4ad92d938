//! The items `--json` prints (one per line, or one answer object), as
//! library types: every front end serializes these, and their JSON Schema
//! is generated from them. Times are RFC 3339 strings, capture ids hex.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::render;
use crate::republish::lineage::Lineage;
use crate::republish::{Prepared, Similar, Story};
use crate::search::{Hit, IndexStats, SnippetPart};
use crate::store::catalog::from_nanos;
use crate::store::{CaptureRecord, DocSummary, Resolved};
use crate::when::format_time;

use super::log::{CaptureSighting, VersionRow};

type AnyJson = BTreeMap<String, serde_json::Value>;

/// A document in a documents listing (`log` without a document).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct DocumentItem {
    pub doc: String,
    pub versions: u64,
    pub captures: u64,
    /// First and last capture time.
    pub first: String,
    pub last: String,
    /// The latest version's title (never a flagged capture's).
    pub title: Option<String>,
}

impl From<&DocSummary> for DocumentItem {
    fn from(d: &DocSummary) -> Self {
        DocumentItem {
            doc: d.doc.clone(),
            versions: d.versions,
            captures: d.captures,
            first: format_time(d.first),
            last: format_time(d.last),
            title: d.title.clone(),
        }
    }
}

/// A version in a version listing (`log DOC`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VersionItem {
    pub doc: String,
    pub version: u64,
    pub capture: String,
    pub captured_at: String,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Captures that saw this text in a row.
    pub sightings: u64,
    /// The earlier version whose text this one restores.
    pub same_as: Option<u64>,
    pub words: Option<u64>,
    pub words_added: Option<u64>,
    pub words_removed: Option<u64>,
    /// A summary of the change (with `--stat` or `-p`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat: Option<String>,
    /// The diff's operations (with `-p`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Vec<AnyJson>>")]
    pub ops: Option<Vec<crate::diff::Op>>,
    /// How much the change from the version before matters, between 0
    /// and 1 (`null` for a first version or a text that cannot be read).
    pub score: Option<f64>,
    /// Why: the significance signals found, strongest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<crate::significance::Reason>,
}

impl VersionItem {
    /// `row` of `doc`, with its change summary (`stat`) and operations
    /// (`ops`) when asked for and diffed.
    pub fn new(doc: &str, row: &VersionRow, stat: bool, ops: bool) -> VersionItem {
        let v = &row.version;
        let d = row.diff.as_ref();
        VersionItem {
            doc: doc.to_owned(),
            version: v.number,
            capture: v.capture.to_string(),
            captured_at: format_time(v.captured_at),
            source: v.source.clone(),
            url: v.url.clone(),
            title: v.title.clone(),
            sightings: v.sightings,
            same_as: v.same_as,
            words: row.words,
            words_added: row.change.map(|c| c.0),
            words_removed: row.change.map(|c| c.1),
            stat: d.filter(|_| stat || ops).map(render::summary),
            ops: d.filter(|_| ops).map(|d| d.ops.clone()),
            score: None,
            reasons: Vec::new(),
        }
    }

    /// With the significance of its change from the version before.
    pub fn with_significance(mut self, s: Option<crate::significance::Significance>) -> Self {
        if let Some(s) = s {
            self.score = Some(s.value);
            self.reasons = s.reasons;
        }
        self
    }
}

/// A capture (sighting) in a captures listing (`log DOC --captures`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CaptureItem {
    pub doc: String,
    pub capture: String,
    pub captured_at: String,
    /// The version it saw (0 for a flagged or superseded capture).
    pub version: u64,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    pub flagged: bool,
    pub superseded: bool,
}

impl From<&CaptureSighting> for CaptureItem {
    fn from(c: &CaptureSighting) -> Self {
        let r = &c.row;
        CaptureItem {
            doc: r.doc.clone(),
            capture: r.id.to_string(),
            captured_at: format_time(c.captured_at),
            version: c.version.unwrap_or(0),
            source: r.source.clone(),
            url: r.url.clone(),
            title: r.title.clone(),
            flagged: r.flagged,
            superseded: r.superseded,
        }
    }
}

/// A version's text (`show --json`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TextItem {
    pub capture: String,
    pub doc: String,
    pub version: u64,
    pub label: String,
    pub text: String,
}

impl TextItem {
    pub fn new(r: &Resolved, text: &str) -> TextItem {
        TextItem {
            capture: r.capture.to_string(),
            doc: r.doc.clone(),
            version: r.version,
            label: r.label.clone(),
            text: text.to_owned(),
        }
    }
}

/// A story in brief: its id, title and documents.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StoryBrief {
    pub id: String,
    pub title: Option<String>,
    pub docs: Vec<String>,
}

/// A capture record with its capture id, version and story (`show --meta`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordItem {
    /// The record's fields, as stored.
    #[serde(flatten)]
    #[schemars(with = "AnyJson")]
    pub record: CaptureRecord,
    pub capture: String,
    pub version: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story: Option<StoryBrief>,
    /// What reading its WARC (or ARC) record tolerated, kept beside the
    /// capture (`import`); absent when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_notes: Option<crate::warc::importer::CaptureNotes>,
}

impl RecordItem {
    pub fn new(r: &Resolved, record: CaptureRecord, story: Option<&Story>) -> RecordItem {
        RecordItem {
            record,
            capture: r.capture.to_string(),
            version: r.version,
            story: story.map(|s| StoryBrief {
                id: s.id.clone(),
                title: s.title.clone(),
                docs: s.docs.iter().map(|d| d.entry.doc.clone()).collect(),
            }),
            warc_notes: None,
        }
    }
}

/// A search hit (`search --json`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchItem {
    pub doc: String,
    pub versions: Vec<u64>,
    /// The document's current text holds the paragraph.
    pub current: bool,
    /// `DOC@2..5`, `DOC@7`, `DOC`.
    pub addresses: Vec<String>,
    pub first_seen: String,
    pub last_seen: String,
    pub removed_at: Option<String>,
    pub score: f64,
    #[schemars(with = "Vec<AnyJson>")]
    pub snippet: Vec<SnippetPart>,
}

impl From<&Hit> for SearchItem {
    fn from(h: &Hit) -> Self {
        SearchItem {
            doc: h.doc.clone(),
            versions: h.versions.clone(),
            current: h.current,
            addresses: h.addresses(),
            first_seen: format_time(h.first_seen),
            last_seen: format_time(h.last_seen),
            removed_at: h.removed_at.map(format_time),
            score: h.score,
            snippet: h.snippet.clone(),
        }
    }
}

/// The search index's size and contents (`search --stats --json`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchStatsItem {
    #[serde(flatten)]
    #[schemars(with = "AnyJson")]
    pub stats: IndexStats,
    /// Index bytes per byte of distinct paragraph text.
    pub ratio: f64,
}

impl From<IndexStats> for SearchStatsItem {
    fn from(stats: IndexStats) -> Self {
        let ratio = if stats.text_bytes > 0 {
            stats.index_bytes as f64 / stats.text_bytes as f64
        } else {
            0.0
        };
        SearchStatsItem { stats, ratio }
    }
}

/// What a `similar` query was.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SimilarQuery {
    pub target: String,
    pub doc: Option<String>,
    /// Its source key (empty for a file).
    pub source: String,
    pub shingles: usize,
}

/// A paragraph of the query matched in a document.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MatchItem {
    /// Paragraph numbers, from 1.
    pub query_paragraph: usize,
    pub doc_paragraph: usize,
    pub share: f64,
    pub query_text: String,
    pub doc_text: String,
}

/// A document sharing text with the query.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SimilarItem {
    pub doc: String,
    pub title: Option<String>,
    pub source: String,
    pub first_capture: String,
    pub first_captured_at: String,
    pub shared_shingles: usize,
    pub query_in_doc: f64,
    pub doc_in_query: f64,
    pub matches: Vec<MatchItem>,
}

/// The answer of `similar --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SimilarAnswer {
    pub query: SimilarQuery,
    pub results: Vec<SimilarItem>,
}

fn paragraph<'a>(text: &'a str, p: &Prepared, i: usize) -> &'a str {
    p.paras
        .get(i)
        .and_then(|p| text.get(p.range.clone()))
        .unwrap_or("")
}

impl SimilarItem {
    /// `s` against the query `query` (prepared from `qtext`).
    pub fn new(s: &Similar, query: &Prepared, qtext: &str) -> SimilarItem {
        let e = &s.doc.entry;
        SimilarItem {
            doc: e.doc.clone(),
            title: e.title.clone(),
            source: e.source.clone(),
            first_capture: e.capture.clone(),
            first_captured_at: format_time(from_nanos(e.first_at.into())),
            shared_shingles: s.overlap.shared,
            query_in_doc: s.overlap.a_in_b,
            doc_in_query: s.overlap.b_in_a,
            matches: s
                .overlap
                .matches
                .iter()
                .map(|m| MatchItem {
                    query_paragraph: m.a + 1,
                    doc_paragraph: m.b + 1,
                    share: m.share,
                    query_text: paragraph(qtext, query, m.a).to_owned(),
                    doc_text: paragraph(&s.text, &s.prepared, m.b).to_owned(),
                })
                .collect(),
        }
    }
}

/// A document of a story.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StoryDocItem {
    pub doc: String,
    pub source: String,
    pub title: Option<String>,
    pub first_capture: String,
    pub first_captured_at: String,
    /// Shingles outside boilerplate.
    pub shingles: usize,
}

/// A story with its documents (first capture order) and lineage.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StoryItem {
    pub id: String,
    pub title: Option<String>,
    pub docs: Vec<StoryDocItem>,
    /// A suggestion, for stories of two documents or more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
}

impl StoryItem {
    pub fn new(s: &Story, lineage: Option<Lineage>) -> StoryItem {
        StoryItem {
            id: s.id.clone(),
            title: s.title.clone(),
            docs: s
                .docs
                .iter()
                .map(|d| StoryDocItem {
                    doc: d.entry.doc.clone(),
                    source: d.entry.source.clone(),
                    title: d.entry.title.clone(),
                    first_capture: d.entry.capture.clone(),
                    first_captured_at: format_time(from_nanos(d.entry.first_at.into())),
                    shingles: d.shingles,
                })
                .collect(),
            lineage,
        }
    }
}

/// The answer of `stories --json`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct StoriesAnswer {
    pub stories: Vec<StoryItem>,
}
