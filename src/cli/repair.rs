//! `vellum repair --from OTHER | --rebuild`

use std::path::{Path, PathBuf};

use vellum::capture::heal::repair_store;
use vellum::render::json;
use vellum::store::Archive;
use vellum::store::repair::RepairSummary;

use super::env::{CliError, Env, Exit};
use super::progress::Steps;

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/repair.txt"))]
pub struct RepairArgs {
    /// A copy of the archive to heal from: a directory or s3://BUCKET/PREFIX
    #[arg(long, value_name = "OTHER")]
    from: Option<PathBuf>,
    /// Rebuild what can be rebuilt without a copy and accept the rest as lost
    #[arg(long)]
    rebuild: bool,
    /// One JSON object: rewritten, fetched, rebuilt, lost, packs_written, packs_retired,
    /// packs_kept, ok, damaged_captures
    #[arg(long)]
    json: bool,
}

pub fn run_repair(env: &Env, args: RepairArgs) -> Result<Exit, CliError> {
    if args.from.is_none() && !args.rebuild {
        return Err(CliError::new(
            "say where what is lost comes from: --from OTHER (a copy of this archive, a \
             directory or s3://…) or --rebuild (rebuild what can be, accept the rest as lost)",
        ));
    }
    // Two paths naming the same store directory.
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_owned());
    if let Some(from) = &args.from
        && canonical(from) == canonical(&env.store)
    {
        return Err(CliError::new(format!(
            "--from {} is this store itself: name another copy of the archive",
            from.display()
        )));
    }
    let replica = args.from.as_deref().map(Archive::open).transpose()?;
    let mut steps = Steps::new(env);
    let mut progress = |step: &str, d, t| steps.update(step, d, t);
    let healed = repair_store(&env.store, replica.as_ref(), args.rebuild, &mut progress);
    drop(steps);
    let healed = healed?;
    let (ok, mut out) = (healed.after.ok(), std::io::stdout().lock());
    if args.json {
        let (repair, damaged_captures) = (healed.done, healed.after.damaged_captures);
        let summary = RepairSummary {
            repair,
            ok,
            damaged_captures,
        };
        json::line(&mut out, &summary)?;
    } else {
        vellum::render::reports::repair(&mut out, &healed)?;
    }
    Ok(Exit::found(!ok))
}
