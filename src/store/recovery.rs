//! Recovery and reindex: indexing packs the catalog does not know (left by
//! an interrupted writer, or all of them when the catalog is rebuilt).

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use super::*;
use crate::error::StoreError;
use crate::id::{IdSet, ObjectId};

impl Archive {
    /// `None` when every entry of an uncataloged pack is an object stored in
    /// another intact place: cataloged in a pack whose checksum holds, or in
    /// `covered` (packs about to be indexed). Otherwise the ids it holds. A
    /// damaged pack is never redundant, and neither is one whose objects are
    /// cataloged in a damaged pack: it may hold the only good copy.
    pub(super) fn redundancy(&self, name: &str, covered: &IdSet) -> Result<Option<Vec<ObjectId>>> {
        let intact = |pack: &str| -> bool {
            self.backend
                .get(&pack_key(pack))
                .is_ok_and(|b| pack::scan(&b, Some(pack)).problems.is_empty())
        };
        let bytes = self
            .backend
            .get(&pack_key(name))
            .map_err(StoreError::io(format!("reading pack {name}")))?;
        let scan = pack::scan(&bytes, Some(name));
        if !scan.problems.is_empty() {
            return Ok(Some(Vec::new()));
        }
        let ids: Vec<ObjectId> = scan.entries.iter().map(|e| e.header.id).collect();
        if ids.is_empty() {
            return Ok(Some(ids));
        }
        let mut checked: HashMap<String, bool> = HashMap::new();
        for id in &ids {
            if covered.contains(id) {
                continue;
            }
            match self.cat(self.catalog.object(id))? {
                Some(row) if row.pack != name => {
                    let ok = *checked
                        .entry(row.pack.clone())
                        .or_insert_with(|| intact(&row.pack));
                    if !ok {
                        return Ok(Some(ids));
                    }
                }
                _ => return Ok(Some(ids)),
            }
        }
        Ok(None)
    }

    /// Packs present in the backend: name and size.
    pub(super) fn pack_listing(&self) -> Result<Vec<(String, u64)>> {
        let listed = self
            .backend
            .list("packs")
            .map_err(StoreError::io("listing objects/packs"))?;
        Ok(listed
            .into_iter()
            .filter_map(|(k, size)| {
                let name = k.strip_prefix("packs/")?.strip_suffix(".pack")?;
                Some((name.to_owned(), size))
            })
            .collect())
    }

    /// Pack names present in the backend.
    pub fn pack_names(&self) -> Result<Vec<String>> {
        Ok(self.pack_listing()?.into_iter().map(|(n, _)| n).collect())
    }

    /// Adds packs' objects and captures to the catalog (inside the caller's
    /// transaction). Entries whose headers do not parse are left for verify.
    pub(super) fn index_packs(&self, names: &[String]) -> Result<()> {
        let mut scanned = Vec::new();
        for name in names {
            let bytes = self
                .backend
                .get(&pack_key(name))
                .map_err(StoreError::io(format!("reading pack {name}")))?;
            let scan = pack::scan(&bytes, Some(name));
            scanned.push((name, bytes.len() as u64, scan.entries));
        }
        // Chain depths, across every pack being indexed and those already known.
        let bases: HashMap<ObjectId, Option<ObjectId>> = scanned
            .iter()
            .flat_map(|(_, _, entries)| entries.iter().map(|e| (e.header.id, e.base)))
            .collect();
        let depths = chain::depths(&bases, READ_CHAIN_LIMIT, |base| {
            Ok(self.cat(self.catalog.object(base))?.map(|r| r.depth))
        })?;
        let mut located: HashMap<ObjectId, (i64, ObjectRow)> = HashMap::new();
        for (name, size, entries) in &scanned {
            let pack_id = self.cat(self.catalog.add_pack(name, *size))?;
            for e in entries {
                let row = object_row(name, e, depths[&e.header.id]);
                if row.kind != Kind::Record {
                    self.cat(self.catalog.insert_object(pack_id, &row))?;
                }
                located.insert(e.header.id, (pack_id, row));
            }
        }
        let rows: HashMap<ObjectId, ObjectRow> = located
            .iter()
            .map(|(id, (_, row))| (*id, row.clone()))
            .collect();
        for (pack_id, row) in located.values().filter(|(_, r)| r.kind == Kind::Record) {
            let id = CaptureId(row.id);
            // A record that cannot be read is damage for verify to report.
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(&rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            if let Ok(rec) = CaptureRecord::parse(&bytes) {
                self.cat(self.catalog.insert_capture(&id, &rec, None))?;
                self.cat(self.catalog.insert_object(*pack_id, row))?;
            }
        }
        // State objects by name and round (one that does not parse is left
        // for verify: it is an object like any other).
        for (_, row) in located.values().filter(|(_, r)| r.kind == Kind::State) {
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(&rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            if let Ok(h) = super::state::StateHeader::parse(&bytes) {
                self.cat(self.catalog.add_state(&row.id, &h.state, h.round))?;
            }
        }
        // Archiving order, from the log segments (records first: a segment
        // names captures of its own pack and of packs indexed before it).
        for (_, row) in located.values().filter(|(_, r)| r.kind == Kind::Log) {
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(&rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            // A segment that does not parse is damage for verify to report.
            if let Ok(seg) = tlog::Segment::decode(&bytes) {
                let count = seg.captures.len() as u64;
                self.cat(self.catalog.add_log_segment(seg.start, count, &row.id))?;
                for (i, c) in seg.captures.iter().enumerate() {
                    self.cat(self.catalog.set_seq(c, seg.start + i as u64))?;
                }
            }
        }
        Ok(())
    }
}

/// Rebuilds the catalog of the store at `dir` from its packs alone. Works
/// when the catalog is missing or damaged: the new catalog is built beside
/// the old one and renamed over it under the writer lock.
pub fn reindex(dir: &Path) -> Result<ReindexReport> {
    if let Some(spec) = remote::parse(dir) {
        return remote::reindex(&spec?);
    }
    let backend = Box::new(fs::FsBackend::for_store(dir));
    let format = check_marker(dir, &*backend)?;
    let io = |what: &str| StoreError::io(format!("{what} in {}", dir.display()));
    let fresh = dir.join(format!("{CATALOG}.rebuild"));
    for stale in [
        fresh.clone(),
        dir.join(format!("{CATALOG}.rebuild-journal")),
    ] {
        match std::fs::remove_file(&stale) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io("removing a stale rebuild")(e));
            }
            _ => {}
        }
    }
    let catalog = Catalog::open(&fresh, true).map_err(|source| StoreError::Catalog {
        path: fresh.clone(),
        source,
    })?;
    let archive = Archive::with_catalog(dir, backend, catalog, format);
    // The writer indexes every pack the (empty) catalog does not know.
    let writer = archive.writer(&mut || {})?;
    let packs = archive.pack_names()?.len();
    let captures = archive.cat(archive.catalog.captures())?.len();
    let lock = writer.finish()?;
    drop(archive);
    // A hot journal left by a crashed writer belongs to the old catalog.
    match std::fs::remove_file(dir.join(format!("{CATALOG}-journal"))) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(io("removing the old journal")(e));
        }
        _ => {}
    }
    std::fs::rename(&fresh, dir.join(CATALOG)).map_err(io("replacing the catalog"))?;
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(io("syncing"))?;
    drop(lock);
    Ok(ReindexReport { packs, captures })
}

/// What `reindex` rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexReport {
    pub packs: usize,
    pub captures: usize,
}

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
