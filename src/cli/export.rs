//! `vellum export --warc OUT.warc.gz [DOC|ADDR...]`

use std::io::BufWriter;
use std::path::PathBuf;

use vellum::warc::export::{ExportError, WarcInfo, select, write_warc};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum export --warc archive.warc.gz                  every capture
  vellum export --warc story.warc.gz south-front         one document, every capture
  vellum export --warc v1.warc.gz south-front@1 3f2a9c01  a version, a capture

Writes WARC/1.1, one gzip member per record: a `warcinfo` record, then per capture
- a `response` record for a page vellum fetched: the HTTP status line and headers it
  archived (restated for the decoded body: no Content-Encoding or Transfer-Encoding, its
  Content-Length), then the archived bytes;
- a `resource` record for any other capture (files, saved pages, imported resources):
  the archived bytes, Content-Type = their media type;
- a `revisit` record instead of either when the same bytes were already written;
- a `conversion` record with the extracted text where it differs from the bytes;
- a `metadata` record holding the capture record (blake3 ids).
sha1 payload and block digests in base32, WARC-Target-URI = the capture's URL or
urn:vellum:capture:ID, WARC-Date = captured-at. `vellum import` reads the file back to
the same capture ids. The file appears only once complete.")]
pub struct ExportArgs {
    /// Output file (WARC/1.1, gzip per record)
    #[arg(long, value_name = "OUT.warc.gz")]
    warc: PathBuf,
    /// Documents (every capture), versions (DOC@N) or capture ids [default: all]
    addrs: Vec<String>,
}

pub fn run_export(env: &Env, args: ExportArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let chosen = select(&archive, &args.addrs).map_err(|e| export_error(e, &args.warc))?;
    let name = args
        .warc
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| CliError::new("--warc needs a file name, e.g. out.warc.gz"))?;
    // Written aside and renamed into place: the file appears only complete.
    let tmp = args.warc.with_file_name(format!(".{name}.partial"));
    let cannot = |e: &dyn std::fmt::Display| {
        CliError::new(format!("cannot write {}: {e}", args.warc.display()))
    };
    let file = std::fs::File::create(&tmp).map_err(|e| cannot(&e))?;
    let info = WarcInfo {
        filename: &name,
        now: time::OffsetDateTime::now_utc(),
    };
    let written = write_warc(&archive, &chosen, BufWriter::new(file), &info)
        .map_err(|e| export_error(e, &args.warc))
        .and_then(|out| out.into_inner().map_err(|e| cannot(e.error())))
        .and_then(|file| file.sync_all().map_err(|e| cannot(&e)));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &args.warc).map_err(|e| cannot(&e))?;
    if env.notes {
        eprintln!(
            "vellum: wrote {} captures to {}",
            chosen.len(),
            args.warc.display()
        );
    }
    Ok(Exit::Ok)
}

fn export_error(e: ExportError, out: &std::path::Path) -> CliError {
    match e {
        ExportError::Store(e) => e.into(),
        ExportError::Io(e) => CliError::new(format!("cannot write {}: {e}", out.display())),
        e => CliError::new(e.to_string()),
    }
}
