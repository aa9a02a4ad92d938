//! What a search asks and what it finds.

use time::OffsetDateTime;

/// Hits returned when a query asks for none (`limit` 0).
pub const DEFAULT_LIMIT: usize = 20;
/// Hits returned at most, whatever the query asks.
pub const MAX_LIMIT: usize = 10_000;

/// What to search for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Words, `"exact phrases"` and `prefix*` (see [`super::query::parse`]).
    pub text: String,
    /// Only this document.
    pub doc: Option<String>,
    /// Also paragraphs that only older versions hold.
    pub all_versions: bool,
    /// Hits at most (0: [`DEFAULT_LIMIT`]).
    pub limit: usize,
}

/// A piece of a snippet: raw text (the renderer escapes it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "text", rename_all = "snake_case")]
pub enum SnippetPart {
    Text(String),
    Match(String),
}

/// One paragraph of one document that matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub doc: String,
    /// Version numbers (as in `DOC@N`) whose text holds the paragraph.
    pub versions: Vec<u64>,
    /// The document's current text (`DOC`) holds it.
    pub current: bool,
    /// The first and last capture that saw it.
    pub first_seen: OffsetDateTime,
    pub last_seen: OffsetDateTime,
    pub snippet: Vec<SnippetPart>,
    /// Higher is better (bm25, negated).
    pub score: f64,
    /// When it was removed: the capture time of the first version after
    /// the last one holding it (`None` while the current text holds it).
    pub removed_at: Option<OffsetDateTime>,
}

impl Hit {
    /// The addresses holding the hit, runs of versions joined:
    /// `["DOC@2..5", "DOC@7", "DOC"]`.
    pub fn addresses(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.versions.len() {
            let mut j = i;
            while j + 1 < self.versions.len() && self.versions[j + 1] == self.versions[j] + 1 {
                j += 1;
            }
            out.push(if i == j {
                format!("{}@{}", self.doc, self.versions[i])
            } else {
                format!("{}@{}..{}", self.doc, self.versions[i], self.versions[j])
            });
            i = j + 1;
        }
        if self.current {
            out.push(self.doc.clone());
        }
        out
    }
}
