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
