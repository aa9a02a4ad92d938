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

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use vellum::render::theme::{self, Palette};

pub use env::{CliError, Env, Exit, find_store};

/// Every address form, as the top-level `--help` lists them.
pub const ADDRESS_HELP: &str = include_str!("../../docs/manual/vellum.txt");

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
    after_long_help = ADDRESS_HELP,
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
    /// Check archived documents' URLs now (all, those due, or those named)
    Recheck(recheck::RecheckArgs),
    /// Show or set when documents are checked again (backoff, fixed interval, pause)
    Schedule(schedule::ScheduleArgs),
    /// Full-text search of every document's text, current or older
    Search(search::SearchArgs),
    /// Changes across the archive, most significant first (score, reasons, excerpt)
    Changes(changes::ChangesArgs),
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
    /// Heal damage from a copy of the archive (--from), or rebuild what can be (--rebuild)
    Repair(repair::RepairArgs),
    /// Print every document name, one per line (what shell completion offers)
    #[command(hide = true, name = "complete-docs")]
    CompleteDocs,
}

impl Env {
    fn resolve(cli: &Globals) -> Result<Env, CliError> {
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
}

/// The parsed command line (see [`parse`]: only the named command's parser
/// is built), or clap's error, help or version to print with `exit`.
pub fn try_parse(args: Vec<std::ffi::OsString>) -> Result<Cli, clap::Error> {
    parse::try_parse(args, top, one_command)
}

/// The program and its global options, without commands.
fn top() -> clap::Command {
    let cmd = clap::Command::new("vellum").version(env!("CARGO_PKG_VERSION"));
    <Globals as clap::Args>::augment_args(cmd)
}

/// The parser of the command called `name`, with its own options only.
fn one_command(name: &str) -> Option<clap::Command> {
    fn with<A: clap::Args>(name: &str) -> clap::Command {
        A::augment_args(clap::Command::new(name.to_owned()))
    }
    Some(match name {
        "init" => with::<init::InitArgs>(name),
        "add" => with::<add::AddArgs>(name),
        "log" => with::<log::LogArgs>(name),
        "show" => with::<show::ShowArgs>(name),
        "diff" => with::<diff::DiffArgs>(name),
        "extract" => with::<extract::ExtractArgs>(name),
        "verify" => with::<verify::VerifyArgs>(name),
        "import" => with::<import::ImportArgs>(name),
        "export" => with::<export::ExportArgs>(name),
        "root" => with::<root::RootArgs>(name),
        "proof" => with::<proof::ProofArgs>(name),
        "check-proof" => with::<check_proof::CheckProofArgs>(name),
        "reindex" => with::<reindex::ReindexArgs>(name),
        "reextract" => with::<reextract::ReextractArgs>(name),
        "watch" => with::<watch::WatchArgs>(name),
        "recheck" => with::<recheck::RecheckArgs>(name),
        "schedule" => with::<schedule::ScheduleArgs>(name),
        "search" => with::<search::SearchArgs>(name),
        "changes" => with::<changes::ChangesArgs>(name),
        "serve" => with::<serve::ServeArgs>(name),
        "similar" => with::<similar::SimilarArgs>(name),
        "stories" => with::<stories::StoriesArgs>(name),
        "collate" => with::<collate::CollateArgs>(name),
        "completions" => with::<manuals::CompletionsArgs>(name),
        "man" => with::<manuals::ManArgs>(name),
        "push" => with::<push::PushArgs>(name),
        "pull" => with::<pull::PullArgs>(name),
        "repair" => with::<repair::RepairArgs>(name),
        "complete-docs" => clap::Command::new(name.to_owned()),
        _ => return None,
    })
}

pub fn run(cli: Cli) -> Result<Exit, CliError> {
    let env = Env::resolve(&cli.globals)?;
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
        Command::Recheck(a) => recheck::run_recheck(&env, a),
        Command::Schedule(a) => schedule::run_schedule(&env, a),
        Command::Completions(a) => manuals::run_completions(a, Cli::command()),
        Command::Man(a) => manuals::run_man(a, Cli::command()),
        Command::Import(a) => import::run_import(&env, a),
        Command::Export(a) => export::run_export(&env, a),
        Command::Root(a) => root::run_root(&env, a),
        Command::Proof(a) => proof::run_proof(&env, a),
        Command::CheckProof(a) => check_proof::run_check_proof(&env, a),
        Command::Search(a) => search::run_search(&env, a),
        Command::Changes(a) => changes::run_changes(&env, a),
        Command::Serve(a) => serve::run_serve(&env, a),
        Command::Similar(a) => similar::run_similar(&env, a),
        Command::Stories(a) => stories::run_stories(&env, a),
        Command::Push(a) => push::run_push(&env, a),
        Command::Pull(a) => pull::run_pull(&env, a),
        Command::Repair(a) => repair::run_repair(&env, a),
        Command::Collate(a) => collate::run_collate(&env, a),
        Command::CompleteDocs => manuals::run_complete_docs(&env),
    }
}
