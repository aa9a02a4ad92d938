//! Errors in words for a person: the library's message, then what to do
//! about it (the command to run, the option that allows it). What the
//! command line and the monitor print; the HTTP API maps the same
//! [`kind`](Worded::kind)s to statuses and words its own answers. Nothing
//! in the library imports this module: it sits above every module whose
//! errors it words.

use std::fmt::Display;

use crate::capture::input::NotArchived;
use crate::capture::{CaptureError, ExtractError};
use crate::error::ErrorKind;
use crate::query::{CollateError, CompareError, ProofQueryError, SimilarError};
use crate::search::{SearchError, SearchErrorKind};
use crate::significance::SignificanceError;
use crate::store::StoreError;
use crate::warc::importer::ImportError;
use crate::web::ServeError;

/// An error a person reads: its kind (for the exit code) and its message.
pub trait Worded: Display {
    fn kind(&self) -> ErrorKind;

    /// What went wrong, then what to do about it.
    fn message(&self) -> String {
        self.to_string()
    }

    /// A closed pipe (`vellum show … | head`): not worth a message.
    fn is_broken_pipe(&self) -> bool {
        false
    }
}

/// The message of a store error inside another error: its advice.
fn store(e: &StoreError) -> String {
    e.advice()
}

impl Worded for StoreError {
    fn kind(&self) -> ErrorKind {
        StoreError::kind(self)
    }
    fn message(&self) -> String {
        format!("{self}{}", self.advice())
    }
}

/// Failing to write what a command prints.
impl Worded for std::io::Error {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Io
    }
    fn message(&self) -> String {
        format!("writing output: {self}")
    }
    fn is_broken_pipe(&self) -> bool {
        std::io::Error::kind(self) == std::io::ErrorKind::BrokenPipe
    }
}

impl Worded for SearchError {
    fn kind(&self) -> ErrorKind {
        match (self, SearchError::kind(self)) {
            (SearchError::Store(s), _) => s.kind(),
            (_, SearchErrorKind::InvalidQuery) => ErrorKind::InvalidInput,
            (_, SearchErrorKind::NotFound) => ErrorKind::NotFound,
            (_, SearchErrorKind::Store) => ErrorKind::Damaged,
        }
    }
    fn message(&self) -> String {
        let advice = match (self, SearchError::kind(self)) {
            (SearchError::Store(s), _) => store(s),
            (_, SearchErrorKind::InvalidQuery) => "\nexamples: vellum search troops | \
                vellum search '\"exact phrase\"' | vellum search 'coalit* isis'"
                .into(),
            (_, SearchErrorKind::NotFound) => "; `vellum log` lists the documents".into(),
            (_, SearchErrorKind::Store) => "; the index is a cache: delete search.sqlite in the \
                store directory and `vellum search` rebuilds it"
                .into(),
        };
        format!("{self}{advice}")
    }
}

impl Worded for CompareError {
    fn kind(&self) -> ErrorKind {
        CompareError::kind(self)
    }
    fn message(&self) -> String {
        match self {
            CompareError::Store(e) => e.message(),
            CompareError::NotText {
                label,
                capture: Some(c),
            } => format!(
                "{label} is not UTF-8 text; vellum diffs text only (`vellum show --raw {}` prints \
                 its bytes)",
                c.0.short()
            ),
            CompareError::NotText { label, .. } => format!(
                "{label} is not text (binary bytes); vellum diffs text only (--type text reads it \
                 as text)"
            ),
            e => e.to_string(),
        }
    }
}

impl Worded for ServeError {
    fn kind(&self) -> ErrorKind {
        match self {
            ServeError::Store(e) => e.kind(),
            ServeError::Bind { .. } | ServeError::NotLoopback(_) => ErrorKind::InvalidInput,
            _ => ErrorKind::Io,
        }
    }
    fn message(&self) -> String {
        match self {
            ServeError::Store(e) => e.message(),
            ServeError::Bind { .. } => format!(
                "{self}; choose another port with --addr 127.0.0.1:PORT (0 picks a free one)"
            ),
            ServeError::NotLoopback(_) => format!(
                "{self}: serving the archive to other machines needs --allow-remote (or use \
                 --addr 127.0.0.1:PORT)"
            ),
            e => e.to_string(),
        }
    }
}

impl Worded for SignificanceError {
    fn kind(&self) -> ErrorKind {
        SignificanceError::kind(self)
    }
    fn message(&self) -> String {
        format!("significance index: {self}; rebuild it with `vellum reindex`")
    }
}

impl Worded for crate::republish::IndexError {
    fn kind(&self) -> ErrorKind {
        crate::republish::IndexError::kind(self)
    }
    fn message(&self) -> String {
        format!("similarity index: {self}; rebuild it with `vellum reindex`")
    }
}

impl Worded for ProofQueryError {
    fn kind(&self) -> ErrorKind {
        ProofQueryError::kind(self)
    }
    fn message(&self) -> String {
        match self {
            ProofQueryError::Store(e) => e.message(),
            ProofQueryError::NotLogged(_) => format!("{self}: the next `vellum add` logs it"),
            e => e.to_string(),
        }
    }
}

impl Worded for ExtractError {
    fn kind(&self) -> ErrorKind {
        match self {
            ExtractError::Capture(e) => e.kind(),
            _ => ErrorKind::InvalidInput,
        }
    }
    fn message(&self) -> String {
        match self {
            ExtractError::Capture(CaptureError::Status { .. }) => {
                format!("{self}; nothing to extract")
            }
            e => e.to_string(),
        }
    }
}

/// As `add` words it: what was not archived, and the option that would.
impl Worded for CaptureError {
    fn kind(&self) -> ErrorKind {
        CaptureError::kind(self)
    }
    fn message(&self) -> String {
        match self {
            CaptureError::Status { .. } => {
                format!("{self}; not archived (--keep-errors archives such answers, flagged)")
            }
            CaptureError::Future { .. } => {
                format!("{self}; check the time (--allow-future accepts it); not archived")
            }
            CaptureError::Store(s) => s.message(),
            e => e.to_string(),
        }
    }
}

/// As `add` lists it: a batch line's problems each on a line of its own,
/// naming the line.
impl Worded for NotArchived {
    fn kind(&self) -> ErrorKind {
        NotArchived::kind(self)
    }
    fn message(&self) -> String {
        match self {
            NotArchived::Capture(e) => e.message(),
            NotArchived::Line(n, e) => {
                let lines: Vec<String> = e
                    .message()
                    .lines()
                    .map(|p| format!("batch line {n}: {p}"))
                    .collect();
                lines.join("\n")
            }
            e => e.to_string(),
        }
    }
}

impl Worded for crate::query::batch::BatchError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Io
    }
    fn message(&self) -> String {
        match self {
            Self::Output(e) => e.message(),
            e => e.to_string(),
        }
    }
    fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.is_broken_pipe())
    }
}

impl Worded for ImportError {
    fn kind(&self) -> ErrorKind {
        ImportError::kind(self)
    }
    fn message(&self) -> String {
        let advice = store(&self.source);
        format!("{self}{advice}; nothing of this file was archived")
    }
}

/// The errors whose message is their own, after a store error's advice.
macro_rules! plain {
    ($($t:ident),*) => {$(
        impl Worded for $t {
            fn kind(&self) -> ErrorKind {
                $t::kind(self)
            }
            fn message(&self) -> String {
                match self {
                    $t::Store(e) => e.message(),
                    e => e.to_string(),
                }
            }
        }
    )*};
}
plain!(CollateError, SimilarError);

/// Errors in what was given: their message says all.
macro_rules! given {
    ($($t:ty),*) => {$(
        impl Worded for $t {
            fn kind(&self) -> ErrorKind {
                ErrorKind::InvalidInput
            }
        }
    )*};
}
given!(
    crate::custody::given::GivenError,
    crate::feed::NotWatched,
    crate::ingest::decode::UnknownEncoding,
    crate::store::name::InvalidDocName
);

impl Worded for crate::store::AddressError {
    fn kind(&self) -> ErrorKind {
        crate::store::AddressError::kind(self)
    }
}

impl Worded for crate::monitor::MonitorError {
    fn kind(&self) -> ErrorKind {
        crate::monitor::MonitorError::kind(self)
    }
    fn message(&self) -> String {
        format!("{self}{}", self.advice())
    }
}

impl Worded for crate::warc::export::ExportError {
    fn kind(&self) -> ErrorKind {
        crate::warc::export::ExportError::kind(self)
    }
    fn message(&self) -> String {
        use crate::warc::export::ExportError;
        match self {
            ExportError::Store(e) => e.message(),
            ExportError::NoFileName(_) => "--warc needs a file name, e.g. out.warc.gz".into(),
            ExportError::Unexportable { .. } => format!(
                "{self}. `vellum export --skip-damaged` writes the others, `vellum repair` heals them"
            ),
            e => e.to_string(),
        }
    }
}

/// The option and why its time does not parse (the forms it accepts).
impl Worded for crate::when::BadTimeOption {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

impl Worded for crate::custody::ProofError {
    fn kind(&self) -> ErrorKind {
        crate::custody::ProofError::kind(self)
    }
}

/// A version asked for as text whose bytes are not UTF-8 (`show` without
/// `--raw`): its label, its size and the address as typed.
#[derive(Debug)]
pub struct NotText<'a> {
    pub label: &'a str,
    pub bytes: usize,
    pub addr: &'a str,
}

impl std::fmt::Display for NotText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not UTF-8 text ({} bytes)", self.label, self.bytes)
    }
}

/// `--raw` prints the bytes.
impl Worded for NotText<'_> {
    fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
    fn message(&self) -> String {
        let addr = self.addr;
        format!("{self}; `vellum show --raw {addr}` prints the bytes exactly")
    }
}

/// A `push` or `pull` that failed, with the store copied into as the
/// person named it (`to`).
#[derive(Debug)]
pub struct SyncFailed<'a> {
    pub error: crate::store::sync::SyncError,
    pub to: &'a std::path::Path,
}

impl std::fmt::Display for SyncFailed<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// A diverged log can be merged; a damaged source pack is for `verify`.
impl Worded for SyncFailed<'_> {
    fn kind(&self) -> ErrorKind {
        self.error.kind()
    }
    fn message(&self) -> String {
        use crate::store::sync::SyncError;
        match &self.error {
            SyncError::Store(e) => e.message(),
            e @ SyncError::Diverged(_) => format!(
                "{e}; nothing was copied to {}. Run without --ff-only to merge the two stores",
                self.to.display()
            ),
            e @ SyncError::Damaged { .. } => {
                format!("{e}; run `vellum verify` on the source for a full report")
            }
        }
    }
    fn is_broken_pipe(&self) -> bool {
        matches!(&self.error, crate::store::sync::SyncError::Store(e) if e.is_broken_pipe())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_kind_and_get_their_advice() {
        let missing = StoreError::NoStore("/s".into());
        assert_eq!(Worded::kind(&missing), ErrorKind::NotFound);
        assert!(
            missing.message().contains("vellum init"),
            "{}",
            missing.message()
        );
        let busy = StoreError::Io {
            context: "locking".into(),
            source: std::io::ErrorKind::WouldBlock.into(),
        };
        assert_eq!(Worded::kind(&busy), ErrorKind::Busy);
        assert!(!busy.is_broken_pipe());
        let pipe = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(pipe.is_broken_pipe());
        assert_eq!(Worded::kind(&pipe), ErrorKind::Io);
        assert!(pipe.message().starts_with("writing output: "));
    }

    #[test]
    fn bytes_that_are_no_text_point_to_raw() {
        let e = NotText {
            label: "scan@2",
            bytes: 4,
            addr: "scan@-1",
        };
        assert_eq!(Worded::kind(&e), ErrorKind::InvalidInput);
        assert_eq!(
            e.message(),
            "scan@2 is not UTF-8 text (4 bytes); `vellum show --raw scan@-1` prints the bytes exactly"
        );
    }

    #[test]
    fn a_failed_sync_names_the_store_and_the_way_on() {
        use crate::store::sync::SyncError;
        let to = std::path::Path::new("/backup");
        let diverged = SyncFailed {
            error: SyncError::Diverged(2),
            to,
        };
        assert_eq!(diverged.kind(), ErrorKind::InvalidInput);
        let said = diverged.message();
        assert!(said.starts_with(&diverged.error.to_string()), "{said}");
        assert!(
            said.ends_with(
                "; nothing was copied to /backup. Run without --ff-only to merge the two stores"
            ),
            "{said}"
        );
        let damaged = SyncFailed {
            error: SyncError::Damaged {
                name: "p1".into(),
                detail: "bad hash".into(),
            },
            to,
        };
        assert_eq!(damaged.kind(), ErrorKind::Damaged);
        assert!(
            damaged
                .message()
                .ends_with("; run `vellum verify` on the source for a full report")
        );
    }
}
