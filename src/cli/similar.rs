//! `vellum similar ADDR|FILE|URL`

use std::io::Write;
use std::path::Path;

use vellum::republish::{self, Index, Prepared, Similar};
use vellum::store::Archive;

use vellum::query::items::SimilarAnswer;
use vellum::query::{self, ReadAs, SimilarError, SimilarTarget};

use super::common::{cell, json_line};
use super::env::{CliError, Env, Exit, fmt_time};
use super::pager;
use super::progress::Spinner;

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

TARGET is an address (DOC, DOC@N, capture id), a file (`-` reads standard input; read as `add` \
reads it: decoded, an HTML page's article extracted), or the URL of an archived document.

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

fn similar_error(e: SimilarError) -> CliError {
    match e {
        SimilarError::Store(e) => e.into(),
        e => CliError::new(e.to_string()),
    }
}

/// What the query is: an archived URL or address, or a file read as `add`
/// reads it (an HTML page's article extracted).
fn target(archive: &Archive, t: &str) -> Result<SimilarTarget, CliError> {
    if !query::is_url(t) && (t == "-" || t.contains('/') || Path::new(t).is_file()) {
        let bytes = read_file(t)?;
        let name = (t != "-").then_some(t);
        let text = query::given_text(t, name, &bytes, ReadAs::default())
            .map_err(|_| CliError::new(format!("{t} is not text; vellum compares text only")))?;
        return Ok(SimilarTarget::given(t, text.text));
    }
    SimilarTarget::archived(archive, t).map_err(similar_error)
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

/// Index errors, worded for the CLI.
pub fn index_error(e: vellum::republish::IndexError) -> CliError {
    CliError::with_kind(
        e.kind(),
        format!("similarity index: {e}; rebuild it with `vellum reindex`"),
    )
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

pub fn run_similar(env: &Env, args: SimilarArgs) -> Result<Exit, CliError> {
    let (archive, index) = open_with_index(env)?;
    let t = target(&archive, &args.target)?;
    let (query, results) = query::similar_to(&archive, &index, &t, args.count)?;
    let mut out = pager::output(env);
    if args.json {
        json_line(&mut out, &SimilarAnswer::new(&t, &query, &results))?;
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

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn print_results(
    out: &mut dyn Write,
    env: &Env,
    t: &SimilarTarget,
    query: &Prepared,
    results: &[Similar],
) -> Result<(), CliError> {
    writeln!(
        out,
        "{}: {} shingles compared (left out: paragraphs that a source, named by --source or a \
         URL's host, repeats in 3+ documents)",
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
            // A name is never cut: it is what a user pastes back.
            cell(&snippet(&e.doc, 200), 26, false),
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
