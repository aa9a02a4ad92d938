//! `vellum reindex`

use std::io::Write;

use super::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
pub struct ReindexArgs {}

pub fn run_reindex(env: &Env, _args: ReindexArgs) -> Result<Exit, CliError> {
    let report = vellum::store::reindex(&env.store)?;
    writeln!(
        std::io::stdout().lock(),
        "rebuilt the catalog of {} from {} pack(s): {} capture(s)",
        env.store.display(),
        report.packs,
        report.captures
    )?;
    Ok(Exit::Ok)
}
