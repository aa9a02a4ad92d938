//! `vellum reindex`

use vellum::render::{json, reports};

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
    let done = vellum::store::Reindexed::new(&env.store, report);
    json::or_text(&mut out, args.json, &done, reports::reindexed)?;
    Ok(Exit::Ok)
}
