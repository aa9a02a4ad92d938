//! The write path: one writer at a time stages captures, seals packs and
//! commits them to the catalog.

use super::backend::Lease;
use std::collections::HashMap;
use std::sync::Arc;

use time::OffsetDateTime;

use super::archive::Archive;
use super::catalog::ObjectRow;
use super::error::Result;
use super::error::StoreError;
use super::history::History;
use super::layout::{
    MAX_CHAIN, PACK_FORMAT, PACK_TARGET, READ_CHAIN_LIMIT, RECORDSET_FORMAT, REPACK_AT,
    REPACK_SMALL, STORE_FORMAT, VACUUM_MIN_BATCH, pack_key, write_marker,
};
use super::located::{Extra, Pending, object_row};
use super::name::DocName;
use super::object::{self, BaseRef, Codec, Kind, Layout, MAX_OBJECT_SIZE};
use super::pack::{self, PackWriter};
use super::record::{self, CaptureId, CaptureRecord};
use super::{packindex, recordset, tlog};

mod repack;
mod sets;
use crate::id::{IdSet, ObjectId};

/// What a capture is, before it is archived. The store does not interpret
/// the bytes: the caller (ingest) says what their media type is and what
/// text versions compare ([`crate::ingest::describe`] does both for text
/// files).
#[derive(Debug, Clone)]
pub struct NewCapture {
    pub doc: DocName,
    pub captured_at: OffsetDateTime,
    pub bytes: Vec<u8>,
    /// Recorded as is: `text/plain`, `text/html`, `application/octet-stream`...
    pub media_type: String,
    /// The capture's text, which versions and diffs compare.
    pub text: CaptureText,
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    pub meta: std::collections::BTreeMap<String, String>,
}

impl NewCapture {
    /// A plain-text capture of `doc` at `at`: the bytes are the text, with
    /// no URL, source, title or metadata (set those on the result).
    pub fn plain_text(doc: DocName, at: OffsetDateTime, text: &str) -> NewCapture {
        NewCapture {
            doc,
            captured_at: at,
            bytes: text.as_bytes().to_vec(),
            media_type: "text/plain".into(),
            text: CaptureText::Bytes,
            url: None,
            source: None,
            title: None,
            meta: Default::default(),
        }
    }
}

/// The text of a capture, as its caller extracted it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaptureText {
    /// No text (bytes that are not text): the record's `text` is empty.
    None,
    /// The bytes are the text (plain text, Markdown): stored once, the
    /// record's `text` is its content object.
    Bytes,
    /// Text extracted from the bytes (from HTML, say): stored as its own
    /// object, delta-compressed against the document's previous text.
    Extracted(String),
}

/// What ingest learned of a web capture, kept in its record (all optional;
/// records without them keep the bytes, and ids, they always had).
#[derive(Debug, Clone, Default)]
pub struct CaptureExtra {
    /// The extractor that made the text from HTML ("name version").
    pub extractor: Option<String>,
    /// The encoding the text was decoded from.
    pub encoding: Option<String>,
    /// How sure detection was of `encoding` (0-100), when it was guessed.
    pub encoding_confidence: Option<u8>,
    /// The article's byline, taken out of its text by the extractor.
    pub byline: Option<String>,
    pub canonical_url: Option<String>,
    pub http: Option<record::HttpRecord>,
    /// Why the capture is doubtful: listed among its document's captures,
    /// never a version.
    pub flag: Option<String>,
    /// The capture whose text this one re-extracts (`vellum reextract`).
    pub supersedes: Option<CaptureId>,
}

/// Whether a capture brought a new version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    New,
    Unchanged,
    /// Archived with a flag: listed among the captures, never a version.
    Flagged,
}

/// One archived capture, as `add` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    pub doc: DocName,
    pub version: u64,
    pub capture: CaptureId,
    pub status: Status,
    pub captured_at: OffsetDateTime,
    /// The text id of this version and of the version before it (for stats).
    pub text: Option<ObjectId>,
    pub previous_text: Option<ObjectId>,
}

impl Archive {
    // ---------------------------------------------------------------- writing

    /// Starts a write: takes the store's writer lock (waiting for another
    /// writer to finish), cleans up after interrupted writes and indexes any
    /// pack an interrupted writer made durable but did not catalog.
    /// `on_wait` is called once if the lock is busy.
    pub fn writer(&self, on_wait: &mut dyn FnMut()) -> Result<Writer<'_>> {
        if self.catalog_outdated {
            return Err(StoreError::Io {
                context: "opening the store for writing".into(),
                source: std::io::Error::other(
                    "its catalog is an older vellum's (open it with Archive::open_writable)",
                ),
            });
        }
        let lock = match self
            .backend
            .try_lock()
            .map_err(StoreError::io("taking the writer lock"))?
        {
            Some(lock) => lock,
            None => {
                on_wait();
                self.backend
                    .lock()
                    .map_err(StoreError::io("waiting for the writer lock"))?
            }
        };
        self.backend
            .remove_partial_writes()
            .map_err(StoreError::io("removing partial writes"))?;
        self.cat(self.catalog.begin())?;
        let mut writer = Writer {
            archive: self,
            lock: Some(lock),
            codec: Codec::default(),
            pending: Pending::default(),
            staged: Vec::new(),
            written: Vec::new(),
            done: false,
            log: LogState::default(),
            compact: self.format >= PACK_FORMAT || !self.backend.shared(),
            marked: 0,
            records: Records::default(),
        };
        writer.records.on = writer.compact
            && (self.format >= RECORDSET_FORMAT || !self.backend.shared())
            && !self.backend.pack_indexes();
        let known: std::collections::HashSet<String> = self
            .cat(self.catalog.packs())?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        // Smallest first: after a merge interrupted before its commit, the
        // batch's own small pack is indexed and the merged pack, whose every
        // object is then stored elsewhere, removed.
        let mut candidates: Vec<(String, u64)> = self
            .pack_listing()?
            .into_iter()
            .filter(|(name, _)| !known.contains(name))
            .collect();
        candidates.sort_by_key(|(name, size)| (*size, name.clone()));
        let mut unknown = Vec::new();
        let mut covered = IdSet::default();
        for (name, size) in candidates {
            if self.backend.shared() {
                // Another machine may know any pack: none is ever removed.
                unknown.push((name, size));
                continue;
            }
            match self.redundancy(&name, &covered)? {
                None => {
                    // Left by a merge interrupted before or after its commit:
                    // every object in it is stored elsewhere.
                    self.backend
                        .delete(&pack_key(&name))
                        .map_err(StoreError::io(format!("removing redundant pack {name}")))?;
                }
                Some(ids) => {
                    covered.extend(ids);
                    unknown.push((name, size));
                }
            }
        }
        self.index_packs(&unknown)?;
        if let Some((start, count, id)) = self.cat(self.catalog.log_segments())?.pop() {
            writer.log.next = start + count;
            writer.log.prev = Some(id);
        }
        Ok(writer)
    }
}

/// A staged capture, reported once the write commits.
struct Staged {
    doc: DocName,
    capture: CaptureId,
    /// Whether the capture was new to the store (not a re-run).
    new: bool,
    captured_at: OffsetDateTime,
    text: bool,
}

/// Where the archive log stands for a writer.
#[derive(Default)]
struct LogState {
    /// Position the next logged capture takes.
    next: u64,
    /// The last segment written.
    prev: Option<ObjectId>,
    /// Captures logged by this write and not yet in a segment, in order.
    unwritten: Vec<CaptureId>,
    /// Whether captures an older vellum archived have been logged.
    adopted: bool,
    /// A merge entry to write first in the next segment (`merge.rs`).
    merge: Option<tlog::MergeEntry>,
    /// Segments in the pack being written: start, count, id.
    segments: Vec<(u64, u64, ObjectId)>,
}

/// An open write: one durable commit for any number of captures.
/// Dropping it without [`Writer::commit`] rolls the catalog back.
pub struct Writer<'a> {
    archive: &'a Archive,
    lock: Option<Lease>,
    codec: Codec,
    pending: Pending,
    staged: Vec<Staged>,
    /// Packs this writer created, removed again if it does not commit.
    written: Vec<String>,
    done: bool,
    log: LogState,
    /// Whether this writer's packs hold compact entries (store format 5):
    /// always on a local store, whose marker it raises before the first such
    /// pack; on shared storage (a marker written once) only if the store is
    /// format 5 already.
    compact: bool,
    /// The format this writer raised the marker to (0: none).
    marked: u32,
    /// Capture records staged for the next record set.
    records: Records,
}

/// Capture records waiting to be written as one record set (store format
/// 7, `recordset.rs`), and the sets in the pack being written.
#[derive(Default)]
struct Records {
    /// Whether this writer writes record sets: a local store (whose marker
    /// it raises to 7 before the first pack holding one); on object storage
    /// only a store created at format 7 without pack index objects.
    on: bool,
    /// Records not yet in a set: id, bytes, the delta base a record
    /// written alone takes (its document's previous record).
    staged: Vec<(ObjectId, Vec<u8>, Option<ObjectId>)>,
    ids: IdSet,
    /// The sets in the pending pack: their entry and records (id, size).
    sets: Vec<(pack::Entry, Vec<(ObjectId, usize)>)>,
}

impl Writer<'_> {
    /// Stages one capture. Nothing is acknowledged before [`Writer::commit`].
    pub fn add(&mut self, c: NewCapture) -> Result<()> {
        self.add_with(c, CaptureExtra::default())
    }

    /// Stages one capture whose record carries `flag` (why it is doubtful):
    /// listed among its document's captures, never a version.
    pub fn add_flagged(&mut self, c: NewCapture, flag: String) -> Result<()> {
        self.add_with(
            c,
            CaptureExtra {
                flag: Some(flag),
                ..CaptureExtra::default()
            },
        )
    }

    /// Stages one capture with what ingest learned of it (web metadata).
    pub fn add_with(&mut self, c: NewCapture, extra: CaptureExtra) -> Result<()> {
        let a = self.archive;
        if c.bytes.len() > MAX_OBJECT_SIZE {
            return Err(StoreError::TooLarge {
                size: c.bytes.len() as u64,
                limit: MAX_OBJECT_SIZE as u64,
            });
        }
        if record::canonical_time(c.captured_at).is_none() {
            return Err(StoreError::BadTime(c.captured_at.to_string()));
        }
        let latest = a.cat(a.catalog.latest_capture(c.doc.as_str()))?;
        let content_base = self.choose_base(
            &c.doc,
            latest.as_ref().map(|l| l.content),
            c.source.as_deref(),
        )?;
        let content = self.put(Kind::Content, &c.bytes, content_base)?;
        let text = match &c.text {
            CaptureText::None => None,
            CaptureText::Bytes => Some(content),
            CaptureText::Extracted(t) if t.as_bytes() == c.bytes.as_slice() => Some(content),
            CaptureText::Extracted(t) => {
                let base = latest.as_ref().map(|l| l.vkey).or(content_base);
                Some(self.put(Kind::Content, t.as_bytes(), base)?)
            }
        };
        let record = CaptureRecord {
            vellum: record::RECORD_FORMAT,
            doc: c.doc.clone(),
            captured_at: c.captured_at,
            content,
            size: c.bytes.len() as u64,
            text,
            media_type: c.media_type,
            url: c.url,
            source: c.source,
            title: c.title,
            meta: c.meta,
            extractor: extra.extractor,
            encoding: extra.encoding,
            encoding_confidence: extra.encoding_confidence,
            byline: extra.byline,
            canonical_url: extra.canonical_url,
            http: extra.http,
            flag: extra.flag,
            supersedes: extra.supersedes,
        };
        let canonical = record.to_canonical();
        let capture = CaptureId(self.put_record(canonical, latest.map(|l| l.id.0))?);
        // The same document, time, bytes and metadata are the same capture:
        // archived (and logged) once, however often a batch is re-run.
        let new = a.cat(a.catalog.capture(&capture))?.is_none();
        if new {
            self.adopt_unlogged()?;
            let seq = self.log.next;
            a.cat(a.catalog.insert_capture(&capture, &record, Some(seq)))?;
            self.log.next += 1;
            self.log.unwritten.push(capture);
        }
        // A full set is written once its last capture is logged (so the
        // log segment of the same captures can be written against it).
        if self.records.staged.len() >= recordset::MAX_RECORDS {
            self.write_records()?;
        }
        self.staged.push(Staged {
            doc: c.doc,
            capture,
            new,
            captured_at: record.captured_at,
            text: text.is_some(),
        });
        if self.pending.pack.len() >= PACK_TARGET {
            self.flush()?;
        }
        Ok(())
    }

    /// Logs the captures an older vellum (or a write that crashed before
    /// logging them) archived, before this write's own: in captured-at
    /// order, ties by capture id, as readers already order them.
    fn adopt_unlogged(&mut self) -> Result<()> {
        if self.log.adopted {
            return Ok(());
        }
        self.log.adopted = true;
        let a = self.archive;
        for id in a.cat(a.catalog.unlogged_captures())? {
            a.cat(a.catalog.set_seq(&id, self.log.next))?;
            self.log.next += 1;
            self.log.unwritten.push(id);
        }
        Ok(())
    }

    /// Chain depth of a stored or pending object (`None` if unknown).
    fn depth_of(&self, id: &ObjectId) -> Result<Option<u32>> {
        if let Some((_, d)) = self.pending.entries.get(id) {
            return Ok(Some(*d));
        }
        let a = self.archive;
        Ok(a.cat(a.catalog.object(id))?.map(|r| r.depth))
    }

    /// The delta base for a new version of `doc`: the previous version while
    /// its chain is short; when the chain is full, an earlier version found by
    /// clearing low bits of the version index (Subversion's skip-deltas), so
    /// chains stay bounded without the cost of a full keyframe. A document's
    /// first capture is compressed against the latest capture from the same
    /// source (sites share boilerplate).
    fn choose_base(
        &self,
        doc: &DocName,
        prev: Option<ObjectId>,
        source: Option<&str>,
    ) -> Result<Option<ObjectId>> {
        let a = self.archive;
        let usable = |id: &ObjectId| -> Result<bool> {
            Ok(self.depth_of(id)?.is_some_and(|d| d < MAX_CHAIN))
        };
        let Some(prev) = prev else {
            let from_source = match source {
                Some(s) => a.cat(a.catalog.latest_from_source(s))?,
                None => None,
            };
            return Ok(match from_source {
                Some(b) if usable(&b)? => Some(b),
                _ => None,
            });
        };
        if usable(&prev)? {
            return Ok(Some(prev));
        }
        let history = a.history(doc.as_str())?;
        let versions = &history.versions;
        let mut i = versions.len();
        while i > 0 {
            i &= i - 1;
            let candidate = versions[i].key;
            if usable(&candidate)? {
                return Ok(Some(candidate));
            }
        }
        Ok(None)
    }

    /// [`Writer::put`] for the store's other modules (state objects).
    pub(super) fn put_object(
        &mut self,
        kind: Kind,
        data: &[u8],
        base: Option<ObjectId>,
    ) -> Result<ObjectId> {
        self.put(kind, data, base)
    }

    /// Stores an object unless present, as a delta against `base` when the
    /// chain stays short. Returns its id.
    fn put(&mut self, kind: Kind, data: &[u8], base: Option<ObjectId>) -> Result<ObjectId> {
        let a = self.archive;
        let id = ObjectId::of(data);
        if self.pending.entries.contains_key(&id) || a.cat(a.catalog.object(&id))?.is_some() {
            return Ok(id);
        }
        let base_depth = match base {
            Some(b) => match self.pending.entries.get(&b) {
                Some((_, d)) => Some(*d),
                None => a.cat(a.catalog.object(&b))?.map(|r| r.depth),
            },
            None => None,
        };
        let base = match (base, base_depth) {
            (Some(b), Some(d)) if d < MAX_CHAIN => Some((b, d)),
            _ => None,
        };
        let base_bytes = match base {
            // An unreadable base only costs compression, never the write.
            Some((b, _)) => a
                .read_with(&b, Extra::Pending(&self.pending), READ_CHAIN_LIMIT)
                .ok(),
            None => None,
        };
        let (with, depth) = match (base, &base_bytes) {
            (Some((b, d)), Some(bytes)) => {
                // A base in the pack being written is named by its offset
                // (4 bytes instead of 32).
                let r = match self.pending.entries.get(&b) {
                    Some((e, _)) => BaseRef::Offset(e.offset as u32),
                    None => BaseRef::Id(b),
                };
                (Some((r, bytes.as_slice())), d + 1)
            }
            _ => (None, 0),
        };
        // A compact entry leaves its id out when this pack alone decodes it
        // (`pack::scan` then hashes it): the catalog says where each id is.
        let layout = match with.map(|(r, _)| r) {
            _ if !self.compact => Layout::Classic,
            None => Layout::Compact { id: false },
            Some(BaseRef::Offset(o)) => Layout::Compact {
                id: !self.pending.pack.contained(u64::from(o)),
            },
            Some(BaseRef::Id(_)) => Layout::Compact { id: true },
        };
        let (_, encoded) = object::encode_as(self.codec, layout, kind, data, with)
            .map_err(StoreError::io("compressing an object"))?;
        let entry = self.pending.pack.push(&encoded, id);
        self.pending.entries.insert(id, (entry, depth));
        Ok(id)
    }

    /// Seals the pending pack, makes it durable and catalogs its objects.
    /// The captures logged since the last flush go into the same pack as a
    /// log segment, so a crash keeps their records and their order together.
    fn flush(&mut self) -> Result<()> {
        let a = self.archive;
        self.write_records()?;
        self.write_segment(None)?;
        let segments = std::mem::take(&mut self.log.segments);
        if self.pending.pack.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let depths: HashMap<ObjectId, u32> = pending
            .entries
            .iter()
            .map(|(id, (_, d))| (*id, *d))
            .collect();
        // Records (and state objects) that are deltas against an object of
        // another pack go into the pack's index object without their base.
        let mut standalone: HashMap<ObjectId, Vec<u8>> = HashMap::new();
        if a.backend.pack_indexes() {
            for (id, (e, _)) in &pending.entries {
                if packindex::wanted(e.header.kind)
                    && matches!(e.header.base, Some(BaseRef::Id(_)))
                    && let Ok(b) = a.read_with(id, Extra::Pending(&pending), READ_CHAIN_LIMIT)
                {
                    standalone.insert(*id, b.to_vec());
                }
            }
        }
        let (name, bytes, entries) = pending.pack.finish();
        let sets = std::mem::take(&mut self.records.sets);
        let needed = if !sets.is_empty() {
            RECORDSET_FORMAT
        } else if self.compact {
            PACK_FORMAT
        } else {
            0
        };
        if needed > a.format.max(self.marked) {
            // Before the pack: an older vellum must never meet an entry it
            // cannot parse in a store whose marker it accepts.
            write_marker(&*a.backend, needed)?;
            self.marked = needed;
        }
        self.put_pack(&name, &bytes)?;
        a.put_pack_index(&name, &bytes, &entries, &mut |id| standalone.remove(id));
        let pack_id = a.cat(a.catalog.add_pack(&name, bytes.len() as u64))?;
        for e in &entries {
            let row = object_row(&name, e, depths[&e.header.id]);
            a.cat(a.catalog.insert_object(pack_id, &row))?;
        }
        // A record in a set is located at its set.
        for (set, records) in &sets {
            for (id, size) in records {
                let row = ObjectRow {
                    id: *id,
                    kind: Kind::Record,
                    size: *size as u64,
                    ..object_row(&name, set, 0)
                };
                a.cat(a.catalog.insert_object(pack_id, &row))?;
            }
        }
        for (start, count, id) in segments {
            a.cat(a.catalog.add_log_segment(start, count, &id))?;
        }
        Ok(())
    }

    /// Starts logging a merge (`merge.rs`): the entries logged so far go
    /// into their own segment, then `entry` takes the next position and the
    /// captures given to [`Writer::put_merged`] follow it, all in one
    /// segment written by the commit.
    pub(super) fn begin_merge(&mut self, entry: tlog::MergeEntry) -> Result<()> {
        self.adopt_unlogged()?;
        if !self.log.unwritten.is_empty() {
            self.flush()?;
        }
        self.log.merge = Some(entry);
        self.log.next += 1;
        Ok(())
    }

    /// Archives a capture of another store by its record's exact bytes (so
    /// its id stays the same), compressed against `base`, and logs it
    /// after the merge entry. Its objects must be stored already. Returns
    /// whether it was new here.
    pub(super) fn put_merged(
        &mut self,
        record_bytes: &[u8],
        record: &CaptureRecord,
        base: Option<ObjectId>,
    ) -> Result<bool> {
        debug_assert!(self.log.merge.is_some(), "begin_merge comes first");
        let a = self.archive;
        let capture = CaptureId(self.put(Kind::Record, record_bytes, base)?);
        if a.cat(a.catalog.capture(&capture))?.is_some() {
            return Ok(false);
        }
        a.cat(
            a.catalog
                .insert_capture(&capture, record, Some(self.log.next)),
        )?;
        self.log.next += 1;
        self.log.unwritten.push(capture);
        Ok(true)
    }

    /// Seals the pending pack once it is [`PACK_TARGET`] big (objects a
    /// merge stores before its records: no log entry is pending then).
    /// Stores a finished pack under its name, never over one already there,
    /// and remembers the packs this writer created (removed again if it does
    /// not commit).
    fn put_pack(&mut self, name: &str, bytes: &[u8]) -> Result<()> {
        let written = self
            .archive
            .backend
            .put_if_absent(&pack_key(name), bytes)
            .map_err(StoreError::io(format!("writing pack {name}")))?;
        if written {
            self.written.push(name.to_owned());
        }
        Ok(())
    }

    pub(super) fn flush_if_full(&mut self) -> Result<()> {
        if self.pending.pack.len() >= PACK_TARGET && self.log.unwritten.is_empty() {
            self.flush()?;
        }
        Ok(())
    }

    /// The capture staged last (to stage more about it in the same write).
    pub fn last_staged(&self) -> Option<CaptureId> {
        self.staged.last().map(|s| s.capture)
    }

    /// The store being written (reads see the staged captures).
    pub fn archive(&self) -> &Archive {
        self.archive
    }

    /// Makes every staged object durable (not yet acknowledged: that is
    /// [`Writer::commit`]) and returns the staged captures in staging order,
    /// numbered as they will be after the commit.
    pub fn prepare(&mut self) -> Result<Vec<Added>> {
        self.flush()?;
        let a = self.archive;
        // Each document's history once, with the version each capture saw
        // (a batch may stage thousands of captures of one document).
        let mut histories: HashMap<DocName, (Arc<History>, HashMap<CaptureId, u64>)> =
            HashMap::new();
        let mut out = Vec::with_capacity(self.staged.len());
        for s in &self.staged {
            if !histories.contains_key(&s.doc) {
                let h = a.history(s.doc.as_str())?;
                let seen = h.captures.iter().map(|(c, _, v)| (*c, *v)).collect();
                histories.insert(s.doc.clone(), (h, seen));
            }
            let (history, seen) = &histories[&s.doc];
            let number = *seen
                .get(&s.capture)
                .expect("staged capture is in the catalog");
            let Some(version) = number.checked_sub(1).map(|i| &history.versions[i as usize]) else {
                out.push(Added {
                    doc: s.doc.clone(),
                    version: 0,
                    capture: s.capture,
                    status: Status::Flagged,
                    captured_at: s.captured_at,
                    text: None,
                    previous_text: None,
                });
                continue;
            };
            // New only when this capture brought a text other than the one
            // current at its time (a revert to an older text included).
            let status = if s.new && version.capture == s.capture {
                Status::New
            } else {
                Status::Unchanged
            };
            out.push(Added {
                doc: s.doc.clone(),
                version: number,
                capture: s.capture,
                status,
                captured_at: s.captured_at,
                text: s.text.then_some(version.key),
                previous_text: (number > 1).then(|| history.versions[number as usize - 2].key),
            });
        }
        Ok(out)
    }

    /// Acknowledges every staged capture: after this returns they are durable
    /// and visible to readers.
    pub fn commit(self) -> Result<()> {
        self.finish().map(drop)
    }

    /// Commits and hands back the writer lock, for callers that must do more
    /// under it.
    pub(super) fn finish(mut self) -> Result<Lease> {
        self.flush()?;
        let obsolete = self.repack_small_packs()?;
        let a = self.archive;
        a.cat(a.catalog.commit())?;
        self.done = true;
        // The merged pack is durable and committed; the packs it replaces
        // go. A crash before this leaves them behind, redundant: the next
        // writer removes them (see `writer`).
        for name in &obsolete {
            let _ = a.backend.delete(&pack_key(name));
        }
        // A bulk import leaves B-tree pages (keyed by random ids) about 70%
        // full. When this write added a quarter or more of all captures,
        // compact the catalog: amortized, that is O(1) per capture. Best
        // effort: the captures are committed whatever happens here.
        let added = self.staged.len();
        if added >= VACUUM_MIN_BATCH
            && let Ok(total) = a.catalog.capture_count()
            && added * 4 >= total
        {
            let _ = a.catalog.vacuum();
        }
        Ok(self.lock.take().expect("the lock is held until finish"))
    }
}

impl Drop for Writer<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.archive.catalog.rollback();
            // A write that failed cleanly leaves nothing behind (a crash may
            // leave a durable pack, which the next writer indexes).
            // On shared storage another machine may already have indexed
            // the pack: it stays, and its captures are archived though not
            // acknowledged here.
            let written = if self.archive.backend.shared() {
                &[][..]
            } else {
                &self.written[..]
            };
            for name in written {
                let _ = self.archive.backend.delete(&pack_key(name));
            }
        }
    }
}
