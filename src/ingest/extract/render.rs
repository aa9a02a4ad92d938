//! The article rendered to plain text blocks (`#` headings, `- ` list items,
//! `> ` quotes, table rows with ` | `).

use dom_query::{Document, NodeRef};

/// The extracted text is cut at this many bytes.
pub const MAX_TEXT_LEN: usize = 2 << 20;

/// One rendered block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Block {
    /// `# `, `- `, `> `… prepended when joined.
    pub(super) prefix: String,
    pub(super) text: String,
    /// Characters of `text` inside links.
    pub(super) link_chars: usize,
    pub(super) heading: bool,
}

#[derive(Default)]
pub(super) struct Renderer {
    blocks: Vec<Block>,
    cur: String,
    link_chars: usize,
    prefix: String,
    heading: bool,
    quote: usize,
    size: usize,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Ctx {
    link: bool,
    pre: bool,
}

pub(super) const BLOCK_TAGS: &[&str] = &[
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

pub(super) fn render(doc: &Document) -> Vec<Block> {
    let mut r = Renderer::default();
    let root = doc.root();
    r.walk(&root, Ctx::default(), 0);
    r.flush();
    r.blocks
}
