//! One self-contained HTML5 page (inline CSS, no script): a header with both
//! sides and the summary, then the text with `<del>`/`<ins>` marks. Every
//! mark carries `k-<kind>` (e.g. `k-inflection`) and `moved` for moves, so
//! the page can be restyled, and names its kind in a `title` (on hover); ignored changes are `<span class="ignored">` in
//! their new form. Folded paragraphs sit in closed `<details>` elements.
//! All text is escaped (`< > & " '`).

use std::io::{self, Write};

use super::layout::{
    Part, RenderOptions, Shown, folded_note, layout, move_note, moved_here, show_controls,
};
use super::side::{Side, heading, side_title};
use super::stat::summary;
use super::theme::visible_whitespace;
use crate::diff::{ChangeKind, Diff, Op, OpTag};

const CSS: &str = "body{font:16px/1.55 Georgia,serif;max-width:48em;margin:2em auto;padding:0 1em;color:#222}\
header{font-family:system-ui,sans-serif;border-bottom:1px solid #ccc;margin-bottom:1.5em}\
h1{font-size:1.2em}.sides span{font-family:monospace}.summary{color:#555}\
.p{white-space:pre-wrap;margin:0 0 .2em}\
del{background:#fdd;color:#900}ins{background:#dfd;color:#060;text-decoration:none}\
.moved{background:#f3e0f7;color:#707}.k-typography,.k-markup,.k-whitespace,.k-link,.k-title-suffix{opacity:.75}\
.ignored{border-bottom:1px dotted #aaa}details{color:#777;font-family:system-ui,sans-serif;margin:.8em 0}";

/// Escapes text for HTML content and attributes (and shows hidden controls,
/// see [`super::show_controls`]).
pub fn escape(text: &str) -> String {
    let text = show_controls(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The kind's name as JSON spells it (`inflection`, `title-suffix`).
pub fn kind_name(kind: Option<ChangeKind>) -> Option<String> {
    kind.and_then(|k| serde_json::to_value(k).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Writes `diff` as an HTML page.
pub fn html(
    w: &mut dyn Write,
    diff: &Diff,
    old: &Side,
    new: &Side,
    opts: &RenderOptions,
) -> io::Result<()> {
    let (o, n) = (escape(&side_title(old)), escape(&side_title(new)));
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        w,
        "<title>{o} → {n}</title>\n<style>{CSS}</style>\n</head>\n<body>"
    )?;
    writeln!(w, "<header>\n<h1>{}</h1>", escape(&heading(old, new)))?;
    writeln!(
        w,
        "<p class=\"sides\"><span class=\"old\">{o}</span> → <span class=\"new\">{n}</span></p>"
    )?;
    for (class, side) in [("old", old), ("new", new)] {
        if let Some(d) = side.details() {
            writeln!(w, "<p class=\"details {class}\">{}</p>", escape(&d))?;
        }
    }
    if let Some(b) = super::side::BylineChange::between(old, new) {
        writeln!(w, "<p class=\"byline\">{}</p>", escape(&b.line()))?;
    }
    writeln!(
        w,
        "<p class=\"summary\">{}</p>\n</header>\n<main>",
        escape(&summary(diff))
    )?;
    html_body(w, diff, opts)?;
    writeln!(w, "</main>\n</body>\n</html>")
}

/// Writes the text of `diff` with its marks, as [`html`] shows it inside
/// `<main>`: one `<div class="p">` per paragraph, folded runs in
/// `<details>`. For pages that bring their own frame (the web view).
pub fn html_body(w: &mut dyn Write, diff: &Diff, opts: &RenderOptions) -> io::Result<()> {
    for shown in layout(diff, opts) {
        match shown {
            Shown::Paragraph(parts) => write_paragraph(w, diff, &parts)?,
            Shown::Folded(run) => {
                writeln!(
                    w,
                    "<details><summary>{}</summary>",
                    escape(&folded_note(run.len()))
                )?;
                for parts in &run {
                    write_paragraph(w, diff, parts)?;
                }
                writeln!(w, "</details>")?;
            }
        }
    }
    Ok(())
}

fn write_paragraph(w: &mut dyn Write, diff: &Diff, parts: &[Part]) -> io::Result<()> {
    write!(w, "<div class=\"p\">")?;
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        // The blank lines after a paragraph are the gap between divs.
        let text = if i == last {
            part.text.trim_end_matches(['\n', '\r'])
        } else {
            part.text
        };
        let op = part.op;
        if let Some(m) = moved_here(diff, part) {
            // The new place of a moved paragraph: a mark linking back to
            // the old place, then the word diff inside.
            write!(
                w,
                "<ins class=\"k-paragraph-moved moved\" id=\"move-{id}-to\" title=\"paragraph-moved\"><a href=\"#move-{id}-from\">↶ moved from ¶{}</a></ins> ",
                m.from,
                id = m.id
            )?;
            for inner in &m.ops {
                let name = kind_name(inner.kind);
                let class = name
                    .as_deref()
                    .map_or_else(String::new, |n| format!("k-{n}"));
                let title = name.map_or_else(String::new, |n| format!(" title=\"{n}\""));
                match (inner.op, inner.ignored) {
                    (OpTag::Equal, _) => write!(w, "{}", escape(&inner.text))?,
                    (OpTag::Delete, true) => {}
                    (OpTag::Insert, true) => write!(
                        w,
                        "<span class=\"ignored {class}\">{}</span>",
                        escape(&inner.text)
                    )?,
                    (tag, false) => {
                        let el = if tag == OpTag::Delete { "del" } else { "ins" };
                        write!(
                            w,
                            "<{el} class=\"{class}\"{title}>{}</{el}>",
                            escape(&inner.text)
                        )?;
                    }
                }
            }
            continue;
        }
        let name = kind_name(op.kind);
        let class = format!(
            "{}{}",
            name.as_deref()
                .map_or_else(String::new, |n| format!("k-{n}")),
            if op.moved { " moved" } else { "" }
        );
        // The kind, shown on hover.
        let title = name.map_or_else(String::new, |n| format!(" title=\"{n}\""));
        match (op.op, op.ignored) {
            (OpTag::Equal, _) => write!(w, "{}", escape(text))?,
            (OpTag::Delete, true) => {}
            (OpTag::Insert, true) => {
                write!(w, "<span class=\"ignored {class}\">{}</span>", escape(text))?
            }
            (tag, false) => {
                let whitespace_change = op.text.trim().is_empty();
                if text.trim().is_empty() && !whitespace_change {
                    // The blank lines of a longer change: layout, not marked.
                    write!(w, "{}", escape(text))?;
                    continue;
                }
                let shown = if whitespace_change {
                    visible_whitespace(text)
                } else {
                    text.to_owned()
                };
                write_change(w, diff, op, tag, &class, &title, &shown)?;
                if tag == OpTag::Insert && whitespace_change {
                    write!(w, "{}", escape(text))?;
                }
            }
        }
    }
    writeln!(w, "</div>")
}

/// A change as `<del>` (`tag` Delete) or `<ins>`, of kind `class`, shown
/// as `shown` (escaped here); either end of a move links to the other.
pub(super) fn write_change(
    w: &mut dyn Write,
    diff: &Diff,
    op: &Op,
    tag: OpTag,
    class: &str,
    title: &str,
    shown: &str,
) -> io::Result<()> {
    let el = if tag == OpTag::Delete { "del" } else { "ins" };
    match (op.move_id, move_note(diff, op)) {
        (Some(id), Some(note)) => {
            let (here, there) = if tag == OpTag::Delete {
                ("from", "to")
            } else {
                ("to", "from")
            };
            write!(
                w,
                "<{el} class=\"{class}\"{title} id=\"move-{id}-{here}\"><a href=\"#move-{id}-{there}\">{}</a> {}</{el}>",
                escape(&note),
                escape(shown)
            )
        }
        _ => write!(w, "<{el} class=\"{class}\"{title}>{}</{el}>", escape(shown)),
    }
}
