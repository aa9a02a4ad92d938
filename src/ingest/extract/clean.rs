//! Clean-up after rendering: widget labels, datelines, copyright lines and
//! repeated captions dropped; blocks joined into the text.

use super::render::Block;

/// Widget labels that are never article text on their own.
pub(super) const LABELS: &[&str] = &[
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

pub(super) fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

pub(super) fn is_label(text: &str) -> bool {
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

pub(super) const MONTHS: &[&str] = &[
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
pub(super) fn is_date_word(w: &str) -> bool {
    let w = w
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if w.is_empty() {
        return false;
    }
    if MONTHS.contains(&w.as_str())
        || [
            "am", "pm", "a.m", "p.m", "est", "edt", "gmt", "utc", "cet", "pst", "ist", "bst",
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
/// The number of authors never changes the answer: a byline is one however
/// many names it lists, so that a version of a page that adds an author
/// treats the line the way the version before did.
pub(super) fn is_dateline(text: &str) -> bool {
    let ws: Vec<&str> = text.split_whitespace().collect();
    if ws.is_empty() || ws.len() > 40 || text.ends_with('.') && !text.ends_with("m.") {
        return false;
    }
    if is_byline(&ws) {
        return true;
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
    if keyword && dates >= 1 && (ws.len() <= 14 || dates * 3 >= ws.len()) {
        return true;
    }
    ws.len() <= 14 && dates >= 2 && dates * 2 >= ws.len()
}

/// Words that join the names of a byline.
const NAME_JOINERS: &[&str] = &[
    "and", "&", "with", "of", "the", "for", "in", "at", "de", "da", "van", "von", "der", "le",
    "la", "|", "-", "\u{2013}", "\u{2014}", "\u{b7}", "/", "y", "e", "et", "und",
];

/// "By Jane Reporter", "By Jane Reporter, John Editor and Ann Lee, February
/// 12, 2019": "By" and names (capitalised words, joined by commas and
/// `and`), dates and times; not "By Tuesday, the river had risen".
fn is_byline(ws: &[&str]) -> bool {
    if !ws[0].eq_ignore_ascii_case("by") || ws.len() < 2 {
        return false;
    }
    let mut names = 0;
    for w in &ws[1..] {
        let bare = w.trim_matches(|c: char| !c.is_alphanumeric());
        if bare.is_empty() || NAME_JOINERS.contains(&bare.to_lowercase().as_str()) {
            continue;
        }
        if is_date_word(w) {
            continue;
        }
        if bare.chars().next().is_some_and(char::is_uppercase) {
            names += 1;
        } else {
            return false;
        }
    }
    names >= 1 && ws[1].chars().next().is_some_and(char::is_uppercase)
}

pub(super) fn is_copyright(text: &str) -> bool {
    let lower = text.to_lowercase();
    words(text) <= 40
        && (text.contains('\u{a9}')
            || lower.starts_with("copyright")
            || lower.contains("all rights reserved"))
}

/// The blocks kept, and the first byline ("By ...") removed from above or
/// below the article, for the byline field.
pub(super) fn postprocess(blocks: Vec<Block>, title: Option<&str>) -> (Vec<Block>, Option<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut byline = None;
    let mut out: Vec<Block> = Vec::with_capacity(blocks.len());
    let n = blocks.len();
    for (i, b) in blocks.into_iter().enumerate() {
        // Bylines and datelines above or below the article; copyright lines.
        if (i < 4 || i + 4 >= n) && !b.heading && is_dateline(&b.text) {
            let ws: Vec<&str> = b.text.split_whitespace().collect();
            if byline.is_none() && is_byline(&ws) {
                byline = Some(ws.join(" "));
            }
            continue;
        }
        if is_copyright(&b.text) {
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
    (kept, byline)
}

pub(super) fn join(blocks: &[Block]) -> String {
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
