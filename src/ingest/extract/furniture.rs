//! Page furniture removed before scoring: navigation, share bars, teasers,
//! cookie banners, hidden elements.

use dom_query::{Document, NodeRef};

/// Elements never part of an article.
pub(super) const DROP_TAGS: &str = "script, style, noscript, template, svg, canvas, iframe, object, embed, \
    button, select, input, textarea, figcaption";

/// Elements that are furniture unless they hold most of the page (some
/// sites wrap the whole page in a `<form>`).
pub(super) const FURNITURE_TAGS: &[&str] = &["form", "nav", "aside", "footer", "dialog", "menu"];

/// Substrings of class or id tokens that mark page furniture.
pub(super) const FURNITURE: &[&str] = &[
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
pub(super) const FURNITURE_TOKENS: &[&str] = &[
    "ad", "ads", "nav", "menu", "footer", "tags", "toolbar", "hidden", "sr-only",
];

/// Parts of a `-`/`_`-separated token that mark furniture (`site-nav`).
pub(super) const FURNITURE_PARTS: &[&str] = &["ads", "nav", "navbar", "menu", "footer"];

/// Words that make a class token about the content, not furniture
/// (`entry-content-read-more`, `article-comments-count` stay).
pub(super) const CONTENT_WORDS: &[&str] = &[
    "content", "article", "body", "entry", "story", "text", "main", "post",
];

pub(super) const FURNITURE_ROLES: &[&str] = &[
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
pub(super) fn preclean(doc: &Document) {
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
        if wraps_article || chars * 2 > total || chars > SMALL_ONLY_CHARS && small_only(&node) {
            continue;
        }
        node.remove_from_parent();
    }
}

/// Furniture named only by these class or id substrings is removed only
/// when it is small: a `caption-image` box on some blogs holds the post.
const SMALL_ONLY: &[&str] = &["caption", "credit"];
const SMALL_ONLY_CHARS: usize = 400;

fn small_only(node: &NodeRef<'_>) -> bool {
    if FURNITURE_TAGS
        .iter()
        .any(|t| node.node_name().is_some_and(|n| n.eq_ignore_ascii_case(t)))
    {
        return false;
    }
    let names = class_and_id(node);
    let toks: Vec<&str> = names.split_ascii_whitespace().collect();
    toks.iter()
        .any(|t| SMALL_ONLY.iter().any(|s| t.contains(s)))
        && !toks.iter().any(|t| {
            FURNITURE
                .iter()
                .any(|f| !SMALL_ONLY.contains(f) && t.contains(f))
        })
}

fn class_and_id(node: &NodeRef<'_>) -> String {
    let mut names = String::new();
    for a in ["class", "id"] {
        if let Some(v) = node.attr(a) {
            names.push_str(&v.to_ascii_lowercase());
            names.push(' ');
        }
    }
    names
}

pub(super) fn is_furniture(node: &NodeRef<'_>) -> bool {
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
    let names = class_and_id(node);
    names.split_ascii_whitespace().any(|tok| {
        if FURNITURE_TOKENS.contains(&tok) {
            return true;
        }
        // States, not widgets: `has-comments`, `modal-enabled`, `js-share-ready`.
        // Taxonomy classes a blog puts on the post itself (`tag-share`,
        // `category-social-media`) say what it is about, not what it is.
        let state = [
            "has-",
            "with-",
            "no-",
            "js-",
            "is-",
            "tag-",
            "category-",
            "s-tag-",
            "s-category-",
        ]
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
