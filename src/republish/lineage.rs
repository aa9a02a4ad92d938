//! Lineage: within a story, a suggestion of which copy is the source and
//! how the others derive from it, with the evidence. Never a fact: copies
//! may come from a source that was never archived.

use super::error::IndexError;
use super::index::Index;
use super::score::{Prepared, overlap};
use super::stories::Story;
use super::text::{self, TextSource};

/// How a copy differs from the suggested source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Derivation {
    /// Much the same text.
    Copy,
    /// Kept part of the source, added little.
    Truncated,
    /// Kept the source, added text of its own.
    Padded,
    /// Kept part and added text of its own.
    CutAndPadded,
    /// Most of the source, with words changed.
    Edited,
}

/// One derived copy.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Derived {
    pub index: usize,
    pub derivation: Derivation,
    /// Share of the source's text this copy keeps.
    pub kept: f64,
    /// Share of this copy's text not in the source.
    pub added: f64,
    pub evidence: String,
}

/// The suggestion for one story.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Lineage {
    /// Index (in first-capture order) of the likely source.
    pub source: usize,
    pub evidence: String,
    pub derived: Vec<Derived>,
}

/// Suggests a lineage for texts given in first-capture order with their
/// names, each compared without any source's boilerplate.
pub fn of_texts(index: &Index, copies: &[(&str, &str)]) -> Result<Option<Lineage>, IndexError> {
    if copies.len() < 2 {
        return Ok(None);
    }
    let bp = index.any_boilerplate()?;
    let prepared: Vec<Prepared> = copies
        .iter()
        .map(|(_, t)| Prepared::new(text::prepare(t), &bp))
        .collect();
    let named: Vec<(&str, &Prepared)> = copies
        .iter()
        .zip(&prepared)
        .map(|((name, _), p)| (*name, p))
        .collect();
    Ok(suggest(&named))
}

/// The lineage of a story's documents (`None` for a story of one).
pub fn of_story(
    index: &Index,
    story: &Story,
    texts: &mut TextSource,
) -> Result<Option<Lineage>, IndexError> {
    if story.docs.len() < 2 {
        return Ok(None);
    }
    let bodies: Vec<_> = story
        .docs
        .iter()
        .map(|d| texts(&d.entry.key).unwrap_or_default())
        .collect();
    let named: Vec<(&str, &str)> = story
        .docs
        .iter()
        .zip(&bodies)
        .map(|(d, t)| (d.entry.doc.as_str(), t.as_str()))
        .collect();
    of_texts(index, &named)
}

/// Suggests a lineage for copies given in first-capture order (names for
/// the evidence). `None` for fewer than two copies.
pub fn suggest(copies: &[(&str, &Prepared)]) -> Option<Lineage> {
    if copies.len() < 2 {
        return None;
    }
    let n = copies.len();
    // contained[i][j]: share of copy i's text found in copy j.
    let mut contained = vec![vec![1.0; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let o = overlap(copies[i].1, copies[j].1);
            contained[i][j] = o.a_in_b;
            contained[j][i] = o.b_in_a;
        }
    }
    // The source: the others most contained in it, then the earliest.
    let score = |j: usize| {
        (0..n)
            .filter(|&i| i != j)
            .map(|i| contained[i][j])
            .sum::<f64>()
    };
    let source = (0..n)
        .max_by(|&a, &b| score(a).total_cmp(&score(b)).then(b.cmp(&a)))
        .expect("two copies");
    let others = (score(source) / (n - 1) as f64 * 100.0).round();
    let evidence = format!(
        "suggested: {} is the likely source: {}captured first{}, and on average {others}% of each other copy's text is in it",
        copies[source].0,
        if source == 0 { "" } else { "not " },
        if source == 0 {
            ""
        } else {
            " (an earlier copy may be derived from an unarchived original)"
        },
    );
    let derived = (0..n)
        .filter(|&i| i != source)
        .map(|i| {
            let kept = contained[source][i];
            let added = 1.0 - contained[i][source];
            let derivation = match (kept >= 0.9, added >= 0.1) {
                (true, false) if kept >= 0.99 && added <= 0.01 => Derivation::Copy,
                (true, false) => Derivation::Edited,
                (false, false) => Derivation::Truncated,
                (true, true) => Derivation::Padded,
                (false, true) => Derivation::CutAndPadded,
            };
            let evidence = format!(
                "suggested: {} is {} from {}: keeps {:.0}% of its text and adds {:.0}% of its own",
                copies[i].0,
                match derivation {
                    Derivation::Copy => "a copy",
                    Derivation::Truncated => "truncated",
                    Derivation::Padded => "padded",
                    Derivation::CutAndPadded => "cut and padded",
                    Derivation::Edited => "edited",
                },
                copies[source].0,
                kept * 100.0,
                added * 100.0
            );
            Derived {
                index: i,
                derivation,
                kept,
                added,
                evidence,
            }
        })
        .collect();
    Some(Lineage {
        source,
        evidence,
        derived,
    })
}

#[cfg(test)]
mod tests {
    use super::super::text::prepare;
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_fullest_copy_is_the_source_and_a_cut_one_is_truncated() {
        let full = "One two three four five six seven.\n\nEight nine ten eleven twelve thirteen fourteen.\n\nFifteen sixteen seventeen eighteen nineteen twenty.";
        let cut = "One two three four five six seven.";
        let padded = format!("{full}\n\nRead more on our blog about other things today.");
        let p = |t: &str| Prepared::new(prepare(t), &HashSet::new());
        let (a, b, c) = (p(cut), p(full), p(&padded));
        let l = suggest(&[("cut", &a), ("full", &b), ("padded", &c)]).unwrap();
        // The padded copy contains both others wholly; it is the suggestion
        // only if nothing says otherwise: full and padded tie on containment.
        assert!(l.source == 1 || l.source == 2, "{l:?}");
        let cut_d = l.derived.iter().find(|d| d.index == 0).unwrap();
        assert_eq!(cut_d.derivation, Derivation::Truncated, "{l:?}");
        assert!(cut_d.evidence.starts_with("suggested:"));
        let l = suggest(&[("cut", &a), ("full", &b)]).unwrap();
        assert_eq!(l.source, 1);
        assert!(l.evidence.contains("not captured first"));
        let l = suggest(&[("full", &b), ("padded", &c)]).unwrap();
        assert_eq!(l.source, 1, "{l:?}");
        assert_eq!(l.derived[0].derivation, Derivation::Truncated);
    }
}
