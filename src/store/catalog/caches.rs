//! Caches the writers fill so listings never diff: word counts, and words
//! added and removed between two texts. Each is keyed by objects' rows, so a
//! rebuilt catalog simply starts without them.

use rusqlite::{OptionalExtension, params};

use super::Catalog;
use crate::id::ObjectId;

impl Catalog {
    pub fn text_words(&self, text: &ObjectId) -> rusqlite::Result<Option<u64>> {
        self.conn
            .prepare_cached("SELECT words FROM objects WHERE substr(id, 1, 8) = ?1 AND id = ?2")?
            .query_row(params![&text.as_bytes()[..8], text.as_bytes()], |r| {
                r.get::<_, Option<i64>>(0)
            })
            .optional()
            .map(|w| w.flatten().map(|n| n as u64))
    }

    pub fn set_text_words(&self, text: &ObjectId, words: u64) -> rusqlite::Result<()> {
        let n = self.intern(text)?;
        self.conn
            .prepare_cached("UPDATE objects SET words = ?2 WHERE n = ?1")?
            .execute(params![n, words as i64])?;
        Ok(())
    }

    pub fn change_words(
        &self,
        old: &ObjectId,
        new: &ObjectId,
    ) -> rusqlite::Result<Option<(u64, u64)>> {
        // One statement, not three: outside a transaction each statement
        // takes and releases the file lock, and `log DOC` asks once per version.
        self.conn
            .prepare_cached(
                "SELECT ch.added, ch.removed FROM objects o, objects nw, changes ch
                 WHERE substr(o.id, 1, 8) = ?1 AND o.id = ?2
                   AND substr(nw.id, 1, 8) = ?3 AND nw.id = ?4
                   AND ch.new = nw.n AND ch.old = o.n",
            )?
            .query_row(
                params![
                    &old.as_bytes()[..8],
                    old.as_bytes(),
                    &new.as_bytes()[..8],
                    new.as_bytes()
                ],
                |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
            )
            .optional()
    }

    pub fn set_change_words(
        &self,
        old: &ObjectId,
        new: &ObjectId,
        added: u64,
        removed: u64,
    ) -> rusqlite::Result<()> {
        let (old, new) = (self.intern(old)?, self.intern(new)?);
        self.conn
            .prepare_cached(
                "INSERT OR REPLACE INTO changes (new, old, added, removed) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![new, old, added as i64, removed as i64])?;
        Ok(())
    }
}
