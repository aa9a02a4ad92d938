//! The write protocol (see the [module docs](super)): [`commit`] caches the
//! word statistics of what it adds inside the writer's transaction,
//! acknowledges, and returns typed results; derived indexes catch up
//! afterwards through [`DerivedIndex`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diff::count_words;
use crate::id::ObjectId;
use crate::store::StoreError;
use crate::store::{Added, Archive, CaptureId, Status, Writer};

use super::warning::{Moved, Warning};

type Result<T> = std::result::Result<T, StoreError>;

/// One acknowledged capture, with what the write learned about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub added: Added,
    /// Versions of its document this capture moved up (it is older than
    /// them): only on the first new version of a document in a write.
    pub renumbered: Vec<Moved>,
    /// Words of its text, and words added/removed against the version
    /// before it (from the statistics the write cached).
    pub words: Option<u64>,
    pub change: Option<(u64, u64)>,
}

/// Whether an added capture brought a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AddedStatus {
    New,
    Unchanged,
    Flagged,
}

/// One added capture, as `add`, `watch` and `reextract` print it with
/// `--json` (one per line), and as an API would serve it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct AddedItem {
    // Fields in alphabetical order: the order the JSON had when it was
    // built as a map, kept for scripts that compare lines. Fields that do
    // not apply are absent.
    /// Words added against the version before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added: Option<u64>,
    pub capture: String,
    pub captured_at: String,
    pub doc: String,
    /// The feed that listed it (`watch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed: Option<String>,
    /// Words removed against the version before it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub removed: Option<u64>,
    /// Versions this capture moved up (an older capture added later).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub renumbered: Vec<Moved>,
    pub status: AddedStatus,
    /// The capture whose text it re-extracts (`reextract`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supersedes: Option<String>,
    /// The URL it was fetched from (`watch`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The version it is or repeats (0 for a flagged capture: no version).
    pub version: u64,
    /// Words of its text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<u64>,
}

/// A capture archived without the writer's commit (an import's), as `add`
/// prints its own.
impl From<&Added> for AddedItem {
    fn from(a: &Added) -> AddedItem {
        let c = Committed {
            added: a.clone(),
            renumbered: Vec::new(),
            words: None,
            change: None,
        };
        AddedItem::new(&c)
    }
}

impl AddedItem {
    pub fn new(c: &Committed) -> AddedItem {
        let a = &c.added;
        AddedItem {
            doc: a.doc.to_string(),
            version: a.version,
            capture: a.capture.to_string(),
            status: match a.status {
                Status::New => AddedStatus::New,
                Status::Unchanged => AddedStatus::Unchanged,
                Status::Flagged => AddedStatus::Flagged,
            },
            captured_at: crate::when::format_time(a.captured_at),
            url: None,
            feed: None,
            supersedes: None,
            words: c.words,
            added: c.change.map(|c| c.0),
            removed: c.change.map(|c| c.1),
            renumbered: c.renumbered.clone(),
        }
    }
}

/// Commits what `writer` staged: makes it durable, caches each new text's
/// word statistics in the same transaction, acknowledges. When this
/// returns the captures are archived; derived indexes have not caught up
/// yet (see [`catch_up`]).
pub fn commit(mut writer: Writer<'_>) -> Result<Vec<Committed>> {
    // What was diffed while staging is kept; nothing more is guessed.
    super::prediff::settle();
    let added = writer.prepare()?;
    cache_stats(writer.archive(), &added)?;
    let mut moved = renumbered(writer.archive(), &added)?;
    let mut out = Vec::with_capacity(added.len());
    for a in added {
        let archive = writer.archive();
        let words = match a.text {
            Some(t) => archive.cached_words(&t)?,
            None => None,
        };
        let change = match (a.previous_text, a.text) {
            (Some(p), Some(t)) => archive.cached_change(&p, &t)?,
            _ => None,
        };
        let renumbered = if a.status == Status::New {
            moved.remove(&a.capture).unwrap_or_default()
        } else {
            Vec::new()
        };
        out.push(Committed {
            added: a,
            renumbered,
            words,
            change,
        });
    }
    writer.commit()?;
    Ok(out)
}

/// For each document given a version older than versions it had: the
/// versions moved up, keyed by the first new capture of that document.
fn renumbered(archive: &Archive, added: &[Added]) -> Result<HashMap<CaptureId, Vec<Moved>>> {
    let new: HashSet<CaptureId> = added
        .iter()
        .filter(|a| a.status == Status::New)
        .map(|a| a.capture)
        .collect();
    let mut out = HashMap::new();
    let mut done = HashSet::new();
    for a in added.iter().filter(|a| a.status == Status::New) {
        if !done.insert(a.doc.clone()) {
            continue;
        }
        let history = archive.history(a.doc.as_str())?;
        let (mut shift, mut moved, mut first) = (0, Vec::new(), None);
        for (i, v) in history.versions.iter().enumerate() {
            if new.contains(&v.capture) {
                shift += 1;
                first.get_or_insert(v.capture);
            } else if shift > 0 {
                let to = i as u64 + 1;
                moved.push(Moved {
                    from: to - shift,
                    to,
                });
            }
        }
        if let (Some(first), false) = (first, moved.is_empty()) {
            out.insert(first, moved);
        }
    }
    Ok(out)
}

/// The warnings of a write that moved versions up (an older capture added
/// later): one per document.
pub fn renumber_warnings(committed: &[Committed]) -> Vec<Warning> {
    committed
        .iter()
        .filter(|c| !c.renumbered.is_empty())
        .map(|c| Warning::Renumbered {
            doc: c.added.doc.to_string(),
            moved: c.renumbered.clone(),
        })
        .collect()
}

/// Caches the word count of each added text and the words added/removed
/// against the version before it, so that listings never diff. Part of
/// [`commit`]; public for writers that commit by other means (`import`,
/// until it commits through [`commit`]).
pub fn cache_stats(archive: &Archive, added: &[Added]) -> Result<()> {
    // The diffs (most of the work: a batch of versions is one diff each)
    // run on every core, a bounded block of pairs at a time; the texts are
    // read and the results cached on this thread (the archive's).
    // Pairs diffed while the write was staged are cached as they are.
    let mut pairs: Vec<(ObjectId, ObjectId)> = Vec::new();
    let mut queued = HashSet::new();
    for a in added {
        if let (Some(prev), Some(text)) = (a.previous_text, a.text)
            && queued.insert((prev, text))
            && archive.cached_change(&prev, &text)?.is_none()
        {
            match super::prediff::take(&prev, &text) {
                Some(counts) => cache_counts(archive, &prev, &text, counts)?,
                None => pairs.push((prev, text)),
            }
        }
    }
    let mut block: Vec<Pair> = Vec::new();
    let mut bytes = 0;
    for (i, (prev, text)) in pairs.iter().enumerate() {
        let (old, new) = (archive.read_object(prev)?, archive.read_object(text)?);
        bytes += old.len() + new.len();
        block.push((*prev, *text, old, new));
        if bytes >= STATS_BLOCK_BYTES || block.len() >= STATS_BLOCK || i + 1 == pairs.len() {
            let stats = diff_stats(&block);
            for ((prev, text, ..), counts) in block.drain(..).zip(stats) {
                cache_counts(archive, &prev, &text, counts)?;
            }
            bytes = 0;
        }
    }
    for a in added {
        let Some(text_id) = a.text else { continue };
        if archive.cached_words(&text_id)?.is_none() {
            let text = archive.read_object(&text_id)?;
            let n = count_words(&super::prediff::text_of(&text));
            archive.cache_words(&text_id, n as u64)?;
        }
    }
    Ok(())
}

/// Caches a pair's counts: words added and removed, and (the diff counted
/// the new text already) the new text's words.
fn cache_counts(
    archive: &Archive,
    prev: &ObjectId,
    text: &ObjectId,
    (added, removed, words_new): super::prediff::Counts,
) -> Result<()> {
    archive.cache_change(prev, text, added, removed)?;
    if archive.cached_words(text)?.is_none() {
        archive.cache_words(text, words_new)?;
    }
    Ok(())
}

/// A version pair to diff: the older text's id, the newer's, their bytes.
type Pair = (ObjectId, ObjectId, Arc<Vec<u8>>, Arc<Vec<u8>>);

/// Version pairs diffed at a time by [`cache_stats`], and their texts' bytes
/// at most (past one pair).
const STATS_BLOCK: usize = 64;
const STATS_BLOCK_BYTES: usize = 64 << 20;

/// Words added, removed and of the new text for each pair, diffed on every
/// core (the same diffs as one after the other: each is a pure function of
/// its texts).
fn diff_stats(block: &[Pair]) -> Vec<(u64, u64, u64)> {
    let one = |(_, _, old, new): &Pair| {
        super::prediff::counts(&super::prediff::text_of(old), &super::prediff::text_of(new))
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads < 2 || block.len() < 2 {
        return block.iter().map(one).collect();
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<(usize, (u64, u64, u64))> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads.min(block.len()))
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(pair) = block.get(i) else { break done };
                        done.push((i, one(pair)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a diff does not panic"))
            .collect()
    });
    out.sort_unstable_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

// ------------------------------------------------------------ derived indexes

/// A cache derived from the archive that catches up from its own
/// high-water mark, reading only what was archived since. A failure loses
/// nothing: the index catches up on its next read.
pub trait DerivedIndex {
    /// What users call it ("search", "similarity").
    fn name(&self) -> &'static str;
    /// Its high-water mark: how many entries of the archive log it has
    /// taken in (`None` when it has no file yet). Every index counts on
    /// the same log, so after [`catch_up`] they all equal the log's length.
    fn mark(&self, archive: &Archive) -> Option<u64>;
    /// Takes in what the archive holds beyond the index's mark.
    fn catch_up(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String>;
    /// Starts again from nothing (after `reindex`).
    fn rebuild(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String>;
}

/// The full-text index (`search.sqlite`).
#[derive(Debug, Default, Clone, Copy)]
pub struct SearchIndex;

impl DerivedIndex for SearchIndex {
    fn name(&self) -> &'static str {
        "search"
    }
    fn mark(&self, archive: &Archive) -> Option<u64> {
        crate::search::index::stored_mark(archive.dir())
    }
    fn catch_up(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::search::Index::refresh(archive, progress)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    fn rebuild(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::search::rebuild(archive, progress)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The similarity index (republications, stories).
#[derive(Debug, Default, Clone, Copy)]
pub struct SimilarityIndex;

impl DerivedIndex for SimilarityIndex {
    fn name(&self) -> &'static str {
        "similarity"
    }
    fn mark(&self, archive: &Archive) -> Option<u64> {
        crate::republish::index::stored_mark(archive.dir())
    }
    fn catch_up(
        &self,
        archive: &Archive,
        _progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::republish::open_index(archive)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    fn rebuild(
        &self,
        archive: &Archive,
        _progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::republish::rebuild_index(archive)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The captures by URL (`memento.sqlite`: Memento, CDX).
#[derive(Debug, Default, Clone, Copy)]
pub struct MementoUrls;

impl DerivedIndex for MementoUrls {
    fn name(&self) -> &'static str {
        "memento"
    }
    fn mark(&self, archive: &Archive) -> Option<u64> {
        crate::query::mementos::stored_mark(archive.dir())
    }
    fn catch_up(
        &self,
        archive: &Archive,
        _progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::query::mementos::MementoIndex::open(archive)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    fn rebuild(
        &self,
        archive: &Archive,
        _progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::query::mementos::rebuild(archive)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// The significance index (scores of changes; after similarity, whose
/// boilerplate it reads).
#[derive(Debug, Default, Clone, Copy)]
pub struct SignificanceIndex;

impl DerivedIndex for SignificanceIndex {
    fn name(&self) -> &'static str {
        "significance"
    }
    fn mark(&self, archive: &Archive) -> Option<u64> {
        crate::significance::stored_mark(archive.dir())
    }
    fn catch_up(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::significance::Index::open(archive, progress)
            .map(drop)
            .map_err(|e| e.to_string())
    }
    fn rebuild(
        &self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        crate::significance::Index::rebuild(archive, progress)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// Every derived index a writer brings up to date.
pub fn derived_indexes() -> Vec<Box<dyn DerivedIndex>> {
    vec![
        Box::new(SimilarityIndex),
        Box::new(SearchIndex),
        Box::new(MementoUrls),
        Box::new(SignificanceIndex),
    ]
}

/// An index that could not catch up (the archive is written; it catches up
/// on its next read).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct IndexLag {
    pub index: String,
    pub error: String,
}

/// Brings every derived index up to date after a write (or rebuilds them,
/// after `reindex`). `progress` hears the index's name and how far it got.
/// Never fails: an index that cannot catch up is reported, not an error.
pub fn catch_up(
    archive: &Archive,
    rebuild: bool,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Vec<IndexLag> {
    // What the write kept (its decoded objects, its compression context)
    // serves no catch-up, and the memory the write freed is handed back:
    // the catch-ups' peaks then start from what is still in use (#23).
    archive.release_write_memory();
    give_back_free_memory();
    // The catch-ups read texts in order, once each (mostly a delta's base
    // was read just before it): a small cache serves them as well.
    let kept = archive.set_decoded_cache(CATCH_UP_DECODED_CACHE);
    let lags = catch_up_indexes(archive, rebuild, progress);
    archive.set_decoded_cache(kept);
    // What was diffed ahead and is still here was for no version pair (or
    // for one whose source has boilerplate).
    super::prediff::forget();
    lags
}

/// Returns the free memory of the process's heaps to the system (glibc
/// keeps what a write freed, fragmented between what it still holds).
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own heaps, under their locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn catch_up_indexes(
    archive: &Archive,
    rebuild: bool,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Vec<IndexLag> {
    // The search index's catch-up (the longest: a large text's) runs on a
    // second thread from what it needs read first, beside the others on
    // this one; then the usual catch-up of it finds it current (or does
    // what the thread could not).
    let two_cores = std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let snapshot = match rebuild || !two_cores {
        true => None,
        false => {
            crate::search::index::snapshot(archive, SEARCH_SNAPSHOT_TEXTS, SEARCH_SNAPSHOT_BYTES)
                .ok()
                .flatten()
        }
    };
    let Some(snapshot) = snapshot else {
        if !rebuild && two_cores {
            return catch_up_beside(archive, progress);
        }
        return catch_up_each(archive, rebuild, progress, &mut |_| true);
    };
    let dir = archive.dir().to_owned();
    std::thread::scope(|s| {
        let search = s.spawn(move || crate::search::index::refresh_from(&dir, &snapshot));
        let mut lags = catch_up_each(archive, false, progress, &mut |name| name != "search");
        // Its failure is no lag: the catch-up below does it from the archive.
        let _ = search.join();
        lags.extend(catch_up_each(archive, false, progress, &mut |n| {
            n == "search"
        }));
        lags
    })
}

/// A catch-up too large for a snapshot: the search index catches up on a
/// second thread from the store opened a second time (read-only, its own
/// catalog connection, reading the texts one by one as on this thread),
/// beside the others on this one, which otherwise leave a core idle while
/// it runs alone (0.3 s of one core for `scripts/bench.sh`'s batch). Then
/// the usual catch-up of it finds it current, or does what the thread
/// could not: when the second opening fails or sees another log (a store
/// reached through another backend), the thread does nothing.
fn catch_up_beside(
    archive: &Archive,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Vec<IndexLag> {
    let dir = archive.dir().to_owned();
    let Ok(counts) = archive.log_counts() else {
        return catch_up_each(archive, false, progress, &mut |_| true);
    };
    std::thread::scope(|s| {
        let search = s.spawn(move || {
            let mut second = Archive::open(&dir).ok()?;
            second
                .limit_caches(BESIDE_DECODED_CACHE, BESIDE_CATALOG_KIB)
                .ok()?;
            (second.log_counts().ok()? == counts)
                .then(|| SearchIndex.catch_up(&second, &mut |_, _| {}).ok())
                .flatten()
        });
        let mut lags = catch_up_each(archive, false, progress, &mut |n| n != "search");
        // Its failure is no lag: the catch-up below does it from the archive.
        let _ = search.join();
        lags.extend(catch_up_each(archive, false, progress, &mut |n| {
            n == "search"
        }));
        lags
    })
}

/// Bytes of decoded objects a handle keeps during the catch-ups (4 MB
/// otherwise; its contents stayed at the ingest's peak).
const CATCH_UP_DECODED_CACHE: usize = 1 << 20;

/// The caches of the store's second opening in [`catch_up_beside`]: it
/// reads each new text once, in capture order (a delta's base is mostly
/// the text read just before it), and what it holds adds to what this
/// thread's handle holds. With the default caches (4 MB of objects, 16 MB
/// of catalog pages) the thread's heap peaked about 5 MB higher on
/// bench.sh's batch.
const BESIDE_DECODED_CACHE: usize = 1 << 20;
const BESIDE_CATALOG_KIB: i64 = 2_000;

/// Texts read at most (their number, their bytes) for the search index's
/// catch-up on a second thread: a larger catch-up (a batch of many texts, a
/// first index of a big store) runs after the others, as holding its texts
/// would double the memory of a corpus ingest (42 -> 94 MB peak for
/// bench.sh's batch with 64 MB and no count).
pub(super) const SEARCH_SNAPSHOT_TEXTS: usize = 64;
const SEARCH_SNAPSHOT_BYTES: usize = 32 << 20;

/// Brings the derived indexes `which` accepts up to date, one after the
/// other.
fn catch_up_each(
    archive: &Archive,
    rebuild: bool,
    progress: &mut dyn FnMut(&str, usize, usize),
    which: &mut dyn FnMut(&str) -> bool,
) -> Vec<IndexLag> {
    let mut lags = Vec::new();
    for index in derived_indexes().into_iter().filter(|i| which(i.name())) {
        let name = index.name();
        let mut p = |done, total| progress(name, done, total);
        let r = if rebuild {
            index.rebuild(archive, &mut p)
        } else {
            index.catch_up(archive, &mut p)
        };
        if let Err(error) = r {
            lags.push(IndexLag {
                index: name.to_owned(),
                error,
            });
        }
    }
    lags
}
