//! `vellum log [DOC]`

use std::io::Write;

use vellum::ingest::DocName;
use vellum::query::Side;
use vellum::query::{self, VersionQuery, VersionRow, Window};
use vellum::render::{self, RenderOptions};
use vellum::store::{Archive, DocSummary, History};
use vellum::when::parse_time_bound;

use vellum::query::items::{CaptureItem, DocumentItem, VersionItem};

use super::common::{IgnoreArgs, cell, json_line};
use super::env::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without DOC: one row per document (name, versions, captures, first and \
last capture time, title), by name; --since and --until keep the documents whose first-to-last \
capture span reaches into the window, -n N the N most recently captured, --reverse lists them \
backwards. A document's title is its latest version's (a text file's: its first line).

With DOC: one row per version in history order: @N, short capture id, \
captured-at, source or URL, word count, words added and removed against the version before, and \
`= @K` when the version restores the text of an earlier one (a revert).

A version is a run of captures with the same text: a page that reads A, then B, then A again has \
three versions. --captures lists every capture (sighting) with the version it saw.

Times (--since, --until) are RFC 3339 or shorter: 2019-02-12, 2019-02-12T12:56 (UTC when no zone \
is given); --until with a date alone includes that whole day.

Examples:
  vellum log                                     every document
  vellum log south-front -n 5                    its 5 latest versions
  vellum log south-front --since 2019-02-01 --until 2019-02-28
  vellum log south-front --ignore-markup --changes-only
  vellum log gr-article -p --ignore-boilerplate   changes without the site's recurring footers
  vellum log south-front -p                      each version's diff against the one before
  vellum log south-front -S 'ceasefire'          when the phrase appeared or disappeared
  vellum log south-front --captures --json"
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
        if args.captures || args.patch || args.stat || args.pickaxe.is_some() {
            return Err(CliError::new(
                "--captures, -p, --stat and -S need a document: vellum log DOC …",
            ));
        }
        let docs = query::documents_in(&archive, &window)?;
        log_documents(
            &mut out,
            &docs,
            args.json,
            env.stdout_is_terminal,
            env.width,
        )?;
        out.flush()?;
        return Ok(Exit::Ok);
    };
    let cut = env.stdout_is_terminal && !args.json;
    // A name or a URL; an unknown one gets "did you mean".
    let doc = archive.document(doc)?;
    let history = archive.history(doc.as_str())?;
    if args.captures {
        log_captures(&archive, &mut out, &doc, &history, &window, args.json, cut)?;
    } else {
        let q = VersionQuery::new()
            .window(window)
            .options(args.ignore.options())
            .pickaxe(args.pickaxe.clone())
            .changes_only(args.changes_only)
            .diffs(args.patch || args.stat);
        let bp = args.ignore.boilerplate(Some(&archive))?;
        let rows = query::versions_matching(&archive, &history, &q, &bp)?;
        log_versions(env, &mut out, &doc, &history, &rows, &args, cut)?;
    }
    if !args.json {
        story_line(&archive, &mut out, doc.as_str())?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}

/// Names the document's story when other documents carry its text. The
/// log is read whatever becomes of the similarity index.
fn story_line(archive: &Archive, out: &mut dyn Write, doc: &str) -> Result<(), CliError> {
    let story = vellum::republish::read_index(archive)
        .and_then(|index| vellum::republish::story_for_doc(archive, &index, doc));
    if let Ok(Some(s)) = story
        && s.docs.len() > 1
    {
        let others: Vec<String> = s
            .docs
            .iter()
            .filter(|d| d.entry.doc != doc)
            .map(|d| super::similar::snippet(&d.entry.doc, 100))
            .collect();
        writeln!(
            out,
            "story {}: its text is also in {} (`vellum collate {}` lines them up)",
            s.id,
            others.join(", "),
            s.id
        )?;
    }
    Ok(())
}

/// The time window and row limits asked for.
fn window(args: &LogArgs) -> Result<Window, CliError> {
    let when = |s: &Option<String>, end: bool, flag: &str| {
        s.as_deref()
            .map(|s| parse_time_bound(s, end).map_err(|e| CliError::new(format!("{flag}: {e}"))))
            .transpose()
    };
    Ok(Window {
        since: when(&args.since, false, "--since")?,
        until: when(&args.until, true, "--until")?,
        max: args.max_count,
        reverse: args.reverse,
    })
}

/// The documents table. A name is never cut (it is what a user pastes
/// back); on a terminal the title is cut to what is left of the line.
fn log_documents(
    out: &mut dyn Write,
    docs: &[DocSummary],
    json: bool,
    terminal: bool,
    width: usize,
) -> Result<(), CliError> {
    let cut = terminal && !json;
    if !json && !docs.is_empty() {
        writeln!(
            out,
            "{} {:>8} {:>8}  {:<20}  {:<20}  TITLE",
            cell("DOCUMENT", 40, false),
            "VERSIONS",
            "CAPTURES",
            "FIRST",
            "LAST"
        )?;
    }
    for d in docs {
        if json {
            json_line(out, &DocumentItem::from(d))?;
            continue;
        }
        let name = cell(&d.doc, 40, false);
        let used = unicode_width::UnicodeWidthStr::width(name.as_str()) + 1 + 8 + 1 + 8;
        let title_width = width.saturating_sub(used + 2 + 20 + 2 + 20 + 2).max(10);
        let title = d.title.as_deref().unwrap_or("");
        writeln!(
            out,
            "{name} {:>8} {:>8}  {:<20}  {:<20}  {}",
            d.versions,
            d.captures,
            fmt_time(d.first),
            fmt_time(d.last),
            if cut {
                cell(title, title_width, true).trim_end().to_owned()
            } else {
                title.to_owned()
            }
        )?;
    }
    Ok(())
}

fn log_versions(
    env: &Env,
    out: &mut dyn Write,
    doc: &DocName,
    history: &History,
    rows: &[VersionRow],
    args: &LogArgs,
    cut: bool,
) -> Result<(), CliError> {
    let table = !args.json && !args.patch && !args.stat;
    if table {
        writeln!(
            out,
            "{:<5} {:<12}  {:<20}  {} {:>7} {:>7} {:>7}",
            "@N",
            "CAPTURE",
            "CAPTURED",
            cell("SOURCE", 40, false),
            "WORDS",
            "ADDED",
            "REMOVED"
        )?;
    }
    let ropts = RenderOptions {
        color: env.color,
        width: env.width,
        ..RenderOptions::default()
    };
    let opt = |n: Option<u64>, sign: &str| n.map_or("-".to_owned(), |n| format!("{sign}{n}"));
    for row in rows {
        let v = &row.version;
        let origin = v.source.clone().or_else(|| v.url.clone());
        let origin = origin.unwrap_or_default();
        if args.json {
            json_line(
                out,
                &VersionItem::new(doc.as_str(), row, args.stat, args.patch),
            )?;
            continue;
        }
        let same = v.same_as.map(|n| format!("= @{n}")).unwrap_or_default();
        if table {
            let line = format!(
                "{:<5} {:<12}  {:<20}  {} {:>7} {:>7} {:>7}  {same}",
                format!("@{}", v.number),
                v.capture.0.short(),
                fmt_time(v.captured_at),
                cell(&origin, 40, cut),
                opt(row.words, ""),
                opt(row.change.map(|c| c.0), "+"),
                opt(row.change.map(|c| c.1), "-"),
            );
            writeln!(out, "{}", line.trim_end())?;
            continue;
        }
        // -p / --stat: a header per version, then its change.
        let header = [
            format!("{doc}@{}", v.number),
            format!("capture {}", v.capture),
            fmt_time(v.captured_at),
            origin,
            same,
        ];
        let header: Vec<&str> = header
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        writeln!(out, "{}", header.join("  "))?;
        match &row.diff {
            None if v.number == 1 => writeln!(out, "first version, {} words", opt(row.words, ""))?,
            None => writeln!(out, "(not text: no diff)")?,
            Some(d) if args.stat => render::stat(out, d, &ropts)?,
            Some(d) => {
                let side =
                    |n: u64| Side::of_version(doc.as_str(), &history.versions[n as usize - 1]);
                let (old, new) = (side(v.number - 1).rendered(), side(v.number).rendered());
                render::inline(out, d, &old, &new, &ropts)?;
            }
        }
        writeln!(out)?;
    }
    Ok(())
}

fn log_captures(
    archive: &Archive,
    out: &mut dyn Write,
    doc: &DocName,
    history: &History,
    window: &Window,
    json: bool,
    cut: bool,
) -> Result<(), CliError> {
    let rows = query::captures_in(archive, history, doc.as_str(), window)?;
    if !json {
        writeln!(
            out,
            "{:<12}  {:<20}  {:<5} {} URL",
            "CAPTURE",
            "CAPTURED",
            "SAW",
            cell("SOURCE", 24, false)
        )?;
    }
    for c in rows {
        let r = &c.row;
        if json {
            json_line(out, &CaptureItem::from(&c))?;
            continue;
        }
        // A flagged or superseded capture saw no version.
        let saw = match c.version {
            Some(v) => format!("@{v}"),
            None if r.superseded => "old".to_owned(),
            None => "-".to_owned(),
        };
        writeln!(
            out,
            "{:<12}  {:<20}  {:<5} {} {}{}",
            r.id.0.short(),
            fmt_time(c.captured_at),
            saw,
            cell(r.source.as_deref().unwrap_or(""), 24, cut),
            r.url.as_deref().unwrap_or(""),
            if r.superseded {
                "  (superseded: re-extracted by a newer extractor)"
            } else {
                ""
            }
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_document_name_is_never_cut_on_a_terminal() {
        let name = format!("127-0-0-1-news-{}", "long-".repeat(12));
        let at = time::macros::datetime!(2019-02-12 12:00 UTC);
        let docs = [DocSummary {
            doc: name.clone(),
            versions: 1,
            captures: 1,
            first: at,
            last: at,
            title: Some("A title long enough to be cut on a narrow terminal".into()),
        }];
        let mut out = Vec::new();
        log_documents(&mut out, &docs, false, true, 100).unwrap();
        let out = String::from_utf8(out).unwrap();
        let row = out.lines().nth(1).unwrap();
        assert!(row.starts_with(&format!("{name} ")), "{out}");
        assert!(row.ends_with('…'), "the title is cut instead: {out}");
    }
}
