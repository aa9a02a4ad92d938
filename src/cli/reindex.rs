//! `vellum reindex`

use std::io::Write;

use vellum::render::json;

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
    let mut out = std::io::stdout().lock();
    let (store, packs, captures) = (env.store.display(), report.packs, report.captures);
    match args.json {
        true => json::line(&mut out, &vellum::store::Reindexed::new(&env.store, report))?,
        false => writeln!(
            out,
            "rebuilt the catalog of {store} from {packs} pack(s): {captures} capture(s)"
        )?,
    }
    Ok(Exit::Ok)
}
