//! Parsing the command line without building all of it (issue #29).
//!
//! The whole clap tree (about 30 commands, their options and long help)
//! took most of a millisecond to build, more than `show` takes to read a
//! version. When the command line names a command (after any global
//! options) and asks for no help, only that command's parser is built,
//! from the same definitions (`<XArgs as clap::Args>::augment_args` and
//! the `Globals` struct: `top` and `one_command` in `cli`, passed in so
//! that this module imports nothing of `cli`). Anything else goes to the
//! whole tree, as does any
//! command line the one-command parser rejects, so that every error,
//! suggestion (`vellum shwo`) and help text is the whole tree's.

use std::ffi::OsString;
use std::fmt::Debug;

use clap::{Command, FromArgMatches, Parser};

/// The parsed command line, or clap's error (which may be help or the
/// version to print: `Error::exit` prints it and exits as clap does).
/// `top` builds the program with its global options and no commands;
/// `one_command` the parser of one command, by name.
///
/// `VELLUM_PARSE=full` (or `fast`), for tests of the two parsers
/// (`tests/parse.rs`): parse with the whole tree only (or the one-command
/// parser only: exit 3 when it leaves the line to the whole tree), print
/// what was parsed on stdout and exit 0, running nothing.
pub fn try_parse<P: Parser + Debug>(
    args: Vec<OsString>,
    top: fn() -> Command,
    one_command: fn(&str) -> Option<Command>,
) -> Result<P, clap::Error> {
    let parsed = match std::env::var_os("VELLUM_PARSE") {
        Some(v) if v == "full" => P::try_parse_from(args)?,
        Some(v) if v == "fast" => match fast(&args, top, one_command) {
            Some(parsed) => parsed?,
            None => {
                eprintln!("vellum: the one-command parser leaves this line to the whole tree");
                std::process::exit(3)
            }
        },
        // Only --version is answered by the small parser.
        _ => return fast(&args, top, one_command).unwrap_or_else(|| P::try_parse_from(args)),
    };
    println!("{parsed:?}");
    std::process::exit(0)
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
fn fast<P: FromArgMatches>(
    args: &[OsString],
    top: fn() -> Command,
    one_command: fn(&str) -> Option<Command>,
) -> Option<Result<P, clap::Error>> {
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
        Ok(m) if !version => P::from_arg_matches(&m).ok().map(Ok),
        Err(e) if version && e.kind() == clap::error::ErrorKind::DisplayVersion => Some(Err(e)),
        _ => None,
    }
}
