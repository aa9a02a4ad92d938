//! Engine tests: rebuild invariants, the sample pair, options, moves, quality.

use std::time::Duration;

use proptest::prelude::*;

use super::*;

const BLOG: &str = include_str!("../../tests/fixtures/articles/blog-repost-2019-02-12.txt");
const GLOBAL: &str = include_str!("../../tests/fixtures/articles/globalresearch-2019-02-12.md");
const RAQQAH: &str = include_str!("../../tests/fixtures/articles/globalresearch-2017-10-12.md");
const DEIR: &str = include_str!("../../tests/fixtures/articles/globalresearch-2018-11-24.md");
const ZAMAN: &str = include_str!("../../tests/fixtures/articles/zamanalwasl-france-deal.txt");

/// Visible changes as (tag, text, kind).
fn changes(d: &Diff) -> Vec<(OpTag, &str, ChangeKind)> {
    d.ops
        .iter()
        .filter(|o| o.op != OpTag::Equal && !o.ignored)
        .map(|o| (o.op, o.text.as_str(), o.kind.expect("changes have a kind")))
        .collect()
}

fn all_options() -> Vec<DiffOptions> {
    let mut out = Vec::new();
    for bits in 0..16u8 {
        out.push(DiffOptions {
            ignore_case: bits & 1 != 0,
            ignore_whitespace: bits & 2 != 0,
            ignore_typography: bits & 4 != 0,
            ignore_markup: bits & 8 != 0,
            deadline: None,
        });
    }
    out
}

fn check_invariants(old: &str, new: &str, opts: &DiffOptions) -> Diff {
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

#[test]
fn identical_and_empty_texts() {
    for (a, b) in [("", ""), ("a", "a"), ("", "x y"), ("x y", ""), ("\n\n", "")] {
        let d = check_invariants(a, b, &DiffOptions::default());
        assert_eq!(
            d.is_unchanged(),
            a == b || (a.trim().is_empty() && b.trim().is_empty())
        );
    }
    assert_eq!(
        diff("a b", "a b", &DiffOptions::default())
            .stats
            .words_unchanged,
        2
    );
}

#[test]
fn sample_pair_finds_inflections_typography_markup_and_new_paragraphs() {
    let d = check_invariants(BLOG, GLOBAL, &DiffOptions::default());
    let ch = changes(&d);
    let has = |tag, text, kind| ch.contains(&(tag, text, kind));
    assert!(has(OpTag::Delete, "outskirt", ChangeKind::Inflection));
    assert!(has(OpTag::Insert, "outskirts", ChangeKind::Inflection));
    assert!(has(OpTag::Delete, "troop", ChangeKind::Inflection));
    assert!(has(OpTag::Insert, "troops", ChangeKind::Inflection));
    assert!(has(OpTag::Delete, "group’s", ChangeKind::Typography));
    assert!(has(OpTag::Insert, "group's", ChangeKind::Typography));
    assert_eq!(
        ch.iter()
            .filter(|c| c.1 == "*" && c.2 == ChangeKind::Markup)
            .count(),
        2
    );
    assert!(has(OpTag::Insert, "## ", ChangeKind::Markup));
    assert!(d.stats.paragraphs_added >= 8, "{:?}", d.stats);
    assert_eq!(d.stats.paragraphs_removed, 3);
    assert_eq!(d.stats.paragraphs_moved, 0);
    assert!(!d.fallback);
}

#[test]
fn sample_pair_without_typography_and_markup_leaves_only_real_edits() {
    let opts = DiffOptions {
        ignore_typography: true,
        ignore_markup: true,
        ..DiffOptions::default()
    };
    let d = check_invariants(BLOG, GLOBAL, &opts);
    let ch = changes(&d);
    let in_paragraph: Vec<_> = ch
        .iter()
        .filter(|c| {
            !matches!(
                c.2,
                ChangeKind::ParagraphAdded | ChangeKind::ParagraphRemoved
            )
        })
        .copied()
        .collect();
    // The blog's title carries the site name (" – Global Research") which the
    // Markdown heading lacks: site chrome, hidden with the markup.
    assert_eq!(
        in_paragraph,
        [
            (OpTag::Delete, "outskirt", ChangeKind::Inflection),
            (OpTag::Insert, "outskirts", ChangeKind::Inflection),
            (OpTag::Delete, "troop", ChangeKind::Inflection),
            (OpTag::Insert, "troops", ChangeKind::Inflection),
        ]
    );
    let removed: Vec<&str> = ch
        .iter()
        .filter(|c| c.2 == ChangeKind::ParagraphRemoved)
        .map(|c| c.1.trim_matches('\n'))
        .collect();
    assert_eq!(
        removed,
        [
            "12-02-19 12:56:00,",
            "\u{a0}»\u{a0}Lees verder\n\n%d bloggers liken dit:"
        ]
    );
    assert!(ch.iter().any(
        |c| c.2 == ChangeKind::ParagraphAdded && c.1.starts_with("The SDF has a long history")
    ));
    let ignored: Vec<ChangeKind> = d
        .ops
        .iter()
        .filter(|o| o.ignored)
        .filter_map(|o| o.kind)
        .collect();
    assert!(ignored.contains(&ChangeKind::Typography));
    assert!(ignored.contains(&ChangeKind::Markup));
}

#[test]
fn moved_paragraph_is_reported_once_as_moved() {
    let old = "Beta paragraph is the one that moves around.\n\nAlpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n";
    let new = "Alpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n\nBeta paragraph is the one that moves around.\n";
    let d = check_invariants(old, new, &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 1);
    assert_eq!(d.stats.paragraphs_added + d.stats.paragraphs_removed, 0);
    let moved: Vec<&Op> = d.ops.iter().filter(|o| o.moved).collect();
    assert_eq!(moved.len(), 2);
    assert!(
        moved
            .iter()
            .all(|o| o.kind == Some(ChangeKind::ParagraphMoved))
    );
    assert!(
        moved.iter().any(|o| o.op == OpTag::Delete) && moved.iter().any(|o| o.op == OpTag::Insert)
    );
}

#[test]
fn lightly_edited_paragraph_moved_far_is_a_move() {
    let paras: Vec<&str> = GLOBAL.split("\n\n").filter(|p| p.len() > 200).collect();
    let old = paras.join("\n\n");
    let mut moved: Vec<String> = paras.iter().map(|p| p.to_string()).collect();
    let first = moved.remove(0).replacen("Last week", "Last Monday", 1);
    moved.push(first);
    let d = check_invariants(&old, &moved.join("\n\n"), &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 1, "{:?}", d.stats);
}

#[test]
fn each_ignore_flag_hides_its_kind() {
    let cases = [
        (
            "The cat sat.",
            "the Cat sat.",
            ChangeKind::Case,
            DiffOptions {
                ignore_case: true,
                ..Default::default()
            },
        ),
        (
            "one two\nthree  four",
            "one\ntwo three four",
            ChangeKind::Whitespace,
            DiffOptions {
                ignore_whitespace: true,
                ..Default::default()
            },
        ),
        (
            "it’s “fine” — really…",
            "it's \"fine\" - really...",
            ChangeKind::Typography,
            DiffOptions {
                ignore_typography: true,
                ..Default::default()
            },
        ),
        (
            "a\u{a0}b",
            "a b",
            ChangeKind::Typography,
            DiffOptions {
                ignore_typography: true,
                ..Default::default()
            },
        ),
        (
            "*Last* week **by** [South Front](#) <u>x</u>",
            "Last _week_ by South Front x",
            ChangeKind::Markup,
            DiffOptions {
                ignore_markup: true,
                ..Default::default()
            },
        ),
        (
            "# Title\n\ntext",
            "Title\n\ntext",
            ChangeKind::Markup,
            DiffOptions {
                ignore_markup: true,
                ..Default::default()
            },
        ),
        (
            "\nDeal with ISIS? – Global Research\n\nLast week.",
            "## Deal with ISIS?\n\nLast week.",
            ChangeKind::TitleSuffix,
            DiffOptions {
                ignore_markup: true,
                ..Default::default()
            },
        ),
        (
            "Deal | BBC News  \nBy A. Writer",
            "Deal | South Front  \nBy A. Writer",
            ChangeKind::TitleSuffix,
            DiffOptions {
                ignore_markup: true,
                ..Default::default()
            },
        ),
    ];
    for (old, new, kind, opts) in cases {
        let plain = check_invariants(old, new, &DiffOptions::default());
        assert!(!plain.is_unchanged(), "{old:?}");
        assert!(
            plain.ops.iter().any(|o| o.kind == Some(kind)),
            "{old:?}: {:?}",
            plain.ops
        );
        let ignoring = check_invariants(old, new, &opts);
        assert!(ignoring.is_unchanged(), "{old:?}: {:?}", ignoring.ops);
        assert!(ignoring.ops.iter().any(|o| o.ignored && o.kind.is_some()));
        assert_eq!(ignoring.stats.words_added + ignoring.stats.words_removed, 0);
    }
}

#[test]
fn site_names_count_as_title_suffixes_on_the_first_line_only() {
    let markup = DiffOptions {
        ignore_markup: true,
        ..Default::default()
    };
    // Not the title line: a real change, under every option.
    let (old, new) = (
        "Deal\n\nThe talks went on for days – Global Research",
        "Deal\n\nThe talks went on for days",
    );
    let d = check_invariants(old, new, &markup);
    assert_eq!(
        changes(&d),
        [(OpTag::Delete, " – Global Research", ChangeKind::Replace)]
    );
    // The title line, but not a site name.
    let (old, new) = (
        "Deal reached on the talks – the talks go on\n\nText",
        "Deal reached on the talks\n\nText",
    );
    let d = check_invariants(old, new, &markup);
    assert_eq!(
        changes(&d),
        [(OpTag::Delete, " – the talks go on", ChangeKind::Replace)]
    );
    // A site name, but not at the end of the title line.
    let (old, new) = ("Deal – Global Research today\n", "Deal today\n");
    assert!(!check_invariants(old, new, &markup).is_unchanged());
}

#[test]
fn link_only_change() {
    let old = "Read the [Policy](https://a.example/p?e=AT1) today.";
    let new = "Read the [Policy](https://a.example/p?e=AT2) today.";
    let d = check_invariants(old, new, &DiffOptions::default());
    assert_eq!(
        changes(&d),
        [
            (OpTag::Delete, "https://a.example/p?e=AT1", ChangeKind::Link),
            (OpTag::Insert, "https://a.example/p?e=AT2", ChangeKind::Link)
        ]
    );
    assert!(
        diff(
            old,
            new,
            &DiffOptions {
                ignore_markup: true,
                ..Default::default()
            }
        )
        .is_unchanged()
    );
}

#[test]
fn real_edits_stay_visible_under_every_option() {
    for opts in all_options() {
        let d = check_invariants(
            "The troop moved at 10:00.",
            "The troops moved at 11:00.",
            &opts,
        );
        assert_eq!(d.stats.words_added, 2, "{opts:?}");
        assert_eq!(d.stats.words_removed, 2, "{opts:?}");
        assert!(changes(&d).iter().any(|c| c.2 == ChangeKind::Inflection));
        assert!(changes(&d).iter().any(|c| c.2 == ChangeKind::Number));
    }
}

#[test]
fn slight_runs_between_changes_merge() {
    let d = diff(
        "the quick brown fox jumps over the lazy dog",
        "a slow red fox jumps over the lazy dog",
        &DiffOptions::default(),
    );
    assert_eq!(
        changes(&d),
        [
            (OpTag::Delete, "the quick brown", ChangeKind::Replace),
            (OpTag::Insert, "a slow red", ChangeKind::Replace)
        ]
    );
}

#[test]
fn paragraph_split_is_a_visible_break() {
    let old = "First sentence of the paragraph. Second sentence follows here.\n";
    let new = "First sentence of the paragraph.\n\nSecond sentence follows here.\n";
    let d = check_invariants(old, new, &DiffOptions::default());
    assert_eq!(
        changes(&d),
        [
            (OpTag::Delete, " ", ChangeKind::Whitespace),
            (OpTag::Insert, "\n\n", ChangeKind::Whitespace)
        ]
    );
}

#[test]
fn tiny_deadline_falls_back_and_still_rebuilds() {
    let opts = DiffOptions {
        deadline: Some(Duration::ZERO),
        ..Default::default()
    };
    for (a, b) in [(BLOG, GLOBAL), (RAQQAH, DEIR), (ZAMAN, GLOBAL)] {
        let d = check_invariants(a, b, &opts);
        assert!(d.fallback);
    }
}

#[test]
fn unrelated_articles_rebuild_under_every_option() {
    for opts in all_options() {
        for (a, b) in [(RAQQAH, DEIR), (ZAMAN, GLOBAL), (GLOBAL, BLOG)] {
            check_invariants(a, b, &opts);
        }
    }
}

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just(" ".to_owned()),
        Just("’".to_owned()),
        Just("*".to_owned()),
        Just("[a](http://x.y/z)".to_owned()),
        Just("<u>".to_owned()),
        Just("12. ".to_owned()),
        Just("[a][1]".to_owned()),
        Just("[1]: http://x.y \"t\"".to_owned()),
        Just("<a\nhref=\"x\">".to_owned()),
        Just(" – Site Name".to_owned()),
        "[a-cA-C]{1,4}",
        "[0-9,.]{1,4}",
        "[\u{4e00}-\u{4e10}]{1,3}",
        "[\u{627}-\u{64a}]{1,5}",
        "[-_#\\[\\]()<>`~]{1,2}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn ops_rebuild_both_texts(old in text_strategy(), new in text_strategy(), bits in 0u8..16, tiny in any::<bool>()) {
        let mut opts = all_options()[bits as usize].clone();
        if tiny {
            opts.deadline = Some(Duration::ZERO);
        }
        check_invariants(&old, &new, &opts);
    }

    #[test]
    fn arbitrary_strings_rebuild(old in any::<String>(), new in any::<String>(), bits in 0u8..16) {
        check_invariants(&old, &new, &all_options()[bits as usize]);
    }

    #[test]
    fn edited_copies_rebuild(old in text_strategy(), edit in text_strategy(), at in any::<prop::sample::Index>(), bits in 0u8..16) {
        let cut = old.char_indices().map(|(i, _)| i).nth(at.index(old.chars().count().max(1))).unwrap_or(old.len());
        let new = format!("{}{}{}", &old[..cut], edit, &old[cut..]);
        let d = check_invariants(&old, &new, &all_options()[bits as usize]);
        prop_assert!(edit.is_empty() || !d.ops.is_empty());
    }
}

/// Small deterministic PRNG (xorshift64*), so the generated tests need no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
}

/// Real paragraphs of the fixtures, at least 20 words long, without the
/// near-duplicates the blog and Global Research copies share.
fn fixture_paragraphs() -> Vec<&'static str> {
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
fn prose(rng: &mut Rng, bytes: usize) -> String {
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

#[test]
#[ignore = "timing check; run with --release -- --ignored --nocapture"]
fn timings() {
    use std::time::Instant;
    let mut rng = Rng(7);
    let (a, b) = (prose(&mut rng, 1 << 20), prose(&mut rng, 1 << 20));
    let t = Instant::now();
    let d = diff(&a, &b, &DiffOptions::default());
    println!(
        "1 MB unrelated: {:?} fallback={} ops={}",
        t.elapsed(),
        d.fallback,
        d.ops.len()
    );
    let a1 = a.replace("\n\n", " ");
    let b1 = b.replace("\n\n", " ");
    let t = Instant::now();
    let d = diff(&a1, &b1, &DiffOptions::default());
    println!(
        "1 MB unrelated, no paragraphs: {:?} fallback={}",
        t.elapsed(),
        d.fallback
    );
    let big = prose(&mut rng, 10 << 20);
    let mut edited = big.replacen("the ", "a ", 2000);
    edited.insert_str(edited.len() / 2, "A whole new paragraph in the middle.\n\n");
    let t = Instant::now();
    let d = diff(&big, &edited, &DiffOptions::default());
    println!(
        "10 MB edited: {:?} fallback={} ops={} changes={}",
        t.elapsed(),
        d.fallback,
        d.ops.len(),
        changes(&d).len()
    );
    let t = Instant::now();
    let d = diff(
        &big,
        &edited,
        &DiffOptions {
            ignore_typography: true,
            ignore_markup: true,
            ..Default::default()
        },
    );
    println!(
        "10 MB edited, ignoring typography+markup: {:?} fallback={}",
        t.elapsed(),
        d.fallback
    );
    let t = Instant::now();
    for _ in 0..100 {
        diff(BLOG, GLOBAL, &DiffOptions::default());
    }
    println!("sample pair: {:?} per diff", t.elapsed() / 100);
}

/// Byte offsets of the words of `text`, starting at `base`.
fn word_offsets(text: &str, base: usize) -> Vec<usize> {
    let mut at = base;
    let mut out = Vec::new();
    for t in tokenize::tokenize(text) {
        if tokenize::is_word(t) {
            out.push(at);
        }
        at += t.len();
    }
    out
}

/// A token of an edited text, with the (paragraph, token) it was carried
/// over from, if it was.
type Carried = (String, Option<(usize, usize)>);

/// Seeded random edits of real paragraphs; the truth is which words (by
/// offset, old side and new side) were really changed. Moved paragraphs
/// count as unchanged and must come out as moves.
#[test]
fn seeded_edits_are_found_precisely() {
    use std::collections::HashSet;
    let pool = fixture_paragraphs();
    let vocab = [
        "fighters",
        "convoy",
        "ceasefire",
        "officials",
        "reportedly",
        "northern",
        "talks",
        "village",
    ];
    let (mut hits, mut predicted, mut truth, mut moves_expected, mut moves_found) = (0, 0, 0, 0, 0);
    for seed in 1..=40u64 {
        let mut rng = Rng(seed * 0x9e37_79b9);
        // Distinct paragraphs: the old text first, then the spares to insert.
        let mut order: Vec<usize> = (0..pool.len()).collect();
        for k in (1..order.len()).rev() {
            order.swap(k, rng.below(k + 1));
        }
        let n = 6 + rng.below(6);
        let paras: Vec<Vec<&str>> = order[..n]
            .iter()
            .map(|&k| tokenize::tokenize(pool[k]))
            .collect();
        let mut spares = order[n..].iter();
        // Each new paragraph: tokens, each Some(old token id) when carried over.
        let mut out: Vec<Vec<Carried>> = Vec::new();
        for (p, toks) in paras.iter().enumerate() {
            if rng.chance(8) {
                continue; // paragraph deleted
            }
            let mut para: Vec<Carried> = Vec::new();
            let mut i = 0;
            while i < toks.len() {
                let t = toks[i];
                let word = tokenize::is_word(t);
                match rng.below(100) {
                    0..=1 if word => para.push((vocab[rng.below(vocab.len())].to_owned(), None)),
                    2 if word && t.len() > 3 => para.push((format!("{t}s"), None)),
                    3 if word && t.len() > 3 => {
                        para.extend([
                            ("*".to_owned(), None),
                            (t.to_owned(), Some((p, i))),
                            ("*".to_owned(), None),
                        ]);
                    }
                    4 if t == "." => {
                        para.push((t.to_owned(), Some((p, i))));
                        para.extend(
                            [" ", "New", " ", "sentence", " ", "added", " ", "here", "."]
                                .map(|s| (s.to_owned(), None)),
                        );
                    }
                    5 if t == "." && i + 1 < toks.len() => {
                        // Delete the next sentence (the tokens up to and including its full stop).
                        para.push((t.to_owned(), Some((p, i))));
                        let end = toks[i + 1..]
                            .iter()
                            .position(|t| *t == ".")
                            .map_or(toks.len(), |e| i + 2 + e);
                        i = end;
                        continue;
                    }
                    _ if t.contains('\'') && rng.chance(30) => {
                        para.push((t.replace('\'', "’"), None))
                    }
                    _ => para.push((t.to_owned(), Some((p, i)))),
                }
                i += 1;
            }
            out.push(para);
            if rng.chance(8)
                && let Some(&k) = spares.next()
            {
                let extra = tokenize::tokenize(pool[k]);
                out.push(extra.into_iter().map(|t| (t.to_owned(), None)).collect());
            }
        }
        // Move one paragraph from the front to the back.
        let moved = out.len() > 4 && rng.chance(50) && out[0].iter().all(|(_, o)| o.is_some());
        if moved {
            let first = out.remove(0);
            out.push(first);
            moves_expected += 1;
        }
        let old = paras
            .iter()
            .map(|p| p.concat())
            .collect::<Vec<_>>()
            .join("\n\n");
        let new = out
            .iter()
            .map(|p| p.iter().map(|(t, _)| t.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n\n");
        // Truth: old words not carried over, new words not carried over.
        let mut old_starts = Vec::new();
        let mut at = 0;
        for toks in &paras {
            let mut starts = Vec::new();
            for t in toks {
                starts.push(at);
                at += t.len();
            }
            old_starts.push(starts);
            at += 2;
        }
        let kept: HashSet<(usize, usize)> = out.iter().flatten().filter_map(|(_, o)| *o).collect();
        let mut want: HashSet<(bool, usize)> = HashSet::new();
        for (p, toks) in paras.iter().enumerate() {
            for (i, t) in toks.iter().enumerate() {
                if tokenize::is_word(t) && !kept.contains(&(p, i)) {
                    want.insert((false, old_starts[p][i]));
                }
            }
        }
        let mut at = 0;
        for para in &out {
            for (t, origin) in para {
                if origin.is_none() && tokenize::is_word(t) {
                    want.insert((true, at));
                }
                at += t.len();
            }
            at += 2;
        }
        let d = check_invariants(&old, &new, &DiffOptions::default());
        moves_found += d.stats.paragraphs_moved;
        let (mut o, mut n) = (0, 0);
        let mut got: HashSet<(bool, usize)> = HashSet::new();
        for op in &d.ops {
            let counted = !op.moved && !op.ignored;
            match op.op {
                OpTag::Equal => (o, n) = (o + op.text.len(), n + op.text.len()),
                OpTag::Delete => {
                    if counted {
                        got.extend(word_offsets(&op.text, o).into_iter().map(|x| (false, x)));
                    }
                    o += op.text.len();
                }
                OpTag::Insert => {
                    if counted {
                        got.extend(word_offsets(&op.text, n).into_iter().map(|x| (true, x)));
                    }
                    n += op.text.len();
                }
            }
        }
        hits += got.intersection(&want).count();
        predicted += got.len();
        truth += want.len();
    }
    let precision = hits as f64 / predicted as f64;
    let recall = hits as f64 / truth as f64;
    println!(
        "changed words: precision {precision:.4}, recall {recall:.4} ({truth} true); moves {moves_found}/{moves_expected}"
    );
    assert!(recall >= 0.99, "recall {recall}");
    assert!(precision >= 0.99, "precision {precision}");
    assert_eq!(moves_found, moves_expected);
}

/// Paragraphs of `n` words: word `k` is `{stem}{k}`.
fn words(stem: &str, n: usize) -> Vec<String> {
    (0..n).map(|k| format!("{stem}{k}")).collect()
}

#[test]
fn moved_and_edited_paragraph_is_a_move_with_its_word_changes() {
    let a = "Alpha paragraph opens the text with some words.";
    let b = "Beta paragraph tells how ISIS fighters left the city under a deal.";
    let c = "Gamma paragraph goes on with other words entirely.\n\nDelta paragraph follows.\n\nEpsilon closes.";
    let old = format!("{a}\n\n{b}\n\n{c}\n");
    let new = format!("{a}\n\n{c}\n\n{}\n", b.replace("ISIS", "Daesh"));
    let d = check_invariants(&old, &new, &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 1, "{:?}", d.stats);
    assert_eq!(
        (d.stats.words_added, d.stats.words_removed),
        (1, 1),
        "{:?}",
        d.stats
    );
    assert_eq!((d.moves[0].from, d.moves[0].to), (2, 5));
    let inner: Vec<(OpTag, &str)> = d.moves[0]
        .ops
        .iter()
        .filter(|o| o.op != OpTag::Equal)
        .map(|o| (o.op, o.text.as_str()))
        .collect();
    assert_eq!(inner, [(OpTag::Delete, "ISIS"), (OpTag::Insert, "Daesh")]);
}

#[test]
fn moved_paragraph_differing_in_case_counts_nothing_under_ignore_case() {
    let a = "Alpha paragraph opens the text with some words.";
    let b = "Beta paragraph tells how the fighters left the city.";
    let c = "Gamma paragraph goes on with other words entirely.";
    let old = format!("{a}\n\n{b}\n\n{c}\n");
    let new = format!("{a}\n\n{c}\n\n{}\n", b.to_uppercase());
    let plain = check_invariants(&old, &new, &DiffOptions::default());
    assert_eq!(plain.stats.paragraphs_moved, 1, "{:?}", plain.stats);
    assert!(plain.stats.words_added > 0);
    let opts = DiffOptions {
        ignore_case: true,
        ..Default::default()
    };
    let d = check_invariants(&old, &new, &opts);
    assert_eq!(d.stats.paragraphs_moved, 1, "{:?}", d.stats);
    assert_eq!(
        (d.stats.words_added, d.stats.words_removed),
        (0, 0),
        "{:?}",
        d.stats
    );
    assert!(d.moves[0].is_pure());
}

#[test]
fn unrelated_replacement_is_removed_and_added_at_the_threshold() {
    // The same ten words, reordered so that a word diff keeps `kept` of
    // them in order (one from each reversed block): 2 * kept of 20 words.
    let old = words("word", 10);
    let case = |blocks: &[std::ops::Range<usize>]| {
        let new: Vec<String> = blocks
            .iter()
            .flat_map(|r| r.clone().rev().map(|k| old[k].clone()))
            .collect();
        let text = |p: &[String]| {
            format!(
                "Same opening paragraph here.\n\n{}\n\nSame closing paragraph here.\n",
                p.join(" ")
            )
        };
        check_invariants(&text(&old), &text(&new), &DiffOptions::default())
    };
    // 2 kept: 0.2 < UNRELATED_SHARE, removed and added whole.
    let d = case(&[0..5, 5..10]);
    assert_eq!(
        (d.stats.paragraphs_removed, d.stats.paragraphs_added),
        (1, 1),
        "{:?}",
        d.stats
    );
    assert_eq!((d.stats.words_removed, d.stats.words_added), (10, 10));
    // 3 kept: 0.3, at the threshold, a word diff.
    let d = case(&[0..4, 4..8, 8..10]);
    assert_eq!(
        (d.stats.paragraphs_removed, d.stats.paragraphs_added),
        (0, 0),
        "{:?}",
        d.stats
    );
    assert_eq!((d.stats.words_removed, d.stats.words_added), (7, 7));
    assert!((words::UNRELATED_SHARE - 0.3).abs() < 1e-9);
}

#[test]
fn repeated_paragraphs_keep_their_order() {
    // A notice repeated between sections; one more copy, and an edit in a
    // near-identical neighbour. A plain LCS sees one inserted paragraph and
    // one word changed: so must the paragraph alignment.
    let notice = "We use cookies to make this site work. You can change your settings at any time.";
    let cookie = |name: &str, time: &str| {
        format!(
            "Cookie {name}. This cookie is set by Google to tell visitors apart. It expires after {time}."
        )
    };
    let old = [
        cookie("_ga", "2 years"),
        notice.into(),
        cookie("_gid", "1 day"),
        notice.into(),
        cookie("_gat", "1 minute"),
        notice.into(),
    ]
    .join("\n\n");
    let new = [
        cookie("_ga", "2 years"),
        notice.into(),
        cookie("_gid", "2 days"),
        notice.into(),
        notice.into(),
        cookie("_gat", "1 minute"),
        notice.into(),
    ]
    .join("\n\n");
    let d = check_invariants(&old, &new, &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 0, "{:?}", d.stats);
    assert_eq!(d.stats.paragraphs_added, 1, "{:?}", d.stats);
    assert_eq!(d.stats.paragraphs_removed, 0, "{:?}", d.stats);
    assert_eq!(
        (d.stats.words_added, d.stats.words_removed),
        (count_words(notice) + 2, 2),
        "{:?}",
        d.stats
    );
}
