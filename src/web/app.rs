//! What every request shares: the pool of open archives and the memo of
//! change kinds.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::diff::{ChangeKind, DiffOptions, OpTag};
use crate::id::ObjectId;
use crate::store::Archive;
use crate::store::StoreError;

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
            // A handle on an older catalog's copy in memory is let go once a
            // writer has upgraded the catalog: a new one sees what it wrote.
            Some(a) if !a.catalog_upgraded() => a,
            _ => Archive::open(&self.dir)?,
        };
        // One read of the catalog for the whole request: a page's many
        // lookups (a timeline's every version) then take the file's lock
        // and check for a hot journal once, and see one state.
        let view = archive.read_view();
        let out = f(&archive);
        drop(view);
        let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
        if idle.len() < self.keep {
            idle.push(archive);
        }
        Ok(out)
    }
}

/// First lines of texts by text id, remembered across requests (bounded:
/// past [`TitleMemo::MAX`] entries it starts again).
#[derive(Default)]
pub struct TitleMemo {
    map: Mutex<HashMap<ObjectId, Option<String>>>,
}

impl TitleMemo {
    pub const MAX: usize = 100_000;

    /// The first line of `key`'s text: remembered, else read by `read`.
    pub fn get(
        &self,
        key: &ObjectId,
        read: impl FnOnce() -> Result<Option<String>, StoreError>,
    ) -> Result<Option<String>, StoreError> {
        if let Some(t) = self.map.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
            return Ok(t.clone());
        }
        let t = read()?;
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= Self::MAX {
            map.clear();
        }
        map.insert(*key, t.clone());
        Ok(t)
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
    /// The first lines of texts read to title untitled documents (a text
    /// never changes: its first line is read once per server).
    pub titles: TitleMemo,
    /// Whether the `/search` page exists (the header shows a search box).
    pub search: bool,
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::thread::JoinHandle;

    use super::{Pool, TitleMemo};
    use crate::id::ObjectId;
    use crate::store::{Archive, NewCapture};

    /// Commits version `n` of document `a` (a line of plain text).
    fn add(archive: &Archive, n: i64) {
        let at = time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::hours(n);
        let text = format!("text number {n}");
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(NewCapture::plain_text("a".parse().unwrap(), at, &text))
            .unwrap();
        w.prepare().unwrap();
        w.commit().unwrap();
    }

    /// A store in `tmp` holding one capture, its pool, and inside one
    /// request of it: `during(archive, writer)`, where `writer` is a thread
    /// of another process's kind (its own opening of the store) committing
    /// a second capture, started once the request has read the catalog.
    fn request_beside_a_writer<T>(
        tmp: &Path,
        during: impl FnOnce(&Archive, usize, JoinHandle<()>) -> T,
    ) -> (Pool, T) {
        let dir = tmp.join("store");
        add(&Archive::init(&dir).unwrap().0, 0);
        let pool = Pool::new(&dir, 1).unwrap();
        let out = pool
            .with(|a| {
                let before = a.capture_count().unwrap();
                let writer = std::thread::spawn(move || add(&Archive::open(&dir).unwrap(), 1));
                during(a, before, writer)
            })
            .unwrap();
        (pool, out)
    }

    /// A request reads one state of the catalog: a capture another writer
    /// commits while a page is being made is not half-seen by the page
    /// (the writer's commit waits for the page's read to end).
    #[test]
    fn a_request_sees_one_state_of_the_archive() {
        let tmp = tempfile::tempdir().unwrap();
        let (pool, (seen, writer)) = request_beside_a_writer(tmp.path(), |a, before, writer| {
            // Without one read for the request, the commit lands here.
            std::thread::sleep(std::time::Duration::from_millis(400));
            ((before, a.capture_count().unwrap()), writer)
        });
        assert_eq!(seen, (1, 1));
        writer.join().unwrap();
        assert_eq!(pool.with(|a| a.capture_count().unwrap()).unwrap(), 2);
    }

    /// An index's catch-up inside a request lets go of the request's view
    /// (`Archive::pause_view`): a writer waiting to commit then commits
    /// (were it kept waiting, it would give up after its 30 s and panic),
    /// and what the request reads after sees it.
    #[test]
    fn a_catch_up_inside_a_request_lets_writers_commit() {
        let tmp = tempfile::tempdir().unwrap();
        let (_, seen) = request_beside_a_writer(tmp.path(), |a, before, writer| {
            std::thread::sleep(std::time::Duration::from_millis(200));
            let during = a.capture_count().unwrap();
            let paused = a.pause_view();
            writer.join().unwrap();
            drop(paused);
            (before, during, a.capture_count().unwrap())
        });
        assert_eq!(seen, (1, 1, 2));
    }

    /// A text's first line is read once per server: a text never changes.
    #[test]
    fn a_title_is_read_once() {
        let memo = TitleMemo::default();
        let key = ObjectId::of(b"a text");
        let mut reads = 0;
        for _ in 0..3 {
            let t = memo
                .get(&key, || {
                    reads += 1;
                    Ok(Some("The line".to_owned()))
                })
                .unwrap();
            assert_eq!(t.as_deref(), Some("The line"));
        }
        assert_eq!(reads, 1);
    }
}
