//! Pairing paragraphs: the paragraph-level alignment of two texts, the
//! pairing of deleted with inserted paragraphs inside each gap, and moves.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

use super::normalize::Norm;
use super::paragraphs::{Para, jaccard, union};
use super::tokenize::count_words;

/// Paragraphs at least this similar (Jaccard of word sets) may pair up.
const PAIR_SIMILARITY: f64 = 0.5;
/// A lone paragraph replaced by a lone paragraph pairs up at this similarity.
const LONE_PAIR_SIMILARITY: f64 = 0.3;
/// New paragraphs at least this similar to an old one anchor the alignment
/// as if they were the same paragraph.
const MOVE_SIMILARITY: f64 = 0.8;
/// A removed and an added paragraph at least this similar are one paragraph
/// that moved and was edited (diffed word by word inside).
const EDITED_MOVE_SIMILARITY: f64 = 0.5;
/// Above this many candidate pairs, gaps are paired greedily in a window.
const PAIRING_CELLS: usize = 40_000;
/// Above this many candidate pairs, only exact moves are looked for.
const MOVE_CELLS: usize = 250_000;

/// Some id is left unmatched on both sides of the alignment `ops`.
fn missed_matches(ops: &[similar::DiffOp], old: &[u64], new: &[u64]) -> bool {
    let mut unmatched_old = std::collections::HashSet::new();
    let mut unmatched_new = Vec::new();
    for op in ops {
        let (tag, ro, rn) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            unmatched_old.extend(ro.map(|i| old[i]));
            unmatched_new.extend(rn.map(|j| new[j]));
        }
    }
    unmatched_new.iter().any(|h| unmatched_old.contains(h))
}

/// Leftover runs of removed and added paragraphs up to this many bytes (both
/// sides together) get a word diff as one pair, kept when it is no confetti.
const LEFTOVER_BYTES: usize = 4 * 1024;
/// ... and when their word sets are at least this similar (Jaccard).
const LEFTOVER_SIMILARITY: f64 = 0.2;

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
    /// Word counts of paragraph contents, computed on first use.
    pub(super) old_words: Vec<Option<usize>>,
    pub(super) new_words: Vec<Option<usize>>,
}

impl Aligner<'_, '_> {
    pub(super) fn past_deadline(&self) -> bool {
        Instant::now() > self.deadline
    }

    fn old_set(&mut self, i: usize) -> &[u64] {
        let (olds, norm) = (self.olds, self.norm);
        self.old_sets[i].get_or_insert_with(|| olds[i].shared_word_set(norm))
    }

    fn new_set(&mut self, j: usize) -> &[u64] {
        let (news, norm) = (self.news, self.norm);
        self.new_sets[j].get_or_insert_with(|| news[j].shared_word_set(norm))
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

    /// Words in paragraph `k` of the old text (`old`) or of the new (its
    /// whole chunk: the whitespace around the content holds no word).
    pub(super) fn words(&mut self, old: bool, k: usize) -> usize {
        let (cache, paras) = if old {
            (&mut self.old_words, self.olds)
        } else {
            (&mut self.new_words, self.news)
        };
        *cache[k].get_or_insert_with(|| {
            // Counted once for a chain of diffs, under a normalization.
            paras[k].words.unwrap_or_else(|| count_words(paras[k].text))
        })
    }

    /// Words left unmatched by a paragraph alignment: what it leaves for the
    /// gaps to pair and the word diff to explain.
    fn unmatched_words(&mut self, ops: &[similar::DiffOp]) -> usize {
        let mut total = 0;
        for op in ops {
            let (tag, ro, rn) = op.as_tag_tuple();
            if tag != DiffTag::Equal {
                total += ro.map(|i| self.words(true, i)).sum::<usize>();
                total += rn.map(|j| self.words(false, j)).sum::<usize>();
            }
        }
        total
    }

    /// Paragraph-level alignment, in text order.
    ///
    /// Patience reads best (it anchors on paragraphs found once on each
    /// side), but among repeated paragraphs it can anchor on the wrong copy
    /// and leave far more unmatched than a plain longest common subsequence
    /// would. Both are computed; the one leaving fewer words unmatched wins,
    /// Patience on a tie. So the alignment is never worse, in words, than a
    /// plain LCS over paragraphs.
    pub(super) fn steps(&mut self) -> Vec<Step> {
        let oh: Vec<u64> = self.olds.iter().map(|p| p.hash).collect();
        let nh = self.fuzzy_ids(&oh);
        let mut ops =
            capture_diff_slices_deadline(Algorithm::Patience, &oh, &nh, Some(self.deadline));
        // An LCS can only do better when Patience left some paragraph
        // unmatched on both sides (a repeated one, typically); otherwise
        // (unrelated texts, say) it is not worth its time.
        if missed_matches(&ops, &oh, &nh) && !self.past_deadline() {
            let patience_cost = self.unmatched_words(&ops);
            let lcs = capture_diff_slices_deadline(Algorithm::Myers, &oh, &nh, Some(self.deadline));
            if self.unmatched_words(&lcs) < patience_cost {
                ops = lcs;
            }
        }
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
    ///
    /// Near copies are matched in order first (an order-preserving best
    /// pairing, as in a gap), so that among similar paragraphs (a cookie
    /// table, a repeated notice) each edited copy keeps its own place;
    /// only the new paragraphs left over look for a match anywhere.
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
        if lone_old.is_empty()
            || lone_new.is_empty()
            || lone_old.len() * lone_new.len() > MOVE_CELLS
        {
            return ids;
        }
        let mut taken = vec![false; self.olds.len()];
        let mut matched = vec![false; self.news.len()];
        if lone_old.len() * lone_new.len() <= PAIRING_CELLS {
            for (i, j) in self.ordered_pairs(&lone_old, &lone_new, MOVE_SIMILARITY) {
                taken[i] = true;
                matched[j] = true;
                ids[j] = old_hashes[i];
            }
        }
        for j in lone_new.into_iter().filter(|&j| !matched[j]) {
            if self.past_deadline() {
                break;
            }
            let best = lone_old
                .iter()
                .filter(|&&i| !taken[i])
                .map(|&i| (i, self.similarity_at_least(i, j, MOVE_SIMILARITY)))
                .filter(|&(_, s)| s >= MOVE_SIMILARITY)
                // Most similar; among equals, the first.
                .max_by(|x, y| x.1.total_cmp(&y.1).then(y.0.cmp(&x.0)));
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
        let (olds, news): (Vec<usize>, Vec<usize>) = (ro.collect(), rn.collect());
        self.ordered_pairs(&olds, &news, PAIR_SIMILARITY)
    }

    /// Order-preserving pairing of old paragraphs `olds` with new ones
    /// `news` (both ascending) at similarity `floor` or more, maximizing
    /// the total similarity (a weighted LCS). Among pairings of equal
    /// weight (identical copies), the first copies pair first.
    fn ordered_pairs(&mut self, olds: &[usize], news: &[usize], floor: f64) -> Vec<(usize, usize)> {
        let (n, m) = (olds.len(), news.len());
        let mut sim = vec![0.0; n * m];
        for a in 0..n {
            for b in 0..m {
                // Below `floor` a similarity counts as 0 anyway.
                sim[a * m + b] = self.similarity_at_least(olds[a], news[b], floor);
            }
        }
        // Filled from the end, so that the walk from the start takes the
        // first of equally good pairs.
        let mut score = vec![0.0f64; (n + 1) * (m + 1)];
        let at = |a: usize, b: usize| a * (m + 1) + b;
        for a in (0..n).rev() {
            for b in (0..m).rev() {
                let s = sim[a * m + b];
                let diag = if s >= floor {
                    score[at(a + 1, b + 1)] + s
                } else {
                    0.0
                };
                score[at(a, b)] = score[at(a + 1, b)].max(score[at(a, b + 1)]).max(diag);
            }
        }
        let mut pairs = Vec::new();
        let (mut a, mut b) = (0, 0);
        while a < n && b < m {
            let s = sim[a * m + b];
            if s >= floor && score[at(a, b)] == score[at(a + 1, b + 1)] + s {
                pairs.push((olds[a], news[b]));
                a += 1;
                b += 1;
            } else if score[at(a, b)] == score[at(a + 1, b)] {
                a += 1;
            } else {
                b += 1;
            }
        }
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

    /// Removed and added paragraphs that nothing paired and nothing moved, side
    /// by side between the same two anchors (a list reworked, a paragraph
    /// rewritten and split), are tried as one pair: their word diff finds the
    /// lines they share. The caller keeps it only when it shares enough words
    /// (see `words::UNRELATED_SHARE`); otherwise they stay removed and added.
    pub(super) fn pair_leftovers(
        &mut self,
        steps: Vec<Step>,
        old_moved: &[bool],
        new_moved: &[bool],
    ) -> Vec<Step> {
        let (olds, news) = (self.olds, self.news);
        let mut out = Vec::with_capacity(steps.len());
        let mut run: Vec<Step> = Vec::new();
        let mut flush = |run: &mut Vec<Step>, out: &mut Vec<Step>| {
            let dels: Vec<usize> = run
                .iter()
                .filter_map(|s| if let Step::Del(i) = s { Some(*i) } else { None })
                .collect();
            let inss: Vec<usize> = run
                .iter()
                .filter_map(|s| if let Step::Ins(j) = s { Some(*j) } else { None })
                .collect();
            let contiguous = |v: &[usize]| v.windows(2).all(|w| w[1] == w[0] + 1);
            let bytes: usize = dels.iter().map(|&i| olds[i].text.len()).sum::<usize>()
                + inss.iter().map(|&j| news[j].text.len()).sum::<usize>();
            if !dels.is_empty()
                && !inss.is_empty()
                && contiguous(&dels)
                && contiguous(&inss)
                && bytes <= LEFTOVER_BYTES
                && !dels.iter().any(|&i| old_moved[i])
                && !inss.iter().any(|&j| new_moved[j])
                && !self.past_deadline()
                // A cheap look at their vocabularies spares the word diff of
                // runs that cannot share enough (unrelated texts).
                && self.range_similarity(
                    &(dels[0]..dels[dels.len() - 1] + 1),
                    &(inss[0]..inss[inss.len() - 1] + 1),
                ) >= LEFTOVER_SIMILARITY
            {
                out.push(Step::Pair(
                    dels[0]..dels[dels.len() - 1] + 1,
                    inss[0]..inss[inss.len() - 1] + 1,
                ));
                run.clear();
            } else {
                out.append(run);
            }
        };
        for step in steps {
            if matches!(step, Step::Del(_) | Step::Ins(_)) {
                run.push(step);
            } else {
                flush(&mut run, &mut out);
                out.push(step);
            }
        }
        flush(&mut run, &mut out);
        out
    }

    /// Finds deleted paragraphs that reappear as inserted ones elsewhere:
    /// identical ones first (under the normalization), in order, then
    /// similar ones, the most similar first. Returns the moves as (old, new)
    /// paragraph indices, in the order of the new text.
    ///
    /// A similar pair is a move only when its word diff changes fewer words
    /// than the removal and addition would: the caller checks that.
    ///
    /// A paragraph that stands more than once in the two texts together
    /// (legal boilerplate, a repeated notice) is never part of a move:
    /// identical copies are interchangeable, so a copy removed here and one
    /// added there are a removal and an addition, not a paragraph that moved.
    pub(super) fn moves(&mut self, steps: &[Step]) -> Vec<(usize, usize)> {
        let mut old_moved = vec![false; self.olds.len()];
        let mut new_moved = vec![false; self.news.len()];
        let mut moves = Vec::new();
        let mut copies: HashMap<u64, usize> = HashMap::new();
        for p in self.olds.iter().chain(self.news) {
            *copies.entry(p.hash).or_default() += 1;
        }
        let single = |p: &Para| copies.get(&p.hash).is_none_or(|&n| n <= 2);
        let dels: Vec<usize> = steps
            .iter()
            .filter_map(|s| if let Step::Del(i) = s { Some(*i) } else { None })
            .filter(|&i| self.olds[i].movable() && single(&self.olds[i]))
            .collect();
        let inss: Vec<usize> = steps
            .iter()
            .filter_map(|s| if let Step::Ins(j) = s { Some(*j) } else { None })
            .filter(|&j| self.news[j].movable() && single(&self.news[j]))
            .collect();
        let mut by_hash: HashMap<u64, Vec<usize>> = HashMap::new();
        for &i in dels.iter().rev() {
            by_hash.entry(self.olds[i].hash).or_default().push(i);
        }
        for &j in &inss {
            if let Some(i) = by_hash.get_mut(&self.news[j].hash).and_then(Vec::pop) {
                (old_moved[i], new_moved[j]) = (true, true);
                moves.push((i, j));
            }
        }
        let dels: Vec<usize> = dels.into_iter().filter(|&i| !old_moved[i]).collect();
        let inss: Vec<usize> = inss.into_iter().filter(|&j| !new_moved[j]).collect();
        if !dels.is_empty() && dels.len() * inss.len() <= MOVE_CELLS {
            let mut candidates = Vec::new();
            for &j in &inss {
                if self.past_deadline() {
                    break;
                }
                for &i in &dels {
                    let s = self.similarity_at_least(i, j, EDITED_MOVE_SIMILARITY);
                    if s >= EDITED_MOVE_SIMILARITY {
                        candidates.push((s, i, j));
                    }
                }
            }
            // Most similar first; among equals, in text order.
            candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.2, x.1).cmp(&(y.2, y.1))));
            for (_, i, j) in candidates {
                if !old_moved[i] && !new_moved[j] {
                    (old_moved[i], new_moved[j]) = (true, true);
                    moves.push((i, j));
                }
            }
        }
        moves.sort_by_key(|&(_, j)| j);
        moves
    }
}
