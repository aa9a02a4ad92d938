//! `vellum reextract`: an extractor upgrade, simulated by records an older
//! extractor made (written through the library, as an older vellum did),
//! read again by the current one.

mod common;

use std::path::Path;

use common::{OLD_EXTRACTOR, archive_old, vellum};
use vellum::store::{Archive, CaptureExtra, CaptureText, NewCapture};

fn page(title: &str, words: &str, comments: usize) -> String {
    let body: Vec<String> = (0..60).map(|i| format!("{words}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title></head><body>\
         <nav><a href=/>Home</a></nav><article><h1>{title}</h1><p>{}.</p></article>\
         <section class=comments><h2>Comments ({comments})</h2></section></body></html>",
        body.join(" ")
    )
}

fn at(s: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
}

fn run(store: &Path, args: &[&str]) -> String {
    let out = vellum(store).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn an_extractor_upgrade_is_read_again_without_rewriting_anything() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    // The same article seen twice; the old extractor kept the comment count,
    // so it made two versions of it. Then the article changed (archived by
    // the current extractor), and another document is plain text.
    let (p1, p2) = (page("Story", "alpha", 12), page("Story", "alpha", 15));
    archive_old(
        &store,
        "story",
        "2024-05-01T10:00:00Z",
        &p1,
        "Story\n\nalpha Comments (12)\n",
    );
    archive_old(
        &store,
        "story",
        "2024-05-01T11:00:00Z",
        &p2,
        "Story\n\nalpha Comments (15)\n",
    );
    let changed = tmp.path().join("changed.html");
    std::fs::write(&changed, page("Story", "beta", 20)).unwrap();
    let out = vellum(&store)
        .args(["add", "--doc", "story", "--at", "2024-05-01T12:00:00Z"])
        .arg(&changed)
        .output()
        .unwrap();
    assert!(out.status.success());
    vellum(&store)
        .args(["add", "-", "--doc", "notes"])
        .write_stdin("plain notes\n")
        .assert()
        .success();
    let versions = |store: &Path| json_lines(&run(store, &["log", "story", "--json"])).len();
    assert_eq!(versions(&store), 3);
    let before = json_lines(&run(&store, &["log", "story", "--captures", "--json"]));
    assert_eq!(before.len(), 3);

    // A dry run lists the two old extractions and archives nothing.
    let dry = json_lines(&run(&store, &["reextract", "--dry-run", "--json"]));
    assert_eq!(dry.len(), 2, "{dry:?}");
    assert_eq!(dry[0]["extractor"], OLD_EXTRACTOR);
    assert_eq!(dry[0]["text_changed"], true);
    assert_eq!(versions(&store), 3);

    let done = json_lines(&run(&store, &["reextract", "--json"]));
    assert_eq!(done.len(), 2, "{done:?}");
    let olds: Vec<&str> = done
        .iter()
        .map(|d| d["supersedes"].as_str().unwrap())
        .collect();
    let expected: Vec<&str> = before[..2]
        .iter()
        .map(|c| c["capture"].as_str().unwrap())
        .collect();
    assert_eq!(olds, expected);
    // Both now read as the article alone: one version, then the change.
    assert_eq!(versions(&store), 2);
    // As after `add`, the search index holds the new captures.
    let seen: i64 = rusqlite::Connection::open(store.join("search.sqlite"))
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'captures'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(seen, 6, "3 old captures, the notes, the 2 reextracted");
    let extracted = run(&store, &["extract", changed.to_str().unwrap()]);
    assert_eq!(run(&store, &["show", "story@2"]), extracted);
    let first = run(&store, &["show", "story@1"]);
    assert!(first.starts_with("Story\n\nalpha0 alpha1"), "{first}");
    assert!(!first.contains("Comments"), "{first}");
    // The new records: same bytes and time, the current extractor, naming the old.
    let meta: serde_json::Value = serde_json::from_str(&run(
        &store,
        &["show", "--meta", done[0]["capture"].as_str().unwrap()],
    ))
    .unwrap();
    assert_eq!(meta["supersedes"], olds[0]);
    assert_eq!(meta["captured_at"], "2024-05-01T10:00:00Z");
    assert_ne!(meta["extractor"], OLD_EXTRACTOR);
    assert_eq!(run(&store, &["show", "--raw", "story@1"]), p1);
    // The old records stay, listed as superseded, and seen by no version.
    let old_meta: serde_json::Value =
        serde_json::from_str(&run(&store, &["show", "--meta", olds[0]])).unwrap();
    assert_eq!(old_meta["extractor"], OLD_EXTRACTOR);
    let captures = run(&store, &["log", "story", "--captures", "--json"]);
    let captures = json_lines(&captures);
    assert_eq!(captures.len(), 5);
    let superseded: Vec<&str> = captures
        .iter()
        .filter(|c| c["superseded"] == true)
        .map(|c| c["capture"].as_str().unwrap())
        .collect();
    assert_eq!(superseded, olds);
    let seen: Vec<u64> = captures
        .iter()
        .filter(|c| c["superseded"] == false)
        .map(|c| c["version"].as_u64().unwrap())
        .collect();
    assert_eq!(seen, [1, 1, 2]);
    let docs = json_lines(&run(&store, &["log", "--json"]));
    let story = docs.iter().find(|d| d["doc"] == "story").unwrap();
    assert_eq!(
        (story["versions"].as_u64(), story["captures"].as_u64()),
        (Some(2), Some(3))
    );

    // Idempotent: a second run archives nothing.
    assert_eq!(run(&store, &["reextract", "--json"]), "");
    assert_eq!(run(&store, &["reextract", "--dry-run"]), "");
    assert_eq!(
        json_lines(&run(&store, &["log", "story", "--captures", "--json"])).len(),
        5
    );

    // reindex rebuilds the same history; verify finds nothing wrong.
    let log = run(&store, &["log", "story", "--captures", "--json"]);
    run(&store, &["reindex"]);
    assert_eq!(run(&store, &["log", "story", "--captures", "--json"]), log);
    assert_eq!(versions(&store), 2);
    vellum(&store).arg("verify").assert().success();
}

#[test]
fn verify_reports_a_record_superseding_other_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    archive_old(
        &store,
        "story",
        "2024-05-01T10:00:00Z",
        &page("A", "a", 1),
        "A\n",
    );
    let old = json_lines(&run(&store, &["log", "story", "--captures", "--json"]));
    let old: vellum::id::ObjectId = old[0]["capture"].as_str().unwrap().parse().unwrap();
    let (a, _) = Archive::init(&store).unwrap();
    let mut w = a.writer(&mut || {}).unwrap();
    w.add_with(
        NewCapture {
            doc: "story".parse().unwrap(),
            captured_at: at("2024-05-01T10:00:00Z"),
            bytes: b"<p>other bytes</p>".to_vec(),
            media_type: "text/html".into(),
            text: CaptureText::Extracted("other\n".into()),
            url: None,
            source: None,
            title: None,
            meta: Default::default(),
        },
        CaptureExtra {
            extractor: Some("x 1".into()),
            supersedes: Some(vellum::store::CaptureId(old)),
            ..CaptureExtra::default()
        },
    )
    .unwrap();
    w.commit().unwrap();
    drop(a);
    let out = vellum(&store).args(["verify", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("supersedes a capture of other bytes"),
        "{report}"
    );
}
