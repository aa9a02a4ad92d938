//! What `verify` found: each problem by kind, with the objects and
//! versions it concerns, and the report that gathers them.

use schemars::JsonSchema;
use serde::Serialize;

use crate::id::ObjectId;

use super::account::CaptureAccount;

/// Progress: (packs done, packs total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

/// A problem with nothing yet known to be lost by it.
pub(super) fn problem(
    kind: ProblemKind,
    object: Option<ObjectId>,
    pack: Option<&str>,
    detail: String,
) -> Problem {
    Problem {
        kind,
        object,
        pack: pack.map(str::to_owned),
        detail,
        unreadable: Vec::new(),
        records_lost: Vec::new(),
        evidence_lost: Vec::new(),
        stored: Vec::new(),
    }
}

/// What kind of problem was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ProblemKind {
    /// A pack file whose structure or checksum is wrong.
    DamagedPack,
    /// An object that does not decode or does not hash to its id.
    DamagedObject,
    /// An object that something refers to but that is nowhere in objects/.
    MissingObject,
    /// A record object that is not a valid capture record.
    BadRecord,
    /// The archive log is broken: a segment that does not parse, a gap, a
    /// fork, or a capture logged twice or not archived.
    BadLog,
    /// The catalog disagrees with the objects (`vellum reindex` repairs it).
    CatalogDrift,
    /// The catalog file itself is damaged (`vellum reindex` repairs it).
    CatalogDamaged,
    /// A pack's index object (object storage) is unreadable or disagrees
    /// with its pack: not the archive's data, and safe to delete.
    DamagedIndex,
}

/// One problem, with what it makes unreadable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Problem {
    pub kind: ProblemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<ObjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<String>,
    pub detail: String,
    /// Versions (`DOC@N`) whose text can no longer be read because of this.
    pub unreadable: Vec<String>,
    /// Captures (`DOC@N capture ID`) whose record can no longer be read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records_lost: Vec<String>,
    /// Captures (`DOC@N`) whose raw bytes (the evidence: `show --raw`,
    /// `export`) can no longer be read because of this.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence_lost: Vec<String>,
    /// For a damaged pack: every version with an object in it (at risk even
    /// when still readable).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stored: Vec<String>,
}

/// Everything verify found.
#[derive(Debug, Clone, Default, Serialize, JsonSchema)]
pub struct Report {
    pub packs: usize,
    pub objects: usize,
    pub captures: usize,
    pub problems: Vec<Problem>,
    /// Per capture, what is lost and what survives (only captures something
    /// is lost of), in document and version order.
    pub damaged_captures: Vec<CaptureAccount>,
    /// Things worth knowing that are not damage (e.g. a pack an interrupted
    /// add left for the next writer to index, a read that failed once).
    pub notes: Vec<String>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }

    /// Whether `vellum reindex` would repair every problem.
    pub fn reindex_repairs(&self) -> bool {
        !self.problems.is_empty()
            && self.problems.iter().all(|p| {
                matches!(
                    p.kind,
                    ProblemKind::CatalogDrift | ProblemKind::CatalogDamaged
                )
            })
    }
}

/// What `verify --json` prints: the report with its verdict.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VerifyReport {
    #[serde(flatten)]
    pub report: Report,
    /// No problem was found.
    pub ok: bool,
    /// Every problem is one `vellum reindex` repairs (the objects are intact).
    pub reindex_repairs: bool,
}

impl From<Report> for VerifyReport {
    fn from(report: Report) -> VerifyReport {
        VerifyReport {
            ok: report.ok(),
            reindex_repairs: report.reindex_repairs(),
            report,
        }
    }
}
