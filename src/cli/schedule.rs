//! `vellum schedule [DOC|URL...] [--every DURATION | --auto] [--pause | --resume] [--json]`

use std::io::Write;
use std::time::Duration;

use vellum::monitor::{Policy, Schedule, Scheduled, Settings};

use super::env::{CliError, Env, Exit};
use super::recheck::monitor_error;

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
    let changing = args.every.is_some() || args.auto || args.pause || args.resume;
    if changing && args.docs.is_empty() {
        return Err(CliError::new(
            "--every, --auto, --pause and --resume need documents: vellum schedule DOC --pause",
        ));
    }
    let schedule = Schedule::open(&archive, Policy::default()).map_err(monitor_error)?;
    let (prev, mut settings) = Settings::load(&archive)?;
    let mut docs = Vec::new();
    for arg in &args.docs {
        let doc = vellum::monitor::resolve_doc(&archive, arg).map_err(monitor_error)?;
        if schedule
            .entry(doc.as_str(), &settings)
            .map_err(monitor_error)?
            .is_none()
        {
            return Err(CliError::new(format!(
                "{arg}: the document {doc} has no URL to check (it was not archived from the web)"
            )));
        }
        docs.push(doc.to_string());
    }
    if changing {
        for doc in &docs {
            let mut s = settings.of(doc);
            if let Some(every) = args.every {
                s.every = Some(every.as_secs().max(1) as i64);
            }
            if args.auto {
                s.every = None;
            }
            s.paused = (s.paused || args.pause) && !args.resume;
            settings.set(doc, s);
        }
        let mut writer = super::write::writer(env, &archive)?;
        settings.save(&mut writer, prev)?;
        writer.commit()?;
    }
    let rows: Vec<Scheduled> = if docs.is_empty() {
        schedule.all(&settings).map_err(monitor_error)?
    } else {
        let mut rows = Vec::new();
        for d in &docs {
            rows.extend(schedule.entry(d, &settings).map_err(monitor_error)?);
        }
        rows
    };
    let mut out = super::pager::output(env);
    for r in &rows {
        if args.json {
            super::common::json_line(&mut out, r)?;
        } else {
            writeln!(
                out,
                "{}  {}  {}  {}  {} checks  {}{}",
                r.doc,
                r.next.as_deref().unwrap_or("paused"),
                human(r.interval),
                r.mode,
                r.checks,
                r.outcome.map_or("-".into(), |o| o.to_string()),
                if r.failing { "  failing" } else { "" }
            )?;
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
}

/// 900 -> 15m, 7200 -> 2h, 172800 -> 2d.
fn human(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}
