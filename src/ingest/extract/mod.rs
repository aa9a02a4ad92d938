//! Article extraction: an HTML page -> its title, byline, date and article
//! text (pure, bounded, never panics on malformed HTML).
//!
//! The main content is found by `dom_smoothie` (a Readability port, chosen
//! by measurement: see `scripts/bench-extract.sh`), around our own work on
//! both sides of it: before, page furniture that Readability keeps too often
//! (captions and photo credits, share bars, teaser lists of other stories,
//! cookie banners, hidden elements) is removed from the DOM; after, the
//! article is rendered to plain text paragraphs (`#` headings, `- ` list
//! items, `> ` quotes, table rows with ` | `), and blocks made of links,
//! widget labels and repeated captions are dropped.

use dom_query::Document;

mod clean;
mod depth;
mod furniture;
mod render;
#[cfg(test)]
mod tests;

use clean::*;
pub use depth::MAX_DEPTH;
use depth::*;
use furniture::*;
pub use render::MAX_TEXT_LEN;
use render::*;

/// Name and version of the extractor, recorded with every extracted text:
/// bump [`EXTRACTOR_REVISION`] whenever the output for some page changes.
pub const EXTRACTOR_NAME: &str = "vellum-article";
/// Our revision of the pre- and post-processing.
pub const EXTRACTOR_REVISION: u32 = 3;
/// The dom_smoothie version in Cargo.lock (a test keeps them equal).
pub const DOM_SMOOTHIE_VERSION: &str = "0.19.0";

/// `"vellum-article 3 (dom_smoothie 0.19.0)"`.
pub fn extractor_id() -> String {
    format!("{EXTRACTOR_NAME} {EXTRACTOR_REVISION} (dom_smoothie {DOM_SMOOTHIE_VERSION})")
}

/// HTML beyond this many bytes is not looked at (the raw bytes are still
/// archived whole): no article needs more, and it bounds time and memory.
pub const MAX_HTML_LEN: usize = 8 << 20;
/// Below this many words in the body, an extraction is flagged as thin:
/// almost nothing (an empty shell, a script-only page). Kept low because a
/// flagged capture is never a version, and a short real page (a brief, a
/// correction notice, example.com) must stay one. Consent and login walls
/// and error pages are recognised by their words and titles instead.
pub const THIN_WORDS: usize = 10;

/// What extraction found in a page.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Article {
    pub title: Option<String>,
    pub byline: Option<String>,
    /// Publication date as the page gives it (usually RFC 3339).
    pub date: Option<String>,
    pub language: Option<String>,
    /// `<link rel=canonical>`, else `og:url`, resolved against the page URL.
    pub canonical_url: Option<String>,
    /// The article's paragraphs, blank-line separated, without the title.
    pub body: String,
    /// Why this extraction is suspect (a consent wall, an error page), if it is.
    pub flag: Option<String>,
}

impl Article {
    /// The text vellum keeps: the title as first line, a blank line, the body.
    pub fn text(&self) -> String {
        match self.title.as_deref().filter(|t| !t.is_empty()) {
            Some(t) if self.body.is_empty() => format!("{t}\n"),
            Some(t) => format!("{t}\n\n{}\n", self.body),
            None if self.body.is_empty() => String::new(),
            None => format!("{}\n", self.body),
        }
    }
}

/// Extracts the article of a decoded HTML page. `page_url` (absolute) resolves
/// relative canonical links.
pub fn extract(html: &str, page_url: Option<&str>) -> Article {
    let html = truncate(html, MAX_HTML_LEN);
    // Parsing and Readability scoring are quadratic in nesting depth: a page
    // nested thousands of levels deep is cut where it gets there.
    let (html, too_deep) = match too_deep_at(html) {
        Some(at) => (&html[..at], true),
        None => (html, false),
    };
    let doc = Document::from(html);
    let canonical_url = canonical_link(&doc, page_url);
    let html_lang = doc
        .select_single("html")
        .attr("lang")
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty());
    preclean(&doc);
    // Every readable paragraph of the page, for when Readability settles on
    // a small wrong box (a site banner, a "previously posted" list).
    let whole = render(&doc);
    let base = page_url.filter(|u| url::Url::parse(u).is_ok());
    let cfg = dom_smoothie::Config {
        max_elements_to_parse: 200_000,
        ..Default::default()
    };
    let mut article = Article {
        canonical_url,
        language: html_lang,
        ..Default::default()
    };
    let parsed =
        dom_smoothie::Readability::with_document(doc, base, Some(cfg)).and_then(|mut r| r.parse());
    match parsed {
        Ok(a) => {
            article.title = clean_line(&a.title);
            article.byline = a.byline.as_deref().and_then(clean_line);
            article.date = a.published_time.as_deref().and_then(clean_line);
            if article.language.is_none() {
                article.language = a.lang.as_deref().and_then(clean_line);
            }
            let content = Document::from(a.content.as_ref());
            let blocks = render(&content);
            let (mut blocks, mut byline) = postprocess(blocks, article.title.as_deref());
            let title = article.title.as_deref();
            if let Some((b, l)) = fallback(&blocks, whole, title) {
                blocks = b;
                byline = byline.or(l);
            }
            article.body = join(&blocks);
            // Bylines are metadata, never text: a byline line found in the
            // article is taken out of it (above), and kept here when the
            // page named no author elsewhere.
            if article.byline.is_none() {
                article.byline = byline.as_deref().and_then(clean_line);
            }
        }
        Err(_) => {
            // No article found (an empty page, a bare frameset): the title,
            // if any, from a fresh parse, and no body.
            let doc = Document::from(html);
            article.title = clean_line(&doc.select_single("title").text());
        }
    }
    article.flag = thin_flag(&article);
    if too_deep {
        article.flag = Some(format!(
            "markup nested over {MAX_DEPTH} levels deep; only the page before that point was extracted"
        ));
    }
    article
}

/// The page's paragraphs in place of Readability's choice, when that choice
/// holds almost no paragraph (under [`FALLBACK_CHOSEN`] words in them) and
/// under a quarter of the words the page's paragraphs hold (at least
/// [`FALLBACK_WORDS`]): Readability found a box (a banner, a tag line), not
/// the article. A choice with real paragraphs is kept: on the benchmarks'
/// development pages, replacing those lost as often as it won. Paragraphs are blocks of at least 10 words, under half of them
/// in links, with the headings and list items between two of them.
fn fallback(
    chosen: &[Block],
    whole: Vec<Block>,
    title: Option<&str>,
) -> Option<(Vec<Block>, Option<String>)> {
    let prose = |b: &Block| !b.heading && words(&b.text) >= 10 && b.link_chars * 2 < b.text.len();
    let total: usize = whole
        .iter()
        .filter(|b| prose(b))
        .map(|b| words(&b.text))
        .sum();
    let got: usize = chosen
        .iter()
        .filter(|b| prose(b))
        .map(|b| words(&b.text))
        .sum();
    if total < FALLBACK_WORDS || got >= FALLBACK_CHOSEN || got * 4 >= total {
        return None;
    }
    let first = whole.iter().position(prose)?;
    let last = whole.iter().rposition(prose)?;
    let kept: Vec<Block> = whole
        .into_iter()
        .enumerate()
        .filter(|(i, b)| {
            (first..=last).contains(i) && (prose(b) || b.link_chars * 2 < b.text.len().max(1))
        })
        .map(|(_, b)| b)
        .collect();
    Some(postprocess(kept, title))
}

/// Fewer words than this in the page's paragraphs: no fallback.
const FALLBACK_WORDS: usize = 80;
/// This many words in paragraphs of Readability's choice: no fallback.
const FALLBACK_CHOSEN: usize = 60;

fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// One line of metadata: whitespace collapsed, at most 500 characters.
fn clean_line(s: &str) -> Option<String> {
    let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let s: String = s.chars().take(500).collect();
    (!s.is_empty()).then_some(s)
}

fn canonical_link(doc: &Document, page_url: Option<&str>) -> Option<String> {
    let href = doc
        .select("link[rel]")
        .iter()
        .find(|l| {
            l.attr("rel").is_some_and(|r| {
                r.split_ascii_whitespace()
                    .any(|t| t.eq_ignore_ascii_case("canonical"))
            })
        })
        .and_then(|l| l.attr("href"))
        .or_else(|| {
            doc.select("meta[property]")
                .iter()
                .find(|m| m.attr("property").is_some_and(|p| p.trim() == "og:url"))
                .and_then(|m| m.attr("content"))
        })?;
    let href = href.trim();
    if href.is_empty() || href.len() > 4096 {
        return None;
    }
    let resolved = match page_url.and_then(|u| url::Url::parse(u).ok()) {
        Some(base) => base.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    matches!(resolved.scheme(), "http" | "https").then(|| resolved.to_string())
}

/// Error-page titles (matched on the start of the title, lowercase).
const ERROR_TITLES: &[&str] = &[
    "404",
    "page not found",
    "not found",
    "access denied",
    "403 forbidden",
    "error",
    "just a moment",
    "attention required",
    "are you a robot",
    "subscribe to continue",
    "before you continue",
];

fn thin_flag(a: &Article) -> Option<String> {
    let title = a.title.as_deref().unwrap_or("").to_lowercase();
    if let Some(t) = ERROR_TITLES.iter().find(|t| title.starts_with(**t)) {
        return Some(format!("error page (title starts with {t:?})"));
    }
    let n = words(&a.body);
    let lower = a.body.to_lowercase();
    if n < 200
        && [
            "cookie",
            "consent",
            "enable javascript",
            "subscribe to",
            "sign in to",
            "log in to",
        ]
        .iter()
        .any(|k| lower.contains(k))
        && n < 120
    {
        return Some(format!("consent or login wall ({n} words)"));
    }
    (n < THIN_WORDS).then(|| format!("thin extraction ({n} words)"))
}
