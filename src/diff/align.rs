//! Alignment: paragraphs first, then words inside paragraphs that pair up.
//!
//! Diffing a whole document word by word both costs too much and reads badly
//! (a common "the" in an unrelated paragraph becomes an anchor). So:
//!
//! 1. Each text is cut into paragraphs at blank lines (over-long ones further
//!    at line, sentence, then space boundaries), each keeping its separator so
//!    the texts rebuild exactly.
//! 2. Paragraph hashes (of their comparison keys) are aligned with Patience,
//!    a nearly identical paragraph counting as the same one.
//! 3. Inside each gap between matching paragraphs, deleted and inserted
//!    paragraphs are paired by word-set similarity (an order-preserving best
//!    pairing); a pairing may grow to take in a neighbouring paragraph, which
//!    catches a paragraph split in two or two joined.
//! 4. Leftover paragraphs that appear on both sides (identical or nearly so)
//!    are moves; the rest are whole paragraphs added or removed.
//! 5. Paired paragraphs get a word diff on comparison keys; differences that
//!    vanish under the requested normalizations come out as ignored changes.
//!
//! Everything runs against one deadline; past it, paired paragraphs are
//! reported as replaced whole and the result is flagged `fallback`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag, capture_diff_deadline, capture_diff_slices_deadline};

use super::classify::{Side, classify, is_slight, is_title_suffix};
use super::model::{ChangeKind, Op, OpTag};
use super::normalize::{Norm, Role, roles};
use super::tokenize::{Tokens, count_words, is_space, is_word, space_len, tokenize};

/// Chunks longer than this are cut further, to bound the word diff.
const MAX_CHUNK: usize = 16 * 1024;
/// Paragraphs at least this similar (Jaccard of word sets) may pair up.
const PAIR_SIMILARITY: f64 = 0.5;
/// A lone paragraph replaced by a lone paragraph pairs up at this similarity.
const LONE_PAIR_SIMILARITY: f64 = 0.3;
/// Paragraphs at least this similar count as moved rather than rewritten.
const MOVE_SIMILARITY: f64 = 0.8;
/// Paragraphs with fewer words are never reported as moved.
const MOVE_MIN_WORDS: usize = 4;
/// Above this many candidate pairs, gaps are paired greedily in a window.
const PAIRING_CELLS: usize = 40_000;
/// Above this many candidate pairs, only exact moves are looked for.
const MOVE_CELLS: usize = 250_000;

/// One paragraph: `text[..lead]` is leading whitespace (first paragraph
/// only), `text[lead..end]` the content, `text[end..]` the separator.
struct Para<'a> {
    /// Byte offset in the document.
    start: usize,
    text: &'a str,
    lead: usize,
    end: usize,
    hash: u64,
    /// Has at least one token that is not ignorable under the options.
    significant: bool,
}

/// Paragraph contents already keyed under a normalization: `(hash,
/// significant)` by content. Most paragraphs of a new version repeat the
/// old one's byte for byte, and are tokenized once for both.
type KeyMemo<'a> = HashMap<&'a str, (u64, bool), BuildHasherDefault<KeyHasher>>;

impl<'a> Para<'a> {
    fn new(start: usize, text: &'a str, norm: Norm, memo: &mut KeyMemo<'a>) -> Self {
        let body = text.trim_end();
        let lead = body.len() - body.trim_start().len();
        let content = &text[lead..body.len()];
        let (hash, significant) = if norm == Norm::default() {
            // Keys are the tokens themselves: hash the text, skip tokenizing.
            let mut hasher = KeyHasher::default();
            content.hash(&mut hasher);
            (hasher.finish(), !content.is_empty())
        } else {
            *memo
                .entry(content)
                .or_insert_with(|| Para::keyed(content, norm))
        };
        Para {
            start,
            text,
            lead,
            end: body.len(),
            hash,
            significant,
        }
    }

    /// Hash of the comparison keys of `content`, and whether it has any.
    fn keyed(content: &str, norm: Norm) -> (u64, bool) {
        let mut hasher = KeyHasher::default();
        let tokens = tokenize(content);
        let mut any = false;
        for (t, r) in tokens.iter().zip(roles(&tokens)) {
            if let Some(k) = norm.key(t, r) {
                k.hash(&mut hasher);
                any = true;
            }
        }
        (hasher.finish(), any)
    }

    /// Enough words to be worth reporting as moved.
    fn movable(&self) -> bool {
        Tokens::new(self.content())
            .filter(|t| is_word(t))
            .nth(MOVE_MIN_WORDS - 1)
            .is_some()
    }

    fn content(&self) -> &'a str {
        &self.text[self.lead..self.end]
    }

    fn sep(&self) -> &'a str {
        &self.text[self.end..]
    }

    /// Sorted, deduplicated hashes of the paragraph's non-space tokens,
    /// compared loosely (case and typography folded).
    fn word_set(&self, norm: Norm) -> Vec<u64> {
        let loose = Norm {
            case: true,
            typography: true,
            ..norm
        };
        let content = self.content();
        let mut set = Vec::new();
        if loose.markup {
            let tokens = tokenize(content);
            set.extend(
                tokens
                    .iter()
                    .zip(roles(&tokens))
                    .filter(|(t, _)| !is_space(t))
                    .filter_map(|(t, r)| loose.key(t, r))
                    .map(|k| hash_key(k.as_bytes())),
            );
        } else {
            // Without markup folding the role of a token that is not
            // whitespace does not change its key, so roles are not needed;
            // and a token of plain ASCII (no dash) keys to its lowercase.
            let mut lower = Vec::new();
            for t in Tokens::new(content).filter(|t| !is_space(t)) {
                let bytes = t.as_bytes();
                if bytes.iter().all(|&b| b.is_ascii() && b != b'-') {
                    if bytes.iter().any(u8::is_ascii_uppercase) {
                        lower.clear();
                        lower.extend(bytes.iter().map(u8::to_ascii_lowercase));
                        set.push(hash_key(&lower));
                    } else {
                        set.push(hash_key(bytes));
                    }
                } else if let Some(k) = loose.key(t, Role::Text) {
                    set.push(hash_key(k.as_bytes()));
                }
            }
        }
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// A fast hash for comparison keys and paragraph hashes. Only equality of
/// hashes matters (they are never ordered for output), so any well-mixed
/// 64-bit hash does; SipHash's protection against chosen inputs is not
/// needed here, and it cost a large share of the time.
#[derive(Default)]
struct KeyHasher(u64);

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folded 128-bit multiply.
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = fold_mul(self.0 ^ K0, K1 ^ bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = fold_mul(h ^ w, K1);
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            h = fold_mul(h ^ u64::from_le_bytes(w), K1);
        }
        self.0 = h;
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.0 ^ K1, K0)
    }
}

/// Hash of one comparison key.
#[inline]
fn hash_key(key: &[u8]) -> u64 {
    let mut h = KeyHasher::default();
    h.write(key);
    h.finish()
}

/// Jaccard similarity of two sorted sets.
fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Union of sorted sets.
fn union(sets: &[&[u64]]) -> Vec<u64> {
    let mut all: Vec<u64> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The paragraphs of `text`.
fn paragraphs<'a>(text: &'a str, norm: Norm, memo: &mut KeyMemo<'a>) -> Vec<Para<'a>> {
    let mut start = 0;
    split_paragraphs(text)
        .into_iter()
        .map(|chunk| {
            let p = Para::new(start, chunk, norm, memo);
            start += chunk.len();
            p
        })
        .collect()
}

/// Cuts `text` into paragraph chunks that concatenate back to `text`.
fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for chunk in split_at_line_breaks(text, 2) {
        refine(chunk, 0, &mut out);
    }
    out
}

/// Cuts an over-long chunk at successively weaker boundaries.
fn refine<'a>(chunk: &'a str, level: usize, out: &mut Vec<&'a str>) {
    if chunk.len() <= MAX_CHUNK || level == 3 {
        out.push(chunk);
        return;
    }
    let parts = match level {
        0 => split_at_line_breaks(chunk, 1),
        1 => split_after_spaces(chunk, 0, |_, prev| {
            matches!(prev, Some('.' | '!' | '?' | '。'))
        }),
        _ => split_after_spaces(chunk, MAX_CHUNK / 2, |_, _| true),
    };
    for part in parts {
        refine(part, level + 1, out);
    }
}

/// Splits after each whitespace run holding at least `newlines` line feeds
/// (`newlines` > 0), as
/// `split_after_spaces(text, 0, |run, _| run.matches('\n').count() >= newlines)`
/// does, but finding the runs by searching for line feeds.
fn split_at_line_breaks(text: &str, newlines: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut from = 0;
    while let Some(k) = text[from..].find('\n') {
        let nl = from + k;
        // The whole whitespace run around this line feed.
        let before = text[..nl]
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
        let (run_start, end) = (nl - before, nl + space_len(&text[nl..]));
        from = end;
        // `run_start > start`: the piece holds the character before the
        // run, which is not whitespace.
        if end < text.len()
            && run_start > start
            && bytes[run_start..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                >= newlines
        {
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// Splits after each whitespace run for which `is_break(run, char before)`
/// holds, once the current piece is at least `min_len` bytes and holds more
/// than whitespace.
fn split_after_spaces(
    text: &str,
    min_len: usize,
    is_break: impl Fn(&str, Option<char>) -> bool,
) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    // The piece so far holds more than whitespace.
    let mut solid = false;
    let mut i = 0;
    while i < bytes.len() {
        // Skip to the next whitespace character (ASCII bytes one by one,
        // other characters decoded).
        let b = bytes[i];
        if b.is_ascii() {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                solid = true;
                i += 1;
                continue;
            }
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            if !c.is_whitespace() {
                solid = true;
                i += c.len_utf8();
                continue;
            }
        }
        let end = i + space_len(&text[i..]);
        if end < text.len() && solid && end - start >= min_len {
            // The run is maximal, so the character before it is not
            // whitespace, and it belongs to this piece.
            let prev = text[..i].chars().next_back();
            if is_break(&text[i..end], prev) {
                out.push(&text[start..end]);
                start = end;
                solid = false;
            }
        }
        i = end;
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// How paragraphs of the two texts correspond.
enum Step {
    /// Same comparison key (maybe differing in ignored ways).
    Same(usize, usize),
    /// Paired by similarity: runs of old and new paragraphs diffed word by word.
    Pair(Range<usize>, Range<usize>),
    Del(usize),
    Ins(usize),
}

/// Output of the alignment: ops plus paragraph counts.
#[derive(Default)]
pub struct Aligned {
    pub ops: Vec<Op>,
    pub paragraphs_added: usize,
    pub paragraphs_removed: usize,
    pub paragraphs_moved: usize,
    pub fallback: bool,
    /// `count_words` of the old and the new text.
    pub words_old: usize,
    pub words_new: usize,
}

/// Diffs `old` against `new` under `norm`, giving up on fine work at `deadline`.
pub fn align(old: &str, new: &str, norm: Norm, deadline: Instant) -> Aligned {
    let mut memo = KeyMemo::default();
    let olds = paragraphs(old, norm, &mut memo);
    let news = paragraphs(new, norm, &mut memo);
    let mut a = Aligner {
        olds: &olds,
        news: &news,
        norm,
        deadline,
        old_sets: vec![None; olds.len()],
        new_sets: vec![None; news.len()],
    };
    let steps = a.steps();
    let (old_moved, new_moved, moves) = a.moves(&steps);
    let (words_old, words_new) = word_counts(old, new, &olds, &news, &steps);
    let mut out = Aligned {
        paragraphs_moved: moves,
        words_old,
        words_new,
        ..Aligned::default()
    };
    let mut w = Writer {
        norm,
        deadline,
        ops: Vec::new(),
        fallback: a.past_deadline(),
    };
    for step in steps {
        match step {
            Step::Same(i, j) if olds[i].text == news[j].text => {
                w.push(OpTag::Equal, news[j].text, None, false)
            }
            Step::Same(i, j) => w.pair(old, new, &olds[i..=i], &news[j..=j]),
            Step::Pair(ro, rn) => w.pair(old, new, &olds[ro], &news[rn]),
            Step::Del(i) if old_moved[i] => w.moved(OpTag::Delete, olds[i].text),
            Step::Ins(j) if new_moved[j] => w.moved(OpTag::Insert, news[j].text),
            Step::Del(i) => out.paragraphs_removed += w.whole(OpTag::Delete, &olds[i]),
            Step::Ins(j) => out.paragraphs_added += w.whole(OpTag::Insert, &news[j]),
        }
    }
    out.fallback = w.fallback || a.past_deadline();
    out.ops = absorb_layout(w.ops);
    out
}

/// `count_words` of both texts, counting a paragraph found unchanged on
/// both sides once.
///
/// A text's count is the sum of its paragraphs' counts when every cut
/// between paragraphs falls after a whitespace run holding a line feed: no
/// token reaches across such a run (whitespace ends URLs, words and
/// segments; a tag never spans a line feed) nor looks past it, so the
/// tokens of the paragraphs are the tokens of the text. Cuts made inside
/// over-long lines give no such promise; a text with one is counted whole.
fn word_counts(
    old: &str,
    new: &str,
    olds: &[Para],
    news: &[Para],
    steps: &[Step],
) -> (usize, usize) {
    let additive = |ps: &[Para]| {
        ps.split_last()
            .is_some_and(|(_, init)| init.iter().all(|p| p.sep().contains('\n')))
    };
    let old_counts: Vec<usize> = if additive(olds) {
        olds.iter().map(|p| count_words(p.text)).collect()
    } else {
        Vec::new()
    };
    let words_old = if old_counts.is_empty() {
        count_words(old)
    } else {
        old_counts.iter().sum()
    };
    if !additive(news) {
        return (words_old, count_words(new));
    }
    let mut same: Vec<Option<usize>> = vec![None; news.len()];
    if !old_counts.is_empty() {
        for step in steps {
            if let Step::Same(i, j) = *step
                && olds[i].text == news[j].text
            {
                same[j] = Some(i);
            }
        }
    }
    let words_new = news
        .iter()
        .zip(same)
        .map(|(p, i)| i.map_or_else(|| count_words(p.text), |i| old_counts[i]))
        .sum();
    (words_old, words_new)
}

struct Aligner<'p, 'a> {
    olds: &'p [Para<'a>],
    news: &'p [Para<'a>],
    norm: Norm,
    deadline: Instant,
    /// Word sets, computed on first use.
    old_sets: Vec<Option<Vec<u64>>>,
    new_sets: Vec<Option<Vec<u64>>>,
}

impl Aligner<'_, '_> {
    fn past_deadline(&self) -> bool {
        Instant::now() > self.deadline
    }

    fn old_set(&mut self, i: usize) -> &[u64] {
        let (olds, norm) = (self.olds, self.norm);
        self.old_sets[i].get_or_insert_with(|| olds[i].word_set(norm))
    }

    fn new_set(&mut self, j: usize) -> &[u64] {
        let (news, norm) = (self.news, self.norm);
        self.new_sets[j].get_or_insert_with(|| news[j].word_set(norm))
    }

    fn similarity(&mut self, i: usize, j: usize) -> f64 {
        self.old_set(i);
        self.new_set(j);
        match (&self.old_sets[i], &self.new_sets[j]) {
            (Some(a), Some(b)) => jaccard(a, b),
            _ => unreachable!("both sets were just computed"),
        }
    }

    /// [`Self::similarity`] when it can reach `threshold`, else 0. The
    /// Jaccard similarity of two sets is at most the ratio of their sizes,
    /// so pairs whose sizes differ too much are skipped without comparing
    /// their elements. (Both values are correctly rounded quotients, so the
    /// bound holds in floating point too.)
    fn similarity_at_least(&mut self, i: usize, j: usize, threshold: f64) -> f64 {
        let a = self.old_set(i).len();
        let b = self.new_set(j).len();
        let (lo, hi) = (a.min(b), a.max(b));
        if hi == 0 || (lo as f64 / hi as f64) < threshold {
            return 0.0;
        }
        self.similarity(i, j)
    }

    /// Paragraph-level alignment, in text order.
    fn steps(&mut self) -> Vec<Step> {
        let oh: Vec<u64> = self.olds.iter().map(|p| p.hash).collect();
        let nh = self.fuzzy_ids(&oh);
        let ops = capture_diff_slices_deadline(Algorithm::Patience, &oh, &nh, Some(self.deadline));
        let mut steps = Vec::new();
        for op in ops {
            let (tag, ro, rn) = op.as_tag_tuple();
            if tag == DiffTag::Equal {
                steps.extend(ro.zip(rn).map(|(i, j)| {
                    if self.olds[i].hash == self.news[j].hash {
                        Step::Same(i, j)
                    } else {
                        Step::Pair(i..i + 1, j..j + 1)
                    }
                }));
            } else {
                self.gap(ro, rn, &mut steps);
            }
        }
        steps
    }

    /// Ids for the new paragraphs: their hash, or the hash of a nearly
    /// identical old paragraph whose own hash has no exact match. Aligning on
    /// these lets lightly edited paragraphs anchor the alignment, so one
    /// moved paragraph does not make its edited neighbours look moved.
    fn fuzzy_ids(&mut self, old_hashes: &[u64]) -> Vec<u64> {
        let mut ids: Vec<u64> = self.news.iter().map(|p| p.hash).collect();
        let old_set: std::collections::HashSet<u64> = old_hashes.iter().copied().collect();
        let new_set: std::collections::HashSet<u64> = ids.iter().copied().collect();
        let lone_old: Vec<usize> = (0..self.olds.len())
            .filter(|&i| !new_set.contains(&old_hashes[i]))
            .collect();
        let lone_new: Vec<usize> = (0..ids.len())
            .filter(|&j| !old_set.contains(&ids[j]))
            .collect();
        if lone_old.len() * lone_new.len() > MOVE_CELLS {
            return ids;
        }
        let mut taken = vec![false; self.olds.len()];
        for j in lone_new {
            if self.past_deadline() {
                break;
            }
            let best = lone_old
                .iter()
                .filter(|&&i| !taken[i])
                .map(|&i| (i, self.similarity_at_least(i, j, MOVE_SIMILARITY)))
                .filter(|&(_, s)| s >= MOVE_SIMILARITY)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((i, _)) = best {
                taken[i] = true;
                ids[j] = old_hashes[i];
            }
        }
        ids
    }

    /// Pairs up the deleted and inserted paragraphs of one gap.
    fn gap(&mut self, ro: Range<usize>, rn: Range<usize>, steps: &mut Vec<Step>) {
        let pairs = if ro.is_empty() || rn.is_empty() || self.past_deadline() {
            Vec::new()
        } else if ro.len() == 1 && rn.len() == 1 {
            let s = self.similarity(ro.start, rn.start);
            if s >= LONE_PAIR_SIMILARITY {
                vec![(ro.start, rn.start)]
            } else {
                Vec::new()
            }
        } else if ro.len() * rn.len() <= PAIRING_CELLS {
            self.best_pairs(ro.clone(), rn.clone())
        } else {
            self.window_pairs(ro.clone(), rn.clone())
        };
        let pairs = self.grow(pairs, ro.clone(), rn.clone());
        let (mut i, mut j) = (ro.start, rn.start);
        for (po, pn) in pairs {
            steps.extend((i..po.start).map(Step::Del));
            steps.extend((j..pn.start).map(Step::Ins));
            (i, j) = (po.end, pn.end);
            steps.push(Step::Pair(po, pn));
        }
        steps.extend((i..ro.end).map(Step::Del));
        steps.extend((j..rn.end).map(Step::Ins));
    }

    /// Order-preserving pairing maximizing total similarity (weighted LCS).
    fn best_pairs(&mut self, ro: Range<usize>, rn: Range<usize>) -> Vec<(usize, usize)> {
        let (n, m) = (ro.len(), rn.len());
        let mut sim = vec![0.0; n * m];
        for a in 0..n {
            for b in 0..m {
                // Below PAIR_SIMILARITY a similarity counts as 0 anyway.
                sim[a * m + b] =
                    self.similarity_at_least(ro.start + a, rn.start + b, PAIR_SIMILARITY);
            }
        }
        let mut score = vec![0.0f64; (n + 1) * (m + 1)];
        let at = |a: usize, b: usize| a * (m + 1) + b;
        for a in 1..=n {
            for b in 1..=m {
                let s = sim[(a - 1) * m + b - 1];
                let diag = if s >= PAIR_SIMILARITY {
                    score[at(a - 1, b - 1)] + s
                } else {
                    0.0
                };
                score[at(a, b)] = score[at(a - 1, b)].max(score[at(a, b - 1)]).max(diag);
            }
        }
        let mut pairs = Vec::new();
        let (mut a, mut b) = (n, m);
        while a > 0 && b > 0 {
            let s = sim[(a - 1) * m + b - 1];
            if s >= PAIR_SIMILARITY && score[at(a, b)] == score[at(a - 1, b - 1)] + s {
                pairs.push((ro.start + a - 1, rn.start + b - 1));
                a -= 1;
                b -= 1;
            } else if score[at(a, b)] == score[at(a - 1, b)] {
                a -= 1;
            } else {
                b -= 1;
            }
        }
        pairs.reverse();
        pairs
    }

    /// Greedy pairing for huge gaps: each old paragraph looks a little ahead.
    fn window_pairs(&mut self, ro: Range<usize>, rn: Range<usize>) -> Vec<(usize, usize)> {
        const WINDOW: usize = 16;
        let mut pairs = Vec::new();
        let mut next = rn.start;
        for i in ro {
            if self.past_deadline() {
                break;
            }
            let best = (next..rn.end.min(next + WINDOW))
                .map(|j| (j, self.similarity_at_least(i, j, PAIR_SIMILARITY)))
                .filter(|&(_, s)| s >= PAIR_SIMILARITY)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((j, _)) = best {
                pairs.push((i, j));
                next = j + 1;
            }
        }
        pairs
    }

    /// Lets each pair take in unpaired neighbours on either side when that
    /// makes the match better: a paragraph split in two, or two joined.
    fn grow(
        &mut self,
        pairs: Vec<(usize, usize)>,
        ro: Range<usize>,
        rn: Range<usize>,
    ) -> Vec<(Range<usize>, Range<usize>)> {
        let mut out: Vec<(Range<usize>, Range<usize>)> = Vec::with_capacity(pairs.len());
        for (k, &(i, j)) in pairs.iter().enumerate() {
            let (mut po, mut pn) = (i..i + 1, j..j + 1);
            let old_floor = out.last().map_or(ro.start, |p| p.0.end);
            let new_floor = out.last().map_or(rn.start, |p| p.1.end);
            let old_ceil = pairs.get(k + 1).map_or(ro.end, |p| p.0);
            let new_ceil = pairs.get(k + 1).map_or(rn.end, |p| p.1);
            let mut best = self.range_similarity(&po, &pn);
            loop {
                let candidates = [
                    (po.start > old_floor).then(|| (po.start - 1..po.end, pn.clone())),
                    (po.end < old_ceil).then(|| (po.start..po.end + 1, pn.clone())),
                    (pn.start > new_floor).then(|| (po.clone(), pn.start - 1..pn.end)),
                    (pn.end < new_ceil).then(|| (po.clone(), pn.start..pn.end + 1)),
                ];
                let Some((s, o, n)) = candidates
                    .into_iter()
                    .flatten()
                    .map(|(o, n)| (self.range_similarity(&o, &n), o, n))
                    .max_by(|x, y| x.0.total_cmp(&y.0))
                else {
                    break;
                };
                if s < best + 0.05 {
                    break;
                }
                (best, po, pn) = (s, o, n);
            }
            out.push((po, pn));
        }
        out
    }

    fn range_similarity(&mut self, ro: &Range<usize>, rn: &Range<usize>) -> f64 {
        let a: Vec<Vec<u64>> = ro.clone().map(|i| self.old_set(i).to_vec()).collect();
        let b: Vec<Vec<u64>> = rn.clone().map(|j| self.new_set(j).to_vec()).collect();
        let a = union(&a.iter().map(Vec::as_slice).collect::<Vec<_>>());
        let b = union(&b.iter().map(Vec::as_slice).collect::<Vec<_>>());
        jaccard(&a, &b)
    }

    /// Finds deleted paragraphs that reappear as inserted ones elsewhere.
    fn moves(&mut self, steps: &[Step]) -> (Vec<bool>, Vec<bool>, usize) {
        let mut old_moved = vec![false; self.olds.len()];
        let mut new_moved = vec![false; self.news.len()];
        let dels: Vec<usize> = steps
            .iter()
            .filter_map(|s| if let Step::Del(i) = s { Some(*i) } else { None })
            .collect();
        let inss: Vec<usize> = steps
            .iter()
            .filter_map(|s| if let Step::Ins(j) = s { Some(*j) } else { None })
            .collect();
        let movable_old = |i: &usize| self.olds[*i].movable();
        let movable_new = |j: &usize| self.news[*j].movable();
        let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
        for &i in dels.iter().filter(|i| movable_old(i)).rev() {
            by_hash.entry(self.olds[i].hash).or_default().push(i);
        }
        let mut count = 0;
        for &j in inss.iter().filter(|j| movable_new(j)) {
            if let Some(i) = by_hash.get_mut(&self.news[j].hash).and_then(Vec::pop) {
                (old_moved[i], new_moved[j]) = (true, true);
                count += 1;
            }
        }
        let dels: Vec<usize> = dels
            .into_iter()
            .filter(|i| !old_moved[*i] && movable_old(i))
            .collect();
        let inss: Vec<usize> = inss
            .into_iter()
            .filter(|j| !new_moved[*j] && movable_new(j))
            .collect();
        if dels.len() * inss.len() > MOVE_CELLS {
            return (old_moved, new_moved, count);
        }
        for j in inss {
            if self.past_deadline() {
                break;
            }
            let best = dels
                .iter()
                .filter(|i| !old_moved[**i])
                .map(|&i| (i, self.similarity_at_least(i, j, MOVE_SIMILARITY)))
                .filter(|&(_, s)| s >= MOVE_SIMILARITY)
                .max_by(|x, y| x.1.total_cmp(&y.1));
            if let Some((i, _)) = best {
                (old_moved[i], new_moved[j]) = (true, true);
                count += 1;
            }
        }
        (old_moved, new_moved, count)
    }
}

/// What the word diff of one paragraph pair is made of, as token ranges.
#[derive(Clone, PartialEq, Eq, Debug)]
struct Piece {
    old: Range<usize>,
    new: Range<usize>,
    kind: PieceKind,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PieceKind {
    Equal,
    Change,
    Ignored,
}

/// The tokens of one side of a paragraph pair, with roles and keys.
struct Toks<'a> {
    text: &'a str,
    tokens: Vec<&'a str>,
    roles: Vec<Role>,
    keys: Vec<Option<Cow<'a, str>>>,
    /// Byte offset of each token, plus the end.
    offs: Vec<usize>,
}

impl<'a> Toks<'a> {
    fn new(text: &'a str, norm: Norm) -> Self {
        let tokens = tokenize(text);
        let roles = roles(&tokens);
        let keys = if norm == Norm::default() {
            // Without normalization every token is its own key.
            tokens.iter().map(|t| Some(Cow::Borrowed(*t))).collect()
        } else {
            tokens
                .iter()
                .zip(&roles)
                .map(|(t, r)| norm.key(t, *r))
                .collect()
        };
        let mut offs = Vec::with_capacity(tokens.len() + 1);
        let mut at = 0;
        offs.push(0);
        for t in &tokens {
            at += t.len();
            offs.push(at);
        }
        Toks {
            text,
            tokens,
            roles,
            keys,
            offs,
        }
    }

    fn span(&self, r: &Range<usize>) -> &'a str {
        &self.text[self.offs[r.start]..self.offs[r.end]]
    }

    fn side(&self, r: &Range<usize>) -> Side<'_> {
        Side {
            tokens: &self.tokens[r.clone()],
            roles: &self.roles[r.clone()],
        }
    }

    /// The tokens `r` (of a change) are empty or a site-name suffix, and
    /// end where the first line ends (trailing spaces aside). A separator
    /// just before `r` counts as the suffix's own (`Deal | ` kept equal,
    /// `BBC News` replaced by `South Front`).
    fn title_suffix(&self, r: &Range<usize>) -> bool {
        let line = self.text.split('\n').next().unwrap_or_default();
        if self.offs[r.end] != line.trim_end().len() {
            return false;
        }
        if r.is_empty() {
            return true;
        }
        let t = &self.tokens;
        let spaced = |i: usize| i > 0 && is_space(t[i - 1]);
        let start = r.start;
        is_title_suffix(&t[start..r.end], spaced(start))
            || (start >= 2 && is_title_suffix(&t[start - 2..r.end], spaced(start - 2)))
    }

    fn all_ignorable(&self, r: &Range<usize>) -> bool {
        self.keys[r.clone()].iter().all(Option::is_none)
    }
}

/// Accumulates ops.
struct Writer {
    norm: Norm,
    deadline: Instant,
    ops: Vec<Op>,
    fallback: bool,
}

impl Writer {
    fn push(&mut self, tag: OpTag, text: &str, kind: Option<ChangeKind>, ignored: bool) {
        self.push_op(Op {
            op: tag,
            text: text.to_owned(),
            moved: false,
            kind,
            ignored,
        });
    }

    fn push_op(&mut self, op: Op) {
        if op.text.is_empty() {
            return;
        }
        if let Some(last) = self.ops.last_mut()
            && (last.op, last.kind, last.moved, last.ignored)
                == (op.op, op.kind, op.moved, op.ignored)
        {
            last.text.push_str(&op.text);
            return;
        }
        self.ops.push(op);
    }

    fn moved(&mut self, tag: OpTag, text: &str) {
        self.push_op(Op {
            op: tag,
            text: text.to_owned(),
            moved: true,
            kind: Some(ChangeKind::ParagraphMoved),
            ignored: false,
        });
    }

    /// A whole paragraph added or removed; returns 1 when it counts as one.
    fn whole(&mut self, tag: OpTag, p: &Para) -> usize {
        if p.significant {
            let kind = if tag == OpTag::Insert {
                ChangeKind::ParagraphAdded
            } else {
                ChangeKind::ParagraphRemoved
            };
            self.push(tag, p.text, Some(kind), false);
            return 1;
        }
        let t = Toks::new(p.text, self.norm);
        let all = 0..t.tokens.len();
        let none = Side {
            tokens: &[],
            roles: &[],
        };
        let kind = if tag == OpTag::Insert {
            classify(none, t.side(&all))
        } else {
            classify(t.side(&all), none)
        };
        self.push(tag, p.text, Some(kind), true);
        0
    }

    /// Whitespace around paragraphs: a common prefix stays equal, the rest is
    /// a whitespace change, ignored when it is layout only (`layout`).
    fn layout(&mut self, old: &str, new: &str, layout: bool) {
        let common = old
            .bytes()
            .zip(new.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        let common = (0..=common)
            .rev()
            .find(|&c| old.is_char_boundary(c) && new.is_char_boundary(c))
            .unwrap_or(0);
        self.push(OpTag::Equal, &old[..common], None, false);
        let ignored = layout || self.norm.whitespace;
        self.push(
            OpTag::Delete,
            &old[common..],
            Some(ChangeKind::Whitespace),
            ignored,
        );
        self.push(
            OpTag::Insert,
            &new[common..],
            Some(ChangeKind::Whitespace),
            ignored,
        );
    }

    /// Word diff of paired paragraph runs (consecutive paragraphs of `old`
    /// and of `new`).
    fn pair(&mut self, old: &str, new: &str, olds: &[Para], news: &[Para]) {
        let (fo, lo) = (&olds[0], &olds[olds.len() - 1]);
        let (fn_, ln) = (&news[0], &news[news.len() - 1]);
        self.layout(&fo.text[..fo.lead], &fn_.text[..fn_.lead], true);
        // Both runs open their document: their first lines are its title.
        let title = fo.start == 0 && fn_.start == 0;
        self.words(
            &old[fo.start + fo.lead..lo.start + lo.end],
            &new[fn_.start + fn_.lead..ln.start + ln.end],
            title,
        );
        let both_breaks =
            lo.sep().matches('\n').count() >= 2 && ln.sep().matches('\n').count() >= 2;
        let both_last =
            lo.start + lo.text.len() == old.len() && ln.start + ln.text.len() == new.len();
        self.layout(lo.sep(), ln.sep(), both_breaks || both_last);
    }

    /// Word diff of two paragraph bodies; `title`: their first lines are
    /// the documents' titles.
    fn words(&mut self, old: &str, new: &str, title: bool) {
        if old == new {
            self.push(OpTag::Equal, old, None, false);
            return;
        }
        let (o, n) = (Toks::new(old, self.norm), Toks::new(new, self.norm));
        let pieces = if Instant::now() > self.deadline {
            self.fallback = true;
            vec![Piece {
                old: 0..o.tokens.len(),
                new: 0..n.tokens.len(),
                kind: PieceKind::Change,
            }]
        } else {
            let pieces = word_pieces(&o, &n, self.deadline);
            self.fallback |= Instant::now() > self.deadline;
            pieces
        };
        for p in tidy(pieces, &o) {
            match p.kind {
                PieceKind::Equal => self.push(OpTag::Equal, o.span(&p.old), None, false),
                PieceKind::Change | PieceKind::Ignored => {
                    let suffix = title && o.title_suffix(&p.old) && n.title_suffix(&p.new);
                    let kind = if suffix {
                        ChangeKind::TitleSuffix
                    } else {
                        classify(o.side(&p.old), n.side(&p.new))
                    };
                    let ignored = p.kind == PieceKind::Ignored || (suffix && self.norm.markup);
                    self.push(OpTag::Delete, o.span(&p.old), Some(kind), ignored);
                    self.push(OpTag::Insert, n.span(&p.new), Some(kind), ignored);
                }
            }
        }
    }
}

/// Aligns the tokens of a paragraph pair: keys first, then ignorable
/// tokens in the gaps between aligned keys.
fn word_pieces(o: &Toks, n: &Toks, deadline: Instant) -> Vec<Piece> {
    let old_sig: Vec<usize> = (0..o.tokens.len())
        .filter(|&i| o.keys[i].is_some())
        .collect();
    let new_sig: Vec<usize> = (0..n.tokens.len())
        .filter(|&j| n.keys[j].is_some())
        .collect();
    let ok: Vec<&str> = old_sig
        .iter()
        .map(|&i| o.keys[i].as_deref().unwrap_or_default())
        .collect();
    let nk: Vec<&str> = new_sig
        .iter()
        .map(|&j| n.keys[j].as_deref().unwrap_or_default())
        .collect();
    let ops = capture_diff_slices_deadline(Algorithm::Myers, &ok, &nk, Some(deadline));
    let mut pieces = Vec::new();
    let (mut po, mut pn) = (0, 0);
    for op in ops {
        let (tag, ro, rn) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            continue;
        }
        for (a, b) in ro.map(|k| old_sig[k]).zip(rn.map(|k| new_sig[k])) {
            gap_pieces(o, n, po..a, pn..b, &mut pieces);
            let kind = if o.tokens[a] == n.tokens[b] {
                PieceKind::Equal
            } else {
                PieceKind::Ignored
            };
            pieces.push(Piece {
                old: a..a + 1,
                new: b..b + 1,
                kind,
            });
            (po, pn) = (a + 1, b + 1);
        }
    }
    gap_pieces(o, n, po..o.tokens.len(), pn..n.tokens.len(), &mut pieces);
    pieces
}

/// Pieces for the tokens between two aligned keys.
fn gap_pieces(o: &Toks, n: &Toks, ro: Range<usize>, rn: Range<usize>, out: &mut Vec<Piece>) {
    if ro.is_empty() && rn.is_empty() {
        return;
    }
    let has_ignorable = o.keys[ro.clone()]
        .iter()
        .chain(&n.keys[rn.clone()])
        .any(Option::is_none);
    if !has_ignorable {
        out.push(Piece {
            old: ro,
            new: rn,
            kind: PieceKind::Change,
        });
        return;
    }
    let ops = capture_diff_deadline(Algorithm::Myers, &o.tokens[..], ro, &n.tokens[..], rn, None);
    for op in ops {
        let (tag, ro, rn) = op.as_tag_tuple();
        let kind = if tag == DiffTag::Equal {
            PieceKind::Equal
        } else if o.all_ignorable(&ro) && n.all_ignorable(&rn) {
            PieceKind::Ignored
        } else {
            PieceKind::Change
        };
        out.push(Piece {
            old: ro,
            new: rn,
            kind,
        });
    }
}

/// Merges neighbouring pieces of one kind, and folds slight unchanged runs
/// between two changes into them.
fn tidy(pieces: Vec<Piece>, o: &Toks) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(pieces.len());
    for p in pieces {
        if p.old.is_empty() && p.new.is_empty() {
            continue;
        }
        if let Some(last) = out.last_mut()
            && last.kind == p.kind
        {
            last.old.end = p.old.end;
            last.new.end = p.new.end;
            continue;
        }
        let n = out.len();
        if p.kind == PieceKind::Change
            && n >= 2
            && out[n - 1].kind == PieceKind::Equal
            && out[n - 2].kind == PieceKind::Change
            && is_slight(&o.tokens[out[n - 1].old.clone()])
        {
            out.pop();
            let last = out.last_mut().expect("two pieces");
            last.old.end = p.old.end;
            last.new.end = p.new.end;
            continue;
        }
        out.push(p);
    }
    out
}

/// Folds whitespace-only changes into a neighbouring whole-paragraph change
/// (added, removed, moved) of the same direction: the blank line before an
/// added paragraph belongs to the addition.
fn absorb_layout(ops: Vec<Op>) -> Vec<Op> {
    let is_para = |op: &Op| {
        matches!(
            op.kind,
            Some(
                ChangeKind::ParagraphAdded
                    | ChangeKind::ParagraphRemoved
                    | ChangeKind::ParagraphMoved
            )
        ) && !op.ignored
    };
    let is_ws = |op: &Op| op.kind == Some(ChangeKind::Whitespace) && !op.moved;
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    for op in ops {
        if let Some(last) = out.last_mut()
            && last.op == op.op
        {
            if is_para(last) && is_ws(&op) {
                last.text.push_str(&op.text);
                continue;
            }
            if is_ws(last) && is_para(&op) {
                let mut text = std::mem::take(&mut last.text);
                text.push_str(&op.text);
                *last = Op { text, ..op };
                continue;
            }
            if (last.kind, last.moved, last.ignored) == (op.kind, op.moved, op.ignored) {
                last.text.push_str(&op.text);
                continue;
            }
        }
        out.push(op);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn line_break_split_matches_the_generic_one(
            text in "([a-c.]{0,3}[ \\t\\n\\r\\u{a0}\\u{2028}]{0,3}){0,12}",
            newlines in 1usize..3,
        ) {
            let generic =
                split_after_spaces(&text, 0, |run, _| run.matches('\n').count() >= newlines);
            proptest::prop_assert_eq!(split_at_line_breaks(&text, newlines), generic);
        }
    }

    #[test]
    fn key_hasher_separates_keys() {
        let keys = [
            "",
            "a",
            "a\0",
            "\0a",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "b",
        ];
        let mut hashes: Vec<u64> = keys.iter().map(|k| hash_key(k.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), keys.len());
    }
}
