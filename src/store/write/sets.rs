//! Record sets (store format 7) on the write path: capture records staged
//! until a set is full or the pack is sealed, and the log segment written
//! against a set's ids.

use super::*;

impl Writer<'_> {
    /// Stages a capture record for the next record set, or stores it as its
    /// own entry (against `base`, `put` storing it whole if the previous
    /// record's chain is full) when this writer writes no sets.
    pub(super) fn put_record(
        &mut self,
        bytes: Vec<u8>,
        base: Option<ObjectId>,
    ) -> Result<ObjectId> {
        if !self.records.on {
            return self.put(Kind::Record, &bytes, base);
        }
        let a = self.archive;
        let id = ObjectId::of(&bytes);
        if self.records.ids.contains(&id)
            || self.pending.entries.contains_key(&id)
            || a.cat(a.catalog.object(&id))?.is_some()
        {
            return Ok(id);
        }
        self.records.ids.insert(id);
        self.records.staged.push((id, bytes, base));
        Ok(id)
    }

    /// Writes the staged records into the pending pack: as one record set,
    /// or one alone as its own entry (a set of one would only cost bytes).
    pub(super) fn write_records(&mut self) -> Result<()> {
        let staged = std::mem::take(&mut self.records.staged);
        self.records.ids = IdSet::default();
        if staged.len() < recordset::MIN_RECORDS {
            for (_, bytes, base) in staged {
                self.put(Kind::Record, &bytes, base)?;
            }
            return Ok(());
        }
        let refs: Vec<&[u8]> = staged.iter().map(|(_, b, _)| b.as_slice()).collect();
        let set = recordset::encode(&refs);
        let layout = Layout::Compact { id: true };
        let (id, encoded) = object::encode_as(self.codec, layout, Kind::RecordSet, &set, None)
            .map_err(StoreError::io("compressing a record set"))?;
        let entry = self.pending.pack.push(&encoded, id);
        self.pending.entries.insert(id, (entry, 0));
        let records: Vec<(ObjectId, usize)> =
            staged.iter().map(|(r, b, _)| (*r, b.len())).collect();
        // The usual case (no merge, no older captures being logged): the
        // captures to log are this set's, in its order.
        let same = self.log.merge.is_none()
            && self.log.unwritten.len() == records.len()
            && self
                .log
                .unwritten
                .iter()
                .zip(&records)
                .all(|(c, (r, _))| c.0 == *r);
        self.records.sets.push((entry, records));
        if same {
            let ids = recordset::ids(&set).map_err(|e| StoreError::Damaged {
                id,
                reason: e.to_string(),
            })?;
            self.write_segment(Some((entry.offset, ids)))?;
        }
        Ok(())
    }

    /// Writes the captures logged since the last segment as one segment,
    /// in the pack being written (see [`Writer::flush`]). `against`: the
    /// offset of the record set holding exactly those captures' records, in
    /// the same order, and the records' ids: the segment is then stored as
    /// a delta against those ids (store format 7, `chain.rs`), a few bytes
    /// where it took 32 a capture.
    pub(super) fn write_segment(&mut self, against: Option<(u64, Vec<u8>)>) -> Result<()> {
        let a = self.archive;
        if self.log.unwritten.is_empty() {
            return Ok(());
        }
        let captures = std::mem::take(&mut self.log.unwritten);
        let merge = self.log.merge.take();
        let seg = tlog::Segment {
            start: self.log.next - captures.len() as u64 - u64::from(merge.is_some()),
            prev: self.log.prev,
            merge,
            captures,
        };
        let data = seg.encode();
        let id = match against {
            Some((offset, ids)) => {
                let id = ObjectId::of(&data);
                let with = Some((BaseRef::Offset(offset as u32), ids.as_slice()));
                let layout = Layout::Compact { id: true };
                let (_, encoded) = object::encode_as(self.codec, layout, Kind::Log, &data, with)
                    .map_err(StoreError::io("compressing a log segment"))?;
                let entry = self.pending.pack.push(&encoded, id);
                self.pending.entries.insert(id, (entry, 1));
                id
            }
            None => self.put(Kind::Log, &data, None)?,
        };
        self.log.prev = Some(id);
        self.log.segments.push((seg.start, seg.len(), id));
        if a.format < 2 {
            // An older vellum must not read a store with a log as if it
            // had none: it refuses format 2 with "upgrade vellum".
            write_marker(&*a.backend, STORE_FORMAT)?;
        }
        Ok(())
    }
}
