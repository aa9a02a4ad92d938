//! Similarity index figures for `scripts/bench-similar.sh`: quality on a
//! synthetic republication network built from a corpus, and speed over a
//! large index (index work per capture, query time).
//!
//!     cargo run --release --example similar_bench -- CORPUS_DIR [DOCS] [SCRATCH_DIR]
//!
//! CORPUS_DIR holds `versions/<doc>/<NNNN>.md`; each document's latest
//! version is cut into originals of 12 paragraphs (chunks that repeat an
//! earlier original, exactly or mostly, left out). Prints one JSON object.

#[path = "../tests/common/network.rs"]
mod network;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use network::{Doc, Kind, Rng, build, chrome, evaluate, index_docs, salad};
use vellum::republish::{self, DocEntry, Index};

const SITES: usize = 12;

/// A paragraph's word 5-grams (lowercased), hashed.
fn word_grams(p: &str) -> HashSet<u64> {
    let words: Vec<String> = p.split_whitespace().map(str::to_lowercase).collect();
    words
        .windows(5)
        .map(|w| republish::text::word_hash(&w.join(" ")))
        .collect()
}

/// Whether at least half of a paragraph's word 5-grams are in `grams`.
fn mostly_in(p: &str, grams: &HashSet<u64>) -> bool {
    let mine = word_grams(p);
    !mine.is_empty() && mine.iter().filter(|g| grams.contains(*g)).count() * 2 >= mine.len()
}

/// The originals, the vocabulary, and how many chunks were left out as
/// (exact, near) repeats of earlier originals.
fn originals(corpus: &Path) -> (Vec<Vec<String>>, Vec<String>, (usize, usize)) {
    let mut dirs: Vec<_> = std::fs::read_dir(corpus.join("versions"))
        .expect("corpus versions/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.sort();
    let (mut out, mut vocab) = (Vec::new(), Vec::new());
    let mut seen: HashSet<String> = HashSet::new();
    let mut grams: HashSet<u64> = HashSet::new();
    let mut skipped = (0, 0);
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        let Some(last) = files.last() else { continue };
        let text = std::fs::read_to_string(last).unwrap_or_default();
        let paras: Vec<String> = text
            .split("\n\n")
            .map(str::trim)
            .filter(|p| p.split_whitespace().count() >= 12)
            .map(str::to_owned)
            .collect();
        vocab.extend(text.split_whitespace().take(20_000).map(str::to_owned));
        // Policies of one company share clauses, verbatim or with a name
        // changed ("Instagram" for "Facebook"): a chunk holding a paragraph
        // already taken, or one mostly made of an earlier original's word
        // 5-grams, is in part a republication of that original, so it is no
        // separate story and is left out of the ground truth.
        for chunk in paras.chunks(12).filter(|c| c.len() >= 6) {
            if chunk.iter().any(|p| seen.contains(p)) {
                skipped.0 += 1;
            } else if chunk.iter().any(|p| mostly_in(p, &grams)) {
                skipped.1 += 1;
            } else {
                seen.extend(chunk.iter().cloned());
                for p in chunk {
                    grams.extend(word_grams(p));
                }
                out.push(chunk.to_vec());
            }
        }
    }
    (out, vocab, skipped)
}

/// A background article: word salad in a site's chrome, made from its number.
fn background(i: usize, vocab: &[&str]) -> (DocEntry, String, usize) {
    let mut rng = Rng(0xb00 + i as u64);
    let site = rng.below(SITES * 4);
    let (head, foot) = chrome(site);
    let paras = 8 + rng.below(8);
    let body = salad(&mut rng, vocab, paras, 40);
    let text = [head, body, foot].concat().join("\n\n");
    let name = format!("bg{i}");
    let entry = DocEntry {
        doc: name.clone(),
        key: name,
        source: republish::text::source_key(Some(&network::site_name(site)), None),
        first_at: i as i64,
        capture: format!("{:064x}", republish::text::word_hash(&format!("bg{i}"))),
        title: None,
    };
    (entry, text, site)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let corpus = Path::new(
        args.get(1)
            .expect("usage: similar_bench CORPUS [DOCS] [SCRATCH]"),
    );
    let total: usize = args
        .get(2)
        .map_or(100_000, |n| n.parse().expect("DOCS is a number"));
    let scratch = args.get(3).map_or_else(std::env::temp_dir, Into::into);
    let (originals, vocab_owned, skipped) = originals(corpus);
    let vocab: Vec<&str> = vocab_owned.iter().map(String::as_str).collect();

    // Quality: the network and 2,000 unrelated articles on the same sites.
    let mut docs = build(&originals, |s| s, SITES, 4, 42);
    let net = docs.len();
    let stories = originals.len();
    for i in 0..2_000 {
        let (e, text, site) = background(i, &vocab);
        docs.push(Doc {
            name: e.doc,
            site,
            story: stories + i,
            kind: Kind::Original,
            text,
            at: i as i64,
        });
    }
    let quality = Index::in_memory().unwrap();
    let t = Instant::now();
    index_docs(&quality, &docs);
    let quality_index_s = t.elapsed().as_secs_f64();
    let r = evaluate(&quality, &docs);

    // Speed: `total` documents in an index file, in batches of 1,000.
    let path = scratch.join(format!("similar-bench-{}.sqlite", std::process::id()));
    republish::index::remove(&path);
    let index = Index::open(&path).unwrap();
    let texts: HashMap<String, String> = docs[..net]
        .iter()
        .map(|d| (d.name.clone(), d.text.clone()))
        .collect();
    let mut get = |k: &str| -> Option<String> {
        match texts.get(k) {
            Some(t) => Some(t.clone()),
            None => k
                .strip_prefix("bg")
                .and_then(|n| n.parse().ok())
                .map(|i| background(i, &vocab).1),
        }
    };
    let t = Instant::now();
    let mut gen_s = 0.0;
    let net_entries: Vec<DocEntry> = docs[..net].iter().map(network::entry).collect();
    let mut pending = net_entries;
    let mut next_bg = 0;
    let mut indexed = 0;
    while indexed < total {
        let g = Instant::now();
        while pending.len() < 1_000 && indexed + pending.len() < total {
            pending.push(background(next_bg, &vocab).0);
            next_bg += 1;
        }
        // Texts are generated inside upsert too: time one generation pass
        // per batch and take it out below.
        for e in &pending {
            let _ = get(&e.key);
        }
        gen_s += g.elapsed().as_secs_f64();
        let n = pending.len();
        index.begin().unwrap();
        index
            .upsert(std::mem::take(&mut pending), &mut get)
            .unwrap();
        index.commit().unwrap();
        indexed += n;
    }
    let build_s = t.elapsed().as_secs_f64() - 2.0 * gen_s;
    // Queries: network documents (they have copies to find), texts in memory.
    let mut get_arc = |k: &str| get(k).map(std::sync::Arc::new);
    let mut rng = Rng(9);
    let mut times = Vec::new();
    let mut empty_queries = 0;
    for _ in 0..200 {
        let d = &docs[rng.below(net)];
        let id = index.doc(&d.name).unwrap().map(|d| d.id);
        let t = Instant::now();
        let q = republish::prepare_text(&index, &d.text).unwrap();
        let found = republish::similar(&index, &q, id, 10, &mut get_arc).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        if found.is_empty() {
            empty_queries += 1;
        }
    }
    let p95 = {
        let mut t = times.clone();
        t.sort_by(f64::total_cmp);
        t[t.len() * 95 / 100]
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // Single captures into the full index (as one `vellum add` each), for
    // one whole cycle of the bands staging table: from just after one merge
    // through the next, so that the mean carries its share of a merge.
    let merged = |i: &Index| i.band_rows().unwrap().1;
    let mut add = |k: usize| -> f64 {
        let (e, _, _) = background(k, &vocab);
        let t = Instant::now();
        index.begin().unwrap();
        index.upsert(vec![e], &mut get).unwrap();
        index.commit().unwrap();
        t.elapsed().as_secs_f64() * 1e3
    };
    let (mut k, mut warmup) = (next_bg, 0);
    let before = merged(&index);
    while merged(&index) <= before && warmup < 50_000 {
        add(k);
        (k, warmup) = (k + 1, warmup + 1);
    }
    let mut single = Vec::new();
    let before = merged(&index);
    while merged(&index) <= before && single.len() < 50_000 {
        single.push(add(k));
        k += 1;
    }
    let single_mean = single.iter().sum::<f64>() / single.len() as f64;
    let single_max = single.iter().copied().fold(0.0, f64::max);
    republish::index::remove(&path);
    let v = serde_json::json!({
        "network": {
            "originals": stories, "chunks_left_out_exact_repeats": skipped.0,
            "chunks_left_out_near_repeats": skipped.1, "documents": net, "background": 2000, "sites": SITES,
            "similar_top5_precision": r.precision5, "similar_top5_recall": r.recall5,
            "recall_30pct_copies": r.recall30, "story_recall_30pct_copies": r.story_recall30,
            "story_pairwise_precision": r.story_precision, "story_pairwise_recall": r.story_recall,
            "story_pairwise_f1": r.story_f1, "boilerplate_only_false_pairs": r.boilerplate_false_pairs,
            "index_seconds": quality_index_s,
        },
        "scale": {
            "documents": indexed,
            "index_ms_per_capture_batched": build_s * 1e3 / indexed as f64,
            "index_ms_single_add_mean": single_mean,
            "index_ms_single_add_median": median(&mut single),
            "index_ms_single_add_max": single_max,
            "single_adds_in_cycle": single.len(),
            "query_ms_median": median(&mut times),
            "query_ms_p95": p95,
            "queries_finding_nothing": empty_queries,
            "index_file_bytes": size,
        },
    });
    println!("{}", serde_json::to_string_pretty(&v).unwrap());
}
