//! Objects in the catalog: where each lives, and the row number by which
//! captures and caches refer to it (each id is stored once). Capture
//! records are located on their capture's row instead.

use rusqlite::{OptionalExtension, params};

use crate::id::ObjectId;
use crate::store::object::Kind;

use super::rows::{RECORD_COLUMNS, object_row};
use super::{Catalog, ObjectRow};

impl Catalog {
    /// The row number of an object id, if the catalog names it.
    pub(super) fn object_n(&self, id: &ObjectId) -> rusqlite::Result<Option<i64>> {
        self.conn
            .prepare_cached("SELECT n FROM objects WHERE substr(id, 1, 8) = ?1 AND id = ?2")?
            .query_row(params![&id.as_bytes()[..8], id.as_bytes()], |r| r.get(0))
            .optional()
    }

    /// The row number of an object id, adding an unlocated row for an id
    /// the catalog did not name yet (a capture may be cataloged before the
    /// pack holding its text).
    pub(super) fn intern(&self, id: &ObjectId) -> rusqlite::Result<i64> {
        if let Some(n) = self.object_n(id)? {
            return Ok(n);
        }
        self.conn
            .prepare_cached("INSERT INTO objects (id) VALUES (?1)")?
            .execute([id.as_bytes()])?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Records where an object lives (the first location recorded stays). A
    /// record's location goes on its capture's row, which must exist.
    pub fn insert_object(&self, pack_id: i64, row: &ObjectRow) -> rusqlite::Result<()> {
        if row.kind == Kind::Record {
            self.conn
                .prepare_cached(
                    "UPDATE captures SET rpack = ?3, roffset = ?4, rlen = ?5, rsize = ?6, rdepth = ?7
                     WHERE substr(id, 1, 8) = ?1 AND id = ?2 AND rpack IS NULL",
                )?
                .execute(params![
                    &row.id.as_bytes()[..8],
                    row.id.as_bytes(),
                    pack_id,
                    row.offset as i64,
                    row.len as i64,
                    row.size as i64,
                    row.depth,
                ])?;
            return Ok(());
        }
        let n = self.intern(&row.id)?;
        self.conn
            .prepare_cached(
                "UPDATE objects SET pack = ?2, offset = ?3, len = ?4, kind = ?5, size = ?6, depth = ?7
                 WHERE n = ?1 AND pack IS NULL",
            )?
            .execute(params![
                n,
                pack_id,
                row.offset as i64,
                row.len as i64,
                row.kind as i64,
                row.size as i64,
                row.depth,
            ])?;
        Ok(())
    }

    /// Points an object that lived in pack `from` at its copy in pack `to`,
    /// at `offset`, `len` bytes long (a copied entry whose in-pack base
    /// moved may have grown or shrunk by a byte of its varint offset).
    pub fn move_object(
        &self,
        id: &ObjectId,
        kind: Kind,
        from: i64,
        to: i64,
        (offset, len): (u64, u64),
    ) -> rusqlite::Result<()> {
        let sql = match kind {
            Kind::Content | Kind::Log | Kind::State | Kind::Check | Kind::RecordSet => {
                "UPDATE objects SET pack = ?3, offset = ?4, len = ?5
                 WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1 AND pack = ?2"
            }
            Kind::Record => {
                "UPDATE captures SET rpack = ?3, roffset = ?4, rlen = ?5
                 WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1 AND rpack = ?2"
            }
        };
        self.conn.prepare_cached(sql)?.execute(params![
            id.as_bytes(),
            from,
            to,
            offset as i64,
            len as i64
        ])?;
        Ok(())
    }

    pub fn object(&self, id: &ObjectId) -> rusqlite::Result<Option<ObjectRow>> {
        let content = self
            .conn
            .prepare_cached(
                "SELECT o.id, p.name, o.offset, o.len, o.kind, o.size, o.depth
                 FROM objects o JOIN packs p ON p.id = o.pack
                 WHERE substr(o.id, 1, 8) = ?1 AND o.id = ?2",
            )?
            .query_row(params![&id.as_bytes()[..8], id.as_bytes()], object_row)
            .optional()?;
        if content.is_some() {
            return Ok(content);
        }
        self.conn
            .prepare_cached(&format!(
                "{RECORD_COLUMNS} WHERE substr(c.id, 1, 8) = ?1 AND c.id = ?2"
            ))?
            .query_row(params![&id.as_bytes()[..8], id.as_bytes()], object_row)
            .optional()
    }

    /// Every object the catalog locates: contents and capture records.
    pub fn objects(&self) -> rusqlite::Result<Vec<ObjectRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT o.id, p.name, o.offset, o.len, o.kind, o.size, o.depth
             FROM objects o JOIN packs p ON p.id = o.pack
             UNION ALL {RECORD_COLUMNS}"
        ))?;
        let rows = stmt.query_map([], object_row)?;
        rows.collect()
    }
}
