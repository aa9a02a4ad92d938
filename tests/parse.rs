//! The one-command parser (`src/cli/parse.rs`, issue #29) against the whole
//! clap tree, through the binary: `VELLUM_PARSE=fast` parses a line with the
//! one-command parser only, `VELLUM_PARSE=full` with the whole tree only,
//! `VELLUM_PARSE=plain` with the plain parser of `show` and `diff` only, and
//! each prints what it parsed without running it.

use std::process::{Command, Stdio};

use proptest::prelude::*;

/// What `vellum LINE` did: exit code, stdout, stderr. `parse` is
/// `VELLUM_PARSE`'s value (`None`: the binary as people run it).
fn run(parse: Option<&str>, line: &str) -> (i32, String, String) {
    run_words(parse, &line.split_whitespace().collect::<Vec<_>>())
}

/// [`run`] of words as they are (an empty one too).
fn run_words(parse: Option<&str>, words: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_vellum"));
    cmd.args(words)
        .env_remove("VELLUM_STORE")
        .env_remove("VELLUM_PARSE")
        .env("NO_COLOR", "1")
        // No store is found there, should a line be run after all.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .stdin(Stdio::null());
    if let Some(p) = parse {
        cmd.env("VELLUM_PARSE", p);
    }
    let out = cmd.output().expect("vellum runs");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("UTF-8 output");
    let code = out.status.code().expect("exit code");
    (code, text(out.stdout), text(out.stderr))
}

/// The lines of a table (`|` between lines).
fn lines(table: &str) -> impl Iterator<Item = String> {
    table
        .split('|')
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The commands `vellum help` lists (but `help` itself), and the hidden one.
fn names() -> Vec<String> {
    let (code, help, _) = run(None, "help");
    assert_eq!(code, 0);
    let listed = help.split("Commands:\n").nth(1).expect("a command list");
    let mut names: Vec<String> = listed
        .lines()
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|n| *n != "help")
        .map(str::to_owned)
        .collect();
    names.push("complete-docs".to_owned());
    names
}

#[test]
fn every_command_has_a_one_command_parser_and_no_other() {
    let names = names();
    assert!(names.len() >= 29, "{names:?}");
    // Each line of LINES is parsed by the one-command parser (below), which
    // in this debug build also runs clap's consistency checks of its tree;
    // here what has no one-command parser.
    for word in ["shwo", "help", "complete-doc"] {
        let (code, out, err) = run(Some("fast"), word);
        assert_eq!((code, out.as_str()), (3, ""), "{word}: {err}");
    }
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
    let names = names();
    let mut seen = std::collections::BTreeSet::new();
    for line in lines(LINES) {
        let whole = run(Some("full"), &line);
        assert_eq!((whole.0, whole.2.as_str()), (0, ""), "{line} is not valid");
        let fast = run(Some("fast"), &line);
        assert_eq!(fast.0, 0, "{line} went to the whole tree: {}", fast.2);
        assert!(whole.1.starts_with("Cli {"), "{line}: {}", whole.1);
        assert_eq!(fast, whole, "{line}");
        let word = line.split(' ').find(|w| names.iter().any(|n| n == w));
        seen.insert(word.expect("a command").to_owned());
    }
    let missing: Vec<_> = names.iter().filter(|n| !seen.contains(*n)).collect();
    assert!(missing.is_empty(), "no line for {missing:?}");
}

/// The plain parser (`show` and `diff` without clap): every line of LINES
/// it takes is what the whole tree makes of it, and it takes the plainest.
#[test]
fn the_plain_parser_takes_what_the_whole_tree_takes_alike() {
    let mut taken = 0;
    for line in lines(LINES) {
        let plain = run(Some("plain"), &line);
        if plain.0 == 3 {
            assert!(
                !line.contains("show d@1") && line != "diff a.md b.md",
                "{line}"
            );
            continue;
        }
        assert_eq!(plain, run(Some("full"), &line), "{line}");
        taken += 1;
    }
    assert!(taken >= 5, "{taken} lines taken");
}

/// Mistakes (the empty line too), help and the version; `NAME --help` and
/// `NAME -h` of every command are added to these.
const NOT_PARSED: &str = "shwo d | show | show --jsn d | show d --batch
    | --color sometimes show d | diff | diff a b --context many | log --max-count
    | --store | | --quiet | show -V | --help | -h | help diff
    | --version | -V | --store s --version";

/// Every error, suggestion, help text and version is the whole tree's: the
/// same exit code, the same words on the same stream.
#[test]
fn what_is_not_parsed_gets_the_whole_trees_answer() {
    let per_command = names()
        .into_iter()
        .flat_map(|n| [n.clone() + " --help", n + " -h"]);
    for line in lines(NOT_PARSED).chain(per_command) {
        let got = run(None, &line);
        assert!(!got.1.starts_with("Cli {"), "{line} was parsed: {}", got.1);
        assert_eq!(got, run(Some("full"), &line), "{line}");
    }
}

/// What the whole tree answers: the suggestion, help that lists every
/// command and the global options, the version.
#[test]
fn the_whole_trees_answers_say_what_they_should() {
    let said = |line: &str, code| {
        let (c, out, err) = run(Some("full"), line);
        assert_eq!(c, code, "{line}: {err}");
        if code == 0 { out } else { err }
    };
    assert!(said("shwo d", 2).contains("'show'"));
    let help = said("--help", 0);
    for name in names().iter().filter(|n| *n != "complete-docs") {
        assert!(help.contains(&format!("  {name} ")), "{name} missing");
        for h in ["--help", "-h"] {
            let line = format!("{name} {h}");
            assert!(said(&line, 0).contains("Global options"), "{line}");
        }
    }
    let show = said("show --help", 0);
    assert!(
        show.contains("--batch") && show.contains("Examples:"),
        "{show}"
    );
    assert!(said("help diff", 0).contains("--ignore-markup"));
    let version = format!("vellum {}\n", env!("CARGO_PKG_VERSION"));
    assert_eq!(said("--version", 0), version);
}

/// The plain parser against the whole tree on lines of every kind: the
/// plainest lines scripts run are taken, to what clap makes of them.
#[test]
fn the_lines_scripts_run_are_taken_as_clap_takes_them() {
    for line in lines(
        "show d@1 | show https://example.org/a@2 --json | --store s show d@-1 --raw
        | show d --meta --json -q | --color never diff a.md b.md
        | diff d@1 d --stat --ignore-markup --color=always
        | diff - d@2 --json --full --ignore-case --ignore-whitespace --ignore-typography
        | --palette colorblind --no-pager diff d --ignore-boilerplate
        | --store=s --palette=blue-orange show d",
    ) {
        let plain = run(Some("plain"), &line);
        assert_eq!(plain.0, 0, "{line} was left to clap: {}", plain.2);
        assert_eq!(plain, run(Some("full"), &line), "{line}");
    }
}

/// Mistakes, help, conflicts, other commands: left to clap (`''` is an
/// empty word).
#[test]
fn mistakes_help_and_other_commands_are_left_to_clap() {
    for line in lines(
        "show | show a b | show d --raw --meta | show d --raw --json | show d --batch
        | show --help d | show d -h | diff | diff a b c | diff a b --json --stat
        | diff a b --format json | diff a b --context=3 | diff a b --jsn
        | diff a b --stat --stat | --color sometimes show d | --color show d | -q -q show d
        | show -- d | show -x | show '' | log d | --version | -V show d",
    ) {
        let words: Vec<&str> = (line.split(' '))
            .map(|w| if w == "''" { "" } else { w })
            .collect();
        let plain = run_words(Some("plain"), &words);
        assert_eq!(plain.0, 3, "{line} was taken: {}", plain.1);
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
    // Two processes a case (about 10 ms in a debug build).
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whatever line the plain parser takes, clap parses to the same thing.
    #[test]
    fn what_the_plain_parser_takes_clap_parses_the_same(
        before in proptest::collection::vec(proptest::sample::select(GLOBALS), 0..3),
        command in proptest::sample::select(&["show", "diff", "log", "--json", "-"][..]),
        after in proptest::collection::vec(proptest::sample::select(TAIL), 0..6),
    ) {
        let mut words = before;
        words.push(command);
        words.extend(after);
        let plain = run_words(Some("plain"), &words);
        if plain.0 != 3 {
            prop_assert_eq!(plain, run_words(Some("full"), &words), "{:?}", words);
        }
    }
}
