//! The monitor: re-checks archived documents on a schedule, keeps every
//! check as history, and tells people about the changes that matter.
//!
//! - Every check of a URL is a [`CheckRecord`] in the store (object kind 5,
//!   written in the same durable write as the capture it made, if any), so
//!   checks are pushed, pulled and merged like captures.
//! - The [`Schedule`] is derived from the captures and check records
//!   (`monitor.sqlite`, rebuildable): the interval backs off while a page
//!   stays the same ([`Policy`]: 15 minutes doubling up to 30 days) and
//!   returns to short after a change; [`Settings`] (a state object) pause a
//!   document or fix its interval.
//! - [`Monitor::check`] checks one document: a conditional GET, politely
//!   ([`Politeness`]: a delay and jitter per host, `robots.txt`).
//! - Notifications go through a local, crash-safe [`outbox::Outbox`].
//!
//! The library never reads the clock: every function takes `now`.

mod check;
mod error;
mod index;
pub mod notify;
pub mod outbox;
mod policy;
mod polite;
mod record;
mod settings;

pub use check::{Batch, CheckReport, Monitor, Target};
pub use error::MonitorError;
pub use index::{FILE as INDEX_FILE, Schedule, ScheduleIndex, Scheduled};
pub use policy::{Policy, Standing};
pub use polite::{Politeness, Robots};
pub use record::{CHECK_RECORD_FORMAT, CheckRecord, Outcome};
pub use settings::{DocSettings, Settings};

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::store::backend::{Leased, NamedLease};
use crate::store::{Archive, DocName};

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

/// The documents to check for the given arguments: documents by name or
/// URL, each with the URL its latest capture was fetched from. An argument
/// that names no scheduled document is bad input.
pub fn targets(
    archive: &Archive,
    schedule: &Schedule,
    settings: &Settings,
    args: &[String],
) -> Result<Vec<Target>, MonitorError> {
    let mut out = Vec::new();
    for arg in args {
        let doc = resolve_doc(archive, arg)?;
        let Some(s) = schedule.entry(doc.as_str(), settings)? else {
            return Err(MonitorError::Input(format!(
                "{arg}: the document {doc} has no URL to check (it was not archived from the web)"
            )));
        };
        out.push(target_of(&s)?);
    }
    Ok(out)
}

/// The target of a scheduled document.
pub fn target_of(s: &Scheduled) -> Result<Target, MonitorError> {
    Ok(Target {
        doc: s
            .doc
            .parse()
            .map_err(|e| MonitorError::Input(format!("{}: {e}", s.doc)))?,
        url: s.url.clone(),
        previous: s.outcome,
        checks: s.checks,
    })
}

/// The document a name or URL means.
pub fn resolve_doc(archive: &Archive, arg: &str) -> Result<DocName, MonitorError> {
    let addr: crate::store::Address = arg
        .parse()
        .map_err(|e: crate::store::AddressError| MonitorError::Input(e.to_string()))?;
    let r = archive.resolve(&addr)?;
    r.doc
        .parse()
        .map_err(|e| MonitorError::Input(format!("{arg}: {e}")))
}

#[cfg(test)]
mod tests;
