//! The catalog's view of the archive log (`tlog.rs`) and of state objects:
//! log segments, each capture's log position, the captures logged since a
//! position (what derived indexes lack) and those not logged yet.

use rusqlite::{OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::record::CaptureId;

use super::Catalog;
use super::rows::id_from;

impl Catalog {
    /// Records a log segment (its object is cataloged like any other).
    pub fn add_log_segment(&self, start: u64, count: u64, id: &ObjectId) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO log (start, count, id) VALUES (?1, ?2, ?3)")?
            .execute(params![start as i64, count as i64, id.as_bytes()])?;
        Ok(())
    }

    /// Log segments in log order: start, count, object id.
    pub fn log_segments(&self) -> rusqlite::Result<Vec<(u64, u64, ObjectId)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT start, count, id FROM log ORDER BY start")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, i64>(1)? as u64,
                id_from(r.get(2)?)?,
            ))
        })?;
        rows.collect()
    }

    /// Records a state object (its object is cataloged like any other).
    pub fn add_state(&self, id: &ObjectId, name: &str, round: u64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("INSERT OR IGNORE INTO states (id, name, round) VALUES (?1, ?2, ?3)")?
            .execute(params![id.as_bytes(), name, round as i64])?;
        Ok(())
    }

    /// The newest state object of a name: highest round, then highest id.
    pub fn latest_state(&self, name: &str) -> rusqlite::Result<Option<ObjectId>> {
        self.conn
            .prepare_cached(
                "SELECT id FROM states WHERE name = ?1 ORDER BY round DESC, id DESC LIMIT 1",
            )?
            .query_row([name], |r| id_from(r.get(0)?))
            .optional()
    }

    /// Sets a capture's position in the archive log.
    pub fn set_seq(&self, id: &CaptureId, seq: u64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE captures SET seq = ?3 WHERE substr(id, 1, 8) = ?1 AND id = ?2")?
            .execute(params![&id.0.as_bytes()[..8], id.0.as_bytes(), seq as i64])?;
        Ok(())
    }

    /// Logged captures from archive-log position `seq` on, in log order
    /// (from 0: the archive log as cataloged).
    pub fn logged_since(&self, seq: u64) -> rusqlite::Result<Vec<CaptureId>> {
        self.capture_ids(
            "SELECT id FROM captures WHERE seq >= ?1 ORDER BY seq",
            [seq as i64],
        )
    }

    /// How many captures are in the archive log, and how many not yet.
    /// (Log positions are dense: the log holds the highest one plus one.)
    pub fn log_counts(&self) -> rusqlite::Result<(usize, usize)> {
        let logged: i64 = self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(seq) + 1, 0) FROM captures")?
            .query_row([], |r| r.get(0))?;
        let unlogged: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM captures WHERE seq IS NULL")?
            .query_row([], |r| r.get(0))?;
        Ok((logged as usize, unlogged as usize))
    }

    /// Captures not yet in the archive log, in the order they are appended:
    /// captured-at, then capture id.
    pub fn unlogged_captures(&self) -> rusqlite::Result<Vec<CaptureId>> {
        self.capture_ids(
            "SELECT id FROM captures WHERE seq IS NULL ORDER BY at, atn, id",
            [],
        )
    }

    fn capture_ids(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
    ) -> rusqlite::Result<Vec<CaptureId>> {
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows = stmt.query_map(params, |r| Ok(CaptureId(id_from(r.get(0)?)?)))?;
        rows.collect()
    }
}

impl Catalog {
    /// Every object of `kind` (check records: the monitor's index finds
    /// the ones it has not taken in yet).
    pub fn objects_of_kind(
        &self,
        kind: crate::store::object::Kind,
    ) -> rusqlite::Result<Vec<ObjectId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM objects WHERE kind = ?1")?;
        let rows = stmt.query_map([kind as i64], |r| id_from(r.get(0)?))?;
        rows.collect()
    }
}
