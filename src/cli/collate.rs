//! `vellum collate STORY|DOC|ADDR...`

use std::io::Write;

use clap::ValueEnum;

use vellum::diff::{Diff, OpTag};
use vellum::query::{self, CollateError, CollatedCopy};
use vellum::republish::{self, collate::Cell};

use super::common::json_line;
use super::env::{CliError, Env, Exit, fmt_time};
use super::pager;
use super::similar::snippet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table fitted to the terminal, variants word-diffed below their row
    Terminal,
    /// Machine-readable: copies, rows, cells with their diff ops
    Json,
    /// One standalone HTML page (no scripts, everything escaped)
    Html,
}

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Lines up the copies of a text: one row per paragraph of their union, one \
column per copy (in first-capture order). A cell is = (the row's majority reading, give or take \
case, typography and markup), ~ (a variant: its words are diffed against the majority reading \
below the row) or . (absent). Like CollateX for manuscripts, for news.

Arguments are a story id (from `vellum stories`), documents or addresses (DOC, DOC@N, capture \
id); two or more copies in all.

Examples:
  vellum collate s-1a2b3c4d5e6f
  vellum collate blog-copy gr-copy --ignore-boilerplate
  vellum collate south-front@1 south-front@3 --format html > collation.html
  vellum collate s-1a2b3c4d5e6f --json | jq '.rows[] | [.cells[].state]'

Exit codes: 0 success, 2 error."
)]
pub struct CollateArgs {
    /// Story id, documents or addresses
    #[arg(required = true, value_name = "STORY|DOC|ADDR")]
    targets: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Terminal)]
    format: Format,
    /// The same as --format json
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Leave out boilerplate paragraphs (those a source repeats in 3+ documents)
    #[arg(long)]
    ignore_boilerplate: bool,
}

pub fn run_collate(env: &Env, args: CollateArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let index = republish::read_index(&archive)?;
    let c = query::collation(&archive, &index, &args.targets, args.ignore_boilerplate).map_err(
        |e| match e {
            CollateError::Store(e) => e.into(),
            e => CliError::new(e.to_string()),
        },
    )?;
    let mut out = pager::output(env);
    let format = if args.json { Format::Json } else { args.format };
    match format {
        Format::Json => json_line(&mut out, &c)?,
        Format::Html => html(&mut out, &c.copies, &c.rows)?,
        Format::Terminal => {
            terminal(&mut out, env, &c.copies, &c.rows)?;
            if let Some(l) = &c.lineage {
                writeln!(out)?;
                writeln!(out, "{}", snippet(&l.evidence, 1000))?;
                for d in &l.derived {
                    writeln!(out, "{}", snippet(&d.evidence, 1000))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(Exit::Ok)
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

fn terminal(
    out: &mut dyn Write,
    env: &Env,
    copies: &[CollatedCopy],
    rows: &[republish::collate::Row],
) -> Result<(), CliError> {
    writeln!(out, "{} copies, in first-capture order:", copies.len())?;
    for (i, c) in copies.iter().enumerate() {
        writeln!(
            out,
            "  {:>2}  {}  {}  {}",
            column(i),
            fmt_time(c.at),
            snippet(&c.label, 60),
            snippet(c.source.as_deref().unwrap_or(""), 60)
        )?;
    }
    writeln!(
        out,
        "= majority reading   ~ variant (diffed below)   . absent\n"
    )?;
    let marks_w = copies.len() * 2;
    let room = env.width.saturating_sub(6 + marks_w + 1).max(20);
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
                let line = changes(d, env.color);
                let room = env.width.saturating_sub(10).max(20);
                let shown = if env.color {
                    line
                } else {
                    snippet(&line, room)
                };
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

fn html(
    out: &mut dyn Write,
    copies: &[CollatedCopy],
    rows: &[republish::collate::Row],
) -> Result<(), CliError> {
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
            escape(&c.label),
            escape(&fmt_time(c.at)),
            escape(c.source.as_deref().unwrap_or(""))
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
    writeln!(out, "</table>\n</body></html>")?;
    Ok(())
}
