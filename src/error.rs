//! Library errors, one enum per layer. Messages say what went wrong; advice
//! that names a command or an option belongs to the front end (`src/cli/`
//! adds it), which can also map [`StoreError::kind`] to an exit or HTTP status.

use std::path::PathBuf;

use crate::id::ObjectId;

/// Errors of the store layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no vellum store at {0}")]
    NoStore(PathBuf),
    #[error("{0} exists but is not a vellum store (no VELLUM file)")]
    NotAStore(PathBuf),
    #[error(
        "{0} is a symbolic link; vellum refuses to use a linked store directory or objects/ (use the real path)"
    )]
    Symlink(PathBuf),
    #[error("store format {found} is not supported by this vellum (supports {supported})")]
    Format { found: String, supported: u32 },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("catalog {path}: {source}")]
    Catalog {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("object {id} is missing from the store")]
    Missing { id: ObjectId },
    #[error("object {id} is damaged ({reason})")]
    Damaged { id: ObjectId, reason: String },
    #[error("delta chain of {id} is deeper than {limit} or loops")]
    ChainTooDeep { id: ObjectId, limit: u32 },
    #[error("capture is {size} bytes, over the {limit}-byte limit per capture")]
    TooLarge { size: u64, limit: u64 },
    #[error("capture time {0} is out of range: it must fall in years 0000-9999 UTC")]
    BadTime(String),
    #[error("{0}")]
    Address(#[from] AddressError),
    /// The catalog resolved an address to a capture it has no row for (a
    /// catalog changed under the reader, or damaged).
    #[error("capture {0} is not in the catalog")]
    Unindexed(crate::store::CaptureId),
}

/// What kind of failure an error is, for a front end to map to a status
/// (an exit code, an HTTP status: see each variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No such store, document, version or capture (HTTP 404).
    NotFound,
    /// An address matches several captures (HTTP 300 or 409).
    Ambiguous,
    /// The store is damaged or unreadable as it is: a missing or corrupt
    /// object, a catalog that cannot serve, an unsupported format (HTTP 500).
    Damaged,
    /// Another process holds what this needs; retry later (HTTP 503).
    Busy,
    /// The request itself is wrong: a bad address, time or size, a path
    /// that is not a store (HTTP 400 or 413).
    InvalidInput,
    /// The operating system or the storage failed (HTTP 500 or 507).
    Io,
}

impl StoreError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            StoreError::NoStore(_) => ErrorKind::NotFound,
            StoreError::NotAStore(_) | StoreError::Symlink(_) => ErrorKind::InvalidInput,
            StoreError::TooLarge { .. } | StoreError::BadTime(_) => ErrorKind::InvalidInput,
            StoreError::Format { .. } => ErrorKind::Damaged,
            StoreError::Missing { .. }
            | StoreError::Damaged { .. }
            | StoreError::ChainTooDeep { .. } => ErrorKind::Damaged,
            StoreError::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::WouldBlock => ErrorKind::Busy,
                std::io::ErrorKind::NotFound => ErrorKind::Io,
                _ => ErrorKind::Io,
            },
            StoreError::Catalog { source, .. } => match source.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    ErrorKind::Busy
                }
                Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull) => {
                    ErrorKind::Io
                }
                _ => ErrorKind::Damaged,
            },
            StoreError::Address(e) => e.kind(),
            StoreError::Unindexed(_) => ErrorKind::Damaged,
        }
    }

    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> StoreError {
        let context = context.into();
        move |source| StoreError::Io { context, source }
    }
}

/// Why an address does not name exactly one version or capture.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error(
        "{0:?} is not an address: use DOC, DOC@N, DOC@-K, DOC@TIME (2019-02-12T18:00Z), a capture id (8+ hex digits), or an archived URL (URL@N, URL@-K, URL@TIME)"
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
    #[error("{doc} has only flagged captures, which are never versions")]
    OnlyFlagged { doc: String },
    #[error("{doc} had no version yet at {at}: its first capture is from {first}")]
    NotYet {
        doc: String,
        at: String,
        first: String,
    },
}

impl AddressError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            AddressError::Invalid(_) => ErrorKind::InvalidInput,
            AddressError::Ambiguous { .. } => ErrorKind::Ambiguous,
            AddressError::Unknown { .. }
            | AddressError::NoSuchVersion { .. }
            | AddressError::OnlyFlagged { .. }
            | AddressError::NotYet { .. } => ErrorKind::NotFound,
        }
    }
}

/// Why the HTTP message inside a `response` record cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("HTTP headers are incomplete")]
    Incomplete,
    #[error("HTTP headers are malformed ({0})")]
    Malformed(String),
    #[error("bad chunked transfer-encoding: {0}")]
    BadChunk(&'static str),
    #[error("bad {0} content-encoding: {1}")]
    BadEncoding(&'static str, String),
    #[error("content-encoding {0:?} is not supported (gzip and deflate are)")]
    UnsupportedEncoding(String),
    #[error("the decoded body is over the {limit}-byte limit per capture")]
    TooLarge { limit: usize },
}

/// Why a WARC file cannot be read on from some record. Each names where
/// the record starts (see [`crate::warc::read::Position`]).
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("{at}: {source}")]
    Io {
        at: crate::warc::read::Position,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: bad gzip data ({message}); the file is damaged from here on")]
    Gzip {
        at: crate::warc::read::Position,
        message: String,
    },
    #[error("{at}: the file ends inside this record ({detail}); it was truncated")]
    Truncated {
        at: crate::warc::read::Position,
        detail: String,
    },
    #[error("{at}: not a WARC record ({detail})")]
    NotWarc {
        at: crate::warc::read::Position,
        detail: String,
    },
    #[error(
        "{at}: this is an ARC file (the format before WARC), which vellum does not read; convert it with `warcio recompress FILE OUT.warc.gz`"
    )]
    Arc { at: crate::warc::read::Position },
    #[error("{at}: {detail}")]
    BadHeader {
        at: crate::warc::read::Position,
        detail: String,
    },
    #[error(
        "{at}: the record does not end where its Content-Length ({length}) says (no blank line after the block); the length is wrong or the file is damaged"
    )]
    BadLength {
        at: crate::warc::read::Position,
        length: u64,
    },
    #[error("{at}: {source}")]
    Http {
        at: crate::warc::read::Position,
        #[source]
        source: HttpError,
    },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_have_kinds_and_no_cli_advice() {
        let id = ObjectId::of(b"x");
        let cases = [
            (StoreError::NoStore("/s".into()), ErrorKind::NotFound),
            (StoreError::NotAStore("/s".into()), ErrorKind::InvalidInput),
            (StoreError::Missing { id }, ErrorKind::Damaged),
            (
                StoreError::Damaged {
                    id,
                    reason: "bad".into(),
                },
                ErrorKind::Damaged,
            ),
            (StoreError::BadTime("x".into()), ErrorKind::InvalidInput),
            (
                StoreError::io("locking")(std::io::ErrorKind::WouldBlock.into()),
                ErrorKind::Busy,
            ),
            (
                StoreError::io("reading")(std::io::Error::other("disk")),
                ErrorKind::Io,
            ),
            (
                AddressError::Ambiguous {
                    addr: "a".into(),
                    candidates: vec![],
                }
                .into(),
                ErrorKind::Ambiguous,
            ),
            (
                AddressError::Unknown {
                    addr: "a".into(),
                    hint: String::new(),
                }
                .into(),
                ErrorKind::NotFound,
            ),
            (
                AddressError::Invalid("@".into()).into(),
                ErrorKind::InvalidInput,
            ),
        ];
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e}");
            let msg = e.to_string();
            for advice in ["--store", "VELLUM_STORE", "vellum reindex", "vellum verify"] {
                assert!(!msg.contains(advice), "{msg}");
            }
        }
    }
}
