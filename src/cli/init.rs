//! `vellum init [DIR]`

use std::io::Write;
use std::path::PathBuf;

use vellum::render::json;
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
    let shown = dir.display().to_string();
    match (args.json, created) {
        (true, _) => json::line(
            &mut out,
            &Initialized {
                store: dir,
                created,
            },
        )?,
        (false, true) => writeln!(out, "initialized an empty vellum store in {shown}")?,
        (false, false) => writeln!(out, "{shown} is already a vellum store; nothing changed")?,
    }
    Ok(Exit::Ok)
}
