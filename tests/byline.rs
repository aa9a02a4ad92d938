//! Issue #28: a byline is metadata. The extractor takes it out of the text,
//! the capture record keeps it, `show --meta` and `diff` show it, and a WARC
//! export + import round trip keeps it (and so the capture ids).

mod common;

use std::path::Path;

use common::{add, stdout_of, vellum};

/// One version of an article: the same paragraphs, `byline` above them.
fn page(byline: &str) -> String {
    let para = |n: usize, w: &str| {
        (0..n)
            .map(|i| format!("{w}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + "."
    };
    format!(
        "<html><head><title>Bridge report</title></head><body><article>\
         <h1>Bridge report</h1><p>{byline}</p><p>{}</p><p>{}</p></article></body></html>",
        para(60, "alpha"),
        para(40, "beta"),
    )
}

const ONE: &str = "By Jane Reporter";
const TWO: &str = "By Jane Reporter and John Editor";

/// A store with two captures of `bridge`: one author, then an author
/// added. Their texts are equal, so both belong to version 1 (versions are
/// texts); the capture ids are returned.
fn two_captures(dir: &Path) -> (std::path::PathBuf, [String; 2]) {
    let store = dir.join("store");
    let mut ids = Vec::new();
    for (i, (byline, at)) in [(ONE, "2024-05-01T10:00:00Z"), (TWO, "2024-05-02T10:00:00Z")]
        .into_iter()
        .enumerate()
    {
        let file = dir.join(format!("v{i}.html"));
        std::fs::write(&file, page(byline)).unwrap();
        let out = add(&store, &file, "bridge", at);
        // `bridge@1 CAPTURE new|unchanged`
        let words: Vec<&str> = out.split_whitespace().collect();
        assert_eq!(words[0], "bridge@1", "{out}");
        assert_eq!(words[2], ["new", "unchanged"][i], "{out}");
        ids.push(words[1].to_owned());
    }
    (store, [ids[0].clone(), ids[1].clone()])
}

fn meta(store: &Path, addr: &str) -> serde_json::Value {
    let out = stdout_of(vellum(store).args(["show", "--meta", addr]));
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn an_added_author_is_a_byline_change_not_a_text_change() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, [a, b]) = two_captures(tmp.path());
    let (m1, m2) = (meta(&store, &a), meta(&store, &b));
    assert_eq!(m1["byline"], ONE, "{m1}");
    assert_eq!(m2["byline"], TWO, "{m2}");
    // Two versions although the texts are the same: the record differs.
    assert_eq!(m1["text"], m2["text"], "the byline stays out of the text");
    assert_eq!(
        (&m1["capture"], &m2["capture"]),
        (&a.as_str().into(), &b.as_str().into())
    );
    let text = stdout_of(vellum(&store).args(["show", &b]));
    assert!(
        text.contains("alpha0") && !text.contains("Reporter"),
        "{text}"
    );

    // The text diff: the byline line, and no word changed.
    let out = vellum(&store).args(["diff", &a, &b]).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a byline change is a difference"
    );
    assert_eq!(
        stdout,
        format!("byline: \"{ONE}\" -> \"{TWO}\"\n"),
        "only the byline line: the words are unchanged"
    );
    let out = vellum(&store)
        .args(["diff", "--json", &a, &b])
        .output()
        .unwrap();
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["byline"]["old"], ONE, "{j}");
    assert_eq!(j["byline"]["new"], TWO, "{j}");
    assert_eq!(j["new"]["byline"], TWO, "{j}");
    let ops = j["ops"].as_array().unwrap();
    assert!(
        ops.iter().all(|op| op["op"] == "equal"),
        "no word op: {ops:?}"
    );
    assert!(!j["ops"].to_string().contains("John"), "{j}");
    assert_eq!(j["stats"]["words_added"], 0, "{j}");

    // The same version against itself: no byline line, exit 0.
    let out = vellum(&store).args(["diff", &b, &b]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_warc_round_trip_keeps_bylines_and_capture_ids() {
    let tmp = tempfile::tempdir().unwrap();
    let (store, ids) = two_captures(tmp.path());
    let warc = tmp.path().join("out.warc.gz");
    let out = vellum(&store)
        .args(["export", "--warc"])
        .arg(&warc)
        .arg("bridge")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = tmp.path().join("again");
    let out = vellum(&again).arg("import").arg(&warc).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for addr in &ids {
        // The capture id itself is the address: the same record came back.
        let (before, after) = (meta(&store, addr), meta(&again, addr));
        assert!(before["byline"].is_string(), "{before}");
        assert_eq!(before["byline"], after["byline"], "{addr}");
        assert_eq!(before["capture"], after["capture"], "{addr}");
        assert_eq!(before["text"], after["text"], "{addr}");
    }
}
