//! `vellum pull REMOTE`: copy the packs this store lacks from another store,
//! or merge it in when both were written since they were last in sync.

use std::path::PathBuf;

use vellum::store::Archive;

use super::env::{CliError, Env, Exit};
use super::push::{SyncFlags, copy, destination, print};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Copies every pack of REMOTE that this store lacks, checking each \
pack's hash before it lands, then brings this store's catalog up to date. REMOTE is a store \
directory or s3://BUCKET/PREFIX. This store is created when missing.

When this store was written since the two were last in sync, REMOTE is merged into it: every \
capture this store lacks is archived here and appended to its archive log after an entry \
recording REMOTE's log (size and root), so proofs from both logs keep checking \
(docs/custody.md). Document names the two stores disagree on are reported, never joined. \
--ff-only refuses instead.

Examples:
  vellum pull s3://newsroom-archive/vellum       work offline on a copy of the bucket
  vellum --store ./laptop pull /mnt/backup/archive"
)]
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
