//! A human summary of a diff: what changed, by kind, in one line, e.g.
//! `+8 paragraphs, -3 paragraphs, 2 inflections, 1 typography change,
//! 676 words added, 15 removed`, then a line of word counts.
//!
//! A change is counted once however many ops it spans (a deletion with its
//! insertion is one change). Ignored changes are not counted; whole
//! paragraphs come from [`crate::diff::Stats`].

use std::io::{self, Write};

use super::layout::RenderOptions;
use super::theme::Style;
use crate::diff::{ChangeKind, Diff, OpTag};
use crate::significance::Significance;

/// `1 word`, `2 words`.
fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// The number of visible changes of each in-paragraph kind, in kind order.
fn kind_counts(diff: &Diff) -> Vec<(ChangeKind, usize)> {
    let mut counts: Vec<(ChangeKind, usize)> = Vec::new();
    let mut previous: Option<ChangeKind> = None;
    // The edits inside moved paragraphs count like any other.
    let inner = diff.moves.iter().flat_map(|m| &m.ops);
    for op in diff.ops.iter().chain(inner) {
        let kind = op
            .kind
            .filter(|_| op.op != OpTag::Equal && !op.ignored && !op.moved);
        if let Some(k) = kind
            && previous != Some(k)
        {
            match counts.iter_mut().find(|(c, _)| *c == k) {
                Some((_, n)) => *n += 1,
                None => counts.push((k, 1)),
            }
        }
        previous = kind;
    }
    counts.retain(|(k, _)| {
        !matches!(
            k,
            ChangeKind::ParagraphAdded | ChangeKind::ParagraphRemoved | ChangeKind::ParagraphMoved
        )
    });
    counts.sort();
    counts
}

fn kind_phrase(kind: ChangeKind, n: usize) -> String {
    match kind {
        ChangeKind::Inflection => count(n, "inflection", "inflections"),
        ChangeKind::Number => count(n, "number change", "number changes"),
        ChangeKind::Punctuation => count(n, "punctuation change", "punctuation changes"),
        ChangeKind::Typography => count(n, "typography change", "typography changes"),
        ChangeKind::Markup => count(n, "markup change", "markup changes"),
        ChangeKind::Link => count(n, "link change", "link changes"),
        ChangeKind::Whitespace => count(n, "whitespace change", "whitespace changes"),
        ChangeKind::Case => count(n, "case change", "case changes"),
        ChangeKind::TitleSuffix => count(n, "title suffix", "title suffixes"),
        ChangeKind::Replace => count(n, "wording change", "wording changes"),
        ChangeKind::ParagraphAdded => count(n, "paragraph added", "paragraphs added"),
        ChangeKind::ParagraphRemoved => count(n, "paragraph removed", "paragraphs removed"),
        ChangeKind::ParagraphMoved => count(n, "paragraph moved", "paragraphs moved"),
    }
}

/// The one-line summary, `no changes` when nothing visible changed.
pub fn summary(diff: &Diff) -> String {
    if diff.is_unchanged() {
        return "no changes".to_owned();
    }
    let s = &diff.stats;
    let mut parts = Vec::new();
    if s.paragraphs_added + s.paragraphs_removed > 0 {
        parts.push(format!(
            "+{}",
            count(s.paragraphs_added, "paragraph", "paragraphs")
        ));
        parts.push(format!(
            "-{}",
            count(s.paragraphs_removed, "paragraph", "paragraphs")
        ));
    }
    if s.paragraphs_moved > 0 {
        parts.push(kind_phrase(ChangeKind::ParagraphMoved, s.paragraphs_moved));
    }
    parts.extend(
        kind_counts(diff)
            .into_iter()
            .map(|(k, n)| kind_phrase(k, n)),
    );
    parts.push(format!("{} added", count(s.words_added, "word", "words")));
    parts.push(format!("{} removed", s.words_removed));
    parts.join(", ")
}

/// Writes the summary line and a line of word counts.
pub fn stat(w: &mut dyn Write, diff: &Diff, opts: &RenderOptions) -> io::Result<()> {
    writeln!(w, "{}", summary(diff))?;
    let s = &diff.stats;
    let dim = Style::Dim;
    write!(
        w,
        "{}{} before, {} after, {} unchanged",
        dim.open(opts.color),
        count(s.words_old, "word", "words"),
        s.words_new,
        s.words_unchanged
    )?;
    if diff.fallback {
        write!(w, " (coarse diff: time limit reached)")?;
    }
    writeln!(w, "{}", dim.close(opts.color))
}

/// The significance line under a summary: `significance 0.83: words (12
/// words), numbers (26 -> 29)`.
pub fn significance(w: &mut dyn Write, s: &Significance) -> io::Result<()> {
    match s.reasons.is_empty() {
        true => writeln!(w, "significance {:.2}", s.value),
        false => writeln!(w, "significance {:.2}: {}", s.value, s.summary()),
    }
}
