use std::ffi::OsString;

use clap::CommandFactory;
use clap::error::ErrorKind;

use super::*;
use crate::cli::{Cli, one_command, top};

fn try_parse(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    super::try_parse(args, top, one_command)
}

fn fast(args: &[OsString]) -> Option<Result<Cli, clap::Error>> {
    super::fast(args, top, one_command)
}

fn line(words: &[&str]) -> Vec<OsString> {
    std::iter::once("vellum")
        .chain(words.iter().copied())
        .map(OsString::from)
        .collect()
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
/// after it (`|` between lines): each is parsed by the one-command parser,
/// to what the whole tree makes of it.
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

/// Mistakes (`|` between lines; the empty line too).
const MISTAKES: &str = "shwo d | show | show --jsn d | show d --batch
    | --color sometimes show d | diff | diff a b --context many | log --max-count
    | --store | | --quiet | show -V";

fn lines(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table.split('|').map(|l| l.split_whitespace().collect())
}

#[test]
fn representative_lines_parse_as_the_whole_tree_parses_them() {
    let mut seen = std::collections::BTreeSet::new();
    for words in lines(LINES) {
        let args = line(&words);
        let whole = Cli::try_parse_from(args.clone())
            .unwrap_or_else(|e| panic!("{words:?} is not a valid line: {e}"));
        let fast = match fast(&args) {
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

/// Errors come from the whole tree: the same message, the same suggestions.
#[test]
fn mistakes_get_the_whole_trees_errors() {
    for words in lines(MISTAKES) {
        let args = line(&words);
        let got = try_parse(args.clone()).expect_err("a mistake");
        let want = Cli::try_parse_from(args).expect_err("a mistake");
        assert_eq!(got.kind(), want.kind(), "{words:?}");
        assert_eq!(
            got.render().to_string(),
            want.render().to_string(),
            "{words:?}"
        );
    }
    let e = try_parse(line(&["shwo", "d"])).expect_err("no such command");
    assert_eq!(e.kind(), ErrorKind::InvalidSubcommand);
    assert!(e.render().to_string().contains("'show'"), "{}", e.render());
}

#[test]
fn help_is_the_whole_trees() {
    let e = try_parse(line(&["--help"])).expect_err("help");
    assert_eq!(e.kind(), ErrorKind::DisplayHelp);
    let help = e.render().to_string();
    for name in names().iter().filter(|n| *n != "complete-docs") {
        assert!(
            help.contains(&format!("  {name} ")),
            "{name} missing from\n{help}"
        );
    }
    for name in names() {
        for h in ["--help", "-h"] {
            let args = line(&[&name, h]);
            assert!(fast(&args).is_none(), "{name} {h}");
            let e = try_parse(args).expect_err("help");
            assert_eq!(e.kind(), ErrorKind::DisplayHelp, "{name} {h}");
            assert!(
                e.render().to_string().contains("Global options"),
                "{name} {h}"
            );
        }
    }
    let e = try_parse(line(&["show", "--help"])).expect_err("help");
    let help = e.render().to_string();
    assert!(
        help.contains("--batch") && help.contains("Examples:"),
        "{help}"
    );
    let e = try_parse(line(&["help", "diff"])).expect_err("help");
    assert_eq!(e.kind(), ErrorKind::DisplayHelp);
    assert!(e.render().to_string().contains("--ignore-markup"));
}

#[test]
fn the_version_is_the_whole_trees() {
    for words in [&["--version"][..], &["-V"], &["--store", "s", "--version"]] {
        let got = try_parse(line(words)).expect_err("the version");
        let want = Cli::try_parse_from(line(words)).expect_err("the version");
        assert_eq!(got.kind(), ErrorKind::DisplayVersion, "{words:?}");
        assert_eq!(got.render().to_string(), want.render().to_string());
    }
    assert_eq!(
        try_parse(line(&["--version"]))
            .unwrap_err()
            .render()
            .to_string(),
        format!("vellum {}\n", env!("CARGO_PKG_VERSION"))
    );
}
