//! Why the significance index failed.

use std::path::PathBuf;

use crate::error::ErrorKind;
use crate::store::StoreError;

/// Why the significance index could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SignificanceError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("significance index {path}: {source}")]
    Index {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl SignificanceError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SignificanceError::Store(e) => e.kind(),
            SignificanceError::Index { .. } => ErrorKind::Damaged,
        }
    }
}
