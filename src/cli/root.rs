//! `vellum root`: the size and root of the archive log, to publish.

use std::io::Write;

use super::common::json_line;
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
    let unlogged = root.unlogged;
    let mut out = std::io::stdout().lock();
    match args.json {
        true => json_line(&mut out, &root)?,
        false => writeln!(out, "{}:{}", root.size, root.root)?,
    }
    if unlogged > 0 && env.notes {
        eprintln!(
            "vellum: {unlogged} capture(s) archived by an older vellum are not in the log yet; \
             the next `vellum add` logs them"
        );
    }
    Ok(Exit::Ok)
}
