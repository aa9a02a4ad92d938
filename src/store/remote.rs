//! Stores named by URL: `s3://BUCKET/PREFIX`, wherever a store directory is
//! accepted (`--store`, `VELLUM_STORE`, `vellum init`).
//!
//! The connection comes from the standard variables, as `object_store` reads
//! them: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`,
//! `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`), `AWS_ALLOW_HTTP=true` for a
//! plain-HTTP endpoint such as a local Garage.
//!
//! The catalog is a local cache of the remote listing, kept under the cache
//! directory (`$VELLUM_CACHE`, else the platform's, `~/.cache/vellum`), in
//! `stores/<bucket>-<hash of endpoint, bucket and prefix>/` beside a
//! `blocks/` directory of cached pack ranges. Every open lists the packs and
//! indexes those the catalog does not know yet (new packs only); deleting
//! the directory, or `vellum reindex`, rebuilds it.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;

use super::archive::Archive;
use super::backend::Backend;
use super::catalog::ReindexReport;
use super::error::Result;
use super::error::StoreError;
use super::layout::CATALOG;
use super::s3::{LeaseConfig, S3Backend, blocks::BlockCache};

/// A store on object storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSpec {
    pub bucket: String,
    /// Without leading or trailing `/`; may be empty.
    pub prefix: String,
}

/// Default bound of the local block cache, per store (`VELLUM_CACHE_MB`).
const CACHE_MB: u64 = 512;

/// `Some` when `path` names a remote store (`s3://…`); an error when it is
/// a malformed one.
pub fn parse(path: &Path) -> Option<Result<RemoteSpec>> {
    let s = path.to_str()?;
    let rest = s.strip_prefix("s3://")?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let prefix = prefix.trim_matches('/');
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let prefix_ok = prefix.split('/').all(|p| {
        prefix.is_empty() || (!p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
    });
    if !bucket_ok || !prefix_ok {
        return Some(Err(StoreError::Io {
            context: format!("store URL {s}"),
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "expected s3://BUCKET/PREFIX (bucket: 3-63 of a-z 0-9 . -)",
            ),
        }));
    }
    Some(Ok(RemoteSpec {
        bucket: bucket.to_owned(),
        prefix: prefix.to_owned(),
    }))
}

/// Where vellum keeps caches: `$VELLUM_CACHE`, else `$XDG_CACHE_HOME/vellum`,
/// else `~/.cache/vellum` (`~/Library/Caches/vellum` on macOS).
pub fn cache_root() -> PathBuf {
    if let Some(d) = std::env::var_os("VELLUM_CACHE").filter(|v| !v.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(d).join("vellum");
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    if cfg!(target_os = "macos") {
        home.join("Library/Caches/vellum")
    } else {
        home.join(".cache/vellum")
    }
}

impl RemoteSpec {
    pub fn url(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }

    /// This store's directory under the cache root: catalog and blocks.
    pub fn cache_dir(&self) -> PathBuf {
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .unwrap_or_default();
        let key = blake3::hash(format!("{endpoint}\n{}\n{}", self.bucket, self.prefix).as_bytes());
        cache_root()
            .join("stores")
            .join(format!("{}-{}", self.bucket, &key.to_hex()[..16]))
    }

    /// The bucket through `object_store`, scoped to the prefix.
    pub fn object_store(&self) -> Result<Arc<dyn ObjectStore>> {
        let s3 = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(&self.bucket)
            .build()
            .map_err(|e| StoreError::Io {
                context: format!(
                    "connecting to {} (set AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, \
                     AWS_ENDPOINT_URL)",
                    self.url()
                ),
                source: std::io::Error::other(e),
            })?;
        Ok(if self.prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(object_store::prefix::PrefixStore::new(
                s3,
                self.prefix.as_str(),
            ))
        })
    }

    /// The backend, with its block cache and the lease time from
    /// `VELLUM_LEASE_SECS` (default 120).
    pub fn backend(&self) -> Result<S3Backend> {
        let mb = std::env::var("VELLUM_CACHE_MB")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(CACHE_MB);
        let cache = BlockCache::new(self.cache_dir().join("blocks"), mb << 20);
        let mut lease = LeaseConfig::default();
        if let Some(secs) = std::env::var("VELLUM_LEASE_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
        {
            lease.ttl = Duration::from_secs(secs);
        }
        let backend = S3Backend::new(self.object_store()?, Some(cache))
            .map_err(StoreError::io("starting the object-storage client"))?;
        Ok(backend.with_lease(lease))
    }
}

/// Opens (`create`: or creates) the remote store at `spec`.
pub(super) fn open(spec: &RemoteSpec, create: bool) -> Result<(Archive, bool)> {
    let backend = spec.backend()?;
    let dir = spec.cache_dir();
    if create {
        return Archive::init_with_backend(&dir, Box::new(backend));
    }
    if backend
        .read_marker()
        .map_err(StoreError::io(format!("reading {}", spec.url())))?
        .is_none()
    {
        return Err(StoreError::NoStore(PathBuf::from(spec.url())));
    }
    Ok((Archive::open_with_backend(&dir, Box::new(backend))?, false))
}

/// Rebuilds the local catalog of a remote store from its packs.
pub(super) fn reindex(spec: &RemoteSpec) -> Result<ReindexReport> {
    let dir = spec.cache_dir();
    for name in [CATALOG.to_owned(), format!("{CATALOG}-journal")] {
        match std::fs::remove_file(dir.join(&name)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(StoreError::io(format!("removing {}", dir.display()))(e));
            }
            _ => {}
        }
    }
    let (archive, _) = open(spec, false)?;
    let packs = archive.cat(archive.catalog.packs())?.len();
    let captures = archive.cat(archive.catalog.captures())?.len();
    Ok(ReindexReport { packs, captures })
}

impl Archive {
    /// Takes the store-wide lease `name` (lower-case letters) where the
    /// store's storage keeps such leases for every machine that shares it
    /// (object storage: `NAME-locks/`, [`super::s3::lease`]), without
    /// waiting; `Ok(None)` for a store in a directory (the caller locks a
    /// file beside the catalog instead).
    pub fn try_named_lease(&self, name: &str) -> Result<Option<super::backend::Leased>> {
        self.backend
            .try_named_lease(name)
            .map_err(StoreError::io(format!("taking the {name} lease")))
    }

    /// Indexes the packs a shared backend lists that the catalog does not
    /// know (written by other machines since this one last looked). Returns
    /// how many.
    pub fn catch_up(&self) -> Result<usize> {
        self.cat(self.catalog.begin())?;
        let done = (|| {
            let known: std::collections::HashSet<String> = self
                .cat(self.catalog.packs())?
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            let unknown: Vec<(String, u64)> = self
                .pack_listing()?
                .into_iter()
                .filter(|(n, _)| !known.contains(n))
                .collect();
            self.index_packs(&unknown)?;
            Ok(unknown.len())
        })();
        match done {
            Ok(n) => {
                self.cat(self.catalog.commit())?;
                Ok(n)
            }
            Err(e) => {
                self.catalog.rollback();
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls() {
        let p = |s: &str| parse(Path::new(s));
        assert!(p("store").is_none() && p("/tmp/s3:/x").is_none());
        let spec = p("s3://news-archive/team/vellum/").unwrap().unwrap();
        assert_eq!(
            (spec.bucket.as_str(), spec.prefix.as_str()),
            ("news-archive", "team/vellum")
        );
        assert_eq!(p(&spec.url()).unwrap().unwrap(), spec);
        assert_eq!(p("s3://bucket").unwrap().unwrap().prefix, "");
        for bad in [
            "s3://",
            "s3://B",
            "s3://Upper/x",
            "s3://ok-bucket/a/../b",
            "s3://ok-bucket/a//b",
        ] {
            assert!(p(bad).unwrap().is_err(), "{bad}");
        }
    }
}
