//! `vellum completions SHELL` and `vellum man [DIR]`: generated from the
//! same clap definitions as the parser, so they never drift from it.

use std::io::Write;
use std::path::PathBuf;

use clap::{Command, ValueHint};
use clap_complete::Shell;
use vellum::render::completion::{self, DOCS_MARK, DOCS_OR_FILES_MARK, DocArg};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/completions.txt"))]
pub struct CompletionsArgs {
    /// The shell to complete in
    #[arg(value_enum)]
    shell: Shell,
}

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/man.txt"))]
pub struct ManArgs {
    /// Directory to write vellum.1 and one vellum-COMMAND.1 per command into
    /// [default: print vellum.1 to stdout]
    dir: Option<PathBuf>,
}

/// `full` is the whole command line definition (`Cli::command()`).
pub fn run_completions(args: CompletionsArgs, full: Command) -> Result<Exit, CliError> {
    let mut cmd = completable(&full, "", args.shell == Shell::Zsh);
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "vellum", &mut script);
    let script = String::from_utf8(script).map_err(|e| CliError::new(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(doc_completion(args.shell, script, &cmd).as_bytes())?;
    out.flush()?;
    Ok(Exit::Ok)
}

/// `cmd` is the whole command line definition (`Cli::command()`).
pub fn run_man(args: ManArgs, mut cmd: Command) -> Result<Exit, CliError> {
    // Propagates the global options into each command's page.
    cmd.build();
    let Some(dir) = args.dir else {
        let mut out = std::io::stdout().lock();
        clap_mangen::Man::new(cmd).render(&mut out)?;
        out.flush()?;
        return Ok(Exit::Ok);
    };
    let shown = dir.display().to_string();
    let cannot = |e| CliError::new(format!("cannot write man pages into {shown}: {e}"));
    std::fs::create_dir_all(&dir).map_err(cannot)?;
    let mut pages = vec![("vellum".to_owned(), cmd.clone())];
    let subs = cmd
        .get_subcommands()
        .filter(|s| s.get_name() != "help" && !s.is_hide_set());
    for sub in subs {
        let name = format!("vellum-{}", sub.get_name());
        let page = sub.clone().name(&name).version(env!("CARGO_PKG_VERSION"));
        pages.push((name, page));
    }
    for (name, page) in &pages {
        let mut buf = Vec::new();
        clap_mangen::Man::new(page.clone()).render(&mut buf)?;
        std::fs::write(dir.join(format!("{name}.1")), buf).map_err(cannot)?;
    }
    writeln!(
        std::io::stdout().lock(),
        "wrote {} man pages into {shown}",
        pages.len()
    )?;
    Ok(Exit::Ok)
}

/// The arguments that take documents (command, argument id, whether a file
/// is as good): completion offers document names for them.
const DOC_ARGS: &[DocArg<'static>] = &[
    ("show", "addr", false),
    ("log", "doc", false),
    ("diff", "a", true),
    ("diff", "b", true),
    ("similar", "target", true),
    ("proof", "addr", false),
    ("export", "addrs", false),
    ("reextract", "docs", false),
    ("collate", "targets", false),
    ("search", "doc", false),
];

/// `vellum complete-docs` (hidden): no options.
#[derive(clap::Args, Debug)]
pub struct CompleteDocsArgs {}

/// `vellum complete-docs`: every document name, one per line, as stored
/// (any script), for the completion scripts to offer.
pub fn run_complete_docs(env: &Env, _: CompleteDocsArgs) -> Result<Exit, CliError> {
    let names = env.open()?.doc_names()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for n in names {
        writeln!(out, "{n}")?;
    }
    out.flush()?;
    Ok(Exit::Ok)
}

/// The command line as completion offers it: no hidden options or
/// commands; with `mark`, document arguments carry a mark in place of their
/// help (`path` is the command's name).
fn completable(cmd: &Command, path: &str, mark: bool) -> Command {
    let mut out = Command::new(cmd.get_name().to_owned());
    if let Some(about) = cmd.get_about() {
        out = out.about(about.clone());
    }
    if let Some(v) = cmd.get_version() {
        out = out.version(v.to_owned());
    }
    if cmd.is_subcommand_required_set() {
        out = out.subcommand_required(true);
    }
    let visible = |id: &clap::Id| {
        cmd.get_arguments()
            .any(|a| a.get_id() == id && !a.is_hide_set())
    };
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        let mut arg = arg.clone();
        if let Some(&(_, _, files)) = DOC_ARGS
            .iter()
            .find(|(c, a, _)| mark && *c == path && arg.get_id() == *a)
        {
            arg = arg
                .help(if files { DOCS_OR_FILES_MARK } else { DOCS_MARK })
                .value_hint(ValueHint::Unknown);
        }
        out = out.arg(arg);
    }
    for group in cmd.get_groups().filter(|g| g.get_args().all(visible)) {
        out = out.group(group.clone());
    }
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        out = out.subcommand(completable(sub, sub.get_name(), mark));
    }
    out
}

/// Options of `cmd` (and the global ones) that take a value: after one of
/// them, bash completes that value, not a document.
fn value_options(cmd: &Command) -> String {
    let mut opts = Vec::new();
    for arg in cmd.get_arguments() {
        if arg.is_positional() || !arg.get_action().takes_values() {
            continue;
        }
        opts.extend(arg.get_long().map(|l| format!("--{l}")));
        opts.extend(arg.get_short().map(|s| format!("-{s}")));
    }
    opts.join(" ")
}

/// What the generated script lacks: document names for the arguments in
/// [`DOC_ARGS`] ([`completion`] adds them to the script's text).
fn doc_completion(shell: Shell, script: String, cmd: &Command) -> String {
    match shell {
        Shell::Bash => {
            let mut names: Vec<&str> = DOC_ARGS.iter().map(|(c, _, _)| *c).collect();
            names.dedup();
            let cases: Vec<(&str, String)> = (names.into_iter())
                .filter_map(|name| Some((name, value_options(cmd.find_subcommand(name)?))))
                .collect();
            completion::bash(script, &value_options(cmd), &cases)
        }
        Shell::Zsh => completion::zsh(&script),
        Shell::Fish => completion::fish(script, DOC_ARGS),
        _ => script,
    }
}
