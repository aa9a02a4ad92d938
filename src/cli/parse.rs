//! Parsing the command line without building all of it (issue #29).
//!
//! The whole clap tree (about 30 commands, their options and long help)
//! took most of a millisecond to build, more than `show` takes to read a
//! version. When the command line names a command (after any global
//! options) and asks for no help, only that command's parser is built,
//! from the same definitions (`<XArgs as clap::Args>::augment_args` and
//! [`Globals`]). Anything else goes to the whole tree, as does any
//! command line the one-command parser rejects, so that every error,
//! suggestion (`vellum shwo`) and help text is the whole tree's.

use std::ffi::OsString;

use clap::{Args, Command as ClapCommand, FromArgMatches, Parser};

use super::{Cli, Globals};

/// The parsed command line, or clap's error (which may be help or the
/// version to print: `Error::exit` prints it and exits as clap does).
pub fn try_parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    match fast(&args) {
        Some(Ok(cli)) => Ok(cli),
        // Only --version is answered by the small parser.
        Some(Err(e)) => Err(e),
        None => Cli::try_parse_from(args),
    }
}

/// The global options that take a value, as `--name VALUE` (or `--name=VALUE`).
const GLOBAL_VALUED: &[&str] = &["--store", "--color", "--palette"];
/// The global flags.
const GLOBAL_FLAGS: &[&str] = &["--no-pager", "--quiet", "-q"];

/// The first word after the global options: a command's name, or
/// `--version`/`-V`; `None` when the line is anything else.
fn command_word(args: &[OsString]) -> Option<&str> {
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        let arg = arg.to_str()?;
        if GLOBAL_VALUED.contains(&arg) {
            rest.next()?;
        } else if GLOBAL_FLAGS.contains(&arg)
            || GLOBAL_VALUED
                .iter()
                .any(|g| arg.strip_prefix(g).is_some_and(|v| v.starts_with('=')))
        {
        } else if arg == "--version" || arg == "-V" || !arg.starts_with('-') {
            return Some(arg);
        } else {
            return None;
        }
    }
    None
}

/// `Some` when the one-command parser settles the line: the parsed line,
/// or the version to print.
fn fast(args: &[OsString]) -> Option<Result<Cli, clap::Error>> {
    let word = command_word(args)?;
    // Help of any kind is the whole tree's.
    if args.iter().skip(1).any(|a| a == "-h" || a == "--help") {
        return None;
    }
    let mut cmd = top();
    let version = word == "--version" || word == "-V";
    if !version {
        cmd = cmd.subcommand(one_command(word)?);
    }
    match cmd.try_get_matches_from(args) {
        Ok(m) if !version => Cli::from_arg_matches(&m).ok().map(Ok),
        Err(e) if version && e.kind() == clap::error::ErrorKind::DisplayVersion => Some(Err(e)),
        _ => None,
    }
}

/// The top of the tree: the program and the global options, no commands.
fn top() -> ClapCommand {
    let cmd = ClapCommand::new("vellum").version(env!("CARGO_PKG_VERSION"));
    Globals::augment_args(cmd)
}

/// The parser of the command called `name`, with its options only.
fn one_command(name: &str) -> Option<ClapCommand> {
    use super::*;
    fn with<A: Args>(name: &str) -> ClapCommand {
        A::augment_args(ClapCommand::new(name.to_owned()))
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
        "complete-docs" => ClapCommand::new(name.to_owned()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
