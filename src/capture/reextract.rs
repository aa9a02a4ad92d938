//! Reading archived HTML captures again with the current extractor
//! (`vellum reextract`): which captures it would change, and the records
//! that supersede them, committed through the one write protocol.

use crate::ingest::DocName;
use crate::ingest::reextract::{self, Reextraction};
use crate::store::StoreError;
use crate::store::{Archive, CaptureId, CaptureRecord, Writer};
use crate::when::format_time;

/// A capture the current extractor reads differently.
#[derive(Debug, Clone)]
pub struct Due {
    pub old: CaptureId,
    pub rec: CaptureRecord,
    pub bytes: Vec<u8>,
    pub new: Reextraction,
}

impl Due {
    /// Whether the new extraction makes another text (else only the flag
    /// changes).
    pub fn text_changed(&self) -> bool {
        self.rec.text != Some(self.new.text_id())
    }

    /// What `reextract --dry-run` lists of it.
    pub fn item(&self) -> DueItem {
        DueItem {
            capture: self.old,
            captured_at: format_time(self.rec.captured_at),
            doc: self.rec.doc.to_string(),
            extractor: self.rec.extractor.clone().unwrap_or_default(),
            new_extractor: self.new.extractor.clone(),
            text_changed: self.text_changed(),
        }
    }
}

/// A capture the current extractor would read differently, as
/// `reextract --dry-run --json` prints it (one per line).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct DueItem {
    /// The capture that would be superseded.
    pub capture: CaptureId,
    pub captured_at: String,
    pub doc: String,
    /// The extractor that made its archived text ("name version").
    pub extractor: String,
    /// The extractor that would make the new text.
    pub new_extractor: String,
    /// False when only the flag would change.
    pub text_changed: bool,
}

/// A capture that could not be read again (damaged or missing bytes):
/// skipped, `verify` says more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub doc: String,
    pub capture: CaptureId,
    pub error: String,
}

/// What the current extractor would change: every current (not
/// superseded) HTML capture of `docs` (every document when empty) whose
/// text or flag it makes differently. `progress` hears how far it got.
pub fn find_due(
    archive: &Archive,
    docs: &[DocName],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<(Vec<Due>, Vec<Skipped>), StoreError> {
    let rows = if docs.is_empty() {
        archive.all_captures()?
    } else {
        let mut rows = Vec::new();
        for d in docs {
            rows.extend(archive.captures(d.as_str())?);
        }
        rows
    };
    let rows: Vec<_> = rows.into_iter().filter(|r| !r.superseded).collect();
    let (mut due, mut skipped) = (Vec::new(), Vec::new());
    for (i, row) in rows.iter().enumerate() {
        progress(i + 1, rows.len());
        let rec = archive.record(&row.id)?;
        if !reextract::is_extracted_html(&rec) || reextract::is_current(&rec) {
            continue;
        }
        let bytes = match archive.read_object(&rec.content) {
            Ok(b) => b,
            Err(e @ (StoreError::Missing { .. } | StoreError::Damaged { .. })) => {
                skipped.push(Skipped {
                    doc: rec.doc.to_string(),
                    capture: row.id,
                    error: e.to_string(),
                });
                continue;
            }
            Err(e) => return Err(e),
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
    Ok((due, skipped))
}

/// Stages the records superseding `due` (in order); commit them with
/// [`super::commit`].
pub fn stage_superseding(writer: &mut Writer<'_>, due: Vec<Due>) -> Result<(), StoreError> {
    for d in due {
        let (capture, extra) = reextract::superseding(&d.rec, d.old, d.bytes, d.new);
        writer.add_with(capture, extra)?;
    }
    Ok(())
}
