//! Pairing paragraphs: the paragraph-level alignment of two texts, the
//! pairing of deleted with inserted paragraphs inside each gap, and moves.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::normalize::Norm;
use super::paragraphs::{Para, jaccard, union};

/// Paragraphs at least this similar (Jaccard of word sets) may pair up.
const PAIR_SIMILARITY: f64 = 0.5;
/// A lone paragraph replaced by a lone paragraph pairs up at this similarity.
const LONE_PAIR_SIMILARITY: f64 = 0.3;
/// Paragraphs at least this similar count as moved rather than rewritten.
const MOVE_SIMILARITY: f64 = 0.8;
/// Above this many candidate pairs, gaps are paired greedily in a window.
const PAIRING_CELLS: usize = 40_000;
/// Above this many candidate pairs, only exact moves are looked for.
const MOVE_CELLS: usize = 250_000;

/// How paragraphs of the two texts correspond.
pub(super) enum Step {
    /// Same comparison key (maybe differing in ignored ways).
    Same(usize, usize),
    /// Paired by similarity: runs of old and new paragraphs diffed word by word.
    Pair(Range<usize>, Range<usize>),
    Del(usize),
    Ins(usize),
}

pub(super) struct Aligner<'p, 'a> {
    pub(super) olds: &'p [Para<'a>],
    pub(super) news: &'p [Para<'a>],
    pub(super) norm: Norm,
    pub(super) deadline: Instant,
    /// Word sets, computed on first use.
    pub(super) old_sets: Vec<Option<Vec<u64>>>,
    pub(super) new_sets: Vec<Option<Vec<u64>>>,
}

impl Aligner<'_, '_> {
    pub(super) fn past_deadline(&self) -> bool {
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
    pub(super) fn steps(&mut self) -> Vec<Step> {
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
    pub(super) fn moves(&mut self, steps: &[Step]) -> (Vec<bool>, Vec<bool>, usize) {
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
