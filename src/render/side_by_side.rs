//! Old and new side by side in two columns that fit `width` (at least 40),
//! long lines wrapped at spaces. The left column shows the old text with its
//! deletions marked, the right the new text with its insertions, in the
//! styles of [`super::theme`] (markers count toward the column width).
//! Paragraphs are aligned row by row and unchanged ones fold as in the
//! inline view.
//!
//! Widths are display columns, not characters: a CJK or fullwidth character
//! takes two, a combining mark none, so columns stay aligned in a terminal
//! whatever the script.

use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::layout::{
    Part, RenderOptions, Shown, folded_note, layout, move_note, moved_here, show_controls,
};
use super::side::{Side, side_title};
use super::theme::{Style, visible_whitespace};
use crate::diff::{Diff, OpTag};

/// One character of a column, with its look.
#[derive(Clone, Copy)]
struct Cell {
    ch: char,
    style: Style,
}

impl Cell {
    /// Display columns the character takes. Control characters (which have
    /// no width) never reach a line: [`wrap`] turns them into spaces.
    fn width(self) -> usize {
        self.ch.width().unwrap_or(0)
    }
}

/// Display columns of a line.
fn columns(line: &[Cell]) -> usize {
    line.iter().map(|c| c.width()).sum()
}

/// Writes the side-by-side view of `diff`.
pub fn side_by_side(
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
    let col = (opts.width.max(40) - 3) / 2;
    let title = |s: &Side| -> Vec<Cell> {
        let mut t = side_title(s);
        if let Some(d) = s.details() {
            t = format!("{t} · {d}");
        }
        t.chars()
            .map(|ch| Cell {
                ch,
                style: Style::Dim,
            })
            .collect()
    };
    write_rows(w, &wrap(&title(old), col), &wrap(&title(new), col), col, c)?;
    for shown in layout(diff, opts) {
        match shown {
            Shown::Paragraph(parts) => {
                let left = wrap(&cells(diff, &parts, Column::Old, c), col);
                let right = wrap(&cells(diff, &parts, Column::New, c), col);
                write_rows(w, &left, &right, col, c)?;
            }
            Shown::Folded(run) => {
                writeln!(
                    w,
                    "{}{}{}",
                    Style::Dim.open(c),
                    folded_note(run.len()),
                    Style::Dim.close(c)
                )?;
            }
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Old,
    New,
}

/// The cells of one column of a paragraph.
fn cells(diff: &Diff, parts: &[Part], column: Column, color: bool) -> Vec<Cell> {
    let mut out = Vec::new();
    let mut push = |text: &str, style: Style| {
        let text = match style {
            Style::Plain => std::borrow::Cow::Borrowed(text),
            _ => show_controls(text),
        };
        out.extend(text.chars().map(|ch| Cell { ch, style }))
    };
    // Plain markers are ordinary characters; colors are applied when writing.
    let marks = |style: Style| {
        if color {
            ("", "")
        } else {
            (style.open(false), style.close(false))
        }
    };
    for part in parts {
        let op = part.op;
        if let Some(m) = moved_here(diff, part) {
            // A moved paragraph, side by side at its new place: the old
            // version on the left, the new on the right, word changes marked.
            let (mark, note) = match column {
                Column::Old => (Style::MovedAway, format!("from ¶{}:", m.from)),
                Column::New => (Style::MovedHere, format!("from ¶{}:", m.from)),
            };
            let (open, close) = marks(mark);
            push(open, Style::Plain);
            push(&note, mark);
            push(close, Style::Plain);
            push(" ", Style::Plain);
            for inner in &m.ops {
                let style = match (inner.op, inner.ignored, column) {
                    (OpTag::Equal, ..) => Style::Plain,
                    (OpTag::Delete, _, Column::New) | (OpTag::Insert, _, Column::Old) => continue,
                    (_, true, _) => Style::Plain,
                    (OpTag::Delete, ..) => Style::Deleted,
                    (OpTag::Insert, ..) => Style::Inserted,
                };
                let (open, close) = marks(style);
                push(open, Style::Plain);
                push(&inner.text, style);
                push(close, Style::Plain);
            }
            push(&part.text[part.text.trim_end().len()..], Style::Plain);
            continue;
        }
        let mine = match column {
            Column::Old => op.op != OpTag::Insert,
            Column::New => op.op != OpTag::Delete,
        };
        if !mine {
            continue;
        }
        let style = match (op.op, op.ignored, op.moved) {
            (OpTag::Equal, ..) | (_, true, _) => Style::Plain,
            (OpTag::Delete, _, true) => Style::MovedAway,
            (OpTag::Insert, _, true) => Style::MovedHere,
            (OpTag::Delete, ..) => Style::Deleted,
            (OpTag::Insert, ..) => Style::Inserted,
        };
        let whitespace_change = op.text.trim().is_empty();
        if style == Style::Plain || (part.text.trim().is_empty() && !whitespace_change) {
            push(part.text, style);
            continue;
        }
        let (mut core, trail) = if whitespace_change {
            (visible_whitespace(part.text), part.text)
        } else {
            let t = part.text.trim_end();
            (t.to_owned(), &part.text[t.len()..])
        };
        if style == Style::MovedAway
            && let Some(note) = move_note(diff, op)
        {
            core = format!("{core} ({note})");
        }
        let (open, close) = marks(style);
        push(open, Style::Plain);
        push(&core, style);
        push(close, Style::Plain);
        push(trail, Style::Plain);
    }
    while out.last().is_some_and(|c| c.ch.is_whitespace()) {
        out.pop();
    }
    out
}

/// Wraps cells into lines of at most `width` display columns (at least 2),
/// breaking at spaces if possible.
fn wrap(cells: &[Cell], width: usize) -> Vec<Vec<Cell>> {
    let mut lines = Vec::new();
    let mut line: Vec<Cell> = Vec::new();
    let mut used = 0;
    for &cell in cells {
        if cell.ch == '\n' {
            lines.push(std::mem::take(&mut line));
            used = 0;
            continue;
        }
        let cell = if cell.ch.is_control() {
            Cell { ch: ' ', ..cell }
        } else {
            cell
        };
        line.push(cell);
        used += cell.width();
        // One break is enough unless zero-width characters start the line.
        while used > width {
            let rest = match line.iter().rposition(|c| c.ch == ' ').filter(|&i| i > 0) {
                Some(space) => {
                    let rest = line.split_off(space + 1);
                    line.truncate(space);
                    rest
                }
                None => line.split_off(fitting(&line, width)),
            };
            lines.push(std::mem::take(&mut line));
            line = rest;
            used = columns(&line);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// How many of the first cells of `line` fit in `width` columns (at least
/// one, so wrapping always moves on). Zero-width cells right after the last
/// one that fits stay with it: a combining mark is never cut from its base,
/// while a wide character that would overflow by one column goes to the
/// next line.
fn fitting(line: &[Cell], width: usize) -> usize {
    let mut used = 0;
    line.iter()
        .take_while(|c| {
            used += c.width();
            used <= width
        })
        .count()
        .max(1)
}

fn write_rows(
    w: &mut dyn Write,
    left: &[Vec<Cell>],
    right: &[Vec<Cell>],
    col: usize,
    color: bool,
) -> io::Result<()> {
    let empty = Vec::new();
    for row in 0..left.len().max(right.len()) {
        let l = left.get(row).unwrap_or(&empty);
        let r = right.get(row).unwrap_or(&empty);
        write_cells(w, l, color)?;
        write!(w, "{:pad$} │ ", "", pad = col.saturating_sub(columns(l)))?;
        write_cells(w, r, color)?;
        writeln!(w)?;
    }
    Ok(())
}

fn write_cells(w: &mut dyn Write, cells: &[Cell], color: bool) -> io::Result<()> {
    let mut i = 0;
    while i < cells.len() {
        let style = cells[i].style;
        let run: String = cells[i..]
            .iter()
            .take_while(|c| c.style == style)
            .map(|c| c.ch)
            .collect();
        i += run.chars().count();
        if color {
            // Moved runs are marked by color alone here; the arrow would shift columns.
            let open = match style {
                Style::MovedAway | Style::MovedHere => "\x1b[35m",
                s => s.open(true),
            };
            write!(w, "{open}{run}{}", style.close(true))?;
        } else {
            w.write_all(run.as_bytes())?;
        }
    }
    Ok(())
}
