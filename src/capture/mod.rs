//! The capture pipeline: fetch → decode → extract → canonical URL →
//! document → store, the one path every front end archives through (`add`,
//! `watch`, `reextract`, and `import` once it is wired to it).
//!
//! - [`Fetcher`] is how a page is fetched: [`HttpFetcher`] over
//!   [`crate::fetch`], or anything a test or another front end brings.
//! - [`from_bytes`], [`fetch_page`] and [`from_fetched`] (an HTTP answer
//!   someone else fetched: a WARC record) turn an input into a [`Capture`]
//!   (its text, media type, canonical URL, document name and web metadata),
//!   before anything is written; a failure leaves no trace.
//! - [`stage`] puts a capture into a [`Writer`]: a web page whose canonical
//!   URL already has a document lands in it.
//! - [`commit`] is the write protocol (below).
//!
//! # The write protocol
//!
//! Captures are durable and acknowledged before any derived-index work: a
//! writer stages, then [`commit`] makes every object durable, caches the
//! word statistics of each new text inside the same catalog transaction,
//! and acknowledges. Only then do the derived indexes (search, similarity,
//! and whatever the monitor adds) catch up, each from its own high-water
//! mark on the archive, through [`DerivedIndex::catch_up`] ([`catch_up`]
//! runs them all). They are caches: a failed or skipped catch-up loses
//! nothing, and the next read catches up by itself.
//!
//! # Canonical URLs and documents
//!
//! A saved or fetched HTML page that declares a canonical URL
//! (`<link rel=canonical>`, `og:url`) belongs to that URL's document,
//! whatever its file name: the declared URL is trusted when it is on the
//! same site as the page's own URL (or when the page has no URL of its own,
//! a saved file), else the page's URL is its canonical URL
//! ([`canonical_for`]; `extract` uses the same rule). A capture put in a
//! document by `--doc` whose recorded canonical URL differs is archived
//! with a [`Warning::OtherCanonical`]: the user named the document, and the
//! warning says what to check.
//!
//! The library never prints: warnings come back as data ([`Warning`]).

mod commit_protocol;
mod extracted;
pub mod input;
mod pipeline;
pub mod reextract;

use std::fmt;

use crate::error::ErrorKind;

use crate::fetch::FetchError;

use crate::fetch::{FetchConfig, Fetched};
use crate::store::StoreError;

pub use commit_protocol::{
    AddedItem, AddedStatus, Committed, DerivedIndex, IndexLag, Moved, SearchIndex, SimilarityIndex,
    cache_stats, catch_up, commit, derived_indexes, renumber_warnings,
};
pub use extracted::{Extracted, ExtractedKind};
pub use pipeline::{
    Capture, FUTURE_SKEW, Ingested, Options, canonical_for, check_time, document_canonical_url,
    fetch, fetch_page, from_bytes, from_fetched, ingest_with, stage, status_error,
};

/// How a page is fetched. [`HttpFetcher`] goes to the network; tests and
/// other front ends may answer from memory.
pub trait Fetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError>;
}

/// The real fetcher: [`crate::fetch::fetch`].
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpFetcher;

impl Fetcher for HttpFetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError> {
        crate::fetch::fetch(url, cfg)
    }
}

/// Why an input could not be captured. Nothing of it was archived.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The server answered, but not 2xx (and errors are not kept).
    #[error("{url} answered HTTP {status} {reason}")]
    Status {
        url: String,
        status: u16,
        reason: String,
    },
    /// No document name could be made (standard input without a name, a
    /// file name without letters).
    #[error("{0}")]
    NoName(String),
    /// A capture time too far in the future.
    #[error("the capture time {at} is later than now ({now}) by more than {skew_minutes} minutes")]
    Future {
        at: String,
        now: String,
        skew_minutes: i64,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CaptureError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            CaptureError::Fetch(FetchError::Url(_)) => ErrorKind::InvalidInput,
            CaptureError::Fetch(_) => ErrorKind::Io,
            CaptureError::Status {
                status: 404 | 410, ..
            } => ErrorKind::NotFound,
            CaptureError::Status { .. } => ErrorKind::Io,
            CaptureError::NoName(_) | CaptureError::Future { .. } => ErrorKind::InvalidInput,
            CaptureError::Store(e) => e.kind(),
        }
    }
}

/// Something the user should know about a capture that was archived anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum Warning {
    /// Archived flagged (an error page, almost no text): never a version.
    Flagged { doc: String, flag: String },
    /// Put in a document (by `--doc`) whose canonical URL is another.
    OtherCanonical {
        doc: String,
        document_url: String,
        canonical_url: String,
    },
    /// Standard input was empty: an empty capture was archived.
    EmptyInput { doc: String },
    /// An older capture added later moved versions printed before.
    Renumbered { doc: String, moved: Vec<Moved> },
    /// The document's name mixes scripts inside a word (UTS #39), so it may
    /// be mistaken for another name.
    MixedScripts { doc: String, parts: Vec<String> },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Flagged { doc, flag } => {
                write!(f, "{doc}: {flag}; archived, flagged in its capture record")
            }
            Warning::OtherCanonical {
                doc,
                document_url,
                canonical_url,
            } => write!(
                f,
                "{doc} is the document of {document_url}, this page's canonical URL is \
                 {canonical_url}; check --doc (without it, each canonical URL gets its own document)"
            ),
            Warning::EmptyInput { doc } => write!(
                f,
                "standard input was empty (did the command before the pipe fail?); archived an \
                 empty capture of {doc}"
            ),
            Warning::MixedScripts { doc, parts } => write!(
                f,
                "the document name {doc} mixes scripts in {} (it may be mistaken for another name)",
                parts.join(", ")
            ),
            Warning::Renumbered { doc, moved } => {
                let list: Vec<String> = moved
                    .iter()
                    .map(|m| format!("@{} is now @{}", m.from, m.to))
                    .collect();
                write!(
                    f,
                    "{doc}: an older capture was added, so later versions moved: {} (capture ids \
                     do not change)",
                    list.join(", ")
                )
            }
        }
    }
}

/// A fetcher answering from memory, by URL (without its fragment): for
/// tests, and for front ends that already hold the answers. An unknown URL
/// is a network error.
#[derive(Debug, Default, Clone)]
pub struct MemFetcher {
    pub answers: std::collections::HashMap<String, Fetched>,
    /// Every URL asked, in order, with the request headers sent.
    pub asked: Vec<(String, Vec<(String, String)>)>,
}

impl MemFetcher {
    /// Answers `url` with `status`, a `Content-Type` and `body`.
    pub fn answer(&mut self, url: &str, status: u16, content_type: &str, body: &[u8]) {
        let final_url = url::Url::parse(url).expect("a test URL parses");
        let reason = http_reason(status).to_owned();
        self.answers.insert(
            final_url.to_string(),
            Fetched {
                final_url,
                status,
                reason,
                headers: vec![("content-type".into(), content_type.into())],
                redirects: Vec::new(),
                body: body.to_vec(),
                version: "HTTP/1.1".into(),
                raw_head: None,
            },
        );
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "",
    }
}

impl Fetcher for MemFetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError> {
        self.asked.push((url.to_string(), cfg.headers.clone()));
        self.answers
            .get(url.as_str())
            .cloned()
            .ok_or_else(|| FetchError::Network {
                url: url.to_string(),
                message: "no such answer in memory".into(),
            })
    }
}

#[cfg(test)]
mod tests;
