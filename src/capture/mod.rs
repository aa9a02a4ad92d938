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
//! The rule for what follows the acknowledgement (issues #23, #29): the
//! writer brings every derived index up to date in the same process, after
//! it has acknowledged (so a 20 MB capture's `add` takes its indexing time,
//! and a search right after it finds the text at once). A writer killed
//! between the acknowledgement and the end of its catch-up loses nothing:
//! each index catches up inside one transaction of its own file and moves
//! its mark only with what it took in, so the next reader (search and
//! memento keep what they caught up; similarity and significance readers
//! answer from memory) or the next writer catches up from the mark.
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
mod error;
mod extracted;
mod fetcher;
pub mod heal;
pub mod input;
mod pipeline;
mod prediff;
pub mod reextract;
mod warning;

pub use commit_protocol::{
    AddedItem, AddedStatus, Committed, DerivedIndex, IndexLag, SearchIndex, SignificanceIndex,
    SimilarityIndex, cache_stats, catch_up, commit, derived_indexes, renumber_warnings,
};
pub use error::CaptureError;
pub use extracted::{ExtractError, Extracted, ExtractedKind, extract};
#[cfg(test)]
pub use fetcher::test_page;
pub use fetcher::{Fetcher, HttpFetcher, MemFetcher};
pub use pipeline::{
    Capture, FUTURE_SKEW, Ingested, Options, canonical_for, check_time, document_canonical_url,
    fetch, fetch_page, from_bytes, from_fetched, ingest_with, stage, status_error,
};
pub use warning::{Moved, Warning};

#[cfg(test)]
mod tests;
