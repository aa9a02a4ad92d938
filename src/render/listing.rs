//! Listings printed as text: `log`'s documents, versions and captures
//! tables, search hits and index statistics, and the one-line answers of
//! the writing commands (`add`, `import`, `watch`). Each takes the
//! library's result types and writes to any `std::io::Write`.

use std::io::{self, Write};

use time::OffsetDateTime;

use crate::capture::{AddedItem, AddedStatus};
use crate::diff::Diff;
use crate::republish::Story;
use crate::search::{Hit, IndexStats, SnippetPart};
use crate::significance::{Change, Significance};
use crate::store::catalog::CaptureRow;
use crate::store::{DocSummary, Version};
use crate::when::format_time;

use super::layout::{TableOptions, cell, snippet, terminal_safe};
use super::{RenderOptions, Side};

/// The documents table. A name is never cut (it is what a user pastes
/// back); with `cut` the title is cut to what is left of the line.
pub fn documents(out: &mut dyn Write, docs: &[DocSummary], t: &TableOptions) -> io::Result<()> {
    if !docs.is_empty() {
        writeln!(
            out,
            "{} {:>8} {:>8}  {:<20}  {:<20}  TITLE",
            cell("DOCUMENT", 40, false),
            "VERSIONS",
            "CAPTURES",
            "FIRST",
            "LAST"
        )?;
    }
    for d in docs {
        let name = cell(&d.doc, 40, false);
        let used = unicode_width::UnicodeWidthStr::width(name.as_str()) + 1 + 8 + 1 + 8;
        let title_width = t.width.saturating_sub(used + 2 + 20 + 2 + 20 + 2).max(10);
        let title = d.title.as_deref().unwrap_or("");
        writeln!(
            out,
            "{name} {:>8} {:>8}  {:<20}  {:<20}  {}",
            d.versions,
            d.captures,
            format_time(d.first),
            format_time(d.last),
            if t.cut {
                cell(title, title_width, true).trim_end().to_owned()
            } else {
                title.to_owned()
            }
        )?;
    }
    Ok(())
}

/// `n`, `+n` or `-n`; `-` when not known.
fn count(n: Option<u64>, sign: &str) -> String {
    n.map_or("-".to_owned(), |n| format!("{sign}{n}"))
}

/// The head of the versions table.
pub fn versions_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<5} {:<12}  {:<20}  {} {:>7} {:>7} {:>7} {:>5}",
        "@N",
        "CAPTURE",
        "CAPTURED",
        cell("SOURCE", 40, false),
        "WORDS",
        "ADDED",
        "REMOVED",
        "SCORE"
    )
}

/// One row of the versions table: `@N`, short capture id, captured-at,
/// source or URL, words, words added and removed, the change's
/// significance score, `= @K` for a revert.
pub fn version_row(
    out: &mut dyn Write,
    v: &Version,
    words: Option<u64>,
    change: Option<(u64, u64)>,
    score: Option<f64>,
    cut: bool,
) -> io::Result<()> {
    let origin = v.source.as_deref().or(v.url.as_deref()).unwrap_or_default();
    let same = v.same_as.map(|n| format!("= @{n}")).unwrap_or_default();
    let line = format!(
        "{:<5} {:<12}  {:<20}  {} {:>7} {:>7} {:>7} {:>5}  {same}",
        format!("@{}", v.number),
        v.capture.0.short(),
        format_time(v.captured_at),
        cell(origin, 40, cut),
        count(words, ""),
        count(change.map(|c| c.0), "+"),
        count(change.map(|c| c.1), "-"),
        score.map_or("-".to_owned(), |s| format!("{s:.2}")),
    );
    writeln!(out, "{}", line.trim_end())
}

/// What `log -p` and `log --stat` print of one version of `doc`.
#[derive(Debug, Clone, Copy)]
pub struct VersionChange<'a> {
    pub doc: &'a str,
    pub version: &'a Version,
    pub words: Option<u64>,
    /// The diff against the version before, with both sides as named.
    pub diff: Option<(&'a Diff, &'a Side, &'a Side)>,
    /// A summary (`--stat`) instead of the word diff.
    pub stat: bool,
    /// The change's significance (shown under the summary).
    pub significance: Option<&'a Significance>,
}

/// A header naming the version, then its change against the version
/// before (a word diff or a summary), then a blank line.
pub fn version_change(
    out: &mut dyn Write,
    c: &VersionChange<'_>,
    opts: &RenderOptions,
) -> io::Result<()> {
    let v = c.version;
    let header = [
        format!("{}@{}", c.doc, v.number),
        format!("capture {}", v.capture),
        format_time(v.captured_at),
        v.source
            .clone()
            .or_else(|| v.url.clone())
            .unwrap_or_default(),
        v.same_as.map(|n| format!("= @{n}")).unwrap_or_default(),
    ];
    let header: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    writeln!(out, "{}", header.join("  "))?;
    match c.diff {
        None if v.number == 1 => writeln!(out, "first version, {} words", count(c.words, ""))?,
        None => writeln!(out, "(not text: no diff)")?,
        Some((d, _, _)) if c.stat => {
            super::stat(out, d, opts)?;
            if let Some(s) = c.significance {
                super::significance(out, s)?;
            }
        }
        Some((d, old, new)) => super::inline(out, d, old, new, opts)?,
    }
    writeln!(out)
}

/// One version as `log DOC` shows it.
#[derive(Debug, Clone, Copy)]
pub struct VersionLine<'a> {
    pub version: &'a Version,
    pub words: Option<u64>,
    /// Words added and removed against the version before.
    pub change: Option<(u64, u64)>,
    /// The diff against the version before (-p, --stat).
    pub diff: Option<&'a Diff>,
    pub significance: Option<&'a Significance>,
}

/// `log DOC`'s versions as text: the table (`change` `None`), or each
/// version's change against the version before it (`Some(stat)`: -p, or a
/// summary with --stat); `side` names version N of `doc` as a diff side.
pub fn versions<'a>(
    out: &mut dyn Write,
    doc: &str,
    lines: impl IntoIterator<Item = VersionLine<'a>>,
    change: Option<bool>,
    side: &dyn Fn(u64) -> Side,
    opts: &RenderOptions,
    cut: bool,
) -> io::Result<()> {
    if change.is_none() {
        versions_header(out)?;
    }
    for l in lines {
        let (v, words, significance) = (l.version, l.words, l.significance);
        let Some(stat) = change else {
            let score = significance.map(|s| s.value);
            version_row(out, v, words, l.change, score, cut)?;
            continue;
        };
        let sides = l.diff.map(|_| (side(v.number - 1), side(v.number)));
        let diff = l.diff.zip(sides.as_ref()).map(|(d, (o, n))| (d, o, n));
        let change = VersionChange {
            doc,
            version: v,
            words,
            diff,
            stat,
            significance,
        };
        version_change(out, &change, opts)?;
    }
    Ok(())
}

/// The head of the captures table.
pub fn captures_header(out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "{:<12}  {:<20}  {:<5} {} URL",
        "CAPTURE",
        "CAPTURED",
        "SAW",
        cell("SOURCE", 24, false)
    )
}

/// One capture (sighting) and the version it saw: `@N`, `old` for a
/// superseded capture, `-` for a flagged one (followed by its flag, the
/// reason it is no version: `HTTP 404 Not Found`).
pub fn capture_row(
    out: &mut dyn Write,
    r: &CaptureRow,
    captured_at: OffsetDateTime,
    version: Option<u64>,
    flag: Option<&str>,
    cut: bool,
) -> io::Result<()> {
    let saw = match version {
        Some(v) => format!("@{v}"),
        None if r.superseded => "old".to_owned(),
        None => "-".to_owned(),
    };
    writeln!(
        out,
        "{:<12}  {:<20}  {:<5} {} {}{}",
        r.id.0.short(),
        format_time(captured_at),
        saw,
        cell(r.source.as_deref().unwrap_or(""), 24, cut),
        r.url.as_deref().unwrap_or(""),
        match (r.superseded, flag) {
            (true, _) => "  (superseded: re-extracted by a newer extractor)".to_owned(),
            (false, Some(f)) => format!("  (flagged: {f})"),
            (false, None) => String::new(),
        }
    )
}

/// The flagged captures of a document under its versions (`log DOC`): each
/// archived as evidence, none a version (a 404 kept with `--keep-errors`).
pub fn flagged_rows(
    out: &mut dyn Write,
    rows: &[(CaptureRow, OffsetDateTime, String)],
) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "flagged captures (archived, no version's):")?;
    for (r, at, flag) in rows {
        writeln!(
            out,
            "  {:<12}  {:<20}  {}  {}",
            r.id.0.short(),
            format_time(*at),
            flag,
            r.url.as_deref().unwrap_or("")
        )?;
    }
    Ok(())
}

/// Names the story of `doc` when other documents carry its text.
pub fn story_line(out: &mut dyn Write, story: &Story, doc: &str) -> io::Result<()> {
    if story.docs.len() < 2 {
        return Ok(());
    }
    let others: Vec<String> = story
        .docs
        .iter()
        .filter(|d| d.entry.doc != doc)
        .map(|d| snippet(&d.entry.doc, 100))
        .collect();
    writeln!(
        out,
        "story {}: its text is also in {} (`vellum collate {}` lines them up)",
        story.id,
        others.join(", "),
        story.id
    )
}

/// What a search that found nothing says (a note).
pub fn no_hits(all_versions: bool) -> String {
    let current = " in the current texts; --all-versions also searches older versions";
    format!(
        "no paragraph holds every term{}",
        if all_versions { "" } else { current }
    )
}

/// One search hit: its addresses and when the paragraph was seen, then
/// the snippet with the matches marked (bold yellow, or `[brackets]`).
pub fn search_hit(out: &mut dyn Write, h: &Hit, color: bool) -> io::Result<()> {
    let (b, r) = if color {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    let when = match h.removed_at {
        Some(t) => format!(
            "seen {} .. {}, removed {}",
            format_time(h.first_seen),
            format_time(h.last_seen),
            format_time(t)
        ),
        None => format!("since {}", format_time(h.first_seen)),
    };
    writeln!(
        out,
        "{b}{}{r}  ({when}, score {:.2})",
        terminal_safe(&h.addresses().join(" ")),
        h.score
    )?;
    let mut line = String::from("    ");
    for part in &h.snippet {
        match part {
            SnippetPart::Text(t) => line.push_str(&terminal_safe(t)),
            SnippetPart::Match(m) if color => {
                line.push_str("\x1b[1;33m");
                line.push_str(&terminal_safe(m));
                line.push_str("\x1b[0m");
            }
            SnippetPart::Match(m) => {
                line.push('[');
                line.push_str(&terminal_safe(m));
                line.push(']');
            }
        }
    }
    writeln!(out, "{line}")
}

/// The search index's size against the text it indexes.
pub fn search_stats(out: &mut dyn Write, s: &IndexStats) -> io::Result<()> {
    let ratio = if s.text_bytes > 0 {
        s.index_bytes as f64 / s.text_bytes as f64
    } else {
        0.0
    };
    writeln!(
        out,
        "{}: {} bytes indexing {} bytes of distinct paragraph text ({:.2}x): \
         {} paragraph(s) of {} text(s) in {} document(s), {} capture(s) seen",
        s.path
            .as_ref()
            .map_or("in memory".to_string(), |p| p.display().to_string()),
        s.index_bytes,
        s.text_bytes,
        ratio,
        s.paragraphs,
        s.texts,
        s.documents,
        s.captures
    )
}

/// One archived capture: `DOC@N CAPTURE_ID STATUS` (`DOC@- …` for a
/// flagged one, listed among the captures but no version's).
pub fn added(out: &mut dyn Write, a: &AddedItem) -> io::Result<()> {
    let version = match a.status {
        AddedStatus::Flagged => "-".to_owned(),
        _ => a.version.to_string(),
    };
    let status = serde_json::to_value(a.status)?;
    let status = status.as_str().unwrap_or_default();
    writeln!(out, "{}@{version} {} {status}", a.doc, a.capture)
}

/// A new version with its word change: `DOC@N CAPTURE_ID new  +ADDED
/// -REMOVED words` (`watch`).
pub fn new_version(out: &mut dyn Write, a: &AddedItem) -> io::Result<()> {
    let stat = match (a.added.zip(a.removed), a.words) {
        (Some((add, rem)), _) => format!("+{add} -{rem} words"),
        (None, Some(w)) => format!("{w} words"),
        (None, None) => String::new(),
    };
    writeln!(out, "{}@{} {} new  {stat}", a.doc, a.version, a.capture)
}

/// The changes table (`vellum changes`): score, document and versions,
/// captured-at of the new version, reasons; then the excerpt, indented.
pub fn changes(out: &mut dyn Write, changes: &[Change], t: &TableOptions) -> io::Result<()> {
    if !changes.is_empty() {
        writeln!(
            out,
            "{:>5}  {}  {:<12}  {:<20}  REASONS",
            "SCORE",
            cell("CHANGE", 40, false),
            "CAPTURE",
            "CAPTURED"
        )?;
    }
    for c in changes {
        let what = format!("{}@{}..@{}", c.doc, c.from.version, c.to.version);
        let reasons: Vec<&str> = c.reasons.iter().map(|r| r.signal.label()).collect();
        writeln!(
            out,
            "{:>5.2}  {}  {:<12}  {:<20}  {}",
            c.score,
            cell(&what, 40, false),
            &c.to.capture[..12.min(c.to.capture.len())],
            c.to.captured_at,
            reasons.join(", ")
        )?;
        if let Some(e) = &c.excerpt {
            let mut line = String::new();
            if !e.removed.is_empty() {
                line.push_str(&format!("-[{}] ", e.removed));
            }
            if !e.added.is_empty() {
                line.push_str(&format!("+[{}]", e.added));
            }
            let line = terminal_safe(line.trim_end());
            let shown = match t.cut {
                true => cell(&line, t.width.saturating_sub(7).max(20), true),
                false => line,
            };
            writeln!(out, "       {}", shown.trim_end())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_document_name_is_never_cut_on_a_terminal() {
        let name = format!("127-0-0-1-news-{}", "long-".repeat(12));
        let at = time::macros::datetime!(2019-02-12 12:00 UTC);
        let docs = [DocSummary {
            doc: name.clone(),
            versions: 1,
            captures: 1,
            first: at,
            last: at,
            title: Some("A title long enough to be cut on a narrow terminal".into()),
            latest_text: None,
        }];
        let mut out = Vec::new();
        let t = TableOptions {
            width: 100,
            cut: true,
            ..TableOptions::default()
        };
        documents(&mut out, &docs, &t).unwrap();
        let out = String::from_utf8(out).unwrap();
        let row = out.lines().nth(1).unwrap();
        assert!(row.starts_with(&format!("{name} ")), "{out}");
        assert!(row.ends_with('…'), "the title is cut instead: {out}");
    }
}
