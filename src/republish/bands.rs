//! The LSH band rows of the similarity index, kept LSM-style in two tables.
//!
//! Band keys are hashes: a document's 64 rows land on 64 random pages of a
//! B-tree ordered by key. Once the table outgrows SQLite's page cache, every
//! add rewrites pages all over the file. So new rows go to `bands_new`, a
//! table small enough to stay cached, and queries look in both; when it
//! holds more than [`Bands::limit`] rows it is merged into `bands` in key
//! order (each page of the big table touched once, and only once every
//! many documents) and emptied. The limit grows with `bands`, so the merge
//! costs the same per document however large the index gets.
//!
//! The row counts of both tables are kept in `meta` (`staged`, `merged`):
//! counting a table's rows would read all of it.

use rusqlite::{Connection, params};

type Result<T> = std::result::Result<T, rusqlite::Error>;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bands_new (
    key INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (key, doc)
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('staged', 0), ('merged', 0);
";

/// `bands_new` is merged once it holds more rows than this...
pub const MIN_STAGED: i64 = 64_000;
/// ...and more than this share of `bands`' rows (one in `MERGE_RATIO`).
pub const MERGE_RATIO: i64 = 8;

/// The band tables of one connection, and the row counts changed since
/// they were last written to `meta`.
pub struct Bands<'a> {
    conn: &'a Connection,
    /// Rows added to (or, negative, removed from) `bands_new` and `bands`.
    staged: i64,
    merged: i64,
    /// `bands_new` is merged above `max(min_staged, merged / MERGE_RATIO)`.
    min_staged: i64,
}

impl<'a> Bands<'a> {
    pub fn new(conn: &'a Connection, min_staged: i64) -> Bands<'a> {
        Bands {
            conn,
            staged: 0,
            merged: 0,
            min_staged,
        }
    }

    /// Adds a document's band rows (to `bands_new`).
    pub fn insert(&mut self, doc: i64, keys: &[i64]) -> Result<()> {
        let mut ins = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO bands_new (key, doc) VALUES (?1, ?2)")?;
        for k in keys {
            self.staged += ins.execute(params![k, doc])? as i64;
        }
        Ok(())
    }

    /// Removes a document's band rows, from whichever table holds them.
    pub fn delete(&mut self, doc: i64, keys: &[i64]) -> Result<()> {
        let mut new = self
            .conn
            .prepare_cached("DELETE FROM bands_new WHERE key = ?1 AND doc = ?2")?;
        let mut old = self
            .conn
            .prepare_cached("DELETE FROM bands WHERE key = ?1 AND doc = ?2")?;
        for k in keys {
            match new.execute(params![k, doc])? {
                0 => self.merged -= old.execute(params![k, doc])? as i64,
                n => self.staged -= n as i64,
            }
        }
        Ok(())
    }

    /// Writes the row counts and merges `bands_new` into `bands` when it
    /// has grown past the limit. Returns whether it merged.
    pub fn finish(mut self) -> Result<bool> {
        let (staged, merged) = self.counts()?;
        let (staged, merged) = (staged + self.staged, merged + self.merged);
        self.staged = 0;
        self.merged = 0;
        let merge = staged > limit(self.min_staged, merged);
        if merge {
            self.conn.execute_batch(
                "INSERT OR IGNORE INTO bands (key, doc)
                     SELECT key, doc FROM bands_new ORDER BY key, doc;
                 DELETE FROM bands_new;",
            )?;
        }
        let (staged, merged) = if merge {
            (0, merged + staged)
        } else {
            (staged, merged)
        };
        let mut up = self
            .conn
            .prepare_cached("UPDATE meta SET value = ?2 WHERE key = ?1")?;
        up.execute(params!["staged", staged])?;
        up.execute(params!["merged", merged])?;
        Ok(merge)
    }

    /// Rows in `bands_new` and in `bands`, as last written to `meta`.
    pub fn counts(&self) -> Result<(i64, i64)> {
        let mut st = self
            .conn
            .prepare_cached("SELECT value FROM meta WHERE key = ?1")?;
        let staged: i64 = st.query_row(["staged"], |r| r.get(0))?;
        let merged: i64 = st.query_row(["merged"], |r| r.get(0))?;
        Ok((staged, merged))
    }

    /// Calls `hit` with every document having a row of each key (once per
    /// key it has).
    pub fn lookup(&self, keys: &[i64], hit: &mut dyn FnMut(i64)) -> Result<()> {
        let mut st = self.conn.prepare_cached(
            "SELECT doc FROM bands WHERE key = ?1 UNION ALL SELECT doc FROM bands_new WHERE key = ?1",
        )?;
        for k in keys {
            for id in st.query_map([k], |r| r.get::<_, i64>(0))? {
                hit(id?);
            }
        }
        Ok(())
    }
}

/// How many rows `bands_new` may hold beside `merged` rows in `bands`.
pub fn limit(min_staged: i64, merged: i64) -> i64 {
    min_staged.max(merged / MERGE_RATIO)
}
