//! Proofs of custody: a transparency log of capture ids (a Merkle tree in
//! the manner of RFC 9162, with blake3) and proofs that anyone can check
//! offline with `vellum check-proof`, without the archive.
//!
//! What is here: the tree, inclusion and consistency proofs and their
//! verification ([`merkle`]), and the proof file format ([`proof`]).
//!
//! # Not yet here: the log inside the store
//!
//! The log must record *archiving* order and be append-only, or a root
//! published yesterday stops being a prefix of today's log when an older
//! capture is imported (the versions are in captured-at order; the log must
//! not be). Archiving order is not recoverable from the objects today, so a
//! log "derived" from the store would rewrite its own history. Persisting it
//! needs a change inside the store's write path, planned like this:
//!
//! - **Where.** Immutable log segments in `objects/` (through the backend
//!   trait, like packs): `log/<first index, 16 hex digits>.seg`, each one
//!   commit's captures in staging order, with the previous segment's id and
//!   the tree size and root after it. `reindex` rebuilds the same roots by
//!   reading the segments in order; the catalog only caches them.
//! - **When.** Inside `Writer::commit`, after the packs are durable and
//!   before the catalog commits: a capture is acknowledged only once its log
//!   entry is durable. A crash between the two leaves a segment whose
//!   captures are in a durable pack, which the next writer indexes; a crash
//!   before the segment leaves cataloged captures missing from the log, which
//!   the next writer appends (captured-at order, ties by id) before its own.
//! - **First creation** in an existing store appends every capture in
//!   captured-at order, ties by capture id, as the issue asks.
//! - **Several writers** (the S3 backend): appends only under the writer
//!   lease, and a segment is written with put-if-absent under the name of its
//!   first index, so two writers can never both write entry N: the loser's
//!   put fails and it must re-read the log. One linear log is what people
//!   publish roots of; per-writer logs combined under one root would change
//!   shape whenever a writer joins.
//! - **verify** recomputes every root from the segments, checks every leaf is
//!   a capture record that reads back, and every cataloged capture is in the
//!   log. Removing or replacing a capture changes the roots, so a consistency
//!   proof against an older published root fails.
//! - **Commands** then: `vellum root` (size and root, to publish),
//!   `vellum proof ADDR [--size N]` and `vellum proof --consistency OLD [NEW]`
//!   print the JSON that [`proof::ProofFile`] defines.

pub mod merkle;
pub mod proof;
