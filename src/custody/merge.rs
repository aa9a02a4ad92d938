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
use crate::store::tlog::{Entry, MergeEntry};
use crate::store::verify::{Problem, ProblemKind, Progress, Report};
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
    let Some(source) = source_tree(merge) else {
        return Err(MergedError::Store(StoreError::Damaged {
            id: capture.0,
            reason: "the merge entry's leaves do not make its recorded root (run `vellum verify`)"
                .into(),
        }));
    };
    let source_size = source.len();
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

/// The tree of the other store's log a merge entry keeps, if its leaves
/// make the root it records (else the entry is damaged).
fn source_tree(merge: &MergeEntry) -> Option<Tree> {
    let mut source = Tree::new();
    for leaf in &merge.leaves {
        source.push(leaf.as_bytes());
    }
    let root = source.head(source.len()).ok()?.root;
    (ObjectId::from_bytes(root) == merge.root).then_some(source)
}

/// `vellum verify` with the archive log's merge entries checked too. Each
/// keeps the other store's log entries beside the root it records; entries
/// that do not make that root are damage (proofs of the captures it merged
/// in would not check). `store::verify` checks every object and the log's
/// chain, but Merkle roots are custody's, so this pass is here.
pub fn verify(archive: &Archive, progress: Progress<'_>) -> Report {
    let mut report = crate::store::verify::verify(archive, progress);
    match merge_problems(archive) {
        Ok(problems) => report.problems.extend(problems),
        Err(e) => report.notes.push(format!(
            "the archive log's merge entries were not checked: {e}"
        )),
    }
    report
}

fn merge_problems(archive: &Archive) -> Result<Vec<Problem>, StoreError> {
    let (entries, _) = archive.checked_log()?;
    let mut problems = Vec::new();
    for (at, entry) in entries.iter().enumerate() {
        let Entry::Merge(_) = entry else { continue };
        let Some((_, segment)) = archive.log_segment_at(at as u64)? else {
            continue;
        };
        problems.extend(segment.merge.as_ref().and_then(|m| merge_problem(at, m)));
    }
    Ok(problems)
}

/// The problem with the merge entry at position `at`, if any.
fn merge_problem(at: usize, merge: &MergeEntry) -> Option<Problem> {
    if source_tree(merge).is_some() {
        return None;
    }
    Some(Problem {
        kind: ProblemKind::BadLog,
        object: None,
        pack: None,
        detail: format!(
            "the merge entry at position {at} of the archive log records another store's log \
             of {} entries with root {}, but the entries it keeps make another root: proofs \
             of the captures merged in with it will not check",
            merge.size(),
            merge.root
        ),
        unreadable: Vec::new(),
        records_lost: Vec::new(),
        evidence_lost: Vec::new(),
        stored: Vec::new(),
    })
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
