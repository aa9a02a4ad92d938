//! `vellum pull REMOTE`: copy the packs this store lacks from another store.

use std::path::PathBuf;

use vellum::store::Archive;

use super::env::{CliError, Env, Exit};
use super::push::{copy, print};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Copies every pack of REMOTE that this store lacks, checking each \
pack's hash before it lands, then brings this store's catalog up to date. REMOTE is a store \
directory or s3://BUCKET/PREFIX. This store is created when missing. Refused when this store \
was written since the two were last in sync (its archive log would fork).

Examples:
  vellum pull s3://newsroom-archive/vellum       work offline on a copy of the bucket
  vellum --store ./laptop pull /mnt/backup/archive"
)]
pub struct PullArgs {
    /// The store to copy from: a directory or s3://BUCKET/PREFIX
    remote: PathBuf,
    /// One JSON object: from, to, packs, bytes, present, repaired (when it healed damage)
    #[arg(long)]
    json: bool,
}

pub fn run_pull(env: &Env, args: PullArgs) -> Result<Exit, CliError> {
    let from = Archive::open(&args.remote)?;
    let (to, _) = Archive::init(&env.store)?;
    let report = copy(env, &from, &to, &env.store)?;
    print(&args.remote, &env.store, report, args.json)?;
    Ok(Exit::Ok)
}
