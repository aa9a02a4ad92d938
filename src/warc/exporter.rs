//! `export` as one call ([`export`]): the captures some addresses name,
//! the damaged ones refused (every one named) or left out, written to a
//! WARC file and a pywb collection. Every failure is an [`ExportError`]
//! that names the path or the captures it concerns.

use std::path::Path;

use time::OffsetDateTime;

use super::export::{ExportError, describe_unexportable, select, unexportable, write_warc_file};
use super::pywb::{PywbExport, write_collection};
use crate::store::{Archive, CaptureId, StoreError};

/// What to export, and where.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// Documents (every capture), versions or capture ids; none: all.
    pub addrs: &'a [String],
    /// The WARC file to write.
    pub warc: Option<&'a Path>,
    /// The pywb collection to write (a directory).
    pub pywb: Option<&'a Path>,
    /// Write every intact capture and report the damaged ones, instead of
    /// refusing when one is damaged.
    pub skip_damaged: bool,
    /// When the files are written (their WARC dates).
    pub now: OffsetDateTime,
}

/// What was written.
#[derive(Debug)]
pub struct Exported {
    /// The captures written (to each output).
    pub captures: usize,
    /// The collection written, when one was asked.
    pub pywb: Option<PywbExport>,
    /// How many damaged captures were left out (`skip_damaged`).
    pub skipped: usize,
    /// Those captures in words: `DOC capture ID (why)`, comma-separated.
    pub skipped_words: String,
}

/// Exports what `r` asks. Without `skip_damaged`, a damaged capture
/// fails the export before anything is written.
pub fn export(archive: &Archive, r: &Request<'_>) -> Result<Exported, ExportError> {
    let out = r.warc.or(r.pywb).unwrap_or(".".as_ref());
    let mut chosen = select(archive, r.addrs).map_err(|e| at(e, out))?;
    let mut skipped = Vec::new();
    if r.skip_damaged {
        skipped = unexportable(archive, &chosen);
        chosen.retain(|c| !skipped.iter().any(|(s, _)| s == c));
    }
    if let Some(warc) = r.warc {
        write_warc_file(archive, &chosen, warc, r.now)
            .map_err(|e| damage(e, archive, &chosen, warc))?;
    }
    let pywb = r.pywb.map(|dir| {
        write_collection(archive, &chosen, dir, r.now).map_err(|e| damage(e, archive, &chosen, dir))
    });
    Ok(Exported {
        captures: chosen.len(),
        pywb: pywb.transpose()?,
        skipped: skipped.len(),
        skipped_words: describe_unexportable(archive, &skipped),
    })
}

/// A failure to write `out`, with its path.
fn at(e: ExportError, out: &Path) -> ExportError {
    match e {
        ExportError::Io(source) => ExportError::Writing {
            path: out.to_owned(),
            source,
        },
        e => e,
    }
}

/// A write that met damage: every damaged capture of `chosen` named (not
/// only the first one met), and nothing was written.
fn damage(e: ExportError, archive: &Archive, chosen: &[CaptureId], out: &Path) -> ExportError {
    match e {
        ExportError::Store(StoreError::Damaged { .. } | StoreError::Missing { .. }) => {
            let damaged = unexportable(archive, chosen);
            ExportError::Unexportable {
                damaged: damaged.len(),
                total: chosen.len(),
                words: describe_unexportable(archive, &damaged),
            }
        }
        e => at(e, out),
    }
}
