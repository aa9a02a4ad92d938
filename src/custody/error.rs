//! Why a proof cannot be made, or does not hold: one error for the Merkle
//! tree (`merkle.rs`) and the proof files (`proof.rs`).

use crate::error::ErrorKind;
use crate::id::ObjectId;

/// Why a proof cannot be made (the first three), or does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf {index} is not in a tree of size {size}")]
    NoSuchLeaf { index: u64, size: u64 },
    #[error("tree size {size} is larger than the log ({len} entries)")]
    TooLarge { size: u64, len: u64 },
    #[error("a consistency proof needs 0 < old size <= new size (got {old} and {new})")]
    BadSizes { old: u64, new: u64 },

    #[error(
        "proof format {0} or hash {1:?} is not supported by this vellum (format 1, blake3); upgrade vellum"
    )]
    Unsupported(u32, String),
    #[error("the proof's record does not hash to its capture id {0}: the record was altered")]
    RecordMismatch(ObjectId),
    #[error("the proof's record is not a capture record ({0})")]
    BadRecord(String),
    #[error(
        "the inclusion path does not lead from capture {capture} to root {root}: the proof is not valid"
    )]
    NotIncluded { capture: ObjectId, root: ObjectId },
    #[error(
        "the consistency path does not link root {old} (size {old_size}) to root {new} (size {new_size}): the log was rewritten, or the proof is not valid"
    )]
    NotConsistent {
        old: ObjectId,
        old_size: u64,
        new: ObjectId,
        new_size: u64,
    },
    #[error("root {0} (or its size) is not a root this proof is about (it checks SIZE:ROOT {1})")]
    OtherRoot(ObjectId, String),
    #[error(
        "the file's bytes hash to {file}, the capture's bytes to {content}: it is not the archived file"
    )]
    OtherFile { file: ObjectId, content: ObjectId },
    #[error("the proof carries no capture record, so a file cannot be checked against it")]
    NoRecord,
    #[error("the proof's merge part does not hold: {0}")]
    NotMerged(String),
}

impl ProofError {
    /// The kind of this error: a leaf that is not in the tree is not found;
    /// every other error is in what was asked or handed in (sizes, a
    /// proof file, a root, a file).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ProofError::NoSuchLeaf { .. } => ErrorKind::NotFound,
            ProofError::TooLarge { .. }
            | ProofError::BadSizes { .. }
            | ProofError::Unsupported(..)
            | ProofError::RecordMismatch(_)
            | ProofError::BadRecord(_)
            | ProofError::NotIncluded { .. }
            | ProofError::NotConsistent { .. }
            | ProofError::OtherRoot(..)
            | ProofError::OtherFile { .. }
            | ProofError::NoRecord
            | ProofError::NotMerged(_) => ErrorKind::InvalidInput,
        }
    }
}
