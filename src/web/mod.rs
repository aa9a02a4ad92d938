//! `vellum serve`: a read-only, server-rendered web view of an archive,
//! built on [`crate::query`]. Usable without JavaScript; one small
//! same-origin script adds the n/p keys on diff pages.
//!
//! - [`page`]: the frame and the escaping every page goes through.
//! - [`pages`]: documents, a document's timeline, a version.
//! - [`diff_page`]: the diff of two addresses, inline or side by side.
//! - [`chart`]: the inline-SVG chart of change size over time.
//! - [`search_page`]: full-text search over every version ([`crate::search`]).
//! - [`http`]: routing, headers (CSP, caching, ETags), errors as statuses.
//!
//! Safety: only GET and HEAD are answered (anything else is 405); every
//! archived character is escaped; raw evidence is served as an attachment
//! in `text/plain` with `nosniff`, never as HTML on this origin. The
//! library never prints: [`http::serve`] returns when the listener fails.
//!
//! An [`crate::store::Archive`] is `Send` but not `Sync`: requests run on
//! tokio's blocking threads and borrow an open archive from [`Pool`]
//! (opening one per request costs a catalog open each time).

pub mod chart;
pub mod diff_page;
pub mod http;
pub mod page;
pub mod pages;
pub mod search_page;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diff::{ChangeKind, DiffOptions, OpTag};
use crate::error::ErrorKind;
use crate::id::ObjectId;
use crate::store::Archive;
use crate::store::StoreError;

pub use http::{router, serve};

/// Longest time one diff may take before the diff engine falls back to a
/// coarser result (archived pages are hostile: a pathological pair must
/// not hold a worker).
pub const DIFF_DEADLINE: std::time::Duration = std::time::Duration::from_secs(2);

/// Open archives, lent one request at a time.
pub struct Pool {
    dir: PathBuf,
    idle: Mutex<Vec<Archive>>,
    /// Archives kept open when idle.
    keep: usize,
}

impl Pool {
    /// A pool for the store at `dir`. Opens one archive now, so a missing
    /// or unreadable store is an error before anything listens.
    pub fn new(dir: &Path, keep: usize) -> Result<Pool, StoreError> {
        let first = Archive::open(dir)?;
        Ok(Pool {
            dir: dir.to_owned(),
            idle: Mutex::new(vec![first]),
            keep: keep.max(1),
        })
    }

    /// Runs `f` with an open archive (an idle one, else a new one).
    pub fn with<T>(&self, f: impl FnOnce(&Archive) -> T) -> Result<T, StoreError> {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let archive = match idle {
            Some(a) => a,
            None => Archive::open(&self.dir)?,
        };
        let out = f(&archive);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.keep {
            idle.push(archive);
        }
        Ok(out)
    }
}

/// The change kinds between two texts, remembered across requests (a
/// timeline lists hundreds; the word counts come from the catalog's cache,
/// the kinds need a diff).
#[derive(Default)]
pub struct KindMemo {
    map: Mutex<KindMap>,
}

/// (old text, new text) → the kinds of the changes between them.
type KindMap = HashMap<(ObjectId, ObjectId), Arc<[ChangeKind]>>;

/// Entries kept before the memo starts over (bounds its memory).
const MEMO_LIMIT: usize = 200_000;

impl KindMemo {
    /// The kinds of the visible changes from `old` to `new`, sorted.
    pub fn kinds(
        &self,
        archive: &Archive,
        old: &ObjectId,
        new: &ObjectId,
    ) -> Result<Arc<[ChangeKind]>, StoreError> {
        let key = (*old, *new);
        if let Some(k) = self.lock().get(&key) {
            return Ok(k.clone());
        }
        let (a, b) = (
            crate::query::text(archive, old)?,
            crate::query::text(archive, new)?,
        );
        let kinds: Arc<[ChangeKind]> = match (a, b) {
            (Some(a), Some(b)) => {
                let opts = DiffOptions {
                    deadline: Some(DIFF_DEADLINE),
                    ..DiffOptions::default()
                };
                let d = crate::diff::diff(&a, &b, &opts);
                let mut k: Vec<ChangeKind> = d
                    .ops
                    .iter()
                    .filter(|o| o.op != OpTag::Equal && !o.ignored)
                    .filter_map(|o| o.kind)
                    .collect();
                k.sort();
                k.dedup();
                k.into()
            }
            _ => Arc::from(Vec::new()),
        };
        let mut map = self.lock();
        if map.len() >= MEMO_LIMIT {
            map.clear();
        }
        map.insert(key, kinds.clone());
        Ok(kinds)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, KindMap> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Computes the kinds of every document's consecutive versions, so the
    /// first visit to a long timeline is as fast as the next. Returns how
    /// many pairs it diffed.
    pub fn warm(&self, archive: &Archive) -> Result<usize, StoreError> {
        let mut n = 0;
        for doc in archive.documents()? {
            let history = archive.history(&doc.doc)?;
            for pair in history.versions.windows(2) {
                self.kinds(archive, &pair[0].key, &pair[1].key)?;
                n += 1;
            }
        }
        Ok(n)
    }
}

/// Everything a request needs.
pub struct App {
    pub pool: Pool,
    pub kinds: KindMemo,
    /// Whether the `/search` page exists (the header shows a search box).
    pub search: bool,
}

/// Where the web view listens: the first line `serve --json` prints, once
/// the port is bound.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Listening {
    /// The address bound (`127.0.0.1:8080`).
    pub addr: String,
    /// The store served (its directory or s3:// address, as given).
    pub store: PathBuf,
    /// The view's address (`http://127.0.0.1:8080/`).
    pub url: String,
}

impl Listening {
    /// Serving `store` on `addr`.
    pub fn new(addr: std::net::SocketAddr, store: &Path) -> Self {
        Listening {
            addr: addr.to_string(),
            store: store.to_path_buf(),
            url: format!("http://{addr}/"),
        }
    }
}

/// Why a page could not be shown; each maps to an HTTP status.
#[derive(Debug)]
pub enum WebError {
    Store(StoreError),
    BadRequest(String),
    NotFound(String),
    /// A bug or a crashed worker (HTTP 500).
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Store(e)
    }
}

impl WebError {
    /// The HTTP status, from [`StoreError::kind`] for store errors.
    pub fn status(&self) -> u16 {
        match self {
            WebError::BadRequest(_) => 400,
            WebError::NotFound(_) => 404,
            WebError::Internal(_) => 500,
            WebError::Store(e) => match e.kind() {
                ErrorKind::NotFound => 404,
                ErrorKind::Ambiguous => 409,
                ErrorKind::InvalidInput => 400,
                ErrorKind::Busy => 503,
                ErrorKind::Damaged | ErrorKind::Io => 500,
            },
        }
    }

    /// What went wrong and what to do next.
    pub fn message(&self) -> String {
        match self {
            WebError::BadRequest(m) | WebError::NotFound(m) | WebError::Internal(m) => m.clone(),
            WebError::Store(e) => {
                let advice = match e.kind() {
                    ErrorKind::NotFound => " The list of documents is on the front page.",
                    ErrorKind::Ambiguous => " Use more digits of the capture id.",
                    ErrorKind::Busy => " Try again in a moment.",
                    ErrorKind::Damaged => {
                        " Run `vellum verify` on the store for a full report; `vellum reindex` rebuilds a damaged catalog."
                    }
                    _ => "",
                };
                format!("{e}.{advice}")
            }
        }
    }
}
