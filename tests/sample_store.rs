//! The bundled store/ is a compatibility fixture: a copy of it must still
//! open, verify, show byte-exact and diff as expected.

mod common;

use common::*;
use predicates::prelude::*;

#[test]
fn sample_store_verifies() {
    let (_tmp, store) = sample_copy();
    vellum(&store)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("5 capture(s) verified"));
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(vellum(&store).args(["verify", "--json"]))).unwrap();
    assert_eq!(json["ok"], true);
    assert_eq!(json["problems"].as_array().unwrap().len(), 0);
}

#[test]
fn sample_store_shows_both_captures_byte_exact() {
    let (_tmp, store) = sample_copy();
    for (addr, file) in [
        ("us-coalition-isis-deal@1", "blog-repost-2019-02-12.txt"),
        ("us-coalition-isis-deal@2", "globalresearch-2019-02-12.md"),
        ("us-coalition-isis-deal", "globalresearch-2019-02-12.md"),
        ("raqqah-negotiations", "globalresearch-2017-10-12.md"),
        ("deir-ezzor-clashes", "globalresearch-2018-11-24.md"),
        ("france-evacuation-deal", "zamanalwasl-france-deal.txt"),
    ] {
        let out = vellum(&store).args(["show", addr]).output().unwrap();
        assert!(out.status.success(), "{addr}");
        assert_eq!(out.stdout, std::fs::read(fixture(file)).unwrap(), "{addr}");
    }
    let log = stdout_of(vellum(&store).args(["log", "--json"]));
    assert_eq!(log.lines().count(), 4, "{log}");
}

#[test]
fn sample_diff_shows_the_added_paragraphs_and_the_fixes() {
    let (_tmp, store) = sample_copy();
    let out = vellum(&store).args(["diff", PAIR_DOC]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "differences exit 1");
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains('\x1b'), "NO_COLOR: no escape codes");
    assert!(text.contains("[-outskirt-]{+outskirts+}"), "{text}");
    assert!(text.contains("[-troop-]{+troops+}"), "{text}");
    assert!(
        text.contains("{+A new wave of protests"),
        "added paragraph shown: {text}"
    );

    // Forced color: red deletions, green insertions.
    let out = vellum(&store)
        .args(["--color", "always", "diff", PAIR_DOC])
        .output()
        .unwrap();
    let colored = String::from_utf8(out.stdout).unwrap();
    assert!(colored.contains("\x1b[31m") && colored.contains("\x1b[32m"));

    // The JSON ops rebuild both captures exactly.
    let json: serde_json::Value = serde_json::from_str(&stdout_of(vellum(&store).args([
        "diff",
        "--format",
        "json",
        &format!("{PAIR_DOC}@1"),
        &format!("{PAIR_DOC}@2"),
    ])))
    .unwrap();
    let ops = json["ops"].as_array().unwrap();
    let rebuild = |skip: &str| -> String {
        ops.iter()
            .filter(|o| o["op"] != skip)
            .map(|o| o["text"].as_str().unwrap())
            .collect()
    };
    assert_eq!(
        rebuild("insert").as_bytes(),
        std::fs::read(fixture("blog-repost-2019-02-12.txt")).unwrap()
    );
    assert_eq!(
        rebuild("delete").as_bytes(),
        std::fs::read(fixture("globalresearch-2019-02-12.md")).unwrap()
    );
    assert_eq!(json["old"]["label"], format!("{PAIR_DOC}@1"));
    assert_eq!(json["new"]["label"], format!("{PAIR_DOC}@2"));
    assert_eq!(json["old"]["id"].as_str().unwrap().len(), 64);
    let stats = &json["stats"];
    for key in [
        "words_old",
        "words_new",
        "words_added",
        "words_removed",
        "words_unchanged",
    ] {
        assert!(stats[key].is_u64(), "{key}");
    }
    assert!(stats["words_added"].as_u64().unwrap() > 300);

    // A version against itself, and a file against its own archived copy: no differences.
    vellum(&store)
        .args(["diff", PAIR_DOC, &format!("{PAIR_DOC}@2")])
        .assert()
        .code(0);
    vellum(&store)
        .args(["diff", &format!("{PAIR_DOC}@1")])
        .arg(fixture("blog-repost-2019-02-12.txt"))
        .assert()
        .code(0);
}

#[test]
fn sample_diff_kinds_and_ignore_flags() {
    let (tmp, store) = sample_copy();
    let stat = stdout_of(vellum(&store).args(["diff", "--stat", PAIR_DOC]));
    assert!(stat.contains("2 inflections"), "{stat}");
    assert!(stat.contains("1 typography change"), "{stat}");
    assert!(stat.contains("markup change"), "{stat}");
    let stat = stdout_of(vellum(&store).args([
        "diff",
        "--stat",
        "--ignore-typography",
        "--ignore-markup",
        PAIR_DOC,
    ]));
    assert!(stat.contains("2 inflections"), "{stat}");
    assert!(
        !stat.contains("typography") && !stat.contains("markup"),
        "{stat}"
    );

    // The bar: under both flags, the two inflections and whole
    // paragraphs added or removed are the only visible changes left (the
    // blog title's " – Global Research" is a title suffix, site chrome).
    let json: serde_json::Value = serde_json::from_str(&stdout_of(vellum(&store).args([
        "diff",
        "--format",
        "json",
        "--ignore-typography",
        "--ignore-markup",
        PAIR_DOC,
    ])))
    .unwrap();
    let visible: Vec<(&str, &str)> = json["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["op"] != "equal" && o["ignored"] != true)
        .map(|o| (o["kind"].as_str().unwrap(), o["text"].as_str().unwrap()))
        .collect();
    let inflections: Vec<&str> = visible
        .iter()
        .filter(|(k, _)| *k == "inflection")
        .map(|(_, t)| *t)
        .collect();
    assert_eq!(inflections, ["outskirt", "outskirts", "troop", "troops"]);
    for (kind, text) in &visible {
        assert!(
            matches!(
                *kind,
                "inflection" | "paragraph-added" | "paragraph-removed"
            ),
            "{kind}: {text:?}"
        );
    }
    let default = stdout_of(vellum(&store).args(["diff", "--stat", PAIR_DOC]));
    assert!(default.contains("1 title suffix"), "{default}");

    // A copy that differs only in typography and markup: no differences once ignored.
    let original = std::fs::read_to_string(fixture("blog-repost-2019-02-12.txt")).unwrap();
    let restyled = original
        .replace('’', "'")
        .replacen("Last week", "*Last week*", 1);
    let copy = tmp.path().join("restyled.txt");
    std::fs::write(&copy, restyled).unwrap();
    let old = format!("{PAIR_DOC}@1");
    vellum(&store)
        .args(["diff", &old])
        .arg(&copy)
        .assert()
        .code(1);
    vellum(&store)
        .args(["diff", "--ignore-typography", "--ignore-markup", &old])
        .arg(&copy)
        .assert()
        .code(0)
        .stdout("");

    // Every format renders, and HTML escapes the documents.
    for format in ["side-by-side", "html", "json", "inline"] {
        vellum(&store)
            .args(["diff", "--format", format, PAIR_DOC])
            .assert()
            .code(1);
    }
    let (a, b) = (tmp.path().join("a.md"), tmp.path().join("b.md"));
    std::fs::write(&a, "Copyright <u>South Front</u> & \"friends\"\n").unwrap();
    std::fs::write(
        &b,
        "Copyright <u>South Front</u>\n\n<script>alert('x')</script>\n",
    )
    .unwrap();
    let out = vellum(&store)
        .args(["diff", "--format", "html"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(
        html.to_ascii_lowercase().starts_with("<!doctype html>"),
        "{html}"
    );
    assert!(!html.contains("<script") && !html.contains("<u>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;") && html.contains("&lt;u&gt;") && html.contains("&amp;"),
        "{html}"
    );
}

#[test]
fn show_batch_prints_each_version_with_a_header() {
    let (_tmp, store) = sample_copy();
    let out = vellum(&store)
        .args(["show", "--batch"])
        .write_stdin(format!("{PAIR_DOC}@1\n\nno-such-doc\n{PAIR_DOC}@2\n"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let blog = std::fs::read(fixture("blog-repost-2019-02-12.txt")).unwrap();
    let gr = std::fs::read(fixture("globalresearch-2019-02-12.md")).unwrap();
    let text = out.stdout;
    let first_nl = text.iter().position(|&b| b == b'\n').unwrap();
    let header = String::from_utf8(text[..first_nl].to_vec()).unwrap();
    let parts: Vec<&str> = header.split(' ').collect();
    assert_eq!(parts.len(), 3, "{header}");
    assert_eq!(parts[0].len(), 64);
    assert_eq!(parts[1], format!("{PAIR_DOC}@1"));
    assert_eq!(parts[2], blog.len().to_string());
    let body_end = first_nl + 1 + blog.len();
    assert_eq!(&text[first_nl + 1..body_end], &blog[..]);
    let rest = String::from_utf8_lossy(&text[body_end + 1..]).into_owned();
    assert!(rest.starts_with("no-such-doc missing: "), "{rest}");
    assert!(text.ends_with(&[&gr[..], b"\n"].concat()));
}

/// `show --batch` reads several addresses under one catalog view, but lets
/// it go while it waits for input: a writer is never kept out by a batch
/// reader idling on its standard input, and the reader's next address sees
/// what the writer committed.
#[test]
fn show_batch_waiting_for_input_keeps_no_writer_out() {
    use std::io::Write;
    use std::time::{Duration, Instant};

    let (tmp, store) = sample_copy();
    // The bundled store's catalog is an older schema's, which a reader
    // rebuilds in memory and never sees change: this is about a current one.
    vellum(&store).arg("reindex").assert().success();
    let (mut reader, mut input, answers) = spawn_show_batch(&store);
    // The address each answer is for (its header: id, address, size) and
    // its text.
    let answer = |input: &mut std::process::ChildStdin| {
        writeln!(input, "{PAIR_DOC}\n{PAIR_DOC}@1").unwrap();
        input.flush().unwrap();
        [(); 2].map(|()| {
            let (header, text) = answers
                .recv_timeout(Duration::from_secs(60))
                .expect("show --batch answers within a minute");
            (header.split(' ').nth(1).unwrap().to_owned(), text)
        })
    };
    let before = answer(&mut input);
    assert_eq!(before[0].0, format!("{PAIR_DOC}@2"));

    // The reader is now blocked on its input; a write must go through.
    let new = tmp.path().join("new.txt");
    std::fs::write(
        &new,
        "A third version, archived while a batch reader waits.\n",
    )
    .unwrap();
    let started = Instant::now();
    add(&store, &new, PAIR_DOC, "2025-01-01T00:00:00Z");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "add waited {:?} behind an idle batch reader",
        started.elapsed()
    );

    let after = answer(&mut input);
    assert_eq!(after[0].0, format!("{PAIR_DOC}@3"));
    assert_eq!(after[0].1, std::fs::read_to_string(&new).unwrap());
    assert_eq!(after[1], before[1]);
    drop(input);
    assert!(reader.wait().unwrap().success());
}
