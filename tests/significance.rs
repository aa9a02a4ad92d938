//! Significance scores measured on the labelled set of real edit pairs
//! (`tests/fixtures/significance/`, `docs/significance.md`): ROC AUC and
//! precision at 10, computed here from the scores, on one half of the set.
//!
//! `scripts/eval-significance.sh` prints the held-out figures;
//! `VELLUM_SIGNIFICANCE_SPLIT=tuning` prints the tuning half pair by pair.
//!
//! Then the command line: `vellum changes`, the score in `log` and `diff
//! --stat`, the derived index, relative times.

mod common;

use std::path::Path;

use common::{add, stdout_of, vellum};
use serde::Deserialize;
use serde_json::Value;
use vellum::significance::{Context, score};

#[derive(Deserialize)]
struct Pair {
    id: String,
    split: String,
    label: String,
    old: String,
    new: String,
}

fn pairs() -> Vec<Pair> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/significance/pairs.jsonl.zst"
    );
    let bytes = zstd::decode_all(std::fs::File::open(path).unwrap()).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// ROC AUC: the chance that a substantive pair scores above a cosmetic
/// one (ties count half).
fn auc(scored: &[(f64, bool)]) -> f64 {
    let pos: Vec<f64> = scored.iter().filter(|s| s.1).map(|s| s.0).collect();
    let neg: Vec<f64> = scored.iter().filter(|s| !s.1).map(|s| s.0).collect();
    let mut wins = 0.0;
    for p in &pos {
        for n in &neg {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (pos.len() * neg.len()) as f64
}

/// The share of substantive pairs among the `k` highest scores (ties
/// broken against the scorer: cosmetic first).
fn precision_at(scored: &[(f64, bool)], k: usize) -> f64 {
    let mut v = scored.to_vec();
    v.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    v.iter().take(k).filter(|s| s.1).count() as f64 / k.min(v.len()) as f64
}

struct Measured {
    auc: f64,
    p10: f64,
    pos: usize,
    neg: usize,
}

fn measure(split: &str, verbose: bool) -> Measured {
    let mut scored = Vec::new();
    for p in pairs().into_iter().filter(|p| p.split == split) {
        let s = score(&p.old, &p.new, &Context::default());
        let substantive = p.label == "S";
        if verbose {
            println!("{:.3}\t{}\t{}\t{}", s.value, p.label, p.id, s.summary());
        }
        scored.push((s.value, substantive));
    }
    Measured {
        auc: auc(&scored),
        p10: precision_at(&scored, 10),
        pos: scored.iter().filter(|s| s.1).count(),
        neg: scored.iter().filter(|s| !s.1).count(),
    }
}

#[test]
fn auc_and_precision_are_computed_as_defined() {
    let s = [(0.9, true), (0.8, false), (0.7, true), (0.1, false)];
    // Pairs (pos, neg): 0.9>0.8, 0.9>0.1, 0.7<0.8, 0.7>0.1: 3 of 4.
    assert_eq!(auc(&s), 0.75);
    assert_eq!(auc(&[(0.5, true), (0.5, false)]), 0.5);
    assert_eq!(precision_at(&s, 2), 0.5);
    assert_eq!(precision_at(&[(0.5, false), (0.5, true)], 1), 0.0);
}

#[test]
fn the_split_was_fixed_before_the_scorer() {
    let all = pairs();
    assert_eq!(all.len(), 81);
    let held = all.iter().filter(|p| p.split == "heldout").count();
    assert_eq!(held, 43);
    assert!(all.iter().all(|p| p.label == "S" || p.label == "C"));
}

/// The figures in docs/significance.md (`scripts/eval-significance.sh`).
/// The floor guards against a scorer change that makes things worse.
#[test]
fn held_out_measurement() {
    let split = std::env::var("VELLUM_SIGNIFICANCE_SPLIT").unwrap_or_else(|_| "heldout".into());
    let verbose = std::env::var_os("VELLUM_SIGNIFICANCE_VERBOSE").is_some() || split == "tuning";
    let m = measure(&split, verbose);
    println!(
        "split {split}: {} substantive, {} cosmetic; ROC AUC {:.3}; precision at 10 {:.2}",
        m.pos, m.neg, m.auc, m.p10
    );
    assert!(m.auc >= 0.8, "ROC AUC {:.3} below the floor", m.auc);
}

// ------------------------------------------------------------ command line

const BASE: &str = "Council budget\n\nThe council will approve the budget of 4 million on Monday.\n\nMore \"details\" follow.\n";

/// A store where `cosmetic` changed only its quotes' typography and
/// `substantive` its figure and a negation, both a day apart in 2020.
fn two_changes(dir: &Path) -> std::path::PathBuf {
    let store = dir.join("s");
    let f = dir.join("a.txt");
    let typo = BASE.replace("\"details\"", "\u{201c}details\u{201d}");
    let edit = BASE.replace(
        "will approve the budget of 4",
        "will not approve the budget of 9",
    );
    for (doc, new) in [("cosmetic", typo), ("substantive", edit)] {
        std::fs::write(&f, BASE).unwrap();
        add(&store, &f, doc, "2020-01-01T00:00:00Z");
        std::fs::write(&f, new).unwrap();
        add(&store, &f, doc, "2020-01-02T00:00:00Z");
    }
    store
}

fn json_lines(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn changes_lists_the_archive_most_significant_first() {
    let tmp = tempfile::tempdir().unwrap();
    let store = two_changes(tmp.path());
    let items = json_lines(&stdout_of(vellum(&store).args(["changes", "--json"])));
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0]["doc"], "substantive");
    assert!(items[0]["score"].as_f64().unwrap() > 0.5, "{items:?}");
    assert!(items[1]["score"].as_f64().unwrap() < 0.1, "{items:?}");
    let signals: Vec<&str> = items[0]["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["signal"].as_str().unwrap())
        .collect();
    assert!(
        signals.contains(&"numbers") && signals.contains(&"negation"),
        "{signals:?}"
    );
    assert_eq!(items[0]["excerpt"]["added"], "not");
    // The versions and capture ids are those `log` shows.
    let log = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "substantive",
        "--json",
    ])));
    assert_eq!(items[0]["from"]["capture"], log[0]["capture"]);
    assert_eq!(items[0]["to"]["capture"], log[1]["capture"]);
    assert_eq!(items[0]["to"]["version"], 2);
    // --min-score keeps the substantive one; the table shows it first.
    let kept = json_lines(&stdout_of(vellum(&store).args([
        "changes",
        "--json",
        "--min-score",
        "0.3",
    ])));
    assert_eq!(kept.len(), 1);
    let table = stdout_of(vellum(&store).arg("changes"));
    let rows: Vec<&str> = table.lines().filter(|l| l.contains("@1..@2")).collect();
    assert!(rows[0].contains("substantive@1..@2"), "{table}");
    assert!(table.contains("+[not]"), "{table}");
}

#[test]
fn changes_since_takes_relative_times_and_refuses_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let f = tmp.path().join("a.txt");
    for (doc, old_at, new_at) in [("older", "10d", "5d"), ("recent", "2d", "1h")] {
        std::fs::write(&f, BASE).unwrap();
        add(&store, &f, doc, old_at);
        std::fs::write(&f, BASE.replace("4 million", "5 million")).unwrap();
        add(&store, &f, doc, new_at);
    }
    let docs = |args: &[&str]| -> Vec<String> {
        let out = stdout_of(vellum(&store).arg("changes").arg("--json").args(args));
        json_lines(&out)
            .iter()
            .map(|v| v["doc"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(docs(&["--since", "1d"]), ["recent"]);
    assert_eq!(docs(&["--since", "1w"]).len(), 2);
    assert_eq!(docs(&["--since", "2000-01-01"]).len(), 2);
    // log takes relative times too.
    let log = stdout_of(vellum(&store).args(["log", "recent", "--json", "--since", "3h"]));
    assert_eq!(json_lines(&log).len(), 1);
    for (args, says) in [
        (&["changes", "--since", "3y"][..], "30m, 12h, 1d or 2w"),
        (&["changes", "--min-score", "2"][..], "between 0 and 1"),
    ] {
        let out = vellum(&store).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(says));
    }
}

#[test]
fn log_and_diff_stat_show_the_score() {
    let tmp = tempfile::tempdir().unwrap();
    let store = two_changes(tmp.path());
    let table = stdout_of(vellum(&store).args(["log", "substantive"]));
    assert!(table.lines().next().unwrap().contains("SCORE"), "{table}");
    let json = json_lines(&stdout_of(vellum(&store).args([
        "log",
        "substantive",
        "--json",
    ])));
    assert!(json[0]["score"].is_null());
    assert!(json[1]["score"].as_f64().unwrap() > 0.5, "{json:?}");
    let stat = stdout_of(vellum(&store).args(["diff", "substantive@1", "substantive@2", "--stat"]));
    assert!(stat.contains("significance 0."), "{stat}");
    assert!(stat.contains("negation"), "{stat}");
    let stat = stdout_of(vellum(&store).args(["log", "cosmetic", "--stat"]));
    assert!(stat.contains("significance 0.01: formatting"), "{stat}");
}

#[test]
fn the_index_is_derived_and_rebuilt_from_the_objects() {
    let tmp = tempfile::tempdir().unwrap();
    let store = two_changes(tmp.path());
    let file = store.join("significance.sqlite");
    let stored = |file: &Path| -> i64 {
        let conn = rusqlite::Connection::open(file).unwrap();
        conn.query_row("SELECT count(*) FROM scores", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(stored(&file), 2, "add scores each new change");
    let before = stdout_of(vellum(&store).args(["changes", "--json"]));
    // Readers never write the store: without the file, or with a damaged
    // one, they score in memory and answer the same.
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        stdout_of(vellum(&store).args(["changes", "--json"])),
        before
    );
    assert!(!file.exists());
    std::fs::write(&file, b"not a database").unwrap();
    assert_eq!(
        stdout_of(vellum(&store).args(["changes", "--json"])),
        before
    );
    // A writer (here reindex) rebuilds it from the objects.
    vellum(&store).arg("reindex").assert().success();
    assert_eq!(stored(&file), 2);
    assert_eq!(
        stdout_of(vellum(&store).args(["changes", "--json"])),
        before
    );
}

#[test]
fn the_web_timeline_shows_each_change_score() {
    let tmp = tempfile::tempdir().unwrap();
    let store = two_changes(tmp.path());
    let before = common::listing(&store);
    let serve = common::start_serve(&store, &[]);
    let mut res = ureq::get(format!("{}/doc/substantive", serve.base))
        .call()
        .unwrap();
    let page = res.body_mut().read_to_string().unwrap();
    assert!(page.contains("<th class=\"n\">Score</th>"), "{page}");
    let score = json_lines(&stdout_of(vellum(&store).args(["changes", "--json"])))[0]["score"]
        .as_f64()
        .unwrap();
    assert!(page.contains(&format!(">{score:.2}</span>")), "{page}");
    assert!(page.contains("title=\"words ("), "{page}");
    drop(serve);
    assert_eq!(common::listing(&store), before, "serving writes nothing");
}
