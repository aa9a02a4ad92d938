//! `vellum log [DOC]`

use std::io::Write;

use vellum::diff::{Diff, DiffOptions, diff};
use vellum::ingest::DocName;
use vellum::query;
use vellum::render::{self, RenderOptions, Side};
use vellum::store::{Archive, History, Version};
use vellum::when::parse_time_bound;

use super::common::{IgnoreArgs, cell};
use super::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without DOC: one row per document (name, versions, captures, first and \
last capture time, title). With DOC: one row per version in history order: @N, short capture id, \
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
    let cut = env.stdout_is_terminal && !args.json;
    match &args.doc {
        None => {
            if args.captures || args.patch || args.stat || args.pickaxe.is_some() {
                return Err(CliError::new(
                    "--captures, -p, --stat and -S need a document: vellum log DOC …",
                ));
            }
            log_documents(&archive, &mut out, args.json, cut, env.width)?
        }
        Some(doc) => {
            // A name or a URL; an unknown one gets "did you mean".
            let doc = archive.document(doc)?;
            let history = archive.history(doc.as_str())?;
            let window = Window::from_args(&args)?;
            if args.captures {
                log_captures(&archive, &mut out, &doc, &history, &window, &args, cut)?;
            } else {
                log_versions(&archive, env, &mut out, &doc, &history, &window, &args, cut)?;
            }
            if !args.json {
                story_line(&archive, &mut out, doc.as_str())?;
            }
        }
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
struct Window {
    since: Option<time::OffsetDateTime>,
    until: Option<time::OffsetDateTime>,
    max: Option<usize>,
    reverse: bool,
}

impl Window {
    fn from_args(args: &LogArgs) -> Result<Window, CliError> {
        let when = |s: &Option<String>, end: bool, flag: &str| {
            s.as_deref()
                .map(|s| {
                    parse_time_bound(s, end).map_err(|e| CliError::new(format!("{flag}: {e}")))
                })
                .transpose()
        };
        Ok(Window {
            since: when(&args.since, false, "--since")?,
            until: when(&args.until, true, "--until")?,
            max: args.max_count,
            reverse: args.reverse,
        })
    }

    fn contains(&self, t: time::OffsetDateTime) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }

    /// Keeps the `max` last items, newest first when reversed.
    fn finish<T>(&self, mut items: Vec<T>) -> Vec<T> {
        if let Some(max) = self.max {
            items.drain(..items.len().saturating_sub(max));
        }
        if self.reverse {
            items.reverse();
        }
        items
    }
}

fn log_documents(
    archive: &Archive,
    out: &mut dyn Write,
    json: bool,
    cut: bool,
    width: usize,
) -> Result<(), CliError> {
    let docs = archive.documents()?;
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
    // What is left of the terminal for the title.
    let title_width = width
        .saturating_sub(40 + 1 + 8 + 1 + 8 + 2 + 20 + 2 + 20 + 2)
        .max(10);
    for d in docs {
        if json {
            let v = serde_json::json!({
                "doc": d.doc, "versions": d.versions, "captures": d.captures,
                "first": fmt_time(d.first), "last": fmt_time(d.last), "title": d.title,
            });
            writeln!(out, "{v}")?;
        } else {
            let title = d.title.as_deref().unwrap_or("");
            writeln!(
                out,
                "{} {:>8} {:>8}  {:<20}  {:<20}  {}",
                cell(&d.doc, 40, cut),
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
    }
    Ok(())
}

/// A version's text, when it is UTF-8.
fn text_of(archive: &Archive, v: &Version) -> Result<Option<String>, CliError> {
    Ok(query::text(archive, &v.key)?)
}

/// One version as the log shows it.
struct Row<'a> {
    v: &'a Version,
    words: Option<u64>,
    /// Words added and removed against the version before.
    change: Option<(u64, u64)>,
    /// The diff against the version before, when it was needed.
    diff: Option<Diff>,
}

/// Works out each version's change against the one before, with texts read
/// only when the options need them (the plain table uses the cache).
fn version_rows<'a>(
    archive: &Archive,
    history: &'a History,
    window: &Window,
    args: &LogArgs,
) -> Result<Vec<Row<'a>>, CliError> {
    let opts: DiffOptions = args.ignore.options();
    let needs_diff = args.patch || args.stat || args.ignore.any() || args.changes_only;
    let needs_text = needs_diff || args.pickaxe.is_some();
    let boilerplate = args.ignore.boilerplate(Some(archive))?;
    let phrase = args.pickaxe.as_deref().map(|p| {
        if args.ignore.ignore_case {
            p.to_lowercase()
        } else {
            p.to_owned()
        }
    });
    let occurrences = |text: &Option<String>| -> Option<usize> {
        let p = phrase.as_deref().filter(|p| !p.is_empty())?;
        let t = text.as_deref()?;
        Some(if args.ignore.ignore_case {
            t.to_lowercase().matches(p).count()
        } else {
            t.matches(p).count()
        })
    };
    let mut rows = Vec::new();
    let mut prev_text: Option<String> = None;
    let mut prev_count: Option<usize> = None;
    for (i, v) in history.versions.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &history.versions[p]);
        // A version outside the window still serves as the "before" of the
        // next one, so its text is read when the next one needs it.
        let shown = window.contains(v.captured_at);
        let next_shown = history
            .versions
            .get(i + 1)
            .is_some_and(|n| window.contains(n.captured_at));
        let text = if needs_text && (shown || next_shown) {
            match text_of(archive, v)? {
                Some(t) => Some(boilerplate.strip(t, v.source.as_deref(), v.url.as_deref())?),
                None => None,
            }
        } else {
            None
        };
        let count = occurrences(&text);
        if shown {
            let mut row = Row {
                v,
                words: query::words(archive, &v.key)?,
                change: None,
                diff: None,
            };
            if needs_diff {
                if let (Some(_), Some(old), Some(new)) = (prev, &prev_text, &text) {
                    let d = diff(old, new, &opts);
                    row.change = Some((d.stats.words_added as u64, d.stats.words_removed as u64));
                    row.diff = Some(d);
                }
            } else if let Some(p) = prev {
                row.change = query::change(archive, &p.key, &v.key)?;
            }
            let vanished = prev.is_some() && row.diff.as_ref().is_some_and(|d| d.is_unchanged());
            let pickaxe_hit = match &phrase {
                None => true,
                Some(_) => count.unwrap_or(0) != prev_count.unwrap_or(0),
            };
            if !(args.changes_only && vanished) && pickaxe_hit {
                rows.push(row);
            }
        }
        prev_text = text;
        prev_count = count;
    }
    Ok(window.finish(rows))
}

#[allow(clippy::too_many_arguments)]
fn log_versions(
    archive: &Archive,
    env: &Env,
    out: &mut dyn Write,
    doc: &DocName,
    history: &History,
    window: &Window,
    args: &LogArgs,
    cut: bool,
) -> Result<(), CliError> {
    let rows = version_rows(archive, history, window, args)?;
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
        let v = row.v;
        let origin = v
            .source
            .clone()
            .or_else(|| v.url.clone())
            .unwrap_or_default();
        if args.json {
            let mut j = serde_json::json!({
                "doc": doc.as_str(), "version": v.number, "capture": v.capture,
                "captured_at": fmt_time(v.captured_at), "source": v.source, "url": v.url,
                "title": v.title, "sightings": v.sightings, "same_as": v.same_as,
                "words": row.words, "words_added": row.change.map(|c| c.0),
                "words_removed": row.change.map(|c| c.1),
            });
            if let Some(d) = row.diff.as_ref().filter(|_| args.patch || args.stat) {
                j["stat"] = render::summary(d).into();
                if args.patch {
                    j["ops"] = serde_json::to_value(&d.ops).map_err(std::io::Error::other)?;
                }
            }
            writeln!(out, "{j}")?;
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
                let side = |n: u64| {
                    let p = &history.versions[n as usize - 1];
                    Side {
                        label: format!("{doc}@{n}"),
                        id: Some(p.capture.to_string()),
                        doc: Some(doc.to_string()),
                        captured_at: Some(fmt_time(p.captured_at)),
                        url: p.url.clone(),
                        source: p.source.clone(),
                        title: p.title.clone(),
                    }
                };
                render::inline(out, d, &side(v.number - 1), &side(v.number), &ropts)?;
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
    args: &LogArgs,
    cut: bool,
) -> Result<(), CliError> {
    let rows = archive.captures(doc.as_str())?;
    let seen: std::collections::HashMap<_, u64> =
        history.captures.iter().map(|(c, _, v)| (*c, *v)).collect();
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| window.contains(vellum::store::catalog::from_nanos(r.at_nanos)))
        .collect();
    let rows = window.finish(rows);
    if !args.json {
        writeln!(
            out,
            "{:<12}  {:<20}  {:<5} {} URL",
            "CAPTURE",
            "CAPTURED",
            "SAW",
            cell("SOURCE", 24, false)
        )?;
    }
    for r in rows {
        let at = vellum::store::catalog::from_nanos(r.at_nanos);
        let version = seen.get(&r.id).copied();
        if args.json {
            let j = serde_json::json!({
                "doc": doc.as_str(), "capture": r.id, "captured_at": fmt_time(at),
                "version": version, "source": r.source, "url": r.url, "title": r.title,
                "flagged": r.flagged, "superseded": r.superseded,
            });
            writeln!(out, "{j}")?;
        } else {
            // A flagged or superseded capture saw no version.
            let saw = match version {
                Some(v) if v > 0 => format!("@{v}"),
                _ if r.superseded => "old".to_owned(),
                _ => "-".to_owned(),
            };
            writeln!(
                out,
                "{:<12}  {:<20}  {:<5} {} {}{}",
                r.id.0.short(),
                fmt_time(at),
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
    }
    Ok(())
}
