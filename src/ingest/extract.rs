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

use dom_query::{Document, NodeRef};

/// Name and version of the extractor, recorded with every extracted text:
/// bump [`EXTRACTOR_REVISION`] whenever the output for some page changes.
pub const EXTRACTOR_NAME: &str = "vellum-article";
/// Our revision of the pre- and post-processing.
pub const EXTRACTOR_REVISION: u32 = 2;
/// The dom_smoothie version in Cargo.lock (a test keeps them equal).
pub const DOM_SMOOTHIE_VERSION: &str = "0.19.0";

/// `"vellum-article 2 (dom_smoothie 0.19.0)"`.
pub fn extractor_id() -> String {
    format!("{EXTRACTOR_NAME} {EXTRACTOR_REVISION} (dom_smoothie {DOM_SMOOTHIE_VERSION})")
}

/// HTML beyond this many bytes is not looked at (the raw bytes are still
/// archived whole): no article needs more, and it bounds time and memory.
pub const MAX_HTML_LEN: usize = 8 << 20;
/// The extracted text is cut at this many bytes.
pub const MAX_TEXT_LEN: usize = 2 << 20;
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
            let blocks = postprocess(blocks, article.title.as_deref());
            article.body = join(&blocks);
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

/// Deepest element nesting accepted (real pages stay under 100).
pub const MAX_DEPTH: usize = 1000;

/// Elements that need no end tag, or whose end tag is usually implied.
const NO_DEPTH: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "option", "td", "th", "tr", "dt", "dd", "!doctype",
];

fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn find_ci_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Where a cheap tag count says nesting passes [`MAX_DEPTH`] (a byte offset
/// at a tag start), if it does.
fn too_deep_at(html: &str) -> Option<usize> {
    let b = html.as_bytes();
    let mut depth: usize = 0;
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        i = at + 1;
        if b[at..].starts_with(b"<!--") {
            i = find_from(b, at + 4, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        let start = if closing { i + 1 } else { i };
        let end = b[start..]
            .iter()
            .position(|c| !(c.is_ascii_alphanumeric() || *c == b'!'))
            .map_or(b.len(), |e| start + e);
        if end == start || !b[start].is_ascii_alphabetic() && b[start] != b'!' {
            continue;
        }
        let name = html[start..end].to_ascii_lowercase();
        if name.starts_with("!--") || NO_DEPTH.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
            continue;
        }
        let self_closing = b[end..]
            .iter()
            .position(|&c| c == b'>')
            .is_some_and(|gt| gt > 0 && b[end + gt - 1] == b'/');
        // Script and style contents are not markup.
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i = find_ci_from(b, end, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if !self_closing {
            depth += 1;
            if depth > MAX_DEPTH {
                return Some(at);
            }
        }
    }
    None
}

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

/// Elements never part of an article.
const DROP_TAGS: &str = "script, style, noscript, template, svg, canvas, iframe, object, embed, \
    button, select, input, textarea, figcaption";

/// Elements that are furniture unless they hold most of the page (some
/// sites wrap the whole page in a `<form>`).
const FURNITURE_TAGS: &[&str] = &["form", "nav", "aside", "footer", "dialog", "menu"];

/// Substrings of class or id tokens that mark page furniture.
const FURNITURE: &[&str] = &[
    "share",
    "social",
    "related",
    "newsletter",
    "subscri",
    "signup",
    "sign-up",
    "comment",
    "cookie",
    "consent",
    "gdpr",
    "promo",
    "advert",
    "sponsor",
    "breadcrumb",
    "caption",
    "credit",
    "gallery",
    "popup",
    "modal",
    "outbrain",
    "taboola",
    "recommend",
    "popular",
    "trending",
    "read-more",
    "readmore",
    "more-stories",
    "sidebar",
    "tooltip",
];

/// Whole class or id tokens that mark page furniture.
const FURNITURE_TOKENS: &[&str] = &[
    "ad", "ads", "nav", "menu", "footer", "tags", "toolbar", "hidden", "sr-only",
];

/// Parts of a `-`/`_`-separated token that mark furniture (`site-nav`).
const FURNITURE_PARTS: &[&str] = &["ads", "nav", "navbar", "menu", "footer"];

/// Words that make a class token about the content, not furniture
/// (`entry-content-read-more`, `article-comments-count` stay).
const CONTENT_WORDS: &[&str] = &[
    "content", "article", "body", "entry", "story", "text", "main", "post",
];

const FURNITURE_ROLES: &[&str] = &[
    "navigation",
    "complementary",
    "banner",
    "contentinfo",
    "dialog",
    "alertdialog",
    "menu",
    "search",
];

/// Removes page furniture from the DOM before Readability scores it. An
/// element holding most of the page's text is never removed, whatever its
/// class says (a `<body class="has-comments">`).
fn preclean(doc: &Document) {
    doc.select(DROP_TAGS).remove();
    let total = doc.select_single("body").text().chars().count().max(1);
    let mut doomed = Vec::new();
    for node in doc
        .select(
            "[class], [id], [role], [hidden], [aria-hidden], [style], \
             form, nav, aside, footer, dialog, menu",
        )
        .nodes()
    {
        let name = node.node_name().unwrap_or_default().to_ascii_lowercase();
        if matches!(name.as_str(), "html" | "body" | "main" | "article") {
            continue;
        }
        if !FURNITURE_TAGS.contains(&name.as_str()) && !is_furniture(node) {
            continue;
        }
        doomed.push(*node);
    }
    // Each check walks the element's subtree; a page of nested furniture
    // could make that quadratic, so the walks share one budget of nodes.
    let mut budget: usize = 2_000_000;
    for node in doomed {
        // Removed already with an ancestor?
        if node.parent().is_none() {
            continue;
        }
        let mut chars = 0;
        let mut wraps_article = false;
        for d in node.descendants_it() {
            if budget == 0 {
                return;
            }
            budget -= 1;
            if d.is_text() {
                chars += d.text().chars().count();
            } else if d.is_element() {
                let name = d.node_name().unwrap_or_default().to_ascii_lowercase();
                // A wrapper of the article itself (`<div class="and-w-sidebar">`).
                if matches!(name.as_str(), "article" | "main" | "h1")
                    || d.attr("itemprop")
                        .is_some_and(|v| v.eq_ignore_ascii_case("articlebody"))
                {
                    wraps_article = true;
                    break;
                }
            }
        }
        if wraps_article || chars * 2 > total {
            continue;
        }
        node.remove_from_parent();
    }
}

fn is_furniture(node: &NodeRef<'_>) -> bool {
    if node.has_attr("hidden") || node.attr("aria-hidden").is_some_and(|v| v.trim() == "true") {
        return true;
    }
    if let Some(style) = node.attr("style") {
        let s: String = style.to_ascii_lowercase().split_whitespace().collect();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    if let Some(role) = node.attr("role")
        && FURNITURE_ROLES.contains(&role.trim().to_ascii_lowercase().as_str())
    {
        return true;
    }
    let mut names = String::new();
    for a in ["class", "id"] {
        if let Some(v) = node.attr(a) {
            names.push_str(&v.to_ascii_lowercase());
            names.push(' ');
        }
    }
    names.split_ascii_whitespace().any(|tok| {
        if FURNITURE_TOKENS.contains(&tok) {
            return true;
        }
        // States, not widgets: `has-comments`, `modal-enabled`, `js-share-ready`.
        let state = ["has-", "with-", "no-", "js-", "is-"]
            .iter()
            .any(|p| tok.starts_with(p))
            || [
                "-enabled", "-active", "-open", "-closed", "-ready", "-hidden",
            ]
            .iter()
            .any(|p| tok.ends_with(p));
        if state || CONTENT_WORDS.iter().any(|w| tok.contains(w)) {
            return false;
        }
        tok.split(['-', '_'])
            .any(|part| FURNITURE_PARTS.contains(&part))
            || FURNITURE.iter().any(|f| tok.contains(f))
    })
}

/// One rendered block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    /// `# `, `- `, `> `… prepended when joined.
    prefix: String,
    text: String,
    /// Characters of `text` inside links.
    link_chars: usize,
    heading: bool,
}

#[derive(Default)]
struct Renderer {
    blocks: Vec<Block>,
    cur: String,
    link_chars: usize,
    prefix: String,
    heading: bool,
    quote: usize,
    size: usize,
}

#[derive(Clone, Copy, Default)]
struct Ctx {
    link: bool,
    pre: bool,
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "figure",
    "hr",
    "address",
    "center",
    "details",
    "summary",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "caption",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "tr",
];

impl Renderer {
    fn flush(&mut self) {
        let text = self.cur.trim();
        let mut prefix = "> ".repeat(self.quote);
        prefix.push_str(&self.prefix);
        // Continuation lines repeat the quote marks.
        let cost = text.len() + prefix.len() * (1 + text.matches('\n').count()) + 2;
        if !text.is_empty() && self.size + cost <= MAX_TEXT_LEN {
            self.size += cost;
            self.blocks.push(Block {
                prefix,
                text: text.to_owned(),
                link_chars: self.link_chars.min(text.len()),
                heading: self.heading,
            });
        }
        self.cur.clear();
        self.link_chars = 0;
        self.prefix.clear();
        self.heading = false;
    }

    fn push_text(&mut self, s: &str, ctx: Ctx) {
        if self.size + self.cur.len() >= MAX_TEXT_LEN {
            return;
        }
        let before = self.cur.len();
        if ctx.pre {
            self.cur.push_str(s);
        } else {
            for (i, word) in s.split_whitespace().enumerate() {
                let space = i > 0 || s.starts_with(char::is_whitespace);
                if space && !self.cur.is_empty() && !self.cur.ends_with([' ', '\n']) {
                    self.cur.push(' ');
                }
                self.cur.push_str(word);
            }
            if s.ends_with(char::is_whitespace)
                && !self.cur.is_empty()
                && !self.cur.ends_with([' ', '\n'])
            {
                self.cur.push(' ');
            }
        }
        if ctx.link {
            self.link_chars += self.cur.len() - before;
        }
    }

    fn walk(&mut self, node: &NodeRef<'_>, ctx: Ctx, depth: usize) {
        if node.is_text() {
            self.push_text(&node.text(), ctx);
            return;
        }
        if !node.is_element() && !node.is_document() && !node.is_fragment() {
            return;
        }
        // Deeply nested markup is hostile or broken: its text is kept flat.
        if depth > 200 {
            self.push_text(&node.text(), ctx);
            return;
        }
        let name = node.node_name().unwrap_or_default().to_ascii_lowercase();
        match name.as_str() {
            "script" | "style" | "noscript" | "template" | "svg" | "button" | "figcaption" => {
                return;
            }
            "br" => {
                let trimmed = self.cur.trim_end().len();
                self.cur.truncate(trimmed);
                if !self.cur.is_empty() {
                    self.cur.push('\n');
                }
                return;
            }
            "img" => return,
            _ => {}
        }
        let block = BLOCK_TAGS.contains(&name.as_str());
        if block {
            self.flush();
        }
        let mut ctx = ctx;
        match name.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = (name.as_bytes()[1] - b'0') as usize;
                self.prefix = format!("{} ", "#".repeat(level.min(3)));
                self.heading = true;
            }
            "li" => {
                let ordered = node
                    .parent()
                    .and_then(|p| p.node_name())
                    .is_some_and(|n| n.eq_ignore_ascii_case("ol"));
                if ordered {
                    let n = node
                        .parent()
                        .map(|p| {
                            p.element_children()
                                .iter()
                                .take_while(|c| c.id != node.id)
                                .count()
                        })
                        .unwrap_or(0);
                    self.prefix = format!("{}. ", n + 1);
                } else {
                    self.prefix = "- ".into();
                }
            }
            "blockquote" => self.quote += 1,
            "a" => ctx.link = true,
            "pre" => ctx.pre = true,
            "td" | "th" if !self.cur.is_empty() => self.cur.push_str(" | "),
            _ => {}
        }
        for child in node.children_it(false) {
            self.walk(&child, ctx, depth + 1);
        }
        if block {
            self.flush();
        }
        if name == "blockquote" {
            self.quote -= 1;
        }
    }
}

fn render(doc: &Document) -> Vec<Block> {
    let mut r = Renderer::default();
    let root = doc.root();
    r.walk(&root, Ctx::default(), 0);
    r.flush();
    r.blocks
}

/// Widget labels that are never article text on their own.
const LABELS: &[&str] = &[
    "advertisement",
    "advertising",
    "caption",
    "close",
    "share",
    "share this",
    "share this article",
    "share this story",
    "read more",
    "related",
    "related articles",
    "related stories",
    "more stories",
    "recommended",
    "continue reading",
    "skip advert",
    "skip ad",
    "play video",
    "watch",
    "loading",
    "loading...",
    "comments",
    "image",
    "photo",
    "enlarge this image",
    "toggle caption",
    "hide caption",
    "view gallery",
    "sign up",
    "subscribe",
];

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn is_label(text: &str) -> bool {
    let t = text.trim().trim_end_matches([':', '.']).to_lowercase();
    if LABELS.contains(&t.as_str()) {
        return true;
    }
    // "Image 1 of 8", "Photo 3/12"
    let mut w = t.split_whitespace();
    let first = w.next().unwrap_or("");
    let rest: Vec<&str> = w.collect();
    if matches!(first, "image" | "photo" | "slide" | "picture")
        && rest.len() <= 4
        && rest.iter().any(|x| x.chars().any(|c| c.is_ascii_digit()))
        && rest
            .iter()
            .all(|x| x.chars().all(|c| c.is_ascii_digit() || c == '/') || *x == "of")
    {
        return true;
    }
    // Photo credits: "Photo: Hau Dinh, AP", "Credit: Getty Images".
    words(&t) <= 8
        && [
            "photo:",
            "photograph:",
            "image:",
            "credit:",
            "picture:",
            "source: getty",
            "(photo",
        ]
        .iter()
        .any(|p| t.starts_with(p))
}

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
    "janeiro",
    "fevereiro",
    "março",
    "abril",
    "maio",
    "junho",
    "julho",
    "agosto",
    "setembro",
    "outubro",
    "novembro",
    "dezembro",
    "enero",
    "febrero",
    "marzo",
    "mayo",
    "junio",
    "julio",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// A word of a date or time: a month, a year, `12/05/19`, `11:04`, `PM`, `EST`.
fn is_date_word(w: &str) -> bool {
    let w = w
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if w.is_empty() {
        return false;
    }
    if MONTHS.contains(&w.as_str())
        || [
            "am", "pm", "est", "edt", "gmt", "utc", "cet", "pst", "ist", "bst",
        ]
        .contains(&w.as_str())
    {
        return true;
    }
    let digits = w.chars().filter(char::is_ascii_digit).count();
    digits > 0
        && w.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '/' | ':' | '-' | '.'))
        || (digits > 0 && (w.ends_with("am") || w.ends_with("pm")) && digits + 2 == w.len())
}

/// A byline or dateline: "By Jane Doe - 11/18/19 11:04 PM EST", "Published
/// Monday, November 18, 2019", "Updated at 1:23 p.m.", "September 10, 2018 |".
fn is_dateline(text: &str) -> bool {
    let ws: Vec<&str> = text.split_whitespace().collect();
    if ws.is_empty() || ws.len() > 14 || text.ends_with('.') && !text.ends_with("m.") {
        return false;
    }
    let lower = text.to_lowercase();
    let dates = ws.iter().filter(|w| is_date_word(w)).count();
    let keyword = [
        "published",
        "updated",
        "posted",
        "last updated",
        "publicado",
        "atualizado",
        "publié",
        "mis à jour",
    ]
    .iter()
    .any(|k| lower.starts_with(k));
    if keyword && dates >= 1 {
        return true;
    }
    // "By Jane Doe": a name after "By" (not "By 2030, ...").
    if lower.starts_with("by ")
        && ws.len() <= 10
        && ws
            .get(1)
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase))
        && (!text.contains(',') || dates >= 1)
    {
        return true;
    }
    dates >= 2 && dates * 2 >= ws.len()
}

fn is_copyright(text: &str) -> bool {
    let lower = text.to_lowercase();
    words(text) <= 40
        && (text.contains('\u{a9}')
            || lower.starts_with("copyright")
            || lower.contains("all rights reserved"))
}

fn postprocess(blocks: Vec<Block>, title: Option<&str>) -> Vec<Block> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    let n = blocks.len();
    for (i, b) in blocks.into_iter().enumerate() {
        // Bylines and datelines above or below the article; copyright lines.
        if (i < 4 || i + 4 >= n) && !b.heading && is_dateline(&b.text) || is_copyright(&b.text) {
            continue;
        }
        // The title repeated as the first heading.
        if i < 3 && b.heading && title.is_some_and(|t| t.eq_ignore_ascii_case(b.text.trim())) {
            continue;
        }
        if is_label(&b.text) {
            continue;
        }
        // Blocks that are mostly links (teasers, tag lists, "more on this").
        let chars = b.text.len().max(1);
        if !b.heading && b.link_chars * 10 > chars * 6 && words(&b.text) < 60 {
            continue;
        }
        // Repeated captions and teasers; short repeats like "Yes." survive.
        if b.text.len() > 20 && !seen.insert(b.text.clone()) {
            continue;
        }
        out.push(b);
    }
    // Headings left with nothing under them (their section was furniture).
    let mut kept: Vec<Block> = Vec::with_capacity(out.len());
    for b in out.into_iter().rev() {
        if b.heading
            && kept
                .last()
                .is_none_or(|next| next.heading && next.prefix.len() <= b.prefix.len())
        {
            continue;
        }
        kept.push(b);
    }
    kept.reverse();
    kept
}

fn join(blocks: &[Block]) -> String {
    let mut s = String::new();
    for b in blocks {
        if !s.is_empty() {
            s.push_str("\n\n");
        }
        let mut first = true;
        for line in b.text.split('\n') {
            if !first {
                s.push('\n');
                // Continuation lines keep the quote marks, not the list marker.
                s.push_str(&"> ".repeat(b.prefix.matches("> ").count()));
            } else {
                s.push_str(&b.prefix);
            }
            s.push_str(line.trim());
            first = false;
        }
    }
    s
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

#[cfg(test)]
mod tests {
    use super::*;

    fn para(n: usize, w: &str) -> String {
        (0..n)
            .map(|i| format!("{w}{i}"))
            .collect::<Vec<_>>()
            .join(" ")
            + "."
    }

    fn page(article: &str) -> String {
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><title>Bridge report - Daily</title>\
             <link rel=\"canonical\" href=\"/news/bridge?utm_source=x\">\
             <meta property=\"article:published_time\" content=\"2026-05-24T09:30:00Z\">\
             <meta name=\"author\" content=\"Jane Reporter\"><style>p{{color:red}}</style></head>\
             <body><nav><a href=/>Home</a> <a href=/news>News</a></nav>\
             <div class=\"cookie-banner\">We use cookies to improve your experience. Accept all cookies.</div>\
             <div class=\"share-bar\"><a href=#>Share on Facebook</a> <a href=#>Tweet</a></div>\
             {article}\
             <section class=\"comments\"><h3>Comments (412)</h3><p>{}</p></section>\
             <div class=\"related-stories\"><h3>More news</h3><ul><li><a href=/a>{}</a></li><li><a href=/b>{}</a></li></ul></div>\
             <footer>Copyright 2026 The Daily</footer><script>var x = 'script text';</script></body></html>",
            para(30, "comment"),
            para(12, "teaserone"),
            para(12, "teasertwo"),
        )
    }

    #[test]
    fn article_without_furniture() {
        let body = format!(
            "<article><h1>Bridge report</h1><p>{}</p><h2>What happened</h2><p>{}</p>\
             <ul><li>first point</li><li>second point</li></ul>\
             <blockquote><p>{}</p></blockquote>\
             <figure><img src=x.jpg><figcaption>Photo: A. Person, AP</figcaption></figure>\
             <table><tr><th>Year</th><th>Cost</th></tr><tr><td>1972</td><td>$4m</td></tr></table>\
             <p>{}<br>second line</p></article>",
            para(60, "alpha"),
            para(40, "beta"),
            para(20, "quoted"),
            para(30, "gamma"),
        );
        let a = extract(&page(&body), Some("https://daily.example/news/bridge"));
        assert_eq!(a.title.as_deref(), Some("Bridge report - Daily"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(
            a.canonical_url.as_deref(),
            Some("https://daily.example/news/bridge?utm_source=x")
        );
        assert!(
            a.date
                .as_deref()
                .is_some_and(|d| d.starts_with("2026-05-24")),
            "{a:?}"
        );
        let t = &a.body;
        assert!(t.starts_with("alpha0 alpha1"), "{t}");
        assert!(t.contains("\n\n## What happened\n\nbeta0"), "{t}");
        assert!(t.contains("\n\n- first point\n\n- second point\n\n"), "{t}");
        assert!(t.contains("\n\n> quoted0 quoted1"), "{t}");
        assert!(t.contains("Year | Cost\n\n1972 | $4m"), "{t}");
        assert!(t.contains("gamma29.\nsecond line"), "{t}");
        for junk in [
            "Home",
            "cookies",
            "Share",
            "Tweet",
            "comment0",
            "Comments",
            "teaser",
            "More news",
            "Copyright",
            "script text",
            "color:red",
            "Photo:",
        ] {
            assert!(!t.contains(junk), "{junk:?} in {t}");
        }
        assert_eq!(a.flag, None);
        let text = a.text();
        assert!(
            text.starts_with("Bridge report - Daily\n\nalpha0"),
            "{text}"
        );
        assert!(text.ends_with("second line\n"));
    }

    #[test]
    fn a_body_class_never_removes_the_article() {
        let html = format!(
            "<html><body class=\"has-sidebar page-comments\"><div id=\"main-share-wrapper\">\
             <p>{}</p><p>{}</p></div></body></html>",
            para(80, "kept"),
            para(80, "also")
        );
        let a = extract(&html, None);
        assert!(a.body.contains("kept79."), "{a:?}");
        assert!(a.body.contains("also0"), "{a:?}");
    }

    #[test]
    fn thin_and_error_pages_are_flagged() {
        let a = extract(
            "<html><head><title>Before you continue to Example</title></head><body>\
             <p>We use cookies and data to deliver our services.</p>\
             <button>Accept all</button></body></html>",
            None,
        );
        assert!(a.flag.is_some(), "{a:?}");
        let a = extract(
            "<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>",
            None,
        );
        assert!(
            a.flag.as_deref().is_some_and(|f| f.contains("error page")),
            "{a:?}"
        );
        let a = extract(
            &page(&format!("<article><p>{}</p></article>", para(2, "short"))),
            None,
        );
        assert!(
            a.flag.as_deref().is_some_and(|f| f.contains("thin")),
            "{a:?}"
        );
    }

    #[test]
    fn labels_and_credits() {
        for l in [
            "Advertisement",
            "Image 1 of 8",
            "Image 1 of / 8",
            "Photo: Hau Dinh, AP",
            "Close",
            "Credit: Getty Images",
        ] {
            assert!(is_label(l), "{l}");
        }
        for l in [
            "Photographs of the crash were published on Tuesday by the agency, which said",
            "Close the border, he said.",
        ] {
            assert!(!is_label(l), "{l}");
        }
    }

    #[test]
    fn datelines_and_copyright() {
        for l in [
            "By Justine Coleman - 11/18/19 11:04 PM EST",
            "Published Monday, November 18, 2019 8:22AM EST",
            "Updated at 1:23 p.m.",
            "September 10, 2018 |",
            "Nov 18, 2019 @17:19 PM \u{b7} Updated: Nov 18, 2019 @17:26 PM",
            "By Jane Reporter",
        ] {
            assert!(is_dateline(l), "{l}");
        }
        for l in [
            "By 2030, emissions must fall by half.",
            "By Tuesday, the river had risen.",
            "The vote is on 12 May.",
            "Prices rose 4.5% in 2019, the bank said, and will rise again in 2020 and 2021 according to its forecast.",
        ] {
            assert!(!is_dateline(l), "{l}");
        }
        assert!(is_copyright("\u{a9} 2019 Capitol Hill Publishing Corp."));
        assert!(!is_copyright(
            "The lawsuit claims the copyright on the song was never renewed, and the estate is suing."
        ));
    }

    #[test]
    fn hostile_html_never_panics() {
        let deep = "<div>".repeat(5000) + "deep text" + &"</div>".repeat(10);
        for html in [
            "",
            "<",
            "<html><body><p>unclosed <b><i>tags",
            "\u{0}\u{feff}<p>nul</p>",
            "<table><td><td><tr><li><ol><blockquote>",
            deep.as_str(),
            "<link rel=canonical href=\"javascript:alert(1)\"><p>x</p>",
            "<link rel=canonical href=\"http://[::1\"><p>x</p>",
        ] {
            let a = extract(html, Some("https://example.org/a"));
            assert!(a.body.len() <= MAX_TEXT_LEN + 1024);
            assert!(a.canonical_url.is_none() || html.contains("canonical"));
        }
        let a = extract("<link rel=canonical href=\"javascript:alert(1)\">", None);
        assert_eq!(a.canonical_url, None);
    }

    #[test]
    fn deep_nesting_is_cut_and_flagged() {
        // 20,000 nested boxes made parsing and scoring take a minute.
        let n = 20_000;
        let html = format!(
            "<html><body><p>{}</p>{}y{}</body></html>",
            para(80, "before"),
            "<div class=share><p>x</p>".repeat(n),
            "</div>".repeat(n),
        );
        assert_eq!(too_deep_at(&html).map(|at| &html[at..at + 4]), Some("<div"));
        let a = extract(&html, None);
        assert!(
            a.flag.as_deref().is_some_and(|f| f.contains("nested")),
            "{a:?}"
        );
        assert!(a.body.contains("before79."), "{a:?}");
        // Ordinary pages, sloppy ones included, are never cut.
        let sloppy = format!(
            "<!doctype html><html><body>{}<br><img src=x><input/><!-- <div><div> --></body></html>",
            "<p>unclosed<li>item<td>cell".repeat(5000)
        );
        assert_eq!(too_deep_at(&sloppy), None);
        let nested = format!(
            "{}{}",
            "<div>".repeat(MAX_DEPTH),
            "</div>".repeat(MAX_DEPTH)
        );
        assert_eq!(too_deep_at(&nested), None);
        assert!(too_deep_at(&format!("<div>{nested}")).is_some());
        // Tags inside comments, scripts and styles are not nesting.
        let opens = "<div>".repeat(2 * MAX_DEPTH);
        for wrapped in [
            format!("<!--{opens}-->"),
            format!("<script>var t = '{opens}';</script>"),
            format!("<STYLE>/*{opens}*/</style>"),
        ] {
            assert_eq!(too_deep_at(&wrapped), None, "{}", &wrapped[..20]);
        }
    }

    #[test]
    fn huge_input_is_bounded() {
        let p = para(200, "w");
        let ps: String = (0..10_000).map(|i| format!("<p>{i} {p}</p>")).collect();
        let html = format!("<html><body><article>{ps}</article></body></html>");
        assert!(html.len() > MAX_HTML_LEN);
        let a = extract(&html, None);
        assert!(a.body.len() <= MAX_TEXT_LEN, "{}", a.body.len());
        assert!(a.body.len() > MAX_TEXT_LEN / 2);
    }

    #[test]
    fn extractor_version_matches_cargo_lock() {
        let lock = include_str!("../../Cargo.lock");
        let at = lock
            .find("name = \"dom_smoothie\"")
            .expect("dom_smoothie in Cargo.lock");
        let version = lock[at..].lines().nth(1).unwrap();
        assert_eq!(version, format!("version = \"{DOM_SMOOTHIE_VERSION}\""));
    }
}
