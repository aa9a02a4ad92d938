//! `vellum log [DOC]`

use std::io::Write;

use vellum::query::{self, Side, VersionQuery, Window};
use vellum::render::{RenderOptions, json, listing, reports};
use vellum::significance::Significance;
use vellum::when::time_option;

use vellum::query::items::{CaptureItem, DocumentItem, VersionItem};

use super::common::{IgnoreArgs, table};
use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/log.txt")
)]
pub struct LogArgs {
    /// Document (its name or URL) to list the versions of
    doc: Option<String>,
    /// One JSON object per line
    #[arg(long)]
    json: bool,
    /// List every capture (sighting) with the version it saw, not one row per version
    #[arg(long)]
    captures: bool,
    /// List the document's checks (`vellum recheck`, `vellum watch`): time, outcome, status
    /// or detail, and the version the page had
    #[arg(long, conflicts_with_all = ["captures", "patch", "stat", "pickaxe", "changes_only"])]
    checks: bool,
    /// Only the N most recent rows (after the other filters)
    #[arg(short = 'n', long = "max-count", value_name = "N")]
    max_count: Option<usize>,
    /// Only rows captured at or after TIME
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// Only rows captured at or before TIME
    #[arg(long, value_name = "TIME")]
    until: Option<String>,
    /// Newest first
    #[arg(long)]
    reverse: bool,
    /// Show each version's word diff against the version before it
    #[arg(short = 'p', long = "patch")]
    patch: bool,
    /// Show a summary of each version's changes against the version before it
    #[arg(long)]
    stat: bool,
    /// Only versions where PHRASE appears or disappears (its number of occurrences changes)
    #[arg(short = 'S', value_name = "PHRASE")]
    pickaxe: Option<String>,
    /// Skip versions whose change vanishes under the --ignore-* options
    #[arg(long)]
    changes_only: bool,
    #[command(flatten)]
    ignore: IgnoreArgs,
}

pub fn run_log(env: &Env, args: LogArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let mut out = super::pager::output(env);
    let now = time::OffsetDateTime::now_utc();
    let window = Window {
        since: time_option("--since", args.since.as_deref(), false, now)?,
        until: time_option("--until", args.until.as_deref(), true, now)?,
        max: args.max_count,
        reverse: args.reverse,
    };
    let Some(doc) = &args.doc else {
        if args.captures || args.checks || args.patch || args.stat || args.pickaxe.is_some() {
            return Err(CliError::new(
                "--captures, --checks, -p, --stat and -S need a document: vellum log DOC …",
            ));
        }
        let docs = query::documents_in(&archive, &window)?;
        match args.json {
            true => json::lines(&mut out, docs.iter().map(DocumentItem::from))?,
            false => listing::documents(&mut out, &docs, &table(env))?,
        }
        out.flush()?;
        return Ok(Exit::Ok);
    };
    // A name or a URL; an unknown one gets "did you mean".
    let doc = archive.document(doc)?;
    let (doc, cut) = (doc.as_str(), env.stdout_is_terminal);
    let history = archive.history(doc)?;
    if args.checks {
        // -n and --reverse as for versions (checks have no capture time).
        let rows = window.finish(vellum::query::checks::checks_of(&archive, doc)?);
        for c in &rows {
            json::or_text(&mut out, args.json, c, reports::check)?;
        }
    } else if args.captures {
        let rows = query::captures_in(&archive, &history, doc, &window)?;
        if !args.json {
            listing::captures_header(&mut out)?;
        }
        for c in &rows {
            if args.json {
                json::line(&mut out, &CaptureItem::from(c))?;
                continue;
            }
            let (row, at, flag) = (&c.row, c.captured_at, c.flag(&archive)?);
            listing::capture_row(&mut out, row, at, c.version, flag.as_deref(), cut)?;
        }
    } else {
        let q = VersionQuery::new()
            .window(window.clone())
            .options(args.ignore.options())
            .pickaxe(args.pickaxe.clone())
            .changes_only(args.changes_only)
            .diffs(args.patch || args.stat);
        let bp = args.ignore.boilerplate(Some(&archive))?;
        let rows = query::versions_matching(&archive, &history, &q, &bp)?;
        let rows = query::scored(&archive, &history, rows)?;
        let change = (args.patch || args.stat).then_some(args.stat);
        if args.json {
            let item = |(r, s): &(_, Option<Significance>)| {
                VersionItem::new(doc, r, args.stat, args.patch).with_significance(s.clone())
            };
            json::lines(&mut out, rows.iter().map(item))?;
        } else {
            let ropts = RenderOptions {
                color: env.color,
                width: env.width,
                ..RenderOptions::default()
            };
            let lines = rows.iter().map(|(r, s)| r.line(s.as_ref()));
            let side = |n: u64| Side::of_version(doc, &history.versions[n as usize - 1]).rendered();
            listing::versions(&mut out, doc, lines, change, &side, &ropts, cut)?;
        }
        if !args.json && change.is_none() {
            let flagged = query::flagged_in(&archive, &history, doc, &window)?;
            listing::flagged_rows(&mut out, &flagged)?;
        }
    }
    // Only for people: the story line is no part of the JSON.
    if !args.json
        && let Some(s) = query::story_of(&archive, doc)
    {
        listing::story_line(&mut out, &s, doc)?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}
