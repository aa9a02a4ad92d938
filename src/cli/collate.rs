//! `vellum collate STORY|DOC|ADDR...`

use std::io::Write;

use clap::ValueEnum;

use vellum::query::{self, CollateError, CollatedCopy};
use vellum::render::tables::{self, CopyHead};
use vellum::republish;

use super::common::{json_line, table};
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
    after_help = "Lines up the copies of a text: one row per paragraph of their union, one \
column per copy (in first-capture order). A cell is = (the row's majority reading, give or take \
case, typography and markup), ~ (a variant: its words are diffed against the majority reading \
below the row) or . (absent). Like CollateX for manuscripts, for news.

Arguments are a story id (from `vellum stories`), documents or addresses (DOC, DOC@N, capture \
id); two or more copies in all.

Examples:
  vellum collate s-1a2b3c4d5e6f
  vellum collate blog-copy gr-copy --ignore-boilerplate
  vellum collate south-front@1 south-front@3 --format html > collation.html
  vellum collate s-1a2b3c4d5e6f --json | jq '.rows[] | [.cells[].state]'

Exit codes: 0 success, 2 error."
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
    let c = c.map_err(|e| match e {
        CollateError::Store(e) => e.into(),
        e => CliError::new(e.to_string()),
    })?;
    let mut out = pager::output(env);
    let heads: Vec<CopyHead> = c.copies.iter().map(CollatedCopy::head).collect();
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => json_line(&mut out, &c)?,
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
