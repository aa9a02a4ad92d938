//! `vellum check-proof PROOF.json [--root [SIZE:]HASH]... [FILE]`: offline,
//! without a store.

use std::path::PathBuf;

use vellum::custody::given::{hash_file, parse_root, read_proof};
use vellum::custody::proof::ProofCheck;
use vellum::render::json;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/check-proof.txt"))]
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
    let roots: Vec<_> = args
        .root
        .iter()
        .map(|r| parse_root(r))
        .collect::<Result<_, _>>()?;
    let proof = read_proof(&args.proof)?;
    let file = args.file.as_deref().map(hash_file).transpose()?;
    let check = ProofCheck::from(proof.check(&roots, file));
    let mut out = std::io::stdout().lock();
    json::or_text(
        &mut out,
        args.json,
        &check,
        vellum::render::reports::proof_check,
    )?;
    Ok(Exit::found(!check.holds))
}
