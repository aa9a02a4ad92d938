//! Captures by original URL: what Memento (RFC 7089) and the Wayback CDX
//! API ask. Every URL a capture was fetched from, redirected to, or names
//! as its canonical URL is an original resource, keyed by its SURT
//! ([`crate::ingest::surt`], pywb's URL key), so every spelling pywb
//! treats as one page finds the same captures.
//!
//! The index is its own SQLite file in the store directory
//! (`memento.sqlite`), a cache derived from the catalog: it catches up on
//! open from the number of captures it has seen (a write adds captures;
//! a smaller catalog means another archive, and it starts over), reading
//! only the records of captures it has not seen. A lookup is one range of
//! the `(key, at)` primary key. When the store cannot be written, the
//! index is built in memory.
//!
//! ```text
//! mementos(key TEXT, at INTEGER, atn INTEGER, id BLOB, url TEXT,
//!          mime TEXT, status INTEGER)   PRIMARY KEY (key, at, atn, id)
//! seen(id BLOB PRIMARY KEY)             captures taken in
//! meta(key TEXT PRIMARY KEY, value)     schema, captures (the mark)
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::error::ErrorKind;
use crate::id::ObjectId;
use crate::ingest::surt::surt;
use crate::store::{Archive, CaptureId, StoreError};

pub use super::memento_time::{
    Memento, Neighbours, closest, http_date, in_second, neighbours, parse_http_date,
    parse_timestamp, timestamp14,
};

/// The index file in the store directory.
pub const FILE: &str = "memento.sqlite";
const SCHEMA_VERSION: i64 = 1;
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS seen (id BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS mementos (
    key TEXT NOT NULL,
    at INTEGER NOT NULL,
    atn INTEGER NOT NULL,
    id BLOB NOT NULL,
    url TEXT NOT NULL,
    mime TEXT NOT NULL,
    status INTEGER,
    PRIMARY KEY (key, at, atn, id)
) WITHOUT ROWID;
";

/// Why the memento index could not answer.
#[derive(Debug, thiserror::Error)]
pub enum MementoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the memento index {path}: {source}")]
    Index {
        path: String,
        source: rusqlite::Error,
    },
}

impl MementoError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            MementoError::Store(e) => e.kind(),
            MementoError::Index { .. } => ErrorKind::Damaged,
        }
    }
}

/// The index of captures by URL key.
pub struct MementoIndex {
    conn: Connection,
    path: String,
}

impl MementoIndex {
    /// Opens the store's index (creating it, or building it in memory for
    /// a store that cannot be written), caught up with the catalog.
    pub fn open(archive: &Archive) -> Result<MementoIndex, MementoError> {
        let path = archive.dir().join(FILE);
        let mut index = match open_file(&path) {
            Ok(conn) => MementoIndex {
                conn,
                path: path.display().to_string(),
            },
            Err(_) => {
                // Unwritable, damaged or another schema: a fresh index in
                // memory answers the same (the file is a cache).
                let conn = Connection::open_in_memory().map_err(err("(memory)"))?;
                conn.execute_batch(SCHEMA).map_err(err("(memory)"))?;
                set_meta(&conn, "schema", SCHEMA_VERSION).map_err(err("(memory)"))?;
                MementoIndex {
                    conn,
                    path: "(memory)".into(),
                }
            }
        };
        index.catch_up(archive)?;
        Ok(index)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> MementoError + '_ {
        err(&self.path)
    }

    /// Brings an index opened before up to date with `archive` (two small
    /// queries when nothing was archived since): a server keeps its index
    /// open across requests and calls this before each lookup.
    pub fn refresh(&mut self, archive: &Archive) -> Result<(), MementoError> {
        self.catch_up(archive)
    }

    /// Takes in the captures the catalog has and the index has not seen.
    fn catch_up(&mut self, archive: &Archive) -> Result<(), MementoError> {
        let count = archive.capture_count()? as i64;
        let e = self.err();
        if meta(&self.conn, "captures").map_err(&e)? == Some(count) {
            return Ok(());
        }
        let _paused = archive.pause_view();
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(&e)?;
        let r = extend(&self.conn, archive, count, &e);
        match r {
            Ok(()) => self.conn.execute_batch("COMMIT").map_err(&e),
            Err(x) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(x)
            }
        }
    }

    /// Every capture of `url` (after SURT normalization), oldest first;
    /// captures another record re-extracts are left out (the re-extraction
    /// stands for them).
    pub fn lookup(&self, archive: &Archive, url: &str) -> Result<Vec<Memento>, MementoError> {
        let e = self.err();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT at, atn, id, url, mime, status FROM mementos WHERE key = ?1
                 ORDER BY at, atn, id",
            )
            .map_err(&e)?;
        let rows = stmt
            .query_map([surt(url)], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                ))
            })
            .map_err(&e)?;
        let mut out = Vec::new();
        for row in rows {
            let (at, atn, id, url, mime, status) = row.map_err(&e)?;
            let Ok(bytes) = <[u8; 32]>::try_from(id.as_slice()) else {
                continue;
            };
            let capture = CaptureId(ObjectId::from_bytes(bytes));
            // The catalog decides what still counts (a rebuilt catalog of
            // the same size may lack a capture the index saw).
            let Some(c) = archive.capture_row(&capture)? else {
                continue;
            };
            if c.superseded {
                continue;
            }
            let nanos = at as i128 * 1_000_000_000 + atn as i128;
            out.push(Memento {
                capture,
                doc: c.doc,
                at: crate::when::from_nanos(nanos),
                url,
                mime,
                status: status.and_then(|s| u16::try_from(s).ok()),
                content: c.content,
            });
        }
        Ok(out)
    }

    /// How many (URL key, capture) pairs the index holds.
    pub fn len(&self) -> Result<u64, MementoError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM mementos", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.err())
    }

    /// Whether the index holds nothing.
    pub fn is_empty(&self) -> Result<bool, MementoError> {
        Ok(self.len()? == 0)
    }
}

/// Capture records read in one read of the catalog by a catch-up.
const VIEW_RECORDS: usize = 256;

/// Inside the write transaction: indexes the captures not seen yet.
fn extend(
    conn: &Connection,
    archive: &Archive,
    count: i64,
    e: &impl Fn(rusqlite::Error) -> MementoError,
) -> Result<(), MementoError> {
    let seen_count = meta(conn, "captures").map_err(e)?.unwrap_or(0);
    let mut mark = meta(conn, "seq").map_err(e)?;
    if seen_count > count {
        // Fewer captures than the index saw: another archive. Start over.
        conn.execute_batch(
            "DELETE FROM mementos; DELETE FROM seen; DELETE FROM meta WHERE key = 'seq';",
        )
        .map_err(e)?;
        mark = None;
    }
    // Only what was archived since the highest archive-log position taken
    // in (and any capture not logged yet: `seen` makes taking one in twice
    // harmless); everything when the index has no mark yet.
    let rows = match mark {
        Some(m) => archive.captures_since(m as u64)?,
        None => archive.all_captures()?,
    };
    let high = rows.iter().filter_map(|r| r.seq).max().map(|s| s as i64);
    let mut is_seen = conn
        .prepare_cached("SELECT 1 FROM seen WHERE id = ?1")
        .map_err(e)?;
    let mut add = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO mementos (key, at, atn, id, url, mime, status)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(e)?;
    let mut mark_seen = conn
        .prepare_cached("INSERT OR IGNORE INTO seen (id) VALUES (?1)")
        .map_err(e)?;
    // Records are read a few hundred to a read of the catalog: each read on
    // its own took the file's lock, and one read for all of a large
    // catch-up would keep writers from committing until its end.
    let mut view = None;
    for (i, row) in rows.into_iter().enumerate() {
        if i % VIEW_RECORDS == 0 {
            drop(view.take());
            view = Some(archive.read_view());
        }
        let id = row.id.0.as_bytes().to_vec();
        if is_seen.exists([&id]).map_err(e)? {
            continue;
        }
        let rec = archive.record(&row.id)?;
        let mut urls: Vec<String> = Vec::new();
        let http = rec.http.as_ref();
        for u in [
            rec.url.as_deref(),
            http.map(|h| h.final_url.as_str()),
            rec.canonical_url.as_deref(),
        ]
        .into_iter()
        .flatten()
        {
            if !u.is_empty() && !urls.iter().any(|x| x == u) {
                urls.push(u.to_owned());
            }
        }
        let at = rec.captured_at;
        let status = http.map(|h| i64::from(h.status));
        let mut keys = HashSet::new();
        for u in urls {
            let key = surt(&u);
            if keys.insert(key.clone()) {
                add.execute(params![
                    key,
                    at.unix_timestamp(),
                    i64::from(at.nanosecond()),
                    id,
                    u,
                    rec.media_type,
                    status
                ])
                .map_err(e)?;
            }
        }
        mark_seen.execute([&id]).map_err(e)?;
    }
    if let Some(h) = high.into_iter().chain(mark).max() {
        set_meta(conn, "seq", h).map_err(e)?;
    }
    set_meta(conn, "captures", count).map_err(e)
}

/// How many captures the index file in `dir` has taken in, read without
/// catching up (`None`: no readable index there): its high-water mark.
pub fn stored_mark(dir: &Path) -> Option<u64> {
    let conn = Connection::open_with_flags(
        dir.join(FILE),
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    meta(&conn, "captures").ok().flatten().map(|n| n as u64)
}

/// Starts the index over from the catalog (after `reindex`).
pub fn rebuild(archive: &Archive) -> Result<MementoIndex, MementoError> {
    let path = archive.dir().join(FILE);
    if let Ok(conn) = open_file(&path) {
        let e = err("(rebuild)");
        conn.execute_batch(
            "DELETE FROM mementos; DELETE FROM seen; DELETE FROM meta WHERE key IN ('captures', 'seq');",
        )
        .map_err(e)?;
    }
    MementoIndex::open(archive)
}

fn err(path: &str) -> impl Fn(rusqlite::Error) -> MementoError + '_ {
    move |source| MementoError::Index {
        path: path.to_owned(),
        source,
    }
}

fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch(SCHEMA)?;
    match meta(&conn, "schema")? {
        Some(SCHEMA_VERSION) => {}
        None => set_meta(&conn, "schema", SCHEMA_VERSION)?,
        Some(_) => {
            // Another vellum's layout: this cache starts over.
            conn.execute_batch("DROP TABLE mementos; DROP TABLE seen; DELETE FROM meta;")?;
            conn.execute_batch(SCHEMA)?;
            set_meta(&conn, "schema", SCHEMA_VERSION)?;
        }
    }
    Ok(conn)
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
