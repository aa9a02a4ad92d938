//! Side-by-side HTML: one row per paragraph, the old text on the left
//! (unchanged words and `<del>` marks), the new on the right (unchanged
//! words and `<ins>` marks). Folding, classes and move links are those of
//! [`super::html`]: each end of a moved paragraph carries
//! `id="move-N-from"` / `id="move-N-to"` and links to the other. Every
//! character of the texts is escaped.

use std::io::{self, Write};

use super::html::{escape, kind_name, write_change};
use super::layout::{Part, RenderOptions, Shown, folded_note, layout};
use super::theme::visible_whitespace;
use crate::diff::{Diff, OpTag};

/// Writes the rows of `diff` side by side (a frame of the caller's: the
/// web view puts them in `<main>`).
pub fn html_side_by_side(w: &mut dyn Write, diff: &Diff, opts: &RenderOptions) -> io::Result<()> {
    writeln!(w, "<div class=\"sbs\">")?;
    for shown in layout(diff, opts) {
        match shown {
            Shown::Paragraph(parts) => row(w, diff, &parts)?,
            Shown::Folded(run) => {
                writeln!(
                    w,
                    "<details><summary>{}</summary>",
                    escape(&folded_note(run.len()))
                )?;
                for parts in &run {
                    row(w, diff, parts)?;
                }
                writeln!(w, "</details>")?;
            }
        }
    }
    writeln!(w, "</div>")
}

fn row(w: &mut dyn Write, diff: &Diff, parts: &[Part]) -> io::Result<()> {
    write!(w, "<div class=\"row\"><div class=\"old\">")?;
    cell(w, diff, parts, OpTag::Delete)?;
    write!(w, "</div><div class=\"new\">")?;
    cell(w, diff, parts, OpTag::Insert)?;
    writeln!(w, "</div></div>")
}

/// One side of a paragraph: `side` is the tag this side marks (`Delete`
/// for the old text, `Insert` for the new); the other side's ops are left out.
fn cell(w: &mut dyn Write, diff: &Diff, parts: &[Part], side: OpTag) -> io::Result<()> {
    let shown: Vec<&Part> = parts
        .iter()
        .filter(|p| p.op.op == OpTag::Equal || p.op.op == side)
        .collect();
    let last = shown.len().saturating_sub(1);
    for (i, part) in shown.into_iter().enumerate() {
        let text = if i == last {
            part.text.trim_end_matches(['\n', '\r'])
        } else {
            part.text
        };
        let op = part.op;
        if op.op == OpTag::Equal || text.trim().is_empty() && !op.text.trim().is_empty() {
            write!(w, "{}", escape(text))?;
            continue;
        }
        let name = kind_name(op.kind);
        let mut class = name
            .as_deref()
            .map_or_else(String::new, |n| format!("k-{n}"));
        if op.moved {
            class.push_str(" moved");
        }
        if op.ignored {
            write!(w, "<span class=\"ignored {class}\">{}</span>", escape(text))?;
            continue;
        }
        let title = name.map_or_else(String::new, |n| format!(" title=\"{n}\""));
        let shown = if op.text.trim().is_empty() {
            visible_whitespace(text)
        } else {
            text.to_owned()
        };
        write_change(w, diff, op, side, &class, &title, &shown)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, diff};

    fn render(old: &str, new: &str) -> String {
        let d = diff(old, new, &DiffOptions::default());
        let mut out = Vec::new();
        html_side_by_side(&mut out, &d, &RenderOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn old_words_left_new_words_right_all_escaped() {
        let html = render(
            "Intro <b>.\n\nThe troop left.\n",
            "Intro <b>.\n\nThe troops left \u{202e}<script>x</script>.\n",
        );
        let row = html.lines().find(|l| l.contains("troop")).unwrap();
        let (old, new) = row.split_once("<div class=\"new\">").unwrap();
        assert!(old.contains("<del") && !old.contains("<ins"), "{old}");
        assert!(new.contains("<ins") && !new.contains("<del"), "{new}");
        assert!(new.contains("&lt;script&gt;") && new.contains("⟨U+202E⟩"));
        assert!(!html.contains("<script") && !html.contains("<b>"), "{html}");
    }

    #[test]
    fn moved_paragraphs_link_both_ends() {
        let a = "First paragraph here with words.\n\nSecond paragraph stays put.\n\nThird one is last.\n";
        let b = "Second paragraph stays put.\n\nThird one is last.\n\nFirst paragraph here with words.\n";
        let html = render(a, b);
        assert!(html.contains("id=\"move-0-from\"") && html.contains("href=\"#move-0-to\""));
        assert!(html.contains("id=\"move-0-to\"") && html.contains("href=\"#move-0-from\""));
    }
}
