//! `vellum similar ADDR|FILE|URL`

use std::io::Write;

use vellum::render;
use vellum::render::json;
use vellum::republish::{self, Index};
use vellum::store::Archive;

use vellum::query::items::SimilarAnswer;
use vellum::query::{self, SimilarTarget};

use super::common::table;
use super::env::{CliError, Env, Exit};
use super::pager;
use super::progress::Spinner;

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/similar.txt")
)]
pub struct SimilarArgs {
    /// Address, file, `-` or archived URL
    #[arg(value_name = "TARGET")]
    target: String,
    /// How many documents to list
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    count: usize,
    /// One JSON object: the query and its results, each with containment and matching paragraphs
    #[arg(long)]
    json: bool,
}

/// Opens the store and its similarity index (caught up), with a spinner.
pub fn open_with_index(env: &Env) -> Result<(Archive, Index), CliError> {
    let archive = env.open()?;
    let spinner = Spinner::start(env, "catching up the similarity index");
    let index = republish::read_index(&archive);
    drop(spinner);
    Ok((archive, index?))
}

pub fn run_similar(env: &Env, args: SimilarArgs) -> Result<Exit, CliError> {
    let (archive, index) = open_with_index(env)?;
    let t = SimilarTarget::named(&archive, &args.target, super::env::clock())?;
    let (query, results) = query::similar_to(&archive, &index, &t, args.count)?;
    let mut out = pager::output(env);
    match args.json {
        true => json::line(&mut out, &SimilarAnswer::new(&t, &query, &results))?,
        false => render::tables::similar(&mut out, &t.label, &query, &results, &table(env))?,
    }
    out.flush()?;
    Ok(Exit::Ok)
}
