//! Library errors, one enum per layer. Messages say what went wrong and, where
//! the user can act, what to do next.

use std::path::PathBuf;

use crate::id::ObjectId;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no vellum store at {0}: create one with `vellum init {0}` or point --store / VELLUM_STORE at one"
    )]
    NoStore(PathBuf),
    #[error(
        "{0} exists but is not a vellum store (no VELLUM file): choose another directory with --store"
    )]
    NotAStore(PathBuf),
    #[error(
        "{0} is a symbolic link; vellum refuses to use a linked store directory or objects/ (use the real path)"
    )]
    Symlink(PathBuf),
    #[error(
        "store format {found} is not supported by this vellum (supports {supported}); upgrade vellum"
    )]
    Format { found: String, supported: u32 },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("catalog {path}: {source}; rebuild it from the objects with `vellum reindex`")]
    Catalog {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("object {id} is missing from the store; run `vellum verify` for a full report")]
    Missing { id: ObjectId },
    #[error("object {id} is damaged ({reason}); run `vellum verify` for a full report")]
    Damaged { id: ObjectId, reason: String },
    #[error("delta chain of {id} is deeper than {limit} or loops; run `vellum verify`")]
    ChainTooDeep { id: ObjectId, limit: u32 },
    #[error("capture is {size} bytes, over the {limit}-byte limit per capture")]
    TooLarge { size: u64, limit: u64 },
    #[error("capture time {0} is out of range: it must fall in years 0000-9999 UTC")]
    BadTime(String),
    #[error("{0}")]
    Address(#[from] AddressError),
}

impl StoreError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Io { context, source }
    }
}

/// Why an address does not name exactly one version or capture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("{0:?} is not an address: use DOC, DOC@N, or a capture id (8+ hex digits)")]
    Invalid(String),
    #[error("no document or capture matches {addr:?}{hint}")]
    Unknown { addr: String, hint: String },
    #[error("{addr:?} is ambiguous; it matches:\n{}", candidates.join("\n"))]
    Ambiguous {
        addr: String,
        candidates: Vec<String>,
    },
    #[error("{doc} has {count} version(s); there is no @{n}")]
    NoSuchVersion { doc: String, n: u64, count: u64 },
}

/// Errors of fetching a URL (`vellum add URL`, `vellum extract URL`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Url(#[from] crate::ingest::canon::BadUrl),
    #[error("fetching {url}: no answer within {secs} s; try again later")]
    Timeout { url: String, secs: u64 },
    #[error(
        "fetching {url}: the page is over the {limit}-byte limit; save it and add the file if it really is an article"
    )]
    TooLarge { url: String, limit: u64 },
    #[error("fetching {url}: more than {limit} redirects; check the URL in a browser")]
    TooManyRedirects { url: String, limit: usize },
    #[error("fetching {url}: redirected to {target:?}, which is not an http(s) URL")]
    BadRedirect { url: String, target: String },
    #[error("fetching {url}: {message}; check the URL and the network connection")]
    Network { url: String, message: String },
}
