//! Version pairs diffed while a write is still being staged (#23).
//!
//! Staging a batch (hashing, compressing, writing packs and records) keeps
//! one core busy, and the other idle. What comes after it is mostly diffs of
//! each new version against the one before it: the word statistics
//! [`commit`](super::commit) caches, and the significance index's scores.
//! Both are pure functions of the two texts. So [`offer`] (called by
//! `stage`) pairs each text with the text offered before it for the same
//! document, and a second thread works out the plain diff's counts of that
//! pair while the staging goes on, keyed by the two texts' ids (their
//! content): right for any pair of versions that turns out to have those
//! two texts. [`commit`] takes what is ready and diffs the rest as before. A
//! guess that is no version pair (a capture that failed, an older capture
//! between two others) is work lost, nothing more. What a thread offers is
//! kept for that thread (the one that commits; writers on other threads,
//! tests', neither take nor drop it); one thread does the work for all.
//!
//! The significance scores are not worked out here: scored one pair at a
//! time this thread keyed every paragraph twice, where the index's catch-up
//! keys a document's versions in order, each paragraph once (`roles`,
//! `typography` and `Norm::key` took 70% more samples; the ingest's CPU
//! time grew by a quarter).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::diff::diff;
use crate::id::ObjectId;

/// Texts larger than this are not diffed ahead (nor kept for the next
/// pair): a large capture is not copied for a guess.
const MAX_TEXT: usize = 4 << 20;
/// Bytes of the last texts kept (one per document) before they are dropped.
const MAX_KEPT_BYTES: usize = 64 << 20;
/// Pairs waiting for the thread; when it is full a pair is left to the
/// commit.
const QUEUE: usize = 64;
/// Counts kept at most.
const MAX_COUNTS: usize = 1 << 16;

type Text = Arc<Vec<u8>>;

/// Words added, removed, and of the new text: what the commit caches.
pub type Counts = (u64, u64, u64);

/// What the working thread gives back to one offering thread.
#[derive(Default)]
struct Results {
    /// Bumped by [`settle`]: pairs of an earlier generation are skipped.
    generation: AtomicU64,
    /// Pairs sent and not yet done or skipped.
    waiting: AtomicUsize,
    counts: Mutex<HashMap<(ObjectId, ObjectId), Counts>>,
}

struct Pair {
    to: Arc<Results>,
    generation: u64,
    old: Text,
    new: Text,
}

/// One thread's offers.
struct Feed {
    /// The last text offered for each document.
    last: HashMap<String, Text>,
    bytes: usize,
    results: Arc<Results>,
}

thread_local! {
    static FEED: RefCell<Feed> = RefCell::new(Feed {
        last: HashMap::new(),
        bytes: 0,
        results: Arc::default(),
    });
}

/// The working thread's queue (started at the first pair).
static WORKER: Mutex<Option<SyncSender<Pair>>> = Mutex::new(None);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // What a panicking holder left is whole entries: still usable.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Offers the text of a capture of `doc` being staged: paired with the
/// text this thread offered before it for `doc` (if any, and different),
/// to be diffed on a second core. Does nothing on a single core.
pub fn offer(doc: &str, text: &[u8]) {
    // Asked once: each asking reads the process's cgroup limits (five
    // system calls), and a batch offers every text it stages.
    static MULTICORE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let multicore =
        *MULTICORE.get_or_init(|| std::thread::available_parallelism().is_ok_and(|n| n.get() > 1));
    if text.len() > MAX_TEXT || !multicore {
        return;
    }
    FEED.with_borrow_mut(|feed| {
        if feed.last.get(doc).is_some_and(|old| old.as_slice() == text) {
            return;
        }
        if feed.bytes + text.len() > MAX_KEPT_BYTES {
            feed.last.clear();
            feed.bytes = 0;
        }
        feed.bytes += text.len();
        let new: Text = Arc::new(text.to_vec());
        let Some(old) = feed.last.insert(doc.to_owned(), new.clone()) else {
            return;
        };
        feed.bytes -= old.len();
        let to = feed.results.clone();
        let generation = to.generation.load(Ordering::Acquire);
        to.waiting.fetch_add(1, Ordering::AcqRel);
        if !send(Pair {
            to: to.clone(),
            generation,
            old,
            new,
        }) {
            to.waiting.fetch_sub(1, Ordering::AcqRel);
        }
    });
}

/// Queues a pair for the working thread (started when there is none);
/// false when it is busy or cannot be started (the commit diffs the pair).
fn send(pair: Pair) -> bool {
    let mut worker = lock(&WORKER);
    let tx = match worker.as_ref() {
        Some(tx) => tx,
        None => {
            let (tx, rx) = sync_channel(QUEUE);
            let started = std::thread::Builder::new()
                .name("vellum-prediff".into())
                .spawn(move || work(rx));
            if started.is_err() {
                return false;
            }
            worker.insert(tx)
        }
    };
    match tx.try_send(pair) {
        Ok(()) => true,
        Err(TrySendError::Full(_)) => false,
        Err(TrySendError::Disconnected(_)) => {
            *worker = None;
            false
        }
    }
}

/// Stops the guessing for the write this thread commits: its pairs still
/// waiting are skipped, and its next write starts without earlier texts.
/// What was worked out stays for [`take`] and the significance index.
pub fn settle() {
    FEED.with_borrow_mut(|feed| {
        feed.results.generation.fetch_add(1, Ordering::AcqRel);
        feed.last.clear();
        feed.bytes = 0;
    });
}

/// The counts worked out for this thread's pair of texts, taken out.
pub fn take(old: &ObjectId, new: &ObjectId) -> Option<Counts> {
    FEED.with_borrow(|feed| lock(&feed.results.counts).remove(&(*old, *new)))
}

/// Drops whatever was worked out for this thread and not taken (after a
/// write's indexes caught up).
pub fn forget() {
    FEED.with_borrow(|feed| *lock(&feed.results.counts) = HashMap::new());
}

/// The counts worked out for this thread's pair, left in place (tests).
#[cfg(test)]
pub fn peek(old: &ObjectId, new: &ObjectId) -> Option<Counts> {
    FEED.with_borrow(|feed| lock(&feed.results.counts).get(&(*old, *new)).copied())
}

/// Waits until every pair this thread offered is done (tests).
#[cfg(test)]
pub fn wait() {
    let results = FEED.with_borrow(|feed| feed.results.clone());
    while results.waiting.load(Ordering::Acquire) > 0 {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
}

/// The plain diff's counts of a pair of texts, as [`commit`](super::commit)
/// caches them.
pub fn counts(old: &str, new: &str) -> Counts {
    let d = diff(old, new, &Default::default());
    let s = &d.stats;
    (
        s.words_added as u64,
        s.words_removed as u64,
        s.words_new as u64,
    )
}

/// `String::from_utf8_lossy(bytes)`, checked first with `str::from_utf8`
/// (several times faster on valid UTF-8, which texts almost always are:
/// `from_utf8_lossy` took a tenth of this thread's instructions).
pub(super) fn text_of(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

fn work(pairs: Receiver<Pair>) {
    for p in pairs {
        let r = &p.to;
        let current = || p.generation == r.generation.load(Ordering::Acquire);
        if current() {
            let (old, new) = (text_of(&p.old), text_of(&p.new));
            let ids = (ObjectId::of(&p.old), ObjectId::of(&p.new));
            let c = counts(&old, &new);
            let mut map = lock(&r.counts);
            if map.len() < MAX_COUNTS {
                map.insert(ids, c);
            }
        }
        r.waiting.fetch_sub(1, Ordering::AcqRel);
    }
}
