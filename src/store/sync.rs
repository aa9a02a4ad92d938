//! Copying packs between stores (`vellum push` / `vellum pull`): backups,
//! offline work, a local store mirrored to object storage and back.
//!
//! Packs are immutable and named by their hash, so copying is a set
//! difference: every pack the source lists and the destination does not is
//! read, checked (its trailer hash must match its content and its name,
//! every entry must parse) and only then stored; the destination's catalog
//! then indexes the new packs, all under its writer lock.
//!
//! The archive log must stay one chain. A destination whose log holds a
//! segment the source lacks has diverged (both were written since they were
//! last in sync): copying packs would fork its log, so nothing is copied and
//! the caller is told ([`SyncError::Diverged`]); it then merges instead
//! (`merge.rs`, driven by `custody::merge::sync`, which computes the source
//! log's root). A destination whose log is a prefix of the source's (a
//! backup, a mirror) simply catches up.

use std::collections::HashSet;

use super::error::StoreError;
use super::*;
use crate::id::ObjectId;

/// What a copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct SyncReport {
    /// Packs copied, and their bytes.
    pub packs: usize,
    pub bytes: u64,
    /// Packs both stores already held.
    pub present: usize,
    /// Packs both stores held whose copy here was damaged, and what healing
    /// them from the source did (a local destination re-reads its packs;
    /// one on object storage does not: `vellum verify` checks it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired: Option<super::repair::RepairReport>,
    /// The logs had diverged and the source was merged in (no pack is
    /// copied then): what the merge did, or would do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged: Option<super::merge::MergeReport>,
    /// Nothing was written: the counts are what would be copied.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub dry_run: bool,
}

/// What `push --json` and `pull --json` print: the copy and its two stores.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct SyncSummary {
    /// The store copied from, as given.
    pub from: std::path::PathBuf,
    /// The store copied to, as given.
    pub to: std::path::PathBuf,
    #[serde(flatten)]
    pub report: SyncReport,
}

/// Why nothing was copied.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(
        "the destination's archive log has {0} segment(s) the source lacks: both stores were \
         written since they were last in sync, and copying would fork the log"
    )]
    Diverged(usize),
    #[error("pack {name} in the source is damaged ({detail}); nothing more was copied")]
    Damaged { name: String, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// The kind of this error: a diverged log refuses what was asked, a
    /// damaged source pack is damage, a store error keeps its own kind.
    pub fn kind(&self) -> crate::error::ErrorKind {
        match self {
            SyncError::Diverged(_) => crate::error::ErrorKind::InvalidInput,
            SyncError::Damaged { .. } => crate::error::ErrorKind::Damaged,
            SyncError::Store(e) => e.kind(),
        }
    }
}

impl Archive {
    /// Refuses with [`SyncError::Diverged`] when this store's log has
    /// segments `from` lacks.
    fn check_not_diverged(&self, from: &Archive) -> std::result::Result<(), SyncError> {
        let ours: HashSet<ObjectId> = self
            .cat(self.catalog.log_segments())?
            .into_iter()
            .map(|(_, _, id)| id)
            .collect();
        let theirs: HashSet<ObjectId> = from
            .cat(from.catalog.log_segments())?
            .into_iter()
            .map(|(_, _, id)| id)
            .collect();
        match ours.difference(&theirs).count() {
            0 => Ok(()),
            extra => Err(SyncError::Diverged(extra)),
        }
    }

    /// What [`Archive::receive_packs`] would copy, without writing or
    /// locking anything.
    pub fn pack_plan(&self, from: &Archive) -> std::result::Result<SyncReport, SyncError> {
        self.check_not_diverged(from)?;
        let have: HashSet<String> = self.pack_names()?.into_iter().collect();
        let listing = from.pack_listing()?;
        let missing: Vec<&(String, u64)> =
            listing.iter().filter(|(n, _)| !have.contains(n)).collect();
        Ok(SyncReport {
            packs: missing.len(),
            bytes: missing.iter().map(|(_, size)| size).sum(),
            present: listing.len() - missing.len(),
            dry_run: true,
            ..SyncReport::default()
        })
    }

    /// Copies into this store every pack of `from` it lacks. `progress` is
    /// called with (packs done, packs to copy).
    pub fn receive_packs(
        &self,
        from: &Archive,
        progress: &mut dyn FnMut(usize, usize),
    ) -> std::result::Result<SyncReport, SyncError> {
        // The writer lock (a lease on object storage) and a catalog that has
        // caught up with every pack this store holds.
        let writer = self.writer(&mut || {})?;
        self.check_not_diverged(from)?;
        let have: HashSet<String> = self.pack_names()?.into_iter().collect();
        let listing = from.pack_listing()?;
        let missing: Vec<&(String, u64)> =
            listing.iter().filter(|(n, _)| !have.contains(n)).collect();
        let mut report = SyncReport {
            present: listing.len() - missing.len(),
            ..SyncReport::default()
        };
        let mut copied = Vec::new();
        for (i, (name, _)) in missing.iter().enumerate() {
            progress(i, missing.len());
            let key = pack_key(name);
            let bytes = from
                .backend
                .get(&key)
                .map_err(StoreError::io(format!("reading pack {name}")))?;
            let scan = pack::scan(&bytes, Some(name));
            if !scan.intact || !scan.problems.is_empty() {
                return Err(SyncError::Damaged {
                    name: name.clone(),
                    detail: scan.problems.join("; "),
                });
            }
            admit_pack(self, &scan.entries)?;
            self.backend
                .put_if_absent(&key, &bytes)
                .map_err(StoreError::io(format!("writing pack {name}")))?;
            self.put_pack_index(name, &bytes, &scan.entries, &mut |id| {
                from.read_object(id).ok().map(|b| b.to_vec())
            });
            report.packs += 1;
            report.bytes += bytes.len() as u64;
            copied.push((name.clone(), bytes.len() as u64));
        }
        progress(missing.len(), missing.len());
        // What the source's packs hold may need a newer format (state
        // objects, check records, merge segments): an older vellum must
        // refuse this store then, not call them damage. (A marker on
        // object storage is never replaced.)
        if !copied.is_empty() && !self.backend.shared() {
            let (theirs, ours) = (marked_format(from)?, marked_format(self)?);
            if theirs > ours {
                super::layout::write_marker(&*self.backend, theirs)?;
            }
        }
        self.index_packs(&copied)?;
        // The packs both hold are not copied, so damage in this copy of one
        // would stay: heal it from the source (as `repair --from` does).
        let damaged: Vec<String> = if self.backend.shared() {
            Vec::new()
        } else {
            listing
                .iter()
                .filter(|(n, _)| have.contains(n))
                .filter(|(n, _)| {
                    self.backend
                        .get(&pack_key(n))
                        .map_or(true, |b| !pack::scan(&b, Some(n)).problems.is_empty())
                })
                .map(|(n, _)| n.clone())
                .collect()
        };
        writer.commit()?;
        if !damaged.is_empty() {
            let problems = damaged
                .into_iter()
                .map(|name| super::verify::damaged_pack(&name))
                .collect();
            let found = super::verify::Report {
                problems,
                ..Default::default()
            };
            let sources = super::repair::Sources {
                replica: Some(from),
                rebuild: None,
                accept_losses: false,
            };
            report.repaired = Some(self.repair(&found, sources, &mut |_, _| {})?);
        }
        Ok(report)
    }
}

/// The format a store's marker names now (its handle keeps the one it was
/// opened with; a write may have raised it since).
fn marked_format(a: &Archive) -> Result<u32> {
    let marker = a
        .backend
        .read_marker()
        .map_err(StoreError::io("reading the VELLUM marker"))?
        .unwrap_or_default();
    Ok(String::from_utf8_lossy(&marker)
        .lines()
        .find_map(|l| l.strip_prefix("format "))
        .and_then(|f| f.trim().parse().ok())
        .unwrap_or(a.format))
}
