//! Everything persistent about an archive goes through a [`Backend`]:
//! immutable blobs under logical keys (`packs/<hex>.pack`), the store's
//! marker, and the advisory writer lock. The archive logic never sees paths:
//! a local directory ([`super::fs::FsBackend`], which also runs over a
//! fault-injecting simulated disk in tests), memory ([`MemBackend`]), an
//! object store (S3 and friends, [`super::s3::S3Backend`]). The catalog is not here: it is a
//! local, rebuildable cache of what the backend holds.

use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, Condvar, Mutex};

/// Held by the one writer; dropping it releases the writer lock.
pub type Lease = Box<dyn Send>;

/// A store-wide named lease ([`Backend::try_named_lease`]), held until
/// dropped.
pub trait NamedLease: Send {
    /// Whether it is certainly still this process's (refreshed within its
    /// time, and no one took it over).
    fn still_held(&self) -> bool;
}

/// What asking for a named lease came to.
pub enum Leased {
    Held(Box<dyn NamedLease>),
    /// Another process holds it.
    Busy(Holder),
}

/// Who holds a named lease, as its lease object says (the fields it lacks,
/// such as those of an older vellum's objects, are `None`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holder {
    pub host: Option<String>,
    pub pid: Option<u32>,
    /// When it took the lease (unix milliseconds, its clock).
    pub since_ms: Option<u64>,
    /// When it last refreshed it (unix milliseconds, its clock).
    pub refreshed_ms: u64,
}

impl Holder {
    pub(super) fn from_body(body: &[u8], refreshed_ms: u64) -> Holder {
        let v: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        Holder {
            host: v["host"]
                .as_str()
                .filter(|h| !h.is_empty())
                .map(|h| h.chars().filter(|c| !c.is_control()).take(100).collect()),
            pid: v["pid"].as_u64().and_then(|p| u32::try_from(p).ok()),
            since_ms: v["since"].as_u64(),
            refreshed_ms,
        }
    }

    /// `host H, process P, for 3m 12s, refreshed 4s ago`, as far as known.
    pub fn describe(&self, now_ms: u64) -> String {
        let ago = |ms: u64| span(now_ms.saturating_sub(ms) / 1000);
        let mut parts = Vec::new();
        if let Some(h) = &self.host {
            parts.push(format!("host {h}"));
        }
        if let Some(p) = self.pid {
            parts.push(format!("process {p}"));
        }
        if let Some(s) = self.since_ms {
            parts.push(format!("for {}", ago(s)));
        }
        parts.push(format!("refreshed {} ago", ago(self.refreshed_ms)));
        parts.join(", ")
    }
}

/// `45s`, `3m 12s`, `2h 5m`, `3d 4h`.
fn span(secs: u64) -> String {
    let (d, h, m, s) = (secs / 86400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Where the immutable files of a store live.
pub trait Backend: Send + Sync {
    /// The whole blob.
    fn get(&self, key: &str) -> io::Result<Vec<u8>>;
    /// `len` bytes at `offset`; an error if the blob is shorter.
    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>>;
    /// Stores `bytes` durably under `key` unless the key exists. Returns
    /// whether it was written. When this returns, the blob survives a crash;
    /// a crash during the call leaves either no blob or the whole blob.
    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool>;
    /// Keys under `prefix` with their sizes, sorted.
    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>>;
    /// Removes a blob (only ever used for leftovers of interrupted writes).
    fn delete(&self, key: &str) -> io::Result<()>;
    /// Removes leftovers of writes that were interrupted. Call only while
    /// holding the store's writer lock. Returns how many were removed.
    fn remove_partial_writes(&self) -> io::Result<usize>;
    /// The store's marker (what names its format), `None` when there is none.
    fn read_marker(&self) -> io::Result<Option<Vec<u8>>>;
    /// Replaces the marker, durably and atomically: a crash leaves the old
    /// marker or the new one.
    fn write_marker(&self, bytes: &[u8]) -> io::Result<()>;
    /// Takes the writer lock if it is free (`None` when another holds it).
    fn try_lock(&self) -> io::Result<Option<Lease>>;
    /// Takes the writer lock, waiting for it.
    fn lock(&self) -> io::Result<Lease>;
    /// Whether other machines read and write this store too (object
    /// storage): then no pack is ever deleted or merged, since another
    /// machine's catalog may already know it.
    /// Whether packs get an index object beside them (`packindex.rs`), so
    /// a machine catching up reads small indexes instead of whole packs
    /// (object storage; a directory reads its packs locally anyway).
    fn pack_indexes(&self) -> bool {
        false
    }
    /// Prepares a new store's layout durably, before its marker is written
    /// (a directory makes `objects/packs/`); storage without directories
    /// has nothing to prepare.
    fn create(&self) -> io::Result<()> {
        Ok(())
    }
    fn shared(&self) -> bool {
        false
    }
    /// Takes the store-wide lease `name` (the monitor's: one per store),
    /// without waiting, where the storage keeps such leases for every
    /// machine that shares it (object storage); `Ok(None)` where it does
    /// not (a local directory: the caller locks a local file instead).
    fn try_named_lease(&self, _name: &str) -> io::Result<Option<Leased>> {
        Ok(None)
    }
}

/// A store held in memory, for tests and for tools that build a store before
/// writing it elsewhere. Clones share the same store.
#[derive(Clone, Default)]
pub struct MemBackend {
    inner: Arc<MemInner>,
}

#[derive(Default)]
struct MemInner {
    blobs: Mutex<BTreeMap<String, Arc<Vec<u8>>>>,
    marker: Mutex<Option<Vec<u8>>>,
    locked: Mutex<bool>,
    freed: Condvar,
}

struct MemLease(Arc<MemInner>);

impl Drop for MemLease {
    fn drop(&mut self) {
        *self.0.locked.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.0.freed.notify_one();
    }
}

fn not_found(key: &str) -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, format!("no blob {key}"))
}

impl MemBackend {
    fn blobs(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Arc<Vec<u8>>>> {
        self.inner.blobs.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Backend for MemBackend {
    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        Ok(self
            .blobs()
            .get(key)
            .ok_or_else(|| not_found(key))?
            .to_vec())
    }

    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let blob = self
            .blobs()
            .get(key)
            .cloned()
            .ok_or_else(|| not_found(key))?;
        let start = usize::try_from(offset).unwrap_or(usize::MAX);
        blob.get(start..start.saturating_add(len))
            .map(<[u8]>::to_vec)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "short read"))
    }

    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        let mut blobs = self.blobs();
        if blobs.contains_key(key) {
            return Ok(false);
        }
        blobs.insert(key.to_owned(), Arc::new(bytes.to_vec()));
        Ok(true)
    }

    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        let prefix = format!("{}/", prefix.trim_end_matches('/'));
        Ok(self
            .blobs()
            .iter()
            .filter(|(k, _)| {
                k.strip_prefix(&prefix)
                    .is_some_and(|rest| !rest.contains('/'))
            })
            .map(|(k, v)| (k.clone(), v.len() as u64))
            .collect())
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.blobs()
            .remove(key)
            .map(drop)
            .ok_or_else(|| not_found(key))
    }

    fn remove_partial_writes(&self) -> io::Result<usize> {
        Ok(0) // every put is whole
    }

    fn read_marker(&self) -> io::Result<Option<Vec<u8>>> {
        Ok(self
            .inner
            .marker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone())
    }

    fn write_marker(&self, bytes: &[u8]) -> io::Result<()> {
        *self.inner.marker.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes.to_vec());
        Ok(())
    }

    fn try_lock(&self) -> io::Result<Option<Lease>> {
        let mut locked = self.inner.locked.lock().unwrap_or_else(|e| e.into_inner());
        if *locked {
            return Ok(None);
        }
        *locked = true;
        Ok(Some(Box::new(MemLease(self.inner.clone()))))
    }

    fn lock(&self) -> io::Result<Lease> {
        let mut locked = self.inner.locked.lock().unwrap_or_else(|e| e.into_inner());
        while *locked {
            locked = self
                .inner
                .freed
                .wait(locked)
                .unwrap_or_else(|e| e.into_inner());
        }
        *locked = true;
        Ok(Box::new(MemLease(self.inner.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holders_read_well() {
        assert_eq!(span(45), "45s");
        assert_eq!(span(192), "3m 12s");
        assert_eq!(span(7500), "2h 5m");
        assert_eq!(span(3 * 86400 + 4 * 3600), "3d 4h");
        let h = Holder::from_body(br#"{"host":"a\u0007b","pid":12,"since":1000}"#, 61_000);
        assert_eq!(
            h.describe(253_000),
            "host ab, process 12, for 4m 12s, refreshed 3m 12s ago"
        );
        assert_eq!(
            Holder::from_body(b"x", 0).describe(5000),
            "refreshed 5s ago"
        );
    }
}
