//! `vellum export --warc OUT.warc.gz [DOC|ADDR...]`, `vellum export --pywb DIR`

use std::path::{Path, PathBuf};

use vellum::store::{Archive, CaptureId, StoreError};
use vellum::warc::export::{
    ExportError, describe_unexportable, select, unexportable, write_warc_file,
};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum export --warc archive.warc.gz                  every capture
  vellum export --warc story.warc.gz south-front         one document, every capture
  vellum export --warc v1.warc.gz south-front@1 3f2a9c01  a version, a capture

Writes WARC/1.1, one gzip member per record: a `warcinfo` record, then per capture
- a `response` record for a page vellum fetched: the HTTP status line and headers it
  archived (restated for the decoded body: no Content-Encoding or Transfer-Encoding, its
  Content-Length), then the archived bytes; its WARC-Vellum-Http-Head field says whether
  that head is the one received (`received`) or one the HTTP client rebuilt
  (`reconstructed`: header-name case and reason phrase normalized, not evidence);
- a `resource` record for any other capture (files, saved pages, imported resources):
  the archived bytes, Content-Type = their media type;
- a `revisit` record instead of either when the same bytes were already written;
- a `conversion` record with the extracted text where it differs from the bytes;
- a `metadata` record holding the capture record (blake3 ids).
sha1 payload and block digests in base32, WARC-Target-URI = the capture's URL or
urn:vellum:capture:ID, WARC-Date = captured-at. `vellum import` reads the file back to
the same capture ids. The file appears only once complete.

--pywb DIR writes a collection pywb replays as it is: DIR/archive/vellum-TIMESTAMP.warc.gz
(the same records) and DIR/indexes/vellum-TIMESTAMP.cdxj, its sorted CDXJ index
(SURT url key, 14-digit timestamp, JSON with url, mime, status, digest, length, offset,
filename). Point pywb at it: `wb-manager init COLL`, then export into collections/COLL
(docs/memento.md has the recipe).

A damaged capture (its record, bytes or text unreadable: see `vellum verify`) stops the
export before anything is written, naming every damaged capture; with --skip-damaged the
others are written, the damaged ones listed on stderr, and the exit code is 1.")]
#[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["warc", "pywb"])))]
pub struct ExportArgs {
    /// Output file (WARC/1.1, gzip per record)
    #[arg(long, value_name = "OUT.warc.gz")]
    warc: Option<PathBuf>,
    /// Also (or instead) write a pywb collection into DIR (archive/ and indexes/)
    #[arg(long, value_name = "DIR")]
    pywb: Option<PathBuf>,
    /// Documents (every capture), versions (DOC@N) or capture ids [default: all]
    addrs: Vec<String>,
    /// Write every intact capture and list the damaged ones (exit 1) instead of refusing
    #[arg(long)]
    skip_damaged: bool,
}

pub fn run_export(env: &Env, args: ExportArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let out = args
        .warc
        .as_deref()
        .or(args.pywb.as_deref())
        .unwrap_or(".".as_ref());
    let addrs: Vec<String> = args.addrs.iter().map(|a| super::env::anchored(a)).collect();
    let mut chosen = select(&archive, &addrs).map_err(|e| export_error(e, out))?;
    let mut skipped = Vec::new();
    if args.skip_damaged {
        skipped = unexportable(&archive, &chosen);
        chosen.retain(|c| !skipped.iter().any(|(s, _)| s == c));
    }
    let now = time::OffsetDateTime::now_utc();
    if let Some(warc) = &args.warc {
        write_warc_file(&archive, &chosen, warc, now)
            .map_err(|e| damage_error(e, &archive, &chosen, warc))?;
        if env.notes {
            eprintln!(
                "vellum: wrote {} captures to {}",
                chosen.len(),
                warc.display()
            );
        }
    }
    if let Some(dir) = &args.pywb {
        let done = vellum::warc::pywb::write_collection(&archive, &chosen, dir, now)
            .map_err(|e| damage_error(e, &archive, &chosen, dir))?;
        if env.notes {
            eprintln!(
                "vellum: wrote {} captures to {} and {} index lines to {}",
                done.captures,
                done.warc.display(),
                done.lines,
                done.index.display()
            );
        }
    }
    if !skipped.is_empty() {
        eprintln!(
            "vellum: skipped {} damaged capture(s): {} (`vellum verify` says more)",
            skipped.len(),
            describe_unexportable(&archive, &skipped)
        );
    }
    Ok(if skipped.is_empty() {
        Exit::Ok
    } else {
        Exit::Found
    })
}

/// An export error; for damage, every damaged capture is named (not only
/// the first one met), and nothing was written.
fn damage_error(e: ExportError, archive: &Archive, chosen: &[CaptureId], out: &Path) -> CliError {
    match e {
        ExportError::Store(StoreError::Damaged { .. } | StoreError::Missing { .. }) => {
            let damaged = unexportable(archive, chosen);
            CliError::new(format!(
                "{} of {} capture(s) cannot be exported: {}; nothing was written. \
                 `vellum export --skip-damaged` writes the others, `vellum repair` heals them",
                damaged.len(),
                chosen.len(),
                describe_unexportable(archive, &damaged)
            ))
        }
        e => export_error(e, out),
    }
}

fn export_error(e: ExportError, out: &Path) -> CliError {
    match e {
        ExportError::Store(e) => e.into(),
        ExportError::Io(e) => CliError::new(format!("cannot write {}: {e}", out.display())),
        ExportError::NoFileName(_) => CliError::new("--warc needs a file name, e.g. out.warc.gz"),
        e => CliError::new(e.to_string()),
    }
}
