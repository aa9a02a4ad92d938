//! Terminal layout shared by the listings: table cells cut and padded to
//! display columns, and archived text made safe to show on a terminal.

use unicode_width::UnicodeWidthChar;

/// How a listing is laid out, resolved by the front end (the library
/// never looks at the terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableOptions {
    /// ANSI colors on (otherwise `[brackets]` mark matches).
    pub color: bool,
    /// Terminal width in columns.
    pub width: usize,
    /// Cut long cells to their column with a final `…` (on a terminal).
    pub cut: bool,
}

impl Default for TableOptions {
    fn default() -> Self {
        TableOptions {
            color: false,
            width: 100,
            cut: false,
        }
    }
}

/// `s` cut to `width` display columns with a final `…` when `cut` is set
/// and it is wider, then padded to `width` (CJK characters take two).
pub fn cell(s: &str, width: usize, cut: bool) -> String {
    let w: usize = s.chars().map(|c| c.width().unwrap_or(0)).sum();
    if w <= width || !cut {
        return format!("{s}{}", " ".repeat(width.saturating_sub(w)));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > width {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(width.saturating_sub(used)));
    out
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

/// Archived text as a terminal may show it: control characters (escape
/// sequences), bidirectional overrides and the byte-order mark become
/// visible `⟨U+XXXX⟩`.
pub fn terminal_safe(text: &str) -> String {
    let hidden = |c: char| {
        c.is_control()
            || matches!(c, '\u{feff}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("⟨U+{:04X}⟩", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{cell, snippet, terminal_safe};

    #[test]
    fn cells_keep_columns() {
        assert_eq!(cell("abc", 5, true), "abc  ");
        assert_eq!(cell("abcdefgh", 5, true), "abcd…");
        assert_eq!(cell("abcdefgh", 5, false), "abcdefgh");
        // Two columns per CJK character: 4 columns + "…" is 5.
        assert_eq!(cell("中文标题很长", 5, true), "中文…");
        assert_eq!(cell("中文标题很长", 6, true), "中文… ");
    }

    #[test]
    fn snippets_escape_controls_and_fold_space() {
        assert_eq!(snippet("a\u{1b}[31m  b\n\nc", 100), "a\\u{1b}[31m b c");
        assert_eq!(snippet("abcdef", 3), "abc…");
        assert_eq!(snippet("x\u{202e}y", 10), "x\\u{202e}y");
    }

    #[test]
    fn terminal_safe_text_shows_escapes_and_overrides() {
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a⟨U+001B⟩[2Jb");
        assert_eq!(terminal_safe("\u{feff}x\u{202e}y"), "⟨U+FEFF⟩x⟨U+202E⟩y");
    }
}
