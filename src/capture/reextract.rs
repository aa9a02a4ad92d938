//! Reading archived HTML captures again with the current extractor
//! (`vellum reextract`): which captures it would change, and the records
//! that supersede them, committed through the one write protocol.

use crate::id::ObjectId;
use crate::ingest::DocName;
use crate::ingest::reextract::{self, Reextraction};
use crate::store::StoreError;
use crate::store::verify::{Part, Report};
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

/// What [`find_due`] found.
#[derive(Debug, Default)]
pub struct Found {
    /// Captures the current extractor reads differently.
    pub due: Vec<Due>,
    /// Captures whose bytes could not be read.
    pub skipped: Vec<Skipped>,
    /// Captures the current extractor made, whose text is damaged while
    /// their bytes are intact: `vellum repair --rebuild` makes the same text
    /// again (a new record would not heal the old text).
    pub rebuildable: Vec<Skipped>,
}

/// What the current extractor would change: every current (not
/// superseded) HTML capture of `docs` (every document when empty) whose
/// text or flag it makes differently. `progress` hears how far it got.
pub fn find_due(
    archive: &Archive,
    docs: &[DocName],
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Found, StoreError> {
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
    let mut found = Found::default();
    let (due, skipped) = (&mut found.due, &mut found.skipped);
    for (i, row) in rows.iter().enumerate() {
        progress(i + 1, rows.len());
        let rec = archive.record(&row.id)?;
        if !reextract::is_extracted_html(&rec) {
            continue;
        }
        if reextract::is_current(&rec) {
            if let Some(text) = rec.text
                && let Err(e @ (StoreError::Missing { .. } | StoreError::Damaged { .. })) =
                    archive.read_object(&text)
                && archive.read_object(&rec.content).is_ok()
            {
                found.rebuildable.push(Skipped {
                    doc: rec.doc.to_string(),
                    capture: row.id,
                    error: e.to_string(),
                });
            }
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
    Ok(found)
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

/// The texts `verify` found damaged but rebuildable, made again from their
/// captures' intact raw bytes by the extractor that made them: only those
/// that come out byte-identical (same id) are returned, so `repair
/// --rebuild` heals them exactly. A text the current extractor makes
/// differently (a newer extractor) is not the lost object; `reextract`
/// records it as a new text.
pub fn rebuild_texts(
    archive: &Archive,
    report: &Report,
) -> std::collections::HashMap<ObjectId, Vec<u8>> {
    let mut out = std::collections::HashMap::new();
    for a in report
        .damaged_captures
        .iter()
        .filter(|a| a.text == Part::Rebuildable)
    {
        let Ok(rec) = archive.record(&a.capture) else {
            continue;
        };
        let (Some(text), Ok(bytes)) = (rec.text, archive.read_object(&rec.content)) else {
            continue;
        };
        if let Some(new) = reextract::reextract(&rec, &bytes)
            && new.text_id() == text
        {
            out.insert(text, new.text.into_bytes());
        }
    }
    out
}
