//! Worked examples: the sample pair, each option, link and title edits.

use std::time::Duration;

use super::*;

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
