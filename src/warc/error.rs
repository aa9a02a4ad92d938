//! Errors of reading WARC files and the HTTP messages inside them, and
//! where in a file a record starts.

use std::fmt;

use crate::error::ErrorKind;

/// Where a record starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Offset in the (decompressed) WARC stream.
    pub offset: u64,
    /// The gzip member holding the record's start: its offset in the file
    /// and the stream offset where its data starts.
    pub member: Option<(u64, u64)>,
}

impl Position {
    /// The offset of the record in the file as given: the member's offset for
    /// gzip files (what CDX indexes call the offset), else the stream offset.
    pub fn file_offset(&self) -> u64 {
        match self.member {
            Some((m, _)) => m,
            None => self.offset,
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.member {
            None => write!(f, "record at byte {}", self.offset),
            Some((m, start)) if start == self.offset => {
                write!(f, "record at byte {m} (gzip member)")
            }
            Some((m, _)) => write!(
                f,
                "record at byte {} of the decompressed data (gzip member at byte {m})",
                self.offset
            ),
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
/// the record starts (see [`Position`]).
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("{at}: {source}")]
    Io {
        at: Position,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: bad gzip data ({message}); the file is damaged from here on")]
    Gzip { at: Position, message: String },
    #[error("{at}: the file ends inside this record ({detail}); it was truncated")]
    Truncated { at: Position, detail: String },
    #[error("{at}: not a WARC record ({detail})")]
    NotWarc { at: Position, detail: String },
    #[error("{at}: {detail}")]
    BadHeader { at: Position, detail: String },
    #[error("{at}: {bytes} bytes that start no record, up to the end of the file")]
    Garbage { at: Position, bytes: u64 },
    #[error("{at}: {source}")]
    Http {
        at: Position,
        #[source]
        source: HttpError,
    },
}

impl HttpError {
    /// The kind of this error: the record's HTTP message is unusable.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

impl WarcError {
    /// The kind of this error: the file could not be read, or it is not
    /// (from this record on) a WARC file vellum can read.
    pub fn kind(&self) -> ErrorKind {
        match self {
            WarcError::Io { .. } => ErrorKind::Io,
            _ => ErrorKind::InvalidInput,
        }
    }

    /// Whether reading cannot go on after this error: the input is no WARC
    /// (or ARC) file, or it cannot be read. After any other error the
    /// reader goes on at the next record.
    pub fn ends_reading(&self) -> bool {
        matches!(self, WarcError::Io { .. } | WarcError::NotWarc { .. })
    }

    /// Where the record (or the bytes) in error starts.
    pub fn at(&self) -> Position {
        match self {
            WarcError::Io { at, .. }
            | WarcError::Gzip { at, .. }
            | WarcError::Truncated { at, .. }
            | WarcError::NotWarc { at, .. }
            | WarcError::BadHeader { at, .. }
            | WarcError::Garbage { at, .. }
            | WarcError::Http { at, .. } => *at,
        }
    }
}

/// Something a reader tolerated, as warcio, pywb and jwarc do, to read a
/// record that is not quite as the standard says. Kept beside the capture,
/// never inside its record, so that capture ids do not depend on it.
#[derive(
    Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Deviation {
    /// The block is followed by fewer than the two line ends WARC requires
    /// (`found` of them): the next record, or the end of the file, follows.
    RecordEnd { found: u8 },
    /// Bytes between the block and the line ends: the Content-Length is
    /// probably short by about that much.
    AfterBlock { bytes: u64 },
    /// Bytes before this record that start no record, skipped.
    BeforeRecord { bytes: u64 },
    /// Bytes between two gzip members, skipped.
    BetweenMembers { bytes: u64 },
    /// `Transfer-Encoding: chunked` declared, but the body is not chunked:
    /// the body is kept as it is.
    NotChunked,
    /// The HTTP head is not quite HTTP (`detail` says how); read anyway.
    HttpHead { detail: String },
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deviation::RecordEnd { found } => write!(
                f,
                "the block is followed by {found} of the 2 line ends WARC requires"
            ),
            Deviation::AfterBlock { bytes } => write!(
                f,
                "{bytes} bytes between the block and the record end (Content-Length short?), skipped"
            ),
            Deviation::BeforeRecord { bytes } => {
                write!(
                    f,
                    "{bytes} bytes before the record start no record, skipped"
                )
            }
            Deviation::BetweenMembers { bytes } => {
                write!(
                    f,
                    "{bytes} bytes between gzip members before the record, skipped"
                )
            }
            Deviation::NotChunked => f.write_str(
                "Transfer-Encoding is chunked but the body is not: the body is kept as it is",
            ),
            Deviation::HttpHead { detail } => write!(f, "HTTP head read leniently: {detail}"),
        }
    }
}
