//! Why a page could not be shown.

use crate::error::ErrorKind;
use crate::store::StoreError;

/// Why a page could not be shown; each maps to an HTTP status.
#[derive(Debug)]
pub enum WebError {
    Store(StoreError),
    BadRequest(String),
    NotFound(String),
    /// A bug or a crashed worker (HTTP 500).
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Store(e)
    }
}

impl WebError {
    /// The HTTP status, from [`StoreError::kind`] for store errors.
    pub fn status(&self) -> u16 {
        match self {
            WebError::BadRequest(_) => 400,
            WebError::NotFound(_) => 404,
            WebError::Internal(_) => 500,
            WebError::Store(e) => match e.kind() {
                ErrorKind::NotFound => 404,
                ErrorKind::Ambiguous => 409,
                ErrorKind::InvalidInput => 400,
                ErrorKind::Busy => 503,
                ErrorKind::Damaged | ErrorKind::Io => 500,
            },
        }
    }

    /// What went wrong and what to do next.
    pub fn message(&self) -> String {
        match self {
            WebError::BadRequest(m) | WebError::NotFound(m) | WebError::Internal(m) => m.clone(),
            WebError::Store(e) => {
                let advice = match e.kind() {
                    ErrorKind::NotFound => " The list of documents is on the front page.",
                    ErrorKind::Ambiguous => " Use more digits of the capture id.",
                    ErrorKind::Busy => " Try again in a moment.",
                    ErrorKind::Damaged => {
                        " Run `vellum verify` on the store for a full report; `vellum reindex` rebuilds a damaged catalog."
                    }
                    _ => "",
                };
                format!("{e}.{advice}")
            }
        }
    }
}
