//! Command line: one file per subcommand, each with `<Name>Args` and `run_<name>`.

mod add;
mod changes;
mod check_proof;
mod collate;
mod common;
mod diff;
mod env;
mod export;
mod extract;
mod import;
mod init;
mod log;
mod manuals;
pub mod pager;
mod parse;
pub mod progress;
mod proof;
mod pull;
mod push;
mod recheck;
mod reextract;
mod reindex;
mod repair;
mod root;
mod schedule;
mod search;
mod serve;
mod show;
mod similar;
mod stories;
mod verify;
mod watch;
mod web;
mod write;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{ColorChoice, CommandFactory, Parser, Subcommand, ValueEnum};

use vellum::render::theme::{self, Palette};
use vellum::store::find_store;

pub use env::{CliError, Env, Exit};

/// The heading global options are listed under, apart from a command's own.
const GLOBAL: &str = "Global options";

#[derive(Parser, Debug)]
#[command(
    name = "vellum",
    version,
    about = "A versioned archive for documents that change and get republished.",
    long_about = "vellum keeps every captured version of a document (news articles above all), \
compressed and named by the blake3 hash of its content, shows word-level diffs between \
versions and republications, and verifies that nothing in the archive has rotted.",
    after_long_help = include_str!("../../docs/manual/vellum.txt"),
    after_help = include_str!("../../docs/manual/vellum.short.txt")
)]
pub struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Command,
}

/// The options every command takes (`global = true`), apart so that the
/// one-command parser ([`top`]) has the very same definitions.
#[derive(clap::Args, Debug)]
pub struct Globals {
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaletteChoice {
    /// Red (struck through) and green (underlined)
    RedGreen,
    /// Orange (struck through) and blue (underlined), for red-green color blindness
    #[value(alias = "colorblind", alias = "blue-orange")]
    Colorblind,
}

/// The commands: the enum clap derives the whole tree from, the parser of
/// one command alone ([`parse`]: only the named command's parser is built)
/// and the call of each, from one list.
macro_rules! commands {
    ($($(#[$attr:meta])* $variant:ident($name:literal, $args:ty) => $run:expr,)*) => {
        #[derive(Subcommand, Debug)]
        enum Command {
            $($(#[$attr])* $variant($args),)*
        }

        /// The parser of the command called `name`, with its own options only.
        fn one_command(name: &str) -> Option<clap::Command> {
            let cmd = clap::Command::new(name.to_owned());
            Some(match name {
                $($name => <$args as clap::Args>::augment_args(cmd),)*
                _ => return None,
            })
        }

        fn dispatch(env: &Env, command: Command) -> Result<Exit, CliError> {
            match command {
                $(Command::$variant(a) => ($run)(env, a),)*
            }
        }
    };
}

commands! {
    /// Create an empty store
    Init("init", init::InitArgs) => init::run_init,
    /// Archive captures (files, stdin, or a JSON Lines batch)
    Add("add", add::AddArgs) => add::run_add,
    /// List documents, or the versions of one document
    Log("log", log::LogArgs) => log::run_log,
    /// Print a version's text, byte-exact (or its capture record)
    Show("show", show::ShowArgs) => show::run_show,
    /// Word-level diff of two versions or files
    Diff("diff", diff::DiffArgs) => diff::run_diff,
    /// Print the text vellum would keep for a page or file (archives nothing)
    Extract("extract", extract::ExtractArgs) => extract::run_extract,
    /// Re-check every object, record and reference; report damage
    Verify("verify", verify::VerifyArgs) => verify::run_verify,
    /// Archive the captures in WARC files (one durable commit)
    Import("import", import::ImportArgs) => import::run_import,
    /// Write captures to a WARC file (WARC/1.1, gzip per record)
    Export("export", export::ExportArgs) => export::run_export,
    /// Print the archive log's size and root, to publish
    Root("root", root::RootArgs) => root::run_root,
    /// Print a proof that a capture is in the archive log, or that the log only grew
    Proof("proof", proof::ProofArgs) => proof::run_proof,
    /// Check a proof of custody offline (no store needed)
    CheckProof("check-proof", check_proof::CheckProofArgs) => check_proof::run_check_proof,
    /// Rebuild the catalog from the objects alone
    Reindex("reindex", reindex::ReindexArgs) => reindex::run_reindex,
    /// Read archived HTML captures again with the current extractor (new records; nothing rewritten)
    Reextract("reextract", reextract::ReextractArgs) => reextract::run_reextract,
    /// Follow RSS, Atom and JSON feeds: archive each new item's page
    Watch("watch", watch::WatchArgs) => watch::run_watch,
    /// Check archived documents' URLs now (all, those due, or those named)
    Recheck("recheck", recheck::RecheckArgs) => recheck::run_recheck,
    /// Show or set when documents are checked again (backoff, fixed interval, pause)
    Schedule("schedule", schedule::ScheduleArgs) => schedule::run_schedule,
    /// Full-text search of every document's text, current or older
    Search("search", search::SearchArgs) => search::run_search,
    /// Changes across the archive, most significant first (score, reasons, excerpt)
    Changes("changes", changes::ChangesArgs) => changes::run_changes,
    /// Serve a read-only web view of the archive (loopback by default)
    Serve("serve", serve::ServeArgs) => serve::run_serve,
    /// Archived documents sharing text with a document or file (copies, reposts)
    Similar("similar", similar::SimilarArgs) => similar::run_similar,
    /// Groups of documents carrying the same text (an article and its republications)
    Stories("stories", stories::StoriesArgs) => stories::run_stories,
    /// Line up the copies of a text paragraph by paragraph (present, absent, variant)
    Collate("collate", collate::CollateArgs) => collate::run_collate,
    /// Print a shell completion script
    Completions("completions", manuals::CompletionsArgs) => |_, a| manuals::run_completions(a, Cli::command()),
    /// Write man pages (vellum.1 to stdout, or one page per command into DIR)
    Man("man", manuals::ManArgs) => |_, a| manuals::run_man(a, Cli::command()),
    /// Copy the packs another store (directory or s3://…) lacks to it
    Push("push", push::PushArgs) => push::run_push,
    /// Copy the packs this store lacks from another (directory or s3://…)
    Pull("pull", pull::PullArgs) => pull::run_pull,
    /// Heal damage from a copy of the archive (--from), or rebuild what can be (--rebuild)
    Repair("repair", repair::RepairArgs) => repair::run_repair,
    /// Print every document name, one per line (what shell completion offers)
    #[command(hide = true, name = "complete-docs")]
    CompleteDocs("complete-docs", manuals::CompleteDocsArgs) => manuals::run_complete_docs,
}

impl Env {
    fn resolve(cli: &Globals) -> Result<Env, CliError> {
        let cwd = std::env::current_dir().unwrap_or_default();
        let var = std::env::var_os("VELLUM_STORE");
        let store = find_store(cli.store.as_deref(), var.as_deref(), &cwd);
        let from_env = || Palette::from_env(std::env::var("VELLUM_PALETTE").ok().as_deref());
        theme::set_palette(match cli.palette {
            Some(PaletteChoice::RedGreen) => Palette::RedGreen,
            Some(PaletteChoice::Colorblind) => Palette::BlueOrange,
            None => from_env().map_err(CliError::new)?,
        });
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let (out_tty, err_tty) = (
            std::io::stdout().is_terminal(),
            std::io::stderr().is_terminal(),
        );
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && out_tty,
        };
        let width = terminal_size::terminal_size().map(|(w, _)| w.0 as usize);
        let width = width.or_else(|| std::env::var("COLUMNS").ok()?.parse().ok());
        Ok(Env {
            store,
            color,
            stdout_is_terminal: out_tty,
            progress: err_tty && !cli.quiet,
            notes: !cli.quiet,
            page: !cli.no_pager && out_tty,
            width: width.unwrap_or(100),
        })
    }
}

/// The parsed command line (see [`parse`]: only the named command's parser
/// is built), or clap's error, help or version to print with `exit`.
pub fn try_parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    parse::try_parse(args, plain, top, one_command)
}

/// The plainest lines of `show` and `diff` (the commands scripts run once
/// per document), read without clap ([`parse::Plain`]): what each command's
/// `plain` declines goes to clap.
fn plain(args: &[std::ffi::OsString]) -> Option<Cli> {
    let line = parse::Plain::read(args)?;
    let command = match line.command {
        "show" => Command::Show(show::ShowArgs::plain(&line)?),
        "diff" => Command::Diff(diff::DiffArgs::plain(&line)?),
        _ => return None,
    };
    let globals = Globals {
        store: line.store.map(PathBuf::from),
        color: match line.color {
            Some(c) => ColorChoice::from_str(c, false).ok()?,
            None => ColorChoice::Auto,
        },
        palette: match line.palette {
            Some(p) => Some(PaletteChoice::from_str(p, false).ok()?),
            None => None,
        },
        no_pager: line.no_pager,
        quiet: line.quiet,
    };
    Some(Cli { globals, command })
}

/// The program and its global options, without commands.
fn top() -> clap::Command {
    let cmd = clap::Command::new("vellum").version(env!("CARGO_PKG_VERSION"));
    <Globals as clap::Args>::augment_args(cmd)
}

impl Cli {
    /// Whether the command is `serve` (a long-lived server with a thread per core).
    pub fn serves(&self) -> bool {
        matches!(self.command, Command::Serve(_))
    }
}

pub fn run(cli: Cli) -> Result<Exit, CliError> {
    dispatch(&Env::resolve(&cli.globals)?, cli.command)
}
