//! Alignment: paragraphs first, then words inside paragraphs that pair up.
//!
//! Diffing a whole document word by word both costs too much and reads badly
//! (a common "the" in an unrelated paragraph becomes an anchor). So:
//!
//! 1. Each text is cut into paragraphs at blank lines (over-long ones further
//!    at line, sentence, then space boundaries), each keeping its separator so
//!    the texts rebuild exactly (`paragraphs.rs`).
//! 2. Paragraph hashes (of their comparison keys) are aligned with Patience,
//!    a nearly identical paragraph counting as the same one (near copies
//!    matched in order first, so repeated paragraphs keep their places); when
//!    Patience leaves a paragraph unmatched on both sides, a plain LCS is
//!    computed too and the one leaving fewer words unmatched wins
//!    (`pairing.rs`).
//! 3. Inside each gap between matching paragraphs, deleted and inserted
//!    paragraphs are paired by word-set similarity (an order-preserving best
//!    pairing); a pairing may grow to take in a neighbouring paragraph, which
//!    catches a paragraph split in two or two joined.
//! 4. Leftover paragraphs that appear on both sides, identical or similar,
//!    are moves; a similar one is diffed word by word inside ([`Move`]) and
//!    stays a move only when that changes fewer words than removing and
//!    adding it. Other leftovers between the same anchors are tried as one
//!    pair; the rest are whole paragraphs added or removed.
//! 5. Paired paragraphs get a word diff on comparison keys; differences that
//!    vanish under the requested normalizations come out as ignored changes,
//!    and a pair whose word diff keeps too few words is a removal and an
//!    addition instead (`words.rs`).
//!
//! Everything runs against one deadline; past it, paired paragraphs are
//! reported as replaced whole and the result is flagged `fallback`.

use std::time::Instant;

use super::model::{Move, Op, OpTag};
use super::normalize::Norm;
use super::pairing::{Aligner, Step};
use super::paragraphs::{KeyMemo, Para, paragraphs};
use super::tokenize::count_words;
use super::words::{Writer, absorb_layout};

/// Output of the alignment: ops plus paragraph counts.
#[derive(Default)]
pub struct Aligned {
    pub ops: Vec<Op>,
    pub moves: Vec<Move>,
    pub paragraphs_added: usize,
    pub paragraphs_removed: usize,
    pub paragraphs_moved: usize,
    pub fallback: bool,
    /// `count_words` of the old and the new text.
    pub words_old: usize,
    pub words_new: usize,
}

/// Diffs `old` against `new` under `norm`, giving up on fine work at `deadline`.
/// `memo` holds the keys of paragraphs met before under `norm`.
pub fn align<'a>(
    old: &'a str,
    new: &'a str,
    norm: Norm,
    deadline: Instant,
    totals: bool,
    memo: &mut KeyMemo<'a>,
) -> Aligned {
    let olds = paragraphs(old, norm, memo);
    let news = paragraphs(new, norm, memo);
    let mut a = Aligner {
        olds: &olds,
        news: &news,
        norm,
        deadline,
        old_sets: vec![None; olds.len()],
        new_sets: vec![None; news.len()],
        old_words: vec![None; olds.len()],
        new_words: vec![None; news.len()],
    };
    let steps = a.steps();
    let candidates = a.moves(&steps);
    let (words_old, words_new) = match totals {
        true => word_counts(&mut a, old, new, &olds, &news, &steps),
        false => (0, 0),
    };
    let mut out = Aligned {
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
    // A move whose word diff changes as many words as removing and adding
    // the paragraph would is no move: it stays a removal and an addition.
    let mut old_move = vec![None; olds.len()];
    let mut new_move = vec![None; news.len()];
    for (i, j) in candidates {
        let (ops, fallback) = w.inner(olds[i].content(), news[j].content());
        w.fallback |= fallback;
        let changed: usize = ops
            .iter()
            .filter(|op| op.op != OpTag::Equal && !op.ignored)
            .map(|op| count_words(&op.text))
            .sum();
        let whole = a.words(true, i) + a.words(false, j);
        if olds[i].hash != news[j].hash && changed >= whole {
            continue;
        }
        let id = out.moves.len();
        old_move[i] = Some(id);
        new_move[j] = Some(id);
        out.moves.push(Move {
            id,
            from: i + 1,
            to: j + 1,
            ops,
        });
    }
    out.paragraphs_moved = out.moves.len();
    let old_moved: Vec<bool> = old_move.iter().map(Option::is_some).collect();
    let new_moved: Vec<bool> = new_move.iter().map(Option::is_some).collect();
    let steps = a.pair_leftovers(steps, &old_moved, &new_moved);
    for step in steps {
        match step {
            Step::Same(i, j) if olds[i].text == news[j].text => {
                w.push(OpTag::Equal, news[j].text, None, false)
            }
            Step::Same(i, j) => {
                w.pair(old, new, &olds[i..=i], &news[j..=j], false);
            }
            Step::Pair(ro, rn) => {
                if !w.pair(old, new, &olds[ro.clone()], &news[rn.clone()], true) {
                    for i in ro {
                        out.paragraphs_removed += w.whole(OpTag::Delete, &olds[i]);
                    }
                    for j in rn {
                        out.paragraphs_added += w.whole(OpTag::Insert, &news[j]);
                    }
                }
            }
            Step::Del(i) => match old_move[i] {
                Some(id) => w.moved(OpTag::Delete, olds[i].text, id),
                None => out.paragraphs_removed += w.whole(OpTag::Delete, &olds[i]),
            },
            Step::Ins(j) => match new_move[j] {
                Some(id) => w.moved(OpTag::Insert, news[j].text, id),
                None => out.paragraphs_added += w.whole(OpTag::Insert, &news[j]),
            },
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
///
/// Paragraph counts come from the aligner's cache, shared with the
/// alignment's own word counts.
fn word_counts(
    a: &mut Aligner,
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
        (0..olds.len()).map(|i| a.words(true, i)).collect()
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
    let words_new = same
        .into_iter()
        .enumerate()
        .map(|(j, i)| i.map_or_else(|| a.words(false, j), |i| old_counts[i]))
        .sum();
    (words_old, words_new)
}
