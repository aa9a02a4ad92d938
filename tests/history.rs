//! History exactly as the pages were seen: reverts are versions, sightings are
//! listed, same-instant captures keep their archiving order through
//! `reindex`, out-of-order imports renumber, and a store written by an older
//! vellum still reads (and upgrades on its first write).

mod common;

use std::path::Path;

use common::{add, copy_dir, listing, stdout_of, vellum};
use predicates::prelude::*;
use serde_json::Value;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// `(version, same_as)` of each row of `log DOC --json`.
fn versions(store: &Path, doc: &str) -> Vec<(u64, Option<u64>)> {
    json_lines(&stdout_of(vellum(store).args(["log", doc, "--json"])))
        .iter()
        .map(|v| (v["version"].as_u64().unwrap(), v["same_as"].as_u64()))
        .collect()
}

fn show(store: &Path, addr: &str) -> String {
    let out = vellum(store).args(["show", addr]).output().unwrap();
    assert!(
        out.status.success(),
        "show {addr}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A store with texts A, B, A captured at t1 < t2 < t3.
fn abc_store() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = write(tmp.path(), "a.txt", "The ceasefire holds.\n");
    let b = write(tmp.path(), "b.txt", "The ceasefire collapsed.\n");
    add(&store, &a, "d", "2020-01-01T00:00:00Z");
    add(&store, &b, "d", "2020-01-02T00:00:00Z");
    add(&store, &a, "d", "2020-01-03T00:00:00Z");
    (tmp, store)
}

#[test]
fn a_revert_is_a_new_version_with_the_old_text() {
    let (_tmp, store) = abc_store();
    assert_eq!(versions(&store, "d"), [(1, None), (2, None), (3, Some(1))]);
    assert_eq!(show(&store, "d"), "The ceasefire holds.\n");
    assert_eq!(show(&store, "d@3"), show(&store, "d@1"));
    assert_eq!(show(&store, "d@-1"), "The ceasefire collapsed.\n");
    let table = stdout_of(vellum(&store).args(["log", "d"]));
    assert!(
        table
            .lines()
            .nth(3)
            .is_some_and(|l| l.starts_with("@3") && l.ends_with("= @1")),
        "{table}"
    );
    // Stored once: version 3 is the same object as version 1.
    let meta = |addr: &str| -> Value {
        serde_json::from_str(&stdout_of(vellum(&store).args(["show", addr, "--meta"]))).unwrap()
    };
    assert_eq!(meta("d@3")["content"], meta("d@1")["content"]);
    assert_ne!(meta("d@3")["capture"], meta("d@1")["capture"]);
    // diff DOC compares the revert with the version before it.
    vellum(&store)
        .args(["diff", "d"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("d@2").and(predicate::str::contains("d@3")));
    vellum(&store).arg("verify").assert().success();
}

#[test]
fn every_sighting_is_listed_with_the_version_it_saw() {
    let (tmp, store) = abc_store();
    let a = tmp.path().join("a.txt");
    add(&store, &a, "d", "2020-01-04T00:00:00Z");
    let rows = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "d",
        "--captures",
        "--json",
    ])));
    let seen: Vec<(String, u64)> = rows
        .iter()
        .map(|r| {
            (
                r["captured_at"].as_str().unwrap().to_owned(),
                r["version"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("2020-01-01T00:00:00Z".to_owned(), 1),
            ("2020-01-02T00:00:00Z".to_owned(), 2),
            ("2020-01-03T00:00:00Z".to_owned(), 3),
            ("2020-01-04T00:00:00Z".to_owned(), 3),
        ]
    );
    let table = stdout_of(vellum(&store).args(["log", "d", "--captures"]));
    assert_eq!(table.lines().count(), 5, "{table}");
}

#[test]
fn an_older_capture_imported_later_renumbers_and_keeps_capture_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = write(tmp.path(), "a.txt", "First text.\n");
    let b = write(tmp.path(), "b.txt", "Second text.\n");
    add(&store, &a, "d", "2020-01-01T00:00:00Z");
    add(&store, &a, "d", "2020-01-03T00:00:00Z");
    let before = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "d",
        "--captures",
        "--json",
    ])));
    assert_eq!(versions(&store, "d"), [(1, None)]);
    // B was on the page between the two sightings of A.
    let line = add(&store, &b, "d", "2020-01-02T00:00:00Z");
    assert!(line.starts_with("d@2 "), "{line}");
    assert_eq!(versions(&store, "d"), [(1, None), (2, None), (3, Some(1))]);
    assert_eq!(show(&store, "d"), "First text.\n");
    let after = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "d",
        "--captures",
        "--json",
    ])));
    // The capture ids did not change; the second sighting of A is now @3.
    assert_eq!(after[0]["capture"], before[0]["capture"]);
    assert_eq!(after[2]["capture"], before[1]["capture"]);
    assert_eq!(after[2]["version"], 3);
    // The capture id addresses it whatever its number.
    let id = after[2]["capture"].as_str().unwrap();
    assert_eq!(show(&store, &id[..10]), "First text.\n");
}

#[test]
fn same_instant_captures_keep_archiving_order_through_reindex() {
    // Both orders, so that neither can pass by sorting on capture ids.
    for (first, second) in [("one", "two"), ("two", "one")] {
        let tmp = tempfile::tempdir().unwrap();
        let store = tmp.path().join("s");
        let f = write(tmp.path(), "f.txt", &format!("Text {first}.\n"));
        let s = write(tmp.path(), "s.txt", &format!("Text {second}.\n"));
        add(&store, &f, "d", "2020-01-01T00:00:00Z");
        add(&store, &s, "d", "2020-01-01T00:00:00Z");
        assert_eq!(show(&store, "d"), format!("Text {second}.\n"));
        let log =
            |store: &Path| stdout_of(vellum(store).args(["log", "d", "--captures", "--json"]));
        let before = log(&store);
        vellum(&store).arg("reindex").assert().success();
        assert_eq!(log(&store), before, "reindex reproduces the order");
        std::fs::remove_file(store.join("catalog.sqlite")).unwrap();
        vellum(&store).arg("reindex").assert().success();
        assert_eq!(log(&store), before, "also from no catalog at all");
        assert_eq!(show(&store, "d"), format!("Text {second}.\n"));
    }
}

#[test]
fn rerunning_a_batch_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = write(tmp.path(), "a.txt", "A.\n");
    let b = write(tmp.path(), "b.txt", "B.\n");
    let batch = tmp.path().join("batch.jsonl");
    let line = |p: &Path, at: &str| {
        format!(
            "{{\"path\": {:?}, \"doc\": \"d\", \"captured_at\": \"{at}\", \"source\": \"s\"}}\n",
            p.to_str().unwrap()
        )
    };
    std::fs::write(
        &batch,
        [
            line(&a, "2020-01-01T00:00:00Z"),
            line(&b, "2020-01-02T00:00:00Z"),
            line(&a, "2020-01-03T00:00:00Z"),
        ]
        .concat(),
    )
    .unwrap();
    vellum(&store)
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .success();
    let before = stdout_of(vellum(&store).args(["log", "d", "--captures", "--json"]));
    let files = listing(&store.join("objects"));
    let again = stdout_of(vellum(&store).args(["add", "--batch"]).arg(&batch));
    assert!(again.lines().all(|l| l.ends_with(" unchanged")), "{again}");
    assert_eq!(
        stdout_of(vellum(&store).args(["log", "d", "--captures", "--json"])),
        before
    );
    assert_eq!(
        listing(&store.join("objects")).len(),
        files.len(),
        "no new pack"
    );
    vellum(&store).arg("verify").assert().success();
}

#[test]
fn addresses_by_time_and_from_the_end() {
    let (_tmp, store) = abc_store();
    assert_eq!(
        show(&store, "d@2020-01-02T12:00Z"),
        "The ceasefire collapsed.\n"
    );
    // A date alone is the end of that day.
    assert_eq!(show(&store, "d@2020-01-02"), "The ceasefire collapsed.\n");
    assert_eq!(
        show(&store, "d@2020-01-03T00:00:00Z"),
        "The ceasefire holds.\n"
    );
    assert_eq!(show(&store, "d@-2"), "The ceasefire holds.\n");
    vellum(&store)
        .args(["show", "d@2019-12-31"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no version yet")
                .and(predicate::str::contains("2020-01-01T00:00:00Z")),
        );
    vellum(&store)
        .args(["show", "d@-3"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("3 version(s); there is no @-3"));
}

#[test]
fn unknown_addresses_get_useful_hints() {
    let (_tmp, store) = abc_store();
    let tmp = tempfile::tempdir().unwrap();
    let other = tmp.path().join("s");
    let f = write(tmp.path(), "f.txt", "x\n");
    add(&other, &f, "us-coalition-isis-deal", "2020-01-01T00:00:00Z");
    vellum(&other)
        .args(["diff", "us-coalition-isis-dael"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean us-coalition-isis-deal?",
        ));
    vellum(&other)
        .args(["log", "us-coalition-isis-dael"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean us-coalition-isis-deal?",
        ));
    let id = json_lines(&stdout_of(vellum(&store).args(["log", "d", "--json"])))[0]["capture"]
        .as_str()
        .unwrap()
        .to_owned();
    vellum(&store)
        .args(["show", &id[..7]])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least 8 hex digits"));
}

#[test]
fn log_filters_apply_to_the_documents_listing() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    for (doc, at) in [
        ("a", "2020-01-01T00:00:00Z"),
        ("b", "2020-01-05T00:00:00Z"),
        ("c", "2020-01-03T00:00:00Z"),
    ] {
        let f = write(
            tmp.path(),
            &format!("{doc}.txt"),
            &format!("Text of {doc}.\n"),
        );
        add(&store, &f, doc, at);
    }
    let docs = |args: &[&str]| -> Vec<String> {
        json_lines(&stdout_of(
            vellum(&store).args(["log", "--json"]).args(args),
        ))
        .iter()
        .map(|v| v["doc"].as_str().unwrap().to_owned())
        .collect()
    };
    assert_eq!(docs(&[]), ["a", "b", "c"]);
    assert_eq!(docs(&["-n", "1"]), ["b"]);
    assert_eq!(docs(&["-n", "2"]), ["b", "c"]);
    assert_eq!(docs(&["--reverse"]), ["c", "b", "a"]);
    assert_eq!(docs(&["--since", "2020-01-03"]), ["b", "c"]);
    assert_eq!(docs(&["--until", "2020-01-03"]), ["a", "c"]);
    let table = stdout_of(vellum(&store).args(["log", "-n", "1"]));
    assert_eq!(table.lines().count(), 2, "{table}");
}

#[test]
fn log_filters() {
    let (tmp, store) = abc_store();
    // A fourth version that differs from the third in markup only.
    let c = write(
        tmp.path(),
        "c.txt",
        "The ceasefire [holds](https://example.org/a).\n",
    );
    add(&store, &c, "d", "2020-01-04T00:00:00Z");
    let numbers = |args: &[&str]| -> Vec<u64> {
        json_lines(&stdout_of(
            vellum(&store).args(["log", "d", "--json"]).args(args),
        ))
        .iter()
        .map(|v| v["version"].as_u64().unwrap())
        .collect()
    };
    assert_eq!(numbers(&[]), [1, 2, 3, 4]);
    assert_eq!(numbers(&["-n", "2"]), [3, 4]);
    assert_eq!(numbers(&["-n", "2", "--reverse"]), [4, 3]);
    assert_eq!(numbers(&["--since", "2020-01-02"]), [2, 3, 4]);
    assert_eq!(numbers(&["--until", "2020-01-02"]), [1, 2]);
    assert_eq!(
        numbers(&["--since", "2020-01-02T00:00:01Z", "--until", "2020-01-03"]),
        [3]
    );
    assert_eq!(numbers(&["--ignore-markup", "--changes-only"]), [1, 2, 3]);
    assert_eq!(numbers(&["--changes-only"]), [1, 2, 3, 4]);
    // Pickaxe: "collapsed" appears in @2 and disappears in @3.
    assert_eq!(numbers(&["-S", "collapsed"]), [2, 3]);
    assert_eq!(numbers(&["-S", "ceasefire"]), [1]);
    assert_eq!(numbers(&["-S", "ceasefire", "--ignore-markup"]), [1]);
    // Counts after normalization.
    let rows = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "d",
        "--json",
        "--ignore-markup",
    ])));
    assert_eq!(
        (
            rows[3]["words_added"].as_u64(),
            rows[3]["words_removed"].as_u64()
        ),
        (Some(0), Some(0))
    );
    let rows = json_lines(&stdout_of(vellum(&store).args(["log", "d", "--json"])));
    assert_ne!(rows[3]["words_added"].as_u64(), Some(0));
    // -p shows each diff, --stat each summary.
    let p = stdout_of(vellum(&store).args(["log", "d", "-p"]));
    assert!(p.contains("The ceasefire [-holds-]{+collapsed+}."), "{p}");
    assert!(p.contains("d@3  capture"), "{p}");
    let s = stdout_of(vellum(&store).args(["log", "d", "--stat"]));
    assert!(s.contains("first version"), "{s}");
    assert!(s.contains("markup"), "{s}");
    vellum(&store)
        .args(["log", "d", "--since", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--since"));
}

#[test]
fn times_far_from_now_sort_and_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = write(tmp.path(), "a.txt", "Old.\n");
    let b = write(tmp.path(), "b.txt", "Future.\n");
    let c = write(tmp.path(), "c.txt", "Middle.\n");
    // Far in the future: refused unless allowed.
    vellum(&store)
        .args(["add", "--doc", "d", "--at", "2500-01-01T00:00:00Z"])
        .arg(&b)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--allow-future"));
    vellum(&store)
        .args([
            "add",
            "--allow-future",
            "--doc",
            "d",
            "--at",
            "2500-01-01T00:00:00Z",
        ])
        .arg(&b)
        .assert()
        .success();
    add(&store, &a, "d", "1500-01-01T00:00:00Z");
    add(&store, &c, "d", "2000-01-01T00:00:00Z");
    assert_eq!(show(&store, "d@1"), "Old.\n");
    assert_eq!(show(&store, "d@2"), "Middle.\n");
    assert_eq!(show(&store, "d"), "Future.\n");
    let docs = json_lines(&stdout_of(vellum(&store).args(["log", "--json"])));
    assert_eq!(docs[0]["first"], "1500-01-01T00:00:00Z");
    assert_eq!(docs[0]["last"], "2500-01-01T00:00:00Z");
    vellum(&store).arg("verify").assert().success();
}

const FORMAT1: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store-format1");

#[test]
fn a_store_written_by_the_previous_format_reads_and_upgrades() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    copy_dir(Path::new(FORMAT1), &store);
    let before = listing(&store);
    // Readers: the same versions, texts and diffs as the current sample store.
    let sample = Path::new(common::SAMPLE_STORE);
    for args in [
        vec!["log", "--json"],
        vec!["log", common::PAIR_DOC, "--json"],
        vec!["show", common::PAIR_DOC],
        vec!["show", "us-coalition-isis-deal@1"],
        vec!["diff", common::PAIR_DOC, "--format", "json"],
    ] {
        assert_eq!(
            stdout_of(vellum(&store).args(&args)),
            stdout_of(vellum(sample).args(&args)),
            "{args:?}"
        );
    }
    vellum(&store)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("not logged yet"));
    assert_eq!(listing(&store), before, "readers changed the old store");
    // The first write upgrades it: catalog rebuilt, captures logged.
    let f = write(tmp.path(), "n.txt", "New.\n");
    vellum(&store)
        .args(["add", "--doc", "new", "--at", "2020-01-01T00:00:00Z"])
        .arg(&f)
        .assert()
        .success()
        .stderr(predicate::str::contains("older vellum"));
    assert!(
        std::fs::read_to_string(store.join("VELLUM"))
            .unwrap()
            .contains("format 5")
    );
    vellum(&store)
        .arg("verify")
        .assert()
        .success()
        .stdout(predicate::str::contains("not logged").not());
    assert_eq!(
        stdout_of(vellum(&store).args(["log", common::PAIR_DOC, "--json"])),
        stdout_of(vellum(sample).args(["log", common::PAIR_DOC, "--json"])),
    );
    // Nothing archived was rewritten: every old pack is still there as it was.
    let after = listing(&store);
    for (path, (size, hash, _)) in &before {
        if path.starts_with("objects") {
            let (s, h, _) = &after[path];
            assert_eq!((s, h), (size, hash), "{path:?}");
        }
    }
}

#[test]
fn diff_sides_carry_their_capture_metadata() {
    let sample = Path::new(common::SAMPLE_STORE);
    let j: Value = serde_json::from_str(&stdout_of(vellum(sample).args([
        "diff",
        common::PAIR_DOC,
        "--json",
    ])))
    .unwrap();
    assert_eq!(j["old"]["captured_at"], "2019-02-12T12:56:00Z");
    assert_eq!(j["old"]["source"], "blog repost");
    assert_eq!(j["new"]["source"], "globalresearch.ca");
    assert_eq!(j["new"]["doc"], common::PAIR_DOC);
    assert!(
        j["new"]["title"]
            .as_str()
            .unwrap()
            .starts_with("US-led Coalition")
    );
    let inline = stdout_of(vellum(sample).args(["diff", common::PAIR_DOC]));
    assert!(
        inline.contains("+++ captured 2019-02-12T18:00:00Z · globalresearch.ca · “US-led"),
        "{inline}"
    );
    let html = stdout_of(vellum(sample).args(["diff", common::PAIR_DOC, "--format", "html"]));
    assert!(
        html.contains("<h1>us-coalition-isis-deal: @1 → @2</h1>"),
        "{}",
        &html[..html.len().min(2000)]
    );
    let side =
        stdout_of(vellum(sample).args(["diff", common::PAIR_DOC, "--format", "side-by-side"]));
    assert!(side.contains("captured 2019-02-12T12:56"), "{side}");
}

#[test]
fn a_byte_order_mark_is_visible_whitespace() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = write(tmp.path(), "a.txt", "The ceasefire holds.\n");
    let bom = write(tmp.path(), "b.txt", "\u{feff}The ceasefire holds.\n");
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .arg("diff")
        .arg(&plain)
        .arg(&bom)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("{+⟨BOM⟩+}The ceasefire"), "{text}");
    assert!(
        !text.contains('\u{feff}'),
        "the mark itself is never printed"
    );
    vellum(&store)
        .arg("diff")
        .arg(&plain)
        .arg(&bom)
        .arg("--ignore-whitespace")
        .assert()
        .code(0);
    let stat = stdout_of(
        vellum(&store)
            .arg("diff")
            .arg(&plain)
            .arg(&bom)
            .arg("--stat"),
    );
    assert!(stat.contains("1 whitespace change"), "{stat}");
    // Bidirectional overrides in a change are shown, not obeyed.
    let rlo = write(tmp.path(), "c.txt", "The ceasefire \u{202e}sdloh.\n");
    let text = stdout_of(vellum(&store).arg("diff").arg(&plain).arg(&rlo));
    assert!(
        text.contains("⟨U+202E⟩") && !text.contains('\u{202e}'),
        "{text}"
    );
}

/// What `log` lists for every document (one pass over all captures) agrees
/// with each document's own history: versions, captures (superseded ones
/// not counted), first and last capture, latest title. The store mixes
/// reverts, sightings, captures archived out of order, same-instant
/// captures, flagged captures, re-extractions and titles that come and go;
/// the older-format fixture adds captures not yet in the archive log.
#[test]
fn every_documents_summary_agrees_with_its_history() {
    use vellum::store::{Archive, CaptureExtra, CaptureText, NewCapture};

    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let (archive, _) = Archive::init(&store).unwrap();
    let texts = ["Alpha text.", "Beta text.", "Gamma text.", "Delta text."];
    let titles = [None, Some("First title"), Some("Second title")];
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move |n: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n) as usize
    };
    let at = |minute: usize| {
        time::OffsetDateTime::from_unix_timestamp(1_700_000_000 + 60 * minute as i64).unwrap()
    };
    let capture = |doc: &str, minute: usize, text: &str, title: Option<&str>| NewCapture {
        doc: doc.parse().unwrap(),
        captured_at: at(minute),
        bytes: format!("<p>{text}</p>").into_bytes(),
        media_type: "text/html".into(),
        text: CaptureText::Extracted(text.into()),
        url: None,
        source: None,
        title: title.map(Into::into),
        meta: Default::default(),
    };
    for _commit in 0..4 {
        let mut w = archive.writer(&mut || {}).unwrap();
        for _ in 0..40 {
            let doc = ["d0", "d1", "d2", "d3"][next(4)];
            // Few instants, in any order: ties and out-of-order captures.
            let c = capture(doc, next(12), texts[next(4)], titles[next(3)]);
            let flag = (next(8) == 0).then(|| "HTTP 404 Not Found".to_owned());
            w.add_with(
                c,
                CaptureExtra {
                    flag,
                    ..CaptureExtra::default()
                },
            )
            .unwrap();
        }
        w.commit().unwrap();
    }
    // Re-extractions: the same bytes and instant, another text, naming the
    // capture they supersede.
    let mut w = archive.writer(&mut || {}).unwrap();
    for doc in ["d0", "d2"] {
        for row in archive.captures(doc).unwrap().iter().step_by(5) {
            let minute = ((row.captured_at.unix_timestamp() - 1_700_000_000) / 60) as usize;
            let mut c = capture(doc, minute, "Epsilon text.", None);
            c.bytes = archive.read_object(&row.content).unwrap().to_vec();
            let extra = CaptureExtra {
                supersedes: Some(row.id),
                ..CaptureExtra::default()
            };
            w.add_with(c, extra).unwrap();
        }
    }
    w.commit().unwrap();
    drop(archive);
    // Captures not in the archive log yet (an interrupted write or an older
    // vellum leaves them) come after the logged ones of their instant, by
    // id. The older-format fixture has too few to meet at one instant, so a
    // copy of this store forgets the log positions of its latest captures.
    let unlogged = tmp.path().join("unlogged");
    copy_dir(&store, &unlogged);
    let db = rusqlite::Connection::open(unlogged.join("catalog.sqlite")).unwrap();
    let n = db
        .execute(
            "UPDATE captures SET seq = NULL WHERE seq > (SELECT MAX(seq) - 60 FROM captures)",
            [],
        )
        .unwrap();
    assert_eq!(n, 60);
    drop(db);

    let mut seen = 0;
    for dir in [store.as_path(), &unlogged, Path::new(FORMAT1)] {
        let archive = Archive::open(dir).unwrap();
        let docs = archive.documents().unwrap();
        assert!(!docs.is_empty());
        for d in docs {
            let history = archive.history(&d.doc).unwrap();
            let captures = archive.captures(&d.doc).unwrap();
            let time = |c: &vellum::store::catalog::CaptureRow| c.captured_at;
            assert_eq!(d.versions, history.versions.len() as u64, "{}", d.doc);
            let counted = captures.iter().filter(|c| !c.superseded).count() as u64;
            assert_eq!(d.captures, counted, "{}", d.doc);
            assert_eq!(d.first, time(captures.first().unwrap()), "{}", d.doc);
            assert_eq!(d.last, time(captures.last().unwrap()), "{}", d.doc);
            // The latest version's title: never a flagged or superseded
            // capture's.
            let title = captures
                .iter()
                .rev()
                .filter(|c| !c.flagged && !c.superseded)
                .find_map(|c| c.title.clone());
            assert_eq!(d.title, title, "{}", d.doc);
            seen += captures
                .iter()
                .filter(|c| c.superseded || c.flagged)
                .count();
        }
    }
    assert!(seen > 4, "the store has flagged and superseded captures");
}

#[test]
fn a_text_file_has_one_title_in_log_and_stories() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let f = write(
        tmp.path(),
        "note.md",
        "# Ceasefire talks resume\n\nThe talks resumed on Monday in the capital.\n",
    );
    add(&store, &f, "note", "2020-01-01T00:00:00Z");
    let log = json_lines(&stdout_of(vellum(&store).args(["log", "--json"])));
    assert_eq!(log[0]["title"], "Ceasefire talks resume", "{}", log[0]);
    let stories: Value = serde_json::from_str(&stdout_of(
        vellum(&store).args(["stories", "--all", "--json"]),
    ))
    .unwrap();
    assert_eq!(stories["stories"][0]["title"], log[0]["title"], "{stories}");
}
