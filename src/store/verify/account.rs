//! What each damaged capture lost and what survives of it: its evidence (the
//! bytes as received), its text, its record and its archive-log entry, and
//! which commands can still use it. The account is what `show`, `show
//! --raw`, `diff` and `export` can really do, so it is worded per part: a
//! flipped byte in the raw HTML loses the evidence but not the text, a
//! flipped byte in an extracted text loses the text but not the evidence
//! (and the text can be made again from it).

use schemars::JsonSchema;
use serde::Serialize;

use super::super::record::CaptureId;

/// The state of one part of a capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Part {
    /// Reads back and hashes to its id.
    Intact,
    /// Damaged or missing here: only a replica (`vellum repair --from`) can
    /// bring it back.
    Lost,
    /// Damaged or missing here, but it can be made again from what
    /// survives (a text re-extracted from intact raw bytes: `vellum repair
    /// --rebuild`).
    Rebuildable,
    /// The capture has none (a text that is its bytes, a capture archived
    /// before the archive log existed).
    Absent,
}

/// One capture something is lost of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CaptureAccount {
    pub doc: String,
    /// Its version number (`DOC@N`); 0 for a capture that is never a
    /// version (flagged or superseded).
    pub version: u64,
    pub capture: CaptureId,
    /// The bytes as received (`show --raw`, `export`).
    pub evidence: Part,
    /// The text versions compare (`show`, `diff`, `search`); for a text
    /// stored as the bytes themselves, the same as `evidence`.
    pub text: Part,
    /// The capture record (`show --record`, `export`, `reindex`).
    pub record: Part,
    /// Its entry in the archive log (`proof`).
    pub log: Part,
    /// `show DOC@N` and `diff` print its text.
    pub show: bool,
    /// `show --raw` prints its bytes.
    pub show_raw: bool,
    /// `export` writes it.
    pub export: bool,
}

impl CaptureAccount {
    /// `DOC@N`, or `DOC capture ID` for a capture that is no version.
    pub fn name(&self) -> String {
        match self.version {
            0 => format!("{} capture {}", self.doc, self.capture.0.short()),
            n => format!("{}@{n}", self.doc),
        }
    }

    /// One line of words: what is lost, what survives, what can be rebuilt.
    pub fn describe(&self) -> String {
        let parts = [
            ("evidence (raw bytes)", self.evidence),
            ("text", self.text),
            ("record", self.record),
            ("log entry", self.log),
        ];
        let list = |want: Part| -> Vec<&str> {
            parts
                .iter()
                .filter(|(_, p)| *p == want)
                .map(|(n, _)| *n)
                .collect()
        };
        let mut out = format!("{} (capture {}):", self.name(), self.capture.0.short());
        for (label, want) in [
            ("lost", Part::Lost),
            ("rebuildable", Part::Rebuildable),
            ("intact", Part::Intact),
        ] {
            let l = list(want);
            if !l.is_empty() {
                out.push_str(&format!(" {label}: {};", l.join(", ")));
            }
        }
        let can: Vec<&str> = [
            ("show", self.show),
            ("diff", self.show),
            ("show --raw", self.show_raw),
            ("export", self.export),
        ]
        .iter()
        .filter(|(_, ok)| *ok)
        .map(|(n, _)| *n)
        .collect();
        if can.is_empty() {
            out.push_str(" nothing can read it");
        } else {
            out.push_str(&format!(" still works: {}", can.join(", ")));
        }
        out
    }
}
