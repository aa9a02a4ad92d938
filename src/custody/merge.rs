//! Syncing two stores with custody kept (`vellum push` / `vellum pull`).
//!
//! When the destination's log is a prefix of the source's, the source's
//! packs are copied (`store::sync`): the destination's log catches up and
//! stays one chain with the source's. When both were written since they
//! were last in sync, the source is merged in instead (`store::merge`): its
//! captures the destination lacks are appended to the destination's log
//! after a merge entry recording the source log's size and Merkle root,
//! computed here. A proof of a merged capture then shows both its place in
//! the source's log (against that root) and when it entered the
//! destination's ([`merged_proof`]). See `docs/custody.md`.

use crate::id::ObjectId;
use crate::store::merge::SourceLog;
use crate::store::sync::{SyncError, SyncReport};
use crate::store::tlog::Entry;
use crate::store::{Archive, StoreError};

use super::error::ProofError;
use super::merkle::Tree;
use super::proof::Merged;

/// How a sync may go.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncOptions {
    /// Refuse diverged logs instead of merging them.
    pub ff_only: bool,
    /// Write nothing; report what would be copied.
    pub dry_run: bool,
}

/// Brings `to` up to date with `from`: copies packs when `to`'s log is a
/// prefix of `from`'s, else merges (unless `ff_only`). `progress` is called
/// with (done, to do).
pub fn sync(
    to: &Archive,
    from: &Archive,
    options: SyncOptions,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<SyncReport, SyncError> {
    let copied = if options.dry_run {
        to.pack_plan(from)
    } else {
        to.receive_packs(from, progress)
    };
    match copied {
        Err(SyncError::Diverged(_)) if !options.ff_only => {
            let source = source_log(from)?;
            let merged = to.merge_from(from, &source, options.dry_run, progress)?;
            Ok(SyncReport {
                merged: Some(merged),
                dry_run: options.dry_run,
                ..SyncReport::default()
            })
        }
        other => other,
    }
}

/// `from`'s archive log and its root, for a merge entry.
pub fn source_log(from: &Archive) -> Result<SourceLog, StoreError> {
    let (tree, entries, _) = super::tree(from)?;
    let root = ObjectId::from_bytes(
        tree.head(tree.len())
            .expect("the whole tree has a head")
            .root,
    );
    Ok(SourceLog { entries, root })
}

/// For a capture at `index` of `tree` (this store's log, `entries`), merged
/// in from another store: where it was in that store's log and where the
/// merge entry is in this one, with both inclusion paths (against the root
/// of the first `size` entries of this log). `None` for a capture this
/// store archived itself.
pub fn merged_proof(
    archive: &Archive,
    tree: &Tree,
    entries: &[Entry],
    index: u64,
    size: u64,
) -> Result<Option<Merged>, MergedError> {
    let Some(Entry::Capture(capture)) = entries.get(index as usize).copied() else {
        return Ok(None);
    };
    let Some((start, segment)) = archive.log_segment_at(index)? else {
        return Ok(None);
    };
    let Some(merge) = &segment.merge else {
        return Ok(None);
    };
    let mut source = Tree::new();
    for leaf in &merge.leaves {
        source.push(leaf.as_bytes());
    }
    let source_size = source.len();
    if ObjectId::from_bytes(source.head(source_size)?.root) != merge.root {
        return Err(MergedError::Store(StoreError::Damaged {
            id: capture.0,
            reason: "the merge entry's leaves do not make its recorded root (run `vellum verify`)"
                .into(),
        }));
    }
    let Some(source_index) = merge.leaves.iter().position(|l| *l == capture.0) else {
        // Not in the other log (it had not logged it yet): no proof there.
        return Ok(None);
    };
    let source_index = source_index as u64;
    let path = |t: &Tree, i: u64, n: u64| -> Result<Vec<ObjectId>, ProofError> {
        Ok(t.inclusion_proof(i, n)?
            .into_iter()
            .map(ObjectId::from_bytes)
            .collect())
    };
    Ok(Some(Merged {
        entry_index: start,
        entry_path: path(tree, start, size)?,
        source_size,
        source_root: merge.root,
        source_index,
        source_path: path(&source, source_index, source_size)?,
    }))
}

/// Why a merged capture's proof could not be made.
#[derive(Debug, thiserror::Error)]
pub enum MergedError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
}

#[cfg(test)]
mod tests;
