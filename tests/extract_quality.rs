//! Extraction quality on five human-annotated pages of the Zyte
//! article-extraction-benchmark (tests/fixtures/aeb, MIT licence), scored
//! like the benchmark: 4-token shingles of `\w+` tokens, per-page precision
//! and recall. `scripts/bench-extract.sh` runs all 181 pages against
//! trafilatura and readability-lxml; this keeps regressions out of CI.

use std::collections::HashMap;
use std::path::Path;

use vellum::ingest::{PrepareHints, prepare};

fn shingles(text: &str) -> HashMap<Vec<String>, i64> {
    let toks: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    let mut m = HashMap::new();
    for w in toks.windows(4.min(toks.len().max(1))) {
        *m.entry(w.to_vec()).or_insert(0) += 1;
    }
    m
}

fn precision_recall(truth: &str, pred: &str) -> (f64, f64) {
    let (t, p) = (shingles(truth), shingles(pred));
    let (mut tp, mut fp, mut fn_) = (0i64, 0i64, 0i64);
    for k in t.keys().chain(p.keys().filter(|k| !t.contains_key(*k))) {
        let (a, b) = (
            t.get(k).copied().unwrap_or(0),
            p.get(k).copied().unwrap_or(0),
        );
        tp += a.min(b);
        fp += (b - a).max(0);
        fn_ += (a - b).max(0);
    }
    let prec = if tp + fp == 0 {
        0.0
    } else {
        tp as f64 / (tp + fp) as f64
    };
    let rec = if tp + fn_ == 0 {
        0.0
    } else {
        tp as f64 / (tp + fn_) as f64
    };
    (prec, rec)
}

#[test]
fn benchmark_pages_keep_the_article_and_little_else() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aeb");
    let truth: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("ground-truth.json")).unwrap()).unwrap();
    let truth = truth.as_object().unwrap();
    assert_eq!(truth.len(), 5);
    let (mut sum_p, mut sum_r) = (0.0, 0.0);
    for (id, page) in truth {
        let html = std::fs::read(dir.join(format!("{}.html", &id[..16]))).unwrap();
        let url = page["url"].as_str().unwrap();
        let p = prepare(
            &html,
            PrepareHints {
                page_url: Some(url),
                ..Default::default()
            },
        );
        let a = p.article.expect("an HTML page");
        let (prec, rec) = precision_recall(page["articleBody"].as_str().unwrap(), &a.body);
        assert!(
            prec >= 0.9 && rec >= 0.95,
            "{url}: precision {prec:.3} recall {rec:.3}\n{}",
            a.body
        );
        assert!(a.title.is_some() && a.flag.is_none(), "{url}: {a:?}");
        sum_p += prec;
        sum_r += rec;
    }
    let (p, r) = (sum_p / 5.0, sum_r / 5.0);
    assert!(
        2.0 * p * r / (p + r) >= 0.97,
        "mean precision {p:.3} recall {r:.3}"
    );
}
