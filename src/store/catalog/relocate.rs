//! What `vellum repair` changes in the catalog: objects located anew in the
//! packs it writes, and the damaged packs it retires.

use rusqlite::params;

use crate::store::object::Kind;

use super::{Catalog, ObjectRow};

impl Catalog {
    /// Points an object at a new copy of it, whatever its encoding there
    /// (`vellum repair` writes healed objects whole: another length, depth 0).
    pub fn relocate_object(&self, pack: i64, row: &ObjectRow) -> rusqlite::Result<()> {
        let sql = match row.kind {
            Kind::Content | Kind::Log | Kind::State | Kind::Check | Kind::RecordSet => {
                "UPDATE objects SET pack = ?2, offset = ?3, len = ?4, depth = ?5
                 WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1 AND pack IS NOT NULL"
            }
            Kind::Record => {
                "UPDATE captures SET rpack = ?2, roffset = ?3, rlen = ?4, rdepth = ?5
                 WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1"
            }
        };
        self.conn.prepare_cached(sql)?.execute(params![
            row.id.as_bytes(),
            pack,
            row.offset as i64,
            row.len as i64,
            row.depth
        ])?;
        Ok(())
    }

    /// Forgets where an object is (`vellum repair` of a record set whose
    /// records it wrote elsewhere, one by one); its row stays, unlocated.
    pub fn unlocate(&self, id: &crate::id::ObjectId) -> rusqlite::Result<()> {
        self.conn.execute(
            "UPDATE objects SET pack = NULL, offset = NULL, len = NULL, kind = NULL, \
             size = NULL, depth = NULL WHERE substr(id, 1, 8) = substr(?1, 1, 8) AND id = ?1",
            [id.as_bytes()],
        )?;
        Ok(())
    }

    /// Forgets a retired pack and every location in it (`vellum repair`:
    /// what was not rewritten elsewhere is lost, and a later heal must be
    /// able to locate it anew).
    pub fn drop_pack(&self, id: i64) -> rusqlite::Result<()> {
        // The rows stay (captures and caches refer to them), unlocated.
        self.conn.execute(
            "UPDATE objects SET pack = NULL, offset = NULL, len = NULL, kind = NULL, \
             size = NULL, depth = NULL WHERE pack = ?1",
            [id],
        )?;
        self.conn.execute(
            "UPDATE captures SET rpack = NULL, roffset = NULL, rlen = NULL, rsize = NULL, \
             rdepth = NULL WHERE rpack = ?1",
            [id],
        )?;
        self.remove_pack(id)
    }
}
