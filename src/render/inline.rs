//! The default view: the text once, changes marked in place, like
//! `git diff --color-words`.
//!
//! With color, deleted words are red and inserted words green; without,
//! they read `[-deleted-]` and `{+inserted+}`. A moved paragraph appears in
//! full at its new place as `{+↶ text+}` (magenta with color) and as a short
//! `[-↷ first words…-]` stub where it used to be. Whitespace-only changes are
//! drawn with visible symbols (`↵` line break, `·` space), so an inserted
//! paragraph break shows as `{+↵↵+}`. Ignored changes show in their new
//! form, unmarked. Unchanged paragraphs far from changes fold into one
//! `⋯ N unchanged paragraphs ⋯` line (see [`super::RenderOptions`]).
//!
//! Nothing at all is written when the diff has no visible change and `full`
//! is off.

use std::io::{self, Write};

use super::layout::{
    Part, RenderOptions, Shown, folded_note, layout, move_note, moved_here, show_controls,
};
use super::side::{Side, side_title};
use super::theme::{Style, stub, visible_whitespace};
use crate::diff::{Diff, Op, OpTag};

/// Writes the inline view of `diff`.
pub fn inline(
    w: &mut dyn Write,
    diff: &Diff,
    old: &Side,
    new: &Side,
    opts: &RenderOptions,
) -> io::Result<()> {
    if diff.is_unchanged() && !opts.full {
        return Ok(());
    }
    let c = opts.color;
    writeln!(
        w,
        "{}--- {}{}",
        Style::Dim.open(c),
        side_title(old),
        Style::Dim.close(c)
    )?;
    writeln!(
        w,
        "{}+++ {}{}",
        Style::Dim.open(c),
        side_title(new),
        Style::Dim.close(c)
    )?;
    for (mark, side) in [("---", old), ("+++", new)] {
        if let Some(d) = side.details() {
            writeln!(w, "{}{mark} {d}{}", Style::Dim.open(c), Style::Dim.close(c))?;
        }
    }
    writeln!(w)?;
    let mut last_newline = true;
    for shown in layout(diff, opts) {
        match shown {
            Shown::Paragraph(parts) => {
                if !last_newline {
                    // A removed paragraph ended the old text without a break.
                    w.write_all(b"\n\n")?;
                }
                for part in parts {
                    write_part(w, diff, part, c)?;
                    last_newline = part.text.ends_with('\n');
                }
            }
            Shown::Folded(run) => {
                if !last_newline {
                    writeln!(w)?;
                }
                writeln!(
                    w,
                    "{}{}{}\n",
                    Style::Dim.open(c),
                    folded_note(run.len()),
                    Style::Dim.close(c)
                )?;
                last_newline = true;
            }
        }
    }
    if !last_newline {
        writeln!(w)?;
    }
    Ok(())
}

fn write_part(w: &mut dyn Write, diff: &Diff, part: Part, color: bool) -> io::Result<()> {
    let op = part.op;
    let text = part.text;
    if let Some(m) = moved_here(diff, &part)
        && !m.is_pure()
    {
        // Edited on the way: the mark, then the word diff inside.
        let lead = &text[..text.len() - text.trim_start().len()];
        let trail = &text[text.trim_end().len()..];
        w.write_all(lead.as_bytes())?;
        let note = format!("moved from ¶{}:", m.from);
        write_styled(w, Style::MovedHere, &note, color)?;
        w.write_all(b" ")?;
        for inner in &m.ops {
            write_inner(w, inner, color)?;
        }
        return w.write_all(trail.as_bytes());
    }
    let note = move_note(diff, op);
    match (op.op, op.ignored, op.moved) {
        (OpTag::Equal, ..) | (OpTag::Insert, true, _) => w.write_all(text.as_bytes()),
        (OpTag::Delete, true, _) => Ok(()),
        (OpTag::Delete, false, true) => {
            let trail = &text[text.trim_end().len()..];
            if text.trim().is_empty() {
                return w.write_all(trail.as_bytes());
            }
            let note = note.map_or_else(String::new, |n| format!(" ({n})"));
            write!(
                w,
                "{}{}{}{}{}",
                Style::MovedAway.open(color),
                stub(text),
                note,
                Style::MovedAway.close(color),
                trail
            )
        }
        (OpTag::Insert, false, true) => match note {
            Some(note) if !text.trim().is_empty() => {
                let lead = &text[..text.len() - text.trim_start().len()];
                let body = format!("({note}) {}", text.trim_start());
                w.write_all(lead.as_bytes())?;
                write_styled(w, Style::MovedHere, &body, color)
            }
            _ => write_styled(w, Style::MovedHere, text, color),
        },
        (tag, false, false) => {
            let style = if tag == OpTag::Delete {
                Style::Deleted
            } else {
                Style::Inserted
            };
            if op.text.trim().is_empty() {
                write!(
                    w,
                    "{}{}{}",
                    style.open(color),
                    visible_whitespace(text),
                    style.close(color)
                )?;
                if tag == OpTag::Insert {
                    w.write_all(text.as_bytes())?;
                }
                return Ok(());
            }
            write_styled(w, style, text, color)
        }
    }
}

/// One op of the word diff inside a moved paragraph.
fn write_inner(w: &mut dyn Write, op: &Op, color: bool) -> io::Result<()> {
    match (op.op, op.ignored) {
        (OpTag::Equal, _) | (OpTag::Insert, true) => w.write_all(op.text.as_bytes()),
        (OpTag::Delete, true) => Ok(()),
        (OpTag::Delete, false) => write_styled(w, Style::Deleted, &op.text, color),
        (OpTag::Insert, false) => write_styled(w, Style::Inserted, &op.text, color),
    }
}

/// Writes `text` in `style`, leaving its outer whitespace unmarked and (with
/// color) reopening the style on every line.
pub(super) fn write_styled(
    w: &mut dyn Write,
    style: Style,
    text: &str,
    color: bool,
) -> io::Result<()> {
    let shown = show_controls(text);
    let text = shown.as_ref();
    let core = text.trim();
    if core.is_empty() {
        // The blank lines of a longer change: layout, not marked.
        return w.write_all(text.as_bytes());
    }
    let lead = &text[..text.len() - text.trim_start().len()];
    let trail = &text[text.trim_end().len()..];
    w.write_all(lead.as_bytes())?;
    if color {
        for (i, line) in core.split('\n').enumerate() {
            if i > 0 {
                w.write_all(b"\n")?;
            }
            if !line.is_empty() {
                write!(w, "{}{}{}", style.open(true), line, style.close(true))?;
            }
        }
    } else {
        write!(w, "{}{}{}", style.open(false), core, style.close(false))?;
    }
    w.write_all(trail.as_bytes())
}
