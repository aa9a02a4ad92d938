//! Local-directory backend: one file per key under the store's `objects/`.
//!
//! Writes go to a temporary file in the target directory (`.tmp-*`), which is
//! fsynced, hard-linked into place (so an existing blob is never replaced) and
//! fsynced via its directory. A crash leaves at most a `.tmp-*` file, which
//! readers ignore and the next writer removes.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::backend::Backend;

const TMP_PREFIX: &str = ".tmp-";

pub struct FsBackend {
    root: PathBuf,
}

impl FsBackend {
    pub fn new(root: impl Into<PathBuf>) -> FsBackend {
        FsBackend { root: root.into() }
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

fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
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
        fs::read(self.path(key)?)
    }

    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let mut f = File::open(self.path(key)?)?;
        f.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0; len];
        f.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        let path = self.path(key)?;
        if path.exists() {
            return Ok(false);
        }
        let dir = path.parent().expect("keys have a parent");
        fs::create_dir_all(dir)?;
        let tmp = dir.join(temp_name());
        let result = (|| {
            let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            match fs::hard_link(&tmp, &path) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(false),
                Err(e) => Err(e),
            }
        })();
        let _ = fs::remove_file(&tmp);
        let written = result?;
        sync_dir(dir)?;
        Ok(written)
    }

    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        let dir = self.root.join(prefix.trim_end_matches('/'));
        let mut out = Vec::new();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with(TMP_PREFIX) {
                continue;
            }
            let meta = entry.metadata()?;
            if meta.is_file() {
                out.push((
                    format!("{}/{name}", prefix.trim_end_matches('/')),
                    meta.len(),
                ));
            }
        }
        out.sort();
        Ok(out)
    }

    fn delete(&self, key: &str) -> io::Result<()> {
        let path = self.path(key)?;
        fs::remove_file(&path)?;
        sync_dir(path.parent().expect("keys have a parent"))
    }

    fn remove_partial_writes(&self) -> io::Result<usize> {
        let mut removed = 0;
        let mut dirs = vec![self.root.clone()];
        while let Some(dir) = dirs.pop() {
            let entries = match fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let ty = entry.file_type()?;
                if ty.is_dir() {
                    dirs.push(entry.path());
                } else if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                    fs::remove_file(entry.path())?;
                    removed += 1;
                }
            }
        }
        Ok(removed)
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
