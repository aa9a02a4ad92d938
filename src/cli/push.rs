//! `vellum push REMOTE`: copy the packs the other store lacks to it, or
//! merge when both were written since they were last in sync.

use std::path::{Path, PathBuf};

use vellum::advice::SyncFailed;
use vellum::custody::merge::{SyncOptions, sync};
use vellum::render::json;
use vellum::store::Archive;
use vellum::store::sync::{SyncReport, SyncSummary};

use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/push.txt"))]
pub struct PushArgs {
    /// The store to copy to: a directory or s3://BUCKET/PREFIX
    remote: PathBuf,
    /// One JSON object: from, to, packs, bytes, present, merged (when the logs had diverged)
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    how: SyncFlags,
}

/// How `push` and `pull` may sync.
#[derive(clap::Args, Debug, Clone, Copy)]
pub struct SyncFlags {
    /// Refuse when both stores were written since they were last in sync, instead of merging
    #[arg(long)]
    pub ff_only: bool,
    /// Write nothing; say what would be copied or merged
    #[arg(long)]
    pub dry_run: bool,
}

pub fn run_push(env: &Env, args: PushArgs) -> Result<Exit, CliError> {
    let from = env.open()?;
    let to = destination(&args.remote, args.how.dry_run)?;
    let report = copy(env, &from, &to, &args.remote, args.how)?;
    print(&env.store, &args.remote, report, args.json)?;
    Ok(Exit::Ok)
}

/// The store copied into, opened for writing (created when missing; a
/// catalog of an older vellum rebuilt on disk first). A dry run writes
/// nothing, not even a new store.
pub fn destination(path: &Path, dry_run: bool) -> Result<Archive, CliError> {
    if dry_run {
        return Ok(Archive::open(path)?);
    }
    let location = vellum::store::Location::parse(path)?;
    Ok(vellum::store::open(&location, vellum::store::Mode::CreateIfMissing)?.archive)
}

/// Copies `from`'s missing packs into `to` (named `to_name` in messages),
/// or merges `from` into `to` when their logs diverged.
pub fn copy(
    env: &Env,
    from: &Archive,
    to: &Archive,
    to_name: &Path,
    how: SyncFlags,
) -> Result<SyncReport, CliError> {
    let mut progress = Progress::new(env, "copying");
    let options = SyncOptions {
        ff_only: how.ff_only,
        dry_run: how.dry_run,
    };
    let report = sync(to, from, options, &mut |done, total| {
        progress.update(done, total)
    });
    drop(progress);
    Ok(report.map_err(|error| SyncFailed { error, to: to_name })?)
}

pub fn print(from: &Path, to: &Path, report: SyncReport, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if json {
        let (from, to) = (from.to_owned(), to.to_owned());
        return Ok(json::line(&mut out, &SyncSummary { from, to, report })?);
    }
    Ok(vellum::render::reports::sync(&mut out, from, to, &report)?)
}
