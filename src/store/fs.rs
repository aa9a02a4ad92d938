//! Local-directory backend: one file per key under the store's `objects/`.
//!
//! Writes go to a temporary file in the target directory (`.tmp-*`), which is
//! fsynced, hard-linked into place (so an existing blob is never replaced) and
//! made durable by fsyncing the directory. A crash leaves at most a `.tmp-*`
//! file, which readers ignore and the next writer removes.
//!
//! The file-system calls go through [`Vfs`], so tests can run the real
//! backend over a simulated disk that loses unsynced data at any point.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::backend::{Backend, Lease};

const TMP_PREFIX: &str = ".tmp-";
/// Names inside a store directory.
pub(super) const OBJECTS: &str = "objects";
pub(super) const MARKER: &str = "VELLUM";
pub(super) const LOCK: &str = "lock";

/// The file-system operations the backend needs, and nothing more.
pub trait Vfs: Send + Sync {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>>;
    fn exists(&self, path: &Path) -> bool;
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Creates `path` (failing if it exists) holding `bytes`, not yet durable.
    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Makes a file's content durable.
    fn sync_file(&self, path: &Path) -> io::Result<()>;
    /// Links `dst` to `src`'s content; `AlreadyExists` if `dst` exists.
    fn hard_link(&self, src: &Path, dst: &Path) -> io::Result<()>;
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Makes the directory's entries (creations, links, removals) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Entries of `dir`: name, length, whether it is a directory. Empty if `dir` is missing.
    fn list(&self, dir: &Path) -> io::Result<Vec<(String, u64, bool)>>;
    /// Renames `src` over `dst` atomically (durable once the directory is synced).
    fn rename(&self, src: &Path, dst: &Path) -> io::Result<()>;
    /// Takes an advisory exclusive lock on `path` (created if missing):
    /// `None` when `wait` is false and another process holds it.
    fn lock(&self, path: &Path, wait: bool) -> io::Result<Option<Lease>>;
}

/// The real file system. Keeps the last file it read from open: reading a
/// version walks a delta chain, usually within one pack.
#[derive(Default)]
pub struct RealFs {
    last: std::sync::Mutex<Option<(PathBuf, File)>>,
}

impl Vfs for RealFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        fs::read(path)
    }

    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.as_ref().is_none_or(|(p, _)| p != path) {
            *last = Some((path.to_owned(), File::open(path)?));
        }
        let (_, f) = last.as_mut().expect("just opened");
        let mut buf = vec![0; len];
        #[cfg(unix)]
        std::os::unix::fs::FileExt::read_exact_at(&*f, &mut buf, offset)?;
        #[cfg(not(unix))]
        {
            f.seek(SeekFrom::Start(offset))?;
            f.read_exact(&mut buf)?;
        }
        Ok(buf)
    }

    fn exists(&self, path: &Path) -> bool {
        path.exists()
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        fs::create_dir_all(dir)
    }

    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?
            .write_all(bytes)
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        File::open(path)?.sync_all()
    }

    fn hard_link(&self, src: &Path, dst: &Path) -> io::Result<()> {
        fs::hard_link(src, dst)
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(String, u64, bool)>> {
        let entries = match fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for entry in entries {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let meta = match entry.metadata() {
                Ok(m) => m,
                // Removed since the listing (a writer's temporary file).
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            out.push((name, meta.len(), meta.is_dir()));
        }
        Ok(out)
    }

    fn rename(&self, src: &Path, dst: &Path) -> io::Result<()> {
        fs::rename(src, dst)
    }

    fn lock(&self, path: &Path, wait: bool) -> io::Result<Option<Lease>> {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(Box::new(file))),
            Err(fs::TryLockError::WouldBlock) if !wait => Ok(None),
            Err(fs::TryLockError::WouldBlock) => {
                file.lock()?;
                Ok(Some(Box::new(file)))
            }
            Err(fs::TryLockError::Error(e)) => Err(e),
        }
    }
}

/// A store in a local directory: blobs under `objects/`, the marker
/// (`VELLUM`) and the writer lock (`lock`) beside it.
pub struct FsBackend {
    root: PathBuf,
    /// The store directory: where the marker and the lock live.
    store: PathBuf,
    vfs: Box<dyn Vfs>,
}

impl FsBackend {
    pub fn new(root: impl Into<PathBuf>) -> FsBackend {
        FsBackend::with_vfs(root, Box::new(RealFs::default()))
    }

    /// Blobs under `root` (a store's `objects/`); the marker and the lock
    /// in the directory above it.
    pub fn with_vfs(root: impl Into<PathBuf>, vfs: Box<dyn Vfs>) -> FsBackend {
        let root = root.into();
        let store = root.parent().map_or_else(|| root.clone(), Path::to_owned);
        FsBackend { root, store, vfs }
    }

    /// The backend of the store in `dir`.
    pub fn for_store(dir: &Path) -> FsBackend {
        FsBackend::new(dir.join(OBJECTS))
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        // Keys are made by the store, never by users, but a key that could
        // escape the root is a bug worth refusing loudly.
        let ok = !key.is_empty()
            && key.split('/').all(|part| {
                !part.is_empty() && part != "." && part != ".." && !part.starts_with(TMP_PREFIX)
            })
            && !key.contains(['\\', '\0']);
        if !ok {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("bad key {key:?}"),
            ));
        }
        Ok(self.root.join(key))
    }
}

fn temp_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!("{TMP_PREFIX}{}-{n}-{nanos}", std::process::id())
}

impl Backend for FsBackend {
    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        self.vfs.read(&self.path(key)?)
    }

    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        self.vfs.read_range(&self.path(key)?, offset, len)
    }

    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        let path = self.path(key)?;
        if self.vfs.exists(&path) {
            return Ok(false);
        }
        let dir = path.parent().expect("keys have a parent");
        self.vfs.create_dir_all(dir)?;
        let tmp = dir.join(temp_name());
        let result = (|| {
            self.vfs.write_new(&tmp, bytes)?;
            self.vfs.sync_file(&tmp)?;
            match self.vfs.hard_link(&tmp, &path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            }
        })();
        // Best effort: a temporary file left behind is removed by the next writer.
        let _ = self.vfs.remove_file(&tmp);
        let written = result?;
        if let Err(e) = self.vfs.sync_dir(dir) {
            // The caller will report failure, so the blob must not outlive
            // the call: remove what this call linked (best effort; if even
            // that fails, the next writer finds a pack no catalog knows and
            // indexes it, as after a crash).
            if written && self.vfs.remove_file(&path).is_ok() {
                let _ = self.vfs.sync_dir(dir);
            }
            return Err(e);
        }
        Ok(written)
    }

    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        let prefix = prefix.trim_end_matches('/');
        let mut out: Vec<(String, u64)> = self
            .vfs
            .list(&self.root.join(prefix))?
            .into_iter()
            .filter(|(name, _, is_dir)| !is_dir && !name.starts_with(TMP_PREFIX))
            .map(|(name, len, _)| (format!("{prefix}/{name}"), len))
            .collect();
        out.sort();
        Ok(out)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let path = self.path(key)?;
        self.vfs.remove_file(&path)?;
        self.vfs
            .sync_dir(path.parent().expect("keys have a parent"))
    }

    fn remove_partial_writes(&self) -> io::Result<usize> {
        let mut removed = 0;
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let mut touched = false;
            for (name, _, is_dir) in self.vfs.list(&dir)? {
                if is_dir {
                    dirs.push(dir.join(name));
                } else if name.starts_with(TMP_PREFIX) {
                    self.vfs.remove_file(&dir.join(name))?;
                    removed += 1;
                    touched = true;
                }
            }
            if touched {
                self.vfs.sync_dir(&dir)?;
            }
        }
        Ok(removed)
    }

    fn create(&self) -> io::Result<()> {
        let packs = self.root.join("packs");
        self.vfs.create_dir_all(&packs)?;
        self.vfs.sync_dir(&packs)?;
        self.vfs.sync_dir(&self.root)
    }

    fn read_marker(&self) -> io::Result<Option<Vec<u8>>> {
        match self.vfs.read(&self.store.join(MARKER)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn write_marker(&self, bytes: &[u8]) -> io::Result<()> {
        let tmp = self.store.join(temp_name());
        let result = (|| {
            self.vfs.write_new(&tmp, bytes)?;
            self.vfs.sync_file(&tmp)?;
            self.vfs.rename(&tmp, &self.store.join(MARKER))
        })();
        if result.is_err() {
            let _ = self.vfs.remove_file(&tmp);
        }
        result?;
        self.vfs.sync_dir(&self.store)
    }

    fn try_lock(&self) -> io::Result<Option<Lease>> {
        self.vfs.lock(&self.store.join(LOCK), false)
    }

    fn lock(&self) -> io::Result<Lease> {
        self.vfs
            .lock(&self.store.join(LOCK), true)?
            .ok_or_else(|| io::Error::other("the lock was not taken"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_get_list_and_no_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let b = FsBackend::new(dir.path());
        assert!(b.put_if_absent("packs/a.pack", b"hello").unwrap());
        assert!(!b.put_if_absent("packs/a.pack", b"other").unwrap());
        assert_eq!(b.get("packs/a.pack").unwrap(), b"hello");
        assert_eq!(b.get_range("packs/a.pack", 1, 3).unwrap(), b"ell");
        assert!(b.get_range("packs/a.pack", 3, 3).is_err());
        fs::write(dir.path().join("packs/.tmp-1-2-3"), b"partial").unwrap();
        assert_eq!(
            b.list("packs").unwrap(),
            vec![("packs/a.pack".to_string(), 5)]
        );
        assert_eq!(b.remove_partial_writes().unwrap(), 1);
        assert!(b.get("../x").is_err());
        assert!(b.put_if_absent("packs/../../x", b"x").is_err());
    }
}
