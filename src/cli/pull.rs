//! `vellum pull REMOTE`: copy the packs this store lacks from another store,
//! or merge it in when both were written since they were last in sync.

use std::path::PathBuf;

use vellum::store::Archive;

use super::env::{CliError, Env, Exit};
use super::push::{SyncFlags, copy, destination, print};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/pull.txt"))]
pub struct PullArgs {
    /// The store to copy from: a directory or s3://BUCKET/PREFIX
    remote: PathBuf,
    /// One JSON object: from, to, packs, bytes, present, repaired (when it healed damage), merged
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    how: SyncFlags,
}

pub fn run_pull(env: &Env, args: PullArgs) -> Result<Exit, CliError> {
    let from = Archive::open(&args.remote)?;
    let to = destination(&env.store, args.how.dry_run)?;
    let report = copy(env, &from, &to, &env.store, args.how)?;
    print(&args.remote, &env.store, report, args.json)?;
    Ok(Exit::Ok)
}
