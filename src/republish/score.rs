//! Exact similarity of two prepared texts: containment both ways and the
//! paragraphs that match.

use std::collections::HashSet;

use super::text::{Para, shingle_set};

/// A text ready to compare: its paragraphs and its shingle set with its
/// source's boilerplate left out.
#[derive(Debug, Clone, Default)]
pub struct Prepared {
    pub paras: Vec<Para>,
    /// Paragraph indexes that are boilerplate of the text's source.
    pub boilerplate: Vec<usize>,
    pub set: Vec<u64>,
}

impl Prepared {
    pub fn new(paras: Vec<Para>, boilerplate: &HashSet<u64>) -> Prepared {
        let set = shingle_set(&paras, boilerplate);
        let bp = (0..paras.len())
            .filter(|&i| boilerplate.contains(&paras[i].hash))
            .collect();
        Prepared {
            paras,
            boilerplate: bp,
            set,
        }
    }

    fn is_boilerplate(&self, i: usize) -> bool {
        self.boilerplate.binary_search(&i).is_ok()
    }
}

/// Paragraph `a` of one text matching paragraph `b` of the other, with the
/// share of `a`'s shingles found in `b`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParaMatch {
    pub a: usize,
    pub b: usize,
    pub share: f64,
}

/// How two texts overlap.
#[derive(Debug, Clone, PartialEq)]
pub struct Overlap {
    /// Shingles both have (boilerplate left out).
    pub shared: usize,
    /// Share of A's shingles found in B, and of B's in A.
    pub a_in_b: f64,
    pub b_in_a: f64,
    /// A's paragraphs that are mostly in B, each with its best match.
    pub matches: Vec<ParaMatch>,
}

impl Overlap {
    /// The larger containment: how much of the smaller text is in the other.
    pub fn containment(&self) -> f64 {
        self.a_in_b.max(self.b_in_a)
    }
}

/// A paragraph matches another when at least this share of its shingles is
/// in it.
pub const PARA_MATCH: f64 = 0.5;

/// Exact overlap of `a` and `b`.
pub fn overlap(a: &Prepared, b: &Prepared) -> Overlap {
    let shared = intersection(&a.set, &b.set);
    let share = |n: usize, of: usize| if of == 0 { 0.0 } else { n as f64 / of as f64 };
    let mut matches = Vec::new();
    if shared > 0 {
        let b_sets: Vec<HashSet<u64>> = b
            .paras
            .iter()
            .map(|p| p.shingles.iter().copied().collect())
            .collect();
        let b_all: HashSet<u64> = b.set.iter().copied().collect();
        for (i, p) in a.paras.iter().enumerate() {
            if a.is_boilerplate(i) || p.shingles.is_empty() {
                continue;
            }
            let own: HashSet<u64> = p.shingles.iter().copied().collect();
            if share(own.iter().filter(|s| b_all.contains(s)).count(), own.len()) < PARA_MATCH {
                continue;
            }
            let best = b_sets
                .iter()
                .enumerate()
                .filter(|(j, _)| !b.is_boilerplate(*j))
                .map(|(j, s)| (j, own.iter().filter(|x| s.contains(x)).count()))
                .max_by_key(|&(j, n)| (n, std::cmp::Reverse(j)));
            if let Some((j, n)) = best.filter(|&(_, n)| n > 0) {
                matches.push(ParaMatch {
                    a: i,
                    b: j,
                    share: share(n, own.len()),
                });
            }
        }
    }
    Overlap {
        shared,
        a_in_b: share(shared, a.set.len()),
        b_in_a: share(shared, b.set.len()),
        matches,
    }
}

/// Size of the intersection of two sorted, deduplicated sets.
pub fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::super::text::prepare;
    use super::*;

    const FULL: &str = "Alpha beta gamma delta epsilon zeta eta theta.\n\n\
        Iota kappa lambda mu nu xi omicron pi.\n\n\
        Rho sigma tau upsilon phi chi psi omega.";

    #[test]
    fn a_cut_copy_is_contained_in_the_full_one() {
        let full = Prepared::new(prepare(FULL), &HashSet::new());
        let cut = Prepared::new(
            prepare("Iota kappa lambda mu nu xi omicron pi.\n\nRead more on our blog now please."),
            &HashSet::new(),
        );
        let o = overlap(&cut, &full);
        assert_eq!(o.shared, 5);
        // 5 + 4 shingles (the footer has seven words), 5 of them shared.
        assert!((o.a_in_b - 5.0 / 9.0).abs() < 1e-9, "{o:?}");
        assert!((o.b_in_a - 5.0 / 15.0).abs() < 1e-9);
        assert_eq!(o.matches.len(), 1);
        assert_eq!((o.matches[0].a, o.matches[0].b), (0, 1));
        assert_eq!(o.containment(), o.a_in_b);
    }

    #[test]
    fn boilerplate_never_matches() {
        let paras = prepare(FULL);
        let bp: HashSet<u64> = paras.iter().map(|p| p.hash).collect();
        let a = Prepared::new(paras.clone(), &bp);
        let b = Prepared::new(paras, &bp);
        let o = overlap(&a, &b);
        assert_eq!((o.shared, o.matches.len()), (0, 0));
    }
}
