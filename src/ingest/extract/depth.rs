//! Markup nesting: where a page nests deeper than extraction goes.

/// Deepest element nesting accepted (real pages stay under 100).
pub const MAX_DEPTH: usize = 1000;

/// Elements that need no end tag, or whose end tag is usually implied.
pub(super) const NO_DEPTH: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "p", "li", "option", "td", "th", "tr", "dt", "dd", "!doctype",
];

pub(super) fn find_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

pub(super) fn find_ci_from(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
        .map(|p| from + p)
}

/// Where a cheap tag count says nesting passes [`MAX_DEPTH`] (a byte offset
/// at a tag start), if it does.
pub(super) fn too_deep_at(html: &str) -> Option<usize> {
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
