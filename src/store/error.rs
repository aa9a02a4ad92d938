//! Errors of the store layer. Messages say what went wrong; advice that
//! names a command or an option belongs to the front end, which maps
//! [`StoreError::kind`] to an exit or HTTP status.

use std::path::PathBuf;

use crate::error::ErrorKind;
use crate::id::ObjectId;

use super::record::CaptureId;

/// Results of the store layer.
pub type Result<T> = std::result::Result<T, StoreError>;

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
    #[error("{}", format_message(found, *supported))]
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
    Unindexed(CaptureId),
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

/// What [`StoreError::Format`] says: a higher format number than this
/// vellum knows means the store was made (or last written) by a newer one.
fn format_message(found: &str, supported: u32) -> String {
    match found.parse::<u32>() {
        Ok(n) if n > supported => format!(
            "store format {n} was made by a newer vellum (this one reads formats up to \
             {supported})"
        ),
        _ => format!(
            "store format {found} is not supported by this vellum (supports up to {supported})"
        ),
    }
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
        use super::super::object::DecodeError;
        use super::super::packindex::IndexError;
        use super::super::sync::SyncError;
        assert_eq!(DecodeError::Truncated.kind(), ErrorKind::Damaged);
        assert_eq!(IndexError::Magic.kind(), ErrorKind::Damaged);
        assert_eq!(SyncError::Diverged(1).kind(), ErrorKind::InvalidInput);
        let busy = StoreError::io("locking")(std::io::ErrorKind::WouldBlock.into());
        assert_eq!(SyncError::Store(busy).kind(), ErrorKind::Busy);
        for (e, kind) in cases {
            assert_eq!(e.kind(), kind, "{e}");
            let msg = e.to_string();
            for advice in ["--store", "VELLUM_STORE", "vellum reindex", "vellum verify"] {
                assert!(!msg.contains(advice), "{msg}");
            }
        }
    }
}
