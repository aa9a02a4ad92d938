//! A bounded local cache of fixed-size blocks of remote packs.
//!
//! Packs are immutable and named by their hash, so a cached block never goes
//! stale. Blocks are files `<pack>.<index>` in one directory per remote
//! store, written to a temporary name and renamed into place (a crash leaves
//! at most a `.tmp-*` file). When the directory grows past its budget, the
//! least recently written blocks go first. A damaged block is harmless to
//! correctness: every object decoded from it is checked against its hash,
//! and `verify` never reads through this cache.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes per cached block: a delta chain usually sits within one or two.
pub const BLOCK: u64 = 1 << 20;

pub struct BlockCache {
    dir: PathBuf,
    budget: u64,
    /// Bytes in the directory, as far as this process knows (`u64::MAX`:
    /// not counted yet).
    used: AtomicU64,
}

impl BlockCache {
    /// A cache in `dir` (created when first written) holding at most `budget` bytes.
    pub fn new(dir: PathBuf, budget: u64) -> BlockCache {
        BlockCache {
            dir,
            budget,
            used: AtomicU64::new(u64::MAX),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, index: u64) -> PathBuf {
        self.dir.join(format!("{}.{index}", key.replace('/', "_")))
    }

    /// The cached block, if any.
    pub fn get(&self, key: &str, index: u64) -> Option<Vec<u8>> {
        std::fs::read(self.path(key, index)).ok()
    }

    /// Keeps a block (best effort: a cache that cannot be written only costs requests).
    pub fn put(&self, key: &str, index: u64, bytes: &[u8]) {
        if self.budget < BLOCK {
            return;
        }
        let _ = self.try_put(key, index, bytes);
    }

    fn try_put(&self, key: &str, index: u64, bytes: &[u8]) -> io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let path = self.path(key, index);
        if path.exists() {
            return Ok(());
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let tmp = self
            .dir
            .join(format!(".tmp-{}-{nanos}-{index}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, &path)?;
        let used = match self.used.load(Ordering::Relaxed) {
            u64::MAX => self.count()?,
            n => n + bytes.len() as u64,
        };
        self.used.store(used, Ordering::Relaxed);
        if used > self.budget {
            self.prune()?;
        }
        Ok(())
    }

    fn entries(&self) -> io::Result<Vec<(std::time::SystemTime, u64, PathBuf)>> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.dir)?.flatten() {
            if let Ok(m) = e.metadata() {
                let t = m.modified().unwrap_or(std::time::UNIX_EPOCH);
                out.push((t, m.len(), e.path()));
            }
        }
        Ok(out)
    }

    fn count(&self) -> io::Result<u64> {
        Ok(self.entries()?.iter().map(|(_, len, _)| len).sum())
    }

    /// Removes the oldest blocks until the cache holds 3/4 of its budget.
    fn prune(&self) -> io::Result<()> {
        let mut entries = self.entries()?;
        entries.sort();
        let mut used: u64 = entries.iter().map(|(_, len, _)| len).sum();
        for (_, len, path) in entries {
            if used <= self.budget / 4 * 3 {
                break;
            }
            if std::fs::remove_file(&path).is_ok() {
                used -= len;
            }
        }
        self.used.store(used, Ordering::Relaxed);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_blocks_within_budget() {
        let tmp = tempfile::tempdir().unwrap();
        let c = BlockCache::new(tmp.path().join("b"), 3 * BLOCK);
        let block = vec![7u8; BLOCK as usize];
        for i in 0..6 {
            c.put("packs/a.pack", i, &block);
        }
        let used: u64 = c.count().unwrap();
        assert!(used <= 3 * BLOCK, "{used}");
        assert_eq!(c.get("packs/a.pack", 5).unwrap(), block);
        assert!(c.get("packs/a.pack", 0).is_none());
    }
}
