//! Storage of immutable blobs under logical keys (`packs/<hex>.pack`), so the
//! archive logic never sees paths: a local directory today, an object store
//! (S3 and friends) or a fault-injecting test double tomorrow.

use std::io;

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
}
