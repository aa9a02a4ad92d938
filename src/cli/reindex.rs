//! `vellum reindex`

use std::io::Write;

use super::env::{CliError, Env, Exit};
use super::progress::Spinner;

#[derive(clap::Args, Debug)]
pub struct ReindexArgs {
    /// One JSON object: store, packs, captures
    #[arg(long)]
    json: bool,
}

pub fn run_reindex(env: &Env, args: ReindexArgs) -> Result<Exit, CliError> {
    let spinner = Spinner::start(env, "rebuilding the catalog");
    let report = vellum::store::reindex(&env.store);
    drop(spinner);
    let report = report?;
    let archive = vellum::store::Archive::open(&env.store)?;
    super::write::catch_up(env, &archive, true);
    if args.json {
        let line = serde_json::to_string(&vellum::store::Reindexed::new(&env.store, report))
            .map_err(|e| CliError::new(e.to_string()))?;
        writeln!(std::io::stdout().lock(), "{line}")?;
        return Ok(Exit::Ok);
    }
    writeln!(
        std::io::stdout().lock(),
        "rebuilt the catalog of {} from {} pack(s): {} capture(s)",
        env.store.display(),
        report.packs,
        report.captures
    )?;
    Ok(Exit::Ok)
}
