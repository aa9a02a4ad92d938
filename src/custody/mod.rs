//! Proofs of custody: a transparency log of capture ids (a Merkle tree in
//! the manner of RFC 9162, with blake3) and proofs that anyone can check
//! offline with `vellum check-proof`, without the archive.
//!
//! What is here: the tree, inclusion and consistency proofs and their
//! verification ([`merkle`]), and the proof file format ([`proof`]).
//!
//! The log itself is the store's archive log (`store::tlog`): capture ids
//! in archiving order, in immutable segments written in the same pack as
//! their records, chained by id. Archiving order, not captured-at order: a
//! root published yesterday stays a prefix of today's log when an older
//! capture is imported later. [`tree`] builds the Merkle tree over it.
//! A merge of another store (`vellum push`/`pull` of diverged stores,
//! [`merge`]) appends one more kind of entry: the record of the other
//! store's log size and root, before the captures merged from it.
//!
//! Several writers cannot fork it: a segment is appended only under the
//! store's writer lock, starting where the log ends, and `verify` reports
//! two segments claiming the same place as a forked log. (An S3 backend must
//! keep the same rule with a lease; see the S3 issue.)

use crate::id::ObjectId;
use crate::store::Archive;
use crate::store::StoreError;
pub use crate::store::tlog::Entry;
pub use error::ProofError;

/// What `root --json` prints: the archive log's size and root, to publish.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct LogRoot {
    /// Entries in the log.
    pub size: u64,
    /// The Merkle root of those entries (publish it as SIZE:ROOT).
    pub root: ObjectId,
    /// Captures archived by an older vellum, not in the log yet.
    pub unlogged: usize,
}

/// The Merkle tree over the archive log, with its entries in log order
/// (captures, and the merge entries `push`/`pull` recorded: see
/// [`merge`]), and how many captures are not logged yet.
pub fn tree(archive: &Archive) -> Result<(merkle::Tree, Vec<Entry>, usize), StoreError> {
    let (entries, unlogged) = archive.checked_log()?;
    let mut tree = merkle::Tree::new();
    for e in &entries {
        tree.push(e.data().as_bytes());
    }
    Ok((tree, entries, unlogged))
}

mod error;
pub mod given;
pub mod merge;
pub mod merkle;
pub mod proof;
