//! `vellum check-proof PROOF.json [--root [SIZE:]HASH]... [FILE]`: offline,
//! without a store.

use std::io::{Read, Write};
use std::path::PathBuf;

use vellum::custody::proof::{ProofCheck, ProofFile};
use vellum::id::ObjectId;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum check-proof proof.json
  vellum check-proof proof.json --root 6:3f2a…   (a size and root the archive published)
  vellum check-proof proof.json --root 3f2a… article.html
  vellum check-proof proof.json --json           (one JSON object, for scripts)

Needs no store: anyone can check a proof with the proof file alone. An inclusion proof
shows that the capture (its record: document, time, URL, the hash of its bytes) is an
entry of the log whose root is given; with FILE, also that FILE's bytes are the
capture's bytes. A consistency proof shows that an older log is the beginning of a
newer one (nothing archived was removed or changed). What it does not show: who wrote
the page, or that the site said it; only that the archive held these bytes when that
root was published.

Exit 0 when the proof holds, 1 when it does not, 2 when it cannot be read.")]
pub struct CheckProofArgs {
    /// The proof (JSON, as `vellum proof` writes it)
    proof: PathBuf,
    /// A root published by the archive, as HASH or SIZE:HASH; the proof must be about it
    #[arg(long, value_name = "[SIZE:]HASH")]
    root: Vec<String>,
    /// A file to check against the capture's bytes
    file: Option<PathBuf>,
    /// One JSON object: holds, statements, failure (why it does not hold)
    #[arg(long)]
    json: bool,
}

fn parse_root(s: &str) -> Result<(Option<u64>, ObjectId), CliError> {
    let bad = || {
        CliError::new(format!(
            "--root {s:?}: give the 64 hex digits of a root, optionally after SIZE: (e.g. 6:3f2a…)"
        ))
    };
    let (size, hash) = match s.split_once(':') {
        Some((n, h)) => (Some(n.trim().parse::<u64>().map_err(|_| bad())?), h),
        None => (None, s),
    };
    Ok((size, hash.trim().parse().map_err(|_| bad())?))
}

pub fn run_check_proof(_env: &Env, args: CheckProofArgs) -> Result<Exit, CliError> {
    let roots = args
        .root
        .iter()
        .map(|r| parse_root(r))
        .collect::<Result<Vec<_>, _>>()?;
    let cannot =
        |p: &PathBuf, e: std::io::Error| CliError::new(format!("cannot read {}: {e}", p.display()));
    // A proof is small; refuse anything that is not.
    let mut text = Vec::new();
    std::fs::File::open(&args.proof)
        .and_then(|f| f.take(16 << 20).read_to_end(&mut text))
        .map_err(|e| cannot(&args.proof, e))?;
    let proof: ProofFile = serde_json::from_slice(&text).map_err(|e| {
        CliError::new(format!(
            "{} is not a vellum proof ({e}); proofs are the JSON `vellum proof` prints",
            args.proof.display()
        ))
    })?;
    let file = match &args.file {
        Some(p) => {
            let mut hasher = blake3::Hasher::new();
            let f = std::fs::File::open(p).map_err(|e| cannot(p, e))?;
            hasher.update_reader(f).map_err(|e| cannot(p, e))?;
            Some(ObjectId::from_bytes(*hasher.finalize().as_bytes()))
        }
        None => None,
    };
    let check = ProofCheck::from(proof.check(&roots, file));
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &check).map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else if let Some(failure) = &check.failure {
        writeln!(out, "proof FAILS: {failure}")?;
    } else {
        writeln!(out, "proof holds")?;
        for s in &check.statements {
            writeln!(out, "  {s}")?;
        }
    }
    Ok(if check.holds { Exit::Ok } else { Exit::Found })
}
