//! The archive: captures kept forever, content-addressed, compressed.
//!
//! Layout of a store directory:
//!
//! ```text
//! VELLUM                 marker and format version
//! objects/packs/*.pack   every immutable object (pack.rs, object.rs): capture
//!                        bytes and texts, capture records, archive log (tlog.rs)
//! catalog.sqlite         derived index; `vellum reindex` rebuilds it from objects/
//! lock                   held by the one writer at a time
//! ```
//!
//! A write is acknowledged only after its pack is durable and the catalog
//! transaction has committed. A crash before that leaves at most a pack the
//! catalog does not know yet: the next writer (or `reindex`) indexes it, and
//! `verify` reports it as pending, not as damage.

pub mod backend;
pub mod catalog;
pub mod fs;
pub mod history;
pub mod object;
pub mod pack;
pub mod record;
pub mod tlog;
pub mod verify;

mod address;
mod cache;

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use time::OffsetDateTime;

pub use address::{Address, Resolved};
pub use history::{History, Version};
pub use record::{CaptureId, CaptureRecord, HttpRecord, RedirectHop};

use crate::error::StoreError;
use crate::id::{IdSet, ObjectId};
use crate::ingest::{self, DocName};
use backend::Backend;
use cache::Cache;
use catalog::{CaptureRow, Catalog, ObjectRow};
use object::{BaseRef, Codec, Kind, MAX_OBJECT_SIZE};
use pack::{Entry, PackWriter};

/// Store format written by this vellum. Format 2 added the archive log
/// (`tlog.rs`); format 1 stores are read as they are and become format 2 when
/// a write first logs captures.
pub const STORE_FORMAT: u32 = 2;
const READABLE_FORMATS: [u32; 2] = [1, 2];
const MARKER: &str = "VELLUM";
const CATALOG: &str = "catalog.sqlite";
const LOCK: &str = "lock";
/// Longest delta chain written: any version reads back in at most this many
/// decompressions (about 15 on average). Readers refuse chains longer than
/// [`READ_CHAIN_LIMIT`]. Measured on the benchmark corpus: 16 costs 1.58 MB of
/// content, 32 with skip-deltas 0.99 MB (see `choose_base`).
pub const MAX_CHAIN: u32 = 32;
const READ_CHAIN_LIMIT: u32 = 64;
/// Packs under this size are merged once [`REPACK_AT`] of them exist: one
/// `add` per capture (a scraper) would otherwise leave a small file per
/// capture, as git's loose objects do before `gc`.
const REPACK_SMALL: u64 = 1 << 20;
const REPACK_AT: usize = 32;
/// Batches at least this large may compact the catalog after committing.
const VACUUM_MIN_BATCH: usize = 1000;
/// Bytes of decoded objects kept for reuse (delta bases, repeated reads).
/// With the pack buffer and SQLite's cache this bounds a process's memory
/// whatever the size of the store or of a batch.
const DECODED_CACHE: usize = 24 << 20;
/// Packs are sealed at this size, which bounds a writer's memory.
const PACK_TARGET: usize = 16 << 20;

type Result<T> = std::result::Result<T, StoreError>;

fn pack_key(name: &str) -> String {
    format!("packs/{name}.pack")
}

/// An open store.
pub struct Archive {
    dir: PathBuf,
    backend: Box<dyn Backend>,
    catalog: Catalog,
    cache: Cache,
    /// Why the catalog could not be opened (only with `open_for_verify`).
    catalog_problem: Option<String>,
    /// The store format its marker names.
    format: u32,
    /// The catalog on disk is an older vellum's: this one was rebuilt in
    /// memory from the objects.
    catalog_outdated: bool,
}

/// What a capture is, before it is archived.
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub doc: DocName,
    pub captured_at: OffsetDateTime,
    pub bytes: Vec<u8>,
    /// A file name or URL, used only to guess the media type.
    pub name_hint: Option<String>,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
}

/// What ingest made of a capture, beyond its bytes (all optional: the
/// default is what [`Writer::add`] does, text = the bytes when UTF-8).
#[derive(Debug, Clone, Default)]
pub struct CaptureExtra {
    /// The capture's text, decoded or extracted; stored as its own object
    /// unless it equals the bytes.
    pub text: Option<String>,
    /// With `text` absent: the capture has no text even if its bytes are UTF-8.
    pub no_text: bool,
    pub media_type: Option<String>,
    pub extractor: Option<String>,
    pub encoding: Option<String>,
    pub canonical_url: Option<String>,
    pub http: Option<record::HttpRecord>,
    pub flag: Option<String>,
}

/// Whether a capture brought a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Unchanged,
    /// Archived with a flag: listed among the captures, never a version.
    Flagged,
}

/// One archived capture, as `add` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub doc: DocName,
    pub version: u64,
    pub capture: CaptureId,
    pub status: Status,
    pub captured_at: OffsetDateTime,
    /// The text id of this version and of the version before it (for stats).
    pub text: Option<ObjectId>,
    pub previous_text: Option<ObjectId>,
}

/// One document, as `log` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSummary {
    pub doc: String,
    pub versions: u64,
    pub captures: u64,
    pub first: OffsetDateTime,
    pub last: OffsetDateTime,
    pub title: Option<String>,
}

fn check_not_symlink(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(StoreError::Symlink(path.to_owned())),
        _ => Ok(()),
    }
}

impl Archive {
    /// Creates a store at `dir` (or opens it when it already is one).
    /// Returns whether it was created.
    pub fn init(dir: &Path) -> Result<(Archive, bool)> {
        check_not_symlink(dir)?;
        if dir.join(MARKER).exists() {
            return Ok((Archive::open(dir)?, false));
        }
        if dir.exists() && !is_uninitialized(dir) {
            return Err(StoreError::NotAStore(dir.to_owned()));
        }
        let io = |what: &str| StoreError::io(format!("creating {what} in {}", dir.display()));
        std::fs::create_dir_all(dir.join("objects/packs")).map_err(io("objects/"))?;
        Catalog::open(&dir.join(CATALOG), true).map_err(|source| StoreError::Catalog {
            path: dir.join(CATALOG),
            source,
        })?;
        // The marker goes last and durably: a store without it is not a store
        // (and an init killed before this point is simply done again).
        write_marker(dir, STORE_FORMAT)?;
        Ok((Archive::open(dir)?, true))
    }

    /// Opens an existing store. A catalog written by an older vellum is
    /// rebuilt in memory (readers never change a byte of the store);
    /// [`Archive::open_writable`] and `reindex` upgrade it on disk.
    pub fn open(dir: &Path) -> Result<Archive> {
        let format = check_marker(dir)?;
        let catalog_path = dir.join(CATALOG);
        if !catalog_path.exists() {
            return Err(StoreError::Catalog {
                path: catalog_path,
                source: rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some("the catalog file is missing".into()),
                ),
            });
        }
        let catalog = match Catalog::open(&catalog_path, false) {
            Ok(c) => c,
            Err(e) if catalog::is_older_schema(&e) => {
                let mut archive = Archive::with_catalog(dir, memory_catalog(dir)?, format);
                archive.catalog_outdated = true;
                archive.cat(archive.catalog.begin())?;
                let names = archive.pack_names()?;
                archive.index_packs(&names)?;
                archive.cat(archive.catalog.commit())?;
                return Ok(archive);
            }
            Err(source) => {
                return Err(StoreError::Catalog {
                    path: catalog_path,
                    source,
                });
            }
        };
        Ok(Archive::with_catalog(dir, catalog, format))
    }

    /// Opens an existing store for writing: a catalog written by an older
    /// vellum is first rebuilt on disk. Returns whether it was.
    pub fn open_writable(dir: &Path) -> Result<(Archive, bool)> {
        let archive = Archive::open(dir)?;
        if !archive.catalog_outdated {
            return Ok((archive, false));
        }
        drop(archive);
        reindex(dir)?;
        Ok((Archive::open(dir)?, true))
    }

    /// Whether the catalog on disk is an older vellum's (this handle reads a
    /// copy rebuilt in memory; `vellum reindex` upgrades it).
    pub fn catalog_outdated(&self) -> bool {
        self.catalog_outdated
    }

    /// Opens a store for `verify`, which must run even when the catalog cannot
    /// be read: the objects are then checked against an empty catalog and the
    /// report carries the catalog's problem.
    pub fn open_for_verify(dir: &Path) -> Result<Archive> {
        match Archive::open(dir) {
            Err(StoreError::Catalog { source, .. }) => {
                let mut archive =
                    Archive::with_catalog(dir, memory_catalog(dir)?, check_marker(dir)?);
                archive.catalog_problem = Some(source.to_string());
                Ok(archive)
            }
            other => other,
        }
    }

    /// Opens an existing store whose objects are reached through `backend`
    /// (another storage service, or a fault-injecting one in tests). The
    /// catalog and the writer lock stay in `dir`.
    pub fn open_with_backend(dir: &Path, backend: Box<dyn Backend>) -> Result<Archive> {
        let mut archive = Archive::open(dir)?;
        archive.backend = backend;
        Ok(archive)
    }

    fn with_catalog(dir: &Path, catalog: Catalog, format: u32) -> Archive {
        Archive {
            dir: dir.to_owned(),
            backend: Box::new(fs::FsBackend::new(dir.join("objects"))),
            catalog,
            cache: Cache::new(DECODED_CACHE),
            catalog_problem: None,
            format,
            catalog_outdated: false,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn cat<T>(&self, r: rusqlite::Result<T>) -> Result<T> {
        r.map_err(|source| StoreError::Catalog {
            path: self.dir.join(CATALOG),
            source,
        })
    }

    // ---------------------------------------------------------------- reading

    /// The bytes of an object, checked against its id.
    pub fn read_object(&self, id: &ObjectId) -> Result<Arc<Vec<u8>>> {
        let _snapshot = self.catalog.read_snapshot();
        self.read_with(id, Extra::None, READ_CHAIN_LIMIT)
    }

    fn read_with(&self, id: &ObjectId, extra: Extra<'_>, budget: u32) -> Result<Arc<Vec<u8>>> {
        self.read_at(id, None, extra, budget)
    }

    /// Reads an object, from `known` when its location is already known (a
    /// base named by its offset in the same pack: no catalog lookup).
    fn read_at(
        &self,
        id: &ObjectId,
        known: Option<ObjectRow>,
        extra: Extra<'_>,
        budget: u32,
    ) -> Result<Arc<Vec<u8>>> {
        if let Some(hit) = self.cache.get(id) {
            return Ok(hit);
        }
        if budget == 0 {
            return Err(StoreError::ChainTooDeep {
                id: *id,
                limit: READ_CHAIN_LIMIT,
            });
        }
        let damaged = |e: object::DecodeError| StoreError::Damaged {
            id: *id,
            reason: e.to_string(),
        };
        let unreadable = |e: std::io::Error| StoreError::Damaged {
            id: *id,
            reason: format!("cannot read its pack: {e}"),
        };
        let (raw, pack): (Vec<u8>, Option<String>) = match extra.raw(id) {
            Some(raw) => (raw.to_vec(), None),
            None => {
                let row = match (known, extra.row(id)) {
                    (Some(row), _) => row,
                    (None, Some(row)) => row.clone(),
                    (None, None) => self
                        .cat(self.catalog.object(id))?
                        .ok_or(StoreError::Missing { id: *id })?,
                };
                let raw = self
                    .backend
                    .get_range(&pack_key(&row.pack), row.offset, row.len as usize)
                    .map_err(unreadable)?;
                (raw, Some(row.pack))
            }
        };
        let header = object::parse_header(&raw).map_err(damaged)?;
        if header.id != *id {
            return Err(StoreError::Damaged {
                id: *id,
                reason: "catalog points at another object".into(),
            });
        }
        let base_at: Option<(ObjectId, Option<ObjectRow>)> = match (header.base, pack) {
            (None, _) => None,
            (Some(BaseRef::Id(b)), _) => Some((b, None)),
            (Some(BaseRef::Offset(o)), None) => Some((
                extra
                    .pending_id_at(u64::from(o))
                    .ok_or(StoreError::Missing { id: *id })?,
                None,
            )),
            (Some(BaseRef::Offset(o)), Some(pack)) => {
                let head = self
                    .backend
                    .get_range(&pack_key(&pack), u64::from(o), object::MAX_HEADER_LEN)
                    .map_err(unreadable)?;
                let h = object::parse_header(&head).map_err(damaged)?;
                let row = ObjectRow {
                    id: h.id,
                    pack,
                    offset: u64::from(o),
                    len: h.entry_len() as u64,
                    kind: h.kind,
                    size: h.size as u64,
                    depth: 0,
                };
                Some((h.id, Some(row)))
            }
        };
        let base = match base_at {
            Some((b, known)) => Some((b, self.read_at(&b, known, extra, budget - 1)?)),
            None => None,
        };
        let (_, bytes) =
            object::decode(&raw, base.as_ref().map(|(b, bytes)| (*b, bytes.as_slice())))
                .map_err(damaged)?;
        let bytes = Arc::new(bytes);
        self.cache.put(*id, bytes.clone());
        Ok(bytes)
    }

    /// The capture record of a capture.
    pub fn record(&self, id: &CaptureId) -> Result<CaptureRecord> {
        let bytes = self.read_object(&id.0)?;
        CaptureRecord::parse(&bytes).map_err(|e| StoreError::Damaged {
            id: id.0,
            reason: format!("not a capture record: {e}"),
        })
    }

    /// Every document with its counts.
    pub fn documents(&self) -> Result<Vec<DocSummary>> {
        self.cat(self.catalog.doc_summaries())
    }

    /// A document's history: its versions (numbered from 1) and which one
    /// each capture saw. Empty for an unknown document.
    pub fn history(&self, doc: &str) -> Result<Rc<History>> {
        self.cat(self.catalog.doc_history(doc))
    }

    /// The archive log: every logged capture id in archiving order, and how
    /// many captures are not logged yet (archived by an older vellum; the
    /// next write logs them).
    pub fn log(&self) -> Result<(Vec<CaptureId>, usize)> {
        let _snapshot = self.catalog.read_snapshot();
        let logged = self.cat(self.catalog.logged_captures())?;
        let unlogged = self.cat(self.catalog.unlogged_captures())?.len();
        Ok((logged, unlogged))
    }

    /// Every capture of a document in history order.
    pub fn captures(&self, doc: &str) -> Result<Vec<CaptureRow>> {
        self.cat(self.catalog.doc_captures(doc))
    }

    /// The catalog row of a capture.
    pub fn capture_row(&self, id: &CaptureId) -> Result<Option<CaptureRow>> {
        self.cat(self.catalog.capture(id))
    }

    /// Every capture, by document then history order.
    pub fn all_captures(&self) -> Result<Vec<CaptureRow>> {
        let _snapshot = self.catalog.read_snapshot();
        self.cat(self.catalog.captures())
    }

    /// Resolves an address to one capture.
    pub fn resolve(&self, addr: &Address) -> Result<Resolved> {
        let _snapshot = self.catalog.read_snapshot();
        address::resolve(self, addr)
    }

    // ---------------------------------------------------------------- writing

    /// Starts a write: takes the store's writer lock (waiting for another
    /// writer to finish), cleans up after interrupted writes and indexes any
    /// pack an interrupted writer made durable but did not catalog.
    /// `on_wait` is called once if the lock is busy.
    pub fn writer(&self, on_wait: &mut dyn FnMut()) -> Result<Writer<'_>> {
        if self.catalog_outdated {
            return Err(StoreError::Io {
                context: "opening the store for writing".into(),
                source: std::io::Error::other(
                    "its catalog is an older vellum's (open it with Archive::open_writable)",
                ),
            });
        }
        let lock_path = self.dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(StoreError::io(format!("opening {}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                on_wait();
                lock.lock()
                    .map_err(StoreError::io("waiting for the writer lock"))?;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::io("taking the writer lock")(e));
            }
        }
        self.backend
            .remove_partial_writes()
            .map_err(StoreError::io("removing partial writes"))?;
        self.cat(self.catalog.begin())?;
        let mut writer = Writer {
            archive: self,
            lock: Some(lock),
            codec: Codec::default(),
            pending: Pending::default(),
            staged: Vec::new(),
            written: Vec::new(),
            done: false,
            log: LogState::default(),
        };
        let known: std::collections::HashSet<String> = self
            .cat(self.catalog.packs())?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        // Smallest first: after a merge interrupted before its commit, the
        // batch's own small pack is indexed and the merged pack, whose every
        // object is then stored elsewhere, removed.
        let mut candidates: Vec<(String, u64)> = self
            .pack_listing()?
            .into_iter()
            .filter(|(name, _)| !known.contains(name))
            .collect();
        candidates.sort_by_key(|(name, size)| (*size, name.clone()));
        let mut unknown = Vec::new();
        let mut covered = IdSet::default();
        for (name, _) in candidates {
            match self.redundancy(&name, &covered)? {
                None => {
                    // Left by a merge interrupted before or after its commit:
                    // every object in it is stored elsewhere.
                    self.backend
                        .delete(&pack_key(&name))
                        .map_err(StoreError::io(format!("removing redundant pack {name}")))?;
                }
                Some(ids) => {
                    covered.extend(ids);
                    unknown.push(name);
                }
            }
        }
        self.index_packs(&unknown)?;
        if let Some((start, count, id)) = self.cat(self.catalog.log_segments())?.pop() {
            writer.log.next = start + count;
            writer.log.prev = Some(id);
        }
        Ok(writer)
    }

    /// `None` when every entry of an uncataloged pack is an object stored in
    /// another intact place: cataloged in a pack whose checksum holds, or in
    /// `covered` (packs about to be indexed). Otherwise the ids it holds. A
    /// damaged pack is never redundant, and neither is one whose objects are
    /// cataloged in a damaged pack: it may hold the only good copy.
    fn redundancy(&self, name: &str, covered: &IdSet) -> Result<Option<Vec<ObjectId>>> {
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
    fn pack_listing(&self) -> Result<Vec<(String, u64)>> {
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
    fn index_packs(&self, names: &[String]) -> Result<()> {
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
        let mut depths: HashMap<ObjectId, u32> = HashMap::new();
        for &id in bases.keys() {
            let mut chain = vec![id];
            let mut depth = 0;
            while let Some(&Some(base)) = bases.get(chain.last().expect("non-empty")) {
                if let Some(d) = depths.get(&base) {
                    depth = d + 1;
                    break;
                }
                if chain.len() > READ_CHAIN_LIMIT as usize {
                    break; // a cycle or an absurd chain: verify reports it
                }
                if !bases.contains_key(&base) {
                    depth = self
                        .cat(self.catalog.object(&base))?
                        .map_or(0, |r| r.depth + 1);
                    break;
                }
                chain.push(base);
            }
            for (i, obj) in chain.iter().rev().enumerate() {
                depths.insert(*obj, depth + i as u32);
            }
        }
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

    /// Caches word statistics (computed by the caller, which owns the diff).
    pub fn cache_words(&self, text: &ObjectId, words: u64) -> Result<()> {
        self.cat(self.catalog.set_text_words(text, words))
    }

    pub fn cache_change(
        &self,
        old: &ObjectId,
        new: &ObjectId,
        added: u64,
        removed: u64,
    ) -> Result<()> {
        self.cat(self.catalog.set_change_words(old, new, added, removed))
    }

    pub fn cached_words(&self, text: &ObjectId) -> Result<Option<u64>> {
        self.cat(self.catalog.text_words(text))
    }

    pub fn cached_change(&self, old: &ObjectId, new: &ObjectId) -> Result<Option<(u64, u64)>> {
        self.cat(self.catalog.change_words(old, new))
    }
}

/// Rebuilds the catalog of the store at `dir` from its packs alone. Works
/// when the catalog is missing or damaged: the new catalog is built beside
/// the old one and renamed over it under the writer lock.
pub fn reindex(dir: &Path) -> Result<ReindexReport> {
    let format = check_marker(dir)?;
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
    let archive = Archive::with_catalog(dir, catalog, format);
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

/// An empty directory, or what an `init` that was interrupted leaves: an
/// empty `objects/packs/`, a catalog, temporary files, and no marker.
fn is_uninitialized(dir: &Path) -> bool {
    let only = |d: &Path, allowed: &[&str]| {
        std::fs::read_dir(d).is_ok_and(|entries| {
            entries.flatten().all(|e| {
                let name = e.file_name();
                let name = name.to_string_lossy();
                name.starts_with(".tmp-") || allowed.contains(&name.as_ref())
            })
        })
    };
    only(dir, &["objects", CATALOG, "catalog.sqlite-journal", LOCK])
        && (!dir.join("objects").exists() || only(&dir.join("objects"), &["packs"]))
        && (!dir.join("objects/packs").exists() || only(&dir.join("objects/packs"), &[]))
}

/// An empty catalog in memory, for a store whose catalog file cannot serve.
fn memory_catalog(dir: &Path) -> Result<Catalog> {
    Catalog::open(Path::new(":memory:"), true).map_err(|source| StoreError::Catalog {
        path: dir.join(CATALOG),
        source,
    })
}

/// Checks that `dir` is a store this vellum reads; returns its format.
fn check_marker(dir: &Path) -> Result<u32> {
    check_not_symlink(dir)?;
    let marker = match std::fs::read_to_string(dir.join(MARKER)) {
        Ok(m) => m,
        Err(_) if !dir.exists() || is_uninitialized(dir) => {
            return Err(StoreError::NoStore(dir.to_owned()));
        }
        Err(_) => return Err(StoreError::NotAStore(dir.to_owned())),
    };
    let format = marker
        .lines()
        .find_map(|l| l.strip_prefix("format "))
        .unwrap_or("?")
        .trim();
    let Some(format) = format.parse().ok().filter(|f| READABLE_FORMATS.contains(f)) else {
        return Err(StoreError::Format {
            found: format.to_owned(),
            supported: STORE_FORMAT,
        });
    };
    let objects = dir.join("objects");
    check_not_symlink(&objects)?;
    check_not_symlink(&objects.join("packs"))?;
    Ok(format)
}

/// Writes the marker naming `format`, durably and atomically.
fn write_marker(dir: &Path, format: u32) -> Result<()> {
    let io = || StoreError::io(format!("writing the VELLUM marker in {}", dir.display()));
    let tmp = dir.join(format!(".tmp-VELLUM-{}", std::process::id()));
    std::fs::write(&tmp, format!("vellum store\nformat {format}\n")).map_err(io())?;
    File::open(&tmp).and_then(|f| f.sync_all()).map_err(io())?;
    std::fs::rename(&tmp, dir.join(MARKER)).map_err(io())?;
    File::open(dir).and_then(|f| f.sync_all()).map_err(io())
}

/// What `reindex` rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexReport {
    pub packs: usize,
    pub captures: usize,
}

fn object_row(pack: &str, e: &Entry, depth: u32) -> ObjectRow {
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

/// Where to find objects the catalog does not locate yet.
#[derive(Clone, Copy)]
enum Extra<'a> {
    None,
    /// Written in this transaction, not yet in a sealed pack.
    Pending(&'a Pending),
    /// In packs being indexed.
    Located(&'a HashMap<ObjectId, ObjectRow>),
}

impl Extra<'_> {
    fn raw(&self, id: &ObjectId) -> Option<&[u8]> {
        match self {
            Extra::Pending(p) => p.raw(id),
            _ => None,
        }
    }

    fn pending_id_at(&self, offset: u64) -> Option<ObjectId> {
        match self {
            Extra::Pending(p) => p.pack.id_at(offset),
            _ => None,
        }
    }

    fn row(&self, id: &ObjectId) -> Option<&ObjectRow> {
        match self {
            Extra::Located(rows) => rows.get(id),
            _ => None,
        }
    }
}

/// Objects written in this transaction but not yet in a sealed pack.
#[derive(Default)]
struct Pending {
    pack: PackWriter,
    entries: HashMap<ObjectId, (Entry, u32)>,
}

impl Pending {
    fn raw(&self, id: &ObjectId) -> Option<&[u8]> {
        self.entries.get(id).map(|(e, _)| self.pack.entry_bytes(e))
    }
}

/// A staged capture, reported once the write commits.
struct Staged {
    doc: DocName,
    capture: CaptureId,
    /// Whether the capture was new to the store (not a re-run).
    new: bool,
    captured_at: OffsetDateTime,
    text: bool,
}

/// Where the archive log stands for a writer.
#[derive(Default)]
struct LogState {
    /// Position the next logged capture takes.
    next: u64,
    /// The last segment written.
    prev: Option<ObjectId>,
    /// Captures logged by this write and not yet in a segment, in order.
    unwritten: Vec<CaptureId>,
    /// Whether captures an older vellum archived have been logged.
    adopted: bool,
}

/// An open write: one durable commit for any number of captures.
/// Dropping it without [`Writer::commit`] rolls the catalog back.
pub struct Writer<'a> {
    archive: &'a Archive,
    lock: Option<File>,
    codec: Codec,
    pending: Pending,
    staged: Vec<Staged>,
    /// Packs this writer created, removed again if it does not commit.
    written: Vec<String>,
    done: bool,
    log: LogState,
}

impl Writer<'_> {
    /// Stages one capture. Nothing is acknowledged before [`Writer::commit`].
    pub fn add(&mut self, c: NewCapture) -> Result<()> {
        self.add_with(c, CaptureExtra::default())
    }

    /// Stages one capture whose record carries `flag` (why it is doubtful):
    /// listed among its document's captures, never a version.
    pub fn add_flagged(&mut self, c: NewCapture, flag: String) -> Result<()> {
        self.add_with(
            c,
            CaptureExtra {
                flag: Some(flag),
                ..CaptureExtra::default()
            },
        )
    }

    /// Stages one capture with what ingest made of it (a decoded or
    /// extracted text, stored as its own object) and its web metadata.
    pub fn add_with(&mut self, c: NewCapture, extra: CaptureExtra) -> Result<()> {
        let a = self.archive;
        if c.bytes.len() > MAX_OBJECT_SIZE {
            return Err(StoreError::TooLarge {
                size: c.bytes.len() as u64,
                limit: MAX_OBJECT_SIZE as u64,
            });
        }
        if record::canonical_time(c.captured_at).is_none() {
            return Err(StoreError::BadTime(c.captured_at.to_string()));
        }
        let latest = a.cat(a.catalog.latest_capture(c.doc.as_str()))?;
        let content_base = self.choose_base(
            &c.doc,
            latest.as_ref().map(|l| l.content),
            c.source.as_deref(),
        )?;
        let content = self.put(Kind::Content, &c.bytes, content_base)?;
        let text = match &extra.text {
            // The text is its own object, compressed against the document's
            // previous text.
            Some(t) if t.as_bytes() != c.bytes.as_slice() => {
                if t.len() > MAX_OBJECT_SIZE {
                    return Err(StoreError::TooLarge {
                        size: t.len() as u64,
                        limit: MAX_OBJECT_SIZE as u64,
                    });
                }
                Some(self.put(Kind::Content, t.as_bytes(), latest.as_ref().map(|l| l.vkey))?)
            }
            Some(_) => Some(content),
            None if extra.no_text => None,
            None => ingest::extract_text(&c.bytes).map(|_| content),
        };
        let media_type = extra
            .media_type
            .unwrap_or_else(|| ingest::media_type(c.name_hint.as_deref(), &c.bytes).to_owned());
        let record = CaptureRecord {
            vellum: record::RECORD_FORMAT,
            doc: c.doc.clone(),
            captured_at: c.captured_at,
            content,
            size: c.bytes.len() as u64,
            text,
            media_type,
            url: c.url,
            source: c.source,
            title: c.title,
            meta: c.meta,
            extractor: extra.extractor,
            encoding: extra.encoding,
            canonical_url: extra.canonical_url,
            http: extra.http,
            flag: extra.flag,
        };
        let canonical = record.to_canonical();
        // `put` stores it whole if the previous record's chain is full.
        let capture = CaptureId(self.put(Kind::Record, &canonical, latest.map(|l| l.id.0))?);
        // The same document, time, bytes and metadata are the same capture:
        // archived (and logged) once, however often a batch is re-run.
        let new = a.cat(a.catalog.capture(&capture))?.is_none();
        if new {
            self.adopt_unlogged()?;
            let seq = self.log.next;
            a.cat(a.catalog.insert_capture(&capture, &record, Some(seq)))?;
            self.log.next += 1;
            self.log.unwritten.push(capture);
        }
        self.staged.push(Staged {
            doc: c.doc,
            capture,
            new,
            captured_at: record.captured_at,
            text: text.is_some(),
        });
        if self.pending.pack.len() >= PACK_TARGET {
            self.flush()?;
        }
        Ok(())
    }

    /// Logs the captures an older vellum (or a write that crashed before
    /// logging them) archived, before this write's own: in captured-at
    /// order, ties by capture id, as readers already order them.
    fn adopt_unlogged(&mut self) -> Result<()> {
        if self.log.adopted {
            return Ok(());
        }
        self.log.adopted = true;
        let a = self.archive;
        for id in a.cat(a.catalog.unlogged_captures())? {
            a.cat(a.catalog.set_seq(&id, self.log.next))?;
            self.log.next += 1;
            self.log.unwritten.push(id);
        }
        Ok(())
    }

    /// Chain depth of a stored or pending object (`None` if unknown).
    fn depth_of(&self, id: &ObjectId) -> Result<Option<u32>> {
        if let Some((_, d)) = self.pending.entries.get(id) {
            return Ok(Some(*d));
        }
        let a = self.archive;
        Ok(a.cat(a.catalog.object(id))?.map(|r| r.depth))
    }

    /// The delta base for a new version of `doc`: the previous version while
    /// its chain is short; when the chain is full, an earlier version found by
    /// clearing low bits of the version index (Subversion's skip-deltas), so
    /// chains stay bounded without the cost of a full keyframe. A document's
    /// first capture is compressed against the latest capture from the same
    /// source (sites share boilerplate).
    fn choose_base(
        &self,
        doc: &DocName,
        prev: Option<ObjectId>,
        source: Option<&str>,
    ) -> Result<Option<ObjectId>> {
        let a = self.archive;
        let usable = |id: &ObjectId| -> Result<bool> {
            Ok(self.depth_of(id)?.is_some_and(|d| d < MAX_CHAIN))
        };
        let Some(prev) = prev else {
            let from_source = match source {
                Some(s) => a.cat(a.catalog.latest_from_source(s))?,
                None => None,
            };
            return Ok(match from_source {
                Some(b) if usable(&b)? => Some(b),
                _ => None,
            });
        };
        if usable(&prev)? {
            return Ok(Some(prev));
        }
        let history = a.history(doc.as_str())?;
        let versions = &history.versions;
        let mut i = versions.len();
        while i > 0 {
            i &= i - 1;
            let candidate = versions[i].key;
            if usable(&candidate)? {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// Stores an object unless present, as a delta against `base` when the
    /// chain stays short. Returns its id.
    fn put(&mut self, kind: Kind, data: &[u8], base: Option<ObjectId>) -> Result<ObjectId> {
        let a = self.archive;
        let id = ObjectId::of(data);
        if self.pending.entries.contains_key(&id) || a.cat(a.catalog.object(&id))?.is_some() {
            return Ok(id);
        }
        let base_depth = match base {
            Some(b) => match self.pending.entries.get(&b) {
                Some((_, d)) => Some(*d),
                None => a.cat(a.catalog.object(&b))?.map(|r| r.depth),
            },
            None => None,
        };
        let base = match (base, base_depth) {
            (Some(b), Some(d)) if d < MAX_CHAIN => Some((b, d)),
            _ => None,
        };
        let base_bytes = match base {
            // An unreadable base only costs compression, never the write.
            Some((b, _)) => a
                .read_with(&b, Extra::Pending(&self.pending), READ_CHAIN_LIMIT)
                .ok(),
            None => None,
        };
        let (with, depth) = match (base, &base_bytes) {
            (Some((b, d)), Some(bytes)) => {
                // A base in the pack being written is named by its offset
                // (4 bytes instead of 32).
                let r = match self.pending.entries.get(&b) {
                    Some((e, _)) => BaseRef::Offset(e.offset as u32),
                    None => BaseRef::Id(b),
                };
                (Some((r, bytes.as_slice())), d + 1)
            }
            _ => (None, 0),
        };
        let (_, encoded) = object::encode(self.codec, kind, data, with)
            .map_err(StoreError::io("compressing an object"))?;
        let entry = self.pending.pack.push(&encoded);
        self.pending.entries.insert(id, (entry, depth));
        Ok(id)
    }

    /// Seals the pending pack, makes it durable and catalogs its objects.
    /// The captures logged since the last flush go into the same pack as a
    /// log segment, so a crash keeps their records and their order together.
    fn flush(&mut self) -> Result<()> {
        let a = self.archive;
        let mut segment = None;
        if !self.log.unwritten.is_empty() {
            let captures = std::mem::take(&mut self.log.unwritten);
            let seg = tlog::Segment {
                start: self.log.next - captures.len() as u64,
                prev: self.log.prev,
                captures,
            };
            let id = self.put(Kind::Log, &seg.encode(), None)?;
            self.log.prev = Some(id);
            segment = Some((seg.start, seg.captures.len() as u64, id));
            if a.format < 2 {
                // An older vellum must not read a store with a log as if it
                // had none: it refuses format 2 with "upgrade vellum".
                write_marker(&a.dir, STORE_FORMAT)?;
            }
        }
        if self.pending.pack.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let depths: HashMap<ObjectId, u32> = pending
            .entries
            .iter()
            .map(|(id, (_, d))| (*id, *d))
            .collect();
        let (name, bytes, entries) = pending.pack.finish();
        let written = a
            .backend
            .put_if_absent(&pack_key(&name), &bytes)
            .map_err(StoreError::io(format!("writing pack {name}")))?;
        if written {
            self.written.push(name.clone());
        }
        let pack_id = a.cat(a.catalog.add_pack(&name, bytes.len() as u64))?;
        for e in &entries {
            let row = object_row(&name, e, depths[&e.header.id]);
            a.cat(a.catalog.insert_object(pack_id, &row))?;
        }
        if let Some((start, count, id)) = segment {
            a.cat(a.catalog.add_log_segment(start, count, &id))?;
        }
        Ok(())
    }

    /// Merges the small packs into one when there are [`REPACK_AT`] of them
    /// (inside this write's transaction). Frames are copied, not recompressed;
    /// in-pack base offsets are rewritten. Damaged packs are left alone.
    /// Returns the packs to delete once the transaction commits.
    fn repack_small_packs(&mut self) -> Result<Vec<String>> {
        let a = self.archive;
        let small: Vec<String> = a
            .cat(a.catalog.packs())?
            .into_iter()
            .filter(|(_, size)| *size < REPACK_SMALL)
            .map(|(name, _)| name)
            .collect();
        if small.len() < REPACK_AT {
            return Ok(Vec::new());
        }
        let mut w = PackWriter::default();
        let mut moves = Vec::new();
        let mut merged = Vec::new();
        for name in &small {
            let Ok(bytes) = a.backend.get(&pack_key(name)) else {
                continue;
            };
            let scan = pack::scan(&bytes, Some(name));
            if !scan.intact || !scan.problems.is_empty() {
                continue;
            }
            let mut new_offset: HashMap<u64, u64> = HashMap::new();
            for e in &scan.entries {
                let start = e.offset as usize;
                let raw = &bytes[start..start + e.header.entry_len()];
                let raw = match e.header.base {
                    Some(BaseRef::Offset(o)) => {
                        let to = new_offset[&u64::from(o)] as u32;
                        object::rebase(raw, to).map_err(|err| StoreError::Damaged {
                            id: e.header.id,
                            reason: err.to_string(),
                        })?
                    }
                    _ => raw.to_vec(),
                };
                let entry = w.push(&raw);
                new_offset.insert(e.offset, entry.offset);
                moves.push((e.header.id, e.header.kind, name.clone(), entry.offset));
            }
            merged.push(name.clone());
        }
        if merged.len() < 2 {
            return Ok(Vec::new());
        }
        let (name, bytes, _) = w.finish();
        let written = a
            .backend
            .put_if_absent(&pack_key(&name), &bytes)
            .map_err(StoreError::io(format!("writing pack {name}")))?;
        if written {
            self.written.push(name.clone());
        }
        let to = a.cat(a.catalog.add_pack(&name, bytes.len() as u64))?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        for old in &merged {
            if let Some(id) = a.cat(a.catalog.pack_id(old))? {
                ids.insert(old.clone(), id);
            }
        }
        for (id, kind, old, offset) in &moves {
            if let Some(&from) = ids.get(old) {
                a.cat(a.catalog.move_object(id, *kind, from, to, *offset))?;
            }
        }
        for id in ids.values() {
            a.cat(a.catalog.remove_pack(*id))?;
        }
        Ok(merged)
    }

    /// The store being written (reads see the staged captures).
    pub fn archive(&self) -> &Archive {
        self.archive
    }

    /// Makes every staged object durable (not yet acknowledged: that is
    /// [`Writer::commit`]) and returns the staged captures in staging order,
    /// numbered as they will be after the commit.
    pub fn prepare(&mut self) -> Result<Vec<Added>> {
        self.flush()?;
        let a = self.archive;
        let mut histories: HashMap<DocName, Rc<History>> = HashMap::new();
        let mut out = Vec::with_capacity(self.staged.len());
        for s in &self.staged {
            if !histories.contains_key(&s.doc) {
                histories.insert(s.doc.clone(), a.history(s.doc.as_str())?);
            }
            let history = &histories[&s.doc];
            let number = history
                .version_of(&s.capture)
                .expect("staged capture is in the catalog");
            let Some(version) = number.checked_sub(1).map(|i| &history.versions[i as usize]) else {
                out.push(Added {
                    doc: s.doc.clone(),
                    version: 0,
                    capture: s.capture,
                    status: Status::Flagged,
                    captured_at: s.captured_at,
                    text: None,
                    previous_text: None,
                });
                continue;
            };
            // New only when this capture brought a text other than the one
            // current at its time (a revert to an older text included).
            let status = if s.new && version.capture == s.capture {
                Status::New
            } else {
                Status::Unchanged
            };
            out.push(Added {
                doc: s.doc.clone(),
                version: number,
                capture: s.capture,
                status,
                captured_at: s.captured_at,
                text: s.text.then_some(version.key),
                previous_text: (number > 1).then(|| history.versions[number as usize - 2].key),
            });
        }
        Ok(out)
    }

    /// Acknowledges every staged capture: after this returns they are durable
    /// and visible to readers.
    pub fn commit(self) -> Result<()> {
        self.finish().map(drop)
    }

    /// Commits and hands back the writer lock, for callers that must do more
    /// under it.
    fn finish(mut self) -> Result<File> {
        self.flush()?;
        let obsolete = self.repack_small_packs()?;
        let a = self.archive;
        a.cat(a.catalog.commit())?;
        self.done = true;
        // The merged pack is durable and committed; the packs it replaces
        // go. A crash before this leaves them behind, redundant: the next
        // writer removes them (see `writer`).
        for name in &obsolete {
            let _ = a.backend.delete(&pack_key(name));
        }
        // A bulk import leaves B-tree pages (keyed by random ids) about 70%
        // full. When this write added a quarter or more of all captures,
        // compact the catalog: amortized, that is O(1) per capture. Best
        // effort: the captures are committed whatever happens here.
        let added = self.staged.len();
        if added >= VACUUM_MIN_BATCH
            && let Ok(total) = a.catalog.capture_count()
            && added * 4 >= total
        {
            let _ = a.catalog.vacuum();
        }
        Ok(self.lock.take().expect("the lock is held until finish"))
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.archive.catalog.rollback();
            // A write that failed cleanly leaves nothing behind (a crash may
            // leave a durable pack, which the next writer indexes).
            for name in &self.written {
                let _ = self.archive.backend.delete(&pack_key(name));
            }
        }
    }
}
