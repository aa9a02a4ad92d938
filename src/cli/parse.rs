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
/// `plain` reads the plainest lines of the commands run once per document
/// ([`Plain`]) without clap; what it declines (`None`) goes to the
/// one-command parser, then to the whole tree.
///
/// `VELLUM_PARSE=full` (or `fast`, or `plain`), for tests of the parsers
/// (`tests/parse.rs`): parse with the whole tree only (or that parser only:
/// exit 3 when it leaves the line to the next), print what was parsed on
/// stdout and exit 0, running nothing.
pub fn try_parse<P: Parser + Debug>(
    args: Vec<OsString>,
    plain: fn(&[OsString]) -> Option<P>,
    top: fn() -> Command,
    one_command: fn(&str) -> Option<Command>,
) -> Result<P, clap::Error> {
    let left = |parser: &str| -> ! {
        eprintln!("vellum: the {parser} parser leaves this line to the next");
        std::process::exit(3)
    };
    let parsed = match std::env::var_os("VELLUM_PARSE") {
        Some(v) if v == "full" => P::try_parse_from(args)?,
        Some(v) if v == "fast" => match fast(&args, top, one_command) {
            Some(parsed) => parsed?,
            None => left("one-command"),
        },
        Some(v) if v == "plain" => plain(&args).unwrap_or_else(|| left("plain")),
        _ => {
            if let Some(parsed) = plain(&args) {
                return Ok(parsed);
            }
            // Only --version is answered by the small parser.
            return fast(&args, top, one_command).unwrap_or_else(|| P::try_parse_from(args));
        }
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

/// A command line in its plainest form, read without clap: global options,
/// a command's name, long flags without values (each at most once) and
/// operands (`-` for standard input). `vellum show DOC@2` and `vellum diff
/// --color never A B` are such lines: scripts run one per document, and
/// building even one command's clap parser took 14% of a `show`'s
/// instructions (#29). The caller turns it into the parsed line, declining
/// what it does not take (another command, an unknown flag, flags that
/// conflict, a wrong number of operands), so that clap answers every
/// mistake. Anything unusual is declined here: a value or an operand that
/// is empty or starts with `-`, `--`, short options but `-q`, help and the
/// version, a repeated option, arguments that are not UTF-8.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plain<'a> {
    pub store: Option<&'a str>,
    pub color: Option<&'a str>,
    pub palette: Option<&'a str>,
    pub no_pager: bool,
    pub quiet: bool,
    pub command: &'a str,
    pub flags: Vec<&'a str>,
    pub operands: Vec<&'a str>,
}

impl<'a> Plain<'a> {
    pub fn read(args: &'a [OsString]) -> Option<Plain<'a>> {
        let mut line = Plain::default();
        let mut rest = args.iter().skip(1);
        while let Some(arg) = rest.next() {
            let arg = arg.to_str()?;
            let valued = match arg.split_once('=') {
                Some((name, value)) if GLOBAL_VALUED.contains(&name) => Some((name, value)),
                _ if GLOBAL_VALUED.contains(&arg) => Some((arg, rest.next()?.to_str()?)),
                _ => None,
            };
            if let Some((name, value)) = valued {
                let slot = match name {
                    "--store" => &mut line.store,
                    "--color" => &mut line.color,
                    _ => &mut line.palette,
                };
                if slot.is_some() || value.is_empty() || value.starts_with('-') {
                    return None;
                }
                *slot = Some(value);
                continue;
            }
            let flag = match arg {
                "--no-pager" => &mut line.no_pager,
                "--quiet" | "-q" => &mut line.quiet,
                _ => {
                    line.other(arg)?;
                    continue;
                }
            };
            if std::mem::replace(flag, true) {
                return None;
            }
        }
        (!line.command.is_empty()).then_some(line)
    }

    /// A word that is not a global option: the command, a flag or an operand.
    fn other(&mut self, arg: &'a str) -> Option<()> {
        let flag = arg.starts_with("--") && arg.len() > 2 && !arg.contains('=');
        if self.command.is_empty() {
            // The command's name comes first.
            (!arg.starts_with('-') && !arg.is_empty()).then(|| self.command = arg)
        } else if flag && !["--help", "--version"].contains(&arg) && !self.flags.contains(&arg) {
            self.flags.push(arg);
            Some(())
        } else if arg == "-" || !(arg.starts_with('-') || arg.is_empty()) {
            self.operands.push(arg);
            Some(())
        } else {
            None
        }
    }

    /// The flags, when each is one of `known` (else `None`): whether each of
    /// `known` was given.
    pub fn flags<const N: usize>(&self, known: [&str; N]) -> Option<[bool; N]> {
        let mut given = [false; N];
        for flag in &self.flags {
            given[known.iter().position(|k| k == flag)?] = true;
        }
        Some(given)
    }
}
