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

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::{Archive, Version};

use super::error::SignificanceError;
use super::model::{Context, Significance};
use super::signals::score;

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

/// An open significance index: caught up with the archive ([`Index::open`],
/// for writers), or read as it is ([`Index::read`], for readers, which
/// never write the store: what it lacks is scored and kept in memory).
pub struct Index {
    conn: Connection,
    path: Option<PathBuf>,
    /// Scores computed by a reader of a read-only file.
    unsaved: Option<HashMap<(ObjectId, ObjectId), Significance>>,
    boilerplate: HashMap<String, HashSet<u64>>,
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
        let rows = match mark {
            0 => archive.all_captures()?,
            m => archive.captures_since(m - 1)?,
        };
        let docs: BTreeSet<String> = rows.into_iter().map(|r| r.doc).collect();
        let total = docs.len();
        self.conn.execute_batch("BEGIN").map_err(self.err())?;
        for (done, doc) in docs.iter().enumerate() {
            progress(done, total);
            let history = archive.history(doc)?;
            for pair in history.versions.windows(2) {
                self.score_versions(archive, &pair[0], &pair[1])?;
            }
        }
        set_meta(&self.conn, "log", logged as i64).map_err(self.err())?;
        self.conn.execute_batch("COMMIT").map_err(self.err())?;
        progress(total, total);
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
            boilerplate: self.boilerplate_of(archive, new),
        };
        let s = score(&text(&old.key)?, &text(&new.key)?, &ctx);
        if let Some(unsaved) = self.unsaved.as_mut() {
            unsaved.insert(pair, s.clone());
            return Ok(s);
        }
        let json = serde_json::to_string(&s).expect("a score serializes");
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO scores (old, new, value, json) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    old.key.as_bytes(),
                    new.key.as_bytes(),
                    s.value,
                    json
                ])
            })
            .map_err(self.err())?;
        Ok(s)
    }

    /// The boilerplate of a version's source, as the similarity index knows
    /// it (none when that index cannot be opened).
    fn boilerplate_of(&mut self, archive: &Archive, v: &Version) -> HashSet<u64> {
        let key = format!("{:?}|{:?}", v.source, v.url);
        if let Some(b) = self.boilerplate.get(&key) {
            return b.clone();
        }
        if self.similarity.is_none() {
            self.similarity = crate::republish::read_index(archive).ok();
        }
        let b = self
            .similarity
            .as_ref()
            .and_then(|i| {
                crate::republish::boilerplate::of(i, v.source.as_deref(), v.url.as_deref()).ok()
            })
            .unwrap_or_default();
        self.boilerplate.insert(key, b.clone());
        b
    }
}
