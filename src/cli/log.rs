//! `vellum log [DOC]`

use std::io::Write;

use vellum::query::Side;
use vellum::query::{self, VersionQuery, VersionRow, Window};
use vellum::render::{RenderOptions, listing};
use vellum::significance::Index;
use vellum::store::{Archive, History};

use vellum::query::items::{CaptureItem, DocumentItem, VersionItem};

use super::common::{IgnoreArgs, json_line, table};
use super::env::{CliError, Env, Exit, time_arg};

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
    let window = window(&args)?;
    let Some(doc) = &args.doc else {
        if args.captures || args.checks || args.patch || args.stat || args.pickaxe.is_some() {
            return Err(CliError::new(
                "--captures, --checks, -p, --stat and -S need a document: vellum log DOC …",
            ));
        }
        let docs = query::documents_in(&archive, &window)?;
        if args.json {
            docs.iter()
                .try_for_each(|d| json_line(&mut out, &DocumentItem::from(d)))?;
        } else {
            listing::documents(&mut out, &docs, &table(env))?;
        }
        out.flush()?;
        return Ok(Exit::Ok);
    };
    // A name or a URL; an unknown one gets "did you mean".
    let doc = archive.document(doc)?;
    let (doc, cut) = (doc.as_str(), env.stdout_is_terminal);
    let history = archive.history(doc)?;
    if args.checks {
        log_checks(&mut out, &archive, doc, &args)?;
    } else if args.captures {
        let rows = query::captures_in(&archive, &history, doc, &window)?;
        if !args.json {
            listing::captures_header(&mut out)?;
        }
        for c in &rows {
            match args.json {
                true => json_line(&mut out, &CaptureItem::from(c))?,
                false => {
                    let flag = c.flag(&archive)?;
                    listing::capture_row(
                        &mut out,
                        &c.row,
                        c.captured_at,
                        c.version,
                        flag.as_deref(),
                        cut,
                    )?
                }
            }
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
        log_versions(env, &archive, &mut out, doc, &history, &rows, &args)?;
        if !args.json && !args.patch && !args.stat {
            let captures = query::captures_in(&archive, &history, doc, &window)?;
            let mut flagged = Vec::new();
            for c in captures.iter().filter(|c| c.row.flagged) {
                flagged.push((&c.row, c.captured_at, c.flag(&archive)?.unwrap_or_default()));
            }
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

/// `--checks`: one row per check (time, outcome, detail, version), or
/// one JSON object each.
fn log_checks(
    out: &mut dyn Write,
    archive: &Archive,
    doc: &str,
    args: &LogArgs,
) -> Result<(), CliError> {
    let mut rows = vellum::query::checks::checks_of(archive, doc)?;
    if args.reverse {
        rows.reverse();
    }
    rows.drain(
        ..rows
            .len()
            .saturating_sub(args.max_count.unwrap_or(usize::MAX)),
    );
    for c in &rows {
        match args.json {
            true => json_line(out, c)?,
            false => vellum::render::reports::check(out, c)?,
        }
    }
    Ok(())
}

/// The time window and row limits asked for.
fn window(args: &LogArgs) -> Result<Window, CliError> {
    Ok(Window {
        since: time_arg("--since", args.since.as_deref(), false)?,
        until: time_arg("--until", args.until.as_deref(), true)?,
        max: args.max_count,
        reverse: args.reverse,
    })
}

/// The versions: a table, a JSON object each, or (-p, --stat) each
/// version's change against the version before it.
fn log_versions(
    env: &Env,
    archive: &Archive,
    out: &mut dyn Write,
    doc: &str,
    history: &History,
    rows: &[VersionRow],
    args: &LogArgs,
) -> Result<(), CliError> {
    let table = !args.json && !args.patch && !args.stat;
    if table {
        listing::versions_header(out)?;
    }
    let ropts = RenderOptions {
        color: env.color,
        width: env.width,
        ..RenderOptions::default()
    };
    let side = |n: u64| Side::of_version(doc, &history.versions[n as usize - 1]).rendered();
    let mut scores = Index::read(archive)?;
    for row in rows {
        let v = &row.version;
        let significance = query::significance_of(&mut scores, archive, history, v)?;
        if args.json {
            let item = VersionItem::new(doc, row, args.stat, args.patch);
            json_line(out, &item.with_significance(significance))?;
        } else if table {
            let score = significance.map(|s| s.value);
            listing::version_row(out, v, row.words, row.change, score, env.stdout_is_terminal)?;
        } else {
            let sides = row
                .diff
                .as_ref()
                .map(|_| (side(v.number - 1), side(v.number)));
            let diff = row
                .diff
                .as_ref()
                .zip(sides.as_ref())
                .map(|(d, (o, n))| (d, o, n));
            let (words, stat, significance) = (row.words, args.stat, significance.as_ref());
            let change = listing::VersionChange {
                doc,
                version: v,
                words,
                diff,
                stat,
                significance,
            };
            listing::version_change(out, &change, &ropts)?;
        }
    }
    Ok(())
}
