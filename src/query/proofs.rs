//! The archive log's root and inclusion proofs, as front ends ask for them
//! (`vellum root`, `vellum proof`, the API's `/root` and `/proof`).

use crate::custody::proof::ProofFile;
use crate::custody::{self, LogRoot, ProofError};
use crate::error::ErrorKind;
use crate::id::ObjectId;
use crate::store::{Address, Archive, CaptureId, StoreError};

/// Why a proof cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ProofQueryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Proof(#[from] ProofError),
    /// Archived by an older vellum, before captures were logged.
    #[error("capture {0} is not in the archive log yet (archived by an older vellum)")]
    NotLogged(CaptureId),
    #[error(
        "capture {capture} is entry {index} of the log, archived after the log had {size} \
         entries: no root of that size includes it"
    )]
    AfterSize {
        capture: CaptureId,
        index: u64,
        size: u64,
    },
}

impl ProofQueryError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProofQueryError::Store(e) => e.kind(),
            ProofQueryError::Proof(e) => e.kind(),
            ProofQueryError::NotLogged(_) => ErrorKind::NotFound,
            ProofQueryError::AfterSize { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// The archive log's size and root now, and how many captures are not in
/// it yet.
pub fn log_root(archive: &Archive) -> Result<LogRoot, StoreError> {
    let (tree, _, unlogged) = custody::tree(archive)?;
    let head = tree.head(tree.len()).expect("the whole tree has a head");
    Ok(LogRoot {
        size: head.size,
        root: ObjectId::from_bytes(head.root),
        unlogged,
    })
}

/// The proof that the capture `addr` names is in the log of `size`
/// entries (the whole log when `None`), with its record.
pub fn inclusion_proof(
    archive: &Archive,
    addr: &Address,
    size: Option<u64>,
) -> Result<ProofFile, ProofQueryError> {
    let (tree, ids, _) = custody::tree(archive)?;
    let r = archive.resolve(addr)?;
    let index = ids
        .iter()
        .position(|e| *e == custody::Entry::Capture(r.capture))
        .ok_or(ProofQueryError::NotLogged(r.capture))? as u64;
    let size = size.unwrap_or(tree.len());
    if index >= size {
        return Err(ProofQueryError::AfterSize {
            capture: r.capture,
            index,
            size,
        });
    }
    let record = archive.read_object(&r.capture.0)?;
    let mut proof = ProofFile::inclusion(&tree, index, size, r.capture.0, Some(&record))?;
    let merged =
        custody::merge::merged_proof(archive, &tree, &ids, index, size).map_err(|e| match e {
            custody::merge::MergedError::Store(e) => ProofQueryError::Store(e),
            custody::merge::MergedError::Proof(e) => ProofQueryError::Proof(e),
        })?;
    if let custody::proof::Proof::Inclusion(i) = &mut proof.proof {
        i.merged = merged;
    }
    Ok(proof)
}
