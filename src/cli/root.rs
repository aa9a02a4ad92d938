//! `vellum root`: the size and root of the archive log, to publish.

use std::io::Write;

use super::common::json_line;
use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Every archived capture id is appended to the archive log in the order it \
was archived; the log is a Merkle tree (RFC 9162 style, blake3). Publish the line SIZE:ROOT \
(in a newsletter, a post, a timestamping service): later, `vellum proof` shows that a capture \
was in the log of that root, or that the log of that root is the beginning of today's, and \
anyone can check such a proof with `vellum check-proof` without the archive.

Examples:
  vellum root                 2556:9f3c…e1
  vellum root --json"
)]
pub struct RootArgs {
    /// One JSON object: size, root, unlogged (captures not in the log yet)
    #[arg(long)]
    json: bool,
}

pub fn run_root(env: &Env, args: RootArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let root = vellum::query::log_root(&archive)?;
    let unlogged = root.unlogged;
    let mut out = std::io::stdout().lock();
    match args.json {
        true => json_line(&mut out, &root)?,
        false => writeln!(out, "{}:{}", root.size, root.root)?,
    }
    if unlogged > 0 && env.notes {
        eprintln!(
            "vellum: {unlogged} capture(s) archived by an older vellum are not in the log yet; \
             the next `vellum add` logs them"
        );
    }
    Ok(Exit::Ok)
}
