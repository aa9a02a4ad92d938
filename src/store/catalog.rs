//! The catalog: a derived SQLite index of packs, objects and captures, so that
//! lookups never scan the store. Everything in it can be rebuilt from the
//! packs alone (`vellum reindex`).
//!
//! Journal mode is DELETE (rollback journal), not WAL, on purpose: a WAL reader
//! creates and writes the `-shm`/`-wal` files, and read-only commands (`log`,
//! `show`, `diff`, `verify`) must not change a byte of the store. Writers are
//! serialized by the store's lock file anyway; a reader waits at most for the
//! few milliseconds of a commit (busy timeout), never for a whole import.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::id::ObjectId;

use super::object::Kind;
use super::record::{CaptureId, CaptureRecord};

const SCHEMA_VERSION: i64 = 1;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS packs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    id BLOB PRIMARY KEY,
    pack INTEGER NOT NULL,
    offset INTEGER NOT NULL,
    len INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    size INTEGER NOT NULL,
    base BLOB,
    depth INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS captures (
    id BLOB PRIMARY KEY,
    doc TEXT NOT NULL,
    at INTEGER NOT NULL,
    vkey BLOB NOT NULL,
    content BLOB NOT NULL,
    source TEXT,
    url TEXT,
    title TEXT
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS captures_by_doc ON captures (doc, at, id);
CREATE INDEX IF NOT EXISTS captures_by_version ON captures (doc, vkey, at);
CREATE INDEX IF NOT EXISTS captures_by_source ON captures (source, at);
-- Caches filled by `add` (never by readers): word counts of a text and of
-- the change between two texts, so `log DOC` does not re-diff history.
CREATE TABLE IF NOT EXISTS text_words (text BLOB PRIMARY KEY, words INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS change_words (
    old BLOB NOT NULL, new BLOB NOT NULL, added INTEGER NOT NULL, removed INTEGER NOT NULL,
    PRIMARY KEY (old, new)
) WITHOUT ROWID;
";

/// Where an object lives and how it is encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    pub id: ObjectId,
    pub pack: String,
    pub offset: u64,
    /// Length of the whole entry (header and frame).
    pub len: u64,
    pub kind: Kind,
    pub size: u64,
    pub base: Option<ObjectId>,
    pub depth: u32,
}

/// One capture as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureRow {
    pub id: CaptureId,
    pub doc: String,
    pub at_nanos: i64,
    pub vkey: ObjectId,
    pub content: ObjectId,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

/// A document's counts: versions, captures, first and last capture time
/// (Unix nanoseconds) and the title of its latest titled capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRow {
    pub doc: String,
    pub versions: u64,
    pub captures: u64,
    pub first_nanos: i64,
    pub last_nanos: i64,
    pub title: Option<String>,
}

pub struct Catalog {
    conn: Connection,
}

fn id_from(blob: Vec<u8>) -> rusqlite::Result<ObjectId> {
    let arr: [u8; 32] = blob.try_into().map_err(|_| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Blob,
            "object id is not 32 bytes".into(),
        )
    })?;
    Ok(ObjectId::from_bytes(arr))
}

fn kind_from(k: i64) -> rusqlite::Result<Kind> {
    Kind::from_u8(k as u8).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            "bad kind".into(),
        )
    })
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
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "cache_size", -16_000)?;
        if create {
            conn.pragma_update(None, "journal_mode", "DELETE")?;
            conn.execute_batch(SCHEMA)?;
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?1)",
                [SCHEMA_VERSION],
            )?;
        }
        let v: Option<i64> = conn
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if v != Some(SCHEMA_VERSION) {
            return Err(rusqlite::Error::InvalidQuery);
        }
        Ok(Catalog { conn })
    }

    pub fn begin(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    pub fn commit(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch("COMMIT")
    }

    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// Drops every row (for a rebuild inside a transaction).
    pub fn clear(&self) -> rusqlite::Result<()> {
        self.conn.execute_batch(
            "DELETE FROM objects; DELETE FROM captures; DELETE FROM packs;
             DELETE FROM text_words; DELETE FROM change_words;",
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

    pub fn packs(&self) -> rusqlite::Result<Vec<(String, u64)>> {
        let mut stmt = self
            .conn
            .prepare("SELECT name, size FROM packs ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        rows.collect()
    }

    // ---- objects ----

    pub fn insert_object(&self, pack_id: i64, row: &ObjectRow) -> rusqlite::Result<()> {
        self.conn.execute(
            "INSERT OR IGNORE INTO objects (id, pack, offset, len, kind, size, base, depth)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                row.id.as_bytes(),
                pack_id,
                row.offset as i64,
                row.len as i64,
                row.kind as i64,
                row.size as i64,
                row.base.as_ref().map(|b| b.as_bytes().to_vec()),
                row.depth,
            ],
        )?;
        Ok(())
    }

    pub fn object(&self, id: &ObjectId) -> rusqlite::Result<Option<ObjectRow>> {
        self.conn
            .query_row(
                "SELECT o.id, p.name, o.offset, o.len, o.kind, o.size, o.base, o.depth
                 FROM objects o JOIN packs p ON p.id = o.pack WHERE o.id = ?1",
                [id.as_bytes()],
                object_row,
            )
            .optional()
    }

    pub fn set_depth(&self, id: &ObjectId, depth: u32) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE objects SET depth = ?2 WHERE id = ?1")?
            .execute(params![id.as_bytes(), depth])?;
        Ok(())
    }

    pub fn objects(&self) -> rusqlite::Result<Vec<ObjectRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT o.id, p.name, o.offset, o.len, o.kind, o.size, o.base, o.depth
             FROM objects o JOIN packs p ON p.id = o.pack",
        )?;
        let rows = stmt.query_map([], object_row)?;
        rows.collect()
    }

    // ---- captures ----

    pub fn insert_capture(&self, id: &CaptureId, rec: &CaptureRecord) -> rusqlite::Result<bool> {
        let n = self.conn.execute(
            "INSERT OR IGNORE INTO captures (id, doc, at, vkey, content, source, url, title)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id.0.as_bytes(),
                rec.doc.as_str(),
                nanos(rec.captured_at),
                rec.version_key().as_bytes(),
                rec.content.as_bytes(),
                rec.source,
                rec.url,
                rec.title,
            ],
        )?;
        Ok(n == 1)
    }

    pub fn capture(&self, id: &CaptureId) -> rusqlite::Result<Option<CaptureRow>> {
        self.conn
            .query_row(
                "SELECT id, doc, at, vkey, content, source, url, title FROM captures WHERE id = ?1",
                [id.0.as_bytes()],
                capture_row,
            )
            .optional()
    }

    /// Every capture, by document then time.
    pub fn captures(&self) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, doc, at, vkey, content, source, url, title FROM captures ORDER BY doc, at, id",
        )?;
        let rows = stmt.query_map([], capture_row)?;
        rows.collect()
    }

    /// Captures of one document in captured-at order.
    pub fn doc_captures(&self, doc: &str) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, doc, at, vkey, content, source, url, title FROM captures
             WHERE doc = ?1 ORDER BY at, id",
        )?;
        let rows = stmt.query_map([doc], capture_row)?;
        rows.collect()
    }

    /// Whether `doc` already has a capture whose version key is `vkey`.
    pub fn has_version(&self, doc: &str, vkey: &ObjectId) -> rusqlite::Result<bool> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM captures WHERE doc = ?1 AND vkey = ?2 LIMIT 1")?;
        stmt.exists(params![doc, vkey.as_bytes()])
    }

    /// The latest capture of a document (by captured-at).
    pub fn latest_capture(&self, doc: &str) -> rusqlite::Result<Option<CaptureRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, doc, at, vkey, content, source, url, title FROM captures
                 WHERE doc = ?1 ORDER BY at DESC, id DESC LIMIT 1",
            )?
            .query_row([doc], capture_row)
            .optional()
    }

    /// The latest capture from a source (for a delta base across documents
    /// of one site, which share boilerplate).
    pub fn latest_from_source(&self, source: &str) -> rusqlite::Result<Option<CaptureRow>> {
        self.conn
            .prepare_cached(
                "SELECT id, doc, at, vkey, content, source, url, title FROM captures
                 WHERE source = ?1 ORDER BY at DESC, id DESC LIMIT 1",
            )?
            .query_row([source], capture_row)
            .optional()
    }

    /// Captures whose id starts with the given bytes range (hex prefix search).
    pub fn captures_in_range(
        &self,
        lo: &[u8; 32],
        hi: &[u8; 32],
        limit: usize,
    ) -> rusqlite::Result<Vec<CaptureRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, doc, at, vkey, content, source, url, title FROM captures
             WHERE id >= ?1 AND id <= ?2 ORDER BY id LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![&lo[..], &hi[..], limit as i64], capture_row)?;
        rows.collect()
    }

    /// One row per document, in name order.
    pub fn doc_summaries(&self) -> rusqlite::Result<Vec<DocRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT doc, COUNT(DISTINCT vkey), COUNT(*), MIN(at), MAX(at),
                    (SELECT title FROM captures t WHERE t.doc = c.doc AND t.title IS NOT NULL
                     ORDER BY at DESC LIMIT 1)
             FROM captures c GROUP BY doc ORDER BY doc",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(DocRow {
                doc: r.get(0)?,
                versions: r.get::<_, i64>(1)? as u64,
                captures: r.get::<_, i64>(2)? as u64,
                first_nanos: r.get(3)?,
                last_nanos: r.get(4)?,
                title: r.get(5)?,
            })
        })?;
        rows.collect()
    }

    pub fn doc_exists(&self, doc: &str) -> rusqlite::Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM captures WHERE doc = ?1 LIMIT 1")?
            .exists([doc])
    }

    /// Document names, sorted.
    pub fn doc_names(&self) -> rusqlite::Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT doc FROM captures ORDER BY doc")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect()
    }

    // ---- caches ----

    pub fn text_words(&self, text: &ObjectId) -> rusqlite::Result<Option<u64>> {
        self.conn
            .prepare_cached("SELECT words FROM text_words WHERE text = ?1")?
            .query_row([text.as_bytes()], |r| r.get::<_, i64>(0).map(|n| n as u64))
            .optional()
    }

    pub fn set_text_words(&self, text: &ObjectId, words: u64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT OR REPLACE INTO text_words (text, words) VALUES (?1, ?2)")?
            .execute(params![text.as_bytes(), words as i64])?;
        Ok(())
    }

    pub fn change_words(
        &self,
        old: &ObjectId,
        new: &ObjectId,
    ) -> rusqlite::Result<Option<(u64, u64)>> {
        self.conn
            .prepare_cached("SELECT added, removed FROM change_words WHERE old = ?1 AND new = ?2")?
            .query_row(params![old.as_bytes(), new.as_bytes()], |r| {
                Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
            })
            .optional()
    }

    pub fn set_change_words(
        &self,
        old: &ObjectId,
        new: &ObjectId,
        added: u64,
        removed: u64,
    ) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO change_words (old, new, added, removed) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![old.as_bytes(), new.as_bytes(), added as i64, removed as i64])?;
        Ok(())
    }
}

fn object_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ObjectRow> {
    Ok(ObjectRow {
        id: id_from(r.get(0)?)?,
        pack: r.get(1)?,
        offset: r.get::<_, i64>(2)? as u64,
        len: r.get::<_, i64>(3)? as u64,
        kind: kind_from(r.get(4)?)?,
        size: r.get::<_, i64>(5)? as u64,
        base: r.get::<_, Option<Vec<u8>>>(6)?.map(id_from).transpose()?,
        depth: r.get(7)?,
    })
}

fn capture_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaptureRow> {
    Ok(CaptureRow {
        id: CaptureId(id_from(r.get(0)?)?),
        doc: r.get(1)?,
        at_nanos: r.get(2)?,
        vkey: id_from(r.get(3)?)?,
        content: id_from(r.get(4)?)?,
        source: r.get(5)?,
        url: r.get(6)?,
        title: r.get(7)?,
    })
}

/// Captured-at as Unix nanoseconds (sortable; fits i64 until 2262).
pub fn nanos(t: time::OffsetDateTime) -> i64 {
    t.unix_timestamp_nanos()
        .clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

/// The inverse of [`nanos`].
pub fn from_nanos(n: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp_nanos(n as i128).expect("i64 nanos are in range")
}
