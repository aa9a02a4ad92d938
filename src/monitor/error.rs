//! The monitor's errors.

use crate::error::ErrorKind;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum MonitorError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The schedule index (`monitor.sqlite`, a cache) could not be used.
    #[error("the schedule index {path}: {source}")]
    Index {
        path: std::path::PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    /// Another monitor holds the store's monitor lease.
    #[error("another monitor is running on this store (it holds {0})")]
    Busy(std::path::PathBuf),
    /// Another monitor holds a shared store's monitor lease: who, as far
    /// as its lease says.
    #[error("another monitor is running on this store ({0})")]
    Held(String),
    /// This monitor's lease on a shared store ran out or was taken over.
    #[error(
        "this monitor's lease on the store ran out (the process was paused too long, or \
         the store could not be reached, or another monitor took it over)"
    )]
    Lost,
    /// The outbox (local, beside the store) could not be read or written.
    #[error("the outbox {path}: {source}")]
    Outbox {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A document asked for has no URL to check.
    #[error("{0}")]
    Input(String),
}

impl MonitorError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            MonitorError::Store(e) => e.kind(),
            MonitorError::Index { .. } | MonitorError::Outbox { .. } => ErrorKind::Io,
            MonitorError::Busy(_) | MonitorError::Held(_) | MonitorError::Lost => ErrorKind::Busy,
            MonitorError::Input(_) => ErrorKind::InvalidInput,
        }
    }

    /// What the user can do about it, to follow the message (as
    /// [`StoreError::advice`]).
    pub fn advice(&self) -> String {
        match self {
            MonitorError::Store(e) => e.advice(),
            MonitorError::Busy(_) => "; wait for it to finish, or stop it".into(),
            MonitorError::Held(_) => "; wait for it to finish, or stop it (the lease of a \
                monitor that crashed lapses once not refreshed for the lease time, \
                VELLUM_LEASE_SECS or 120 s, plus 5 minutes)"
                .into(),
            MonitorError::Index { .. } => {
                "; it is a cache: delete it and it is rebuilt from the store".into()
            }
            _ => String::new(),
        }
    }
}
