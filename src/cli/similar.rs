//! `vellum similar ADDR|FILE|URL`

use std::io::Write;
use std::path::Path;

use vellum::republish::{self, Index, Prepared, Similar};
use vellum::store::{Address, Archive};

use super::common::cell;
use super::progress::Spinner;
use super::{CliError, Env, Exit, fmt_time, pager};

/// Files compared are read up to this size.
const MAX_FILE: u64 = 64 * 1024 * 1024;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Finds archived documents that carry text of the given one: copies, \
cut-down reposts, republications with other headers and footers. Each is listed with \
containment both ways: how much of the query is in it (Q IN D) and how much of it is in the \
query (D IN Q), and the paragraphs that match. A full republication is near 100% both ways; \
a cut-down repost is near 100% in one direction only.

Texts are compared on word shingles after folding case, typography and markup, without \
boilerplate: paragraphs one source (--source when archived, else the URL's host) repeats in 3 or \
more documents, such as \"Note to readers\" footers, left out wherever they appear. The index behind it \
(similar.sqlite in the store) is a cache, caught up automatically and rebuilt by `vellum reindex`.

TARGET is an address (DOC, DOC@N, capture id), a file (`-` reads standard input), or the URL of \
an archived document.

Examples:
  vellum similar south-front                  documents sharing text with its latest version
  vellum similar south-front@1 -n 3
  vellum similar ./saved-article.md           is this file's text archived anywhere?
  vellum similar https://example.org/news/a --json | jq '.results[].doc'

Exit codes: 0 success (also when nothing is similar), 2 error."
)]
pub struct SimilarArgs {
    /// Address, file, `-` or archived URL
    #[arg(value_name = "TARGET")]
    target: String,
    /// How many documents to list
    #[arg(short = 'n', long, default_value_t = 10, value_name = "N")]
    count: usize,
    /// One JSON object: the query and its results, each with containment and matching paragraphs
    #[arg(long)]
    json: bool,
}

/// What the query is.
struct Target {
    label: String,
    doc: Option<String>,
    text: String,
    source: String,
}

fn target(archive: &Archive, args: &SimilarArgs) -> Result<Target, CliError> {
    let t = args.target.as_str();
    // A URL is an address (its document), resolved as every command does.
    if t == "-" || !vellum::store::is_url(t) && (t.contains('/') || Path::new(t).is_file()) {
        let bytes = read_file(t)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            CliError::new(format!(
                "{t} is not UTF-8 text; compare its extracted text (`vellum extract {t}`)"
            ))
        })?;
        return Ok(Target {
            label: t.to_owned(),
            doc: None,
            text,
            source: String::new(),
        });
    }
    from_address(archive, t)
}

fn read_file(t: &str) -> Result<Vec<u8>, CliError> {
    use std::io::Read;
    let mut buf = Vec::new();
    let read = if t == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_FILE + 1)
            .read_to_end(&mut buf)
    } else {
        std::fs::File::open(t).and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut buf))
    };
    read.map_err(|e| CliError::new(format!("cannot read {t}: {e}")))?;
    if buf.len() as u64 > MAX_FILE {
        return Err(CliError::new(format!(
            "{t} is over {} MiB; give the article's text",
            MAX_FILE >> 20
        )));
    }
    Ok(buf)
}

fn from_address(archive: &Archive, t: &str) -> Result<Target, CliError> {
    let addr: Address = t.parse().map_err(|e| {
        CliError::new(format!(
            "{e} (TARGET is an address, a file path or an archived URL)"
        ))
    })?;
    let v = vellum::query::version(archive, &addr)?;
    let text = v
        .text
        .and_then(|t| String::from_utf8(t.to_vec()).ok())
        .ok_or_else(|| {
            CliError::new(format!("{} has no UTF-8 text to compare", v.resolved.label))
        })?;
    Ok(Target {
        label: v.resolved.label,
        doc: Some(v.resolved.doc),
        text,
        source: republish::text::source_key(v.record.source.as_deref(), v.record.url.as_deref()),
    })
}

/// Index errors, worded for the CLI.
pub fn index_error(e: rusqlite::Error) -> CliError {
    CliError::new(format!(
        "similarity index: {e}; rebuild it with `vellum reindex`"
    ))
}

/// Archived text shown on a terminal: control characters escaped,
/// whitespace runs folded, cut to `max` characters.
pub fn snippet(text: &str, max: usize) -> String {
    let mut out = String::new();
    let mut space = false;
    for (n, c) in text.chars().enumerate() {
        if n >= max {
            out.push('…');
            break;
        }
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        if c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// Opens the store and its similarity index (caught up), with a spinner.
pub fn open_with_index(env: &Env) -> Result<(Archive, Index), CliError> {
    let archive = env.open()?;
    let spinner = Spinner::start(env, "catching up the similarity index");
    let index = republish::read_index(&archive);
    drop(spinner);
    Ok((archive, index?))
}

/// After a write: brings the index up to date. The captures are archived
/// whatever happens here, so a failure is a warning.
pub fn update_index(env: &Env) {
    let result = Archive::open(&env.store).map(|a| republish::open_index(&a).map(drop));
    if let Err(e) | Ok(Err(e)) = result {
        eprintln!(
            "warning: the similarity index was not updated ({e}); the captures are archived, and \
             `vellum similar` catches up (or run `vellum reindex`)"
        );
    }
}

pub fn run_similar(env: &Env, args: SimilarArgs) -> Result<Exit, CliError> {
    let (archive, index) = open_with_index(env)?;
    let t = target(&archive, &args)?;
    let query = republish::prepare_text(&index, &t.text).map_err(index_error)?;
    let exclude = match &t.doc {
        Some(d) => index.doc(d).map_err(index_error)?.map(|d| d.id),
        None => None,
    };
    let mut texts = republish::store_texts(&archive);
    let results =
        republish::similar(&index, &query, exclude, args.count, &mut texts).map_err(index_error)?;
    let mut out = pager::output(env);
    if args.json {
        let v = serde_json::json!({
            "query": { "target": t.label, "doc": t.doc, "source": t.source, "shingles": query.set.len() },
            "results": results.iter().map(|s| result_json(s, &query, &t.text)).collect::<Vec<_>>(),
        });
        writeln!(out, "{v}")?;
        out.flush()?;
        return Ok(Exit::Ok);
    }
    print_results(&mut out, env, &t, &query, &results)?;
    out.flush()?;
    Ok(Exit::Ok)
}

fn paragraph<'a>(text: &'a str, p: &Prepared, i: usize) -> &'a str {
    text.get(p.paras[i].range.clone()).unwrap_or("")
}

fn result_json(s: &Similar, query: &Prepared, qtext: &str) -> serde_json::Value {
    let e = &s.doc.entry;
    serde_json::json!({
        "doc": e.doc, "title": e.title, "source": e.source,
        "first_capture": e.capture,
        "first_captured_at": fmt_time(vellum::store::catalog::from_nanos(e.first_at.into())),
        "shared_shingles": s.overlap.shared,
        "query_in_doc": s.overlap.a_in_b, "doc_in_query": s.overlap.b_in_a,
        "matches": s.overlap.matches.iter().map(|m| serde_json::json!({
            "query_paragraph": m.a + 1, "doc_paragraph": m.b + 1, "share": m.share,
            "query_text": paragraph(qtext, query, m.a),
            "doc_text": paragraph(&s.text, &s.prepared, m.b),
        })).collect::<Vec<_>>(),
    })
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn print_results(
    out: &mut dyn Write,
    env: &Env,
    t: &Target,
    query: &Prepared,
    results: &[Similar],
) -> Result<(), CliError> {
    writeln!(
        out,
        "{}: {} shingles compared (every source's boilerplate left out)",
        snippet(&t.label, 80),
        query.set.len(),
    )?;
    if results.is_empty() {
        writeln!(out, "no archived document shares its text")?;
        return Ok(());
    }
    let title_w = env.width.saturating_sub(4 + 26 + 7 + 7 + 20 + 6).max(10);
    writeln!(
        out,
        "{:>3} {} {:>6} {:>6}  {:<20} TITLE",
        "#",
        cell("DOC", 26, true),
        "Q IN D",
        "D IN Q",
        "FIRST CAPTURED"
    )?;
    let width = env.width.max(40);
    for (i, s) in results.iter().enumerate() {
        let e = &s.doc.entry;
        writeln!(
            out,
            "{:>3} {} {:>6} {:>6}  {:<20} {}",
            i + 1,
            cell(&snippet(&e.doc, 200), 26, true),
            pct(s.overlap.a_in_b),
            pct(s.overlap.b_in_a),
            fmt_time(vellum::store::catalog::from_nanos(e.first_at.into())),
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

#[cfg(test)]
mod tests {
    use super::snippet;

    #[test]
    fn snippets_escape_controls_and_fold_space() {
        assert_eq!(snippet("a\u{1b}[31m  b\n\nc", 100), "a\\u{1b}[31m b c");
        assert_eq!(snippet("abcdef", 3), "abc…");
        assert_eq!(snippet("x\u{202e}y", 10), "x\\u{202e}y");
    }
}
