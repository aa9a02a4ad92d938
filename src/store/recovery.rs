//! Recovery and reindex: indexing packs the catalog does not know (left by
//! an interrupted writer, or all of them when the catalog is rebuilt).

use std::collections::HashMap;
use std::fs::File;
use std::path::Path;

use super::archive::Archive;
use super::catalog::ReindexReport;
use super::catalog::{Catalog, ObjectRow};
use super::error::Result;
use super::error::StoreError;
use super::layout::{CATALOG, READ_CHAIN_LIMIT, check_marker, pack_key};
use super::located::{Extra, Located, object_row};
use super::location::Location;
use super::object::Kind;
use super::pack::Entry;
use super::record::{CaptureId, CaptureRecord};
use super::{chain, fs, pack, packindex, remote, tlog};
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
    /// transaction), given their names and listed sizes. Entries whose
    /// headers do not parse are left for verify. A pack with a usable index
    /// object (`packindex.rs`) is indexed from it, without reading the pack.
    pub(super) fn index_packs(&self, packs: &[(String, u64)]) -> Result<()> {
        let mut located = Located::default();
        let mut scanned = Vec::new();
        let mut from_index: Vec<&String> = Vec::new();
        let indexes = self.index_listing(packs);
        for (name, size) in packs {
            let index = indexes
                .get(name.as_str())
                .and_then(|len| self.load_index(name, *size, *len));
            match index {
                Some(ix) => {
                    located.raw.extend(ix.raw_by_id());
                    from_index.push(name);
                    scanned.push((name, *size, ix.entries, true));
                }
                None => scanned.push(self.scan_pack(name)?),
            }
        }
        // Where an object has two copies (a repair's new pack beside the
        // damaged pack it replaced, left by a kill before its deletion), the
        // first indexed is the one the catalog locates: intact packs first.
        // (A pack indexed from its index object was checked whole then.)
        scanned.sort_by_key(|(_, _, _, intact)| !*intact);
        let mut scanned: Vec<(&String, u64, Vec<Entry>)> = scanned
            .into_iter()
            .map(|(n, size, entries, _)| (n, size, entries))
            .collect();
        let from_index: std::collections::HashSet<&String> = from_index.into_iter().collect();
        let mut from_index: Vec<usize> = scanned
            .iter()
            .enumerate()
            .filter(|(_, (n, ..))| from_index.contains(n))
            .map(|(i, _)| i)
            .collect();
        // Every object an index supplied must decode to its id (its chain
        // may run through other indexes, or packs already cataloged); a pack
        // whose index does not is scanned instead, until none is left.
        loop {
            located.rows = HashMap::new();
            for (name, _, entries) in &scanned {
                for e in entries {
                    // The first copy, as in the catalog (see above).
                    located
                        .rows
                        .entry(e.header.id)
                        .or_insert_with(|| object_row(name, e, 0));
                }
            }
            let bad: Vec<usize> = from_index
                .iter()
                .copied()
                .filter(|&i| {
                    scanned[i].2.iter().any(|e| {
                        located.raw.contains_key(&e.header.id)
                            && self
                                .read_with(&e.header.id, Extra::Located(&located), READ_CHAIN_LIMIT)
                                .is_err()
                    })
                })
                .collect();
            if bad.is_empty() {
                break;
            }
            for i in bad {
                for e in &scanned[i].2 {
                    located.raw.remove(&e.header.id);
                }
                let name = scanned[i].0;
                let (n, size, entries, _) = self.scan_pack(name)?;
                scanned[i] = (n, size, entries);
                from_index.retain(|&j| j != i);
            }
        }
        // Chain depths, across every pack being indexed and those already known.
        let bases: HashMap<ObjectId, Option<ObjectId>> = scanned
            .iter()
            .flat_map(|(_, _, entries)| entries.iter().map(|e| (e.header.id, e.base)))
            .collect();
        let depths = chain::depths(&bases, READ_CHAIN_LIMIT, |base| {
            Ok(self.cat(self.catalog.object(base))?.map(|r| r.depth))
        })?;
        let mut rows: HashMap<ObjectId, (i64, ObjectRow)> = HashMap::new();
        for (name, size, entries) in &scanned {
            let pack_id = self.cat(self.catalog.add_pack(name, *size))?;
            for e in entries {
                let row = object_row(name, e, depths[&e.header.id]);
                if row.kind != Kind::Record {
                    self.cat(self.catalog.insert_object(pack_id, &row))?;
                }
                rows.entry(e.header.id).or_insert((pack_id, row));
            }
        }
        located.rows = rows
            .iter()
            .map(|(id, (_, row))| (*id, row.clone()))
            .collect();
        let located_rows = rows;
        let rows = &located;
        for (pack_id, row) in located_rows
            .values()
            .filter(|(_, r)| r.kind == Kind::Record)
        {
            let id = CaptureId(row.id);
            // A record that cannot be read is damage for verify to report.
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            if let Ok(rec) = CaptureRecord::parse(&bytes) {
                self.cat(self.catalog.insert_capture(&id, &rec, None))?;
                self.cat(self.catalog.insert_object(*pack_id, row))?;
            }
        }
        // State objects by name and round (one that does not parse is left
        // for verify: it is an object like any other).
        for (_, row) in located_rows.values().filter(|(_, r)| r.kind == Kind::State) {
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            if let Ok(h) = super::state::StateHeader::parse(&bytes) {
                self.cat(self.catalog.add_state(&row.id, &h.state, h.round))?;
            }
        }
        // Archiving order, from the log segments (records first: a segment
        // names captures of its own pack and of packs indexed before it).
        for (_, row) in located_rows.values().filter(|(_, r)| r.kind == Kind::Log) {
            let Ok(bytes) = self.read_with(&row.id, Extra::Located(rows), READ_CHAIN_LIMIT) else {
                continue;
            };
            // A segment that does not parse is damage for verify to report.
            if let Ok(seg) = tlog::Segment::decode(&bytes) {
                self.cat(self.catalog.add_log_segment(seg.start, seg.len(), &row.id))?;
                for (at, c) in seg.capture_positions() {
                    self.cat(self.catalog.set_seq(&c, at))?;
                }
            }
        }
        Ok(())
    }
}

impl Archive {
    /// Stores a pack's index object beside it (after the pack, never
    /// overwritten) on a backend that keeps them. Best effort: without it
    /// (a failed upload, a crash just before) readers scan the pack, as for
    /// packs written before index objects existed.
    /// `standalone` gives the bytes of objects whose delta base is in
    /// another pack (see `packindex`).
    pub(super) fn put_pack_index(
        &self,
        name: &str,
        pack: &[u8],
        entries: &[Entry],
        standalone: &mut dyn FnMut(&ObjectId) -> Option<Vec<u8>>,
    ) {
        // A pack holding a record set gets none: readers scan it (an index
        // object names one id per entry, not the records of a set).
        if self.backend.pack_indexes() && !entries.iter().any(|e| e.in_set) {
            let index = packindex::encode(name, pack, entries, standalone);
            let _ = self.backend.put_if_absent(&packindex::key(name), &index);
        }
    }

    /// The pack index objects listed, for verify (none on a backend that
    /// keeps none), and why they could not be listed.
    pub(super) fn index_keys(&self) -> (HashMap<String, u64>, Option<String>) {
        if !self.backend.pack_indexes() {
            return (HashMap::new(), None);
        }
        match self.backend.list("index") {
            Ok(listed) => (
                listed
                    .into_iter()
                    .filter_map(|(k, len)| Some((packindex::pack_of(&k)?.to_owned(), len)))
                    .collect(),
                None,
            ),
            Err(e) => (
                HashMap::new(),
                Some(format!(
                    "cannot list the pack index objects ({e}); they were not checked"
                )),
            ),
        }
    }

    /// How pack `name`'s index object (if `listed` has one) disagrees with
    /// the pack's bytes, for verify: `None` when it agrees or there is none.
    pub(super) fn index_mismatch(
        &self,
        listed: &HashMap<String, u64>,
        name: &str,
        pack: &[u8],
    ) -> Option<String> {
        if !listed.contains_key(name) {
            return None;
        }
        let key = packindex::key(name);
        let why = match self.backend.get(&key) {
            Err(e) => format!("unreadable: {e}"),
            Ok(index) => packindex::check(&index, name, pack).err()?,
        };
        Some(format!(
            "index object {key}: {why}; deleting it is safe (readers then scan the pack; \
             the archive's data is not affected)"
        ))
    }

    /// Reads a whole pack and scans it: name, size, entries and whether it
    /// is intact.
    fn scan_pack<'n>(&self, name: &'n String) -> Result<(&'n String, u64, Vec<Entry>, bool)> {
        let bytes = self
            .backend
            .get(&pack_key(name))
            .map_err(StoreError::io(format!("reading pack {name}")))?;
        let scan = pack::scan(&bytes, Some(name));
        let intact = scan.problems.is_empty();
        Ok((name, bytes.len() as u64, scan.entries, intact))
    }

    /// The index objects of `packs` and their sizes, on a backend that
    /// keeps them (one listing; none when it fails: packs are scanned).
    fn index_listing(&self, packs: &[(String, u64)]) -> HashMap<String, u64> {
        if packs.is_empty() || !self.backend.pack_indexes() {
            return HashMap::new();
        }
        let Ok(listed) = self.backend.list("index") else {
            return HashMap::new();
        };
        listed
            .into_iter()
            .filter_map(|(k, len)| Some((packindex::pack_of(&k)?.to_owned(), len)))
            .collect()
    }

    /// A pack's index object when it reads, parses, names this pack and
    /// agrees with its listed size; `None` (scan the pack) otherwise.
    fn load_index(&self, name: &str, size: u64, len: u64) -> Option<packindex::PackIndex> {
        if len > packindex::max_len(size) {
            return None;
        }
        let bytes = self.backend.get(&packindex::key(name)).ok()?;
        let ix = packindex::parse(&bytes).ok()?;
        (ix.name == name && ix.size == size).then_some(ix)
    }
}

/// Rebuilds the catalog of the store at `dir` from its packs alone. Works
/// when the catalog is missing or damaged: the new catalog is built beside
/// the old one and renamed over it under the writer lock.
pub fn reindex(dir: &Path) -> Result<ReindexReport> {
    if let Location::ObjectStore(spec) = Location::parse(dir)? {
        return remote::reindex(&spec);
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
