use std::ffi::OsString;

use clap::CommandFactory;
use clap::error::ErrorKind;

use super::*;
use crate::cli::{Cli, one_command, top};

fn line(words: &[&str]) -> Vec<OsString> {
    std::iter::once("vellum")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
}

/// The lines of a table (`|` between lines), as words.
fn lines(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table.split('|').map(|l| l.split_whitespace().collect())
}

/// The names the whole tree gives its commands.
fn names() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect()
}

#[test]
fn every_command_has_a_one_command_parser_and_no_other() {
    let names = names();
    assert!(names.len() >= 29, "{names:?}");
    for name in &names {
        let mut cmd = top().subcommand(
            one_command(name).unwrap_or_else(|| panic!("no one-command parser for {name}")),
        );
        // clap's own consistency checks of the small tree.
        cmd.build();
    }
    assert!(one_command("shwo").is_none());
    assert!(one_command("help").is_none());
}

/// At least one line for every command, with global options before and
/// after it: each is parsed by the one-command parser, to what the whole
/// tree makes of it.
const LINES: &str = "init | init some/dir --json
    | --store s add a.md --doc d --url https://example.org/a | add --batch b.jsonl -q
    | add a.md b.md --at 2019-02-12T18:00:00Z --type html
    | log | --store=s log d --json --max-count 3 --reverse
    | log d --patch --ignore-markup --ignore-case
    | show d@1 | --color always show d@-1 --json | --no-pager show --batch --raw
    | show https://example.org/a@2 --meta --palette colorblind
    | diff a.md b.md | diff --color never a b --stat --context 3
    | diff d --format side-by-side --ignore-typography --full
    | diff d@1 - --json --ignore-boilerplate --encoding latin1
    | extract page.html --url https://example.org/a --json
    | verify | verify --json --quiet | import a.warc.gz b.warc --json
    | export --warc out.warc.gz d e@2 | root --json | proof d@1 | check-proof p.json --json
    | reindex | reextract d --dry-run | watch --list
    | watch https://example.org/feed.xml --once | recheck --all | recheck d e | schedule d
    | search word --all-versions --max-count 5 | changes --json
    | serve --addr 127.0.0.1:8080 | similar d --json | stories | collate d e
    | completions bash | man | push /tmp/other | pull s3://bucket/x --json
    | repair --rebuild | complete-docs | -q --store s --color never show d --no-pager";

#[test]
fn representative_lines_parse_as_the_whole_tree_parses_them() {
    let mut seen = std::collections::BTreeSet::new();
    for words in lines(LINES) {
        let args = line(&words);
        let whole = Cli::try_parse_from(args.clone())
            .unwrap_or_else(|e| panic!("{words:?} is not a valid line: {e}"));
        let fast = match fast::<Cli>(&args, top, one_command) {
            Some(Ok(cli)) => cli,
            Some(Err(e)) => panic!("{words:?}: {e}"),
            None => panic!("{words:?} went to the whole tree"),
        };
        assert_eq!(format!("{fast:?}"), format!("{whole:?}"), "{words:?}");
        seen.insert(command_word(&args).unwrap().to_owned());
    }
    let missing: Vec<_> = names().into_iter().filter(|n| !seen.contains(n)).collect();
    assert!(missing.is_empty(), "no line for {missing:?}");
}

/// Mistakes (the empty line too), help and the version; `NAME --help` and
/// `NAME -h` of every command are added to these.
const NOT_PARSED: &str = "shwo d | show | show --jsn d | show d --batch
    | --color sometimes show d | diff | diff a b --context many | log --max-count
    | --store | | --quiet | show -V | --help | -h | help diff
    | --version | -V | --store s --version";

/// Every error, suggestion, help text and version is the whole tree's: the
/// same kind, the same words.
#[test]
fn what_is_not_parsed_gets_the_whole_trees_answer() {
    let per_command = names()
        .into_iter()
        .flat_map(|n| [n.clone() + " --help", n + " -h"]);
    let table: Vec<String> = lines(NOT_PARSED)
        .map(|w| w.join(" "))
        .chain(per_command)
        .collect();
    for l in &table {
        let args = line(&l.split_whitespace().collect::<Vec<_>>());
        let got = try_parse::<Cli>(args.clone(), top, one_command).expect_err(l);
        let want = Cli::try_parse_from(args).expect_err(l);
        assert_eq!(got.kind(), want.kind(), "{l}");
        assert_eq!(got.render().to_string(), want.render().to_string(), "{l}");
    }
}

/// What the whole tree answers: the suggestion, help that lists every
/// command and the global options, the version.
#[test]
fn the_whole_trees_answers_say_what_they_should() {
    let answer = |l: &str| Cli::try_parse_from(line(&l.split(' ').collect::<Vec<_>>()));
    let said = |l: &str, kind| {
        let e = answer(l).expect_err(l);
        assert_eq!(e.kind(), kind, "{l}");
        e.render().to_string()
    };
    assert!(said("shwo d", ErrorKind::InvalidSubcommand).contains("'show'"));
    let help = said("--help", ErrorKind::DisplayHelp);
    for name in names().iter().filter(|n| *n != "complete-docs") {
        assert!(help.contains(&format!("  {name} ")), "{name} missing");
        for h in ["--help", "-h"] {
            let l = format!("{name} {h}");
            assert!(
                said(&l, ErrorKind::DisplayHelp).contains("Global options"),
                "{l}"
            );
        }
    }
    let show = said("show --help", ErrorKind::DisplayHelp);
    assert!(
        show.contains("--batch") && show.contains("Examples:"),
        "{show}"
    );
    assert!(said("help diff", ErrorKind::DisplayHelp).contains("--ignore-markup"));
    let version = format!("vellum {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(said("--version", ErrorKind::DisplayVersion), version);
}
