//! Significance scores measured on the labelled set of real edit pairs
//! (`tests/fixtures/significance/`, `docs/significance.md`): ROC AUC and
//! precision at 10, computed here from the scores, on one half of the set.
//!
//! `scripts/eval-significance.sh` prints the held-out figures;
//! `VELLUM_SIGNIFICANCE_SPLIT=tuning` prints the tuning half pair by pair.

use serde::Deserialize;
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
