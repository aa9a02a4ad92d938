//! The plain parser ([`super::plain`], `parse::Plain`) against the whole
//! clap tree, in process: whatever line it takes, clap parses to the same
//! thing; the lines scripts run are taken.

use std::ffi::OsString;

use clap::Parser;
use proptest::prelude::*;

use super::{Cli, plain};

fn args(words: &[&str]) -> Vec<OsString> {
    std::iter::once("vellum")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

/// What the plain parser and the whole tree make of a line (`Debug` of the
/// parsed line; the whole tree's error kind).
fn both(words: &[&str]) -> (Option<String>, Result<String, String>) {
    let args = args(words);
    let taken = plain(&args).map(|cli| format!("{cli:?}"));
    let whole = Cli::try_parse_from(&args)
        .map(|cli| format!("{cli:?}"))
        .map_err(|e| e.kind().to_string());
    (taken, whole)
}

#[test]
fn the_lines_scripts_run_are_taken_as_clap_takes_them() {
    for line in [
        "show d@1",
        "show https://example.org/a@2 --json",
        "--store s show d@-1 --raw",
        "show d --meta --json -q",
        "--color never diff a.md b.md",
        "diff d@1 d --stat --ignore-markup --color=always",
        "diff - d@2 --json --full --ignore-case --ignore-whitespace --ignore-typography",
        "--palette colorblind --no-pager diff d --ignore-boilerplate",
        "--store=s --palette=blue-orange show d",
    ] {
        let words: Vec<&str> = line.split(' ').collect();
        let (taken, whole) = both(&words);
        assert_eq!(taken.as_ref(), whole.as_ref().ok(), "{line}");
        assert!(taken.is_some(), "{line} was left to clap");
    }
}

#[test]
fn mistakes_help_and_other_commands_are_left_to_clap() {
    for line in [
        "show",
        "show a b",
        "show d --raw --meta",
        "show d --raw --json",
        "show d --batch",
        "show --help d",
        "show d -h",
        "diff",
        "diff a b c",
        "diff a b --json --stat",
        "diff a b --format json",
        "diff a b --context=3",
        "diff a b --jsn",
        "diff a b --stat --stat",
        "--color sometimes show d",
        "--color show d",
        "-q -q show d",
        "show -- d",
        "show -x",
        "show ''",
        "log d",
        "--version",
        "-V show d",
    ] {
        let words: Vec<&str> = line
            .split(' ')
            .map(|w| if w == "''" { "" } else { w })
            .collect();
        assert_eq!(both(&words).0, None, "{line} was taken");
    }
}

/// Words lines are made of: global options and values, flags each command
/// has or lacks, operands, and mistakes.
const GLOBALS: &[&str] = &[
    "-q",
    "--quiet",
    "--no-pager",
    "--store",
    "--store=s",
    "--store=",
    "s",
    "--color",
    "never",
    "always",
    "sometimes",
    "--color=never",
    "--palette",
    "colorblind",
    "red-green",
    "--palette=x",
];
const TAIL: &[&str] = &[
    "d",
    "d@1",
    "a.md",
    "x=y",
    "-",
    "--",
    "",
    "-q",
    "--no-pager",
    "--store",
    "s",
    "--color",
    "never",
    "--json",
    "--stat",
    "--full",
    "--raw",
    "--meta",
    "--batch",
    "--ignore-case",
    "--ignore-markup",
    "--ignore-whitespace",
    "--ignore-typography",
    "--ignore-boilerplate",
    "--format",
    "json",
    "--context",
    "3",
    "--help",
    "-h",
    "-V",
    "--version",
    "-x",
    "--jsn",
    "-1",
    "show",
    "diff",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn what_the_plain_parser_takes_clap_parses_the_same(
        before in proptest::collection::vec(proptest::sample::select(GLOBALS), 0..3),
        command in proptest::sample::select(&["show", "diff", "log", "--json", "-"][..]),
        after in proptest::collection::vec(proptest::sample::select(TAIL), 0..6),
    ) {
        let mut words = before;
        words.push(command);
        words.extend(after);
        let (taken, whole) = both(&words);
        if let Some(taken) = taken {
            prop_assert_eq!(Ok(taken), whole, "{:?}", words);
        }
    }
}
