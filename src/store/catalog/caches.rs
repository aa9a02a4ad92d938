//! Caches the writers fill so listings never diff: word counts, and words
//! added and removed between two texts. Each is keyed by object ids, so a
//! rebuilt catalog simply starts without them.

use rusqlite::{OptionalExtension, params};

use super::Catalog;
use super::rows::change_key;
use crate::id::ObjectId;

impl Catalog {
    pub fn text_words(&self, text: &ObjectId) -> rusqlite::Result<Option<u64>> {
        self.conn
            .prepare_cached("SELECT words FROM objects WHERE id = ?1")?
            .query_row([text.as_bytes()], |r| r.get::<_, Option<i64>>(0))
            .optional()
            .map(|w| w.flatten().map(|n| n as u64))
    }

    pub fn set_text_words(&self, text: &ObjectId, words: u64) -> rusqlite::Result<()> {
        self.conn
            .prepare_cached("UPDATE objects SET words = ?2 WHERE id = ?1")?
            .execute(params![text.as_bytes(), words as i64])?;
        Ok(())
    }

    pub fn change_words(
        &self,
        old: &ObjectId,
        new: &ObjectId,
    ) -> rusqlite::Result<Option<(u64, u64)>> {
        self.conn
            .prepare_cached("SELECT added, removed FROM changes WHERE k = ?1")?
            .query_row([change_key(old, new)], |r| {
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
                "INSERT OR REPLACE INTO changes (k, added, removed) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![change_key(old, new), added as i64, removed as i64])?;
        Ok(())
    }
}
