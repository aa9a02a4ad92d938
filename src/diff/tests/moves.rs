//! Moved paragraphs: reported once, as moves, with their own word changes.

use super::*;

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

/// Identical paragraphs are interchangeable: with a notice repeated through a
/// policy, one copy removed and one added elsewhere is a removal and an
/// addition (as `git --word-diff` shows it), never a move; an edit among the
/// copies changes only its words.
#[test]
fn a_repeated_paragraph_is_never_a_move() {
    let notice = "This section does not apply to users in the European Economic Area.";
    let paras: Vec<String> = (0..30)
        .map(|i| match i % 3 {
            1 => notice.to_owned(),
            _ => format!(
                "Paragraph {i} has its own words, number {}, on topic {i}.",
                i * 7
            ),
        })
        .collect();
    let old = paras.join("\n\n");
    let mut moved = paras.clone();
    moved.remove(13);
    moved.insert(20, notice.to_owned());
    let d = check_invariants(&old, &moved.join("\n\n"), &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 0, "{:?}", d.stats);
    assert_eq!(
        (d.stats.paragraphs_added, d.stats.paragraphs_removed),
        (1, 1),
        "{:?}",
        d.stats
    );
    assert!(d.ops.iter().all(|o| !o.moved));
    let mut edited = paras.clone();
    edited[12] = edited[12].replace("own words", "very own words");
    edited.remove(10);
    let d = check_invariants(&old, &edited.join("\n\n"), &DiffOptions::default());
    assert_eq!(d.stats.paragraphs_moved, 0, "{:?}", d.stats);
    assert_eq!(d.stats.words_added, 1, "{:?}", d.stats);
}
