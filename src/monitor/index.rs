//! The schedule index (`monitor.sqlite` beside the catalog): every
//! document with a URL, its checks, and when it is due next. Derived from
//! the captures (a document with a URL is scheduled from its first capture)
//! and the check records alone, so any machine can rebuild it; it catches
//! up from its high-water mark on the archive log and from the check
//! records it has not taken in yet. Selecting the due documents is one
//! indexed query, whatever the size of the archive.

use std::collections::{BTreeSet, HashSet};
use std::path::PathBuf;

use rusqlite::{Connection, OptionalExtension, params};
use time::{Duration, OffsetDateTime};

use crate::capture::DerivedIndex;
use crate::id::ObjectId;
use crate::store::Archive;

use super::error::MonitorError;
use super::policy::{Policy, Standing};
use super::record::{CheckRecord, Outcome};
use super::settings::Settings;

/// The file, in the store's local directory.
pub const FILE: &str = "monitor.sqlite";
/// 2: checks carry their `seq` (the order they were taken in).
const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    doc TEXT PRIMARY KEY,
    url TEXT NOT NULL,
    first_at INTEGER NOT NULL,
    cap_at INTEGER NOT NULL,  -- latest capture
    last_at INTEGER NOT NULL, -- latest capture or check
    interval INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    next_at INTEGER NOT NULL,
    checks INTEGER NOT NULL,
    outcome TEXT
);
CREATE INDEX IF NOT EXISTS docs_by_next ON docs (next_at);
CREATE TABLE IF NOT EXISTS checks (
    id BLOB PRIMARY KEY,
    doc TEXT NOT NULL,
    at INTEGER NOT NULL,
    seq INTEGER,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS checks_by_doc ON checks (doc, at);
";

type Result<T> = std::result::Result<T, MonitorError>;

/// One scheduled document, as `vellum schedule --json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Scheduled {
    pub doc: String,
    pub url: String,
    /// The latest check or capture (RFC 3339).
    pub last: String,
    /// When it is due next (absent when paused).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    /// The interval in seconds: the backoff's, or the fixed one.
    pub interval: i64,
    /// `auto` (backing off) or `fixed` (`--every`).
    pub mode: String,
    pub paused: bool,
    pub checks: u64,
    /// The last check's outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// Failures in a row.
    pub failures: u32,
    /// Reported as failing (checked less often).
    pub failing: bool,
    #[serde(skip)]
    pub next_at: Option<OffsetDateTime>,
}

/// The schedule index, open and caught up.
pub struct Schedule {
    conn: Connection,
    path: PathBuf,
    policy: Policy,
}

fn secs(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn time_of(s: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(s).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl Schedule {
    /// Opens the index of `archive` (building it when missing or from
    /// another vellum) and catches it up. On a store that cannot be written
    /// it is built in memory.
    pub fn open(archive: &Archive, policy: Policy) -> Result<Schedule> {
        let path = archive.dir().join(FILE);
        let conn = match Connection::open(&path) {
            Ok(c) => c,
            Err(_) => Connection::open_in_memory().map_err(ix(&path))?,
        };
        let mut s = Schedule { conn, path, policy };
        s.prepare().map_err(ix(&s.path))?;
        s.catch_up(archive)?;
        Ok(s)
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> MonitorError + '_ {
        |source| MonitorError::Index {
            path: self.path.clone(),
            source,
        }
    }

    fn prepare(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(std::time::Duration::from_secs(30))?;
        self.conn.execute_batch(SCHEMA)?;
        if meta(&self.conn, "schema")? != Some(SCHEMA_VERSION) {
            // Another vellum's index: its tables may lack columns.
            self.conn.execute_batch(
                "DROP TABLE IF EXISTS docs; DROP TABLE IF EXISTS checks; DELETE FROM meta;",
            )?;
            self.conn.execute_batch(SCHEMA)?;
            set_meta(&self.conn, "schema", SCHEMA_VERSION)?;
        }
        Ok(())
    }

    /// Forgets everything (`reindex`); the next catch-up starts over.
    pub fn clear(&mut self) -> Result<()> {
        self.conn
            .execute_batch("DELETE FROM meta; DELETE FROM docs; DELETE FROM checks;")
            .and_then(|_| set_meta(&self.conn, "schema", SCHEMA_VERSION))
            .map_err(self.err())
    }

    /// How many archive-log entries the index has taken in.
    pub fn mark(&self) -> Result<u64> {
        Ok(meta(&self.conn, "mark").map_err(self.err())?.unwrap_or(0) as u64)
    }

    /// Takes in the captures logged since the mark and the check records
    /// not seen yet, then recomputes the documents they touch.
    pub fn catch_up(&mut self, archive: &Archive) -> Result<()> {
        let mark = self.mark()? as usize;
        let (ids, logged, _) = archive.log_since(mark)?;
        let known: HashSet<ObjectId> = self.check_ids()?;
        let new_checks: Vec<ObjectId> = archive
            .check_ids()?
            .into_iter()
            .filter(|id| !known.contains(id))
            .collect();
        if ids.is_empty() && new_checks.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|source| MonitorError::Index {
                path: self.path.clone(),
                source,
            })?;
        let mut touched = BTreeSet::new();
        for id in ids {
            let Some(row) = archive.capture_row(&id)? else {
                continue;
            };
            let Some(url) = row.url.filter(|u| u.starts_with("http")) else {
                continue;
            };
            if row.flagged || row.superseded {
                continue;
            }
            let at = secs(row.captured_at);
            tx.execute(
                "INSERT INTO docs (doc, url, first_at, cap_at, last_at, interval, failures, next_at, checks)
                 VALUES (?1, ?2, ?3, ?3, ?3, 0, 0, 0, 0)
                 ON CONFLICT (doc) DO UPDATE SET
                   url = CASE WHEN ?3 >= cap_at THEN ?2 ELSE url END,
                   first_at = MIN(first_at, ?3), cap_at = MAX(cap_at, ?3)",
                params![row.doc, url, at],
            )
            .map_err(ix(&self.path))?;
            touched.insert(row.doc);
        }
        for id in new_checks {
            let bytes = archive.read_object(&id)?;
            // A record that does not parse is left for verify (it is an
            // object like any other); the schedule ignores it.
            let Ok(c) = CheckRecord::parse(&bytes) else {
                continue;
            };
            tx.execute(
                "INSERT OR IGNORE INTO checks (id, doc, at, seq, body) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    id.as_bytes(),
                    c.doc.as_str(),
                    secs(c.checked_at),
                    c.seq.map(|n| n.min(i64::MAX as u64) as i64),
                    bytes.as_slice()
                ],
            )
            .map_err(ix(&self.path))?;
            touched.insert(c.doc.to_string());
        }
        for doc in &touched {
            replay(&tx, doc, &self.policy).map_err(ix(&self.path))?;
        }
        set_meta(&tx, "mark", logged as i64).map_err(ix(&self.path))?;
        tx.commit().map_err(ix(&self.path))
    }

    fn check_ids(&self) -> Result<HashSet<ObjectId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id FROM checks")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| r.get::<_, Vec<u8>>(0))
            .map_err(self.err())?;
        let mut out = HashSet::new();
        for r in rows {
            let b = r.map_err(self.err())?;
            if let Ok(a) = <[u8; 32]>::try_from(b.as_slice()) {
                out.insert(ObjectId::from_bytes(a));
            }
        }
        Ok(out)
    }

    /// The documents due at `now` (not paused), earliest first, at most
    /// `limit`.
    pub fn due(
        &self,
        now: OffsetDateTime,
        settings: &Settings,
        limit: usize,
    ) -> Result<Vec<Scheduled>> {
        let mut out = Vec::new();
        let fixed: Vec<&String> = settings.docs.keys().collect();
        {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM docs WHERE next_at <= ?1 ORDER BY next_at, doc"
                ))
                .map_err(self.err())?;
            let rows = stmt
                .query_map([secs(now)], |r| self.row(r, settings))
                .map_err(self.err())?;
            for r in rows {
                let s = r.map_err(self.err())?;
                if !fixed.contains(&&s.doc) {
                    out.push(s);
                }
            }
        }
        // Documents with settings: few; their next check is computed here.
        for doc in fixed {
            if let Some(s) = self.entry(doc, settings)?
                && s.next_at.is_some_and(|n| n <= now)
            {
                out.push(s);
            }
        }
        out.sort_by(|a, b| (a.next_at, &a.doc).cmp(&(b.next_at, &b.doc)));
        out.truncate(limit);
        Ok(out)
    }

    /// One document's schedule, if it has a URL.
    pub fn entry(&self, doc: &str, settings: &Settings) -> Result<Option<Scheduled>> {
        self.conn
            .prepare_cached(&format!("SELECT {COLUMNS} FROM docs WHERE doc = ?1"))
            .and_then(|mut s| s.query_row([doc], |r| self.row(r, settings)).optional())
            .map_err(self.err())
    }

    /// Every scheduled document, by name.
    pub fn all(&self, settings: &Settings) -> Result<Vec<Scheduled>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {COLUMNS} FROM docs ORDER BY doc"))
            .map_err(self.err())?;
        let rows = stmt
            .query_map([], |r| self.row(r, settings))
            .map_err(self.err())?;
        rows.collect::<rusqlite::Result<_>>().map_err(self.err())
    }

    /// A document's checks, oldest first.
    pub fn checks(&self, doc: &str) -> Result<Vec<(ObjectId, CheckRecord)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, body FROM checks WHERE doc = ?1 ORDER BY at, seq, rowid")
            .map_err(self.err())?;
        let rows = stmt
            .query_map([doc], |r| {
                Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(self.err())?;
        let mut out = Vec::new();
        for r in rows {
            let (id, body) = r.map_err(self.err())?;
            let (Ok(id), Ok(c)) = (
                <[u8; 32]>::try_from(id.as_slice()),
                CheckRecord::parse(&body),
            ) else {
                continue;
            };
            out.push((ObjectId::from_bytes(id), c));
        }
        Ok(out)
    }

    fn row(&self, r: &rusqlite::Row<'_>, settings: &Settings) -> rusqlite::Result<Scheduled> {
        let doc: String = r.get(0)?;
        let set = settings.of(&doc);
        let last_at = time_of(r.get(2)?);
        let auto: i64 = r.get(3)?;
        let failures: u32 = r.get(4)?;
        let interval = set.every.unwrap_or(auto);
        let next_at = (!set.paused).then(|| last_at + Duration::seconds(interval));
        let outcome: Option<String> = r.get(6)?;
        Ok(Scheduled {
            doc,
            url: r.get(1)?,
            last: crate::when::format_time(last_at),
            next: next_at.map(crate::when::format_time),
            interval,
            mode: if set.every.is_some() { "fixed" } else { "auto" }.into(),
            paused: set.paused,
            checks: r.get::<_, i64>(5)? as u64,
            outcome: outcome
                .and_then(|o| serde_json::from_value(serde_json::Value::String(o)).ok()),
            failures,
            failing: failures >= self.policy.failing_after,
            next_at,
        })
    }
}

const COLUMNS: &str = "doc, url, last_at, interval, failures, checks, outcome";

fn ix(path: &std::path::Path) -> impl Fn(rusqlite::Error) -> MonitorError + '_ {
    move |source| MonitorError::Index {
        path: path.to_owned(),
        source,
    }
}

/// Recomputes one document's standing from its first capture and checks.
fn replay(conn: &Connection, doc: &str, policy: &Policy) -> rusqlite::Result<()> {
    let Some((first_at, cap_at)) = conn
        .query_row(
            "SELECT first_at, cap_at FROM docs WHERE doc = ?1",
            [doc],
            |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)),
        )
        .optional()?
    else {
        // Checks of a document with no URL capture: kept, not scheduled.
        return Ok(());
    };
    let mut s = Standing::first(time_of(first_at), policy);
    // Checks in the same second keep the order they were taken in: their
    // `seq`, which a rebuild reads from the records. (Records older than
    // `seq` have none: the order the index took them in, which a rebuild
    // makes the catalog's.)
    let mut stmt =
        conn.prepare_cached("SELECT body FROM checks WHERE doc = ?1 ORDER BY at, seq, rowid")?;
    let mut rows = stmt.query([doc])?;
    let (mut n, mut last) = (0i64, None);
    while let Some(r) = rows.next()? {
        let body: Vec<u8> = r.get(0)?;
        if let Ok(c) = CheckRecord::parse(&body) {
            s = s.step(&c, policy);
            last = Some(c.outcome);
            n += 1;
        }
    }
    // A capture after the last check (`vellum add URL`) counts as a check
    // that found the page; the backoff continues from it.
    let last_at = secs(s.last_at).max(cap_at);
    conn.execute(
        "UPDATE docs SET last_at = ?2, interval = ?3, failures = ?4, next_at = ?5, checks = ?6,
           outcome = ?7 WHERE doc = ?1",
        params![
            doc,
            last_at,
            s.interval.whole_seconds(),
            s.failures,
            last_at + s.interval.whole_seconds(),
            n,
            last.map(|o| o.as_str()),
        ],
    )?;
    Ok(())
}

fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()
}

fn set_meta(conn: &Connection, key: &str, value: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = ?2",
        params![key, value],
    )?;
    Ok(())
}

/// The schedule index as a [`DerivedIndex`]: what `reindex` and the
/// writers' catch-up call (the lead wires it into
/// [`crate::capture::derived_indexes`]; the monitor catches it up itself).
#[derive(Debug, Default, Clone, Copy)]
pub struct ScheduleIndex;

impl DerivedIndex for ScheduleIndex {
    fn name(&self) -> &'static str {
        "schedule"
    }
    fn mark(&self, archive: &Archive) -> Option<u64> {
        let path = archive.dir().join(FILE);
        let conn =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        meta(&conn, "mark").ok().flatten().map(|m| m as u64)
    }
    fn catch_up(
        &self,
        archive: &Archive,
        _p: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        Schedule::open(archive, Policy::default())
            .map(drop)
            .map_err(|e| e.to_string())
    }
    fn rebuild(
        &self,
        archive: &Archive,
        _p: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<(), String> {
        let mut s = Schedule::open(archive, Policy::default()).map_err(|e| e.to_string())?;
        s.clear().map_err(|e| e.to_string())?;
        s.catch_up(archive).map_err(|e| e.to_string())
    }
}
