//! Quality of the word diff on known edits.
//!
//! Texts from the repository's fixtures (the sample articles, the two
//! Wikipedia revisions of diff-match-patch's speed test, and a policy page
//! built from them whose paragraphs repeat) get seeded edits whose effect is
//! known: words replaced, inserted, deleted; paragraphs added, removed,
//! duplicated, replaced by an unrelated one, moved, moved and edited;
//! typography swapped for its HTML character references or curly forms;
//! case changed on a moved paragraph. Each case is scored by the multiset of
//! changed words (`-word`, `+word`), so of two equally small diffs (which
//! copy of a repeated paragraph was removed) neither is an error. A moved
//! paragraph changes only the words edited inside it.
//!
//! The bar: precision and recall of vellum's changed words over all cases
//! each at least 0.997, and on no case an F1 more than 0.02 below a plain
//! word LCS of the two texts (what `git diff --word-diff` computes). The five
//! worst cases are printed (`cargo test --test diff_quality -- --nocapture`).

use std::collections::{HashMap, HashSet};

use similar::{Algorithm, DiffTag, capture_diff_slices};
use vellum::diff::tokenize::{is_word, tokenize};
use vellum::diff::{Diff, DiffOptions, OpTag, diff};

const ARTICLES: [&str; 5] = [
    include_str!("fixtures/articles/blog-repost-2019-02-12.txt"),
    include_str!("fixtures/articles/globalresearch-2019-02-12.md"),
    include_str!("fixtures/articles/globalresearch-2017-10-12.md"),
    include_str!("fixtures/articles/globalresearch-2018-11-24.md"),
    include_str!("fixtures/articles/zamanalwasl-france-deal.txt"),
];
const WIKI: [&str; 2] = [
    include_str!("fixtures/revisions/dmp-speedtest1.txt"),
    include_str!("fixtures/revisions/dmp-speedtest2.txt"),
];

/// Cases generated per source text.
const CASES_PER_TEXT: u64 = 40;
/// Cases generated per corpus document (bigger texts).
const CORPUS_CASES_PER_TEXT: u64 = 12;

/// A small deterministic generator (xorshift64*), so every run scores the
/// same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Signed words: `(true, w)` added, `(false, w)` removed, with counts.
type Words = HashMap<(bool, String), usize>;

fn add_words(words: &mut Words, added: bool, text: &str) {
    for t in tokenize(text).into_iter().filter(|t| is_word(t)) {
        *words.entry((added, t.to_owned())).or_default() += 1;
    }
}

fn word_count(text: &str) -> usize {
    tokenize(text).into_iter().filter(|t| is_word(t)).count()
}

/// The lowercased words of a text, as a set.
fn vocabulary(text: &str) -> HashSet<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| is_word(t))
        .map(str::to_lowercase)
        .collect()
}

fn jaccard(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    let common = a.intersection(b).count();
    let all = a.len() + b.len() - common;
    if all == 0 {
        0.0
    } else {
        common as f64 / all as f64
    }
}

/// Jaccard similarity of the (lowercased) word sets of two texts.
fn vocabulary_overlap(a: &str, b: &str) -> f64 {
    jaccard(&vocabulary(a), &vocabulary(b))
}

/// The paragraphs of a source text, at blank lines.
fn paragraphs(text: &str) -> Vec<String> {
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A policy page: a notice repeated word for word, and a table of cookies
/// whose descriptions differ in a word or two, among article paragraphs.
fn policy_page() -> String {
    let notice = "We use cookies to make this site work and to measure how it is used. You can change your cookie settings at any time in your browser.";
    let cookies = [
        ("_ga", "Google Analytics", "2 years"),
        ("_gid", "Google Analytics", "24 hours"),
        ("_gat", "Google Analytics", "1 minute"),
        ("_fbp", "Facebook", "3 months"),
        ("__cf_bm", "Cloudflare", "30 minutes"),
        ("NID", "Google", "6 months"),
        ("IDE", "Google DoubleClick", "1 year"),
        ("test_cookie", "Google DoubleClick", "15 minutes"),
    ];
    let article = paragraphs(ARTICLES[2]);
    let mut out = Vec::new();
    for (k, (name, who, how_long)) in cookies.iter().enumerate() {
        out.push(format!(
            "Cookie {name}. This cookie is set by {who} to tell visitors apart and to store how they use the website. It expires after {how_long}."
        ));
        if k % 3 == 2 {
            out.push(notice.to_owned());
        }
        if let Some(p) = article.get(k + 4) {
            out.push(p.clone());
        }
    }
    out.push(notice.to_owned());
    out.join("\n\n")
}

/// One generated case: old and new text, what changed, and the options
/// to diff them with.
struct Case {
    name: String,
    old: String,
    new: String,
    truth: Words,
    opts: DiffOptions,
}

/// Paragraphs of the new text, each remembering whether an edit touched it
/// (an edit never touches a paragraph twice, so the truth stays known).
struct Doc {
    paras: Vec<(String, bool)>,
    truth: Words,
    fresh: usize,
    names: Vec<&'static str>,
    /// Whole paragraphs removed and added, to check the seeded edits are
    /// the smallest explanation of the change.
    removed: Vec<String>,
    added: Vec<String>,
}

impl Doc {
    /// An untouched paragraph with at least `min_words` words.
    fn pick(&self, rng: &mut Rng, min_words: usize) -> Option<usize> {
        let ok: Vec<usize> = (0..self.paras.len())
            .filter(|&i| !self.paras[i].1 && word_count(&self.paras[i].0) >= min_words)
            .collect();
        (!ok.is_empty()).then(|| ok[rng.below(ok.len())])
    }

    fn fresh_word(&mut self) -> String {
        self.fresh += 1;
        format!("vqz{}x", self.fresh)
    }

    /// Replaces, inserts or deletes one word inside paragraph `i`.
    fn word_edit(&mut self, rng: &mut Rng, i: usize) {
        let text = self.paras[i].0.clone();
        let toks = tokenize(&text);
        let words: Vec<usize> = (0..toks.len()).filter(|&k| is_word(toks[k])).collect();
        // Away from the paragraph's ends, between two spaces.
        let inner: Vec<usize> = words
            .iter()
            .copied()
            .filter(|&k| k >= 2 && k + 2 < toks.len())
            .filter(|&k| toks[k - 1] == " " && toks[k + 1] == " ")
            .collect();
        if inner.is_empty() {
            return;
        }
        let k = inner[rng.below(inner.len())];
        let fresh = self.fresh_word();
        let mut out: Vec<String> = toks.iter().map(|t| (*t).to_owned()).collect();
        match rng.below(3) {
            0 => {
                add_words(&mut self.truth, false, toks[k]);
                add_words(&mut self.truth, true, &fresh);
                out[k] = fresh;
                self.names.push("word replaced");
            }
            1 => {
                add_words(&mut self.truth, true, &fresh);
                out[k] = format!("{} {fresh}", toks[k]);
                self.names.push("word inserted");
            }
            _ => {
                add_words(&mut self.truth, false, toks[k]);
                out[k].clear();
                out[k - 1].clear();
                self.names.push("word deleted");
            }
        }
        self.paras[i] = (out.concat(), true);
    }

    /// Moves paragraph `i` at least two places away; returns its new index.
    fn move_para(&mut self, rng: &mut Rng, i: usize) -> Option<usize> {
        let n = self.paras.len();
        let targets: Vec<usize> = (0..n).filter(|&t| t.abs_diff(i) >= 2).collect();
        if targets.is_empty() {
            return None;
        }
        let t = targets[rng.below(targets.len())];
        // Identical paragraphs are interchangeable: taking one copy of a
        // repeated paragraph from here and putting it there is no move (the
        // diff shows a removal and an addition, as git does), and which
        // words that changes depends on the copies: not a seeded move.
        if self.paras.iter().filter(|q| q.0 == self.paras[i].0).count() > 1 {
            return None;
        }
        let p = self.paras.remove(i);
        let at = t.min(self.paras.len());
        self.paras.insert(at, (p.0, true));
        Some(at)
    }

    fn edit(&mut self, rng: &mut Rng, other: &[String], kind: usize) {
        if other.is_empty() && matches!(kind, 1 | 6) {
            return;
        }
        match kind {
            // One word.
            0 => {
                if let Some(i) = self.pick(rng, 8) {
                    self.word_edit(rng, i);
                }
            }
            // A paragraph added, from another text.
            1 => {
                let p = other[rng.below(other.len())].clone();
                add_words(&mut self.truth, true, &p);
                self.added.push(p.clone());
                let at = rng.below(self.paras.len() + 1);
                self.paras.insert(at, (p, true));
                self.names.push("paragraph added");
            }
            // A paragraph removed.
            2 => {
                if let Some(i) = self.pick(rng, 1) {
                    add_words(&mut self.truth, false, &self.paras[i].0);
                    self.removed.push(self.paras.remove(i).0);
                    self.names.push("paragraph removed");
                }
            }
            // A paragraph repeated: a copy of one put elsewhere.
            3 => {
                if let Some(i) = self.pick(rng, 1) {
                    let p = self.paras[i].0.clone();
                    add_words(&mut self.truth, true, &p);
                    self.added.push(p.clone());
                    let at = rng.below(self.paras.len() + 1);
                    self.paras.insert(at, (p, true));
                    self.names.push("paragraph repeated");
                }
            }
            // A paragraph moved.
            4 => {
                if let Some(i) = self.pick(rng, 8)
                    && self.move_para(rng, i).is_some()
                {
                    self.names.push("paragraph moved");
                }
            }
            // A paragraph moved and one word in it edited.
            5 => {
                if let Some(i) = self.pick(rng, 12)
                    && let Some(at) = self.move_para(rng, i)
                {
                    self.names.push("moved and edited:");
                    self.word_edit(rng, at);
                }
            }
            // A paragraph replaced by an unrelated one (one sharing few
            // words with it: the texts share boilerplate).
            _ => {
                if let Some(i) = self.pick(rng, 4) {
                    let unrelated: Vec<&String> = other
                        .iter()
                        .filter(|p| vocabulary_overlap(p, &self.paras[i].0) < 0.15)
                        .collect();
                    if unrelated.is_empty() {
                        return;
                    }
                    let p = unrelated[rng.below(unrelated.len())].clone();
                    add_words(&mut self.truth, false, &self.paras[i].0);
                    add_words(&mut self.truth, true, &p);
                    self.removed.push(self.paras[i].0.clone());
                    self.added.push(p.clone());
                    self.paras[i] = (p, true);
                    self.names.push("paragraph replaced");
                }
            }
        }
    }
}

/// Typographic variants that `--ignore-typography` must see through: HTML
/// character references and the characters they stand for, curly quotes,
/// dashes, no-break spaces.
fn typography(text: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut open = true;
    for c in text.chars() {
        let swap = rng.below(3) == 0;
        match c {
            '"' if swap => {
                out.push_str(if open { "&ldquo;" } else { "&rdquo;" });
                open = !open;
            }
            '"' => {
                out.push(if open { '“' } else { '”' });
                open = !open;
            }
            '\'' if swap => out.push_str("&rsquo;"),
            '\'' => out.push('’'),
            '’' => out.push_str("&#8217;"),
            '&' => out.push_str("&amp;"),
            '—' => out.push_str("&mdash;"),
            ' ' if rng.below(40) == 0 => out.push_str(if swap { "&nbsp;" } else { "\u{a0}" }),
            c => out.push(c),
        }
    }
    out
}

/// The texts in the repository: the sample articles, the Wikipedia
/// revisions, the policy page.
fn fixture_sources() -> Vec<(String, String)> {
    let mut sources: Vec<(String, String)> = ARTICLES
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("article{}", i + 1), (*t).to_owned()))
        .collect();
    sources.push(("wiki1".into(), WIKI[0].to_owned()));
    sources.push(("wiki2".into(), WIKI[1].to_owned()));
    sources.push(("policy".into(), policy_page()));
    sources
}

/// The newest version of each document of the benchmark corpus
/// (`$VELLUM_CORPUS`, else `../shared/corpus/pga-versions` beside the
/// repository), when it is there.
fn corpus_sources() -> Option<Vec<(String, String)>> {
    let dir = std::env::var_os("VELLUM_CORPUS").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/pga-versions"),
        std::path::PathBuf::from,
    );
    let mut docs: Vec<_> = std::fs::read_dir(dir.join("versions"))
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    docs.sort();
    let mut out = Vec::new();
    for doc in docs {
        let mut versions: Vec<_> = std::fs::read_dir(&doc)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        versions.sort();
        let text = std::fs::read_to_string(versions.last()?).ok()?;
        let name = doc.file_name()?.to_string_lossy().into_owned();
        out.push((name, text));
    }
    Some(out)
}

fn cases(sources: &[(String, String)], per_text: u64) -> Vec<Case> {
    let pool: Vec<Vec<String>> = sources.iter().map(|(_, t)| paragraphs(t)).collect();
    let mut out = Vec::new();
    for (s, (source, text)) in sources.iter().enumerate() {
        let base = paragraphs(text);
        let base_sets: Vec<_> = base.iter().map(|p| vocabulary(p)).collect();
        // Paragraphs to add come from the other texts, but not those close
        // to one of this text (the sample articles share boilerplate): an
        // added near copy of a removed paragraph is better explained as an
        // edit of it, and the seeded truth would not be the smallest diff.
        let other: Vec<String> = pool
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != s)
            .flat_map(|(_, p)| p.iter().filter(|p| word_count(p) >= 4).cloned())
            .filter(|p| {
                let set = vocabulary(p);
                base_sets.iter().all(|q| jaccard(&set, q) < 0.3)
            })
            .collect();
        for seed in 0..per_text {
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((seed + 1) * 0x1000_0001) ^ s as u64);
            let mut doc = loop {
                let mut doc = Doc {
                    paras: base.iter().map(|p| (p.clone(), false)).collect(),
                    truth: Words::new(),
                    fresh: 0,
                    names: Vec::new(),
                    removed: Vec::new(),
                    added: Vec::new(),
                };
                let edits = 1 + rng.below(3);
                for _ in 0..edits {
                    let kind = rng.below(7);
                    doc.edit(&mut rng, &other, kind);
                }
                // A paragraph removed and a near copy of it added (the
                // policy page's cookies are near copies) are better
                // explained as one paragraph edited: the seeded truth
                // would not be the smallest diff. Draw again.
                let known = doc
                    .removed
                    .iter()
                    .all(|r| doc.added.iter().all(|a| vocabulary_overlap(r, a) < 0.3));
                if known {
                    break doc;
                }
            };
            let mut opts = DiffOptions::default();
            match seed % 8 {
                // Typography: one untouched paragraph in its other forms.
                6 => {
                    if let Some(i) = doc.pick(&mut rng, 1) {
                        let p = typography(&doc.paras[i].0, &mut rng);
                        doc.paras[i] = (p, true);
                        doc.names.push("typography");
                        opts.ignore_typography = true;
                    }
                }
                // A paragraph moved with its first word's case changed.
                7 => {
                    if let Some(i) = doc.pick(&mut rng, 8)
                        && let Some(at) = doc.move_para(&mut rng, i)
                    {
                        let p = &doc.paras[at].0;
                        let first = p.split(' ').next().unwrap_or_default();
                        let p = format!("{}{}", first.to_uppercase(), &p[first.len()..]);
                        doc.paras[at].0 = p;
                        doc.names.push("moved, case changed");
                        opts.ignore_case = true;
                    }
                }
                _ => {}
            }
            out.push(Case {
                name: format!("{source} #{seed}: {}", doc.names.join(", ")),
                old: base.join("\n\n"),
                new: doc
                    .paras
                    .iter()
                    .map(|p| p.0.as_str())
                    .collect::<Vec<_>>()
                    .join("\n\n"),
                truth: doc.truth,
                opts,
            });
        }
    }
    out
}

/// The words vellum reports as changed: visible changes outside moved
/// paragraphs, and the word changes inside them.
fn vellum_words(d: &Diff) -> Words {
    let mut out = Words::new();
    let inner = d.moves.iter().flat_map(|m| &m.ops);
    for op in d.ops.iter().filter(|op| !op.moved).chain(inner) {
        if op.op != OpTag::Equal && !op.ignored {
            add_words(&mut out, op.op == OpTag::Insert, &op.text);
        }
    }
    out
}

/// The words a plain LCS of the two texts' tokens reports as changed.
fn lcs_words(old: &str, new: &str) -> Words {
    let (o, n) = (tokenize(old), tokenize(new));
    let mut out = Words::new();
    for op in capture_diff_slices(Algorithm::Myers, &o, &n) {
        let (tag, ro, rn) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            add_words(&mut out, false, &o[ro].concat());
            add_words(&mut out, true, &n[rn].concat());
        }
    }
    out
}

/// (true positives, reported, true) for one case.
fn score(found: &Words, truth: &Words) -> (usize, usize, usize) {
    let tp = found
        .iter()
        .map(|(k, &n)| n.min(truth.get(k).copied().unwrap_or(0)))
        .sum();
    (tp, found.values().sum(), truth.values().sum())
}

fn f1((tp, found, truth): (usize, usize, usize)) -> f64 {
    if found + truth == 0 {
        1.0
    } else {
        2.0 * tp as f64 / (found + truth) as f64
    }
}

#[test]
fn changed_words_match_the_seeded_edits() {
    evaluate(&cases(&fixture_sources(), CASES_PER_TEXT));
}

/// The same on the newest version of each corpus document (real policy
/// pages, with their repeated paragraphs); skipped when the corpus is not
/// there. Its texts are large, so it runs on request:
/// `cargo test --release --test diff_quality -- --include-ignored`.
#[test]
#[ignore = "needs the benchmark corpus and takes minutes in a debug build"]
fn changed_words_match_the_seeded_edits_on_the_corpus() {
    let Some(sources) = corpus_sources() else {
        println!("benchmark corpus not found (set VELLUM_CORPUS): skipped");
        return;
    };
    evaluate(&cases(&sources, CORPUS_CASES_PER_TEXT));
}

fn evaluate(cases: &[Case]) {
    let (mut tp, mut found, mut truth) = (0, 0, 0);
    let (mut lcs_tp, mut lcs_found) = (0, 0);
    let mut rows = Vec::new();
    let mut behind = Vec::new();
    for case in cases {
        let d = diff(&case.old, &case.new, &case.opts);
        assert_eq!(d.old_text(), case.old, "{}", case.name);
        assert_eq!(d.new_text(), case.new, "{}", case.name);
        if std::env::var("QUALITY_SHOW").is_ok_and(|v| case.name.starts_with(&v)) {
            // Debugging aid: the changes of one case, and the truth.
            println!("== {}\ntruth: {:?}", case.name, case.truth);
            for op in d.ops.iter().filter(|o| o.op != OpTag::Equal) {
                println!("{op:?}");
            }
            for m in &d.moves {
                println!("{m:?}");
            }
        }
        let mine = score(&vellum_words(&d), &case.truth);
        let lcs = score(&lcs_words(&case.old, &case.new), &case.truth);
        tp += mine.0;
        found += mine.1;
        truth += mine.2;
        lcs_tp += lcs.0;
        lcs_found += lcs.1;
        let (f, g) = (f1(mine), f1(lcs));
        if f < g - 0.02 {
            behind.push(format!("{}: F1 {f:.3}, plain LCS {g:.3}", case.name));
        }
        rows.push((f, g, mine, case.name.clone()));
    }
    let precision = tp as f64 / found.max(1) as f64;
    let recall = tp as f64 / truth.max(1) as f64;
    println!(
        "{} cases: precision {precision:.4}, recall {recall:.4} ({tp} of {found} reported, {truth} true changed words)",
        cases.len()
    );
    println!(
        "plain word LCS: precision {:.4}, recall {:.4}",
        lcs_tp as f64 / lcs_found.max(1) as f64,
        lcs_tp as f64 / truth.max(1) as f64
    );
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    println!("worst five:");
    for (f, g, (tp, found, truth), name) in rows.iter().take(5) {
        println!(
            "  F1 {f:.3} (plain LCS {g:.3}; {tp} right of {found} reported, {truth} true): {name}"
        );
    }
    assert!(
        behind.is_empty(),
        "worse than a plain LCS:\n{}",
        behind.join("\n")
    );
    assert!(precision >= 0.997, "precision {precision:.4}");
    assert!(recall >= 0.997, "recall {recall:.4}");
}
