//! `vellum import FILE...`: captures out of WARC files, each file one durable
//! commit (the engine is [`vellum::warc::importer`]).

use std::path::PathBuf;

use vellum::capture::AddedItem;
use vellum::render::reports::{import_failures, import_summary, import_warning};
use vellum::render::{json, listing};
use vellum::store::{Archive, StoreError};
use vellum::warc::importer::{
    CapturePipeline, Event, Importer, Options, SummaryLine, nothing_to_archive,
};

use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/import.txt"))]
pub struct ImportArgs {
    /// WARC files (.warc, .warc.gz)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// All or nothing per file: a record that cannot be read fails its file
    #[arg(long)]
    strict: bool,
    /// With --strict: on a broken record, archive the good records of the
    /// file before it (without --strict every good record is archived)
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
        strict: args.strict,
        partial: args.partial,
        accept_bad_digests: args.accept_bad_digests,
    };
    let mut out = std::io::stdout().lock();
    let mut progress = Progress::new(env, "reading records");
    let mut printed = Ok(());
    let mut on = |e: Event<'_>| match e {
        Event::Waiting => super::write::waiting(env),
        Event::Records(n) => progress.update(n as usize, 0),
        Event::Archived { added, .. } => {
            for a in added {
                if printed.is_ok() {
                    printed =
                        json::or_text(&mut out, args.json, &AddedItem::from(a), listing::added);
                }
            }
        }
    };
    let mut pipeline = CapturePipeline;
    // An import that archives nothing leaves no new store behind.
    let dry = match store_exists(env) {
        true => None,
        false => nothing_to_archive(&mut pipeline, options, &args.files, &mut on)?,
    };
    let report = match dry {
        Some(r) => r,
        None => {
            let archive = env.open_or_create()?;
            let mut imp = Importer::new(&mut pipeline, options);
            imp.import_files(Some(&archive), &args.files, &mut on)?;
            super::write::catch_up(env, &archive, false);
            imp.finish()
        }
    };
    drop(progress);
    printed?;
    for w in &report.warnings {
        eprintln!("vellum: {}", import_warning(w));
    }
    for r in &report.summary.unreadable {
        eprintln!("vellum: {r}");
    }
    let summary = SummaryLine {
        summary: &report.summary,
    };
    json::or_text(&mut out, args.json, &summary, import_summary)?;
    drop(out);
    // Exit 2 when no file could be read, 1 when some failed (listed), or a
    // record was skipped as unreadable, a revisit found no payload or a
    // record was refused for a bad digest.
    let (n, files) = (report.summary.failed.len(), args.files.len());
    let failures = import_failures(&report.summary.failed, files, args.strict);
    if n == files {
        return Err(CliError::new(failures.join("\nvellum: ")));
    }
    failures.iter().for_each(|f| eprintln!("vellum: {f}"));
    Ok(Exit::found(n > 0 || report.incomplete()))
}

fn store_exists(env: &Env) -> bool {
    !matches!(Archive::open(&env.store), Err(StoreError::NoStore(_)))
}
