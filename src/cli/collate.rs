//! `vellum collate STORY|DOC|ADDR...`

use std::io::Write;

use clap::ValueEnum;

use vellum::query::{self, CollatedCopy};
use vellum::render::json;
use vellum::render::tables::{self, CopyHead};
use vellum::republish;

use super::common::table;
use super::env::{CliError, Env, Exit};
use super::pager;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table fitted to the terminal, variants word-diffed below their row
    Terminal,
    /// Machine-readable: copies, rows, cells with their diff ops
    Json,
    /// One standalone HTML page (no scripts, everything escaped)
    Html,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/collate.txt")
)]
pub struct CollateArgs {
    /// Story id, documents or addresses
    #[arg(required = true, value_name = "STORY|DOC|ADDR")]
    targets: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// The same as --format json
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Leave out boilerplate paragraphs (those a source repeats in 3+ documents)
    #[arg(long)]
    ignore_boilerplate: bool,
}

pub fn run_collate(env: &Env, args: CollateArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let index = republish::read_index(&archive)?;
    let targets: Vec<String> = args
        .targets
        .iter()
        .map(|t| super::env::anchored(t))
        .collect();
    let c = query::collation(&archive, &index, &targets, args.ignore_boilerplate);
    let c = c?;
    let mut out = pager::output(env);
    let heads: Vec<CopyHead> = c.copies.iter().map(CollatedCopy::head).collect();
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => json::line(&mut out, &c)?,
        Format::Html => tables::collation_html(&mut out, &heads, &c.rows)?,
        Format::Terminal => {
            tables::collation(&mut out, &heads, &c.rows, &table(env))?;
            if let Some(l) = &c.lineage {
                tables::lineage(&mut out, l)?;
            }
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}
