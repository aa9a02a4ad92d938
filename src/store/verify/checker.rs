//! The objects verify found in the packs, decoded by verify itself (never
//! located through the catalog), with one retry on read errors so that a
//! transient I/O error is told apart from rot.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::id::{IdMap, IdSet, ObjectId};

use super::super::archive::Archive;
use super::super::backend::Backend;
use super::super::cache::Cache;
use super::super::chain::{self, ChainError, RawEntry};
use super::super::layout::{READ_CHAIN_LIMIT, pack_key};
use super::super::object;
use super::super::pack::Entry;
use super::super::record::{CaptureId, CaptureRecord};
use super::report::{Problem, ProblemKind};

/// What decoding every object found.
pub(super) struct Decoded {
    /// Every object found, in pack order.
    pub(super) ids: Vec<ObjectId>,
    /// Root causes only: a delta whose base is damaged is not itself damaged.
    pub(super) damaged: BTreeMap<ObjectId, String>,
    pub(super) unreadable: HashSet<ObjectId>,
}

/// The capture records found.
pub(super) struct Records {
    pub(super) records: HashMap<CaptureId, CaptureRecord>,
    /// Record objects that are not valid capture records.
    pub(super) bad: HashSet<ObjectId>,
    pub(super) superseded: HashSet<CaptureId>,
    /// Each logged capture's position in the archive log.
    pub(super) seq: HashMap<CaptureId, u64>,
}

pub(super) struct Found {
    pub(super) pack: String,
    pub(super) entry: Entry,
    pub(super) indexed_pack: bool,
}

pub(super) struct Checker<'a> {
    /// Entries are read again from the packs as they are decoded: only one
    /// pack's bytes are held at a time, whatever the store's size.
    pub(super) backend: &'a dyn Backend,
    pub(super) found: IdMap<Found>,
    pub(super) status: RefCell<IdMap<Result<(), String>>>,
    /// Objects at which a chain ran past the limit (a cycle or absurd depth):
    /// damage in their own right, whatever their base's state.
    pub(super) too_deep: RefCell<IdSet>,
    pub(super) cache: Cache,
    /// Transient read errors a retry cured.
    pub(super) notes: RefCell<Vec<String>>,
}

impl Checker<'_> {
    /// Decodes an object from the entries verify itself found in the packs
    /// (never located through the catalog).
    pub(super) fn decode(&self, id: &ObjectId, budget: u32) -> Result<Arc<Vec<u8>>, String> {
        chain::decode(self, &self.cache, id, None, budget).map_err(|e| message(&e))
    }

    pub(super) fn failed(&self, id: &ObjectId) -> bool {
        matches!(self.status.borrow().get(id), Some(Err(_)))
    }
}

impl chain::Entries for Checker<'_> {
    type Loc = ();

    fn entry(&self, id: &ObjectId, _: Option<()>) -> Result<Option<RawEntry<()>>, ChainError> {
        let Some(f) = self.found.get(id) else {
            return Ok(None);
        };
        let key = pack_key(&f.pack);
        let (offset, len) = (f.entry.offset, f.entry.header.entry_len());
        // One retry, so a transient I/O error is told apart from rot.
        let raw = match self.backend.get_range(&key, offset, len) {
            Ok(raw) => Ok(raw),
            Err(first) => {
                let retried = self.backend.get_range(&key, offset, len);
                if retried.is_ok() {
                    self.notes.borrow_mut().push(format!(
                        "transient read error on {key} ({first}); it succeeded on retry"
                    ));
                }
                retried
            }
        }
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                ChainError::Damaged(*id, object::DecodeError::Truncated.to_string())
            }
            _ => ChainError::Damaged(*id, format!("cannot read its pack: {e}")),
        })?;
        Ok(Some(RawEntry {
            raw,
            base: f.entry.base.map(|b| (b, None)),
            // Verify reads every record of a set: each set is hashed whole
            // once (`chain::in_set`), trusting no length.
            size: None,
        }))
    }

    fn known_failure(&self, id: &ObjectId) -> Option<ChainError> {
        match self.status.borrow().get(id) {
            Some(Err(e)) => Some(ChainError::Damaged(*id, e.clone())),
            _ => None,
        }
    }

    fn outcome(&self, id: &ObjectId, result: &Result<Arc<Vec<u8>>, ChainError>) {
        let status = match result {
            Ok(_) => Ok(()),
            Err(e) => {
                if matches!(e, ChainError::TooDeep(at) if at == id) {
                    self.too_deep.borrow_mut().insert(*id);
                }
                Err(message(e))
            }
        };
        self.status.borrow_mut().insert(*id, status);
    }
}

/// How verify words a decoding failure.
fn message(e: &ChainError) -> String {
    match e {
        ChainError::Missing(_) => "missing from objects/".into(),
        ChainError::TooDeep(_) => {
            format!("delta chain longer than {READ_CHAIN_LIMIT} (or a cycle)")
        }
        ChainError::Damaged(_, reason) => reason.clone(),
        ChainError::Source(e) => e.to_string(),
        ChainError::Base { base, cause } => {
            format!(
                "its delta base {} is unreadable ({})",
                base.short(),
                message(cause)
            )
        }
    }
}

/// Reads with one retry, so a transient I/O error is told apart from rot.
pub(super) fn read_retry(
    archive: &Archive,
    key: &str,
    notes: &mut Vec<String>,
) -> std::io::Result<Vec<u8>> {
    match archive.backend.get(key) {
        Ok(b) => Ok(b),
        Err(first) => match archive.backend.get(key) {
            Ok(b) => {
                notes.push(format!(
                    "transient read error on {key} ({first}); it succeeded on retry"
                ));
                Ok(b)
            }
            Err(e) => Err(e),
        },
    }
}

/// An object decoded once already, read again from its pack if the cache
/// let it go: a pack that changed since is damage too, and reported.
pub(super) fn reread(
    checker: &Checker<'_>,
    id: &ObjectId,
    problems: &mut Vec<Problem>,
) -> Option<Arc<Vec<u8>>> {
    match checker.decode(id, READ_CHAIN_LIMIT) {
        Ok(b) => Some(b),
        Err(detail) => {
            problems.push(Problem {
                kind: ProblemKind::DamagedObject,
                object: Some(*id),
                pack: Some(checker.found[id].pack.clone()),
                detail,
                unreadable: Vec::new(),
                records_lost: Vec::new(),
                evidence_lost: Vec::new(),
                stored: Vec::new(),
            });
            None
        }
    }
}

pub(super) fn pack_listed(archive: &Archive, name: &str) -> bool {
    archive
        .pack_names()
        .map_or(true, |names| names.iter().any(|n| n == name))
}

/// Which of `versions` appear among the unreadable ones.
pub(super) fn unreadable_in(
    versions: &[String],
    unreadable: &HashMap<ObjectId, Vec<String>>,
) -> Vec<String> {
    let all: HashSet<&String> = unreadable.values().flatten().collect();
    versions
        .iter()
        .filter(|v| all.contains(v))
        .cloned()
        .collect()
}
