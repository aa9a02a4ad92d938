//! Objects the catalog does not locate yet: written in the current
//! transaction (not yet in a sealed pack), or in packs being indexed. Read,
//! write and recovery all look here, so it depends on none of them.

use std::collections::HashMap;

use super::catalog::ObjectRow;
use super::pack::{Entry, PackWriter};
use crate::id::ObjectId;

/// Where to find objects the catalog does not locate yet.
#[derive(Clone, Copy)]
pub(super) enum Extra<'a> {
    None,
    /// Written in this transaction, not yet in a sealed pack.
    Pending(&'a Pending),
    /// In packs being indexed.
    Located(&'a Located),
}

/// Entries of packs being indexed: where each is, and the bytes of those an
/// index object supplied (with their resolved bases), read without the pack.
#[derive(Default)]
pub(super) struct Located {
    pub(super) rows: HashMap<ObjectId, ObjectRow>,
    pub(super) raw: HashMap<ObjectId, (Vec<u8>, Option<ObjectId>)>,
}

impl Extra<'_> {
    pub(super) fn raw(&self, id: &ObjectId) -> Option<&[u8]> {
        match self {
            Extra::Pending(p) => p.raw(id),
            _ => None,
        }
    }

    pub(super) fn pending_id_at(&self, offset: u64) -> Option<ObjectId> {
        match self {
            Extra::Pending(p) => p.pack.id_at(offset),
            _ => None,
        }
    }

    pub(super) fn row(&self, id: &ObjectId) -> Option<&ObjectRow> {
        match self {
            Extra::Located(l) => l.rows.get(id),
            _ => None,
        }
    }
}

/// Objects written in this transaction but not yet in a sealed pack.
#[derive(Default)]
pub(super) struct Pending {
    pub(super) pack: PackWriter,
    pub(super) entries: HashMap<ObjectId, (Entry, u32)>,
}

impl Pending {
    pub(super) fn raw(&self, id: &ObjectId) -> Option<&[u8]> {
        self.entries.get(id).map(|(e, _)| self.pack.entry_bytes(e))
    }
}

/// The catalog row of a pack entry.
pub(super) fn object_row(pack: &str, e: &Entry, depth: u32) -> ObjectRow {
    ObjectRow {
        id: e.header.id,
        pack: pack.to_owned(),
        offset: e.offset,
        len: e.header.entry_len() as u64,
        kind: e.header.kind,
        size: e.header.size as u64,
        depth,
    }
}
