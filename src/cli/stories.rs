//! `vellum stories`

use std::io::Write;

use vellum::render;
use vellum::render::json;
use vellum::republish::{self, Story};

use vellum::query::items::StoriesAnswer;

use super::env::{CliError, Env, Exit};
use super::pager;
use super::similar::open_with_index;

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/stories.txt")
)]
pub struct StoriesArgs {
    /// Also list documents that are a story of their own
    #[arg(long)]
    all: bool,
    /// One JSON object: stories, each with its documents (first capture order) and lineage
    #[arg(long)]
    json: bool,
}

pub fn run_stories(env: &Env, args: StoriesArgs) -> Result<Exit, CliError> {
    let (archive, index) = open_with_index(env)?;
    let spinner = super::progress::Spinner::start(env, "grouping documents into stories");
    let mut texts = republish::store_texts(&archive);
    let all = republish::stories(&index, &mut texts);
    drop(spinner);
    let shown: Vec<Story> = all?
        .into_iter()
        .filter(|s| args.all || s.docs.len() > 1)
        .collect();
    let mut out = pager::output(env);
    match args.json {
        true => json::line(&mut out, &StoriesAnswer::new(&index, &shown, &mut texts)?)?,
        false => render::tables::stories(&mut out, &shown, args.all, env.width)?,
    }
    out.flush()?;
    Ok(Exit::Ok)
}
