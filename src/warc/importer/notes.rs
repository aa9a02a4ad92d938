//! What the reader tolerated to read a capture's record, kept beside the
//! capture: a state object named `warc-notes/CAPTURE_ID` (see
//! [`crate::store::state`]), written in the same durable commit as the
//! capture. Not inside the capture record, so that the record's bytes and
//! the capture id are the same whether the WARC was well formed or not;
//! state objects are pushed and pulled like captures, and the catalog's
//! index of them is rebuilt from the objects.

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;
use crate::store::{Archive, CaptureId, StoreError, Writer};
use crate::warc::Deviation;

/// The state name of a capture's notes.
pub fn notes_name(capture: &CaptureId) -> String {
    format!("warc-notes/{capture}")
}

/// The notes on one capture: where its record was and what was tolerated to
/// read it (what `show --meta --json` prints as `warc_deviations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CaptureNotes {
    /// `warc-notes/CAPTURE_ID`.
    pub state: String,
    /// Always 1: a later import of the same record writes the same object.
    pub round: u64,
    #[schemars(with = "Option<String>")]
    pub prev: Option<ObjectId>,
    /// The WARC (or ARC) file's name, as the import was given it (its last
    /// path component).
    pub file: String,
    /// The record's offset in that file (its gzip member's, if any).
    pub offset: u64,
    pub deviations: Vec<Deviation>,
}

/// Stages the notes on the capture staged last in `writer`.
pub(super) fn stage_notes(
    writer: &mut Writer<'_>,
    capture: &CaptureId,
    file: &std::path::Path,
    offset: u64,
    deviations: &[Deviation],
) -> Result<(), StoreError> {
    let notes = CaptureNotes {
        state: notes_name(capture),
        round: 1,
        prev: None,
        file: file
            .file_name()
            .unwrap_or(file.as_os_str())
            .to_string_lossy()
            .into_owned(),
        offset,
        deviations: deviations.to_vec(),
    };
    let bytes = serde_json::to_vec(&notes).expect("notes serialize");
    writer.put_state(&bytes).map(drop)
}

/// The notes on `capture`, if its import noted anything.
pub fn capture_notes(
    archive: &Archive,
    capture: &CaptureId,
) -> Result<Option<CaptureNotes>, StoreError> {
    let Some((_, bytes)) = archive.latest_state(&notes_name(capture))? else {
        return Ok(None);
    };
    // Notes a later vellum cannot read are no notes (the capture is whole).
    Ok(serde_json::from_slice(&bytes).ok())
}
