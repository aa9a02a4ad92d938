//! `vellum push REMOTE`: copy the packs the other store lacks to it.

use std::path::{Path, PathBuf};

use vellum::store::Archive;
use vellum::store::sync::{SyncError, SyncReport, SyncSummary};

use super::common::json_line;
use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Copies every pack of this store that REMOTE lacks, checking each \
pack's hash before it lands, then brings REMOTE's catalog up to date. REMOTE is a store \
directory or s3://BUCKET/PREFIX (created when missing). Packs are never rewritten, so a push \
that is interrupted is finished by running it again. A REMOTE written since the two were last \
in sync is refused (its archive log would fork).

Examples:
  vellum push /mnt/backup/archive           back up to a local disk
  vellum push s3://newsroom-archive/vellum  publish to object storage (AWS_* variables)
  vellum --store s3://newsroom-archive/vellum push ./store   copy the bucket's packs to a directory"
)]
pub struct PushArgs {
    /// The store to copy to: a directory or s3://BUCKET/PREFIX
    remote: PathBuf,
    /// One JSON object: from, to, packs, bytes, present
    #[arg(long)]
    json: bool,
}

pub fn run_push(env: &Env, args: PushArgs) -> Result<Exit, CliError> {
    let from = env.open()?;
    let (to, _) = Archive::init(&args.remote)?;
    let report = copy(env, &from, &to, &args.remote)?;
    print(&env.store, &args.remote, report, args.json)?;
    Ok(Exit::Ok)
}

/// Copies `from`'s missing packs into `to` (named `to_name` in messages).
pub fn copy(
    env: &Env,
    from: &Archive,
    to: &Archive,
    to_name: &Path,
) -> Result<SyncReport, CliError> {
    let mut progress = Progress::new(env, "copying packs");
    let report = to.receive_packs(from, &mut |done, total| progress.update(done, total));
    drop(progress);
    report.map_err(|e| match e {
        SyncError::Store(e) => e.into(),
        SyncError::Diverged(_) => CliError::new(format!(
            "{e}; nothing was copied to {}. Keep the two stores apart (push to a new prefix \
             or directory) until vellum can merge logs",
            to_name.display()
        )),
        SyncError::Damaged { .. } => CliError::new(format!(
            "{e}; run `vellum verify` on the source for a full report"
        )),
    })
}

pub fn print(from: &Path, to: &Path, report: SyncReport, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        let (from, to) = (from.to_owned(), to.to_owned());
        return json_line(&mut out, &SyncSummary { from, to, report });
    }
    Ok(vellum::render::reports::sync(&mut out, from, to, &report)?)
}
