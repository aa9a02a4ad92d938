//! `vellum export --warc OUT.warc.gz [DOC|ADDR...]`, `vellum export --pywb DIR`

use std::path::{Path, PathBuf};

use vellum::store::{Archive, CaptureId, StoreError};
use vellum::warc::export::{
    ExportError, describe_unexportable, select, unexportable, write_warc_file,
};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/export.txt"))]
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
    let out = args.warc.as_deref().or(args.pywb.as_deref());
    let out = out.unwrap_or(".".as_ref());
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
            let (n, warc, lines, index) = (
                done.captures,
                done.warc.display(),
                done.lines,
                done.index.display(),
            );
            eprintln!("vellum: wrote {n} captures to {warc} and {lines} index lines to {index}");
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
