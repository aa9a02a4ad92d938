//! The catalog: a derived SQLite index of packs, objects and captures, so that
//! lookups never scan the store. Everything in it can be rebuilt from the
//! packs alone (`vellum reindex`).
//!
//! Journal mode is DELETE (rollback journal), not WAL, on purpose: a WAL reader
//! creates and writes the `-shm`/`-wal` files, and read-only commands (`log`,
//! `show`, `diff`, `verify`) must not change a byte of the store. Writers are
//! serialized by the store's lock file anyway; a reader waits at most for the
//! few milliseconds of a commit (busy timeout), never for a whole import.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::id::ObjectId;

use super::history::{History, HistoryRow};
use super::record::{CaptureId, CaptureRecord};

mod caches;
mod log;
mod objects;
mod relocate;
mod rows;

pub use crate::when::{from_nanos, nanos};
use rows::*;
pub use rows::{CaptureRow, DocSummary, ObjectRow};

/// What `reindex` rebuilt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReindexReport {
    pub packs: usize,
    pub captures: usize,
}

const SCHEMA_VERSION: i64 = 5;
/// Schemas of older vellums whose stores this one reads: it rebuilds their
/// catalog (in memory for readers, on disk for writers and `reindex`).
const OLDER_SCHEMAS: [i64; 3] = [2, 3, 4];

/// Page size of a new catalog. Most of its tables and indexes are small, and
/// each takes at least a page: 1 KiB pages made the benchmark corpus's
/// catalog 9% smaller than 4 KiB ones (see docs/performance.md, "Catalog size").
const PAGE_SIZE: i64 = 1024;

// Sized for the benchmark corpus (2,556 captures): each 32-byte id is stored
// once (texts and other objects in `objects`, captures in `captures`), rows
// refer to objects by their row number, secondary indexes hold the first 8
// bytes of an id or small integers, so the catalog stays a fraction of the
// packs it indexes.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS packs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL
);
-- Every object id the catalog names except capture records (their row is
-- the capture's), each once. A row whose pack is NULL is an id known only
-- from a capture or cache that refers to it: its object is not located (yet).
CREATE TABLE IF NOT EXISTS objects (
    n INTEGER PRIMARY KEY,
    id BLOB NOT NULL,
    pack INTEGER,
    offset INTEGER,
    len INTEGER,
    kind INTEGER,
    size INTEGER,
    depth INTEGER,
    words INTEGER -- cache filled by `add`: word count of a text
);
-- Lookups by id use the id's first 8 bytes, then compare the whole id.
CREATE INDEX IF NOT EXISTS objects_by_id ON objects (substr(id, 1, 8));
CREATE TABLE IF NOT EXISTS captures (
    n INTEGER PRIMARY KEY,
    id BLOB NOT NULL,
    doc INTEGER NOT NULL, -- docs.n
    -- Captured-at: Unix seconds and nanoseconds (any year 0000-9999 fits).
    at INTEGER NOT NULL,
    atn INTEGER NOT NULL,
    -- Position in the archive log (tlog.rs); NULL until logged.
    seq INTEGER,
    -- 1 when the record carries a flag: listed, never a version.
    flagged INTEGER NOT NULL,
    vkey INTEGER NOT NULL, -- objects.n of the version key (text, else content)
    content INTEGER, -- objects.n; NULL when equal to vkey
    source INTEGER, -- sources.n
    url TEXT,
    title TEXT,
    -- Where the capture record object lives (records are not in `objects`:
    -- one row per capture instead of two). NULL until its pack is sealed.
    rpack INTEGER,
    roffset INTEGER,
    rlen INTEGER,
    rsize INTEGER,
    rdepth INTEGER,
    -- The record's canonical URL: the earliest-archived capture of a
    -- canonical URL names its document (one document per article).
    canon TEXT,
    -- The capture whose text this one re-extracts (it is then no version's).
    supersedes BLOB
);
CREATE TABLE IF NOT EXISTS docs (n INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
-- Lookups by id and by hex prefix use the id's first 8 bytes.
CREATE INDEX IF NOT EXISTS captures_by_id ON captures (substr(id, 1, 8));
CREATE INDEX IF NOT EXISTS captures_by_doc ON captures (doc, at, atn, seq);
CREATE INDEX IF NOT EXISTS captures_by_canon ON captures (canon) WHERE canon IS NOT NULL;
CREATE INDEX IF NOT EXISTS captures_by_supersedes ON captures (supersedes) WHERE supersedes IS NOT NULL;
-- By archive-log position: what derived indexes lack, and the unlogged.
CREATE INDEX IF NOT EXISTS captures_by_seq ON captures (seq);
-- Archive log segments (the objects themselves are in `objects`, kind 3).
CREATE TABLE IF NOT EXISTS log (start INTEGER PRIMARY KEY, count INTEGER NOT NULL, id BLOB NOT NULL);
-- Sources by name, with the content (objects.n) of the latest capture of
-- each: the delta base for a new document.
CREATE TABLE IF NOT EXISTS sources (
    n INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    at INTEGER NOT NULL,
    content INTEGER NOT NULL
);
-- State objects (state.rs) by name and round: the newest of a name wins.
CREATE TABLE IF NOT EXISTS states (id BLOB PRIMARY KEY, name TEXT NOT NULL, round INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS states_by_name ON states (name, round);
-- Cache filled by `add`: words added and removed from text `old` to text
-- `new` (objects.n both), so `log DOC` does not re-diff history.
CREATE TABLE IF NOT EXISTS changes (
    new INTEGER NOT NULL,
    old INTEGER NOT NULL,
    added INTEGER NOT NULL,
    removed INTEGER NOT NULL,
    PRIMARY KEY (new, old)
) WITHOUT ROWID;
";

/// See [`Catalog::read_snapshot`].
pub struct ReadSnapshot<'a> {
    catalog: &'a Catalog,
    began: bool,
}

impl Drop for ReadSnapshot<'_> {
    fn drop(&mut self) {
        if self.began {
            self.catalog.end_read();
        }
    }
}

/// See [`Catalog::pause_read`].
pub struct PausedRead<'a> {
    catalog: &'a Catalog,
    paused: bool,
}

impl Drop for PausedRead<'_> {
    fn drop(&mut self) {
        if self.paused {
            let _ = self.catalog.begin_read();
        }
    }
}

/// Start of the message of the error [`Catalog::open`] returns for a catalog
/// written by an older vellum (see [`is_older_schema`]).
const OLDER_SCHEMA: &str = "catalog written by an older vellum, schema ";

/// Part of [`SCHEMA`], added to older catalogs of the same schema version by
/// their first write.
const SEQ_INDEX: &str = "CREATE INDEX IF NOT EXISTS captures_by_seq ON captures (seq)";

/// Whether an error from [`Catalog::open`] says the catalog is an older
/// vellum's, which a rebuild upgrades.
pub fn is_older_schema(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(_, Some(m)) if m.starts_with(OLDER_SCHEMA))
}

pub struct Catalog {
    conn: Connection,
    /// Inside a write transaction (`begin` .. `commit`/`rollback`).
    writing: Cell<bool>,
    versions: RefCell<VersionsMemo>,
    /// Whether the memo's freshness was checked inside the current read
    /// view (see [`Catalog::doc_history`]).
    view_checked: Cell<bool>,
}

/// Histories already read, valid while the database's `data_version`
/// stays the same: reading many versions of one document (`show --batch`)
/// then costs one query, not one per address. `data_version` changes when
/// another connection commits; this connection's own writes clear the memo.
#[derive(Default)]
struct VersionsMemo {
    data_version: Option<i64>,
    docs: HashMap<String, Arc<History>>,
}

/// Documents whose version lists the memo keeps before starting over.
const MEMO_DOCS: usize = 1024;

/// The connection's settings. Each is a statement that needs the schema:
/// run before it was read, the first reads it in a read transaction of its
/// own (#29: `show` took three where one serves).
fn set_pragmas(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", -16_000)
}

/// The catalog's schema number (`None`: no row), read with the schema
/// itself in one read transaction: `PRAGMA data_version` takes the shared
/// lock without needing the schema, so SQLite then reads the schema inside
/// it instead of in a transaction of its own (one lock, hot-journal check
/// and header read fewer per open).
fn schema_number(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let read = conn
        .query_row("PRAGMA data_version", [], |_| Ok(()))
        .and_then(|()| {
            conn.query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
        });
    // A read changes nothing: ending it cannot lose anything.
    if conn.execute_batch("COMMIT").is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    read
}

impl Catalog {
    /// Opens (creating when `create`) the catalog file.
    pub fn open(path: &Path, create: bool) -> rusqlite::Result<Catalog> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // Plans that do not depend on bound values: without this, SQLite
        // re-prepares the capture and object lookups at every call (their
        // parameters meet the expression index and the partial indexes),
        // which was a third of `show --batch`'s time.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        if create {
            set_pragmas(&conn)?;
            // Takes effect only in a new, empty database.
            conn.pragma_update(None, "page_size", PAGE_SIZE)?;
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )?;
        }
        let v = schema_number(&conn)?;
        if !create {
            // After the schema is read: no transaction of their own.
            set_pragmas(&conn)?;
        }
        if v != Some(SCHEMA_VERSION) {
            if v.is_some_and(|v| OLDER_SCHEMAS.contains(&v)) {
                return Err(rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_SCHEMA),
                    Some(format!("{OLDER_SCHEMA}{}", v.unwrap_or(0))),
                ));
            }
            let found = v.map_or("none".to_owned(), |v| v.to_string());
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_MISMATCH),
                Some(format!(
                    "catalog schema {found}, this vellum uses {SCHEMA_VERSION}"
                )),
            ));
        }
        Ok(Catalog {
            conn,
            writing: Cell::new(false),
            versions: RefCell::default(),
            view_checked: Cell::new(false),
        })
    }

    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        self.set_writing(true);
        // Catalogs of the same schema written before this index existed get
        // it at their first write (readers of such a catalog scan instead:
        // the index changes no answer).
        self.conn
            .prepare_cached(SEQ_INDEX)
            .and_then(|mut s| s.execute([]))?;
        Ok(())
    }

    pub fn commit(&self) -> rusqlite::Result<()> {
        let done = self.conn.execute_batch("COMMIT");
        // A failed COMMIT may have rolled back or left the transaction open.
        self.set_writing(!self.conn.is_autocommit());
        done
    }

    /// Enters or leaves a write transaction; either way, version lists read
    /// before may now be stale.
    fn set_writing(&self, writing: bool) {
        self.writing.set(writing);
        self.view_checked.set(false);
        *self.versions.borrow_mut() = VersionsMemo::default();
    }

    pub fn capture_count(&self) -> rusqlite::Result<usize> {
        self.conn
            .query_row("SELECT COUNT(*) FROM captures", [], |r| {
                r.get::<_, i64>(0).map(|n| n as usize)
            })
    }

    /// Rewrites the catalog with full pages (outside any transaction).
    pub fn vacuum(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("VACUUM")
    }

    /// Bounds the connection's page cache to about `kib` KiB (for a second
    /// reader of the store in the same process, which needs little).
    pub fn limit_page_cache(&self, kib: i64) -> rusqlite::Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib)
    }

    /// Holds one read transaction until dropped, unless one is already open
    /// (a writer's): a walk down a delta chain then takes the file lock and
    /// checks for a hot journal once, not once per object.
    pub fn read_snapshot(&self) -> ReadSnapshot<'_> {
        let began = self.conn.is_autocommit() && self.begin_read().is_ok();
        ReadSnapshot {
            catalog: self,
            began,
        }
    }

    /// Ends the read transaction a caller holds (never a writer's) until the
    /// returned guard is dropped, which begins one again: what reads in
    /// transactions of its own, a batch at a time, for long (an index's
    /// catch-up), then does not keep writers from committing meanwhile.
    pub fn pause_read(&self) -> PausedRead<'_> {
        let paused = !self.conn.is_autocommit() && !self.writing.get();
        if paused {
            self.end_read();
        }
        PausedRead {
            catalog: self,
            paused,
        }
    }

    /// Starts a read-only transaction: the reads until [`Catalog::end_read`]
    /// see one consistent state.
    pub fn begin_read(&self) -> rusqlite::Result<()> {
        // Cached: `show --batch` opens one read per address, and parsing
        // these statements each time was a visible part of its cost.
        self.conn.prepare_cached("BEGIN DEFERRED")?.execute([])?;
        self.view_checked.set(false);
        Ok(())
    }

    pub fn end_read(&self) {
        self.view_checked.set(false);
        let _ = self
            .conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]));
    }

    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
        self.set_writing(false);
    }

    /// Drops every row (for a rebuild inside a transaction).
    pub fn clear(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch(
            "DELETE FROM objects; DELETE FROM captures; DELETE FROM packs; DELETE FROM docs;
             DELETE FROM sources; DELETE FROM changes; DELETE FROM log; DELETE FROM states;",
        )
    }

    pub fn integrity_problems(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut out = Vec::new();
        for r in rows {
            let r = r?;
            if r != "ok" {
                out.push(r);
            }
        }
        Ok(out)
    }

    // ---- packs ----

    pub fn add_pack(&self, name: &str, size: u64) -> rusqlite::Result<i64> {
        self.conn.execute(
            "INSERT OR IGNORE INTO packs (name, size) VALUES (?1, ?2)",
            params![name, size as i64],
        )?;
        self.conn
            .query_row("SELECT id FROM packs WHERE name = ?1", [name], |r| r.get(0))
    }

    pub fn pack_id(&self, name: &str) -> rusqlite::Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT id FROM packs WHERE name = ?1")?
            .query_row([name], |r| r.get(0))
            .optional()
    }

    pub fn remove_pack(&self, id: i64) -> rusqlite::Result<()> {
        self.conn.execute("DELETE FROM packs WHERE id = ?1", [id])?;
        Ok(())
    }

    pub fn packs(&self) -> rusqlite::Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, size FROM packs ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    }

    // ---- captures ----

    /// Adds a capture unless known, at position `seq` of the archive log
    /// when it is logged. Returns whether it was added.
    pub fn insert_capture(
        &self,
        id: &CaptureId,
        rec: &CaptureRecord,
        seq: Option<u64>,
    ) -> rusqlite::Result<bool> {
        if self.capture(id)?.is_some() {
            return Ok(false);
        }
        let vkey = rec.version_key();
        let (at, atn) = split_time(rec.captured_at);
        let vkey_n = self.intern(&vkey)?;
        let content_n = self.intern(&rec.content)?;
        let source_n: Option<i64> = match &rec.source {
            Some(source) => {
                let at = nanos(rec.captured_at).clamp(i64::MIN as i128, i64::MAX as i128) as i64;
                self.conn
                    .prepare_cached(
                        "INSERT INTO sources (name, at, content) VALUES (?1, ?2, ?3)
                         ON CONFLICT (name) DO UPDATE SET at = excluded.at, content = excluded.content
                         WHERE excluded.at >= sources.at",
                    )?
                    .execute(params![source, at, content_n])?;
                self.conn
                    .prepare_cached("SELECT n FROM sources WHERE name = ?1")?
                    .query_row([source], |r| r.get(0))
                    .optional()?
            }
            None => None,
        };
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO docs (name) VALUES (?1)")?
            .execute([rec.doc.as_str()])?;
        self.conn
            .prepare_cached(
                "INSERT INTO captures (id, doc, at, atn, seq, vkey, content, source, url, title, flagged,
                                       canon, supersedes)
                 VALUES (?1, (SELECT n FROM docs WHERE name = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,
                         ?12, ?13)",
            )?
            .execute(params![
                id.0.as_bytes(),
                rec.doc.as_str(),
                at,
                atn,
                seq.map(|s| s as i64),
                vkey_n,
                (content_n != vkey_n).then_some(content_n),
                source_n,
                rec.url,
                rec.title,
                rec.flag.is_some(),
                rec.canonical_url,
                rec.supersedes.map(|s| s.0.as_bytes().to_vec()),
            ])?;
        Ok(true)
    }

    pub fn capture(&self, id: &CaptureId) -> rusqlite::Result<Option<CaptureRow>> {
        self.conn
            .prepare_cached(&format!(
                "{CAPTURE_COLUMNS} WHERE substr(c.id, 1, 8) = ?1 AND c.id = ?2"
            ))?
            .query_row(params![&id.0.as_bytes()[..8], id.0.as_bytes()], capture_row)
            .optional()
    }

    /// Every capture, by document then time.
    pub fn captures(&self) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "{CAPTURE_COLUMNS} ORDER BY d.name, {HISTORY_ORDER}"
        ))?;
        let rows = stmt.query_map([], capture_row)?;
        rows.collect()
    }

    /// Captures after archive-log position `seq`, then the unlogged ones.
    pub fn captures_since(&self, seq: u64) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "{CAPTURE_COLUMNS} WHERE c.seq > ?1 OR c.seq IS NULL ORDER BY c.seq IS NULL, c.seq"
        ))?;
        let rows = stmt.query_map([seq as i64], capture_row)?;
        rows.collect()
    }

    /// A document's history (see `history.rs`). Reads only the key and id
    /// of captures that do not start a version (this is on the path of
    /// every `show DOC@N`).
    pub fn doc_history(&self, doc: &str) -> rusqlite::Result<Arc<History>> {
        if self.writing.get() {
            return Ok(Arc::new(self.query_history(doc)?));
        }
        let mut memo = self.versions.borrow_mut();
        // Inside a read view no other commit becomes visible: the memo's
        // freshness is checked once per view, not once per address.
        let in_view = !self.conn.is_autocommit();
        if !(in_view && self.view_checked.get()) {
            let data_version: i64 = self
                .conn
                .prepare_cached("PRAGMA data_version")?
                .query_row([], |r| r.get(0))?;
            if memo.data_version != Some(data_version) {
                memo.data_version = Some(data_version);
                memo.docs.clear();
            }
            self.view_checked.set(in_view);
        }
        if memo.docs.len() >= MEMO_DOCS {
            memo.docs.clear();
        }
        if let Some(h) = memo.docs.get(doc) {
            return Ok(Arc::clone(h));
        }
        let h = Arc::new(self.query_history(doc)?);
        memo.docs.insert(doc.to_owned(), Arc::clone(&h));
        Ok(h)
    }

    fn query_history(&self, doc: &str) -> rusqlite::Result<History> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT v.id, c.id, c.at, c.atn, src.name, c.url, c.title, c.flagged, {SUPERSEDED}
             FROM captures c JOIN objects v ON v.n = c.vkey LEFT JOIN sources src ON src.n = c.source
             WHERE c.doc = (SELECT n FROM docs WHERE name = ?1) ORDER BY {HISTORY_ORDER}"
        ))?;
        let mut rows = stmt.query([doc])?;
        let mut out = Vec::new();
        let mut last: Option<ObjectId> = None;
        while let Some(r) = rows.next()? {
            let key = id_from_ref(r.get_ref(0)?)?;
            let flagged: bool = r.get(7)?;
            let superseded: bool = r.get(8)?;
            let starts = last != Some(key) && !flagged && !superseded;
            if !flagged && !superseded {
                last = Some(key);
            }
            out.push(HistoryRow {
                capture: CaptureId(id_from_ref(r.get_ref(1)?)?),
                at_nanos: join_time(r.get(2)?, r.get(3)?),
                key,
                source: if starts { r.get(4)? } else { None },
                url: if starts { r.get(5)? } else { None },
                title: if starts { r.get(6)? } else { None },
                flagged,
                superseded,
            });
        }
        Ok(History::group(out))
    }

    /// Every capture of a document in history order, with all its columns.
    pub fn doc_captures(&self, doc: &str) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{CAPTURE_COLUMNS} WHERE d.name = ?1 ORDER BY {HISTORY_ORDER}"
        ))?;
        let rows = stmt.query_map([doc], capture_row)?;
        rows.collect()
    }

    /// The latest capture of a document (by captured-at).
    pub fn latest_capture(&self, doc: &str) -> rusqlite::Result<Option<CaptureRow>> {
        self.conn
            .prepare_cached(&format!(
                "{CAPTURE_COLUMNS} WHERE d.name = ?1
                 ORDER BY c.at DESC, c.atn DESC, c.seq IS NOT NULL, c.seq DESC, c.id DESC LIMIT 1"
            ))?
            .query_row([doc], capture_row)
            .optional()
    }

    /// The content of the latest capture from a source (a delta base across
    /// documents of one site, which share boilerplate).
    pub fn latest_from_source(&self, source: &str) -> rusqlite::Result<Option<ObjectId>> {
        self.conn
            .prepare_cached(
                "SELECT o.id FROM sources s JOIN objects o ON o.n = s.content WHERE s.name = ?1",
            )?
            .query_row([source], |r| id_from(r.get(0)?))
            .optional()
    }

    /// Captures whose id lies between `lo` and `hi` (a hex prefix search).
    pub fn captures_in_range(
        &self,
        lo: &[u8; 32],
        hi: &[u8; 32],
        limit: usize,
    ) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{CAPTURE_COLUMNS} WHERE substr(c.id, 1, 8) BETWEEN ?1 AND ?2 ORDER BY substr(c.id, 1, 8)"
        ))?;
        let rows = stmt.query_map(params![&lo[..8], &hi[..8]], capture_row)?;
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            let id = row.id.0.as_bytes();
            if id[..] >= lo[..] && id[..] <= hi[..] {
                out.push(row);
                if out.len() == limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// One row per document, in name order: its versions (grouped by
    /// `History::group`, the one place that decides what a version is), its
    /// captures (superseded ones not counted), first and last capture and
    /// latest title, all in history order.
    ///
    /// One pass over the captures in the order of the `captures_by_doc`
    /// index; each document's captures are then put in history order here
    /// (the two differ only among captures of one instant). Window
    /// functions over every capture took 0.55 s for 1,095 documents and
    /// 100,000 captures, and a correlated title subquery per document, before
    /// them, 5 s.
    pub fn doc_summaries(&self) -> rusqlite::Result<Vec<DocSummary>> {
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut stmt = self.conn.prepare("SELECT n, name FROM docs")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            names.insert(r.get(0)?, r.get(1)?);
        }
        let mut superseded = HashSet::new();
        let mut stmt = self
            .conn
            .prepare("SELECT supersedes FROM captures WHERE supersedes IS NOT NULL")?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            superseded.insert(id_from_ref(r.get_ref(0)?)?);
        }
        let mut stmt = self.conn.prepare(
            "SELECT c.doc, v.id, c.id, c.at, c.atn, c.seq, c.flagged, c.title
             FROM captures c JOIN objects v ON v.n = c.vkey ORDER BY c.doc, c.at, c.atn, c.seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut out = Vec::with_capacity(names.len());
        let mut doc: Option<i64> = None;
        let mut captures: Vec<SummaryRow> = Vec::new();
        loop {
            let r = rows.next()?;
            let n = r.map(|r| r.get::<_, i64>(0)).transpose()?;
            if n != doc {
                let done = std::mem::take(&mut captures);
                // (A capture of no listed document is skipped, as a join would.)
                if let Some(name) = doc.and_then(|d| names.remove(&d)) {
                    out.extend(summarize(name, done));
                }
                doc = n;
            }
            let Some(r) = r else { break };
            let id = id_from_ref(r.get_ref(2)?)?;
            captures.push(SummaryRow {
                row: HistoryRow {
                    capture: CaptureId(id),
                    at_nanos: join_time(r.get(3)?, r.get(4)?),
                    key: id_from_ref(r.get_ref(1)?)?,
                    source: None,
                    url: None,
                    title: None,
                    flagged: r.get(6)?,
                    superseded: superseded.contains(&id),
                },
                seq: r.get(5)?,
                title: r.get(7)?,
            });
        }
        out.sort_by(|a, b| a.doc.cmp(&b.doc));
        Ok(out)
    }

    /// The document of a canonical URL: that of its earliest-archived capture
    /// (so `reindex`, which restores archiving order, keeps it).
    pub fn doc_for_canonical_url(&self, url: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT d.name FROM captures c JOIN docs d ON d.n = c.doc WHERE c.canon = ?1
                 ORDER BY c.seq IS NULL, c.seq, {HISTORY_ORDER} LIMIT 1"
            ))?
            .query_row([url], |r| r.get(0))
            .optional()
    }

    /// The document of the earliest-archived capture given or fetched as one
    /// of two spellings of a URL (as typed, canonicalized). No index: asked
    /// only when no canonical URL matched.
    pub fn doc_for_url(&self, url: &str, canonical: &str) -> rusqlite::Result<Option<String>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT d.name FROM captures c JOIN docs d ON d.n = c.doc WHERE c.url IN (?1, ?2)
                 ORDER BY c.seq IS NULL, c.seq, {HISTORY_ORDER} LIMIT 1"
            ))?
            .query_row([url, canonical], |r| r.get(0))
            .optional()
    }

    /// Document names, sorted.
    pub fn doc_names(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self.conn.prepare("SELECT name FROM docs ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    }
}
