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
pub mod check;
pub mod fs;
pub mod history;
pub mod merge;
pub mod name;
pub mod object;
pub mod pack;
pub mod packindex;
pub mod record;
pub mod recordset;
pub mod remote;
pub mod repair;
pub mod s3;
pub mod state;
pub mod sync;
pub mod tlog;
pub mod verify;

mod address;
mod advice;
mod archive;
mod cache;
mod chain;
mod error;
mod layout;
mod located;
mod location;
mod read;
mod recovery;
mod write;

use std::path::Path;

pub use address::{Address, Resolved, is_url};
pub use archive::Archive;
pub use history::{History, Version};
pub use location::{Location, Mode, Opened, find_store, open};
pub use record::{CaptureId, CaptureRecord, HttpRecord, RedirectHop};

use backend::Backend;
use cache::Cache;
use catalog::Catalog;
pub use catalog::DocSummary;
pub use catalog::ReindexReport;
use error::Result;
pub use error::{AddressError, StoreError};
use layout::*;
pub use layout::{
    CHECK_FORMAT, MAX_CHAIN, MERGE_FORMAT, NEWEST_FORMAT, PACK_FORMAT, RECORDSET_FORMAT,
    STATE_FORMAT, STORE_FORMAT,
};
pub use name::DocName;
pub use recovery::reindex;
pub use write::{Added, CaptureExtra, CaptureText, NewCapture, Status, Writer};

impl Archive {
    /// Creates a store at `dir` (or opens it when it already is one).
    /// Returns whether it was created.
    ///
    /// Atomic when `dir` does not exist yet (`add` creating `./store` or
    /// `--store PATH`): the store is built beside `dir` under a temporary
    /// name, made durable, and renamed into place, so no reader and no crash
    /// ever sees a half-created store. (A crash leaves at most a hidden
    /// `.NAME.tmp-init-*` directory beside it, removed by a later init once
    /// an hour old.) Two processes creating the same store: one rename wins,
    /// the other opens what it made.
    pub fn init(dir: &Path) -> Result<(Archive, bool)> {
        let opened = open(&Location::parse(dir)?, Mode::Create)?;
        Ok((opened.archive, opened.created))
    }

    /// [`Archive::init`] of a local directory.
    pub(super) fn init_dir(dir: &Path) -> Result<(Archive, bool)> {
        check_not_symlink(dir)?;
        if dir.join(MARKER).exists() {
            return Ok((Archive::open_dir(dir)?, false));
        }
        if dir.exists() && !is_uninitialized(dir) {
            return Err(StoreError::NotAStore(dir.to_owned()));
        }
        if dir.exists() {
            // An existing (empty) directory is filled in place, marker last:
            // renaming a new one over it would leave anyone inside it (a
            // shell after `vellum init .`) in a deleted directory. A crash
            // leaves leftovers that readers call "no store" and the next
            // init completes.
            let built = layout::build_in_place(dir)?;
            return Ok((Archive::open_dir(dir)?, built));
        }
        let io = |what: &str| StoreError::io(format!("creating {what} for {}", dir.display()));
        let (parent, name) = match (dir.parent(), dir.file_name()) {
            (Some(p), Some(n)) => (
                if p.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    p
                },
                n.to_string_lossy().into_owned(),
            ),
            _ => return Err(StoreError::NotAStore(dir.to_owned())),
        };
        std::fs::create_dir_all(parent).map_err(io("its parent directory"))?;
        layout::remove_stale_inits(parent, &name);
        let tmp = parent.join(layout::init_temp_name(&name));
        let built = layout::build_store(&tmp).map_err(io("a new store"));
        let placed = built.and_then(|()| {
            std::fs::rename(&tmp, dir).map_err(io("the store (renaming it into place)"))
        });
        match placed {
            Ok(()) => {
                layout::sync_dir(parent).map_err(io("the store (syncing its parent)"))?;
                Ok((Archive::open_dir(dir)?, true))
            }
            Err(e) => {
                let _ = std::fs::remove_dir_all(&tmp);
                if dir.join(MARKER).exists() {
                    // Another process created it meanwhile.
                    return Ok((Archive::open_dir(dir)?, false));
                }
                if !dir.exists() || !is_uninitialized(dir) {
                    return Err(e);
                }
                // Another process made the directory meanwhile.
                let built = layout::build_in_place(dir)?;
                Ok((Archive::open_dir(dir)?, built))
            }
        }
    }

    /// Creates a store in `backend` (or opens it when it already is one),
    /// with its catalog in `dir`. Returns whether it was created.
    pub fn init_with_backend(dir: &Path, backend: Box<dyn Backend>) -> Result<(Archive, bool)> {
        let marked = backend
            .read_marker()
            .map_err(StoreError::io("reading the VELLUM marker"))?
            .is_some();
        if !marked {
            if backend.shared() {
                // A cached catalog of an earlier store under the same name.
                let _ = std::fs::remove_file(dir.join(CATALOG));
            }
            std::fs::create_dir_all(dir)
                .map_err(StoreError::io(format!("creating {}", dir.display())))?;
            backend.create().map_err(StoreError::io(format!(
                "creating a store in {}",
                dir.display()
            )))?;
            Catalog::open(&dir.join(CATALOG), true).map_err(|source| StoreError::Catalog {
                path: dir.join(CATALOG),
                source,
            })?;
            // A marker on shared storage is written once and never
            // replaced, so such a store starts at the newest format (no
            // older vellum reads object storage anyway); a directory starts
            // at the oldest format that holds what it has.
            let format = if backend.shared() {
                NEWEST_FORMAT
            } else {
                STORE_FORMAT
            };
            write_marker(&*backend, format)?;
        }
        Ok((Archive::open_with_backend(dir, backend)?, !marked))
    }

    /// Opens an existing store. A catalog written by an older vellum is
    /// rebuilt in memory (readers never change a byte of the store);
    /// [`Archive::open_writable`] and `reindex` upgrade it on disk.
    pub fn open(dir: &Path) -> Result<Archive> {
        Ok(open(&Location::parse(dir)?, Mode::Read)?.archive)
    }

    /// [`Archive::open`] of a local directory.
    pub(super) fn open_dir(dir: &Path) -> Result<Archive> {
        Archive::open_with_backend(dir, Box::new(fs::FsBackend::for_store(dir)))
    }

    /// Opens an existing store whose marker, lock and objects are reached
    /// through `backend` (another storage service, memory, or a
    /// fault-injecting disk in tests). The catalog stays in `dir`.
    pub fn open_with_backend(dir: &Path, backend: Box<dyn Backend>) -> Result<Archive> {
        let format = check_marker(dir, &*backend)?;
        let catalog_path = dir.join(CATALOG);
        if backend.shared() {
            return Archive::open_shared(dir, backend, format);
        }
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
                let mut archive = Archive::with_catalog(dir, backend, memory_catalog(dir)?, format);
                archive.catalog_outdated = true;
                archive.cat(archive.catalog.begin())?;
                let packs = archive.pack_listing()?;
                archive.index_packs(&packs)?;
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
        Ok(Archive::with_catalog(dir, backend, catalog, format))
    }

    /// Opens an existing store for writing: a catalog written by an older
    /// vellum is first rebuilt on disk. Returns whether it was.
    pub fn open_writable(dir: &Path) -> Result<(Archive, bool)> {
        let opened = open(&Location::parse(dir)?, Mode::Write)?;
        Ok((opened.archive, opened.upgraded))
    }

    /// [`Archive::open_writable`] of a local directory.
    pub(super) fn open_dir_writable(dir: &Path) -> Result<(Archive, bool)> {
        let archive = Archive::open_dir(dir)?;
        if !archive.catalog_outdated {
            return Ok((archive, false));
        }
        drop(archive);
        reindex(dir)?;
        Ok((Archive::open_dir(dir)?, true))
    }

    /// Makes this handle's caches smaller (decoded objects: `decoded` bytes;
    /// the catalog's pages: about `catalog_kib` KiB), for a reader running
    /// beside another handle of the same process that reads each object
    /// about once, in order (a derived index catching up on a second
    /// thread): what its caches hold adds to the other handle's.
    pub fn limit_caches(&mut self, decoded: usize, catalog_kib: i64) -> Result<()> {
        self.cache = Cache::new(decoded);
        self.cat(self.catalog.limit_page_cache(catalog_kib))
    }

    /// Sets how many bytes of decoded objects this handle keeps (see
    /// [`Archive::limit_caches`]); returns what it kept before.
    pub fn set_decoded_cache(&self, bytes: usize) -> usize {
        self.cache.set_budget(bytes)
    }

    /// Drops the decoded objects this handle keeps and this thread's
    /// compression context (about 1.7 MB once used): for a writer whose
    /// writes are done, before reads that are not of what it wrote last.
    pub fn release_write_memory(&self) {
        self.cache.clear();
        object::release_compressor();
    }

    /// Whether the catalog on disk is an older vellum's (this handle reads a
    /// copy rebuilt in memory; `vellum reindex` upgrades it).
    pub fn catalog_outdated(&self) -> bool {
        self.catalog_outdated
    }

    /// Whether this handle reads an older catalog rebuilt in memory (see
    /// [`Archive::catalog_outdated`]) that a writer has since upgraded on
    /// disk: a new handle would see what was written since, this one never.
    pub fn catalog_upgraded(&self) -> bool {
        self.catalog_outdated && Catalog::open(&self.dir.join(CATALOG), false).is_ok()
    }

    /// Opens a store for `verify`, which must run even when the catalog cannot
    /// be read: the objects are then checked against an empty catalog and the
    /// report carries the catalog's problem.
    pub fn open_for_verify(dir: &Path) -> Result<Archive> {
        Ok(open(&Location::parse(dir)?, Mode::Verify)?.archive)
    }

    /// [`Archive::open_for_verify`] of a local directory.
    pub(super) fn open_dir_for_verify(dir: &Path) -> Result<Archive> {
        match Archive::open_dir(dir) {
            Err(StoreError::Catalog { source, .. }) => {
                let backend = Box::new(fs::FsBackend::for_store(dir));
                let format = check_marker(dir, &*backend)?;
                let mut archive = Archive::with_catalog(dir, backend, memory_catalog(dir)?, format);
                archive.catalog_problem = Some(source.to_string());
                Ok(archive)
            }
            other => other,
        }
    }

    /// Opens a store on shared storage: its catalog in `dir` is a cache,
    /// created when missing, rebuilt when unusable, and brought up to date
    /// with the packs other machines wrote.
    fn open_shared(dir: &Path, backend: Box<dyn Backend>, format: u32) -> Result<Archive> {
        let path = dir.join(CATALOG);
        std::fs::create_dir_all(dir)
            .map_err(StoreError::io(format!("creating {}", dir.display())))?;
        let catalog = match Catalog::open(&path, true) {
            Ok(c) => c,
            Err(_) => {
                // Only a cache: start it again.
                std::fs::remove_file(&path)
                    .map_err(StoreError::io(format!("removing {}", path.display())))?;
                Catalog::open(&path, true).map_err(|source| StoreError::Catalog { path, source })?
            }
        };
        let archive = Archive::with_catalog(dir, backend, catalog, format);
        archive.catch_up()?;
        Ok(archive)
    }

    fn with_catalog(
        dir: &Path,
        backend: Box<dyn Backend>,
        catalog: Catalog,
        format: u32,
    ) -> Archive {
        Archive {
            dir: dir.to_owned(),
            backend,
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
}

/// What `init --json` prints.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Initialized {
    /// The store's directory (or s3:// address), as given.
    pub store: std::path::PathBuf,
    /// Whether it was created (false: it already was a store; nothing changed).
    pub created: bool,
}

/// What `reindex --json` prints: the store and what its catalog was
/// rebuilt from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Reindexed {
    /// Captures now in the catalog.
    pub captures: usize,
    /// Packs read.
    pub packs: usize,
    /// The store's directory (or s3:// address), as given.
    pub store: std::path::PathBuf,
}

impl Reindexed {
    /// The report of rebuilding `store`'s catalog.
    pub fn new(store: &Path, report: ReindexReport) -> Self {
        Reindexed {
            captures: report.captures,
            packs: report.packs,
            store: store.to_path_buf(),
        }
    }
}
