//! A synthetic republication network with ground truth, for
//! `tests/republication.rs` and `examples/similar_bench.rs`: originals
//! spread over made-up sites (each with its own boilerplate header and
//! footer), and copies of them elsewhere: cut to 30–70%, padded with site
//! chrome, paragraphs shuffled, lightly edited.
#![allow(dead_code)]

/// A small deterministic generator (splitmix64).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Original,
    /// Kept only the first 30% of the paragraphs.
    Cut30,
    /// Kept 30-70% of the paragraphs, a contiguous run.
    Cut,
    /// Everything, shuffled.
    Shuffled,
    /// Everything, lightly edited (a word per third paragraph, typography).
    Edited,
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub name: String,
    pub site: usize,
    /// Ground truth: the original it comes from.
    pub story: usize,
    pub kind: Kind,
    pub text: String,
    /// Seconds after the network's start.
    pub at: i64,
}

pub fn site_name(site: usize) -> String {
    const NAMES: [&str; 8] = [
        "Daily Meridian",
        "Free Voice Blog",
        "Eastern Observer",
        "Truth Ledger",
        "World Wire Review",
        "Frontline Digest",
        "Citizen Courier",
        "Open Horizon News",
    ];
    match NAMES.get(site) {
        Some(n) => (*n).to_owned(),
        None => format!("Site {site} Network"),
    }
}

/// A site's boilerplate: before and after every article it carries.
pub fn chrome(site: usize) -> (Vec<String>, Vec<String>) {
    let s = site_name(site);
    (
        vec![
            format!("{s} | Home | World | Politics | Economy | Opinion"),
            format!("Subscribe to the {s} newsletter for daily updates from our editors."),
        ],
        vec![
            format!(
                "Note to readers: please click the share buttons above. Forward this article from {s} to your email lists. Crosspost on your blog site, internet forums."
            ),
            format!("The original source of this article is {s}. Copyright © {s}, 2019."),
            format!(
                "Disclaimer: The contents of this article are of sole responsibility of the author(s). {s} will not be responsible for any inaccurate or incorrect statement in this article. {s} grants permission to cross-post articles on community internet sites as long the source and copyright are acknowledged together with a hyperlink to the original article."
            ),
        ],
    )
}

/// Word salad from `vocab`: `paras` paragraphs of about `words` words.
pub fn salad(rng: &mut Rng, vocab: &[&str], paras: usize, words: usize) -> Vec<String> {
    (0..paras)
        .map(|_| {
            let n = words / 2 + rng.below(words);
            let mut p: Vec<&str> = (0..n).map(|_| vocab[rng.below(vocab.len())]).collect();
            p.push("end.");
            p.join(" ")
        })
        .collect()
}

fn edit(rng: &mut Rng, para: &str) -> String {
    let mut words: Vec<String> = para.split(' ').map(str::to_owned).collect();
    let i = rng.below(words.len());
    words[i] = match rng.below(3) {
        0 => format!("{}s", words[i]),
        1 => "reportedly".to_owned(),
        _ => words[i].to_uppercase(),
    };
    words.join(" ").replace('\'', "’")
}

/// The network: every original on a site of its own, then `copies` copies
/// on other sites (kinds in turn), each copy framed by its site's chrome
/// plus a byline of its own.
pub fn build(
    originals: &[Vec<String>],
    home_of: impl Fn(usize) -> usize,
    sites: usize,
    copies: usize,
    seed: u64,
) -> Vec<Doc> {
    let mut rng = Rng(seed);
    let mut docs = Vec::new();
    let kinds = [Kind::Cut30, Kind::Cut, Kind::Shuffled, Kind::Edited];
    for (story, paras) in originals.iter().enumerate() {
        let home = home_of(story) % sites;
        let make = |rng: &mut Rng, site: usize, kind: Kind, n: usize| {
            let mut body: Vec<String> = match kind {
                Kind::Original => paras.clone(),
                Kind::Cut30 => paras[..(paras.len() * 3).div_ceil(10)].to_vec(),
                Kind::Cut => {
                    let keep = 0.3 + 0.4 * rng.unit();
                    let k = ((paras.len() as f64 * keep).ceil() as usize).clamp(1, paras.len());
                    let from = rng.below(paras.len() - k + 1);
                    paras[from..from + k].to_vec()
                }
                Kind::Shuffled => {
                    let mut p = paras.clone();
                    for i in (1..p.len()).rev() {
                        p.swap(i, rng.below(i + 1));
                    }
                    p
                }
                Kind::Edited => paras
                    .iter()
                    .enumerate()
                    .map(|(i, p)| if i % 3 == 0 { edit(rng, p) } else { p.clone() })
                    .collect(),
            };
            if kind != Kind::Original && kind != Kind::Edited && rng.below(2) == 0 {
                let i = rng.below(body.len());
                body[i] = edit(rng, &body[i]);
            }
            let (head, foot) = chrome(site);
            let mut all = head;
            all.push(format!(
                "Posted by staff writer {} on day {} of the month",
                ["Ann Lee", "Omar Haddad", "Piet de Vries", "Maria Rossi"][rng.below(4)],
                1 + rng.below(28)
            ));
            all.extend(body);
            all.extend(foot);
            Doc {
                name: format!(
                    "story{story}-{n}-{}",
                    site_name(site).to_lowercase().replace(' ', "-")
                ),
                site,
                story,
                kind,
                text: all.join("\n\n"),
                at: (story * 100 + n) as i64 * 3600,
            }
        };
        docs.push(make(&mut rng, home, Kind::Original, 0));
        for c in 0..copies {
            let site = (home + 1 + c) % sites;
            let kind = kinds[(story + c) % kinds.len()];
            docs.push(make(&mut rng, site, kind, c + 1));
        }
    }
    docs
}

/// Pairwise precision, recall and F1 of a clustering against the truth.
pub fn pairwise_f1(truth: &[usize], predicted: &[usize]) -> (f64, f64, f64) {
    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
    for i in 0..truth.len() {
        for j in i + 1..truth.len() {
            match (truth[i] == truth[j], predicted[i] == predicted[j]) {
                (true, true) => tp += 1,
                (false, true) => fp += 1,
                (true, false) => fn_ += 1,
                _ => {}
            }
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    (p, r, f)
}

/// What `similar` and `stories` make of a network.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub docs: usize,
    /// Of `similar` top 5 over every document.
    pub precision5: f64,
    pub recall5: f64,
    /// 30% copies whose original is in their top 5.
    pub recall30: f64,
    /// 30% copies in their original's story.
    pub story_recall30: f64,
    pub story_precision: f64,
    pub story_recall: f64,
    pub story_f1: f64,
    /// Documents of one site grouped though they carry different stories.
    pub boilerplate_false_pairs: usize,
}

use std::collections::HashMap;
use vellum::republish::{self, DocEntry, Index};

/// Indexes `docs` (in one batch, as `add --batch` does) into `index`.
pub fn index_docs(index: &Index, docs: &[Doc]) {
    let texts: HashMap<&str, &str> = docs
        .iter()
        .map(|d| (d.name.as_str(), d.text.as_str()))
        .collect();
    let entries = docs.iter().map(entry).collect();
    index.begin().unwrap();
    index
        .upsert(entries, &mut |k| texts.get(k).map(|t| (*t).to_owned()))
        .unwrap();
    index.commit().unwrap();
}

pub fn entry(d: &Doc) -> DocEntry {
    DocEntry {
        doc: d.name.clone(),
        key: d.name.clone(),
        source: republish::text::source_key(Some(&site_name(d.site)), None),
        first_at: d.at * 1_000_000_000,
        capture: format!("{:064x}", republish::text::word_hash(&d.name)),
        title: None,
    }
}

/// Runs `similar` (top 5) for every document and `stories` once.
pub fn evaluate(index: &Index, docs: &[Doc]) -> Report {
    let texts: HashMap<String, std::sync::Arc<String>> = docs
        .iter()
        .map(|d| (d.name.clone(), std::sync::Arc::new(d.text.clone())))
        .collect();
    let mut get = |k: &str| texts.get(k).cloned();
    let by_name: HashMap<&str, &Doc> = docs.iter().map(|d| (d.name.as_str(), d)).collect();
    let (mut hits, mut retrieved, mut wanted) = (0usize, 0usize, 0usize);
    let (mut cut30, mut cut30_found) = (0usize, 0usize);
    for d in docs {
        let me = index.doc(&d.name).unwrap().expect("indexed");
        let q = republish::prepare_text(index, &d.text).unwrap();
        let found = republish::similar(index, &q, Some(me.id), 5, &mut get).unwrap();
        let same = docs
            .iter()
            .filter(|o| o.story == d.story && o.name != d.name)
            .count();
        wanted += same.min(5);
        retrieved += found.len();
        let rel = |s: &republish::Similar| {
            by_name
                .get(s.doc.entry.doc.as_str())
                .is_some_and(|o| o.story == d.story)
        };
        hits += found.iter().filter(|s| rel(s)).count();
        if d.kind == Kind::Cut30 {
            cut30 += 1;
            if found.iter().any(|s| {
                by_name
                    .get(s.doc.entry.doc.as_str())
                    .is_some_and(|o| o.story == d.story && o.kind == Kind::Original)
            }) {
                cut30_found += 1;
            }
        }
    }
    let stories = republish::stories(index, &mut get).unwrap();
    let mut cluster: HashMap<&str, usize> = HashMap::new();
    for (i, s) in stories.iter().enumerate() {
        for d in &s.docs {
            if let Some(o) = by_name.get(d.entry.doc.as_str()) {
                cluster.insert(o.name.as_str(), i);
            }
        }
    }
    let truth: Vec<usize> = docs.iter().map(|d| d.story).collect();
    let predicted: Vec<usize> = docs.iter().map(|d| cluster[d.name.as_str()]).collect();
    let (sp, sr, f1) = pairwise_f1(&truth, &predicted);
    let mut false_pairs = 0;
    let mut story30 = 0;
    for (i, a) in docs.iter().enumerate() {
        for (j, b) in docs.iter().enumerate().skip(i + 1) {
            if a.site == b.site && a.story != b.story && predicted[i] == predicted[j] {
                if std::env::var_os("NETWORK_DEBUG").is_some() {
                    eprintln!("false pair: {} {}", a.name, b.name);
                }
                false_pairs += 1;
            }
            if a.story == b.story
                && predicted[i] == predicted[j]
                && ((a.kind == Kind::Cut30 && b.kind == Kind::Original)
                    || (b.kind == Kind::Cut30 && a.kind == Kind::Original))
            {
                story30 += 1;
            }
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    Report {
        docs: docs.len(),
        precision5: ratio(hits, retrieved),
        recall5: ratio(hits, wanted),
        recall30: ratio(cut30_found, cut30),
        story_recall30: ratio(story30, cut30),
        story_precision: sp,
        story_recall: sr,
        story_f1: f1,
        boilerplate_false_pairs: false_pairs,
    }
}
