//! `vellum reextract [DOC...]`

use std::io::Write;

use vellum::error::StoreError;
use vellum::ingest::DocName;
use vellum::ingest::extract::extractor_id;
use vellum::ingest::reextract::{self, Reextraction};
use vellum::store::{Archive, CaptureId, CaptureRecord};

use super::progress::{Progress, Spinner};
use super::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum reextract --dry-run            (list what the current extractor would change)
  vellum reextract                      (every document)
  vellum reextract example.org_news.story --json

Each HTML capture whose text the current extractor makes differently gets a new capture
record: the same bytes and captured-at time, the new text, naming the record it supersedes.
The old record stays archived (`vellum log DOC --captures` lists it as superseded); versions
are computed from the newest extraction of each capture. A second run archives nothing.

Prints `DOC@N CAPTURE_ID reextracted (supersedes OLD_ID)` per new record, once durable;
with --json, one object per line: doc, version, capture, supersedes, status, captured_at
(with --dry-run: doc, capture, captured_at, extractor, new_extractor, text_changed).")]
pub struct ReextractArgs {
    /// Documents (names or URLs) to read again [default: every document]
    #[arg(value_name = "DOC")]
    docs: Vec<String>,
    /// List the captures that would get a new record; archive nothing
    #[arg(long)]
    dry_run: bool,
    /// One JSON object per line
    #[arg(long)]
    json: bool,
}

/// A capture to supersede.
struct Due {
    old: CaptureId,
    rec: CaptureRecord,
    bytes: Vec<u8>,
    new: Reextraction,
}

pub fn run_reextract(env: &Env, args: ReextractArgs) -> Result<Exit, CliError> {
    // A dry run reads only; a real one may first upgrade an older catalog.
    let archive = if args.dry_run {
        env.open()?
    } else {
        Archive::open_writable(&env.store)?.0
    };
    // Names or URLs; an unknown one gets "did you mean".
    let docs = args
        .docs
        .iter()
        .map(|d| archive.document(d))
        .collect::<Result<Vec<_>, _>>()?;
    let due = find_due(env, &archive, &docs)?;
    let mut out = std::io::stdout().lock();
    if args.dry_run {
        for d in &due {
            print_due(&mut out, d, args.json)?;
        }
        if env.notes {
            eprintln!(
                "vellum: {} capture(s) would get a new record (dry run: nothing archived)",
                due.len()
            );
        }
        return Ok(Exit::Ok);
    }
    if due.is_empty() {
        if env.notes {
            eprintln!(
                "vellum: every HTML capture already has the text {} makes; nothing to archive",
                extractor_id()
            );
        }
        return Ok(Exit::Ok);
    }
    let notes = env.notes;
    let mut writer = archive.writer(&mut || {
        if notes {
            eprintln!("vellum: waiting for another writer to finish…");
        }
    })?;
    let mut olds = Vec::with_capacity(due.len());
    for d in due {
        olds.push(d.old);
        let (capture, extra) = reextract::superseding(&d.rec, d.old, d.bytes, d.new);
        writer.add_with(capture, extra).map_err(|e| {
            CliError::new(format!(
                "capture {}: {}; nothing was archived",
                d.old,
                super::store_message(&e)
            ))
        })?;
    }
    let spinner = Spinner::start(env, format!("committing {} capture(s)", olds.len()));
    let added = writer.prepare()?;
    vellum::query::cache_stats(writer.archive(), &added)?;
    writer.commit()?;
    super::similar::update_index(env);
    drop(spinner);
    for (a, old) in added.iter().zip(&olds) {
        if args.json {
            let v = serde_json::json!({
                "doc": a.doc, "version": a.version, "capture": a.capture, "supersedes": old,
                "status": a.status, "captured_at": fmt_time(a.captured_at),
            });
            writeln!(out, "{v}")?;
        } else {
            let version = match a.version {
                0 => "-".to_owned(),
                n => n.to_string(),
            };
            writeln!(
                out,
                "{}@{version} {} reextracted (supersedes {})",
                a.doc, a.capture, old
            )?;
        }
    }
    drop(out);
    super::search::refresh_index(env, false);
    Ok(Exit::Ok)
}

/// Every current (not superseded) HTML capture of `docs` (or of every
/// document) whose text the current extractor makes differently.
fn find_due(env: &Env, archive: &Archive, docs: &[DocName]) -> Result<Vec<Due>, CliError> {
    let rows = if docs.is_empty() {
        archive.all_captures()?
    } else {
        let mut rows = Vec::new();
        for d in docs {
            let found = archive.captures(d.as_str())?;
            if found.is_empty() {
                return Err(CliError::new(format!(
                    "no document named {d}; `vellum log` lists the documents"
                )));
            }
            rows.extend(found);
        }
        rows
    };
    let rows: Vec<_> = rows.into_iter().filter(|r| !r.superseded).collect();
    let mut progress = Progress::new(env, "reading HTML captures again");
    let mut due = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        progress.update(i + 1, rows.len());
        let rec = archive.record(&row.id)?;
        if !reextract::is_extracted_html(&rec) || reextract::is_current(&rec) {
            continue;
        }
        let bytes = match archive.read_object(&rec.content) {
            Ok(b) => b,
            Err(e @ (StoreError::Missing { .. } | StoreError::Damaged { .. })) => {
                eprintln!(
                    "vellum: warning: {} capture {}: {}; skipped (run `vellum verify`)",
                    rec.doc,
                    row.id.0.short(),
                    e
                );
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let Some(new) = reextract::reextract(&rec, &bytes) else {
            continue;
        };
        if reextract::differs(&rec, &new) {
            due.push(Due {
                old: row.id,
                rec,
                bytes: bytes.to_vec(),
                new,
            });
        }
    }
    Ok(due)
}

fn print_due(out: &mut dyn Write, d: &Due, json: bool) -> std::io::Result<()> {
    let changed = d.rec.text != Some(d.new.text_id());
    let old = d.rec.extractor.as_deref().unwrap_or("");
    if json {
        let v = serde_json::json!({
            "doc": d.rec.doc, "capture": d.old, "captured_at": fmt_time(d.rec.captured_at),
            "extractor": old, "new_extractor": d.new.extractor, "text_changed": changed,
        });
        return writeln!(out, "{v}");
    }
    writeln!(
        out,
        "{} {} {}: {} (was {old})",
        d.rec.doc,
        d.old,
        fmt_time(d.rec.captured_at),
        if changed {
            "new text"
        } else {
            "same text, new flag"
        }
    )
}
