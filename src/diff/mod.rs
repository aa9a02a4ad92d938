//! Word-level diff of two texts: pure `&str -> Diff`, no I/O.

pub mod model;

pub use model::{ChangeKind, Diff, Op, OpTag, Stats};

use std::time::Duration;

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

/// Number of words (tokens holding at least one letter or digit) in `text`.
pub fn count_words(text: &str) -> usize {
    let _ = text;
    todo!("diff helper")
}

/// Diffs `old` against `new`.
pub fn diff(old: &str, new: &str, opts: &DiffOptions) -> Diff {
    let _ = (old, new, opts);
    todo!("diff helper")
}
