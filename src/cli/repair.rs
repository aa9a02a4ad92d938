//! `vellum repair --from OTHER | --rebuild`

use std::io::Write;
use std::path::PathBuf;

use vellum::capture::reextract::rebuild_texts;
use vellum::store::Archive;
use vellum::store::repair::{RepairReport, RepairSummary, Sources};
use vellum::store::verify::verify;

use super::env::{CliError, Env, Exit};
use super::progress::Progress;

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
    let archive = Archive::open_writable(&env.store)?.0;
    let replica = args.from.as_deref().map(Archive::open).transpose()?;
    let mut progress = Progress::new(env, "checking packs");
    let before = verify(&archive, &mut |d, t| progress.update(d, t));
    drop(progress);
    let mut out = std::io::stdout().lock();
    if before.ok() {
        if args.json {
            print_json(&mut out, RepairReport::default(), &before)?;
        } else {
            writeln!(out, "nothing to repair: verify found no damage")?;
        }
        return Ok(Exit::Ok);
    }
    let done = if before.reindex_repairs() {
        RepairReport::default()
    } else {
        heal(env, &archive, &before, replica.as_ref(), args.rebuild)?
    };
    drop(archive);
    // What is derived (the catalog) is rebuilt from the objects once they
    // are whole, when it is all that still disagrees.
    let mut after = verify(&Archive::open(&env.store)?, &mut |_, _| {});
    let mut reindexed = false;
    if after.reindex_repairs() {
        vellum::store::reindex(&env.store)?;
        after = verify(&Archive::open(&env.store)?, &mut |_, _| {});
        reindexed = true;
    }
    if args.json {
        print_json(&mut out, done, &after)?;
    } else {
        print_text(&mut out, &done, &after, reindexed)?;
    }
    Ok(if after.ok() { Exit::Ok } else { Exit::Found })
}

/// The repair itself, with progress.
fn heal(
    env: &Env,
    archive: &Archive,
    before: &vellum::store::verify::Report,
    replica: Option<&Archive>,
    rebuild: bool,
) -> Result<RepairReport, CliError> {
    let mut texts = if rebuild {
        rebuild_texts(archive, before)
    } else {
        Default::default()
    };
    let mut rebuild_one = |id: &vellum::id::ObjectId| texts.remove(id);
    let mut progress = Progress::new(env, "fetching objects");
    let done = archive.repair(
        before,
        Sources {
            replica,
            rebuild: Some(&mut rebuild_one),
            accept_losses: rebuild,
        },
        &mut |d, t| progress.update(d, t),
    )?;
    drop(progress);
    Ok(done)
}

fn print_text(
    out: &mut dyn Write,
    done: &RepairReport,
    after: &vellum::store::verify::Report,
    reindexed: bool,
) -> Result<(), CliError> {
    writeln!(
        out,
        "rewrote {} intact object(s), fetched {}, rebuilt {}; wrote {} pack(s), retired {} \
         damaged pack(s)",
        done.rewritten,
        done.fetched,
        done.rebuilt,
        done.packs_written.len(),
        done.packs_retired.len()
    )?;
    if reindexed {
        writeln!(out, "rebuilt the catalog from the objects")?;
    }
    for id in &done.lost {
        writeln!(
            out,
            "lost: object {id} (no copy had it, nothing rebuilds it)"
        )?;
    }
    for p in &done.packs_kept {
        writeln!(
            out,
            "kept damaged pack {p}: it holds an object still lost (heal it with another \
             copy, or accept the loss with --rebuild)"
        )?;
    }
    if after.ok() {
        writeln!(out, "verify: ok, nothing is damaged")?;
    } else {
        writeln!(out, "verify: {} problem(s) remain", after.problems.len())?;
        for c in &after.damaged_captures {
            writeln!(out, "  {}", c.describe())?;
        }
    }
    Ok(())
}

fn print_json(
    out: &mut dyn Write,
    repair: RepairReport,
    after: &vellum::store::verify::Report,
) -> Result<(), CliError> {
    let summary = RepairSummary {
        repair,
        ok: after.ok(),
        damaged_captures: after.damaged_captures.clone(),
    };
    serde_json::to_writer(&mut *out, &summary).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(())
}

/// Whether two paths name the same store directory.
fn same_store(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}
