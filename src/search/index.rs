//! The search index: its own SQLite file in the store directory
//! (`search.sqlite`), a derived cache rebuilt from the archive whenever it is
//! missing, older, damaged or behind.
//!
//! Each distinct markup-normalized paragraph is indexed once (FTS5, rowid =
//! its number; `paras` keeps its hash to find it again), with the text objects it appears
//! in. Its text is not stored: a snippet is cut from the text object it was
//! first seen in (read back through the store), so the index stays smaller
//! than the text it indexes. Which documents hold a text comes from
//! `doc_texts`; which versions of a document hold it is read from the
//! catalog at query time (version numbers change when an older capture is
//! archived later).
//!
//! High-water mark: the number of captures the index has seen. Captures are
//! never removed, so an index whose count is the catalog's is current, and
//! one behind catches up by indexing the (document, text) pairs it lacks.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::Archive;
use crate::store::catalog::{CaptureRow, PausedRead, ReadSnapshot};

use super::build::Builder;
use super::error::SearchError;
use super::rows::{meta, set_meta};

/// The index file, in the store directory.
pub const FILE: &str = "search.sqlite";
/// Bumped whenever the schema or what is indexed changes: an index of
/// another version is deleted and rebuilt.
/// 3: texts are indexed up to `text::MAX_PARAGRAPHS` of 2^20 paragraphs,
/// no longer 20,000 (a 20 MB text's end was not searchable).
const SCHEMA_VERSION: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
-- Text objects indexed (tn numbers them in indexing order).
CREATE TABLE texts (tn INTEGER PRIMARY KEY, id BLOB NOT NULL);
CREATE INDEX texts_by_id ON texts (substr(id, 1, 8));
-- Which documents have a version with this text.
CREATE TABLE doc_texts (doc TEXT NOT NULL, tn INTEGER NOT NULL, PRIMARY KEY (doc, tn)) WITHOUT ROWID;
-- Distinct paragraphs: pn = fts rowid (numbered in indexing order, so FTS5's
-- rowid deltas stay small); h = first 8 bytes of the blake3 hash of its text;
-- (tn, n) = paragraph n of text tn (the latest text holding it), to read it back; tns = the texts holding
-- it (ascending, delta varints).
CREATE TABLE paras (pn INTEGER PRIMARY KEY, h INTEGER NOT NULL, tn INTEGER NOT NULL, n INTEGER NOT NULL, tns BLOB NOT NULL);
-- Catching up looks texts and paragraphs up by these instead of loading
-- every row: an add costs the same however large the index.
CREATE INDEX paras_by_h ON paras (h);
CREATE VIRTUAL TABLE fts USING fts5(body, content='', tokenize='unicode61 remove_diacritics 2');
";

/// FTS5's buffer of tokenized text (bytes) before it writes a segment and
/// merges: with the default 1 MB a 20 MB text made ~20 segments, merged
/// again and again, and a rebuild's `optimize` left 40% of the file free.
/// At 16 MB (held only during a catch-up) it writes one.
const FTS_BUFFER: i64 = 16 << 20;

/// Whether a quarter or more of the file's pages are free.
fn mostly_free(conn: &Connection) -> bool {
    let pragma = |name: &str| -> i64 {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap_or(0)
    };
    pragma("freelist_count") * 4 >= pragma("page_count").max(1)
}

/// An open, current index.
pub struct Index {
    pub(super) conn: Connection,
    /// Where it is; `None` when it was built in memory (the store directory
    /// or the file is read-only).
    pub path: Option<PathBuf>,
    /// What opening it had to do.
    pub caught_up: Option<CatchUp>,
    /// Why it is in memory, when it is.
    pub memory_reason: Option<String>,
    /// Why the index file found was deleted and rebuilt (damaged, older).
    pub discarded: Option<String>,
    pub(super) texts: HashMap<i64, ObjectId>,
    pub(super) docs_of: HashMap<i64, Vec<String>>,
}

/// Work done to bring an index up to date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CatchUp {
    /// Rebuilt from nothing (missing, older, damaged) rather than extended.
    pub rebuilt: bool,
    pub texts: usize,
    pub paragraphs: usize,
    pub elapsed: Duration,
}

/// Size and contents of an index.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndexStats {
    pub path: Option<PathBuf>,
    pub in_memory: bool,
    /// Bytes of the index (SQLite pages in use).
    pub index_bytes: u64,
    /// Bytes of the distinct normalized paragraphs it indexes.
    pub text_bytes: u64,
    pub paragraphs: u64,
    pub texts: u64,
    pub documents: u64,
    pub captures: u64,
}

fn ix_err(path: &Option<PathBuf>) -> impl Fn(rusqlite::Error) -> SearchError + '_ {
    move |source| SearchError::Index {
        path: path.clone().unwrap_or_else(|| PathBuf::from(":memory:")),
        source,
    }
}

fn code(e: &rusqlite::Error) -> Option<ErrorCode> {
    e.sqlite_error_code()
}

fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        code(e),
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
    )
}

fn is_unwritable(e: &rusqlite::Error) -> bool {
    matches!(
        code(e),
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied)
    )
}

/// What opening the file found.
enum Opened {
    Ready(Connection),
    /// Damaged, of another schema version, or not an index: delete it.
    Discard(String),
    Unwritable(String),
}

fn open_file(path: &Path) -> rusqlite::Result<Opened> {
    let conn = match Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    ) {
        Ok(c) => c,
        Err(e) if is_unwritable(&e) => return Ok(Opened::Unwritable(e.to_string())),
        Err(e) => return Err(e),
    };
    conn.busy_timeout(Duration::from_secs(10))?;
    let tables: rusqlite::Result<i64> =
        conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| r.get(0));
    match tables {
        Ok(0) => {
            if let Err(e) = create(&conn) {
                if is_unwritable(&e) {
                    return Ok(Opened::Unwritable(e.to_string()));
                }
                return Err(e);
            }
            Ok(Opened::Ready(conn))
        }
        Ok(_) => match meta(&conn, "schema") {
            Ok(Some(SCHEMA_VERSION)) => Ok(Opened::Ready(conn)),
            Ok(v) => Ok(Opened::Discard(format!(
                "schema {} is not this vellum's {SCHEMA_VERSION}",
                v.unwrap_or(0)
            ))),
            Err(e) => Ok(Opened::Discard(e.to_string())),
        },
        Err(e) if is_damage(&e) => Ok(Opened::Discard(e.to_string())),
        Err(e) => Err(e),
    }
}

pub(super) fn create(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let r = (|| {
        conn.execute_batch(SCHEMA)?;
        set_meta(conn, "schema", SCHEMA_VERSION)?;
        set_meta(conn, "captures", 0)?;
        set_meta(conn, "seq", 0)?;
        set_meta(conn, "text_bytes", 0)
    })();
    match r {
        Ok(()) => conn.execute_batch("COMMIT"),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// How many entries of the archive log the index file in `dir` has taken
/// in, read without catching up (`None`: no readable index there): the
/// high-water mark every derived index reports (`capture::DerivedIndex`).
pub fn stored_mark(dir: &Path) -> Option<u64> {
    let conn = Connection::open_with_flags(
        dir.join(FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    // The index keeps the highest log position it took in ("seq", 0-based)
    // and how many captures it saw; as a count of log entries:
    let seen = meta(&conn, "captures").ok().flatten()?;
    let seq = meta(&conn, "seq").ok().flatten()?;
    Some(if seen == 0 { 0 } else { seq as u64 + 1 })
}

/// The number of an indexed text.
fn text_number(conn: &Connection, id: &ObjectId) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT tn FROM texts WHERE substr(id, 1, 8) = ?1 AND id = ?2")?
        .query_row(params![&id.as_bytes()[..8], id.as_bytes()], |r| r.get(0))
        .optional()
}

fn has_doc_text(conn: &Connection, doc: &str, tn: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM doc_texts WHERE doc = ?1 AND tn = ?2")?
        .query_row(params![doc, tn], |_| Ok(()))
        .optional()
        .map(|r| r.is_some())
}

fn remove_file(path: &Path) -> std::io::Result<()> {
    let mut journal = path.as_os_str().to_owned();
    journal.push("-journal");
    let _ = std::fs::remove_file(&journal);
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Progress of a build: texts done, texts to do.
pub type ProgressFn<'a> = &'a mut dyn FnMut(usize, usize);

impl Index {
    /// Opens the store's index, bringing it up to date first: created when
    /// missing, deleted and rebuilt when older or damaged, extended when
    /// behind. When it cannot be written (a read-only store), it is built in
    /// memory instead ([`Index::path`] is `None`, [`Index::memory_reason`]
    /// says why).
    pub fn open(archive: &Archive, progress: ProgressFn<'_>) -> Result<Index, SearchError> {
        Index::open_inner(archive, progress, true)
    }

    /// Brings the store's index up to date (as [`Index::open`] does) without
    /// loading what queries need: what `add` runs after archiving.
    pub fn refresh(
        archive: &Archive,
        progress: ProgressFn<'_>,
    ) -> Result<Option<CatchUp>, SearchError> {
        Ok(Index::open_inner(archive, progress, false)?.caught_up)
    }

    fn open_inner(
        archive: &Archive,
        progress: ProgressFn<'_>,
        maps: bool,
    ) -> Result<Index, SearchError> {
        let path = archive.dir().join(FILE);
        let mut rebuilt = false;
        let mut discarded = None;
        for _attempt in 0..2 {
            let opened = open_file(&path).map_err(ix_err(&Some(path.clone())))?;
            let conn = match opened {
                Opened::Ready(c) => c,
                Opened::Unwritable(why) => return Index::in_memory(archive, why, progress),
                Opened::Discard(why) => {
                    if let Err(e) = remove_file(&path) {
                        return Index::in_memory(
                            archive,
                            format!("the index is unusable ({why}) and cannot be deleted: {e}"),
                            progress,
                        );
                    }
                    discarded = Some(why);
                    rebuilt = true;
                    continue;
                }
            };
            let mut index = Index::from_conn(conn, Some(path.clone()));
            let caught_up = index.catch_up(archive, progress);
            let loaded = caught_up.and_then(|c| {
                if maps {
                    index.load_maps()?;
                }
                Ok(c)
            });
            match loaded {
                Ok(mut c) => {
                    if let Some(c) = c.as_mut() {
                        c.rebuilt |= rebuilt;
                    }
                    index.caught_up = c;
                    index.discarded = discarded.clone();
                    return Ok(index);
                }
                Err(SearchError::Index { source, .. }) if is_unwritable(&source) => {
                    return Index::in_memory(archive, source.to_string(), progress);
                }
                Err(SearchError::Index { source, .. }) if is_damage(&source) => {
                    drop(index);
                    remove_file(&path).map_err(|e| SearchError::Io {
                        context: format!("deleting the damaged search index {}", path.display()),
                        source: e,
                    })?;
                    discarded = Some(source.to_string());
                    rebuilt = true;
                }
                Err(e) => return Err(e),
            }
        }
        Err(SearchError::Index {
            path,
            source: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
                discarded.or(Some("rebuilt index still unusable".into())),
            ),
        })
    }

    /// Builds an index in memory (nothing is written anywhere).
    pub fn in_memory(
        archive: &Archive,
        reason: String,
        progress: ProgressFn<'_>,
    ) -> Result<Index, SearchError> {
        let conn = Connection::open_in_memory().map_err(ix_err(&None))?;
        create(&conn).map_err(ix_err(&None))?;
        let mut index = Index::from_conn(conn, None);
        index.memory_reason = Some(reason);
        index.caught_up = index.catch_up(archive, progress)?;
        index.load_maps()?;
        Ok(index)
    }

    fn from_conn(conn: Connection, path: Option<PathBuf>) -> Index {
        Index {
            conn,
            path,
            caught_up: None,
            memory_reason: None,
            discarded: None,
            texts: HashMap::new(),
            docs_of: HashMap::new(),
        }
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> SearchError + '_ {
        ix_err(&self.path)
    }

    /// Texts by number and the documents holding each, for queries.
    fn load_maps(&mut self) -> Result<(), SearchError> {
        let err = ix_err(&self.path);
        let mut texts = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT tn, id FROM texts")
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            let tn: i64 = r.get(0).map_err(&err)?;
            let id: Vec<u8> = r.get(1).map_err(&err)?;
            if let Ok(b) = <[u8; 32]>::try_from(id.as_slice()) {
                texts.insert(tn, ObjectId::from_bytes(b));
            }
        }
        drop(rows);
        drop(stmt);
        let mut docs_of: HashMap<i64, Vec<String>> = HashMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT doc, tn FROM doc_texts")
            .map_err(&err)?;
        let mut rows = stmt.query([]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            docs_of
                .entry(r.get(1).map_err(&err)?)
                .or_default()
                .push(r.get(0).map_err(&err)?);
        }
        drop(rows);
        drop(stmt);
        self.texts = texts;
        self.docs_of = docs_of;
        Ok(())
    }

    /// Indexes what the catalog has that the index lacks. Returns what was
    /// done (`None`: it was current).
    fn catch_up(
        &mut self,
        archive: &dyn Source,
        progress: ProgressFn<'_>,
    ) -> Result<Option<CatchUp>, SearchError> {
        let count = archive.capture_count()? as i64;
        let seen = meta(&self.conn, "captures").map_err(self.err())?;
        if seen == Some(count) {
            return Ok(None);
        }
        let _paused = archive.pause_view();
        let start = Instant::now();
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(self.err())?;
        let r = self.extend(archive, count, progress);
        match r {
            Ok(Some(mut c)) => {
                self.conn.execute_batch("COMMIT").map_err(self.err())?;
                if c.rebuilt && self.path.is_some() && mostly_free(&self.conn) {
                    // Give back the pages the build's merges freed.
                    self.conn.execute_batch("VACUUM").map_err(self.err())?;
                }
                c.elapsed = start.elapsed();
                Ok(Some(c))
            }
            Ok(None) => {
                self.conn.execute_batch("COMMIT").map_err(self.err())?;
                Ok(None)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Inside the write transaction: indexes every (document, text) pair
    /// the index lacks.
    fn extend(
        &mut self,
        archive: &dyn Source,
        count: i64,
        progress: ProgressFn<'_>,
    ) -> Result<Option<CatchUp>, SearchError> {
        let err = ix_err(&self.path);
        let conn = &self.conn;
        let seen = meta(conn, "captures").map_err(&err)?.unwrap_or(0);
        if seen == count {
            return Ok(None); // another process caught up meanwhile
        }
        let rebuilt = seen > count || seen == 0;
        if rebuilt {
            // The catalog has fewer captures than the index saw: not the
            // same archive any more (replaced, restored). Start over.
            conn.execute_batch(
                "DELETE FROM texts; DELETE FROM doc_texts; DELETE FROM paras;
                 INSERT INTO fts (fts) VALUES ('delete-all');",
            )
            .map_err(&err)?;
            set_meta(conn, "text_bytes", 0).map_err(&err)?;
            set_meta(conn, "seq", 0).map_err(&err)?;
        }
        // Only captures archived since the last catch-up (and any not yet
        // in the archive log, found again each time until logged: adding
        // them is idempotent).
        let mark = if rebuilt {
            0
        } else {
            meta(conn, "seq").map_err(&err)?.unwrap_or(0)
        };
        let captures = archive.captures((!rebuilt).then_some(mark as u64))?;
        let high = captures
            .iter()
            .filter_map(|c| c.seq)
            .max()
            .map_or(mark, |s| mark.max(s as i64));
        let mut text_n: HashMap<ObjectId, i64> = HashMap::new();
        // The pairs to add, texts not indexed yet first collected.
        let mut todo: Vec<(String, ObjectId)> = Vec::new();
        let mut new_texts: Vec<ObjectId> = Vec::new();
        let mut queued: HashSet<ObjectId> = HashSet::new();
        for c in captures {
            if c.flagged {
                continue;
            }
            let tn = match text_n.get(&c.vkey) {
                Some(tn) => Some(*tn),
                None => {
                    let tn = text_number(conn, &c.vkey).map_err(&err)?;
                    if let Some(tn) = tn {
                        text_n.insert(c.vkey, tn);
                    }
                    tn
                }
            };
            match tn {
                Some(tn) if has_doc_text(conn, &c.doc, tn).map_err(&err)? => continue,
                Some(_) => {}
                None => {
                    if queued.insert(c.vkey) {
                        new_texts.push(c.vkey);
                    }
                }
            }
            todo.push((c.doc, c.vkey));
        }
        let next_tn: i64 = conn
            .query_row("SELECT COALESCE(MAX(tn), 0) + 1 FROM texts", [], |r| {
                r.get(0)
            })
            .map_err(&err)?;
        let hashsize = "INSERT INTO fts (fts, rank) VALUES ('hashsize', ?1)";
        conn.execute(hashsize, [FTS_BUFFER]).map_err(&err)?;
        let mut builder = Builder::load(conn, rebuilt).map_err(&err)?;
        let total = new_texts.len();
        // Texts are read a few at a time in one read of the catalog (each
        // read on its own took the file's lock); not all in one, which would
        // keep writers from committing while a large catch-up indexes.
        let (mut view, mut viewed) = (None, 0);
        for (i, id) in new_texts.iter().enumerate() {
            if viewed >= VIEW_TEXT_BYTES || i % VIEW_TEXTS == 0 {
                drop(view.take());
                (view, viewed) = (archive.view(), 0);
            }
            let tn = next_tn + i as i64;
            conn.prepare_cached("INSERT INTO texts (tn, id) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![tn, id.as_bytes()]))
                .map_err(&err)?;
            text_n.insert(*id, tn);
            let bytes = archive.text(id)?;
            viewed += bytes.len();
            if let Ok(text) = std::str::from_utf8(&bytes) {
                builder.add_text(conn, tn, text).map_err(&err)?;
            }
            progress(i + 1, total);
        }
        let paragraphs = builder.finish(conn, rebuilt).map_err(&err)?;
        for (doc, id) in &todo {
            let tn = text_n[id];
            conn.prepare_cached("INSERT OR IGNORE INTO doc_texts (doc, tn) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![doc, tn]))
                .map_err(&err)?;
        }
        set_meta(conn, "captures", count).map_err(&err)?;
        set_meta(conn, "seq", high).map_err(&err)?;
        Ok(Some(CatchUp {
            rebuilt,
            texts: total,
            paragraphs,
            elapsed: Duration::ZERO,
        }))
    }

    /// The index's size and contents.
    pub fn stats(&self) -> Result<IndexStats, SearchError> {
        let err = self.err();
        let q = |sql: &str| -> Result<i64, SearchError> {
            self.conn.query_row(sql, [], |r| r.get(0)).map_err(&err)
        };
        let pages = q("PRAGMA page_count")? - q("PRAGMA freelist_count")?;
        Ok(IndexStats {
            path: self.path.clone(),
            in_memory: self.path.is_none(),
            index_bytes: (pages * q("PRAGMA page_size")?) as u64,
            text_bytes: meta(&self.conn, "text_bytes").map_err(&err)?.unwrap_or(0) as u64,
            paragraphs: q("SELECT COUNT(*) FROM paras")? as u64,
            texts: q("SELECT COUNT(*) FROM texts")? as u64,
            documents: q("SELECT COUNT(DISTINCT doc) FROM doc_texts")? as u64,
            captures: meta(&self.conn, "captures").map_err(&err)?.unwrap_or(0) as u64,
        })
    }
}

/// Texts a catch-up reads in one read of the catalog, and their bytes.
const VIEW_TEXTS: usize = 64;
const VIEW_TEXT_BYTES: usize = 8 << 20;

/// What a catch-up reads of the archive: the archive itself, or a
/// [`Snapshot`] read from it beforehand (for a catch-up on another thread).
trait Source {
    fn capture_count(&self) -> Result<usize, SearchError>;
    /// The captures logged after `since` (and those not logged yet), or
    /// every capture (`None`).
    fn captures(&self, since: Option<u64>) -> Result<Vec<CaptureRow>, SearchError>;
    fn text(&self, id: &ObjectId) -> Result<Arc<Vec<u8>>, SearchError>;
    /// Holds one read of the archive's catalog while it lives, so that the
    /// texts read meanwhile take its lock once (`None`: nothing to hold).
    fn view(&self) -> Option<ReadSnapshot<'_>> {
        None
    }
    /// Lets go of a caller's view of the catalog while it lives.
    fn pause_view(&self) -> Option<PausedRead<'_>> {
        None
    }
}

impl Source for Archive {
    fn capture_count(&self) -> Result<usize, SearchError> {
        Ok(Archive::capture_count(self)?)
    }
    fn captures(&self, since: Option<u64>) -> Result<Vec<CaptureRow>, SearchError> {
        Ok(match since {
            Some(seq) => self.captures_since(seq)?,
            None => self.all_captures()?,
        })
    }
    fn text(&self, id: &ObjectId) -> Result<Arc<Vec<u8>>, SearchError> {
        Ok(self.read_object(id)?)
    }
    fn view(&self) -> Option<ReadSnapshot<'_>> {
        Some(self.read_view())
    }
    fn pause_view(&self) -> Option<PausedRead<'_>> {
        Some(Archive::pause_view(self))
    }
}

/// What a catch-up of the search index will read of the archive, read
/// beforehand, so that the index's own work runs on another thread
/// ([`refresh_from`]) while this one does other work with the archive
/// (which one thread at a time uses). A catch-up that finds the index or
/// the archive other than the snapshot saw fails with nothing written; the
/// caller then catches up from the archive ([`Index::refresh`]).
pub struct Snapshot {
    count: usize,
    since: Option<u64>,
    captures: Vec<CaptureRow>,
    texts: HashMap<ObjectId, Arc<Vec<u8>>>,
}

fn stale() -> SearchError {
    SearchError::Io {
        context: "the search index's snapshot of the archive".into(),
        source: std::io::Error::other("out of date"),
    }
}

impl Source for Snapshot {
    fn capture_count(&self) -> Result<usize, SearchError> {
        Ok(self.count)
    }
    fn captures(&self, since: Option<u64>) -> Result<Vec<CaptureRow>, SearchError> {
        match since == self.since {
            true => Ok(self.captures.clone()),
            false => Err(stale()),
        }
    }
    fn text(&self, id: &ObjectId) -> Result<Arc<Vec<u8>>, SearchError> {
        self.texts.get(id).cloned().ok_or_else(stale)
    }
}

/// Reads what the store's search index lacks (the captures past its mark
/// and the texts it has not indexed), when there is something and it holds
/// at most `max_texts` texts of at most `budget` bytes in all: else `None`,
/// and the index catches up from the archive as usual.
pub fn snapshot(
    archive: &Archive,
    max_texts: usize,
    budget: usize,
) -> Result<Option<Snapshot>, SearchError> {
    let ro = Connection::open_with_flags(
        archive.dir().join(FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok();
    let read = |key| ro.as_ref().and_then(|c| meta(c, key).ok().flatten());
    let (seen, seq) = (read("captures").unwrap_or(0), read("seq").unwrap_or(0));
    let count = Archive::capture_count(archive)?;
    if seen == count as i64 {
        return Ok(None);
    }
    let since = (seen != 0 && seen < count as i64).then_some(seq as u64);
    let captures = Source::captures(archive, since)?;
    let mut ids = Vec::new();
    for c in captures.iter().filter(|c| !c.flagged) {
        let indexed = || {
            since.is_some()
                && ro
                    .as_ref()
                    .is_some_and(|conn| text_number(conn, &c.vkey).ok().flatten().is_some())
        };
        if !ids.contains(&c.vkey) && !indexed() {
            ids.push(c.vkey);
            if ids.len() > max_texts {
                return Ok(None);
            }
        }
    }
    let (mut texts, mut bytes) = (HashMap::new(), 0);
    // At most `max_texts`, in one read of the catalog.
    let _view = archive.read_view();
    for id in ids {
        let text = archive.read_object(&id)?;
        bytes += text.len();
        if bytes > budget {
            return Ok(None);
        }
        texts.insert(id, text);
    }
    Ok(Some(Snapshot {
        count,
        since,
        captures,
        texts,
    }))
}

/// Brings the index file in `dir` up to date from `snapshot` (see
/// [`Snapshot`]); any failure leaves the file as it was.
pub fn refresh_from(dir: &Path, snapshot: &Snapshot) -> Result<Option<CatchUp>, SearchError> {
    let path = dir.join(FILE);
    let conn = match open_file(&path).map_err(ix_err(&Some(path.clone())))? {
        Opened::Ready(conn) => conn,
        Opened::Discard(_) | Opened::Unwritable(_) => return Err(stale()),
    };
    Index::from_conn(conn, Some(path)).catch_up(snapshot, &mut |_, _| {})
}

/// Deletes the store's index file and builds it again (for `reindex`).
pub fn rebuild(archive: &Archive, progress: ProgressFn<'_>) -> Result<Index, SearchError> {
    let path = archive.dir().join(FILE);
    if let Err(e) = remove_file(&path) {
        return Err(SearchError::Io {
            context: format!("deleting the search index {}", path.display()),
            source: e,
        });
    }
    let mut index = Index::open(archive, progress)?;
    if let Some(c) = index.caught_up.as_mut() {
        c.rebuilt = true;
    }
    Ok(index)
}
