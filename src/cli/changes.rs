//! `vellum changes`

use std::io::Write;

use vellum::render::json;
use vellum::significance::{self, ChangesQuery, Index};

use super::common::table;
use super::env::{CliError, Env, Exit};
use super::pager;
use super::progress::Spinner;

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/changes.txt")
)]
pub struct ChangesArgs {
    /// Only this document's changes (its name or URL)
    doc: Option<String>,
    /// Only changes whose new version was captured at or after TIME (a date, a time, or 1d, 12h…)
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only changes scoring at least X (0 to 1)
    #[arg(long, value_name = "X", default_value_t = 0.0)]
    min_score: f64,
    /// Only the N most significant
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
    /// One JSON object per change, per line
    #[arg(long)]
    json: bool,
}

pub fn run_changes(env: &Env, args: ChangesArgs) -> Result<Exit, CliError> {
    if !(0.0..=1.0).contains(&args.min_score) {
        return Err(CliError::new(format!(
            "--min-score {}: a score is between 0 and 1",
            args.min_score
        )));
    }
    let now = time::OffsetDateTime::now_utc();
    let since = vellum::when::time_option("--since", args.since.as_deref(), false, now)?;
    let archive = env.open()?;
    let doc = args.doc.as_deref().map(|d| archive.document(d));
    let mut index = Index::read(&archive)?;
    let q = ChangesQuery {
        since,
        min_score: args.min_score,
        doc: doc.transpose()?.map(|d| d.to_string()),
        limit: args.max_count,
    };
    let spinner = Spinner::start(env, "scoring changes");
    let found = significance::changes(&archive, &mut index, &q);
    drop(spinner);
    let (found, mut out) = (found?, pager::output(env));
    match args.json {
        true => json::lines(&mut out, &found)?,
        false => vellum::render::listing::changes(&mut out, &found, &table(env))?,
    }
    out.flush()?;
    Ok(Exit::Ok)
}
