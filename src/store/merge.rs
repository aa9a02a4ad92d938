//! Merging a diverged store into this one (`vellum push`/`pull` when both
//! were written since they were last in sync).
//!
//! The two archive logs never become one chain again: this store's log only
//! grows. Every capture of the other store that this one lacks (compared by
//! capture id, never by pack name) is archived here with its objects, as a
//! capture of this store: its record keeps its exact bytes (so its id, and
//! proofs of it, stay the same), its bytes and text are compressed against
//! this store's objects, and it is appended to this log, in the other log's
//! order, after one *merge entry*: the record of the other log's size and
//! Merkle root at the merge, with its entries so that a proof of a merged
//! capture against that root can be made later (`tlog.rs`, `custody`).
//! Documents and versions follow from the records as always
//! (`history.rs`: captured-at order, ties by archiving order).
//!
//! One write under this store's writer lock (a lease on object storage, so
//! several merges into one archive serialize): the captures' bytes and texts
//! first (packs of objects no record names yet: invisible to readers, and
//! found already stored by a re-run), then every record, the merge segment
//! and the check records in the last pack, which the commit makes visible
//! with them. A kill leaves this store as it was or fully merged; a re-run
//! finishes the job, and a merge with nothing missing adds nothing. The
//! other store's feed state and notification outbox (state objects) are
//! its own and are not merged.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::archive::Archive;
use super::error::{Result, StoreError};
use super::layout::{MERGE_FORMAT, write_marker};
use super::object::Kind;
use super::record::{CaptureId, CaptureRecord};
use super::tlog::{Entry, MergeEntry};
use crate::id::ObjectId;

/// The other store's archive log at the merge: its entries (leaf data) and
/// their Merkle root, as `custody` computed them.
#[derive(Debug, Clone)]
pub struct SourceLog {
    pub entries: Vec<Entry>,
    pub root: ObjectId,
}

/// What a merge did (or, on a dry run, would do).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct MergeReport {
    /// Captures of the other store archived here.
    pub captures: usize,
    /// Check records (the monitor's) copied.
    pub checks: usize,
    /// Bytes of the objects stored (captures' bytes and texts, records,
    /// check records; before compression).
    pub bytes: u64,
    /// The other store's log at the merge: its size and root.
    pub source_size: u64,
    pub source_root: ObjectId,
    /// Position of the merge entry in this store's log (absent when
    /// nothing was merged, and on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entry: Option<u64>,
    /// Document names the two stores disagree on: reported, never joined.
    pub conflicts: Vec<NameConflict>,
}

/// Two stores naming documents differently.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "conflict", rename_all = "snake_case")]
pub enum NameConflict {
    /// One URL archived under another document name here than there.
    TwoNames {
        url: String,
        here: String,
        there: String,
    },
    /// One document name for another URL here than there.
    TwoUrls {
        doc: String,
        here: String,
        there: String,
    },
}

/// A capture to merge: its record's bytes, parsed.
struct Incoming {
    id: CaptureId,
    bytes: std::sync::Arc<Vec<u8>>,
    record: CaptureRecord,
}

impl Archive {
    /// Merges every capture (and check record) of `from` that this store
    /// lacks, given `from`'s log (see the module docs). With `dry_run`
    /// nothing is written and no lock is taken. `progress` is called with
    /// (captures done, captures to merge).
    pub fn merge_from(
        &self,
        from: &Archive,
        source: &SourceLog,
        dry_run: bool,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<MergeReport> {
        if dry_run {
            let _snapshot = self.catalog.read_snapshot();
            return self.merge_plan(from, source).map(|(r, _, _)| r);
        }
        let mut w = self.writer(&mut || {})?;
        let (mut report, incoming, checks) = self.merge_plan(from, source)?;
        report.bytes = 0;
        // Bases: the previous capture of the same document (merged or here).
        let mut last: HashMap<String, (ObjectId, ObjectId, ObjectId)> = HashMap::new();
        let mut record_base = HashMap::new();
        for (i, c) in incoming.iter().enumerate() {
            progress(i, incoming.len());
            let doc = c.record.doc.as_str().to_owned();
            let base = match last.get(&doc) {
                Some(b) => Some(*b),
                None => self
                    .cat(self.catalog.latest_capture(&doc))?
                    .map(|r| (r.content, r.vkey, r.id.0)),
            };
            record_base.insert(c.id, base.map(|b| b.2));
            let content = self.copy_object(&mut w, from, &c.record.content, base.map(|b| b.0))?;
            report.bytes += content;
            if let Some(t) = c.record.text.filter(|t| *t != c.record.content) {
                report.bytes += self.copy_object(&mut w, from, &t, base.map(|b| b.1))?;
            }
            let vkey = c.record.version_key();
            last.insert(doc, (c.record.content, vkey, c.id.0));
            w.flush_if_full()?;
        }
        if !incoming.is_empty() {
            // An older vellum must refuse a log with merge entries ("upgrade
            // vellum") rather than call them damage. A marker on object
            // storage is never replaced (no vellum older than format 4
            // reads object storage).
            if self.format < MERGE_FORMAT && !self.backend.shared() {
                write_marker(&*self.backend, MERGE_FORMAT)?;
            }
            let leaves = source.entries.iter().map(|e| *e.data()).collect();
            w.begin_merge(MergeEntry {
                root: source.root,
                leaves,
            })?;
            for c in &incoming {
                if !w.put_merged(&c.bytes, &c.record, record_base[&c.id])? {
                    return Err(StoreError::Io {
                        context: "merging".into(),
                        source: std::io::Error::other(format!(
                            "capture {} appeared here during the merge",
                            c.id.0.short()
                        )),
                    });
                }
                report.bytes += c.bytes.len() as u64;
            }
        }
        for id in &checks {
            let bytes = from.read_object(id)?;
            w.put_check(&bytes, None)?;
            report.bytes += bytes.len() as u64;
        }
        progress(incoming.len(), incoming.len());
        w.commit()?;
        if let Some(first) = incoming.first() {
            let row = self.cat(self.catalog.capture(&first.id))?;
            report.entry = row.and_then(|r| r.seq).and_then(|s| s.checked_sub(1));
        }
        Ok(report)
    }

    /// Stores `id` (an object of `from`) here unless present; returns the
    /// bytes stored.
    fn copy_object(
        &self,
        w: &mut super::Writer<'_>,
        from: &Archive,
        id: &ObjectId,
        base: Option<ObjectId>,
    ) -> Result<u64> {
        if self.cat(self.catalog.object(id))?.is_some() {
            return Ok(0);
        }
        let bytes = from.read_object(id)?;
        w.put_object(Kind::Content, &bytes, base)?;
        Ok(bytes.len() as u64)
    }

    /// What `from` holds that this store lacks: the report (bytes counted
    /// from the records), the captures in `from`'s log order (then those it
    /// has not logged yet) and the check records.
    fn merge_plan(
        &self,
        from: &Archive,
        source: &SourceLog,
    ) -> Result<(MergeReport, Vec<Incoming>, Vec<ObjectId>)> {
        let mut order: Vec<CaptureId> = source
            .entries
            .iter()
            .filter_map(|e| match e {
                Entry::Capture(c) => Some(*c),
                Entry::Merge(_) => None,
            })
            .collect();
        order.extend(from.cat(from.catalog.unlogged_captures())?);
        let mut seen = HashSet::new();
        let mut incoming = Vec::new();
        let mut bytes = 0u64;
        for id in order {
            if !seen.insert(id) || self.cat(self.catalog.capture(&id))?.is_some() {
                continue;
            }
            let raw = from.read_object(&id.0)?;
            let record = CaptureRecord::parse(&raw).map_err(|e| StoreError::Damaged {
                id: id.0,
                reason: format!("its record does not parse: {e}"),
            })?;
            bytes += raw.len() as u64 + record.size;
            incoming.push(Incoming {
                id,
                bytes: raw,
                record,
            });
        }
        let ours: HashSet<ObjectId> = self.check_ids()?.into_iter().collect();
        let mut checks: Vec<ObjectId> = from
            .check_ids()?
            .into_iter()
            .filter(|c| !ours.contains(c))
            .collect();
        checks.sort();
        let report = MergeReport {
            captures: incoming.len(),
            checks: checks.len(),
            bytes,
            source_size: source.entries.len() as u64,
            source_root: source.root,
            entry: None,
            conflicts: self.name_conflicts(&incoming)?,
        };
        Ok((report, incoming, checks))
    }

    /// URLs archived here under other names than the incoming captures
    /// give them, and names given here only to other URLs.
    fn name_conflicts(&self, incoming: &[Incoming]) -> Result<Vec<NameConflict>> {
        let mut by_url: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut by_doc: HashMap<String, BTreeSet<String>> = HashMap::new();
        for row in self.all_captures()? {
            if let Some(url) = row.url {
                by_url
                    .entry(url.clone())
                    .or_default()
                    .insert(row.doc.clone());
                by_doc.entry(row.doc).or_default().insert(url);
            }
        }
        let mut out = BTreeSet::new();
        for c in incoming {
            let Some(url) = &c.record.url else { continue };
            let doc = c.record.doc.as_str();
            let named = by_url.get(url).filter(|docs| !docs.contains(doc));
            for here in named.into_iter().flatten() {
                out.insert(NameConflict::TwoNames {
                    url: url.clone(),
                    here: here.clone(),
                    there: doc.to_owned(),
                });
            }
            let urls = by_doc.get(doc).filter(|urls| !urls.contains(url));
            for here in urls.into_iter().flatten() {
                out.insert(NameConflict::TwoUrls {
                    doc: doc.to_owned(),
                    here: here.clone(),
                    there: url.clone(),
                });
            }
        }
        Ok(out.into_iter().collect())
    }
}

impl Archive {
    /// The log segment holding position `at`, with its start (read back
    /// from its object, hash-checked).
    pub fn log_segment_at(&self, at: u64) -> Result<Option<(u64, super::tlog::Segment)>> {
        let _snapshot = self.catalog.read_snapshot();
        let segments = self.cat(self.catalog.log_segments())?;
        let Some((start, _, id)) = segments
            .into_iter()
            .find(|(start, count, _)| *start <= at && at < start + count)
        else {
            return Ok(None);
        };
        let bytes = self.read_object(&id)?;
        let segment = super::tlog::Segment::decode(&bytes)
            .map_err(|reason| StoreError::Damaged { id, reason })?;
        Ok(Some((start, segment)))
    }
}
