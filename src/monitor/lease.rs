//! The monitor's lease: one monitor per store at a time.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::store::Archive;
use crate::store::backend::{Leased, NamedLease};

use super::error::MonitorError;

/// The lease one monitor holds on a store while it runs. For a store in a
/// directory, `monitor.lock` beside the catalog, locked with the operating
/// system's file lock (released when the process ends, however it ends).
/// For a store on object storage, which several machines may share, a
/// lease in the store itself (`monitor-locks/`, the mechanism of the S3
/// writer lease: refreshed by a thread while held, released when dropped,
/// taken over once stale after a crash).
pub struct Lease {
    _file: Option<File>,
    shared: Option<Box<dyn NamedLease>>,
    /// The lock file (a directory store), or the store's location.
    pub path: PathBuf,
}

/// The name of the monitor's lease in a shared store.
const LEASE_NAME: &str = "monitor";

impl Lease {
    /// Takes the file lock of the store whose local directory is `dir`,
    /// or says that another process holds it.
    pub fn acquire(dir: &Path) -> Result<Lease, MonitorError> {
        let path = dir.join("monitor.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| MonitorError::Outbox {
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Lease {
                _file: Some(file),
                shared: None,
                path,
            }),
            Err(std::fs::TryLockError::WouldBlock) => Err(MonitorError::Busy(path)),
            Err(std::fs::TryLockError::Error(source)) => Err(MonitorError::Outbox { path, source }),
        }
    }

    /// Takes the monitor's lease on `archive`: the store's own lease when
    /// its storage is shared by machines (object storage), else the file
    /// lock beside its catalog. Refused, naming the holder, while another
    /// monitor holds it.
    pub fn take(archive: &Archive) -> Result<Lease, MonitorError> {
        match archive.try_named_lease(LEASE_NAME)? {
            None => Lease::acquire(archive.dir()),
            Some(Leased::Held(l)) => Ok(Lease {
                _file: None,
                shared: Some(l),
                path: archive.dir().to_owned(),
            }),
            Some(Leased::Busy(holder)) => Err(MonitorError::Held(holder.describe(now_ms()))),
        }
    }

    /// An error once the lease is no longer certainly this monitor's (a
    /// shared store's lease not refreshed in time, or taken over): a run
    /// that goes on (`watch --every`) stops rather than check beside
    /// another monitor.
    pub fn ensure_held(&self) -> Result<(), MonitorError> {
        match &self.shared {
            Some(l) if !l.still_held() => Err(MonitorError::Lost),
            _ => Ok(()),
        }
    }
}

/// The wall clock in unix milliseconds, only to say how old another
/// process's lease is (lease objects carry their holder's clock).
fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

impl Lease {
    /// The lease in `slot`, taken now when there is none yet, or an error
    /// when the one held was lost (a run that goes on stops rather than
    /// check beside another monitor).
    pub fn keep<'s>(
        slot: &'s mut Option<Lease>,
        archive: &Archive,
    ) -> Result<&'s Lease, MonitorError> {
        match slot {
            Some(l) => l.ensure_held()?,
            None => *slot = Some(Lease::take(archive)?),
        }
        Ok(slot.as_ref().expect("taken"))
    }
}
