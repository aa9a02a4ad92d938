//! Issue #31: `verify` says per capture what was lost and what survives (and
//! that account is what show, show --raw, diff and export really do), and
//! `repair --from` / `repair --rebuild` / `pull` heal it.

mod common;

use std::path::{Path, PathBuf};

use common::{copy_dir, vellum};
use serde_json::Value;
use vellum::id::ObjectId;
use vellum::store::Archive;

fn page(n: usize) -> String {
    let words: Vec<String> = (0..80).map(|i| format!("word{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>Story</title></head><body>\
         <nav><a href=/>Home</a></nav><article><h1>Story</h1><p>{} edit{n}.</p>\
         <p>Second paragraph of the story, revision {n}.</p></article></body></html>",
        words.join(" ")
    )
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

/// Four versions of an HTML page (raw bytes and extracted texts, each a
/// delta against the one before) and two of a plain-text note; one pack per
/// add.
fn build(tmp: &Path) -> PathBuf {
    let store = tmp.join("s");
    for n in 1..=4 {
        let f = tmp.join(format!("p{n}.html"));
        std::fs::write(&f, page(n)).unwrap();
        let at = format!("2024-01-0{n}");
        let url = "https://example.org/story";
        let f = f.to_str().unwrap();
        run(
            &store,
            &["add", "--doc", "story", "--url", url, "--at", &at, f],
        );
    }
    for n in 1..=2 {
        let f = tmp.join(format!("n{n}.md"));
        std::fs::write(&f, format!("Note, take {n}.\n")).unwrap();
        let at = format!("2024-02-0{n}");
        run(
            &store,
            &["add", "--doc", "note", "--at", &at, f.to_str().unwrap()],
        );
    }
    store
}

/// Every version's text and raw bytes, as `show` prints them.
fn contents(store: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (doc, n) in [("story", 4), ("note", 2)] {
        for v in 1..=n {
            let addr = format!("{doc}@{v}");
            let text = vellum(store).args(["show", &addr]).output().unwrap();
            let raw = vellum(store)
                .args(["show", "--raw", &addr])
                .output()
                .unwrap();
            let h = |b: &[u8]| blake3::hash(b).to_hex().to_string();
            out.push((addr, h(&text.stdout), h(&raw.stdout)));
        }
    }
    out
}

/// The raw bytes' and the text's object ids of `doc@n`.
fn objects(store: &Path, doc: &str, n: usize) -> (ObjectId, Option<ObjectId>) {
    let archive = Archive::open(store).unwrap();
    let capture = archive.history(doc).unwrap().versions[n - 1].capture;
    let rec = archive.record(&capture).unwrap();
    (rec.content, rec.text)
}

/// Flips one byte inside object `id`'s compressed frame, in its pack file.
fn flip(store: &Path, id: &ObjectId) -> PathBuf {
    for e in std::fs::read_dir(store.join("objects/packs")).unwrap() {
        let path = e.unwrap().path();
        let mut bytes = std::fs::read(&path).unwrap();
        let scan = vellum::store::pack::scan(&bytes, None);
        if let Some(e) = scan.entries.iter().find(|e| e.header.id == *id) {
            let at = e.offset as usize + e.header.entry_len() - 3;
            bytes[at] ^= 0x20;
            std::fs::write(&path, &bytes).unwrap();
            return path;
        }
    }
    panic!("object {id} is in no pack");
}

fn verify_json(store: &Path) -> Value {
    let out = vellum(store).args(["verify", "--json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The account of `addr` in a verify report, if anything of it is lost.
fn account<'a>(report: &'a Value, addr: &str) -> Option<&'a Value> {
    let (doc, n) = addr.split_once('@').unwrap();
    report["damaged_captures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["doc"] == doc && c["version"].as_u64() == n.parse().ok())
}

/// For every version, what verify says can be done is what show, show
/// --raw, diff and export do.
fn assert_account_matches(store: &Path, tmp: &Path) -> Value {
    let report = verify_json(store);
    for (doc, n) in [("story", 4), ("note", 2)] {
        for v in 1..=n {
            let addr = format!("{doc}@{v}");
            let a = account(&report, &addr);
            let says = |what: &str| a.is_none_or(|a| a[what] == true);
            let ok = |args: &[&str]| vellum(store).args(args).output().unwrap().status.success();
            assert_eq!(ok(&["show", &addr]), says("show"), "show {addr}: {a:?}");
            assert_eq!(
                ok(&["show", "--raw", &addr]),
                says("show_raw"),
                "raw {addr}"
            );
            let diff = vellum(store).args(["diff", &addr, &addr]).output().unwrap();
            assert_eq!(diff.status.code() != Some(2), says("show"), "diff {addr}");
            let out = tmp.join("x.warc.gz");
            let out = out.to_str().unwrap();
            assert_eq!(
                ok(&["export", "--warc", out, &addr]),
                says("export"),
                "export {addr}"
            );
        }
    }
    report
}

#[test]
fn a_flipped_raw_byte_loses_the_evidence_and_keeps_the_text() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let (raw, _) = objects(&store, "story", 1);
    flip(&store, &raw);
    let report = assert_account_matches(&store, tmp.path());
    let a = account(&report, "story@1").expect("story@1 is damaged");
    assert_eq!(
        (&a["evidence"], &a["text"], &a["record"]),
        (&"lost".into(), &"intact".into(), &"intact".into())
    );
    assert_eq!((&a["show"], &a["show_raw"]), (&true.into(), &false.into()));
    // The problem names the captures whose raw bytes it takes.
    let named: Vec<&Value> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["evidence_lost"].as_array().into_iter().flatten())
        .collect();
    assert!(named.iter().any(|v| *v == "story@1"), "{report}");
    // And in words.
    let text = run_status(&store, &["verify"], 1);
    assert!(text.contains("story@1 (capture"), "{text}");
    assert!(text.contains("lost: evidence (raw bytes)"), "{text}");
    assert!(text.contains("still works: show, diff"), "{text}");
}

fn run_status(store: &Path, args: &[&str], code: i32) -> String {
    let out = vellum(store).args(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_flipped_text_byte_keeps_the_raw_bytes_and_the_text_is_rebuilt() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let before = contents(&store);
    let (_, text) = objects(&store, "story", 1);
    flip(&store, &text.unwrap());
    let report = assert_account_matches(&store, tmp.path());
    // Later texts are deltas against the first: all four are lost as text,
    // none as evidence, and each can be made again from its raw bytes.
    for v in 1..=4 {
        let a = account(&report, &format!("story@{v}")).unwrap();
        assert_eq!(
            (&a["evidence"], &a["text"]),
            (&"intact".into(), &"rebuildable".into())
        );
        assert_eq!((&a["show"], &a["show_raw"]), (&false.into(), &true.into()));
    }
    // reextract says so instead of "0 captures".
    let out = vellum(&store)
        .args(["reextract", "--dry-run"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("repair --rebuild"), "{err}");
    // Without a replica: rebuilt byte-identical, verify clean.
    let json: Value =
        serde_json::from_str(&run(&store, &["repair", "--rebuild", "--json"])).unwrap();
    assert_eq!(json["ok"], true, "{json}");
    // Only the root of the chain is rebuilt: the later texts are deltas
    // against it, intact once it is.
    assert_eq!(json["rebuilt"], 1, "{json}");
    assert_eq!(json["packs_retired"].as_array().unwrap().len(), 1);
    run(&store, &["verify"]);
    assert_eq!(contents(&store), before);
}

#[test]
fn repair_from_an_intact_copy_heals_byte_identical_and_can_be_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let copy = tmp.path().join("copy");
    copy_dir(&store, &copy);
    let before = contents(&store);
    let (raw, _) = objects(&store, "story", 1);
    let (_, text) = objects(&store, "story", 3);
    flip(&store, &raw);
    let damaged = flip(&store, &text.unwrap());
    let kept = std::fs::read(&damaged).unwrap();
    // No source named: a clear error, nothing changed.
    let out = vellum(&store).arg("repair").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
    assert_eq!(std::fs::read(&damaged).unwrap(), kept);
    let said = run(&store, &["repair", "--from", copy.to_str().unwrap()]);
    assert!(said.contains("verify: ok"), "{said}");
    assert!(!damaged.exists(), "the damaged pack is retired");
    assert_eq!(contents(&store), before);
    // A kill after the commit, before the damaged pack was deleted, leaves
    // it behind: the next writer indexes it again, verify names it, and a
    // second repair retires it. Nothing is lost on the way.
    std::fs::write(&damaged, &kept).unwrap();
    run(&store, &["reindex"]);
    run_status(&store, &["verify"], 1);
    assert_eq!(contents(&store), before);
    let said = run(&store, &["repair", "--from", copy.to_str().unwrap()]);
    assert!(said.contains("verify: ok"), "{said}");
    assert_eq!(contents(&store), before);
    // Nothing left to do.
    let said = run(&store, &["repair", "--from", copy.to_str().unwrap()]);
    assert!(said.contains("nothing to repair"), "{said}");
}

#[test]
fn a_replica_that_lacks_the_object_keeps_the_damaged_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let (raw, _) = objects(&store, "story", 2);
    let other = tmp.path().join("other");
    run(&other, &["init"]);
    let damaged = flip(&store, &raw);
    let out = run_status(&store, &["repair", "--from", other.to_str().unwrap()], 1);
    assert!(out.contains("kept damaged pack"), "{out}");
    assert!(damaged.exists());
    // --rebuild accepts the loss: the pack goes, the loss stays named.
    let out = run_status(&store, &["repair", "--rebuild"], 1);
    assert!(out.contains(&format!("lost: object {raw}")), "{out}");
    assert!(!damaged.exists());
    let report = assert_account_matches(&store, tmp.path());
    let a = account(&report, "story@2").unwrap();
    assert_eq!(a["evidence"], "lost");
    assert!(
        report["problems"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "missing-object" && p["object"] == raw.to_string()),
        "{report}"
    );
}

#[test]
fn pull_from_an_intact_copy_heals_a_damaged_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let copy = tmp.path().join("copy");
    copy_dir(&store, &copy);
    let before = contents(&store);
    let (raw, _) = objects(&store, "story", 4);
    flip(&store, &raw);
    let out = run(&store, &["pull", copy.to_str().unwrap()]);
    assert!(out.contains("healed 1 damaged pack(s)"), "{out}");
    run(&store, &["verify"]);
    assert_eq!(contents(&store), before);
}

#[test]
fn export_names_damaged_captures_and_skips_them_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let (raw, _) = objects(&store, "story", 4);
    flip(&store, &raw);
    let warc = tmp.path().join("all.warc.gz");
    let out = vellum(&store)
        .args(["export", "--warc", warc.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("story capture") && err.contains("--skip-damaged"),
        "{err}"
    );
    assert!(!warc.exists());
    let out = vellum(&store)
        .args(["export", "--skip-damaged", "--warc", warc.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("skipped 1 damaged capture"));
    // The other five import back.
    let back = tmp.path().join("back");
    let out = vellum(&back)
        .args(["import", warc.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = Archive::open(&back).unwrap().all_captures().unwrap().len();
    assert_eq!(n, 5);
}

#[test]
fn no_proof_from_a_damaged_log_and_the_segment_heals_from_a_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let copy = tmp.path().join("copy");
    copy_dir(&store, &copy);
    let proof = run(&copy, &["proof", "story@1"]);
    let root = run(&copy, &["root", "--json"]);
    // A log segment (each add wrote one).
    let segment = std::fs::read_dir(store.join("objects/packs"))
        .unwrap()
        .flat_map(|e| {
            let bytes = std::fs::read(e.unwrap().path()).unwrap();
            vellum::store::pack::scan(&bytes, None).entries
        })
        .find(|e| e.header.kind == vellum::store::object::Kind::Log)
        .unwrap()
        .header
        .id;
    flip(&store, &segment);
    let out = vellum(&store).args(["proof", "story@1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "a proof from a damaged log");
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
    let report = verify_json(&store);
    let a = account(&report, "story@1");
    assert!(a.is_none() || a.unwrap()["log"] != "intact", "{report}");
    run(&store, &["repair", "--from", copy.to_str().unwrap()]);
    assert_eq!(run(&store, &["proof", "story@1"]), proof);
    assert_eq!(run(&store, &["root", "--json"]), root);
}

#[test]
fn what_is_derived_is_rebuilt_once_the_objects_are_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let store = build(tmp.path());
    let before = contents(&store);
    let conn = rusqlite::Connection::open(store.join("catalog.sqlite")).unwrap();
    conn.execute(
        "DELETE FROM captures WHERE id = (SELECT id FROM captures LIMIT 1)",
        [],
    )
    .unwrap();
    drop(conn);
    run_status(&store, &["verify"], 1);
    let said = run(&store, &["repair", "--rebuild"]);
    assert!(said.contains("rebuilt the catalog"), "{said}");
    assert!(said.contains("verify: ok"), "{said}");
    assert_eq!(contents(&store), before);
}
