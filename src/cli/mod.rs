//! Command line: one file per subcommand, each with `<Name>Args` and `run_<name>`.

mod add;
mod check_proof;
mod collate;
mod common;
mod diff;
mod export;
mod extract;
mod import;
mod init;
mod input;
mod log;
mod manuals;
pub mod pager;
pub mod progress;
mod proof;
mod pull;
mod push;
mod reextract;
mod reindex;
mod root;
mod search;
mod serve;
mod show;
mod similar;
mod stories;
mod verify;
mod watch;
mod web;
mod write;

use std::fmt;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use vellum::error::ErrorKind;
use vellum::render::theme::{self, Palette};
use vellum::store::StoreError;
use vellum::store::{Archive, Location, Mode};

/// The address forms, one a line, as `show --help` and `diff --help` list
/// them (the top-level `--help`, [`ADDRESS_HELP`], says more of each).
macro_rules! address_forms {
    () => {
        "  DOC            the latest version of a document
  DOC@N          version N, counted from 1 in captured-at order
  DOC@-K         K versions before the latest (DOC@-1 is the one before it)
  DOC@TIME       the version current at TIME (2019-02-12, 2019-02-12T18:00Z, …)
  CAPTURE        a capture id, or a unique prefix of 8+ hex digits (stable, citable)
  URL            http(s)://…: the document whose canonical or fetched URL it is
  URL@N, URL@-K, URL@TIME   a version, as for DOC (chosen by what follows the last '@',
                 unless the whole text is itself an archived URL)
"
    };
}
pub(crate) use address_forms;

/// Every address form, as the top-level `--help` lists them.
pub const ADDRESS_HELP: &str = "Addresses (what show, diff, log, proof, export, similar, collate take):
  DOC            the latest version of a document (letters and digits of any script,
                 '.', '_', '-'; typed names are case-folded: Новости is новости)
  DOC@N          version N, counted from 1 in captured-at order
  DOC@-K         K versions before the latest (DOC@-1 is the one before it)
  DOC@TIME       the version current at TIME (2019-02-12, 2019-02-12T18:00Z, …)
  CAPTURE        a capture id, or a unique prefix of 8+ hex digits: stable and citable
                 (importing older captures renumbers versions; `vellum log DOC` shows ids)
  URL            http:// or https://: the document whose canonical URL it is (as `add`
                 canonicalizes it), else the one fetched from it
  URL@N, URL@-K, URL@TIME
                 a version, as for DOC: what follows the URL's last '@' chooses it, unless
                 the whole text is itself an archived URL (https://x.org/@user)

Examples:
  vellum add article.md --doc south-front --url https://example.org/a
  vellum log south-front
  vellum diff south-front@1 south-front@2
  vellum show https://example.org/a@-1
  vellum verify

Exit codes: 0 success (diff: no differences), 1 diff found differences, verify found damage,\nor add/import archived some inputs but not others; 2 error.";

/// The heading global options are listed under, apart from a command's own.
const GLOBAL: &str = "Global options";

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
versions and republications, and verifies that nothing in the archive has rotted.",
    after_long_help = ADDRESS_HELP,
    after_help = "Examples:\n  vellum add article.md --doc south-front --url https://example.org/a\n  \
vellum log south-front\n  vellum diff south-front@1 south-front@2\n  vellum verify\n\n\
Exit codes: 0 success (diff: no differences), 1 diff found differences, verify found damage, \
or add/import archived some inputs but not others; 2 error.\n\n\
Addresses: DOC, DOC@N, DOC@-K, DOC@TIME, a capture id, URL, URL@N, URL@-K, URL@TIME (--help says more)."
)]
pub struct Cli {
    /// Store directory [default: $VELLUM_STORE, else the store enclosing the current
    /// directory, else ./store]
    #[arg(long, global = true, value_name = "DIR", help_heading = GLOBAL)]
    store: Option<PathBuf>,
    /// When to use colors (auto: only on a terminal, and never when NO_COLOR is set)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
    color: ColorChoice,
    /// Colors of deletions and insertions (deletions are also struck through, insertions
    /// underlined) [default: $VELLUM_PALETTE, else red-green]
    #[arg(long, global = true, value_enum, value_name = "PALETTE", help_heading = GLOBAL)]
    palette: Option<PaletteChoice>,
    /// Never page output (by default long output on a terminal goes through
    /// $VELLUM_PAGER, else $PAGER, else `less -FRX`)
    #[arg(long, global = true, help_heading = GLOBAL)]
    no_pager: bool,
    /// No progress lines or notes on stderr (errors and warnings still appear)
    #[arg(long, short, global = true, help_heading = GLOBAL)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaletteChoice {
    /// Red (struck through) and green (underlined)
    RedGreen,
    /// Orange (struck through) and blue (underlined), for red-green color blindness
    #[value(alias = "colorblind", alias = "blue-orange")]
    Colorblind,
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
    /// Archive the captures in WARC files (one durable commit)
    Import(import::ImportArgs),
    /// Write captures to a WARC file (WARC/1.1, gzip per record)
    Export(export::ExportArgs),
    /// Print the archive log's size and root, to publish
    Root(root::RootArgs),
    /// Print a proof that a capture is in the archive log, or that the log only grew
    Proof(proof::ProofArgs),
    /// Check a proof of custody offline (no store needed)
    CheckProof(check_proof::CheckProofArgs),
    /// Rebuild the catalog from the objects alone
    Reindex(reindex::ReindexArgs),
    /// Read archived HTML captures again with the current extractor (new records; nothing rewritten)
    Reextract(reextract::ReextractArgs),
    /// Follow RSS, Atom and JSON feeds: archive each new item's page
    Watch(watch::WatchArgs),
    /// Full-text search of every document's text, current or older
    Search(search::SearchArgs),
    /// Serve a read-only web view of the archive (loopback by default)
    Serve(serve::ServeArgs),
    /// Archived documents sharing text with a document or file (copies, reposts)
    Similar(similar::SimilarArgs),
    /// Groups of documents carrying the same text (an article and its republications)
    Stories(stories::StoriesArgs),
    /// Line up the copies of a text paragraph by paragraph (present, absent, variant)
    Collate(collate::CollateArgs),
    /// Print a shell completion script
    Completions(manuals::CompletionsArgs),
    /// Write man pages (vellum.1 to stdout, or one page per command into DIR)
    Man(manuals::ManArgs),
    /// Copy the packs another store (directory or s3://…) lacks to it
    Push(push::PushArgs),
    /// Copy the packs this store lacks from another (directory or s3://…)
    Pull(pull::PullArgs),
    /// Print every document name, one per line (what shell completion offers)
    #[command(hide = true, name = "complete-docs")]
    CompleteDocs,
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

/// The store a command uses, found as git finds its repository: `--store`,
/// else `$VELLUM_STORE`, else the store enclosing `cwd`, else `./store`.
pub fn find_store(flag: Option<&Path>, var: Option<&std::ffi::OsStr>, cwd: &Path) -> PathBuf {
    if let Some(dir) = flag {
        return dir.to_owned();
    }
    if let Some(v) = var.filter(|v| !v.is_empty()) {
        return PathBuf::from(v);
    }
    // A store directory holds a VELLUM marker file; `objects/packs` below it
    // is still inside that store.
    for dir in cwd.ancestors() {
        if dir.join("VELLUM").is_file() {
            return dir.to_owned();
        }
    }
    PathBuf::from("store")
}

impl Env {
    fn resolve(cli: &Cli) -> Result<Env, CliError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let var = std::env::var_os("VELLUM_STORE");
        let store = find_store(cli.store.as_deref(), var.as_deref(), &cwd);
        let palette = match cli.palette {
            Some(p) => p,
            None => match std::env::var("VELLUM_PALETTE").ok().as_deref() {
                None | Some("") => PaletteChoice::RedGreen,
                Some(v) => PaletteChoice::from_str(v, true).map_err(|_| {
                    CliError::new(format!(
                        "VELLUM_PALETTE={v:?} is not a palette: use red-green or colorblind"
                    ))
                })?,
            },
        };
        theme::set_palette(match palette {
            PaletteChoice::RedGreen => Palette::RedGreen,
            PaletteChoice::Colorblind => Palette::BlueOrange,
        });
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
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Ok(Env {
            store,
            color,
            stdout_is_terminal: std::io::stdout().is_terminal(),
            progress: stderr_is_terminal && !cli.quiet,
            notes: !cli.quiet,
            page: !cli.no_pager && std::io::stdout().is_terminal(),
            width,
        })
    }

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
        CliError::with_kind(ErrorKind::InvalidInput, message)
    }

    /// An error of a given kind (a library error's [`kind`](StoreError::kind)).
    pub fn with_kind(kind: ErrorKind, message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            kind,
            broken_pipe: false,
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    pub fn is_broken_pipe(&self) -> bool {
        self.broken_pipe
    }

    /// The exit code of every command that fails: the one place kinds meet
    /// exit codes. Every kind is 2 today (1 is kept for `diff` finding
    /// differences and `verify` finding damage, which are not errors); the
    /// match is exhaustive so that a new kind has to be placed here.
    pub fn exit(&self) -> Exit {
        match self.kind() {
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

impl From<StoreError> for CliError {
    fn from(e: StoreError) -> Self {
        CliError::with_kind(e.kind(), store_message(&e))
    }
}

/// A store error as the CLI words it: the library's message, then what to
/// do about it with this command line.
pub fn store_message(e: &StoreError) -> String {
    use vellum::store::AddressError;
    let advice = match e {
        StoreError::NoStore(dir) => format!(
            ": create one with `vellum init {}` or point --store / VELLUM_STORE at one",
            dir.display()
        ),
        StoreError::NotAStore(_) => ": choose another directory with --store".into(),
        StoreError::Format { .. } => "; upgrade vellum".into(),
        StoreError::Catalog { .. } => "; rebuild it from the objects with `vellum reindex`".into(),
        StoreError::Missing { .. } | StoreError::Damaged { .. } => {
            "; run `vellum verify` for a full report".into()
        }
        StoreError::ChainTooDeep { .. } => "; run `vellum verify`".into(),
        StoreError::Unindexed(_) => "; run `vellum reindex`".into(),
        StoreError::Address(AddressError::OnlyFlagged { doc }) => {
            format!("; `vellum log {doc} --captures` lists them")
        }
        _ => String::new(),
    };
    format!("{e}{advice}")
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError {
            broken_pipe: e.kind() == std::io::ErrorKind::BrokenPipe,
            kind: ErrorKind::Io,
            message: format!("writing output: {e}"),
        }
    }
}

pub fn run(cli: Cli) -> Result<Exit, CliError> {
    let env = Env::resolve(&cli)?;
    match cli.command {
        Command::Init(a) => init::run_init(&env, a),
        Command::Add(a) => add::run_add(&env, a),
        Command::Log(a) => log::run_log(&env, a),
        Command::Show(a) => show::run_show(&env, a),
        Command::Diff(a) => diff::run_diff(&env, a),
        Command::Extract(a) => extract::run_extract(&env, a),
        Command::Verify(a) => verify::run_verify(&env, a),
        Command::Reindex(a) => reindex::run_reindex(&env, a),
        Command::Reextract(a) => reextract::run_reextract(&env, a),
        Command::Watch(a) => watch::run_watch(&env, a),
        Command::Completions(a) => manuals::run_completions(a),
        Command::Man(a) => manuals::run_man(a),
        Command::Import(a) => import::run_import(&env, a),
        Command::Export(a) => export::run_export(&env, a),
        Command::Root(a) => root::run_root(&env, a),
        Command::Proof(a) => proof::run_proof(&env, a),
        Command::CheckProof(a) => check_proof::run_check_proof(&env, a),
        Command::Search(a) => search::run_search(&env, a),
        Command::Serve(a) => serve::run_serve(&env, a),
        Command::Similar(a) => similar::run_similar(&env, a),
        Command::Stories(a) => stories::run_stories(&env, a),
        Command::Push(a) => push::run_push(&env, a),
        Command::Pull(a) => pull::run_pull(&env, a),
        Command::Collate(a) => collate::run_collate(&env, a),
        Command::CompleteDocs => manuals::run_complete_docs(&env),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_keep_their_kind_and_exit_2() {
        let missing = CliError::from(StoreError::NoStore("/s".into()));
        assert_eq!(missing.kind(), ErrorKind::NotFound);
        assert!(missing.to_string().contains("vellum init"), "{missing}");
        let busy = CliError::from(StoreError::Io {
            context: "locking".into(),
            source: std::io::ErrorKind::WouldBlock.into(),
        });
        assert_eq!(busy.kind(), ErrorKind::Busy);
        assert_eq!(CliError::new("bad --at").kind(), ErrorKind::InvalidInput);
        let pipe = CliError::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(pipe.is_broken_pipe());
        assert_eq!(pipe.kind(), ErrorKind::Io);
        for e in [missing, busy, pipe] {
            assert_eq!(e.exit(), Exit::Error);
        }
    }

    #[test]
    fn store_is_found_as_git_finds_its_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("archive");
        let deep = store.join("objects/packs");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(store.join("VELLUM"), "vellum store\nformat 1\n").unwrap();
        let elsewhere = tmp.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        let flag = Path::new("/flag");
        let var = std::ffi::OsStr::new("/var");
        assert_eq!(find_store(Some(flag), Some(var), &deep), flag);
        assert_eq!(find_store(None, Some(var), &deep), Path::new("/var"));
        assert_eq!(find_store(None, None, &deep), store);
        assert_eq!(find_store(None, None, &store), store);
        assert_eq!(
            find_store(None, Some(std::ffi::OsStr::new("")), &deep),
            store
        );
        assert_eq!(find_store(None, None, &elsewhere), Path::new("store"));
    }
}
