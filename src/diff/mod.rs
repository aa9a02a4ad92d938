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
}

/// Default time budget for the fine diff.
pub const DEFAULT_DEADLINE: Duration = Duration::from_millis(500);

/// Number of words (tokens holding at least one letter or digit) in `text`.
pub fn count_words(text: &str) -> usize {
    tokenize::count_words(text)
}

/// Diffs `old` against `new`.
pub fn diff(old: &str, new: &str, opts: &DiffOptions) -> Diff {
    let deadline = Instant::now() + opts.deadline.unwrap_or(DEFAULT_DEADLINE);
    let norm = Norm {
        case: opts.ignore_case,
        whitespace: opts.ignore_whitespace,
        typography: opts.ignore_typography,
        markup: opts.ignore_markup,
    };
    let aligned = if old == new {
        let words = count_words(old);
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
        align::align(old, new, norm, deadline)
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
