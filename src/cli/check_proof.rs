//! `vellum check-proof PROOF.json [--root [SIZE:]HASH]... [FILE]`: offline,
//! without a store.

use std::path::PathBuf;

use vellum::custody::given::{GivenError, hash_file, parse_root, read_proof};
use vellum::custody::proof::ProofCheck;

use super::common::json_line;
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
newer one (nothing archived was removed or changed). A capture merged in from another
store (push/pull of diverged stores) also proves from that store's log: its place there,
and the entry of this log that recorded that log's root (either root may be given with
--root). What it does not show: who wrote
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

pub fn run_check_proof(_env: &Env, args: CheckProofArgs) -> Result<Exit, CliError> {
    let given = |e: GivenError| CliError::new(e.to_string());
    let roots: Vec<_> = args
        .root
        .iter()
        .map(|r| parse_root(r))
        .collect::<Result<_, _>>()
        .map_err(given)?;
    let proof = read_proof(&args.proof).map_err(given)?;
    let file = args
        .file
        .as_deref()
        .map(hash_file)
        .transpose()
        .map_err(given)?;
    let check = ProofCheck::from(proof.check(&roots, file));
    let mut out = std::io::stdout().lock();
    match args.json {
        true => json_line(&mut out, &check)?,
        false => vellum::render::reports::proof_check(&mut out, &check)?,
    }
    Ok(if check.holds { Exit::Ok } else { Exit::Found })
}
