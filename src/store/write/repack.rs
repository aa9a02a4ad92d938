//! Merging small packs into one (see [`REPACK_AT`]).

use super::*;

impl Writer<'_> {
    /// Merges the small packs into one when there are [`REPACK_AT`] of them
    /// (inside this write's transaction). Frames are copied, not recompressed;
    /// in-pack base offsets are rewritten. Damaged packs are left alone.
    /// Returns the packs to delete once the transaction commits.
    pub(super) fn repack_small_packs(&mut self) -> Result<Vec<String>> {
        let a = self.archive;
        if a.backend.shared() {
            // Other machines' catalogs name the small packs: they stay.
            return Ok(Vec::new());
        }
        let small: Vec<String> = a
            .cat(a.catalog.packs())?
            .into_iter()
            .filter(|(_, size)| *size < REPACK_SMALL)
            .map(|(name, _)| name)
            .collect();
        if small.len() < REPACK_AT {
            return Ok(Vec::new());
        }
        let mut w = PackWriter::default();
        let mut moves = Vec::new();
        let mut merged = Vec::new();
        for name in &small {
            let Ok(bytes) = a.backend.get(&pack_key(name)) else {
                continue;
            };
            let scan = pack::scan(&bytes, Some(name));
            if !scan.intact || !scan.problems.is_empty() {
                continue;
            }
            // Old offset -> new offset and length (a rebased entry's varint
            // base offset may take another byte).
            let mut new_offset: HashMap<u64, (u64, u64)> = HashMap::new();
            for e in &scan.entries {
                if e.in_set {
                    // Its set, just copied, holds it.
                    let (to, len) = new_offset[&e.offset];
                    moves.push((e.header.id, e.header.kind, name.clone(), to, len));
                    continue;
                }
                let start = e.offset as usize;
                let raw = &bytes[start..start + e.header.entry_len()];
                let raw = match e.header.base {
                    Some(BaseRef::Offset(o)) => {
                        let to = new_offset[&u64::from(o)].0 as u32;
                        object::rebase(raw, to).map_err(|err| StoreError::Damaged {
                            id: e.header.id,
                            reason: err.to_string(),
                        })?
                    }
                    _ => raw.to_vec(),
                };
                let entry = w.push(&raw, e.header.id);
                let len = raw.len() as u64;
                new_offset.insert(e.offset, (entry.offset, len));
                moves.push((e.header.id, e.header.kind, name.clone(), entry.offset, len));
            }
            merged.push(name.clone());
        }
        if merged.len() < 2 {
            return Ok(Vec::new());
        }
        let (name, bytes, _) = w.finish();
        self.put_pack(&name, &bytes)?;
        let to = a.cat(a.catalog.add_pack(&name, bytes.len() as u64))?;
        let mut ids: HashMap<String, i64> = HashMap::new();
        for old in &merged {
            if let Some(id) = a.cat(a.catalog.pack_id(old))? {
                ids.insert(old.clone(), id);
            }
        }
        for (id, kind, old, offset, len) in &moves {
            if let Some(&from) = ids.get(old) {
                a.cat(a.catalog.move_object(id, *kind, from, to, (*offset, *len)))?;
            }
        }
        for id in ids.values() {
            a.cat(a.catalog.remove_pack(*id))?;
        }
        Ok(merged)
    }
}
