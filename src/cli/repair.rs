//! `vellum repair --from OTHER | --rebuild`

use std::io::Write;
use std::path::PathBuf;

use vellum::capture::heal::{Healed, repair_store};
use vellum::store::Archive;
use vellum::store::repair::RepairSummary;

use super::common::json_line;
use super::env::{CliError, Env, Exit};
use super::progress::Steps;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum repair --from /mnt/backup/archive        heal from a copy of the archive
  vellum repair --from s3://newsroom-archive/vellum
  vellum repair --rebuild                         no copy: rebuild what can be, name the rest

Runs verify, then: every object a damaged pack still holds intact is rewritten into a new
pack; every damaged or missing object is fetched by its id from OTHER (a directory or
s3://BUCKET/PREFIX holding the same archive, or any store holding the same objects; its hash
is checked) or, with --rebuild, made again (a text re-extracted from intact raw bytes, kept
only when it is byte-identical). Damaged packs are deleted only once all they held intact is
rewritten and indexed; nothing is rewritten in place, a kill at any point loses nothing, and
a repair can be run again. When only the catalog still disagrees with the objects, it is
rebuilt from them (as `vellum reindex` does). A damaged pack holding an object nothing could supply is kept
(another copy may heal it later), unless --rebuild accepts the loss: then `verify` keeps
naming what is lost. Ends with verify's account of what is left.
Exit 0 when verify is clean afterwards, 1 when something is still lost, 2 on error.")]
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
    if let Some(from) = &args.from
        && same_store(from, &env.store)
    {
        return Err(CliError::new(format!(
            "--from {} is this store itself: name another copy of the archive",
            from.display()
        )));
    }
    let replica = args.from.as_deref().map(Archive::open).transpose()?;
    let mut steps = Steps::new(env);
    let healed = repair_store(
        &env.store,
        replica.as_ref(),
        args.rebuild,
        &mut |step, d, t| steps.update(step, d, t),
    );
    drop(steps);
    let Healed {
        nothing_to_do,
        done,
        reindexed,
        after,
    } = healed?;
    let (ok, mut out) = (after.ok(), std::io::stdout().lock());
    if args.json {
        let damaged_captures = after.damaged_captures;
        json_line(
            &mut out,
            &RepairSummary {
                repair: done,
                ok,
                damaged_captures,
            },
        )?;
    } else if nothing_to_do {
        writeln!(out, "nothing to repair: verify found no damage")?;
    } else {
        vellum::render::reports::repair(&mut out, &done, &after, reindexed)?;
    }
    Ok(if ok { Exit::Ok } else { Exit::Found })
}

/// Whether two paths name the same store directory.
fn same_store(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
