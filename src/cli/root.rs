//! `vellum root`: the size and root of the archive log, to publish.

use vellum::render::{json, reports};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/root.txt")
)]
pub struct RootArgs {
    /// One JSON object: size, root, unlogged (captures not in the log yet)
    #[arg(long)]
    json: bool,
}

pub fn run_root(env: &Env, args: RootArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let root = vellum::query::log_root(&archive)?;
    let mut out = std::io::stdout().lock();
    json::or_text(&mut out, args.json, &root, reports::log_root)?;
    let note = reports::unlogged(&root).filter(|_| env.notes);
    note.iter().for_each(|n| eprintln!("vellum: {n}"));
    Ok(Exit::Ok)
}
