//! `vellum schedule [DOC|URL...] [--every DURATION | --auto] [--pause | --resume] [--json]`

use std::io::Write;
use std::time::Duration;

use vellum::monitor::ScheduleChange;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum schedule                              every scheduled document and its next check
  vellum schedule south-front --every 1h       check it hourly, whatever it does
  vellum schedule south-front --auto           back to the backoff
  vellum schedule https://example.org/a --pause
  vellum schedule --json                       one JSON object per document

Every document archived from a URL is scheduled. The interval backs off while its page stays
the same (15 minutes after a change or its first capture, doubling at each check that finds it
unchanged, up to 30 days) and returns to 15 minutes after a change; after 5 failures in a row
(404, errors, a vanished text) the document is reported as failing and checked every 30 days.
The schedule is derived from the check records (it is rebuilt from the store when lost);
--every, --pause and --resume are kept in the store. `vellum watch --once` and
`vellum recheck --due` check the documents that are due.

Columns: document, next check (or `paused`), interval, auto or fixed, checks so far, the last
check's outcome, and `failing` when it is.")]
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
    if change.is_some() && args.docs.is_empty() {
        return Err(CliError::new(
            "--every, --auto, --pause and --resume need documents: vellum schedule DOC --pause",
        ));
    }
    let waiting = &mut || super::recheck::waiting(env);
    let rows = vellum::monitor::schedule(&archive, &args.docs, change, waiting)?;
    let mut out = super::pager::output(env);
    for r in &rows {
        match args.json {
            true => super::common::json_line(&mut out, r)?,
            false => vellum::render::monitor::scheduled(&mut out, r)?,
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}
