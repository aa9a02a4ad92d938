//! Why an input could not be captured.

use crate::error::ErrorKind;
use crate::fetch::FetchError;
use crate::store::StoreError;

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
