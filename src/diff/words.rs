//! The word diff inside paired paragraphs, and the ops it writes.

use std::borrow::Cow;
use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::time::Instant;

use similar::{Algorithm, DiffTag, capture_diff_deadline, capture_diff_slices_deadline};

use super::classify::{Side, classify, is_slight, is_title_suffix};
use super::model::{ChangeKind, Op, OpTag};
use super::normalize::{Norm, Role, roles};
use super::paragraphs::{KeyHasher, Para};
use super::tokenize::{is_space, is_word, tokenize};

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

    /// Token ranges of the lines: each ends with (and holds) a whitespace
    /// token holding a line feed, but the last.
    fn lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, t) in self.tokens.iter().enumerate() {
            if t.contains('\n') && is_space(t) {
                out.push(start..i + 1);
                start = i + 1;
            }
        }
        if start < self.tokens.len() {
            out.push(start..self.tokens.len());
        }
        out
    }

    /// Hash of the keys of the tokens `r` (an ignorable token counts as a
    /// mark of its own).
    fn line_hash(&self, r: &Range<usize>) -> u64 {
        let mut h = KeyHasher::default();
        for k in &self.keys[r.clone()] {
            match k {
                Some(k) => k.hash(&mut h),
                None => 0u8.hash(&mut h),
            }
        }
        h.finish()
    }

    fn all_ignorable(&self, r: &Range<usize>) -> bool {
        self.keys[r.clone()].iter().all(Option::is_none)
    }
}

/// Accumulates ops.
pub(super) struct Writer {
    pub(super) norm: Norm,
    pub(super) deadline: Instant,
    pub(super) ops: Vec<Op>,
    pub(super) fallback: bool,
}

impl Writer {
    pub(super) fn push(&mut self, tag: OpTag, text: &str, kind: Option<ChangeKind>, ignored: bool) {
        self.push_op(Op {
            op: tag,
            text: text.to_owned(),
            moved: false,
            kind,
            ignored,
            move_id: None,
        });
    }

    fn push_op(&mut self, op: Op) {
        if op.text.is_empty() {
            return;
        }
        if let Some(last) = self.ops.last_mut()
            && (last.op, last.kind, last.moved, last.ignored, last.move_id)
                == (op.op, op.kind, op.moved, op.ignored, op.move_id)
        {
            last.text.push_str(&op.text);
            return;
        }
        self.ops.push(op);
    }

    /// One end of move `id`: the whole paragraph, where it was (`Delete`) or
    /// where it is now (`Insert`).
    pub(super) fn moved(&mut self, tag: OpTag, text: &str, id: usize) {
        self.push_op(Op {
            op: tag,
            text: text.to_owned(),
            moved: true,
            kind: Some(ChangeKind::ParagraphMoved),
            ignored: false,
            move_id: Some(id),
        });
    }

    /// The word diff inside a moved paragraph: its old and new contents.
    pub(super) fn inner(&self, old: &str, new: &str) -> (Vec<Op>, bool) {
        let mut w = Writer {
            norm: self.norm,
            deadline: self.deadline,
            ops: Vec::new(),
            fallback: false,
        };
        match w.pieces(old, new) {
            Some((o, n, pieces)) => w.write_pieces(&o, &n, pieces, false),
            None => w.push(OpTag::Equal, old, None, false),
        }
        (w.ops, w.fallback)
    }

    /// A whole paragraph added or removed; returns 1 when it counts as one.
    pub(super) fn whole(&mut self, tag: OpTag, p: &Para) -> usize {
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
    /// and of `new`). With `check`, runs that turn out to share too little
    /// (see [`unrelated`]) are left alone and false is returned: they read
    /// better as removed and added whole than as confetti.
    pub(super) fn pair(
        &mut self,
        old: &str,
        new: &str,
        olds: &[Para],
        news: &[Para],
        check: bool,
    ) -> bool {
        let (fo, lo) = (&olds[0], &olds[olds.len() - 1]);
        let (fn_, ln) = (&news[0], &news[news.len() - 1]);
        let (old_body, new_body) = (
            &old[fo.start + fo.lead..lo.start + lo.end],
            &new[fn_.start + fn_.lead..ln.start + ln.end],
        );
        let pieces = self.pieces(old_body, new_body);
        if check
            && let Some((o, n, pieces)) = &pieces
            && unrelated(o, n, pieces)
        {
            return false;
        }
        self.layout(&fo.text[..fo.lead], &fn_.text[..fn_.lead], true);
        // Both runs open their document: their first lines are its title.
        let title = fo.start == 0 && fn_.start == 0;
        match pieces {
            Some((o, n, pieces)) => self.write_pieces(&o, &n, pieces, title),
            None => self.push(OpTag::Equal, old_body, None, false),
        }
        let both_breaks =
            lo.sep().matches('\n').count() >= 2 && ln.sep().matches('\n').count() >= 2;
        let both_last =
            lo.start + lo.text.len() == old.len() && ln.start + ln.text.len() == new.len();
        self.layout(lo.sep(), ln.sep(), both_breaks || both_last);
        true
    }

    /// The word diff of two paragraph bodies as pieces, tidied; `None`
    /// when they are the same text.
    fn pieces<'t>(
        &mut self,
        old: &'t str,
        new: &'t str,
    ) -> Option<(Toks<'t>, Toks<'t>, Vec<Piece>)> {
        if old == new {
            return None;
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
        let pieces = tidy(pieces, &o);
        Some((o, n, pieces))
    }

    /// Writes the ops of a word diff; `title`: the bodies' first lines are
    /// the documents' titles.
    fn write_pieces(&mut self, o: &Toks, n: &Toks, pieces: Vec<Piece>, title: bool) {
        for p in pieces {
            match p.kind {
                PieceKind::Equal => self.push(OpTag::Equal, o.span(&p.old), None, false),
                PieceKind::Change | PieceKind::Ignored => {
                    let suffix = title && o.title_suffix(&p.old) && n.title_suffix(&p.new);
                    let kind = if suffix {
                        ChangeKind::TitleSuffix
                    } else {
                        classify(o.side(&p.old), n.side(&p.new))
                    };
                    // Keys cut differently can still say the same (a
                    // character reference and its character): ignored too.
                    let ignored = p.kind == PieceKind::Ignored
                        || (suffix && self.norm.markup)
                        || (self.norm != Norm::default()
                            && o.side(&p.old).same_text_under(&n.side(&p.new), self.norm));
                    self.push(OpTag::Delete, o.span(&p.old), Some(kind), ignored);
                    self.push(OpTag::Insert, n.span(&p.new), Some(kind), ignored);
                }
            }
        }
    }
}

/// Below this share of their words kept by the word diff (twice the words
/// kept over the words of both sides), two paired paragraphs are unrelated:
/// a removal and an addition, not a rewrite.
pub(super) const UNRELATED_SHARE: f64 = 0.3;

/// The word diff `pieces` of `o` and `n` keeps too few of their words to be
/// worth showing as one (see [`UNRELATED_SHARE`]).
fn unrelated(o: &Toks, n: &Toks, pieces: &[Piece]) -> bool {
    let words = |t: &Toks, r: Range<usize>| t.tokens[r].iter().filter(|t| is_word(t)).count();
    let total = words(o, 0..o.tokens.len()) + words(n, 0..n.tokens.len());
    let kept: usize = pieces
        .iter()
        .filter(|p| p.kind != PieceKind::Change)
        .map(|p| words(o, p.old.clone()) + words(n, p.new.clone()))
        .sum();
    total > 0 && (kept as f64) < UNRELATED_SHARE * total as f64
}

/// Word diffs with more keys than this on each side use Patience.
const PATIENCE_KEYS: usize = 300;

/// Aligns the tokens of a paragraph pair. Long multi-line bodies (a list
/// reworked, a run of paragraphs paired whole) are aligned line by line
/// first, as `git diff --word-diff` does, and word by word only inside
/// the lines that differ: a word diff over thousands of tokens with many
/// differences costs far more.
fn word_pieces(o: &Toks, n: &Toks, deadline: Instant) -> Vec<Piece> {
    let mut pieces = Vec::new();
    if o.tokens.len().min(n.tokens.len()) <= LINE_FIRST_TOKENS {
        word_pieces_in(
            o,
            n,
            0..o.tokens.len(),
            0..n.tokens.len(),
            deadline,
            &mut pieces,
        );
        return pieces;
    }
    let (ol, nl) = (o.lines(), n.lines());
    if ol.len() < 2 || nl.len() < 2 {
        word_pieces_in(
            o,
            n,
            0..o.tokens.len(),
            0..n.tokens.len(),
            deadline,
            &mut pieces,
        );
        return pieces;
    }
    let oh: Vec<u64> = ol.iter().map(|r| o.line_hash(r)).collect();
    let nh: Vec<u64> = nl.iter().map(|r| n.line_hash(r)).collect();
    let span = |lines: &[Range<usize>], r: Range<usize>| {
        if r.is_empty() {
            let at = lines
                .get(r.start)
                .map_or_else(|| lines[lines.len() - 1].end, |l| l.start);
            at..at
        } else {
            lines[r.start].start..lines[r.end - 1].end
        }
    };
    for op in capture_diff_slices_deadline(Algorithm::Patience, &oh, &nh, Some(deadline)) {
        let (tag, ro, rn) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            for (a, b) in ro.zip(rn) {
                let (ra, rb) = (ol[a].clone(), nl[b].clone());
                if o.span(&ra) == n.span(&rb) {
                    pieces.push(Piece {
                        old: ra,
                        new: rb,
                        kind: PieceKind::Equal,
                    });
                } else {
                    // Same keys, different text: ignored differences.
                    word_pieces_in(o, n, ra, rb, deadline, &mut pieces);
                }
            }
        } else {
            let (ra, rb) = (span(&ol, ro), span(&nl, rn));
            if ra.len().min(rb.len()) <= LINE_GAP_TOKENS {
                word_pieces_in(o, n, ra, rb, deadline, &mut pieces);
            } else {
                // Many lines rewritten: replaced as lines, as a line diff
                // shows them, rather than searched word by word.
                pieces.push(Piece {
                    old: ra,
                    new: rb,
                    kind: PieceKind::Change,
                });
            }
        }
    }
    pieces
}

/// Between lines aligned line by line, runs of differing lines up to this
/// many tokens (on the shorter side) get a word diff; longer ones are
/// replaced whole.
const LINE_GAP_TOKENS: usize = 300;

/// Bodies with more tokens than this on each side are aligned line by line
/// first.
const LINE_FIRST_TOKENS: usize = 400;

/// Aligns tokens `ro` of `o` with tokens `rn` of `n`: keys first, then
/// ignorable tokens in the gaps between aligned keys.
fn word_pieces_in(
    o: &Toks,
    n: &Toks,
    ro: Range<usize>,
    rn: Range<usize>,
    deadline: Instant,
    pieces: &mut Vec<Piece>,
) {
    let old_sig: Vec<usize> = ro.clone().filter(|&i| o.keys[i].is_some()).collect();
    let new_sig: Vec<usize> = rn.clone().filter(|&j| n.keys[j].is_some()).collect();
    let ok: Vec<&str> = old_sig
        .iter()
        .map(|&i| o.keys[i].as_deref().unwrap_or_default())
        .collect();
    let nk: Vec<&str> = new_sig
        .iter()
        .map(|&j| n.keys[j].as_deref().unwrap_or_default())
        .collect();
    // Myers finds a shortest edit script, in time that grows with the
    // number of differences times the length: fine for a paragraph, slow
    // for long bodies with many differences. Past a few hundred keys
    // Patience anchors on words found once on each side and runs Myers
    // only between anchors.
    let algorithm = if ok.len().min(nk.len()) > PATIENCE_KEYS {
        Algorithm::Patience
    } else {
        Algorithm::Myers
    };
    let ops = capture_diff_slices_deadline(algorithm, &ok, &nk, Some(deadline));
    let (mut po, mut pn) = (ro.start, rn.start);
    for op in ops {
        let (tag, ko, kn) = op.as_tag_tuple();
        if tag != DiffTag::Equal {
            continue;
        }
        for (a, b) in ko.map(|k| old_sig[k]).zip(kn.map(|k| new_sig[k])) {
            gap_pieces(o, n, po..a, pn..b, pieces);
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
    gap_pieces(o, n, po..ro.end, pn..rn.end, pieces);
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
pub(super) fn absorb_layout(ops: Vec<Op>) -> Vec<Op> {
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
            if (last.kind, last.moved, last.ignored, last.move_id)
                == (op.kind, op.moved, op.ignored, op.move_id)
            {
                last.text.push_str(&op.text);
                continue;
            }
        }
        out.push(op);
    }
    out
}
