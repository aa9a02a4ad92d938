//! `vellum import FILE...`: captures out of WARC files, each file one durable
//! commit (the engine is [`vellum::warc::importer`]).

use std::io::Write;
use std::path::PathBuf;

use vellum::store::Archive;
use vellum::store::StoreError;
use vellum::warc::importer::{
    CapturePipeline, Event, FileError, FileFailure, ImportError, ImportReport, ImportSummary,
    Importer, Options, SummaryLine, Warning, nothing_to_archive,
};

use super::add::print_added;
use super::env::{CliError, Env, Exit, store_message};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum import crawl.warc.gz
  vellum import --partial damaged.warc
  vellum import --json a.warc b.warc.gz | jq .

Reads WARC 1.0 and 1.1 (.warc, .warc.gz with a gzip member per record or one for the
whole file). `response` records with a 2xx status and `resource` records become captures
(time from WARC-Date; a page goes to the document of its canonical URL, named from
WARC-Target-URI as `vellum add URL` names it); `revisit` records become captures of the
payload they point to (earlier in the files, or already archived); request, metadata
and warcinfo records are skipped and counted. Payload and block digests are checked: a
record whose digest does not match is not archived.

Each file is one durable commit, archived or reported on its own: a broken record
(truncated file, wrong Content-Length, bad chunked encoding, bad gzip) archives nothing
of its file, unless --partial is given (then the good records before it). Each capture
prints `DOC@N CAPTURE_ID new` (or `unchanged`), then a summary. An import that archives
nothing creates no store. Exit 1 when a record was refused for a bad digest or some
files failed (listed), 2 when every file failed (even if --partial archived part of it).")]
pub struct ImportArgs {
    /// WARC files (.warc, .warc.gz)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// On broken input, archive every good record of the file before it
    /// (never half a record) instead of nothing of the file
    #[arg(long)]
    partial: bool,
    /// Archive records whose digests do not match, flagged: listed among DOC's captures, never a version
    #[arg(long)]
    accept_bad_digests: bool,
    /// One JSON object per capture, then {"summary": …}
    #[arg(long)]
    json: bool,
}

pub fn run_import(env: &Env, args: ImportArgs) -> Result<Exit, CliError> {
    let options = Options {
        partial: args.partial,
        accept_bad_digests: args.accept_bad_digests,
    };
    let mut out = std::io::stdout().lock();
    let mut printed = Ok(());
    let mut on = |e: Event<'_>| match e {
        Event::Waiting if env.notes => eprintln!("vellum: waiting for another writer to finish…"),
        Event::Records(n) if env.progress => eprint!("\rvellum: {n} records read…"),
        Event::Archived { added, .. } => {
            for a in added {
                if printed.is_ok() {
                    printed = print_added(&mut out, a, args.json);
                }
            }
        }
        _ => {}
    };
    let mut pipeline = CapturePipeline;
    // An import that archives nothing leaves no new store behind.
    let dry = match store_exists(env) {
        true => None,
        false => nothing_to_archive(&mut pipeline, options, &args.files, &mut on)
            .map_err(import_error)?,
    };
    let report = match dry {
        Some(r) => r,
        None => {
            let archive = env.open_or_create()?;
            let mut imp = Importer::new(&mut pipeline, options);
            imp.import_files(Some(&archive), &args.files, &mut on)
                .map_err(import_error)?;
            super::write::catch_up(env, &archive, false);
            imp.finish()
        }
    };
    printed?;
    for w in &report.warnings {
        eprintln!("vellum: {}", warning(w));
    }
    print_summary(&mut out, &report.summary, args.json)?;
    drop(out);
    outcome(&report, args.files.len())
}

fn store_exists(env: &Env) -> bool {
    !matches!(Archive::open(&env.store), Err(StoreError::NoStore(_)))
}

fn import_error(e: ImportError) -> CliError {
    CliError::new(format!(
        "{}: {}: {}; nothing of this file was archived",
        e.file.display(),
        e.where_,
        store_message(&e.source)
    ))
}

fn warning(w: &Warning) -> String {
    match w {
        Warning::BadDigest {
            archived: false, ..
        } => format!("{w} (--accept-bad-digests archives it flagged)"),
        _ => w.to_string(),
    }
}

/// A failed file in words: what broke, and what of it was archived.
fn failure(f: &FileFailure) -> String {
    let (file, n) = (f.file.display(), f.captures_before);
    match (&f.error, f.archived) {
        (FileError::Broken(e), true) => format!(
            "{file}: {e}\nthe {n} good captures before this record were archived, nothing after it"
        ),
        (FileError::Broken(e), false) => format!(
            "{file}: {e}\nnothing was archived from it; --partial archives the {n} good captures before this record"
        ),
        (e, _) => format!("{file}: {e}; nothing was archived from it"),
    }
}

/// Exit 2 when no file could be read, 1 when some failed (listed) or a
/// record was refused for a bad digest.
fn outcome(report: &ImportReport, files: usize) -> Result<Exit, CliError> {
    let failed = &report.summary.failed;
    if failed.len() == files {
        let all: Vec<String> = failed.iter().map(failure).collect();
        return Err(CliError::new(all.join("\nvellum: ")));
    }
    for f in failed {
        eprintln!("vellum: {}", failure(f));
    }
    if !failed.is_empty() {
        eprintln!(
            "vellum: {} of {files} files failed (listed above); the others were archived",
            failed.len()
        );
        return Ok(Exit::Found);
    }
    Ok(if report.refused_bad_digests() {
        Exit::Found
    } else {
        Exit::Ok
    })
}

fn print_summary(out: &mut dyn Write, s: &ImportSummary, json: bool) -> std::io::Result<()> {
    if json {
        let line = serde_json::to_string(&SummaryLine { summary: s })?;
        return writeln!(out, "{line}");
    }
    writeln!(out, "{s}")
}
