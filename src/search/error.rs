//! Why a search failed, and what kind of failure it is.

use std::path::PathBuf;

use crate::store::StoreError;

use super::query::QueryError;

/// What kind of failure a search error is, for a server to map to a status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchErrorKind {
    /// The query cannot be parsed (HTTP 400; the CLI exits 2).
    InvalidQuery,
    /// No such document (HTTP 404).
    NotFound,
    /// The store or the index failed (HTTP 500).
    Store,
}

/// Why a search failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("no document named {doc:?}{}", suggest(.suggestions))]
    UnknownDoc {
        doc: String,
        suggestions: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("search index {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn suggest(s: &[String]) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", s.join(" or "))
    }
}

impl SearchError {
    pub fn kind(&self) -> SearchErrorKind {
        match self {
            SearchError::Query(_) => SearchErrorKind::InvalidQuery,
            SearchError::UnknownDoc { .. } => SearchErrorKind::NotFound,
            _ => SearchErrorKind::Store,
        }
    }
}
