//! The store's layout on disk: names, format, the `VELLUM` marker.

use std::path::Path;

use super::backend::Backend;
use super::catalog::Catalog;
use super::error::Result;
use super::error::StoreError;
use super::fs;

/// Store format written by this vellum. Format 2 added the archive log
/// (`tlog.rs`); format 1 stores are read as they are and become format 2 when
/// a write first logs captures.
pub const STORE_FORMAT: u32 = 2;
/// Format 3 adds state objects (`state.rs`, kind 4): a store becomes format 3
/// when its first one is written, so an older vellum says "upgrade" instead
/// of calling the object damaged. Stores without them stay format 2.
pub const STATE_FORMAT: u32 = 3;
/// Format 4 adds check records (`check.rs`, kind 5), written by the monitor
/// (`vellum recheck`, `vellum watch`): a store becomes format 4 when its
/// first one is written. Stores without them keep their format.
pub const CHECK_FORMAT: u32 = 4;
/// Format 5 adds compact pack entries (`object.rs`: varint header fields,
/// no id where the pack alone decodes the entry, zstd frames without magic
/// number and content size). A local store becomes format 5 before its
/// first pack of them is written; its older packs stay as they are and read
/// as before. A store on shared storage writes them only if it was created
/// at format 5 (its marker is written once).
pub const PACK_FORMAT: u32 = 5;
/// The newest format this vellum writes; an older one refuses a store
/// marked with a higher format ("made by a newer vellum").
pub const NEWEST_FORMAT: u32 = RECORDSET_FORMAT;
/// Format 6 adds merge segments to the archive log (`tlog.rs`: the record
/// of another store's log whose captures a push or pull merged in): a
/// store becomes format 6 when its first one is written.
pub const MERGE_FORMAT: u32 = 6;
/// Format 7 adds record sets (`recordset.rs`, kind 6): the capture
/// records of one write compressed together in one entry. A local store
/// becomes format 7 before its first pack holding one is written (and
/// `pull`/`push` raise a destination before storing such a pack); its
/// older packs stay as they are. A store on object storage keeps writing
/// one entry per record (its marker is written once, and its pack index
/// objects name one id per entry).
pub const RECORDSET_FORMAT: u32 = 7;
/// Every format this vellum reads: each added format goes at the end.
pub(super) const READABLE_FORMATS: &[u32] =
    &[1, 2, 3, 4, PACK_FORMAT, MERGE_FORMAT, RECORDSET_FORMAT];
pub(super) const MARKER: &str = fs::MARKER;
pub(super) const CATALOG: &str = "catalog.sqlite";
pub(super) const LOCK: &str = fs::LOCK;
/// Longest delta chain written: any version reads back in at most this many
/// decompressions (about 15 on average). Readers refuse chains longer than
/// [`READ_CHAIN_LIMIT`]. Measured on the benchmark corpus: 16 costs 1.58 MB of
/// content, 32 with skip-deltas 0.99 MB (see `choose_base`).
pub const MAX_CHAIN: u32 = 32;
pub(super) const READ_CHAIN_LIMIT: u32 = 64;
/// Packs under this size are merged once [`REPACK_AT`] of them exist: one
/// `add` per capture (a scraper) would otherwise leave a small file per
/// capture, as git's loose objects do before `gc`.
pub(super) const REPACK_SMALL: u64 = 1 << 20;
pub(super) const REPACK_AT: usize = 32;
/// Batches at least this large may compact the catalog after committing.
pub(super) const VACUUM_MIN_BATCH: usize = 1000;
/// Bytes of decoded objects kept for reuse (delta bases, repeated reads).
/// With the pack buffer and SQLite's cache this bounds a process's memory
/// whatever the size of the store or of a batch. Reading versions one after
/// another needs little more than the previous one: a smaller cache reuses
/// warm memory, and `show --batch` of the benchmark corpus took a third of
/// the time it took with 24 MiB (page faults on fresh memory dominated).
pub(super) const DECODED_CACHE: usize = 4 << 20;
/// `verify` decodes in pack order, where a delta's base was often decoded
/// long before it: it keeps more. On the benchmark corpus 8 MiB verified in
/// 0.12-0.16 s, 24 MiB in 0.18-0.21 s (fresh memory again), 3 MiB in 0.22 s
/// (bases evicted and decoded again).
pub(super) const VERIFY_CACHE: usize = 8 << 20;
/// Packs are sealed at this size, which bounds a writer's memory.
pub(super) const PACK_TARGET: usize = 16 << 20;

pub(super) fn pack_key(name: &str) -> String {
    format!("packs/{name}.pack")
}

pub(super) fn check_not_symlink(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(StoreError::Symlink(path.to_owned())),
        _ => Ok(()),
    }
}

/// An empty directory, or what an `init` that was interrupted leaves: an
/// empty `objects/packs/`, a catalog, temporary files, and no marker.
pub(super) fn is_uninitialized(dir: &Path) -> bool {
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
pub(super) fn memory_catalog(dir: &Path) -> Result<Catalog> {
    Catalog::open(Path::new(":memory:"), true).map_err(|source| StoreError::Catalog {
        path: dir.join(CATALOG),
        source,
    })
}

/// Checks that `dir` is a store this vellum reads (its marker read through
/// `backend`); returns its format.
pub(super) fn check_marker(dir: &Path, backend: &dyn Backend) -> Result<u32> {
    check_not_symlink(dir)?;
    let marker = match backend.read_marker() {
        Ok(Some(m)) => String::from_utf8_lossy(&m).into_owned(),
        Ok(None) if !dir.exists() || is_uninitialized(dir) => {
            return Err(StoreError::NoStore(dir.to_owned()));
        }
        Ok(None) => return Err(StoreError::NotAStore(dir.to_owned())),
        Err(e) => return Err(StoreError::io("reading the VELLUM marker")(e)),
    };
    let format = marker
        .lines()
        .find_map(|l| l.strip_prefix("format "))
        .unwrap_or("?")
        .trim();
    let Some(format) = format.parse().ok().filter(|f| READABLE_FORMATS.contains(f)) else {
        return Err(StoreError::Format {
            found: format.to_owned(),
            supported: NEWEST_FORMAT,
        });
    };
    let objects = dir.join("objects");
    check_not_symlink(&objects)?;
    check_not_symlink(&objects.join("packs"))?;
    Ok(format)
}

/// The marker naming `format`.
pub(super) fn marker_bytes(format: u32) -> Vec<u8> {
    format!("vellum store\nformat {format}\n").into_bytes()
}

/// Raises the marker to `format`, durably and atomically; never lowers it
/// (a write that needs format 3 in a store another write of the same
/// session raised to 5 leaves 5).
pub(super) fn write_marker(backend: &dyn Backend, format: u32) -> Result<()> {
    let current = backend
        .read_marker()
        .map_err(StoreError::io("reading the VELLUM marker"))?
        .and_then(|m| marker_format(&m));
    if current.is_some_and(|c| c >= format) {
        return Ok(());
    }
    backend
        .write_marker(&marker_bytes(format))
        .map_err(StoreError::io("writing the VELLUM marker"))
}

/// The format a marker names, if it names one.
fn marker_format(marker: &[u8]) -> Option<u32> {
    String::from_utf8_lossy(marker)
        .lines()
        .find_map(|l| l.strip_prefix("format "))?
        .trim()
        .parse()
        .ok()
}

/// Before a pack copied from another store (`pull`, `push`) is stored in
/// `a`: a pack holding compact entries raises the store to format 5 first,
/// as writing one does. A store on shared storage, whose marker is written
/// once, refuses it with the backend's error.
pub(super) fn admit_pack(
    a: &super::archive::Archive,
    entries: &[super::pack::Entry],
) -> Result<()> {
    let compact = entries
        .iter()
        .any(|e| e.header.layout != super::object::Layout::Classic);
    if compact && a.format < PACK_FORMAT {
        write_marker(&*a.backend, PACK_FORMAT)?;
    }
    let sets = entries
        .iter()
        .any(|e| e.header.kind == super::object::Kind::RecordSet);
    if sets && a.format < RECORDSET_FORMAT {
        write_marker(&*a.backend, RECORDSET_FORMAT)?;
    }
    Ok(())
}

/// Name of the directory a store is built in before it is renamed to `name`.
pub(super) fn init_temp_name(name: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(".{name}.tmp-init-{}-{nanos}", std::process::id())
}

/// Removes what inits killed an hour ago or more left beside `name`.
pub(super) fn remove_stale_inits(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-init-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() >= 3600);
        if stale && e.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Builds a complete, durable store in the new directory `dir`.
pub(super) fn build_store(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir(dir)?;
    build_contents(dir)?;
    sync_dir(dir)
}

/// Creates a store's contents in an existing directory, marker last, under
/// the store's lock: of several processes creating the same store at once,
/// one builds it and the others find it made (returns whether this one
/// built it), and none rewrites the marker of a store already in use.
pub(super) fn build_in_place(dir: &Path) -> Result<bool> {
    let io = |what: &str| StoreError::io(format!("{what} {}", dir.display()));
    let backend = fs::FsBackend::for_store(dir);
    let _lease = backend.lock().map_err(io("locking the new store in"))?;
    if backend
        .read_marker()
        .map_err(io("reading the VELLUM marker in"))?
        .is_some()
    {
        return Ok(false);
    }
    build_contents(dir).map_err(io("creating a store in"))?;
    Ok(true)
}

/// Through the backend, as every store is created (so that the
/// fault-injection tests cover creation): its layout, the catalog, then the
/// marker, last and durably (the backend syncs the directory).
fn build_contents(dir: &Path) -> std::io::Result<()> {
    let backend = fs::FsBackend::for_store(dir);
    backend.create()?;
    Catalog::open(&dir.join(CATALOG), true).map_err(std::io::Error::other)?;
    backend.write_marker(&marker_bytes(STORE_FORMAT))
}

/// Makes a directory's entries durable.
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Several processes creating a store in one existing directory: the
    /// first builds it; a later one (which saw it empty before taking the
    /// lock) finds it made, says so, and leaves its marker as it is (here
    /// one a newer write had raised).
    #[test]
    fn a_store_built_in_place_is_built_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        std::fs::create_dir(&dir).unwrap();
        assert!(build_in_place(&dir).unwrap());
        let raised = marker_bytes(STATE_FORMAT);
        std::fs::write(dir.join(MARKER), &raised).unwrap();
        assert!(!build_in_place(&dir).unwrap());
        assert_eq!(std::fs::read(dir.join(MARKER)).unwrap(), raised);
    }
}
