//! Where a store lives, read once from what the user gave (`--store`,
//! `VELLUM_STORE`): a local directory or a prefix in an S3-compatible
//! bucket. Every store is opened through [`open`] with a [`Mode`].

use std::fmt;
use std::path::{Path, PathBuf};

use super::archive::Archive;
use super::error::{Result, StoreError};
use super::remote::{self, RemoteSpec};

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A local directory.
    Dir(PathBuf),
    /// A prefix in an S3-compatible bucket (`s3://BUCKET/PREFIX`); its
    /// catalog is a local cache.
    ObjectStore(RemoteSpec),
}

impl Location {
    /// A location as users give it: an `s3://BUCKET/PREFIX` URL (an error
    /// when malformed), else a directory.
    pub fn parse(path: &Path) -> Result<Location> {
        match remote::parse(path) {
            Some(spec) => Ok(Location::ObjectStore(spec?)),
            None => Ok(Location::Dir(path.to_owned())),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Dir(dir) => write!(f, "{}", dir.display()),
            Location::ObjectStore(spec) => f.write_str(&spec.url()),
        }
    }
}

/// The store a front end uses, found as git finds its repository: the one
/// given (`--store`), else `var` (`$VELLUM_STORE`, when not empty), else
/// the store enclosing `cwd` (a directory holding a `VELLUM` marker file;
/// `objects/packs` below it is still inside it), else `./store`.
pub fn find_store(given: Option<&Path>, var: Option<&std::ffi::OsStr>, cwd: &Path) -> PathBuf {
    if let Some(dir) = given {
        return dir.to_owned();
    }
    if let Some(v) = var.filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    let marked = cwd
        .ancestors()
        .find(|d| d.join(super::fs::MARKER).is_file());
    marked.map_or_else(|| PathBuf::from("store"), Path::to_owned)
}

/// What a store is opened for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reading an existing store: a catalog written by an older vellum is
    /// rebuilt in memory, nothing on disk changes.
    Read,
    /// Writing an existing store: an older catalog is first rebuilt on disk.
    Write,
    /// Writing, creating the store first when there is none (`add`,
    /// `import`).
    CreateIfMissing,
    /// Creating a store, or opening it when it already is one (`init`).
    Create,
    /// Verifying: opened even when the catalog cannot be read (the report
    /// then says so and the objects are checked without it).
    Verify,
}

/// An opened store, and what opening it did.
pub struct Opened {
    pub archive: Archive,
    /// The store did not exist and was created.
    pub created: bool,
    /// Its catalog was written by an older vellum and was rebuilt on disk.
    pub upgraded: bool,
}

impl Opened {
    fn new(archive: Archive) -> Opened {
        Opened {
            archive,
            created: false,
            upgraded: false,
        }
    }
}

/// Opens the store at `location` for `mode`: the one way in for every
/// front end.
pub fn open(location: &Location, mode: Mode) -> Result<Opened> {
    match location {
        Location::ObjectStore(spec) => {
            let create = matches!(mode, Mode::Create | Mode::CreateIfMissing);
            let (archive, created) = remote::open(spec, create)?;
            Ok(Opened {
                created,
                ..Opened::new(archive)
            })
        }
        Location::Dir(dir) => match mode {
            Mode::Read => Ok(Opened::new(Archive::open_dir(dir)?)),
            Mode::Verify => Ok(Opened::new(Archive::open_dir_for_verify(dir)?)),
            Mode::Write => {
                let (archive, upgraded) = Archive::open_dir_writable(dir)?;
                Ok(Opened {
                    upgraded,
                    ..Opened::new(archive)
                })
            }
            Mode::Create => {
                let (archive, created) = Archive::init_dir(dir)?;
                Ok(Opened {
                    created,
                    ..Opened::new(archive)
                })
            }
            Mode::CreateIfMissing => match open(location, Mode::Write) {
                Err(StoreError::NoStore(_)) => open(location, Mode::Create),
                other => other,
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_parsed_once_and_opened_by_mode() {
        let s3 = Location::parse(Path::new("s3://bucket-1/a/b/")).unwrap();
        assert_eq!(
            s3,
            Location::ObjectStore(RemoteSpec {
                bucket: "bucket-1".into(),
                prefix: "a/b".into()
            })
        );
        assert_eq!(s3.to_string(), "s3://bucket-1/a/b");
        let bad = Location::parse(Path::new("s3://B")).unwrap_err();
        assert_eq!(bad.kind(), crate::error::ErrorKind::Io);
        let tmp = tempfile::tempdir().unwrap();
        let dir = Location::parse(&tmp.path().join("s")).unwrap();
        assert!(matches!(dir, Location::Dir(_)));
        for mode in [Mode::Read, Mode::Write, Mode::Verify] {
            assert!(
                matches!(open(&dir, mode), Err(StoreError::NoStore(_))),
                "{mode:?} never creates"
            );
        }
        let first = open(&dir, Mode::CreateIfMissing).unwrap();
        assert!(first.created && !first.upgraded);
        drop(first);
        let again = open(&dir, Mode::CreateIfMissing).unwrap();
        assert!(!again.created);
        drop(again);
        assert!(!open(&dir, Mode::Create).unwrap().created);
        open(&dir, Mode::Read).unwrap();
    }
}

#[cfg(test)]
mod find_tests {
    use std::ffi::OsStr;
    use std::path::Path;

    use super::find_store;

    #[test]
    fn store_is_found_as_git_finds_its_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("archive");
        let deep = store.join("objects/packs");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(store.join("VELLUM"), "vellum store\nformat 1\n").unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let (flag, var) = (Path::new("/flag"), OsStr::new("/var"));
        assert_eq!(find_store(Some(flag), Some(var), &deep), flag);
        assert_eq!(find_store(None, Some(var), &deep), Path::new("/var"));
        assert_eq!(find_store(None, None, &deep), store);
        assert_eq!(find_store(None, None, &store), store);
        assert_eq!(find_store(None, Some(OsStr::new("")), &deep), store);
        assert_eq!(find_store(None, None, &elsewhere), Path::new("store"));
    }
}
