//! `vellum search`: phrases, prefixes, Arabic and CJK, one document, removed
//! text in older versions, ranking, and an index that catches up, is rebuilt
//! by `reindex` and recovers from damage.

mod common;

use std::path::{Path, PathBuf};

use common::{PAIR_DOC, add, copy_dir, sample_copy, stdout_of, vellum};
use predicates::prelude::*;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// The hits of `search ARGS --json`.
fn hits(store: &Path, args: &[&str]) -> Vec<Value> {
    stdout_of(vellum(store).arg("search").args(args).arg("--json"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn docs(h: &[Value]) -> Vec<&str> {
    h.iter().map(|v| v["doc"].as_str().unwrap()).collect()
}

/// The marked words of a hit's snippet.
fn marked(hit: &Value) -> Vec<String> {
    hit["snippet"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["kind"] == "match")
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

/// A store of a few documents, one capture each.
fn store_of(docs: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    for (i, (doc, text)) in docs.iter().enumerate() {
        let f = write(tmp.path(), &format!("{doc}.md"), text);
        add(&store, &f, doc, &format!("2020-01-{:02}T00:00:00Z", i + 1));
    }
    (tmp, store)
}

#[test]
fn phrases_need_their_words_in_order() {
    let (_t, store) = store_of(&[
        ("a", "The coalition is about to reach another deal.\n"),
        ("b", "Another coalition deal? Reach out to them.\n"),
    ]);
    let h = hits(&store, &["\"reach another deal\""]);
    assert_eq!(docs(&h), ["a"]);
    assert_eq!(marked(&h[0]), ["reach another deal"]);
    // The same words in any order, in one paragraph: both.
    let mut d = docs(&hits(&store, &["reach another deal"]))
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<_>>();
    d.sort();
    assert_eq!(d, ["a", "b"]);
}

#[test]
fn prefixes_match_word_starts_only() {
    let (_t, store) = store_of(&[
        ("a", "Army troops seized a tank.\n"),
        ("b", "A trooper stayed behind.\n"),
        ("c", "Nothing about the subject, a stroop test.\n"),
    ]);
    let h = hits(&store, &["troop*"]);
    let mut d = docs(&h);
    d.sort();
    assert_eq!(d, ["a", "b"]);
    assert!(
        hits(&store, &["troop"]).is_empty(),
        "a word is not a prefix"
    );
}

#[test]
fn arabic_matches_with_or_without_diacritics() {
    let (_t, store) = store_of(&[
        ("ar", "كَتَبَ الطالبُ الدرسَ في المدرسة.\n\nفقرة أخرى.\n"),
        ("en", "Plain English text.\n"),
    ]);
    for q in ["كتب", "كَتَبَ", "المدرسة", "\"الطالب الدرس\""] {
        let h = hits(&store, &[q]);
        assert_eq!(docs(&h), ["ar"], "query {q}");
    }
    let h = hits(&store, &["كتب"]);
    assert_eq!(marked(&h[0]), ["كَتَبَ"]);
    assert!(hits(&store, &["مكتبة"]).is_empty());
}

#[test]
fn cjk_text_is_found_by_two_or_three_characters() {
    let (_t, store) = store_of(&[
        ("zh", "东京都知事选举的结果已经公布。\n"),
        ("ja", "東京都の知事選挙は日曜日に行われた。\n"),
        ("ko", "서울시장 선거 결과가 발표되었다.\n"),
    ]);
    assert_eq!(sorted(docs(&hits(&store, &["知事"]))), ["ja", "zh"]);
    assert_eq!(docs(&hits(&store, &["选举"])), ["zh"]);
    assert_eq!(docs(&hits(&store, &["日曜日"])), ["ja"]);
    assert_eq!(docs(&hits(&store, &["시장"])), ["ko"]);
    assert!(hits(&store, &["大阪"]).is_empty());
    // Characters that are not adjacent do not match as one word.
    assert!(hits(&store, &["东知"]).is_empty());
    let h = hits(&store, &["选举"]);
    assert_eq!(marked(&h[0]), ["选举"]);
}

fn sorted(mut v: Vec<&str>) -> Vec<&str> {
    v.sort();
    v
}

#[test]
fn doc_limits_the_search_and_an_unknown_doc_is_exit_2() {
    let (_t, store) = store_of(&[
        ("alpha", "The ceasefire holds.\n"),
        ("beta", "The ceasefire collapsed.\n"),
    ]);
    assert_eq!(
        docs(&hits(&store, &["ceasefire", "--doc", "beta"])),
        ["beta"]
    );
    vellum(&store)
        .args(["search", "ceasefire", "--doc", "betta"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean beta?"));
    assert_eq!(hits(&store, &["ceasefire", "-n", "1"]).len(), 1);
}

#[test]
fn all_versions_finds_removed_text_with_its_versions_and_times() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let keep = "# Talks\n\nDelegations met in Geneva.\n\n";
    let texts = [
        format!("{keep}The ceasefire holds along the river.\n"),
        format!("{keep}The ceasefire holds along the river.\n\nA second paragraph.\n"),
        format!("{keep}Fighting resumed.\n"),
        format!("{keep}Fighting resumed. Talks are over.\n"),
    ];
    for (i, t) in texts.iter().enumerate() {
        let f = write(tmp.path(), &format!("v{i}.md"), t);
        add(&store, &f, "d", &format!("2020-01-0{}T00:00:00Z", i + 1));
    }
    assert!(
        hits(&store, &["ceasefire"]).is_empty(),
        "not in the current text"
    );
    vellum(&store)
        .args(["search", "ceasefire"])
        .assert()
        .success()
        .stderr(predicate::str::contains("--all-versions"));
    let h = hits(&store, &["ceasefire", "--all-versions"]);
    assert_eq!(h.len(), 1, "{h:?}");
    assert_eq!(h[0]["versions"], serde_json::json!([1, 2]));
    assert_eq!(h[0]["current"], false);
    assert_eq!(h[0]["addresses"], serde_json::json!(["d@1..2"]));
    assert_eq!(h[0]["first_seen"], "2020-01-01T00:00:00Z");
    assert_eq!(h[0]["last_seen"], "2020-01-02T00:00:00Z");
    assert_eq!(h[0]["removed_at"], "2020-01-03T00:00:00Z");
    // Kept text: every version and the current one.
    let h = hits(&store, &["geneva"]);
    assert_eq!(h[0]["addresses"], serde_json::json!(["d@1..4", "d"]));
    assert_eq!(h[0]["removed_at"], Value::Null);
    // The text shown says when it was removed.
    vellum(&store)
        .args(["search", "ceasefire", "--all-versions"])
        .assert()
        .success()
        .stdout(predicate::str::contains("d@1..2"))
        .stdout(predicate::str::contains("removed 2020-01-03T00:00:00Z"))
        .stdout(predicate::str::contains("[ceasefire]"));
}

#[test]
fn ranking_puts_the_denser_paragraph_first() {
    let (_t, store) = store_of(&[
        (
            "long",
            "The talks covered trade, borders, water rights, prisoners, the ceasefire, \
             refugees, reconstruction, elections, the constitution and the economy.\n",
        ),
        ("short", "Ceasefire: the ceasefire holds.\n"),
        ("none", "Nothing to see.\n"),
    ]);
    let h = hits(&store, &["ceasefire"]);
    assert_eq!(docs(&h), ["short", "long"]);
    assert!(h[0]["score"].as_f64().unwrap() > h[1]["score"].as_f64().unwrap());
}

#[test]
fn the_index_catches_up_after_add_and_after_writes_it_did_not_see() {
    let (tmp, store) = store_of(&[("a", "First text.\n")]);
    assert!(hits(&store, &["zanzibar"]).is_empty());
    let f = write(tmp.path(), "b.md", "A note from Zanzibar.\n");
    add(&store, &f, "b", "2020-02-01T00:00:00Z");
    assert_eq!(docs(&hits(&store, &["zanzibar"])), ["b"]);
    // A write by the library alone (no CLI refresh): search catches up.
    {
        use vellum::store::{Archive, NewCapture};
        let archive = Archive::open(&store).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(NewCapture::plain_text(
            "c".parse().unwrap(),
            time::macros::datetime!(2020-03-01 00:00 UTC),
            "Zanzibar again, in a third document.\n",
        ))
        .unwrap();
        w.prepare().unwrap();
        w.commit().unwrap();
    }
    let archive = vellum::store::Archive::open(&store).unwrap();
    let q = vellum::search::SearchQuery {
        text: "zanzibar".into(),
        doc: None,
        all_versions: false,
        limit: 10,
    };
    let found = vellum::search::search(&archive, &q).unwrap();
    let mut d: Vec<&str> = found.iter().map(|h| h.doc.as_str()).collect();
    d.sort();
    assert_eq!(d, ["b", "c"]);
    let stats = vellum::search::stats(&archive).unwrap();
    assert_eq!((stats.texts, stats.documents, stats.captures), (3, 3, 3));
}

#[test]
fn reindex_rebuilds_the_index_and_damage_is_repaired() {
    let (_t, store) = sample_copy();
    let before = hits(&store, &["troops", "--all-versions"]);
    assert!(!before.is_empty());
    let index = store.join("search.sqlite");
    assert!(index.exists());
    vellum(&store)
        .arg("reindex")
        .assert()
        .success()
        .stderr(predicate::str::contains("rebuilt the search index"));
    assert_eq!(hits(&store, &["troops", "--all-versions"]), before);
    // Damaged: garbage over the file.
    std::fs::write(&index, vec![0x5a; 8192]).unwrap();
    vellum(&store)
        .args(["search", "troops", "--all-versions", "--json"])
        .assert()
        .success()
        .stderr(predicate::str::contains("deleted and rebuilt"));
    assert_eq!(hits(&store, &["troops", "--all-versions"]), before);
    // Truncated in the middle of its pages.
    let bytes = std::fs::read(&index).unwrap();
    std::fs::write(&index, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(hits(&store, &["troops", "--all-versions"]), before);
    // Of an older schema: rebuilt as well.
    let conn = rusqlite::Connection::open(&index).unwrap();
    conn.execute("UPDATE meta SET value = 0 WHERE key = 'schema'", [])
        .unwrap();
    drop(conn);
    vellum(&store)
        .args(["search", "troops"])
        .assert()
        .success()
        .stderr(predicate::str::contains("schema 0 is not this vellum's"));
}

#[test]
fn json_has_the_documented_shape() {
    let (_t, store) = sample_copy();
    let h = hits(&store, &["coalition"]);
    assert!(!h.is_empty());
    for hit in &h {
        let keys: Vec<&str> = hit
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "addresses",
                "current",
                "doc",
                "first_seen",
                "last_seen",
                "removed_at",
                "score",
                "snippet",
                "versions"
            ]
        );
        assert!(!marked(hit).is_empty(), "{hit}");
        assert!(hit["addresses"].as_array().unwrap().iter().all(|a| {
            a.as_str()
                .unwrap()
                .starts_with(hit["doc"].as_str().unwrap())
        }));
    }
    assert!(docs(&h).contains(&PAIR_DOC));
    let s: Value = serde_json::from_str(&stdout_of(
        vellum(&store).args(["search", "--stats", "--json"]),
    ))
    .unwrap();
    for k in [
        "index_bytes",
        "text_bytes",
        "paragraphs",
        "texts",
        "documents",
        "ratio",
    ] {
        assert!(s[k].is_number(), "{k}: {s}");
    }
}

#[test]
fn query_syntax_errors_exit_2_with_advice_and_touch_nothing() {
    let (_t, store) = sample_copy();
    for (q, msg) in [
        ("\"open phrase", "never closed"),
        ("*", "ends no word"),
        ("fo*o", "only a prefix"),
        ("...", "no words"),
        ("", "empty"),
    ] {
        vellum(&store)
            .args(["search", q])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(msg))
            .stderr(predicate::str::contains("examples: vellum search"));
    }
    assert!(!store.join("search.sqlite").exists());
}

#[test]
fn hostile_text_is_shown_inert() {
    let (_t, store) = store_of(&[(
        "evil",
        "Breaking \u{1b}[31mred\u{1b}[0m news \u{202e}reversed\u{202c} here.\n",
    )]);
    vellum(&store)
        .args(["search", "news"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\u{1b}").not())
        .stdout(predicate::str::contains("\u{202e}").not())
        .stdout(predicate::str::contains("⟨U+001B⟩"))
        .stdout(predicate::str::contains("[news]"));
}

#[test]
fn a_store_of_the_previous_format_is_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("old");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-format1"),
        &store,
    );
    let h = hits(&store, &["raqqah"]);
    assert!(docs(&h).contains(&"raqqah-negotiations"), "{h:?}");
}

#[test]
fn an_index_that_cannot_be_written_is_built_in_memory() {
    // (Tests run as root, for whom permissions do not stop writes: a
    // directory where the file should be cannot be opened either.)
    let (_t, store) = sample_copy();
    std::fs::create_dir(store.join("search.sqlite")).unwrap();
    let out = vellum(&store)
        .args(["search", "troops", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("built in memory"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(store.join("search.sqlite").is_dir());
    let archive = vellum::store::Archive::open(&store).unwrap();
    let index = vellum::search::Index::in_memory(&archive, "test".into(), &mut |_, _| {}).unwrap();
    assert!(index.path.is_none());
    assert_eq!(index.stats().unwrap().texts, 5);
}

#[test]
fn an_index_of_a_larger_archive_is_started_over() {
    let (_a, big) = store_of(&[("a", "Zanzibar one.\n"), ("b", "Zanzibar two.\n")]);
    let (_b, small) = store_of(&[("c", "Nothing here about islands.\n")]);
    assert_eq!(hits(&big, &["zanzibar"]).len(), 2);
    std::fs::copy(big.join("search.sqlite"), small.join("search.sqlite")).unwrap();
    assert!(hits(&small, &["zanzibar"]).is_empty());
    assert_eq!(docs(&hits(&small, &["islands"])), ["c"]);
}

/// `add` extends the index with only what it archived (looking texts and
/// paragraphs up rather than loading them all): an index grown one add at a
/// time answers exactly as one rebuilt from the whole archive, whatever the
/// mix of new documents, new versions, a revert, a text shared by two
/// documents and a paragraph shared by several texts.
#[test]
fn an_index_grown_add_by_add_answers_as_a_rebuilt_one() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let shared = "A shared paragraph about the harbour and its cranes.";
    let steps: [(&str, String); 7] = [
        ("a", format!("Alpha text on the harbour.\n\n{shared}\n")),
        ("b", "Beta notes on cranes and ships.\n".to_owned()),
        (
            "a",
            format!("Alpha text on the harbour, revised.\n\n{shared}\n"),
        ),
        ("c", format!("Gamma: cranes again.\n\n{shared}\n")),
        ("a", format!("Alpha text on the harbour.\n\n{shared}\n")),
        ("d", "Beta notes on cranes and ships.\n".to_owned()),
        (
            "b",
            "Beta notes, second version: no more ships.\n".to_owned(),
        ),
    ];
    let queries: [&[&str]; 5] = [
        &["harbour", "--all-versions"],
        &["cranes", "--all-versions"],
        &["ships", "--all-versions"],
        &["\"shared paragraph\""],
        &["revised", "--all-versions"],
    ];
    let answers =
        |store: &Path| -> Vec<Vec<Value>> { queries.iter().map(|q| hits(store, q)).collect() };
    for (i, (doc, text)) in steps.iter().enumerate() {
        let f = write(tmp.path(), &format!("step{i}.md"), text);
        add(&store, &f, doc, &format!("2020-01-{:02}T00:00:00Z", i + 1));
    }
    let grown = answers(&store);
    assert!(grown.iter().all(|h| !h.is_empty()), "{grown:?}");
    let stats = vellum::search::stats(&vellum::store::Archive::open(&store).unwrap()).unwrap();
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(answers(&store), grown);
    let rebuilt = vellum::search::stats(&vellum::store::Archive::open(&store).unwrap()).unwrap();
    assert_eq!(
        (
            stats.texts,
            stats.documents,
            stats.captures,
            stats.paragraphs
        ),
        (
            rebuilt.texts,
            rebuilt.documents,
            rebuilt.captures,
            rebuilt.paragraphs
        )
    );
    assert_eq!((stats.texts, stats.documents, stats.captures), (5, 4, 7));
}

/// Indexing deferred past the acknowledgement (a writer killed after it
/// acknowledged, or an index file from before the last write): the first
/// search finds the index behind, catches it up from its mark and keeps
/// it, so an add followed by a search always finds the text.
#[test]
fn an_add_followed_by_a_search_finds_the_text_when_indexing_was_deferred() {
    let (t, store) = store_of(&[("a", "An early text about harbours.\n")]);
    let index = store.join("search.sqlite");
    assert_eq!(docs(&hits(&store, &["harbours"])), ["a"]);
    let before = t.path().join("search-before.sqlite");
    std::fs::copy(&index, &before).unwrap();
    let f = write(t.path(), "b.md", "A later text about lighthouses.\n");
    add(&store, &f, "b", "2020-02-01T00:00:00Z");
    // The index as it was before the add: one write behind.
    std::fs::copy(&before, &index).unwrap();
    let seen = |index: &Path| -> i64 {
        rusqlite::Connection::open(index)
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = 'captures'", [], |r| {
                r.get(0)
            })
            .unwrap()
    };
    assert_eq!(seen(&index), 1);
    assert_eq!(docs(&hits(&store, &["lighthouses"])), ["b"]);
    assert_eq!(docs(&hits(&store, &["harbours"])), ["a"]);
    assert_eq!(seen(&index), 2, "the search kept what it indexed");
    // No index at all: the same.
    std::fs::remove_file(&index).unwrap();
    assert_eq!(docs(&hits(&store, &["lighthouses"])), ["b"]);
}

/// A long text is searchable to its end: every paragraph is indexed, not
/// only the first 20,000.
#[test]
fn the_last_paragraph_of_a_long_text_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let mut text = String::new();
    for i in 0..30_000 {
        text.push_str(&format!("Paragraph number {i} of a long text.\n\n"));
    }
    text.push_str("The closing paragraph mentions zanzibar.\n");
    let f = write(tmp.path(), "long.md", &text);
    add(&store, &f, "long", "2020-01-01T00:00:00Z");
    assert_eq!(docs(&hits(&store, &["zanzibar"])), ["long"]);
}

/// `vellum add` killed with SIGKILL right after it acknowledged (while the
/// derived indexes catch up, for a text this size): nothing acknowledged is
/// lost, the store verifies, a search finds the text, and the next writer
/// catches every index up from its mark.
#[test]
fn a_writer_killed_after_its_acknowledgement_loses_nothing() {
    use std::io::BufRead;
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let first = write(tmp.path(), "first.md", "A first text about tides.\n");
    add(&store, &first, "first", "2020-01-01T00:00:00Z");
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!(
            "Paragraph {i} tells of the {} fleet and its {} sails.\n\n",
            i * 7919 % 10007,
            i * 104_729 % 1009
        ));
    }
    text.push_str("Its last words are about quarantine.\n");
    let big = write(tmp.path(), "big.md", &text);
    let mut child = common::vellum_process(&store)
        .args(["add", "--doc", "big", "--at", "2020-01-02T00:00:00Z"])
        .arg(&big)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut ack = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ack)
        .unwrap();
    child.kill().unwrap(); // SIGKILL, as soon as the acknowledgement is read
    child.wait().unwrap();
    assert!(ack.starts_with("big@1 "), "acknowledged: {ack:?}");
    vellum(&store).arg("verify").assert().success();
    assert_eq!(docs(&hits(&store, &["quarantine"])), ["big"]);
    assert_eq!(docs(&hits(&store, &["tides"])), ["first"]);
    // The next writer brings the indexes it keeps up to date from their
    // marks (read straight from the index files); the next search, its own.
    let third = write(tmp.path(), "third.md", "A third text about reefs.\n");
    add(&store, &third, "third", "2020-01-03T00:00:00Z");
    let mark = |file: &str, key: &str| -> i64 {
        rusqlite::Connection::open(store.join(file))
            .unwrap()
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(mark("similar.sqlite", "mark"), 3);
    assert_eq!(mark("significance.sqlite", "log"), 3);
    assert_eq!(docs(&hits(&store, &["reefs"])), ["third"]);
    assert_eq!(mark("search.sqlite", "captures"), 3);
}
