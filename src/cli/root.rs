//! `vellum root`: the size and root of the archive log, to publish.

use vellum::render::json;

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
    let (unlogged, mut out) = (root.unlogged, std::io::stdout().lock());
    json::or_text(&mut out, args.json, &root, |o, r| {
        writeln!(o, "{}:{}", r.size, r.root)
    })?;
    if unlogged > 0 && env.notes {
        eprintln!(
            "vellum: {unlogged} capture(s) archived by an older vellum are not in the log yet; \
             the next `vellum add` logs them"
        );
    }
    Ok(Exit::Ok)
}
