//! Tables of documents sharing text: `similar`'s results, `stories`, and
//! `collate`'s copies lined up (a terminal table or an HTML page).

use std::io::{self, Write};

use time::OffsetDateTime;

use crate::diff::{Diff, OpTag};
use crate::republish::collate::{Cell, Row};
use crate::republish::{Prepared, Similar, Story};
use crate::store::catalog::from_nanos;
use crate::when::format_time;

use super::layout::{TableOptions, cell, snippet};

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn paragraph<'a>(text: &'a str, p: &Prepared, i: usize) -> &'a str {
    text.get(p.paras[i].range.clone()).unwrap_or("")
}

/// `similar`'s answer: what was compared, then one row per document with
/// containment both ways and its first matching paragraphs.
pub fn similar(
    out: &mut dyn Write,
    label: &str,
    query: &Prepared,
    results: &[Similar],
    t: &TableOptions,
) -> io::Result<()> {
    writeln!(
        out,
        "{}: {} shingles compared (left out: paragraphs that a source, named by --source or a \
         URL's host, repeats in 3+ documents)",
        snippet(label, 80),
        query.set.len(),
    )?;
    if results.is_empty() {
        return writeln!(out, "no archived document shares its text");
    }
    let title_w = t.width.saturating_sub(4 + 26 + 7 + 7 + 20 + 6).max(10);
    writeln!(
        out,
        "{:>3} {} {:>6} {:>6}  {:<20} TITLE",
        "#",
        cell("DOC", 26, true),
        "Q IN D",
        "D IN Q",
        "FIRST CAPTURED"
    )?;
    let width = t.width.max(40);
    for (i, s) in results.iter().enumerate() {
        let e = &s.doc.entry;
        writeln!(
            out,
            "{:>3} {} {:>6} {:>6}  {:<20} {}",
            i + 1,
            // A name is never cut: it is what a user pastes back.
            cell(&snippet(&e.doc, 200), 26, false),
            pct(s.overlap.a_in_b),
            pct(s.overlap.b_in_a),
            format_time(from_nanos(e.first_at.into())),
            cell(
                &snippet(e.title.as_deref().unwrap_or(""), 200),
                title_w,
                true
            )
            .trim_end()
        )?;
        for m in s.overlap.matches.iter().take(5) {
            let head = format!("      ¶{} ~ ¶{} {:>4}  ", m.a + 1, m.b + 1, pct(m.share));
            let room = width.saturating_sub(head.chars().count()).max(10);
            writeln!(
                out,
                "{head}{}",
                snippet(paragraph(&s.text, &s.prepared, m.b), room)
            )?;
        }
        if s.overlap.matches.len() > 5 {
            writeln!(
                out,
                "      … {} more matching paragraphs (--json lists them)",
                s.overlap.matches.len() - 5
            )?;
        }
    }
    Ok(())
}

/// Stories, each with its documents in first-capture order; `all` says
/// whether single-document stories were asked for.
pub fn stories(out: &mut dyn Write, shown: &[Story], all: bool, width: usize) -> io::Result<()> {
    if shown.is_empty() {
        writeln!(
            out,
            "no story has two documents yet{}",
            if all {
                ""
            } else {
                " (--all lists single ones)"
            }
        )?;
    }
    for s in shown {
        writeln!(
            out,
            "{}  {} document{}  {}",
            s.id,
            s.docs.len(),
            if s.docs.len() == 1 { "" } else { "s" },
            snippet(
                s.title.as_deref().unwrap_or("(no title)"),
                width.saturating_sub(30).max(20)
            )
        )?;
        for d in &s.docs {
            let e = &d.entry;
            writeln!(
                out,
                "  {}  {} {}",
                format_time(from_nanos(e.first_at.into())),
                cell(&snippet(&e.doc, 200), 30, false),
                snippet(&e.source, 60)
            )?;
        }
    }
    Ok(())
}

/// A copy of a collation as its column head names it.
#[derive(Debug, Clone, Copy)]
pub struct CopyHead<'a> {
    pub label: &'a str,
    pub at: OffsetDateTime,
    /// Its source, else its URL.
    pub source: Option<&'a str>,
}

fn column(i: usize) -> String {
    let letters = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    if i < 26 {
        (letters[i] as char).to_string()
    } else {
        format!("{}{}", letters[i / 26 - 1] as char, letters[i % 26] as char)
    }
}

fn mark(c: &Cell) -> &'static str {
    match c {
        Cell::Absent => ".",
        Cell::Present(_) => "=",
        Cell::Variant(..) => "~",
    }
}

/// A variant as changes with a little context: `… a [-b-]{+c+} d …`.
fn changes(d: &Diff, color: bool) -> String {
    let mut s = String::new();
    for op in &d.ops {
        let t = snippet(&op.text, 400);
        match op.op {
            OpTag::Equal => {
                let words: Vec<&str> = t.split(' ').collect();
                if words.len() > 6 {
                    s.push_str(&format!(
                        "{} … {} ",
                        words[..3].join(" "),
                        words[words.len() - 3..].join(" ")
                    ));
                } else {
                    s.push_str(&t);
                    s.push(' ');
                }
            }
            OpTag::Delete if color => s.push_str(&format!("\x1b[31m[-{t}-]\x1b[0m ")),
            OpTag::Insert if color => s.push_str(&format!("\x1b[32m{{+{t}+}}\x1b[0m ")),
            OpTag::Delete => s.push_str(&format!("[-{t}-] ")),
            OpTag::Insert => s.push_str(&format!("{{+{t}+}} ")),
        }
    }
    s.trim_end().to_owned()
}

/// The collation as a terminal table: the copies (one letter each), then
/// a row per paragraph with a mark per copy, variants diffed below it.
pub fn collation(
    out: &mut dyn Write,
    copies: &[CopyHead<'_>],
    rows: &[Row],
    t: &TableOptions,
) -> io::Result<()> {
    writeln!(out, "{} copies, in first-capture order:", copies.len())?;
    for (i, c) in copies.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}  {}  {}  {}",
            column(i),
            format_time(c.at),
            snippet(c.label, 60),
            snippet(c.source.unwrap_or(""), 60)
        )?;
    }
    writeln!(
        out,
        "= majority reading   ~ variant (diffed below)   . absent\n"
    )?;
    let marks_w = copies.len() * 2;
    let room = t.width.saturating_sub(6 + marks_w + 1).max(20);
    for (n, r) in rows.iter().enumerate() {
        let marks: Vec<&str> = r.cells.iter().map(mark).collect();
        writeln!(
            out,
            "{:>4}  {} {}",
            n + 1,
            marks.join(" "),
            snippet(&r.reading, room)
        )?;
        for (i, c) in r.cells.iter().enumerate() {
            if let Cell::Variant(_, d) = c {
                let line = changes(d, t.color);
                let room = t.width.saturating_sub(10).max(20);
                let shown = if t.color { line } else { snippet(&line, room) };
                writeln!(out, "      {:>2}: {shown}", column(i))?;
            }
        }
    }
    Ok(())
}

fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' => o.push_str(&format!("&#{};", c as u32)),
            c => o.push(c),
        }
    }
    o
}

/// The collation as one standalone HTML page (no scripts, everything
/// escaped).
pub fn collation_html(
    out: &mut dyn Write,
    copies: &[CopyHead<'_>],
    rows: &[Row],
) -> io::Result<()> {
    writeln!(
        out,
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>vellum collate</title>\n<style>\
body{{font-family:sans-serif;margin:1em}}table{{border-collapse:collapse}}\
td,th{{border:1px solid #ccc;padding:4px;vertical-align:top;max-width:30em}}\
.absent{{background:#f4f4f4;color:#999}}.variant{{background:#fff6e0}}\
del{{color:#b00}}ins{{color:#060}}</style></head><body>\n<table>\n<tr><th>#</th>"
    )?;
    for c in copies {
        writeln!(
            out,
            "<th>{}<br><small>{} {}</small></th>",
            escape(c.label),
            escape(&format_time(c.at)),
            escape(c.source.unwrap_or(""))
        )?;
    }
    writeln!(out, "</tr>")?;
    for (n, r) in rows.iter().enumerate() {
        write!(out, "<tr><td>{}</td>", n + 1)?;
        for c in &r.cells {
            match c {
                Cell::Absent => write!(out, "<td class=\"absent\">absent</td>")?,
                Cell::Present(t) => write!(out, "<td>{}</td>", escape(t))?,
                Cell::Variant(_, d) => {
                    write!(out, "<td class=\"variant\">")?;
                    for op in &d.ops {
                        match op.op {
                            OpTag::Equal => write!(out, "{}", escape(&op.text))?,
                            OpTag::Delete => write!(out, "<del>{}</del>", escape(&op.text))?,
                            OpTag::Insert => write!(out, "<ins>{}</ins>", escape(&op.text))?,
                        }
                    }
                    write!(out, "</td>")?;
                }
            }
        }
        writeln!(out, "</tr>")?;
    }
    writeln!(out, "</table>\n</body></html>")
}

/// A collation's lineage suggestion, below its table: the evidence for the
/// original, then for each copy derived from it.
pub fn lineage(out: &mut dyn Write, l: &crate::republish::lineage::Lineage) -> io::Result<()> {
    writeln!(out)?;
    writeln!(out, "{}", snippet(&l.evidence, 1000))?;
    for d in &l.derived {
        writeln!(out, "{}", snippet(&d.evidence, 1000))?;
    }
    Ok(())
}
