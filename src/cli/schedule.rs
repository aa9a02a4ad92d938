//! `vellum schedule [DOC|URL...] [--every DURATION | --auto] [--pause | --resume] [--json]`

use std::io::Write;
use std::time::Duration;

use vellum::monitor::ScheduleChange;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/schedule.txt"))]
pub struct ScheduleArgs {
    /// Documents (names or URLs) to show or set [default: all, to show]
    #[arg(value_name = "DOC|URL")]
    docs: Vec<String>,
    /// Check these documents every DURATION (15m, 1h, 1d) instead of backing off
    #[arg(long, value_name = "DURATION", value_parser = vellum::when::parse_duration, conflicts_with = "auto")]
    every: Option<Duration>,
    /// Back to the automatic backoff
    #[arg(long)]
    auto: bool,
    /// Stop checking these documents until --resume
    #[arg(long, conflicts_with = "resume")]
    pause: bool,
    /// Check these documents again
    #[arg(long)]
    resume: bool,
    /// One JSON object per line: doc, url, last, next, interval (seconds), mode, paused,
    /// checks, outcome, failures, failing
    #[arg(long)]
    json: bool,
}

pub fn run_schedule(env: &Env, args: ScheduleArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let change = ScheduleChange {
        every: args.every,
        auto: args.auto,
        pause: args.pause,
        resume: args.resume,
    };
    let waiting = &mut || super::write::waiting(env);
    let rows = vellum::monitor::schedule(&archive, &args.docs, change, waiting)?;
    let mut out = super::pager::output(env);
    for r in &rows {
        vellum::render::json::or_text(&mut out, args.json, r, vellum::render::monitor::scheduled)?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}
