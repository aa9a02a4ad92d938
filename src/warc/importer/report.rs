//! What an import did: counts (what `import --json` prints), files that
//! failed, warnings, and the error that stops an import.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use crate::error::ErrorKind;

use crate::store::StoreError;

use crate::store::object::MAX_OBJECT_SIZE;
use crate::warc::WarcError;
use crate::warc::read::Position;

/// Counts of an import, as `import --json` prints them (`{"summary": …}`).
#[derive(Debug, Clone, Default, serde::Serialize, schemars::JsonSchema)]
pub struct ImportSummary {
    /// Records read, in every file (failed ones included).
    pub records: u64,
    /// Captures archived that brought a new version.
    pub new: u64,
    /// Captures archived whose text was the current version's (sightings).
    pub unchanged: u64,
    /// Captures archived flagged (bad digests accepted, thin pages…).
    pub flagged: u64,
    /// Records not archived, by why (`request`, `status 404`…).
    pub skipped: BTreeMap<String, u64>,
    /// Records whose digests did not match (refused, or flagged).
    pub bad_digests: u64,
    /// Captures archived (or, refused for a bad digest, read) whose records
    /// needed tolerance to read (listed by `show --meta`).
    pub tolerated: u64,
    /// Records that could not be read, skipped: the records after each were
    /// read on where the format allows.
    pub unreadable: Vec<SkippedRecord>,
    /// Files read.
    pub files: u64,
    /// Files that could not be read: not WARC (or ARC) files at all,
    /// unreadable ones, and with `--strict` those with a record that could
    /// not be read (nothing of them archived, or with `--partial` the good
    /// captures before the break).
    pub failed: Vec<FileFailure>,
}

/// In words: `N records: captures N new, N unchanged (N flagged); skipped
/// N request, …; bad digests N`.
impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let skipped: Vec<String> = self
            .skipped
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        write!(
            f,
            "{} records: captures {} new, {} unchanged",
            self.records, self.new, self.unchanged
        )?;
        if self.flagged > 0 {
            write!(f, " ({} flagged)", self.flagged)?;
        }
        let skipped = if skipped.is_empty() {
            "none".to_owned()
        } else {
            skipped.join(", ")
        };
        write!(f, "; skipped {skipped}; bad digests {}", self.bad_digests)?;
        if !self.unreadable.is_empty() {
            write!(f, "; unreadable records {}", self.unreadable.len())?;
        }
        if self.tolerated > 0 {
            write!(f, "; read with tolerance {}", self.tolerated)?;
        }
        Ok(())
    }
}

/// The `import --json` summary line: `{"summary": {...}}`.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct SummaryLine<'a> {
    pub summary: &'a ImportSummary,
}

/// A record that could not be read, skipped.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct SkippedRecord {
    pub file: PathBuf,
    /// Where the record starts in the file (its gzip member's offset).
    pub offset: u64,
    /// What is wrong with it, in words.
    pub error: String,
}

impl fmt::Display for SkippedRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}; skipped", self.file.display(), self.error)
    }
}

/// A file that could not be imported whole.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct FileFailure {
    pub file: PathBuf,
    /// What went wrong, in words.
    #[serde(serialize_with = "as_text")]
    #[schemars(with = "String")]
    pub error: FileError,
    /// Good captures read before the break.
    pub captures_before: u64,
    /// Whether those were archived (`--partial`).
    pub archived: bool,
}

fn as_text<S: serde::Serializer>(e: &FileError, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(e)
}

/// Why a file was not imported whole.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FileError {
    #[error("cannot read it: {0}")]
    Unreadable(String),
    #[error("it is a directory; give the WARC files inside it")]
    Directory,
    /// Broken input: a truncated file, a wrong Content-Length, bad chunked
    /// encoding, bad gzip, bad HTTP headers.
    #[error("{0}")]
    Broken(Arc<WarcError>),
    #[error("rereading the {at} of {} for a revisit: {detail}", file.display())]
    Reread {
        file: PathBuf,
        at: Position,
        detail: String,
    },
    #[error("{} changed while it was being imported", file.display())]
    Changed { file: PathBuf },
}

impl FileError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            FileError::Unreadable(_) | FileError::Reread { .. } | FileError::Changed { .. } => {
                ErrorKind::Io
            }
            FileError::Directory | FileError::Broken(_) => ErrorKind::InvalidInput,
        }
    }
}

/// An error that stops the whole import: the store failed. Files committed
/// before it stay archived.
#[derive(Debug, thiserror::Error)]
#[error("{}: {where_}: {source}", file.display())]
pub struct ImportError {
    pub file: PathBuf,
    /// Where in the file (a record), or what the store was doing.
    pub where_: String,
    #[source]
    pub source: Box<StoreError>,
}

impl ImportError {
    pub fn kind(&self) -> ErrorKind {
        self.source.kind()
    }
}

/// Something worth telling about a record that the import went past.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// A payload over the per-capture limit: skipped.
    TooLarge {
        file: PathBuf,
        at: Position,
        size: u64,
    },
    /// A Content-Encoding that cannot be decoded: skipped.
    Encoding {
        file: PathBuf,
        at: Position,
        encoding: String,
    },
    /// Digests that do not match: refused, or archived flagged.
    BadDigest {
        file: PathBuf,
        at: Position,
        why: String,
        archived: bool,
    },
    /// Archived with a flag from ingest (a thin extraction, say).
    Flagged {
        file: PathBuf,
        at: Position,
        flag: String,
    },
    /// A revisit whose payload is neither in the import nor archived:
    /// skipped.
    RevisitNotFound {
        file: PathBuf,
        at: Position,
        url: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::TooLarge { file, at, size } => write!(
                f,
                "{}: {at}: {size} bytes is over the {MAX_OBJECT_SIZE}-byte limit per capture; skipped",
                file.display()
            ),
            Warning::Encoding { file, at, encoding } => write!(
                f,
                "{}: {at}: content-encoding {encoding:?} cannot be decoded; skipped",
                file.display()
            ),
            Warning::BadDigest {
                file,
                at,
                why,
                archived,
            } => write!(
                f,
                "{}: {at}: {why}; {}",
                file.display(),
                if *archived {
                    "archived flagged"
                } else {
                    "not archived"
                }
            ),
            Warning::Flagged { file, at, flag } => write!(
                f,
                "{}: {at}: {flag}; archived, flagged (listed, never a version)",
                file.display()
            ),
            Warning::RevisitNotFound { file, at, url } => write!(
                f,
                "{}: {at}: a revisit of {url}, whose payload is neither in the files imported nor archived; skipped (import it with the WARC holding the original)",
                file.display()
            ),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub summary: ImportSummary,
    pub warnings: Vec<Warning>,
}

impl ImportReport {
    /// Whether any record was not archived for a reason the user must hear
    /// of: it could not be read, its revisited payload is nowhere, or its
    /// digest did not match (exit 1).
    pub fn incomplete(&self) -> bool {
        !self.summary.unreadable.is_empty()
            || self.refused_bad_digests()
            || self
                .warnings
                .iter()
                .any(|w| matches!(w, Warning::RevisitNotFound { .. }))
    }

    /// Whether a record was refused for a bad digest.
    pub fn refused_bad_digests(&self) -> bool {
        self.summary.bad_digests > self.summary.flagged
    }
}
