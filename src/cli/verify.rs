//! `vellum verify`

use vellum::custody::merge::verify;
use vellum::render::json;
use vellum::store::verify::VerifyReport;

use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/verify.txt")
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
        true => json::line(&mut out, &VerifyReport::from(report))?,
        false => vellum::render::reports::verify(&mut out, &report)?,
    }
    Ok(Exit::found(!ok))
}
