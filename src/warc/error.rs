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
    #[error(
        "{at}: this is an ARC file (the format before WARC), which vellum does not read; convert it with `warcio recompress FILE OUT.warc.gz`"
    )]
    Arc { at: Position },
    #[error("{at}: {detail}")]
    BadHeader { at: Position, detail: String },
    #[error(
        "{at}: the record does not end where its Content-Length ({length}) says (no blank line after the block); the length is wrong or the file is damaged"
    )]
    BadLength { at: Position, length: u64 },
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
}
