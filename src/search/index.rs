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
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::Archive;

use super::error::SearchError;
use super::text::{fold_for_index, paragraphs};

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

fn create(conn: &Connection) -> rusqlite::Result<()> {
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
        archive: &Archive,
        progress: ProgressFn<'_>,
    ) -> Result<Option<CatchUp>, SearchError> {
        let count = archive.capture_count()? as i64;
        let seen = meta(&self.conn, "captures").map_err(self.err())?;
        if seen == Some(count) {
            return Ok(None);
        }
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
        archive: &Archive,
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
        let captures = if rebuilt {
            archive.all_captures()?
        } else {
            archive.captures_since(mark as u64)?
        };
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
        for (i, id) in new_texts.iter().enumerate() {
            let tn = next_tn + i as i64;
            conn.prepare_cached("INSERT INTO texts (tn, id) VALUES (?1, ?2)")
                .and_then(|mut s| s.execute(params![tn, id.as_bytes()]))
                .map_err(&err)?;
            text_n.insert(*id, tn);
            let bytes = archive.read_object(id)?;
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

/// Collects paragraphs during a catch-up; writes them at the end.
struct Builder {
    /// Paragraphs indexed in this catch-up, by the hash of their text (those
    /// indexed before are looked up in `paras`).
    known: HashMap<i64, i64>,
    /// A rebuild from an emptied index: `paras` holds only what `known`
    /// holds, so it is not looked up.
    fresh: bool,
    next_pn: i64,
    /// Raw paragraph chunk hash → paragraph number (None: nothing to
    /// index), so repeated chunks are normalized once.
    chunks: HashMap<[u8; 16], Option<i64>>,
    /// Paragraphs touched, by number: new ones with their hash and where to
    /// read them back, and the texts holding each.
    touched: HashMap<i64, Touched>,
    text_bytes: i64,
}

struct Touched {
    /// The hash of a new paragraph (`None`: indexed before).
    new: Option<i64>,
    /// The latest text holding it and its paragraph number there, where a
    /// snippet reads it back (for a current hit: the document's current
    /// text, read once for all its hits).
    at: (i64, i64),
    tns: Vec<i64>,
}

fn hash8(s: &str) -> i64 {
    let h = blake3::hash(s.as_bytes());
    i64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

impl Builder {
    fn load(conn: &Connection, fresh: bool) -> rusqlite::Result<Builder> {
        let next_pn = conn.query_row("SELECT COALESCE(MAX(pn), 0) + 1 FROM paras", [], |r| {
            r.get(0)
        })?;
        Ok(Builder {
            known: HashMap::new(),
            fresh,
            next_pn,
            chunks: HashMap::new(),
            touched: HashMap::new(),
            text_bytes: 0,
        })
    }

    fn add_text(&mut self, conn: &Connection, tn: i64, text: &str) -> rusqlite::Result<()> {
        let chunks = super::text::raw_paragraphs(text).take(super::text::MAX_PARAGRAPHS);
        for (n, chunk) in chunks.enumerate() {
            let key: [u8; 16] = blake3::hash(chunk.trim().as_bytes()).as_bytes()[..16]
                .try_into()
                .expect("16 bytes");
            let pn = match self.chunks.get(&key) {
                Some(pn) => *pn,
                None => {
                    let pn = paragraphs(chunk)
                        .next()
                        .map(|(_, p)| self.paragraph(conn, &p, tn, n as i64))
                        .transpose()?;
                    self.chunks.insert(key, pn);
                    pn
                }
            };
            if let Some(t) = pn.and_then(|pn| self.touched.get_mut(&pn)) {
                t.at = (tn, n as i64);
                if t.tns.last() != Some(&tn) {
                    t.tns.push(tn);
                }
            }
        }
        Ok(())
    }

    /// A normalized paragraph met for the first time in this catch-up:
    /// indexed unless the index has it already. Returns its number.
    fn paragraph(&mut self, conn: &Connection, p: &str, tn: i64, n: i64) -> rusqlite::Result<i64> {
        let h = hash8(p);
        let found = match self.known.get(&h) {
            Some(&pn) => Some(pn),
            None if self.fresh => None,
            None => conn
                .prepare_cached("SELECT pn FROM paras WHERE h = ?1")?
                .query_row([h], |r| r.get(0))
                .optional()?,
        };
        if let Some(pn) = found {
            if let std::collections::hash_map::Entry::Vacant(e) = self.touched.entry(pn) {
                let blob: Option<Vec<u8>> = conn
                    .prepare_cached("SELECT tns FROM paras WHERE pn = ?1")?
                    .query_row([pn], |r| r.get(0))
                    .optional()?;
                let tns = blob.map(|b| decode_tns(&b)).unwrap_or_default();
                e.insert(Touched {
                    new: None,
                    at: (tn, n),
                    tns,
                });
            }
            return Ok(pn);
        }
        let pn = self.next_pn;
        self.next_pn += 1;
        self.known.insert(h, pn);
        conn.prepare_cached("INSERT INTO fts (rowid, body) VALUES (?1, ?2)")?
            .execute(params![pn, fold_for_index(p)])?;
        self.text_bytes += p.len() as i64;
        self.touched.insert(
            pn,
            Touched {
                new: Some(h),
                at: (tn, n),
                tns: Vec::new(),
            },
        );
        Ok(pn)
    }

    /// Writes every touched paragraph. Returns how many are new.
    fn finish(self, conn: &Connection, rebuilt: bool) -> rusqlite::Result<usize> {
        let mut new = 0;
        let mut touched: Vec<(&i64, &Touched)> = self.touched.iter().collect();
        touched.sort_unstable_by_key(|(pn, _)| **pn);
        for (pn, t) in touched {
            let blob = encode_tns(&t.tns);
            let (tn, n) = t.at;
            match t.new {
                Some(h) => {
                    new += 1;
                    conn.prepare_cached(
                        "INSERT INTO paras (pn, h, tn, n, tns) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![pn, h, tn, n, blob])?;
                }
                None => {
                    conn.prepare_cached(
                        "UPDATE paras SET tns = ?2, tn = ?3, n = ?4 WHERE pn = ?1",
                    )?
                    .execute(params![pn, blob, tn, n])?;
                }
            }
        }
        let bytes = meta(conn, "text_bytes")?.unwrap_or(0) + self.text_bytes;
        set_meta(conn, "text_bytes", bytes)?;
        if new > 0 && (rebuilt || new >= 1000) {
            // One segment: smaller, and one b-tree to search. (Small
            // catch-ups leave it to FTS5's automerge.)
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')", [])?;
        }
        Ok(new)
    }
}

/// Ascending text numbers as delta varints.
pub(super) fn encode_tns(tns: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tns.len() * 2);
    let mut prev = 0i64;
    for &t in tns {
        let mut d = (t - prev) as u64;
        prev = t;
        loop {
            let b = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    out
}

pub(super) fn decode_tns(blob: &[u8]) -> Vec<i64> {
    let mut out = Vec::new();
    let (mut prev, mut cur, mut shift) = (0i64, 0u64, 0u32);
    for &b in blob {
        if shift < 64 {
            cur |= u64::from(b & 0x7f) << shift;
        }
        shift += 7;
        if b & 0x80 == 0 {
            prev = prev.wrapping_add(cur as i64);
            out.push(prev);
            cur = 0;
            shift = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_numbers_round_trip() {
        let tns = vec![1, 2, 3, 200, 70_000, 70_001];
        assert_eq!(decode_tns(&encode_tns(&tns)), tns);
        assert_eq!(encode_tns(&[1, 2, 3]).len(), 3);
    }
}
