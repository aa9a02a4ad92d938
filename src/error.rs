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
    #[error(
        "{0:?} is not an address: use DOC, DOC@N, DOC@-K, DOC@TIME (2019-02-12T18:00Z), or a capture id (8+ hex digits)"
    )]
    Invalid(String),
    #[error("no document or capture matches {addr:?}{hint}")]
    Unknown { addr: String, hint: String },
    #[error("{addr:?} is ambiguous; it matches:\n{}", candidates.join("\n"))]
    Ambiguous {
        addr: String,
        candidates: Vec<String>,
    },
    #[error("{doc} has {count} version(s); there is no @{n}")]
    NoSuchVersion { doc: String, n: String, count: u64 },
    #[error("{doc} had no version yet at {at}: its first capture is from {first}")]
    NotYet {
        doc: String,
        at: String,
        first: String,
    },
}
