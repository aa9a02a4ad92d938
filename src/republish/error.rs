//! The error of the similarity index (`similar.sqlite`): a derived index,
//! so every failure of it can be repaired by rebuilding it (`reindex`).

use crate::error::ErrorKind;

/// The similarity index could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct IndexError(#[from] pub rusqlite::Error);

impl IndexError {
    /// The kind of this error: busy while another process holds the index,
    /// I/O when the disk failed, else damaged (a rebuild repairs it).
    pub fn kind(&self) -> ErrorKind {
        match self.0.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                ErrorKind::Busy
            }
            Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::DiskFull) => {
                ErrorKind::Io
            }
            _ => ErrorKind::Damaged,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_errors_have_kinds() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert_eq!(IndexError(busy).kind(), ErrorKind::Busy);
        let bad = rusqlite::Error::QueryReturnedNoRows;
        assert_eq!(IndexError(bad).kind(), ErrorKind::Damaged);
    }
}
