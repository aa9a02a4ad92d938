//! A store on S3-compatible object storage (Garage, MinIO, AWS S3…), through
//! the `object_store` crate: any `Arc<dyn ObjectStore>` serves, so tests run
//! against `object_store::memory::InMemory`.
//!
//! Keys are the store's logical keys under the bucket's prefix:
//! `VELLUM` (the marker), `packs/<hash>.pack`, `locks/<time>-<token>`.
//!
//! - Packs are uploaded whole under their hash, and nothing is ever
//!   overwritten: a PUT happens only after a HEAD found no object (never
//!   relying on `If-None-Match`, which Garage ignores). The marker is written
//!   once, at `init`.
//! - Readers use range requests through a [`BlockCache`] of 1 MiB blocks on
//!   local disk, so reading a version (a delta chain, usually within one
//!   pack) costs a request per block it touches the first time, and none
//!   after. Pack sizes come from the listing every open does.
//! - The writer lock is a lease (see [`lease`]): several machines may write
//!   to one store, one at a time.
//!
//! The trait is synchronous; a small current-thread tokio runtime inside the
//! backend runs the requests.

pub mod blocks;
pub mod lease;
mod stats;

use std::collections::HashMap;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use object_store::path::Path as ObjPath;
use object_store::{ObjectStore, PutPayload};

use super::backend::{Backend, Lease, Leased};
use blocks::{BLOCK, BlockCache};
pub use lease::LeaseConfig;
use stats::REGISTRY;
pub use stats::{Stats, process_stats};

const MARKER: &str = "VELLUM";

/// A store in an object store.
pub struct S3Backend {
    store: Arc<dyn ObjectStore>,
    rt: tokio::runtime::Runtime,
    cache: Option<BlockCache>,
    stats: Arc<Stats>,
    lease: LeaseConfig,
    /// Object sizes learnt from listings and HEADs.
    sizes: Mutex<HashMap<String, u64>>,
    /// The lease this backend's writer holds, checked before pack uploads.
    held: Mutex<Option<Arc<lease::Held>>>,
    /// The marker once read (it is written once and never replaced).
    marker: Mutex<Option<Vec<u8>>>,
}

fn io_err(e: object_store::Error) -> io::Error {
    io::Error::from(e)
}

impl S3Backend {
    /// A backend over `store` (already scoped to the store's prefix), caching
    /// pack blocks in `cache` when given.
    pub fn new(store: Arc<dyn ObjectStore>, cache: Option<BlockCache>) -> io::Result<S3Backend> {
        // One worker thread that always runs: the HTTP client's pooled
        // connections are driven by tasks on this runtime, and the lease's
        // refresh thread sends requests through the same client. With a
        // current-thread runtime those connections stalled whenever this
        // thread was busy elsewhere (or joining the refresh thread), so a
        // lease outlived its command (seen against Garage).
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let stats = Arc::<Stats>::default();
        if let Ok(mut all) = REGISTRY.lock() {
            all.push(stats.clone());
        }
        Ok(S3Backend {
            store,
            rt,
            cache,
            stats,
            lease: LeaseConfig::default(),
            sizes: Mutex::default(),
            held: Mutex::default(),
            marker: Mutex::default(),
        })
    }

    pub fn with_lease(mut self, lease: LeaseConfig) -> S3Backend {
        self.lease = lease;
        self
    }

    /// The request counters (shared: they outlive the backend).
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    fn path(key: &str) -> ObjPath {
        ObjPath::from(key)
    }

    fn size_of(&self, key: &str) -> io::Result<u64> {
        if let Some(s) = self.sizes.lock().ok().and_then(|m| m.get(key).copied()) {
            return Ok(s);
        }
        self.stats.heads.fetch_add(1, Ordering::Relaxed);
        let meta = self
            .rt
            .block_on(self.store.head(&Self::path(key)))
            .map_err(io_err)?;
        self.remember(key, meta.size);
        Ok(meta.size)
    }

    fn remember(&self, key: &str, size: u64) {
        if let Ok(mut m) = self.sizes.lock() {
            m.insert(key.to_owned(), size);
        }
    }

    fn fetch(&self, key: &str, range: std::ops::Range<u64>) -> io::Result<bytes::Bytes> {
        self.stats.ranges.fetch_add(1, Ordering::Relaxed);
        let b = self
            .rt
            .block_on(self.store.get_range(&Self::path(key), range))
            .map_err(io_err)?;
        self.stats
            .bytes_in
            .fetch_add(b.len() as u64, Ordering::Relaxed);
        Ok(b)
    }

    fn lease_valid(&self) -> bool {
        self.held
            .lock()
            .ok()
            .and_then(|h| h.as_ref().map(|h| h.may_upload()))
            .unwrap_or(true)
    }

    fn acquire(&self, wait: bool) -> io::Result<Option<Lease>> {
        let locker = || lease::Locker {
            store: self.store.clone(),
            config: self.lease,
            stats: self.stats.clone(),
            prefix: lease::PREFIX.to_owned(),
            since: lease::now_ms(),
        };
        loop {
            if let Some((token, key)) = self.rt.block_on(locker().try_acquire()).map_err(io_err)? {
                let held = lease::new_held(self.lease.ttl);
                if let Ok(mut h) = self.held.lock() {
                    *h = Some(held.clone());
                }
                return Ok(Some(Box::new(lease::hold(locker(), token, key, held))));
            }
            if !wait {
                return Ok(None);
            }
            std::thread::sleep(lease::backoff());
        }
    }
}

impl Backend for S3Backend {
    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        self.stats.gets.fetch_add(1, Ordering::Relaxed);
        let bytes = self
            .rt
            .block_on(async { self.store.get(&Self::path(key)).await?.bytes().await });
        let bytes = bytes.map_err(io_err)?;
        self.stats
            .bytes_in
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.remember(key, bytes.len() as u64);
        // A whole pack just read (a catalog catching up) fills the cache, so
        // reading its versions next costs no requests.
        if let Some(cache) = &self.cache
            && key.starts_with("packs/")
        {
            for (i, chunk) in bytes.chunks(BLOCK as usize).enumerate() {
                cache.put(key, i as u64, chunk);
            }
        }
        Ok(bytes.to_vec())
    }

    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let end = offset
            .checked_add(len as u64)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "range overflows"))?;
        let Some(cache) = &self.cache else {
            return Ok(self.fetch(key, offset..end)?.to_vec());
        };
        let size = self.size_of(key)?;
        if end > size {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short read"));
        }
        if len == 0 {
            return Ok(Vec::new());
        }
        let (first, last) = (offset / BLOCK, (end - 1) / BLOCK);
        let mut blocks: Vec<Option<Vec<u8>>> = (first..=last).map(|i| cache.get(key, i)).collect();
        // One request per run of missing blocks.
        let mut i = 0;
        while i < blocks.len() {
            if blocks[i].is_some() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < blocks.len() && blocks[j].is_none() {
                j += 1;
            }
            let from = (first + i as u64) * BLOCK;
            let to = ((first + j as u64) * BLOCK).min(size);
            let got = self.fetch(key, from..to)?;
            for (n, chunk) in got.chunks(BLOCK as usize).enumerate() {
                cache.put(key, first + (i + n) as u64, chunk);
                blocks[i + n] = Some(chunk.to_vec());
            }
            i = j;
        }
        let mut out = Vec::with_capacity(len);
        for (n, block) in blocks.into_iter().enumerate() {
            let block = block.ok_or_else(|| io::Error::other("range fetch came back short"))?;
            let base = (first + n as u64) * BLOCK;
            let from = offset.saturating_sub(base) as usize;
            let to = ((end - base) as usize).min(block.len());
            out.extend_from_slice(
                block
                    .get(from..to)
                    .ok_or_else(|| io::Error::other("cached block is short"))?,
            );
        }
        if out.len() != len {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "short read"));
        }
        Ok(out)
    }

    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        if key.starts_with("packs/") && !self.lease_valid() {
            return Err(io::Error::other(
                "this writer's lease on the store ran out (paused too long, or another \
                 writer took over); nothing more is uploaded: run the command again",
            ));
        }
        let path = Self::path(key);
        self.stats.heads.fetch_add(1, Ordering::Relaxed);
        match self.rt.block_on(self.store.head(&path)) {
            Ok(_) => return Ok(false),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(io_err(e)),
        }
        self.stats.put();
        self.stats
            .bytes_out
            .fetch_add(bytes.len() as u64, Ordering::Relaxed);
        self.rt
            .block_on(self.store.put(&path, PutPayload::from(bytes.to_vec())))
            .map_err(io_err)?;
        self.remember(key, bytes.len() as u64);
        Ok(true)
    }

    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        let prefix = prefix.trim_end_matches('/');
        self.stats.list();
        let listed: Vec<_> = self
            .rt
            .block_on(
                self.store
                    .list(Some(&Self::path(prefix)))
                    .try_collect::<Vec<_>>(),
            )
            .map_err(io_err)?;
        let mut out: Vec<(String, u64)> = listed
            .into_iter()
            .map(|m| (m.location.to_string(), m.size))
            .filter(|(k, _)| {
                k.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix('/'))
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
            })
            .collect();
        out.sort();
        if let Ok(mut m) = self.sizes.lock() {
            m.extend(out.iter().cloned());
        }
        Ok(out)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        self.stats.delete();
        self.rt
            .block_on(self.store.delete(&Self::path(key)))
            .map_err(io_err)
    }

    fn remove_partial_writes(&self) -> io::Result<usize> {
        Ok(0) // a PUT is whole or absent
    }

    fn read_marker(&self) -> io::Result<Option<Vec<u8>>> {
        if let Some(m) = self.marker.lock().ok().and_then(|m| m.clone()) {
            return Ok(Some(m));
        }
        self.stats.gets.fetch_add(1, Ordering::Relaxed);
        let got = self
            .rt
            .block_on(async { self.store.get(&Self::path(MARKER)).await?.bytes().await });
        match got {
            Ok(b) => {
                if let Ok(mut m) = self.marker.lock() {
                    *m = Some(b.to_vec());
                }
                Ok(Some(b.to_vec()))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(io_err(e)),
        }
    }

    fn write_marker(&self, bytes: &[u8]) -> io::Result<()> {
        // Written once: a remote store is created at the current format and
        // its marker never replaced.
        match self.read_marker()? {
            Some(old) if old == bytes => Ok(()),
            Some(_) => Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "the store's marker on object storage is never replaced",
            )),
            None => self.put_if_absent(MARKER, bytes).map(drop),
        }
    }

    fn try_lock(&self) -> io::Result<Option<Lease>> {
        self.acquire(false)
    }

    fn lock(&self) -> io::Result<Lease> {
        self.acquire(true)?
            .ok_or_else(|| io::Error::other("the lease was not taken"))
    }

    fn shared(&self) -> bool {
        true
    }

    fn try_named_lease(&self, name: &str) -> io::Result<Option<Leased>> {
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("lease name {name:?}: lower-case letters only"),
            ));
        }
        let locker = lease::Locker {
            store: self.store.clone(),
            config: self.lease,
            stats: self.stats.clone(),
            prefix: format!("{name}-locks"),
            since: lease::now_ms(),
        };
        Ok(Some(
            match self.rt.block_on(locker.try_named()).map_err(io_err)? {
                Ok((token, key)) => {
                    let held = lease::new_held(self.lease.ttl);
                    Leased::Held(Box::new(lease::hold(locker, token, key, held)))
                }
                Err(holder) => Leased::Busy(holder),
            },
        ))
    }

    fn pack_indexes(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests;
