//! Engine tests, by concern: worked examples and options (`examples`),
//! moved paragraphs (`moves`), generated texts that must rebuild
//! (`properties`), and seeded edits measured against the truth (`quality`).
//! Shared here: the fixture texts, the invariants every diff keeps, and a
//! small seeded text generator.

use super::*;

mod examples;
mod moves;
mod properties;
mod quality;

pub(super) const BLOG: &str =
    include_str!("../../../tests/fixtures/articles/blog-repost-2019-02-12.txt");
pub(super) const GLOBAL: &str =
    include_str!("../../../tests/fixtures/articles/globalresearch-2019-02-12.md");
pub(super) const RAQQAH: &str =
    include_str!("../../../tests/fixtures/articles/globalresearch-2017-10-12.md");
pub(super) const DEIR: &str =
    include_str!("../../../tests/fixtures/articles/globalresearch-2018-11-24.md");
pub(super) const ZAMAN: &str =
    include_str!("../../../tests/fixtures/articles/zamanalwasl-france-deal.txt");

/// Visible changes as (tag, text, kind).
pub(super) fn changes(d: &Diff) -> Vec<(OpTag, &str, ChangeKind)> {
    d.ops
        .iter()
        .filter(|o| o.op != OpTag::Equal && !o.ignored)
        .map(|o| (o.op, o.text.as_str(), o.kind.expect("changes have a kind")))
        .collect()
}

pub(super) fn all_options() -> Vec<DiffOptions> {
    let mut out = Vec::new();
    for bits in 0..16u8 {
        out.push(DiffOptions {
            ignore_case: bits & 1 != 0,
            ignore_whitespace: bits & 2 != 0,
            ignore_typography: bits & 4 != 0,
            ignore_markup: bits & 8 != 0,
            ..DiffOptions::default()
        });
    }
    out
}

pub(super) fn check_invariants(old: &str, new: &str, opts: &DiffOptions) -> Diff {
    let d = diff(old, new, opts);
    assert_eq!(d.old_text(), old);
    assert_eq!(d.new_text(), new);
    for op in &d.ops {
        assert!(!op.text.is_empty());
        assert_eq!(op.kind.is_some(), op.op != OpTag::Equal, "{op:?}");
        assert!(!(op.ignored && op.op == OpTag::Equal));
    }
    assert_eq!(d.stats.words_old, count_words(old));
    assert_eq!(d.stats.words_new, count_words(new));
    assert!(d.stats.words_unchanged <= d.stats.words_new + d.stats.words_old);
    // Each move: two ends (a delete and an insert) carrying its id, whose
    // texts hold the old and the new version its inner ops rebuild.
    assert_eq!(d.stats.paragraphs_moved, d.moves.len());
    for (k, m) in d.moves.iter().enumerate() {
        assert_eq!(m.id, k);
        let version = |skip: OpTag| -> String {
            m.ops
                .iter()
                .filter(|o| o.op != skip)
                .map(|o| o.text.as_str())
                .collect()
        };
        let ends: Vec<&Op> = d.ops.iter().filter(|o| o.move_id == Some(k)).collect();
        assert_eq!(ends.len(), 2, "{m:?}");
        assert!(
            ends.iter()
                .all(|o| o.moved && o.kind == Some(ChangeKind::ParagraphMoved))
        );
        let end = |tag: OpTag| ends.iter().find(|o| o.op == tag).expect("both ends");
        assert!(
            end(OpTag::Delete).text.contains(&version(OpTag::Insert)),
            "{m:?}"
        );
        assert!(
            end(OpTag::Insert).text.contains(&version(OpTag::Delete)),
            "{m:?}"
        );
    }
    assert!(d.ops.iter().all(|o| o.moved == o.move_id.is_some()));
    d
}

/// Small deterministic PRNG (xorshift64*), so the generated tests need no dependency.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub(super) fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Real paragraphs of the fixtures, at least 20 words long, without the
/// near-duplicates the blog and Global Research copies share.
pub(super) fn fixture_paragraphs() -> Vec<&'static str> {
    let mut seen = std::collections::HashSet::new();
    [BLOG, GLOBAL, RAQQAH, DEIR, ZAMAN]
        .iter()
        .flat_map(|t| t.split("\n\n"))
        .map(str::trim)
        .filter(|p| count_words(p) >= 20)
        .filter(|p| seen.insert(p.split_whitespace().take(6).collect::<Vec<_>>()))
        .collect()
}

/// A generated prose text of about `bytes` bytes.
pub(super) fn prose(rng: &mut Rng, bytes: usize) -> String {
    let words: Vec<&str> = fixture_paragraphs()
        .iter()
        .flat_map(|p| p.split_whitespace())
        .collect();
    let mut out = String::new();
    while out.len() < bytes {
        for _ in 0..40 + rng.below(80) {
            out.push_str(words[rng.below(words.len())]);
            out.push(' ');
        }
        out.push_str("end.\n\n");
    }
    out
}

/// Paragraphs of `n` words: word `k` is `{stem}{k}`.
pub(super) fn words(stem: &str, n: usize) -> Vec<String> {
    (0..n).map(|k| format!("{stem}{k}")).collect()
}
