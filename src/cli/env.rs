//! What every command shares: the environment resolved once ([`Env`]),
//! errors for the user ([`CliError`]) and the exit codes they map to.

use std::fmt;
use std::path::PathBuf;

use vellum::advice::Worded;
use vellum::error::ErrorKind;
use vellum::store::{Archive, Location, Mode};

pub use vellum::when::{anchored, clock};

/// Exit codes, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Success; for `diff`, no differences.
    Ok = 0,
    /// `diff` found differences, or `verify` found damage.
    Found = 1,
    /// Anything went wrong.
    Error = 2,
}

impl Exit {
    /// [`Exit::Found`] when something was found, else [`Exit::Ok`].
    pub fn found(found: bool) -> Exit {
        if found { Exit::Found } else { Exit::Ok }
    }
}

/// What every command may need from the environment, resolved once.
pub struct Env {
    pub store: PathBuf,
    pub color: bool,
    pub stdout_is_terminal: bool,
    /// Progress lines may be drawn: stderr is a terminal and no `--quiet`.
    pub progress: bool,
    /// Notes on stderr (not warnings or errors) are wanted: no `--quiet`.
    pub notes: bool,
    /// Output may go through a pager: stdout is a terminal and no `--no-pager`.
    pub page: bool,
    pub width: usize,
}

impl Env {
    pub fn open(&self) -> Result<Archive, CliError> {
        Ok(Archive::open(&self.store)?)
    }

    /// Opens the store for writing, creating it when there is none: one way
    /// for every command that archives (add, import, watch).
    pub fn open_or_create(&self) -> Result<Archive, CliError> {
        let location = Location::parse(&self.store)?;
        let opened = vellum::store::open(&location, Mode::CreateIfMissing)?;
        if opened.upgraded {
            eprintln!(
                "vellum: rebuilt the catalog of {} written by an older vellum",
                self.store.display()
            );
        }
        if opened.created && self.notes {
            eprintln!("vellum: created a new store in {}", self.store.display());
        }
        Ok(opened.archive)
    }
}

/// Ends a command that only read the store, just before the process exits:
/// the archive is not closed but left to the exit, which frees everything at
/// once. Closing it frees SQLite's schema and statements one by one (88,000
/// of `show`'s 1.73 million instructions, counted with callgrind) and
/// writes nothing: a reader holds no lock past its reads (#29).
pub fn done_reading(archive: Archive) {
    std::mem::forget(archive);
}

/// An error for the user: a message (the library's, with the CLI's advice)
/// and the kind of failure, which [`CliError::exit`] maps to an exit code.
#[derive(Debug)]
pub struct CliError {
    message: String,
    kind: ErrorKind,
    broken_pipe: bool,
}

impl CliError {
    /// An error in what the user asked (a bad argument, a refused input).
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            kind: ErrorKind::InvalidInput,
            broken_pipe: false,
        }
    }

    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }

    /// The exit code of every command that fails: the one place kinds meet
    /// exit codes. Every kind is 2 today (1 is kept for `diff` finding
    /// differences and `verify` finding damage, which are not errors); the
    /// match is exhaustive so that a new kind has to be placed here.
    pub fn exit(&self) -> Exit {
        match self.kind {
            ErrorKind::NotFound
            | ErrorKind::Ambiguous
            | ErrorKind::Damaged
            | ErrorKind::Busy
            | ErrorKind::InvalidInput
            | ErrorKind::Io => Exit::Error,
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Every library error, in the words [`Worded`] gives it.
impl<E: Worded> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError {
            broken_pipe: e.is_broken_pipe(),
            kind: e.kind(),
            message: e.message(),
        }
    }
}
