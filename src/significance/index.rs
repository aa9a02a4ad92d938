//! The significance index: the score of every change between consecutive
//! versions of a document, kept in its own SQLite file in the store
//! directory (`significance.sqlite`), keyed by the two texts' ids.
//!
//! A derived cache like the search and similarity indexes: it catches up
//! from its high-water mark on the archive log (the number of log entries
//! it has taken in), scoring only the version pairs of documents that were
//! written since; deleted, it is rebuilt from the objects alone. Scores use
//! the boilerplate the similarity index knows of the version's source at the
//! time of scoring.
//!
//! ```text
//! meta   (key TEXT PRIMARY KEY, value INTEGER)       -- "schema", "log"
//! scores (old BLOB, new BLOB, value REAL, json TEXT)  -- PRIMARY KEY (old, new)
//! ```

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::diff::ParagraphKeys;
use crate::id::ObjectId;
use crate::store::{Archive, Version};

use super::error::SignificanceError;
use super::model::{Context, Significance};
use super::signals::{score, score_plain, score_stripped};

/// The index file, in the store directory.
pub const FILE: &str = "significance.sqlite";
/// Bumped whenever the scorer or the schema changes: an index of another
/// version is emptied and rebuilt.
const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS scores (old BLOB NOT NULL, new BLOB NOT NULL, value REAL NOT NULL,
    json TEXT NOT NULL, PRIMARY KEY (old, new)) WITHOUT ROWID;
";

type Result<T> = std::result::Result<T, SignificanceError>;

/// Version pairs read and scored together in a catch-up: bounds the texts
/// held in memory at once (a batch holds both texts of each pair). A batch
/// ends inside a document when it is full: bench.sh's batch has a document
/// of 416 versions, 12 MB of texts, that with whole documents per batch
/// were all held at once. 64 pairs: 1.5-2 MB of texts there; the corpus
/// ingest took as long as with 256 (issue #23).
const BATCH_PAIRS: usize = 64;
/// Scoring threads at most (fewer when the machine has fewer cores).
const MAX_THREADS: usize = 8;

/// A text with the boilerplate of one source to strip from it: stripped
/// once, by the first scoring thread that needs it, however many pairs the
/// text is in.
struct Kept {
    text: Arc<str>,
    boilerplate: Arc<HashSet<u64>>,
    stripped: OnceLock<String>,
}

impl Kept {
    fn get(&self) -> &str {
        self.stripped
            .get_or_init(|| crate::republish::boilerplate::strip(&self.text, &self.boilerplate))
    }
}

/// One pair to score: its texts' ids, the texts, and, when the source has
/// boilerplate, the two texts' [`Kept`] slots.
struct Job {
    old: ObjectId,
    new: ObjectId,
    texts: (Arc<str>, Arc<str>),
    kept: Option<(usize, usize)>,
}

/// The score of one job: as [`score`] gives it (same texts, same
/// boilerplate), with each text's boilerplate stripped once.
fn score_job<'a>(j: &'a Job, kept: &'a [Kept], keys: &mut ParagraphKeys<'a>) -> Significance {
    match j.kept {
        None => score_plain(&j.texts.0, &j.texts.1, keys),
        Some(_) if j.texts.0 == j.texts.1 => Significance::none(),
        Some((a, b)) => score_stripped(kept[a].get(), kept[b].get(), keys),
    }
}

/// Jobs a scoring thread takes at a time: consecutive pairs of a document
/// share a text, whose paragraph keys the thread then computes once.
const CHUNK: usize = 16;

/// Scores every job, on as many threads as there are cores (the scorer is
/// pure); the results in the jobs' order.
fn score_parallel(jobs: &[Job], kept: &[Kept]) -> Vec<Significance> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(jobs.len());
    if threads <= 1 {
        let mut out = Vec::with_capacity(jobs.len());
        for chunk in jobs.chunks(CHUNK) {
            let mut keys = ParagraphKeys::default();
            out.extend(chunk.iter().map(|j| score_job(j, kept, &mut keys)));
        }
        return out;
    }
    let next = AtomicUsize::new(0);
    let mut out: Vec<Option<Significance>> = vec![None; jobs.len()];
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
                        let Some(chunk) = jobs.get(start..(start + CHUNK).min(jobs.len())) else {
                            break;
                        };
                        if chunk.is_empty() {
                            break;
                        }
                        let mut keys = ParagraphKeys::default();
                        for (k, j) in chunk.iter().enumerate() {
                            done.push((start + k, score_job(j, kept, &mut keys)));
                        }
                    }
                    done
                })
            })
            .collect();
        for w in workers {
            match w.join() {
                Ok(done) => done.into_iter().for_each(|(i, s)| out[i] = Some(s)),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    out.into_iter()
        .map(|s| s.expect("every job was scored"))
        .collect()
}

/// `String::from_utf8_lossy(bytes)`, checked first with `str::from_utf8`
/// (several times faster on valid UTF-8, which texts almost always are).
fn text_of(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// An open significance index: caught up with the archive ([`Index::open`],
/// for writers), or read as it is ([`Index::read`], for readers, which
/// never write the store: what it lacks is scored and kept in memory).
pub struct Index {
    conn: Connection,
    path: Option<PathBuf>,
    /// Scores computed by a reader of a read-only file.
    unsaved: Option<HashMap<(ObjectId, ObjectId), Significance>>,
    boilerplate: HashMap<String, Arc<HashSet<u64>>>,
    similarity: Option<crate::republish::Index>,
}

/// How many archive-log entries the index file in `dir` has taken in, read
/// without catching up (`None`: no readable index there).
pub fn stored_mark(dir: &Path) -> Option<u64> {
    let conn = Connection::open_with_flags(
        dir.join(FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    (meta(&conn, "schema").ok()?? == SCHEMA_VERSION)
        .then(|| meta(&conn, "log").ok().flatten())
        .flatten()
        .map(|m| m as u64)
}

fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

fn set_meta(conn: &Connection, key: &str, value: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}

impl Index {
    /// The store's index, caught up first (created when missing, emptied
    /// when of another version or damaged; in memory when the store
    /// directory cannot be written). `progress` hears documents done and
    /// documents to do.
    pub fn open(archive: &Archive, progress: &mut dyn FnMut(usize, usize)) -> Result<Index> {
        let path = archive.dir().join(FILE);
        let mut index = match Index::from_file(&path) {
            Ok(i) => i,
            Err(_) => {
                // Damaged or unwritable: start afresh, else in memory.
                let _ = std::fs::remove_file(&path);
                Index::from_file(&path).or_else(|_| Index::in_memory())?
            }
        };
        index.catch_up(archive, progress)?;
        Ok(index)
    }

    /// The store's index for a reader: the file as it is, read-only, when
    /// it is readable and of this version; else an empty one in memory.
    /// Nothing is written to the store either way; pairs it lacks are
    /// scored when asked for ([`Index::score_versions`]).
    pub fn read(archive: &Archive) -> Result<Index> {
        let path = archive.dir().join(FILE);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if path.is_file()
            && let Ok(conn) = Connection::open_with_flags(&path, flags)
            && meta(&conn, "schema").ok().flatten() == Some(SCHEMA_VERSION)
        {
            return Ok(Index {
                conn,
                path: Some(path),
                unsaved: Some(HashMap::new()),
                boilerplate: HashMap::new(),
                similarity: None,
            });
        }
        Index::in_memory()
    }

    /// Starts again from nothing (after `reindex`).
    pub fn rebuild(archive: &Archive, progress: &mut dyn FnMut(usize, usize)) -> Result<Index> {
        let _ = std::fs::remove_file(archive.dir().join(FILE));
        Index::open(archive, progress)
    }

    fn from_file(path: &Path) -> Result<Index> {
        let err = |source| SignificanceError::Index {
            path: path.to_owned(),
            source,
        };
        let conn = Connection::open(path).map_err(err)?;
        // Another process catching up holds the write lock for a moment.
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        if meta(&conn, "schema").map_err(err)? != Some(SCHEMA_VERSION) {
            conn.execute_batch("DELETE FROM scores; DELETE FROM meta;")
                .map_err(err)?;
            set_meta(&conn, "schema", SCHEMA_VERSION).map_err(err)?;
        }
        Ok(Index {
            conn,
            path: Some(path.to_owned()),
            unsaved: None,
            boilerplate: HashMap::new(),
            similarity: None,
        })
    }

    fn in_memory() -> Result<Index> {
        let err = |source| SignificanceError::Index {
            path: PathBuf::from(":memory:"),
            source,
        };
        let conn = Connection::open_in_memory().map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        Ok(Index {
            conn,
            path: None,
            unsaved: None,
            boilerplate: HashMap::new(),
            similarity: None,
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> SignificanceError + '_ {
        move |source| SignificanceError::Index {
            path: self.path.clone().unwrap_or_else(|| ":memory:".into()),
            source,
        }
    }

    /// Runs `f` inside one read transaction of the index file: many
    /// lookups (a timeline's every change) then take the file's lock once,
    /// not once each (each took an `fcntl` lock and a check of the file).
    /// Writes `f` makes (scores a writable index lacked) commit at the end;
    /// a failed commit loses only them (they are a cache).
    pub fn reading<T>(&mut self, f: impl FnOnce(&mut Index) -> T) -> T {
        let began = self.conn.is_autocommit() && self.conn.execute_batch("BEGIN").is_ok();
        let out = f(self);
        if began && self.conn.execute_batch("COMMIT").is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        out
    }

    /// How many archive-log entries it has taken in.
    pub fn mark(&self) -> Result<u64> {
        Ok(meta(&self.conn, "log").map_err(self.err())?.unwrap_or(0) as u64)
    }

    /// Scores the version pairs of every document written since the mark.
    fn catch_up(
        &mut self,
        archive: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<()> {
        let mark = self.mark()?;
        let (logged, unlogged) = archive.log_counts()?;
        if mark as usize == logged && unlogged == 0 {
            return Ok(());
        }
        let _paused = archive.pause_view();
        let rows = match mark {
            0 => archive.all_captures()?,
            m => archive.captures_since(m - 1)?,
        };
        let docs: BTreeSet<String> = rows.into_iter().map(|r| r.doc).collect();
        let total = docs.len();
        self.conn.execute_batch("BEGIN").map_err(self.err())?;
        let mut todo = Vec::new();
        for (done, doc) in docs.iter().enumerate() {
            progress(done, total);
            let history = archive.history(doc)?;
            for pair in history.versions.windows(2) {
                if self.get(&pair[0].key, &pair[1].key)?.is_none() {
                    todo.push((pair[0].clone(), pair[1].clone()));
                }
                if todo.len() >= BATCH_PAIRS {
                    self.score_batch(archive, &mut todo)?;
                }
            }
        }
        self.score_batch(archive, &mut todo)?;
        set_meta(&self.conn, "log", logged as i64).map_err(self.err())?;
        self.conn.execute_batch("COMMIT").map_err(self.err())?;
        progress(total, total);
        Ok(())
    }

    /// Scores the version pairs in `todo` (none of them stored yet) on
    /// every core, stores them, and empties `todo`. The texts are read and
    /// each pair's boilerplate found here; only the pure scoring runs in
    /// parallel.
    fn score_batch(&mut self, archive: &Archive, todo: &mut Vec<(Version, Version)>) -> Result<()> {
        let mut texts: HashMap<ObjectId, Arc<str>> = HashMap::new();
        // Kept slots by (text, source): a text is stripped of one source's
        // boilerplate once for the batch.
        let mut slots: HashMap<(ObjectId, String), usize> = HashMap::new();
        let mut kept: Vec<Kept> = Vec::new();
        let mut jobs = Vec::with_capacity(todo.len());
        let mut queued = HashSet::new();
        // The batch's texts in one read of the catalog (each read on its
        // own took the file's lock), let go before the scoring.
        let view = archive.read_view();
        for (old, new) in todo.drain(..) {
            if !queued.insert((old.key, new.key)) {
                continue;
            }
            let mut text = |id: &ObjectId| -> Result<Arc<str>> {
                if let Some(t) = texts.get(id) {
                    return Ok(t.clone());
                }
                let t: Arc<str> = text_of(&archive.read_object(id)?).into();
                texts.insert(*id, t.clone());
                Ok(t)
            };
            let (a, b) = (text(&old.key)?, text(&new.key)?);
            let (source, boilerplate) = self.boilerplate_of(archive, &new);
            let pair = (!boilerplate.is_empty()).then(|| {
                let mut slot = |id: &ObjectId, text: &Arc<str>| {
                    *slots.entry((*id, source.clone())).or_insert_with(|| {
                        kept.push(Kept {
                            text: text.clone(),
                            boilerplate: boilerplate.clone(),
                            stripped: OnceLock::new(),
                        });
                        kept.len() - 1
                    })
                };
                (slot(&old.key, &a), slot(&new.key, &b))
            });
            jobs.push(Job {
                old: old.key,
                new: new.key,
                texts: (a, b),
                kept: pair,
            });
        }
        drop((texts, view));
        let scores = score_parallel(&jobs, &kept);
        for (job, s) in jobs.iter().zip(scores) {
            self.store(&job.old, &job.new, &s)?;
        }
        Ok(())
    }

    fn store(&mut self, old: &ObjectId, new: &ObjectId, s: &Significance) -> Result<()> {
        if let Some(unsaved) = self.unsaved.as_mut() {
            unsaved.insert((*old, *new), s.clone());
            return Ok(());
        }
        let json = serde_json::to_string(s).expect("a score serializes");
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO scores (old, new, value, json) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![old.as_bytes(), new.as_bytes(), s.value, json]))
            .map_err(self.err())?;
        Ok(())
    }

    /// The stored score of the change from text `old` to text `new`.
    pub fn get(&self, old: &ObjectId, new: &ObjectId) -> Result<Option<Significance>> {
        let json: Option<String> = self
            .conn
            .prepare_cached("SELECT json FROM scores WHERE old = ?1 AND new = ?2")
            .and_then(|mut s| {
                s.query_row(params![old.as_bytes(), new.as_bytes()], |r| r.get(0))
                    .optional()
            })
            .map_err(self.err())?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// The score of the change from version `old` to version `new` of a
    /// document: stored, else computed and stored.
    pub fn score_versions(
        &mut self,
        archive: &Archive,
        old: &Version,
        new: &Version,
    ) -> Result<Significance> {
        if let Some(s) = self.get(&old.key, &new.key)? {
            return Ok(s);
        }
        let pair = (old.key, new.key);
        if let Some(s) = self.unsaved.as_ref().and_then(|u| u.get(&pair)) {
            return Ok(s.clone());
        }
        let text = |id: &ObjectId| -> Result<String> {
            Ok(String::from_utf8_lossy(&archive.read_object(id)?).into_owned())
        };
        let ctx = Context {
            boilerplate: (*self.boilerplate_of(archive, new).1).clone(),
        };
        let s = score(&text(&old.key)?, &text(&new.key)?, &ctx);
        self.store(&old.key, &new.key, &s)?;
        Ok(s)
    }

    /// The boilerplate of a version's source, as the similarity index knows
    /// it (none when that index cannot be opened), with the key it is
    /// remembered by.
    fn boilerplate_of(&mut self, archive: &Archive, v: &Version) -> (String, Arc<HashSet<u64>>) {
        let key = format!("{:?}|{:?}", v.source, v.url);
        if let Some(b) = self.boilerplate.get(&key) {
            return (key, b.clone());
        }
        if self.similarity.is_none() {
            self.similarity = crate::republish::read_index(archive).ok();
        }
        let b = Arc::new(
            self.similarity
                .as_ref()
                .and_then(|i| {
                    crate::republish::boilerplate::of(i, v.source.as_deref(), v.url.as_deref()).ok()
                })
                .unwrap_or_default(),
        );
        self.boilerplate.insert(key.clone(), b.clone());
        (key, b)
    }
}
