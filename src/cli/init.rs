//! `vellum init [DIR]`

use std::path::PathBuf;

use vellum::render::{json, reports};
use vellum::store::{Archive, Initialized};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Directory for the new store [default: --store, $VELLUM_STORE, else ./store]
    dir: Option<PathBuf>,
    /// One JSON object: store, created
    #[arg(long)]
    json: bool,
}

pub fn run_init(env: &Env, args: InitArgs) -> Result<Exit, CliError> {
    let dir = args.dir.unwrap_or_else(|| env.store.clone());
    let (_, created) = Archive::init(&dir)?;
    let mut out = std::io::stdout().lock();
    let item = Initialized {
        store: dir,
        created,
    };
    json::or_text(&mut out, args.json, &item, reports::initialized)?;
    Ok(Exit::Ok)
}
