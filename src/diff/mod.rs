//! Word-level diff of two texts: pure `&str -> Diff`, no I/O.

mod align;
mod classify;
pub mod model;
mod normalize;
mod pairing;
mod paragraphs;
pub mod tokenize;
pub(crate) mod words;

pub use model::{ChangeKind, Diff, Move, Op, OpTag, Stats};
/// Markup roles of tokens, for search to index the visible text.
pub(crate) use normalize::{Role, roles};

use std::time::{Duration, Instant};

use normalize::Norm;

/// Which kinds of change to ignore, and how long to try before falling back.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    pub ignore_case: bool,
    pub ignore_whitespace: bool,
    pub ignore_typography: bool,
    pub ignore_markup: bool,
    /// Time budget for the fine diff; `None` means the default (about 500 ms).
    pub deadline: Option<Duration>,
    /// Leave the word totals of both texts (`Stats::words_old`,
    /// `words_new` and `words_unchanged`) at 0, for a view that does not
    /// show them (the inline, side-by-side and HTML views): counting every
    /// word of both texts was a sixth of a whole-process diff's
    /// instructions (#29). Everything else is the same.
    pub no_word_totals: bool,
}

/// Default time budget for the fine diff.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(500);

/// Number of words (tokens holding at least one letter or digit) in `text`.
pub fn count_words(text: &str) -> usize {
    tokenize::count_words(text)
}

/// One paragraph of a text as republication finding compares it: where its
/// content lies, and its words under every normalization (case, whitespace,
/// typography, markup folded; punctuation dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NormalizedParagraph {
    /// Byte range of the content (without surrounding whitespace).
    pub range: std::ops::Range<usize>,
    pub words: Vec<String>,
}

/// The paragraphs of `text` (cut as the diff cuts them), each with its
/// normalized words. Paragraphs without words are left out.
pub fn normalized_paragraphs(text: &str) -> Vec<NormalizedParagraph> {
    let mut memo = paragraphs::KeyMemo::default();
    paragraphs::paragraphs(text, Norm::default(), &mut memo)
        .iter()
        .filter_map(|p| {
            let start = p.start + p.lead;
            let words = p.normalized_words();
            (!words.is_empty()).then(|| NormalizedParagraph {
                range: start..p.start + p.end,
                words,
            })
        })
        .collect()
}

/// The comparison keys of paragraphs already cut and keyed, kept from one
/// diff to the next: diffing a chain of versions (v1 to v2, v2 to v3…) then
/// keys each text's paragraphs once, not once as the new text and again as
/// the old. Keys hold only for one set of options; a diff with others
/// starts the memo again. It grows with every distinct paragraph it meets:
/// keep one for a bounded run of diffs.
#[derive(Default)]
pub struct ParagraphKeys<'a> {
    norm: Option<Norm>,
    memo: paragraphs::KeyMemo<'a>,
}

/// Diffs `old` against `new`.
pub fn diff(old: &str, new: &str, opts: &DiffOptions) -> Diff {
    diff_keyed(old, new, opts, &mut ParagraphKeys::default())
}

/// [`diff`], reusing and adding to the paragraph keys in `keys` (the same
/// result as [`diff`]: only work is saved).
pub fn diff_keyed<'a>(
    old: &'a str,
    new: &'a str,
    opts: &DiffOptions,
    keys: &mut ParagraphKeys<'a>,
) -> Diff {
    let deadline = Instant::now() + opts.deadline.unwrap_or(DEFAULT_DEADLINE);
    let norm = Norm {
        case: opts.ignore_case,
        whitespace: opts.ignore_whitespace,
        typography: opts.ignore_typography,
        markup: opts.ignore_markup,
    };
    if keys.norm != Some(norm) {
        keys.memo.clear();
        keys.norm = Some(norm);
    }
    let aligned = if old == new {
        let words = if opts.no_word_totals {
            0
        } else {
            count_words(old)
        };
        let ops = (!old.is_empty()).then(|| Op {
            op: OpTag::Equal,
            text: old.to_owned(),
            moved: false,
            kind: None,
            ignored: false,
            move_id: None,
        });
        align::Aligned {
            ops: ops.into_iter().collect(),
            words_old: words,
            words_new: words,
            ..align::Aligned::default()
        }
    } else {
        let totals = !opts.no_word_totals;
        align::align(old, new, norm, deadline, totals, &mut keys.memo)
    };
    let mut stats = Stats {
        words_old: aligned.words_old,
        words_new: aligned.words_new,
        paragraphs_added: aligned.paragraphs_added,
        paragraphs_removed: aligned.paragraphs_removed,
        paragraphs_moved: aligned.paragraphs_moved,
        ..Stats::default()
    };
    // Equal text is most of a big document: count only the changes, and
    // take the unchanged words (equal and ignored) as the rest of `new`. A
    // moved paragraph counts by the words changed inside it, not whole.
    let inner = aligned.moves.iter().flat_map(|m| &m.ops);
    for op in aligned
        .ops
        .iter()
        .filter(|op| !op.moved)
        .chain(inner)
        .filter(|op| op.op != OpTag::Equal && !op.ignored)
    {
        match op.op {
            OpTag::Insert => stats.words_added += count_words(&op.text),
            _ => stats.words_removed += count_words(&op.text),
        }
    }
    stats.words_unchanged = stats.words_new.saturating_sub(stats.words_added);
    Diff {
        ops: aligned.ops,
        moves: aligned.moves,
        stats,
        fallback: aligned.fallback,
    }
}

#[cfg(test)]
mod tests;
