//! `vellum verify`

use vellum::store::verify::{VerifyReport, verify};

use super::common::json_line;
use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Re-reads every pack, re-decodes and re-hashes every object, parses every
capture record and checks every reference and delta base, then compares the catalog with the
objects. Each problem is one line naming the damaged object and every DOC@N whose text or raw
bytes it makes unreadable; then, per damaged capture, what is lost (evidence, text, record, log
entry), what can be rebuilt, and which of show, diff, show --raw, export still work. Exit 0 when all is well, 1 when anything is damaged, 2 when verify could not run."
)]
pub struct VerifyArgs {
    /// One JSON object: packs, objects, captures, problems, damaged_captures, notes, ok,
    /// reindex_repairs
    #[arg(long)]
    json: bool,
}

pub fn run_verify(env: &Env, args: VerifyArgs) -> Result<Exit, CliError> {
    let archive = vellum::store::Archive::open_for_verify(&env.store)?;
    let mut progress = Progress::new(env, "checking packs");
    let report = verify(&archive, &mut |done, total| progress.update(done, total));
    drop(progress);
    let mut out = std::io::stdout().lock();
    let ok = report.ok();
    match args.json {
        true => json_line(&mut out, &VerifyReport::from(report))?,
        false => vellum::render::reports::verify(&mut out, &report)?,
    }
    Ok(if ok { Exit::Ok } else { Exit::Found })
}
