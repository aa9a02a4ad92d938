//! The frame every page shares, and the only ways archived text reaches
//! it: [`esc`] for text and attribute values (every `< > & " '` escaped,
//! bidirectional controls shown visibly), [`href`] for archived URLs (only
//! `http:`/`https:` become links), [`qs`] for values put in our own query
//! strings. No inline style or script: the Content-Security-Policy allows
//! only `/static/style.css` and `/static/keys.js`.

use std::fmt::Write;

pub const STYLE: &str = include_str!("assets/style.css");
pub const KEYS_JS: &str = include_str!("assets/keys.js");

/// Escapes archived (or any) text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    crate::render::escape_html(text)
}

/// Percent-encodes a value for a query string or a path segment we build.
pub fn qs(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// An archived URL as a link when it is `http:` or `https:` (and parses),
/// else as plain escaped text: `javascript:`, `data:` and friends never
/// become links.
pub fn href(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => format!(
            "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>",
            esc(u.as_str()),
            esc(url)
        ),
        _ => esc(url),
    }
}

/// What the frame needs besides the body.
pub struct Frame<'a> {
    pub title: &'a str,
    /// Whether the header has a search box (`/search` exists).
    pub search: bool,
    /// Load `/static/keys.js` (n/p between changes).
    pub keys: bool,
    /// A wider main column (side-by-side diffs).
    pub wide: bool,
}

/// A whole page: `body` is HTML the caller built with [`esc`].
pub fn page(frame: &Frame, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<title>{} · vellum</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n",
        esc(frame.title)
    );
    if frame.keys {
        out.push_str("<script src=\"/static/keys.js\" defer></script>\n");
    }
    out.push_str("</head>\n<body>\n<header class=\"site\"><a class=\"home\" href=\"/\">vellum</a>");
    if frame.search {
        out.push_str(
            "<form action=\"/search\" method=\"get\" role=\"search\">\
<input type=\"search\" name=\"q\" placeholder=\"Search every version\" aria-label=\"Search\"> \
<button type=\"submit\">Search</button></form>",
        );
    }
    out.push_str("</header>\n");
    let _ = write!(
        out,
        "<main{}>\n{body}</main>\n</body>\n</html>\n",
        if frame.wide { " class=\"wide\"" } else { "" }
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archived_text_cannot_open_a_tag_or_leave_an_attribute() {
        let hostile = "\"><img src=x onerror=alert(1)><script>document.title='x'</script>\u{202e}";
        let e = esc(hostile);
        assert!(
            !e.contains('<') && !e.contains('>') && !e.contains('"'),
            "{e}"
        );
        assert!(e.contains("⟨U+202E⟩"), "bidi override shown: {e}");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert!(href("https://example.org/a?b=1&c=\"x\"").starts_with("<a href=\"https://"));
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html,<b>",
            "vbscript:x",
        ] {
            let out = href(bad);
            assert!(!out.contains("<a"), "{bad} became {out}");
            assert!(!out.contains('<') || out.contains("&lt;"));
        }
        let tricky = href(" javascript:alert(1)");
        assert!(!tricky.contains("<a"), "{tricky}");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(qs("a b&c=d@1"), "a+b%26c%3Dd%401");
    }
}
