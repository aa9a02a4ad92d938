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
        let v = serde_json::json!({
            "store": env.store, "packs": report.packs, "captures": report.captures,
        });
        writeln!(std::io::stdout().lock(), "{v}")?;
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
