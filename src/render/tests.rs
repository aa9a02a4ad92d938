//! Renderer tests, on the sample pair and small hand-made diffs.

use super::*;
use crate::diff::{Diff, DiffOptions, diff};

const BLOG: &str = include_str!("../../tests/fixtures/articles/blog-repost-2019-02-12.txt");
const GLOBAL: &str = include_str!("../../tests/fixtures/articles/globalresearch-2019-02-12.md");

fn sides() -> (Side, Side) {
    (
        Side::named("blog.txt"),
        Side {
            label: "south-front@2".into(),
            id: Some("ab12cd34ef56ab12cd34".into()),
            ..Side::default()
        },
    )
}

type Render =
    fn(&mut dyn std::io::Write, &Diff, &Side, &Side, &RenderOptions) -> std::io::Result<()>;

fn render(f: Render, d: &Diff, opts: &RenderOptions) -> String {
    let (o, n) = sides();
    let mut out = Vec::new();
    f(&mut out, d, &o, &n, opts).unwrap();
    String::from_utf8(out).unwrap()
}

const RENDERERS: [Render; 3] = [inline, side_by_side, html];

#[test]
fn no_ansi_without_color() {
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    for f in RENDERERS {
        for full in [false, true] {
            let out = render(
                f,
                &d,
                &RenderOptions {
                    color: false,
                    full,
                    ..RenderOptions::default()
                },
            );
            assert!(!out.contains('\x1b'), "{out}");
        }
    }
    let mut out = Vec::new();
    stat(&mut out, &d, &RenderOptions::default()).unwrap();
    assert!(!out.contains(&0x1b));
}

#[test]
fn inline_marks_changes_and_folds() {
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    let plain = render(
        inline,
        &d,
        &RenderOptions {
            context: 0,
            ..RenderOptions::default()
        },
    );
    assert!(plain.contains("[-outskirt-]{+outskirts+}"), "{plain}");
    assert!(plain.contains("[-group’s-]{+group's+}"));
    assert!(plain.contains("{+The SDF has a long history"));
    assert!(plain.contains("⋯ 4 unchanged paragraphs ⋯"), "{plain}");
    assert!(plain.starts_with("--- blog.txt\n+++ south-front@2 (ab12cd34ef56)\n"));
    let color = render(
        inline,
        &d,
        &RenderOptions {
            color: true,
            context: 0,
            ..RenderOptions::default()
        },
    );
    assert!(color.contains("\x1b[31moutskirt\x1b[0m\x1b[32moutskirts\x1b[0m"));
    let full = render(
        inline,
        &d,
        &RenderOptions {
            full: true,
            ..RenderOptions::default()
        },
    );
    assert!(!full.contains("unchanged paragraph"));
    assert!(full.contains("Al-Mayadin was liberated by the SAA"));
}

#[test]
fn inline_ignored_changes_show_new_form_and_unchanged_prints_nothing() {
    let opts = DiffOptions {
        ignore_typography: true,
        ..DiffOptions::default()
    };
    let d = diff(
        "the group’s men. Another word.",
        "the group's men. Another term.",
        &opts,
    );
    let out = render(inline, &d, &RenderOptions::default());
    assert!(
        out.contains("the group's men. Another [-word-]{+term+}."),
        "{out}"
    );
    let same = diff("the group’s men", "the group's men", &opts);
    assert_eq!(render(inline, &same, &RenderOptions::default()), "");
}

#[test]
fn whitespace_and_moves_are_visible() {
    let d = diff(
        "One sentence here. Two sentence there.",
        "One sentence here.\n\nTwo sentence there.",
        &DiffOptions::default(),
    );
    let out = render(inline, &d, &RenderOptions::default());
    assert!(out.contains("[-·-]{+↵↵+}\n\nTwo"), "{out}");
    let old = "Beta paragraph is the one that moves around.\n\nAlpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n";
    let new = "Alpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n\nBeta paragraph is the one that moves around.\n";
    let d = diff(old, new, &DiffOptions::default());
    let out = render(inline, &d, &RenderOptions::default());
    assert!(
        out.contains("[-↷ Beta paragraph is the one that moves around. (moved to ¶4)-]"),
        "{out}"
    );
    assert!(
        out.contains("{+↶ (moved from ¶1) Beta paragraph is the one that moves around.+}"),
        "{out}"
    );
}

#[test]
fn removed_last_paragraph_does_not_read_as_replaced() {
    // The blog's copy ends with its footer, no line break after it; the
    // paragraph added after it starts a paragraph of its own.
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    let out = render(inline, &d, &RenderOptions::default());
    assert!(
        out.contains("[-%d bloggers liken dit:-]\n\n{+The SDF has"),
        "{out}"
    );
}

#[test]
fn moved_and_edited_paragraph_shows_its_word_changes_in_every_format() {
    let old = "Beta paragraph is the one that moves around with ISIS in it.\n\nAlpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n";
    let new = "Alpha paragraph has several words here.\n\nGamma continues the text with words.\n\nDelta closes the text, finally.\n\nBeta paragraph is the one that moves around with Daesh in it.\n";
    let d = diff(old, new, &DiffOptions::default());
    let out = render(inline, &d, &RenderOptions::default());
    assert!(out.contains("(moved to ¶4)-]"), "{out}");
    assert!(
        out.contains("{+↶ moved from ¶1:+} Beta paragraph is the one that moves around with [-ISIS-]{+Daesh+} in it."),
        "{out}"
    );
    let opts = RenderOptions {
        full: true,
        ..RenderOptions::default()
    };
    let sbs = render(side_by_side, &d, &opts);
    let row = sbs
        .lines()
        .find(|l| l.contains("from ¶1"))
        .unwrap_or_else(|| panic!("{sbs}"));
    // Both versions on one row, each with its own side of the edit.
    assert!(
        row.contains("[-↷ from ¶1:-]") && row.contains("{+↶ from ¶1:+}"),
        "{sbs}"
    );
    assert!(
        sbs.contains("[-ISIS-]") && sbs.contains("{+Daesh+}"),
        "{sbs}"
    );
    let page = render(html, &d, &opts);
    for anchor in [
        "id=\"move-0-from\"><a href=\"#move-0-to\">",
        "id=\"move-0-to\" title=\"paragraph-moved\"><a href=\"#move-0-from\">",
        "<del class=\"k-replace\" title=\"replace\">ISIS</del><ins class=\"k-replace\" title=\"replace\">Daesh</ins>",
    ] {
        assert!(page.contains(anchor), "{anchor}: {page}");
    }
    let doc: serde_json::Value =
        serde_json::from_str(&render(|w, d, o, n, _| json(w, d, o, n), &d, &opts)).unwrap();
    let ends: Vec<&serde_json::Value> = doc["ops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|op| op["moved"] == true)
        .collect();
    assert_eq!(ends.len(), 2, "{doc}");
    assert!(ends.iter().all(|op| op["move"] == 0), "{doc}");
    assert_eq!(doc["moves"][0]["from"], 1);
    assert_eq!(doc["moves"][0]["to"], 4);
    assert_eq!(doc["stats"]["paragraphs_moved"], 1);
    assert_eq!(doc["stats"]["words_added"], 1);
    assert_eq!(doc["stats"]["words_removed"], 1);
    assert_eq!(
        summary(&d),
        "1 paragraph moved, 1 wording change, 1 word added, 1 removed"
    );
}

#[test]
fn side_by_side_fits_width() {
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    for width in [40, 80, 123] {
        let out = render(
            side_by_side,
            &d,
            &RenderOptions {
                width,
                ..RenderOptions::default()
            },
        );
        for line in out.lines() {
            assert!(line.chars().count() <= width, "{width}: {line:?}");
        }
        assert!(out.contains("[-outskirt-]") && out.contains("{+outskirts+}"));
    }
    let out = render(
        side_by_side,
        &d,
        &RenderOptions {
            width: 10,
            ..RenderOptions::default()
        },
    );
    assert!(out.lines().all(|l| l.chars().count() <= 40));
}

/// Asserts that every line of a side-by-side view (without color) fits
/// `width` display columns and has its separator right after the left
/// column.
fn assert_columns_aligned(out: &str, width: usize) {
    use unicode_width::UnicodeWidthStr;
    let col = (width - 3) / 2;
    for line in out.lines() {
        assert!(line.width() <= width, "{line:?}");
        let sep = line.find(" │ ").unwrap_or_else(|| panic!("{line:?}"));
        assert_eq!(line[..sep].width(), col, "{line:?}");
    }
}

#[test]
fn side_by_side_measures_wide_characters() {
    let old =
        "叙利亚民主力量在代尔祖尔省东部的战斗仍在继续，美军支持的部队已经包围了最后一个据点。";
    let new = "叙利亚民主力量在代尔祖尔省东部的战斗已经结束，美军支持的部队占领了最后一个据点。日本語の文章もここに。";
    let opts = RenderOptions {
        color: false,
        width: 40,
        ..RenderOptions::default()
    };
    let out = render(
        side_by_side,
        &diff(old, new, &DiffOptions::default()),
        &opts,
    );
    assert!(out.lines().count() > 4, "{out}");
    assert_columns_aligned(&out, 40);
    // A wide character that would overflow the column by one goes to the
    // next line, and the column is padded to its full width.
    let same = format!("{}叙利亚", "a".repeat(17));
    let full = RenderOptions { full: true, ..opts };
    let out = render(
        side_by_side,
        &diff(&same, &same, &DiffOptions::default()),
        &full,
    );
    let row = format!("{0}  │ {0}\n叙利亚", "a".repeat(17));
    assert!(out.contains(&row), "{out}");
    assert_columns_aligned(&out, 40);
}

#[test]
fn side_by_side_keeps_combining_marks_with_their_letter() {
    // Decomposed accents: two characters, one column.
    let text = "e\u{301}".repeat(20);
    let opts = RenderOptions {
        full: true,
        width: 40,
        ..RenderOptions::default()
    };
    let out = render(
        side_by_side,
        &diff(&text, &text, &DiffOptions::default()),
        &opts,
    );
    assert_columns_aligned(&out, 40);
    let rows: Vec<&str> = out.lines().skip_while(|l| !l.starts_with('e')).collect();
    let row = |n: usize| "e\u{301}".repeat(n);
    assert_eq!(
        rows,
        [
            format!("{} │ {}", row(18), row(18)),
            format!("{}{} │ {}", row(2), " ".repeat(16), row(2))
        ]
    );
}

#[test]
fn html_escapes_everything() {
    let d = diff(
        "<b>old</b> & \"q\" 'a'",
        "<script>alert('x')</script> & new",
        &DiffOptions::default(),
    );
    let out = render(
        html,
        &d,
        &RenderOptions {
            full: true,
            ..RenderOptions::default()
        },
    );
    assert!(!out.contains("<script>") && !out.contains("<b>"));
    assert!(out.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(out.contains("&quot;q&quot;") && out.contains("&amp;"));
    assert!(out.starts_with("<!DOCTYPE html>") && out.trim_end().ends_with("</html>"));
    let sample = render(
        html,
        &diff(BLOG, GLOBAL, &DiffOptions::default()),
        &RenderOptions::default(),
    );
    assert!(sample.contains(
        "<del class=\"k-inflection\" title=\"inflection\">troop</del>\
         <ins class=\"k-inflection\" title=\"inflection\">troops</ins>"
    ));
    assert!(
        sample.contains(
            "<del class=\"k-title-suffix\" title=\"title-suffix\"> – Global Research</del>"
        ),
        "{sample}"
    );
    assert!(sample.contains("<details>") && sample.contains("south-front@2 (ab12cd34ef56)"));
}

#[test]
fn json_round_trips() {
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    let (o, n) = sides();
    let mut out = Vec::new();
    json(&mut out, &d, &o, &n).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.ends_with("}\n") && text.matches('\n').count() == 1);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["old"]["label"], "blog.txt");
    assert!(v["old"]["id"].is_null());
    assert_eq!(v["new"]["id"], "ab12cd34ef56ab12cd34");
    for key in [
        "words_old",
        "words_new",
        "words_added",
        "words_removed",
        "words_unchanged",
        "paragraphs_added",
        "paragraphs_removed",
        "paragraphs_moved",
    ] {
        assert!(v["stats"][key].is_u64(), "{key}");
    }
    assert!(v.get("fallback").is_none());
    let ops: Vec<crate::diff::Op> = serde_json::from_value(v["ops"].clone()).unwrap();
    assert_eq!(ops, d.ops);
    let first_change = v["ops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["op"] == "delete")
        .unwrap();
    assert!(
        first_change["kind"].is_string()
            && first_change.get("moved").is_none()
            && first_change.get("ignored").is_none()
    );
    let stats: crate::diff::Stats = serde_json::from_value(v["stats"].clone()).unwrap();
    assert_eq!(stats, d.stats);
}

#[test]
fn stat_summary_reads_well() {
    let d = diff(BLOG, GLOBAL, &DiffOptions::default());
    let s = summary(&d);
    assert!(s.starts_with("+24 paragraphs, -3 paragraphs, "), "{s}");
    assert!(
        s.contains("2 inflections")
            && s.contains("1 typography change,")
            && s.contains("words added"),
        "{s}"
    );
    let one = diff("a troop", "a troops", &DiffOptions::default());
    assert_eq!(summary(&one), "1 inflection, 1 word added, 1 removed");
    assert_eq!(
        summary(&diff("x", "x", &DiffOptions::default())),
        "no changes"
    );
    let mut out = Vec::new();
    stat(&mut out, &one, &RenderOptions::default()).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "1 inflection, 1 word added, 1 removed\n2 words before, 2 after, 1 unchanged\n"
    );
}

#[test]
fn blank_lines_inside_a_change_are_not_drawn_as_symbols() {
    let appended = diff(
        "Intro.\n\nLast line",
        "Intro.\n\nLast line\n\nMore text here.",
        &DiffOptions::default(),
    );
    let out = render(inline, &appended, &RenderOptions::default());
    assert!(
        out.ends_with("Last line\n\n{+More text here.+}\n"),
        "{out:?}"
    );
    let sbs = render(side_by_side, &appended, &RenderOptions::default());
    assert!(!sbs.contains('↵'), "{sbs}");
    let page = render(html, &appended, &RenderOptions::default());
    assert!(!page.contains('↵'));
}

/// The plain definition [`split_after_breaks`] must agree with: cut after
/// every maximal run of ASCII whitespace that holds two line feeds.
fn split_after_breaks_by_runs(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < bytes.len() {
        if !bytes[i].is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let run = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if text[run..i].matches('\n').count() >= 2 {
            out.push(&text[start..i]);
            start = i;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

proptest::proptest! {
    #[test]
    fn paragraph_cuts_match_their_definition(text in "[a \\t\\r\\n\\x0c.]{0,40}") {
        proptest::prop_assert_eq!(split_after_breaks(&text), split_after_breaks_by_runs(&text));
    }
}

#[test]
fn paragraph_cuts_on_the_sample() {
    for text in [
        BLOG,
        GLOBAL,
        "",
        "\n\n",
        "a\n \nb",
        "a\n\n\n  b\n",
        "a\r\n\r\nb",
    ] {
        assert_eq!(split_after_breaks(text), split_after_breaks_by_runs(text));
    }
}
