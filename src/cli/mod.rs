//! Command line: one file per subcommand, each with `<Name>Args` and `run_<name>`.

mod add;
mod diff;
mod extract;
mod init;
mod log;
mod reindex;
mod show;
mod verify;
mod web;

use std::fmt;
use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use vellum::error::StoreError;
use vellum::store::Archive;

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

#[derive(Parser, Debug)]
#[command(
    name = "vellum",
    version,
    about = "A versioned archive for documents that change and get republished.",
    long_about = "vellum keeps every captured version of a document (news articles above all), \
compressed and named by the blake3 hash of its content, shows word-level diffs between \
versions and republications, and verifies that nothing in the archive has rotted.\n\n\
Addresses: DOC (its latest version), DOC@N (version N, from 1 in captured-at order), or a \
capture id / unique prefix of 8+ hex digits (stable and citable; `vellum log DOC` shows them).",
    after_help = "Examples:\n  vellum add article.md --doc south-front --url https://example.org/a\n  \
vellum log south-front\n  vellum diff south-front@1 south-front@2\n  vellum verify\n\n\
Exit codes: 0 success (diff: no differences), 1 diff found differences or verify found damage, 2 error."
)]
pub struct Cli {
    /// Store directory [default: $VELLUM_STORE, else ./store]
    #[arg(long, global = true, value_name = "DIR")]
    store: Option<PathBuf>,
    /// When to use colors (auto: only on a terminal, and never when NO_COLOR is set)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Create an empty store
    Init(init::InitArgs),
    /// Archive captures (files, stdin, or a JSON Lines batch)
    Add(add::AddArgs),
    /// List documents, or the versions of one document
    Log(log::LogArgs),
    /// Print a version's text, byte-exact (or its capture record)
    Show(show::ShowArgs),
    /// Word-level diff of two versions or files
    Diff(diff::DiffArgs),
    /// Print the text vellum would keep for a page or file (archives nothing)
    Extract(extract::ExtractArgs),
    /// Re-check every object, record and reference; report damage
    Verify(verify::VerifyArgs),
    /// Rebuild the catalog from the objects alone
    Reindex(reindex::ReindexArgs),
}

/// What every command may need from the environment, resolved once.
pub struct Env {
    pub store: PathBuf,
    pub color: bool,
    pub stderr_is_terminal: bool,
    pub width: usize,
}

impl Env {
    fn resolve(cli: &Cli) -> Env {
        let store = cli
            .store
            .clone()
            .or_else(|| {
                std::env::var_os("VELLUM_STORE")
                    .filter(|v| !v.is_empty())
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| PathBuf::from("store"));
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        let width = terminal_size::terminal_size()
            .map(|(w, _)| w.0 as usize)
            .or_else(|| std::env::var("COLUMNS").ok()?.parse().ok())
            .unwrap_or(100);
        Env {
            store,
            color,
            stderr_is_terminal: std::io::stderr().is_terminal(),
            width,
        }
    }

    pub fn open(&self) -> Result<Archive, CliError> {
        Ok(Archive::open(&self.store)?)
    }
}

/// An error for the user: a message (and exit code 2).
#[derive(Debug)]
pub struct CliError {
    message: String,
    broken_pipe: bool,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            broken_pipe: false,
        }
    }

    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::new(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError {
            broken_pipe: e.kind() == std::io::ErrorKind::BrokenPipe,
            message: format!("writing output: {e}"),
        }
    }
}

pub fn run(cli: Cli) -> Result<Exit, CliError> {
    let env = Env::resolve(&cli);
    match cli.command {
        Command::Init(a) => init::run_init(&env, a),
        Command::Add(a) => add::run_add(&env, a),
        Command::Log(a) => log::run_log(&env, a),
        Command::Show(a) => show::run_show(&env, a),
        Command::Diff(a) => diff::run_diff(&env, a),
        Command::Extract(a) => extract::run_extract(&env, a),
        Command::Verify(a) => verify::run_verify(&env, a),
        Command::Reindex(a) => reindex::run_reindex(&env, a),
    }
}

/// RFC 3339 in UTC, as every command prints times.
pub fn fmt_time(t: time::OffsetDateTime) -> String {
    t.to_offset(time::UtcOffset::UTC)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| t.to_string())
}
