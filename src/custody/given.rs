//! What a person gives `check-proof`: the proof file, a published root
//! (`[SIZE:]HASH`) and a file to check against the capture's bytes. Read
//! without a store, and bounded: a proof is small.

use std::io::Read;
use std::path::Path;

use crate::id::ObjectId;

use super::proof::ProofFile;

/// A proof file is refused above this size.
const MAX_PROOF: u64 = 16 << 20;

/// Why a given proof, root or file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum GivenError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not a vellum proof ({why}); proofs are the JSON `vellum proof` prints")]
    NotAProof { path: String, why: String },
    #[error(
        "--root {0:?}: give the 64 hex digits of a root, optionally after SIZE: (e.g. 6:3f2a…)"
    )]
    Root(String),
}

fn cannot(path: &Path) -> impl Fn(std::io::Error) -> GivenError + '_ {
    |source| GivenError::Read {
        path: path.display().to_string(),
        source,
    }
}

/// Reads a proof file (the JSON `vellum proof` prints).
pub fn read_proof(path: &Path) -> Result<ProofFile, GivenError> {
    let mut text = Vec::new();
    let f = std::fs::File::open(path).map_err(cannot(path))?;
    f.take(MAX_PROOF)
        .read_to_end(&mut text)
        .map_err(cannot(path))?;
    serde_json::from_slice(&text).map_err(|e| GivenError::NotAProof {
        path: path.display().to_string(),
        why: e.to_string(),
    })
}

/// The blake3 id of a file's bytes, read in pieces.
pub fn hash_file(path: &Path) -> Result<ObjectId, GivenError> {
    let mut hasher = blake3::Hasher::new();
    let f = std::fs::File::open(path).map_err(cannot(path))?;
    hasher.update_reader(f).map_err(cannot(path))?;
    Ok(ObjectId::from_bytes(*hasher.finalize().as_bytes()))
}

/// A published root as typed: `HASH` or `SIZE:HASH`.
pub fn parse_root(s: &str) -> Result<(Option<u64>, ObjectId), GivenError> {
    let bad = || GivenError::Root(s.to_owned());
    let (size, hash) = match s.split_once(':') {
        Some((n, h)) => (Some(n.trim().parse::<u64>().map_err(|_| bad())?), h),
        None => (None, s),
    };
    Ok((size, hash.trim().parse().map_err(|_| bad())?))
}
