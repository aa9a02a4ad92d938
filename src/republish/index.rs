//! The similarity index: its own SQLite file (`similar.sqlite` in the store
//! directory), a derived cache rebuilt from the objects whenever it is
//! missing, damaged or of another schema. Per document (its latest version)
//! it keeps the MinHash signature and LSH bands of its shingles, its
//! paragraph hashes, and per source how many documents carry each
//! paragraph: those carried by [`BOILERPLATE_DOCS`] or more are the source's
//! boilerplate, left out of its documents' shingles.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, params};

use super::bands::{self, Bands};
use super::minhash;
use super::score::Prepared;
use super::text::{Para, prepare};

/// The index file in a store directory.
pub const FILE: &str = "similar.sqlite";
/// Bumped when what the index keeps changes: an older file is rebuilt.
pub const SCHEMA_VERSION: i64 = 3;
/// A paragraph carried by this many documents of one source is its boilerplate.
pub const BOILERPLATE_DOCS: i64 = 3;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY,
    doc TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    capture TEXT NOT NULL,
    title TEXT,
    shingles INTEGER NOT NULL DEFAULT 0,
    sig BLOB,
    paras BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS docs_source ON docs (source);
CREATE TABLE IF NOT EXISTS para_counts (
    source INTEGER NOT NULL, hash INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (source, hash)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sources (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL UNIQUE, boilerplate BLOB NOT NULL
);
";

use super::error::IndexError;

type Result<T> = std::result::Result<T, IndexError>;
type SqlResult<T> = std::result::Result<T, rusqlite::Error>;

/// A document as the index takes it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocEntry {
    pub doc: String,
    /// The text object of its latest version (hex id).
    pub key: String,
    /// See [`super::text::source_key`].
    pub source: String,
    /// First capture time, Unix nanoseconds.
    pub first_at: i64,
    /// Its first capture (hex id): stories take their ids from it.
    pub capture: String,
    pub title: Option<String>,
}

/// A document the index holds.
#[derive(Debug, Clone)]
pub struct IndexedDoc {
    pub id: i64,
    pub entry: DocEntry,
    /// Shingles outside boilerplate.
    pub shingles: usize,
    pub sig: Vec<u32>,
}

/// The open index.
pub struct Index {
    conn: Connection,
    path: Option<PathBuf>,
    /// See [`bands::MIN_STAGED`] (smaller in tests, to cross merges).
    min_staged: i64,
}

/// How many entries of the archive log the index file in `dir` has taken
/// in, read without catching up (`None`: no readable index there).
pub fn stored_mark(dir: &Path) -> Option<u64> {
    let conn = Connection::open_with_flags(
        dir.join(FILE),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .ok()?;
    conn.query_row("SELECT value FROM meta WHERE key = 'mark'", [], |r| {
        r.get::<_, i64>(0)
    })
    .ok()
    .map(|m| m as u64)
}

impl Index {
    /// Opens (creating) the index file at `path`. A file of another schema
    /// or that SQLite cannot read is deleted and started afresh.
    pub fn open(path: &Path) -> Result<Index> {
        match Index::open_file(path) {
            Ok(i) => Ok(i),
            Err(_) => {
                remove(path);
                Index::open_file(path)
            }
        }
    }

    fn open_file(path: &Path) -> Result<Index> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        // A rollback journal, not WAL: readers open the file read-only and
        // must leave no -wal/-shm files behind in the store. No fsync: the
        // index is a cache of the objects. A process that dies mid-commit
        // leaves its journal, and the next opener rolls the file back, so
        // no reader sees half a write; only a crash of the whole machine
        // can lose the last transactions or damage the file, and a damaged
        // file is rebuilt. (Syncing cost 4.5 of 7 ms of a single add at
        // 100,000 documents.)
        conn.pragma_update(None, "journal_mode", "DELETE")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        let index = Index::setup(conn, Some(path.to_owned()))?;
        if index.schema()? != Some(SCHEMA_VERSION) {
            return Err(rusqlite::Error::InvalidQuery.into());
        }
        Ok(index)
    }

    /// Opens an existing index file for reading only (of this schema).
    pub fn open_read_only(path: &Path) -> Result<Index> {
        let flags =
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(Duration::from_secs(30))?;
        let index = Index {
            conn,
            path: Some(path.to_owned()),
            min_staged: bands::MIN_STAGED,
        };
        if index.schema()? != Some(SCHEMA_VERSION) {
            return Err(rusqlite::Error::InvalidQuery.into());
        }
        Ok(index)
    }

    /// An index in memory (for a store this process may not write).
    pub fn in_memory() -> Result<Index> {
        Index::setup(Connection::open_in_memory()?, None)
    }

    fn setup(conn: Connection, path: Option<PathBuf>) -> Result<Index> {
        conn.pragma_update(None, "cache_size", -32_000)?;
        let has_meta: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        if !has_meta {
            conn.execute_batch(SCHEMA)?;
            conn.execute_batch(bands::SCHEMA)?;
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?1), ('mark', 0)",
                [SCHEMA_VERSION],
            )?;
        }
        Ok(Index {
            conn,
            path,
            min_staged: bands::MIN_STAGED,
        })
    }

    fn schema(&self) -> Result<Option<i64>> {
        self.meta("schema")
    }

    fn meta(&self, key: &str) -> Result<Option<i64>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(IndexError::from)
    }

    /// Where the index lives (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Runs `f` inside one read transaction of the index (unless one is
    /// open): a story's many lookups then take the file's lock and check
    /// for a hot journal once, not once each.
    pub fn reading<T>(&self, f: impl FnOnce() -> T) -> T {
        let began = self.conn.is_autocommit() && self.conn.execute_batch("BEGIN").is_ok();
        let out = f();
        if began && self.conn.execute_batch("COMMIT").is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        out
    }

    /// Starts a write: one writer at a time, readers go on.
    pub fn begin(&self) -> Result<()> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(IndexError::from)
    }

    pub fn commit(&self) -> Result<()> {
        self.conn.execute_batch("COMMIT").map_err(IndexError::from)
    }

    pub fn rollback(&self) {
        let _ = self.conn.execute_batch("ROLLBACK");
    }

    /// How many archive-log entries the index has taken in.
    pub fn mark(&self) -> Result<u64> {
        Ok(self.meta("mark")?.unwrap_or(0) as u64)
    }

    pub fn set_mark(&self, mark: u64) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO meta (key, value) VALUES ('mark', ?1)",
            [mark as i64],
        )?;
        Ok(())
    }

    /// Band rows waiting in `bands_new`, and merged into `bands`.
    pub fn band_rows(&self) -> Result<(u64, u64)> {
        let (staged, merged) = Bands::new(&self.conn, self.min_staged).counts()?;
        Ok((staged as u64, merged as u64))
    }

    /// Forgets everything (before a rebuild).
    pub fn clear(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "DELETE FROM docs; DELETE FROM bands; DELETE FROM bands_new;
             DELETE FROM para_counts; DELETE FROM sources;
             UPDATE meta SET value = 0 WHERE key IN ('mark', 'staged', 'merged');",
            )
            .map_err(IndexError::from)
    }

    /// The boilerplate paragraph hashes of `source` (none for no source).
    pub fn boilerplate(&self, source: &str) -> Result<HashSet<u64>> {
        if source.is_empty() {
            return Ok(HashSet::new());
        }
        let mut st = self.conn.prepare_cached(
            "SELECT hash FROM para_counts
             WHERE source = (SELECT id FROM sources WHERE source = ?1) AND n >= ?2",
        )?;
        let rows = st.query_map(params![source, BOILERPLATE_DOCS], |r| r.get::<_, i64>(0))?;
        Ok(rows
            .map(|h| h.map(|h| h as u64))
            .collect::<SqlResult<_>>()?)
    }

    /// Every source's boilerplate together (from the per-source sets kept
    /// at each update: one row per source, not one per paragraph).
    pub fn any_boilerplate(&self) -> Result<HashSet<u64>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT boilerplate FROM sources WHERE source != ''")?;
        let mut out = HashSet::new();
        for blob in st.query_map([], |r| r.get::<_, Vec<u8>>(0))? {
            out.extend(from_blob(&blob?));
        }
        Ok(out)
    }

    /// Takes in documents, new or changed; `text` gives a text object's
    /// text by its hex id. Run inside [`Index::begin`]/[`Index::commit`].
    pub fn upsert(
        &self,
        entries: Vec<DocEntry>,
        text: &mut dyn FnMut(&str) -> Option<String>,
    ) -> Result<usize> {
        // Documents to sign, by source; sources whose boilerplate may have
        // moved (a paragraph's count crossed the threshold) map to true.
        let mut fresh: HashMap<String, Vec<(i64, Vec<Para>)>> = HashMap::new();
        let mut bands = Bands::new(&self.conn, self.min_staged);
        let mut dirty: BTreeMap<String, bool> = BTreeMap::new();
        for e in entries {
            let old: Option<(i64, String, String, Vec<u8>)> = self
                .conn
                .prepare_cached("SELECT id, key, source, paras FROM docs WHERE doc = ?1")?
                .query_row([&e.doc], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            if let Some((id, key, source, _)) = &old
                && *key == e.key
                && *source == e.source
            {
                self.conn.execute(
                    "UPDATE docs SET first_at = ?2, capture = ?3, title = coalesce(?4, title)
                     WHERE id = ?1",
                    params![id, e.first_at, e.capture, e.title],
                )?;
                continue;
            }
            let body = text(&e.key).unwrap_or_default();
            let paras = prepare(&body);
            let hashes = distinct(&paras);
            let mut e = e;
            if e.title.is_none() {
                e.title = super::text::first_line(&body, &paras);
            }
            let id = match old {
                Some((id, _, source, old_paras)) => {
                    let crossed = self.count(&source, &from_blob(&old_paras), -1)?;
                    *dirty.entry(source).or_default() |= crossed;
                    self.conn.execute(
                        "UPDATE docs SET key = ?2, source = ?3, first_at = ?4, capture = ?5,
                         title = ?6, paras = ?7 WHERE id = ?1",
                        params![
                            id,
                            e.key,
                            e.source,
                            e.first_at,
                            e.capture,
                            e.title,
                            to_blob(&hashes)
                        ],
                    )?;
                    id
                }
                None => {
                    self.conn.execute(
                        "INSERT INTO docs (doc, key, source, first_at, capture, title, paras)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        params![
                            e.doc,
                            e.key,
                            e.source,
                            e.first_at,
                            e.capture,
                            e.title,
                            to_blob(&hashes)
                        ],
                    )?;
                    self.conn.last_insert_rowid()
                }
            };
            let crossed = self.count(&e.source, &hashes, 1)?;
            *dirty.entry(e.source.clone()).or_default() |= crossed;
            fresh.entry(e.source).or_default().push((id, paras));
        }
        let signed = fresh.values().map(Vec::len).sum();
        for (source, crossed) in dirty {
            let before: Option<Vec<u8>> = self
                .conn
                .prepare_cached("SELECT boilerplate FROM sources WHERE source = ?1")?
                .query_row([&source], |r| r.get(0))
                .optional()?;
            let mine = fresh.remove(&source).unwrap_or_default();
            // No count crossed the threshold: the boilerplate kept is still
            // the source's, and only the new documents are signed (without
            // reading the source's other documents: an add costs the same
            // however many the source has).
            if let Some(before) = before.as_deref().filter(|_| !crossed) {
                let bp: HashSet<u64> = from_blob(before).into_iter().collect();
                for (id, paras) in mine {
                    self.sign(&mut bands, id, &Prepared::new(paras, &bp))?;
                }
                continue;
            }
            let mut fresh: HashMap<i64, Vec<Para>> = mine.into_iter().collect();
            let bp = self.boilerplate(&source)?;
            let mut sorted: Vec<u64> = bp.iter().copied().collect();
            sorted.sort_unstable();
            let blob = to_blob(&sorted);
            let changed = before.as_deref() != Some(&blob[..]);
            self.conn.execute(
                "INSERT INTO sources (source, boilerplate) VALUES (?1, ?2)
                 ON CONFLICT (source) DO UPDATE SET boilerplate = excluded.boilerplate",
                params![source, blob],
            )?;
            let ids: Vec<(i64, String)> = {
                let mut st = self
                    .conn
                    .prepare_cached("SELECT id, key FROM docs WHERE source = ?1")?;
                st.query_map([&source], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<SqlResult<_>>()?
            };
            for (id, key) in ids {
                match fresh.remove(&id) {
                    Some(paras) => self.sign(&mut bands, id, &Prepared::new(paras, &bp))?,
                    // The source's boilerplate moved: its other documents
                    // are signed again without it.
                    None if changed => {
                        let paras = prepare(&text(&key).unwrap_or_default());
                        self.sign(&mut bands, id, &Prepared::new(paras, &bp))?
                    }
                    None => {}
                }
            }
        }
        bands.finish()?;
        Ok(signed)
    }

    /// Adds `by` to the counts of `hashes` in `source`. Returns whether a
    /// count crossed [`BOILERPLATE_DOCS`] (the source's boilerplate moved).
    fn count(&self, source: &str, hashes: &[u64], by: i64) -> Result<bool> {
        if source.is_empty() {
            return Ok(false);
        }
        // Counts are kept under the source's row id (not its name, repeated
        // in every row); a source is given its row, with no boilerplate yet,
        // by its first document.
        self.conn
            .prepare_cached(
                "INSERT INTO sources (source, boilerplate) VALUES (?1, x'') ON CONFLICT DO NOTHING",
            )?
            .execute([source])?;
        let src: i64 = self
            .conn
            .prepare_cached("SELECT id FROM sources WHERE source = ?1")?
            .query_row([source], |r| r.get(0))?;
        let mut up = self.conn.prepare_cached(
            "INSERT INTO para_counts (source, hash, n) VALUES (?1, ?2, ?3)
             ON CONFLICT (source, hash) DO UPDATE SET n = n + ?3 RETURNING n",
        )?;
        let mut gone = self
            .conn
            .prepare_cached("DELETE FROM para_counts WHERE source = ?1 AND hash = ?2")?;
        let mut crossed = false;
        for h in hashes {
            let n: i64 = up.query_row(params![src, *h as i64, by], |r| r.get(0))?;
            crossed |= (n - by >= BOILERPLATE_DOCS) != (n >= BOILERPLATE_DOCS);
            if n <= 0 {
                gone.execute(params![src, *h as i64])?;
            }
        }
        Ok(crossed)
    }

    fn sign(&self, bands: &mut Bands, id: i64, p: &Prepared) -> Result<()> {
        let old: Option<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT sig FROM docs WHERE id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .flatten();
        if let Some(sig) = old.as_deref().and_then(minhash::from_bytes) {
            bands.delete(id, &minhash::bands(&sig))?;
        }
        let sig = minhash::signature(&p.set);
        self.conn
            .prepare_cached("UPDATE docs SET sig = ?2, shingles = ?3 WHERE id = ?1")?
            .execute(params![id, minhash::to_bytes(&sig), p.set.len() as i64])?;
        if !p.set.is_empty() {
            bands.insert(id, &minhash::bands(&sig))?;
        }
        Ok(())
    }

    /// Documents sharing at least one band with `sig`, with how many bands
    /// they share, most first.
    pub fn candidates(&self, sig: &[u32]) -> Result<Vec<(i64, usize)>> {
        let mut hits: HashMap<i64, usize> = HashMap::new();
        Bands::new(&self.conn, self.min_staged).lookup(&minhash::bands(sig), &mut |id| {
            *hits.entry(id).or_default() += 1
        })?;
        let mut out: Vec<(i64, usize)> = hits.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Ok(out)
    }

    const COLUMNS: &'static str = "id, doc, key, source, first_at, capture, title, shingles, sig";

    fn row(r: &rusqlite::Row) -> SqlResult<IndexedDoc> {
        let sig: Option<Vec<u8>> = r.get(8)?;
        Ok(IndexedDoc {
            id: r.get(0)?,
            entry: DocEntry {
                doc: r.get(1)?,
                key: r.get(2)?,
                source: r.get(3)?,
                first_at: r.get(4)?,
                capture: r.get(5)?,
                title: r.get(6)?,
            },
            shingles: r.get::<_, i64>(7)? as usize,
            sig: sig
                .as_deref()
                .and_then(minhash::from_bytes)
                .unwrap_or_else(|| vec![u32::MAX; minhash::PERMS]),
        })
    }

    /// One document by its index id.
    pub fn doc_by_id(&self, id: i64) -> Result<Option<IndexedDoc>> {
        let sql = format!("SELECT {} FROM docs WHERE id = ?1", Index::COLUMNS);
        self.conn
            .prepare_cached(&sql)?
            .query_row([id], Index::row)
            .optional()
            .map_err(IndexError::from)
    }

    /// One document by name.
    pub fn doc(&self, name: &str) -> Result<Option<IndexedDoc>> {
        let sql = format!("SELECT {} FROM docs WHERE doc = ?1", Index::COLUMNS);
        self.conn
            .prepare_cached(&sql)?
            .query_row([name], Index::row)
            .optional()
            .map_err(IndexError::from)
    }

    /// Every document, by index id.
    pub fn docs(&self) -> Result<Vec<IndexedDoc>> {
        let sql = format!("SELECT {} FROM docs ORDER BY id", Index::COLUMNS);
        let mut st = self.conn.prepare(&sql)?;
        Ok(st.query_map([], Index::row)?.collect::<SqlResult<_>>()?)
    }
}

/// Removes an index file and its WAL companions.
pub fn remove(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn distinct(paras: &[Para]) -> Vec<u64> {
    let mut h: Vec<u64> = paras.iter().map(|p| p.hash).collect();
    h.sort_unstable();
    h.dedup();
    h
}

fn to_blob(v: &[u64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(b: &[u8]) -> Vec<u64> {
    b.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(doc: &str, key: &str, source: &str, at: i64) -> DocEntry {
        DocEntry {
            doc: doc.into(),
            key: key.into(),
            source: source.into(),
            first_at: at,
            capture: format!("c{doc}"),
            title: None,
        }
    }

    #[test]
    fn boilerplate_is_learned_from_three_documents_and_leaves_signatures() {
        let texts: HashMap<&str, String> = [
            (
                "k1",
                "Story one is about the river and the bridge.\n\nNote to readers: please share.",
            ),
            (
                "k2",
                "Story two is about the mountain and the road.\n\nNote to readers: please share.",
            ),
            (
                "k3",
                "Story three is about the sea and the harbour.\n\nNote to readers: please share.",
            ),
        ]
        .into_iter()
        .map(|(k, t)| (k, t.to_owned()))
        .collect();
        let index = Index::in_memory().unwrap();
        let mut text = |k: &str| texts.get(k).cloned();
        index.begin().unwrap();
        index
            .upsert(
                vec![entry("a", "k1", "gr", 1), entry("b", "k2", "gr", 2)],
                &mut text,
            )
            .unwrap();
        index.commit().unwrap();
        assert!(index.boilerplate("gr").unwrap().is_empty());
        let before = index.doc("a").unwrap().unwrap().shingles;
        index
            .upsert(vec![entry("c", "k3", "gr", 3)], &mut text)
            .unwrap();
        assert_eq!(index.boilerplate("gr").unwrap().len(), 1);
        let after = index.doc("a").unwrap().unwrap();
        assert!(after.shingles < before, "{} < {before}", after.shingles);
        // Another source carrying the same paragraph learns nothing from gr.
        assert!(index.boilerplate("blog").unwrap().is_empty());
        // A document's new version replaces its counts.
        index
            .upsert(vec![entry("c", "k1", "gr", 3)], &mut text)
            .unwrap();
        assert_eq!(index.boilerplate("gr").unwrap().len(), 1);
        assert_eq!(index.docs().unwrap().len(), 3);
        let cands = index.candidates(&after.sig).unwrap();
        assert!(cands.iter().any(|(id, _)| *id == after.id));
    }

    #[test]
    fn a_file_of_another_schema_is_started_afresh() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(FILE);
        {
            let i = Index::open(&path).unwrap();
            i.set_mark(7).unwrap();
            i.conn
                .execute("UPDATE meta SET value = 0 WHERE key = 'schema'", [])
                .unwrap();
        }
        let i = Index::open(&path).unwrap();
        assert_eq!(i.mark().unwrap(), 0);
        std::fs::write(&path, b"not a database at all, not at all").unwrap();
        remove(&tmp.path().join("x"));
        let i = Index::open(&path).unwrap();
        assert_eq!(i.mark().unwrap(), 0);
    }

    /// (doc, signature, shingles) rows, (source, boilerplate) rows, and
    /// (doc, band key) rows of both band tables.
    type State = (
        Vec<(String, Option<Vec<u8>>, i64)>,
        Vec<(String, Vec<u8>)>,
        Vec<(String, i64)>,
    );

    /// Every document's signature and every source's boilerplate, to compare
    /// two indexes built differently.
    fn state(i: &Index) -> State {
        let docs = i
            .conn
            .prepare("SELECT doc, sig, shingles FROM docs ORDER BY doc")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<SqlResult<_>>()
            .unwrap();
        let sources = i
            .conn
            .prepare("SELECT source, boilerplate FROM sources ORDER BY source")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<SqlResult<_>>()
            .unwrap();
        let bands = i
            .conn
            .prepare(
                "SELECT d.doc, b.key FROM (SELECT * FROM bands UNION ALL SELECT * FROM bands_new) b
                 JOIN docs d ON d.id = b.doc ORDER BY d.doc, b.key",
            )
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<SqlResult<_>>()
            .unwrap();
        (docs, sources, bands)
    }

    /// The band rows the documents' signatures call for.
    fn expected_bands(s: &State) -> Vec<(String, i64)> {
        let mut out: Vec<(String, i64)> =
            s.0.iter()
                .filter(|(_, _, shingles)| *shingles > 0)
                .flat_map(|(doc, sig, _)| {
                    let sig = minhash::from_bytes(sig.as_deref().unwrap()).unwrap();
                    minhash::bands(&sig).into_iter().map(|k| (doc.clone(), k))
                })
                .collect();
        out.sort();
        out
    }

    fn band_rows(i: &Index) -> (i64, i64) {
        let (staged, merged) = i.band_rows().unwrap();
        (staged as i64, merged as i64)
    }

    #[test]
    fn adding_one_document_at_a_time_ends_where_one_batch_does() {
        // Two sources whose footers become boilerplate at the third document,
        // and a document that moves from one source to the other (its counts
        // leave the first: a footer drops back under the threshold there),
        // then changes again (its one paragraph's count drops to zero).
        let mut texts: HashMap<String, String> = HashMap::new();
        let mut entries = Vec::new();
        for n in 0..6 {
            let (source, footer) = if n % 2 == 0 {
                ("gr", "Note to readers: please share this article widely.")
            } else {
                (
                    "blog",
                    "Lees verder op onze website voor meer nieuws vandaag.",
                )
            };
            let key = format!("k{n}");
            texts.insert(
                key.clone(),
                format!(
                    "Story {n} tells of river {n} and bridge {n} and the town {n} beside them all.\n\n{footer}"
                ),
            );
            entries.push(entry(&format!("d{n}"), &key, source, n));
        }
        texts.insert(
            "k0b".into(),
            "Story zero moved, and now it tells of another river entirely.".into(),
        );
        texts.insert("k0c".into(), "Story zero changed again.".into());
        let mut moved = entry("d0", "k0b", "blog", 0);
        moved.title = None;
        let changed = entry("d0", "k0c", "blog", 0);
        let mut text = |k: &str| texts.get(k).cloned();

        let batch = Index::in_memory().unwrap();
        batch.begin().unwrap();
        batch.upsert(entries.clone(), &mut text).unwrap();
        batch.upsert(vec![moved.clone()], &mut text).unwrap();
        batch.upsert(vec![changed.clone()], &mut text).unwrap();
        batch.commit().unwrap();

        // One at a time, with band rows merged from bands_new into bands
        // every two documents or so (and re-signed documents' rows deleted
        // from both).
        let mut single = Index::in_memory().unwrap();
        single.min_staged = 100;
        let mut merges = 0;
        for e in entries.into_iter().chain([moved, changed]) {
            let before = band_rows(&single).1;
            single.begin().unwrap();
            single.upsert(vec![e], &mut text).unwrap();
            single.commit().unwrap();
            merges += usize::from(band_rows(&single).1 > before);
        }
        assert!(merges >= 2, "{merges} merges");
        let (b, s) = (state(&batch), state(&single));
        assert_eq!(b, s);
        assert_eq!(s.2, expected_bands(&s));
        // The counts kept in meta are the tables' rows.
        for i in [&batch, &single] {
            let (staged, merged) = band_rows(i);
            let count = |t: &str| -> i64 {
                i.conn
                    .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
                    .unwrap()
            };
            assert_eq!((staged, merged), (count("bands_new"), count("bands")));
            // One count per document carrying a paragraph, none at zero.
            let sum = |sql: &str| -> i64 { i.conn.query_row(sql, [], |r| r.get(0)).unwrap() };
            assert_eq!(
                sum("SELECT coalesce(sum(n), 0) FROM para_counts"),
                sum("SELECT coalesce(sum(length(paras)), 0) / 8 FROM docs WHERE source != ''")
            );
            assert_eq!(sum("SELECT count(*) FROM para_counts WHERE n <= 0"), 0);
        }
        assert!(band_rows(&single).1 > 0);
        // gr's footer was boilerplate at three documents, and is no longer
        // at two; blog's is.
        let kept = |src: &str| -> HashSet<u64> {
            from_blob(&s.1.iter().find(|(n, _)| n == src).unwrap().1)
                .into_iter()
                .collect()
        };
        assert!(kept("gr").is_empty());
        assert!(!kept("blog").is_empty());
        assert_eq!(single.boilerplate("blog").unwrap(), kept("blog"));
    }
}
