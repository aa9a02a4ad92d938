//! The read path: objects by id (walking delta chains), records, and the
//! catalog's views of documents and captures.

use std::sync::Arc;

use super::address::{self, Address, Resolved};
use super::archive::Archive;
use super::catalog::{self, CaptureRow, DocSummary, ObjectRow};
use super::chain;
use super::error::Result;
use super::error::StoreError;
use super::history::History;
use super::layout::{READ_CHAIN_LIMIT, pack_key};
use super::located::Extra;
use super::name::DocName;
use super::object::{self, BaseRef};
use super::record::CaptureId;
use super::record::CaptureRecord;
use crate::id::ObjectId;
use chain::{ChainError, RawEntry};

impl Archive {
    // ---------------------------------------------------------------- reading

    /// The bytes of an object, checked against its id.
    pub fn read_object(&self, id: &ObjectId) -> Result<Arc<Vec<u8>>> {
        let _snapshot = self.catalog.read_snapshot();
        self.read_with(id, Extra::None, READ_CHAIN_LIMIT)
    }

    /// Reads an object through the one chain walker ([`chain::decode`]),
    /// locating entries in the catalog and in `extra`.
    pub(super) fn read_with(
        &self,
        id: &ObjectId,
        extra: Extra<'_>,
        budget: u32,
    ) -> Result<Arc<Vec<u8>>> {
        let source = StoreEntries {
            archive: self,
            extra,
        };
        chain::decode(&source, &self.cache, id, None, budget)
            .map_err(|e| e.into_store_error(READ_CHAIN_LIMIT))
    }

    /// Holds one consistent view of the catalog until dropped, so that a
    /// caller's several reads (resolve, row, object) see one state and take
    /// the catalog's lock once. Nested reads join it.
    pub fn read_view(&self) -> catalog::ReadSnapshot<'_> {
        self.catalog.read_snapshot()
    }

    /// Lets go of a caller's read view until dropped (then a new one
    /// begins, seeing what was written meanwhile): an index's catch-up
    /// inside a long-held view (a web request's) reads in views of its own,
    /// a batch at a time, so that writers can commit between them.
    pub fn pause_view(&self) -> catalog::PausedRead<'_> {
        self.catalog.pause_read()
    }

    /// The capture record of a capture.
    pub fn record(&self, id: &CaptureId) -> Result<CaptureRecord> {
        let bytes = self.read_object(&id.0)?;
        CaptureRecord::parse(&bytes).map_err(|e| StoreError::Damaged {
            id: id.0,
            reason: format!("not a capture record: {e}"),
        })
    }

    /// Every document with its counts.
    pub fn documents(&self) -> Result<Vec<DocSummary>> {
        self.cat(self.catalog.doc_summaries())
    }

    /// A document's history: its versions (numbered from 1) and which one
    /// each capture saw. Empty for an unknown document.
    pub fn history(&self, doc: &str) -> Result<Arc<History>> {
        self.cat(self.catalog.doc_history(doc))
    }

    /// Every capture of a document in history order.
    pub fn captures(&self, doc: &str) -> Result<Vec<CaptureRow>> {
        self.cat(self.catalog.doc_captures(doc))
    }

    /// The document a canonical URL belongs to: that of its earliest-archived
    /// capture, if any (one document per article, however its URL was
    /// decorated; `--doc` overrides it for one capture).
    pub fn doc_for_canonical_url(&self, url: &str) -> Result<Option<DocName>> {
        let name = self.cat(self.catalog.doc_for_canonical_url(url))?;
        Ok(name.and_then(|n| n.parse().ok()))
    }

    /// The catalog row of a capture.
    pub fn capture_row(&self, id: &CaptureId) -> Result<Option<CaptureRow>> {
        self.cat(self.catalog.capture(id))
    }

    /// The archive log: every logged capture id in archiving order, and how
    /// many captures are not logged yet (archived by an older vellum; the
    /// next write logs them).
    pub fn log(&self) -> Result<(Vec<CaptureId>, usize)> {
        let (logged, _, unlogged) = self.log_since(0)?;
        Ok((logged, unlogged))
    }

    /// How many captures the archive log holds, and how many are not in it
    /// yet.
    pub fn log_counts(&self) -> Result<(usize, usize)> {
        self.cat(self.catalog.log_counts())
    }

    /// The archive log from position `from` on (what a derived index that
    /// has taken in `from` entries lacks), with how many entries the log
    /// holds and how many captures are not in it yet. Reads only the new
    /// entries, however long the log.
    pub fn log_since(&self, from: usize) -> Result<(Vec<CaptureId>, usize, usize)> {
        let _snapshot = self.catalog.read_snapshot();
        let (logged, unlogged) = self.cat(self.catalog.log_counts())?;
        let since = if from < logged {
            self.cat(self.catalog.logged_since(from as u64))?
        } else {
            Vec::new()
        };
        Ok((since, logged, unlogged))
    }

    /// How many captures the catalog holds (a high-water mark for caches
    /// derived from it, such as the search index: captures are never removed).
    pub fn capture_count(&self) -> Result<usize> {
        self.cat(self.catalog.capture_count())
    }

    /// Every capture, by document then history order.
    pub fn all_captures(&self) -> Result<Vec<CaptureRow>> {
        let _snapshot = self.catalog.read_snapshot();
        self.cat(self.catalog.captures())
    }

    /// The captures archived after archive-log position `seq`, in log
    /// order, then any not logged yet (derived indexes catch up with it).
    pub fn captures_since(&self, seq: u64) -> Result<Vec<CaptureRow>> {
        let _snapshot = self.catalog.read_snapshot();
        self.cat(self.catalog.captures_since(seq))
    }

    /// Resolves an address to one capture.
    pub fn resolve(&self, addr: &Address) -> Result<Resolved> {
        let _snapshot = self.catalog.read_snapshot();
        address::resolve(self, addr)
    }

    /// Caches word statistics (computed by the caller, which owns the diff).
    pub fn cache_words(&self, text: &ObjectId, words: u64) -> Result<()> {
        self.cat(self.catalog.set_text_words(text, words))
    }

    pub fn cache_change(
        &self,
        old: &ObjectId,
        new: &ObjectId,
        added: u64,
        removed: u64,
    ) -> Result<()> {
        self.cat(self.catalog.set_change_words(old, new, added, removed))
    }

    pub fn cached_words(&self, text: &ObjectId) -> Result<Option<u64>> {
        self.cat(self.catalog.text_words(text))
    }

    pub fn cached_change(&self, old: &ObjectId, new: &ObjectId) -> Result<Option<(u64, u64)>> {
        self.cat(self.catalog.change_words(old, new))
    }
}

/// Entries as a reader of the store finds them: in the catalog, or in `extra`.
struct StoreEntries<'a> {
    archive: &'a Archive,
    extra: Extra<'a>,
}

impl chain::Entries for StoreEntries<'_> {
    type Loc = ObjectRow;

    fn entry(
        &self,
        id: &ObjectId,
        known: Option<ObjectRow>,
    ) -> std::result::Result<Option<RawEntry<ObjectRow>>, ChainError> {
        let a = self.archive;
        let extra = self.extra;
        let damaged = |e: object::DecodeError| ChainError::Damaged(*id, e.to_string());
        let unreadable =
            |e: std::io::Error| ChainError::Damaged(*id, format!("cannot read its pack: {e}"));
        // From a pack index object: its base is known by id (the bytes are
        // checked against their id like any other).
        if let Extra::Located(l) = extra
            && let Some((raw, base)) = l.raw.get(id)
        {
            return Ok(Some(RawEntry {
                raw: raw.clone(),
                base: base.map(|b| (b, None)),
                size: None,
            }));
        }
        // `size`: the row's, for a record in a set its length in the set
        // (`captures.rsize`), so that reading it hashes only that record.
        let (raw, pack, size): (Vec<u8>, Option<(String, u64)>, _) = match extra.raw(id) {
            Some(raw) => (raw.to_vec(), None, None),
            None => {
                let row = match (known, extra.row(id)) {
                    (Some(row), _) => row,
                    (None, Some(row)) => row.clone(),
                    (None, None) => {
                        match a.cat(a.catalog.object(id)).map_err(ChainError::Source)? {
                            Some(row) => row,
                            None => return Ok(None),
                        }
                    }
                };
                let raw = a
                    .backend
                    .get_range(&pack_key(&row.pack), row.offset, row.len as usize)
                    .map_err(unreadable)?;
                (raw, Some((row.pack, row.offset)), Some(row.size))
            }
        };
        let header = object::parse_header(&raw).map_err(damaged)?;
        if let Some((pack, at)) = &pack
            && !header.layout.stores_id()
            && !object::is_location_key(id)
        {
            a.cache.alias(object::location_key(pack, *at), *id);
        }
        let base = match (header.base, pack) {
            (None, _) => None,
            (Some(BaseRef::Id(b)), _) => Some((b, None)),
            (Some(BaseRef::Offset(o)), None) => Some((
                extra
                    .pending_id_at(u64::from(o))
                    .ok_or(ChainError::Missing(*id))?,
                None,
            )),
            (Some(BaseRef::Offset(o)), Some((pack, at))) => {
                // A base is always earlier in its pack: its header lies
                // between its offset and this entry's.
                let room = at
                    .checked_sub(u64::from(o))
                    .filter(|r| *r > 0)
                    .ok_or_else(|| damaged(object::DecodeError::NoBase))?;
                let head = a
                    .backend
                    .get_range(
                        &pack_key(&pack),
                        u64::from(o),
                        object::MAX_HEADER_LEN.min(room as usize),
                    )
                    .map_err(unreadable)?;
                let h = object::parse_header(&head).map_err(damaged)?;
                // A compact base without its id is named by where it is;
                // the object asked for is still checked against its id.
                let base_id = if h.layout.stores_id() {
                    h.id
                } else {
                    let key = object::location_key(&pack, u64::from(o));
                    a.cache.aliased(&key).unwrap_or(key)
                };
                let row = ObjectRow {
                    id: base_id,
                    pack,
                    offset: u64::from(o),
                    len: h.entry_len() as u64,
                    kind: h.kind,
                    size: h.size as u64,
                    depth: 0,
                };
                Some((base_id, Some(row)))
            }
        };
        Ok(Some(RawEntry { raw, base, size }))
    }
}
