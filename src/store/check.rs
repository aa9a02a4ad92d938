//! Check records: each re-check of a document's URL by the monitor
//! (`crate::monitor`), whatever it found (unchanged, a new version, 304, a
//! redirect, 404/410, another status, a network failure, text that
//! vanished), as an immutable, content-addressed object of kind 5. They are
//! written in the same pack as the capture a check made (if any), so they
//! are pushed, pulled and merged like captures, and any machine can rebuild
//! the schedule from them. The store reads nothing of their bytes beyond
//! their size: the monitor owns their JSON (`docs/format.md`).

use super::archive::Archive;
use super::error::{Result, StoreError};
use super::layout::{CHECK_FORMAT, write_marker};
use super::object::Kind;
use super::write::Writer;
use crate::id::ObjectId;

/// Largest check record accepted.
pub const MAX_CHECK_SIZE: usize = 64 << 10;

impl Archive {
    /// The id of every check record in the store, in no particular order.
    pub fn check_ids(&self) -> Result<Vec<ObjectId>> {
        let _snapshot = self.catalog.read_snapshot();
        self.cat(self.catalog.objects_of_kind(Kind::Check))
    }
}

impl Writer<'_> {
    /// Stages a check record, compressed against `base` (the document's
    /// previous check, when known). It is acknowledged with the write. The
    /// first one raises the store to format 4.
    pub fn put_check(&mut self, bytes: &[u8], base: Option<ObjectId>) -> Result<ObjectId> {
        if bytes.len() > MAX_CHECK_SIZE {
            return Err(StoreError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_CHECK_SIZE as u64,
            });
        }
        let a = self.archive();
        if a.format < CHECK_FORMAT {
            write_marker(&*a.backend, CHECK_FORMAT)?;
        }
        self.put_object(Kind::Check, bytes, base)
    }
}
