//! The layout the text renderers share: the diff cut into paragraphs, the
//! unchanged ones far from a change folded.
//!
//! Terminal layout shared by the listings: table cells cut and padded to
//! display columns, and archived text made safe to show on a terminal.

use unicode_width::UnicodeWidthChar;

use crate::diff::{ChangeKind, Diff, Move, Op, OpTag};

/// Display settings resolved by the binary (the library never looks at the terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colors on (otherwise `[-deleted-]{+inserted+}` markers).
    pub color: bool,
    /// Unchanged paragraphs of context shown around each change.
    pub context: usize,
    /// Show every paragraph, unfolded.
    pub full: bool,
    /// Terminal width in columns (for side-by-side).
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            color: false,
            context: 1,
            full: false,
            width: 100,
        }
    }
}

/// A piece of one op that falls inside one paragraph.
#[derive(Debug, Clone, Copy)]
pub(super) struct Part<'a> {
    pub(super) op: &'a Op,
    pub(super) text: &'a str,
}

impl Part<'_> {
    /// A change the reader should see (not equal, not ignored).
    pub(super) fn is_change(&self) -> bool {
        self.op.op != OpTag::Equal && !self.op.ignored
    }
}

/// What the layout shows: a paragraph, or a run of folded ones.
pub(super) enum Shown<'a> {
    Paragraph(Vec<Part<'a>>),
    Folded(Vec<Vec<Part<'a>>>),
}

/// The move whose new end `part` shows in full, when it does: the part's
/// text is the paragraph's new content, give or take whitespace around it.
pub(super) fn moved_here<'a>(diff: &'a Diff, part: &Part) -> Option<&'a Move> {
    let m = diff.moves.get(part.op.move_id?)?;
    let content: String = m
        .ops
        .iter()
        .filter(|o| o.op != OpTag::Delete)
        .map(|o| o.text.as_str())
        .collect();
    (part.op.op == OpTag::Insert && !content.is_empty() && part.text.trim() == content.trim())
        .then_some(m)
}

/// `moved to ¶N` for the old end of a move, `moved from ¶N` for the new.
pub(super) fn move_note(diff: &Diff, op: &Op) -> Option<String> {
    let m = diff.moves.get(op.move_id?)?;
    Some(if op.op == OpTag::Delete {
        format!("moved to ¶{}", m.to)
    } else {
        format!("moved from ¶{}", m.from)
    })
}

/// A whole paragraph removed or moved away, that the next paragraph
/// should not run into (the old text ended without a line break).
pub(super) fn ends_paragraph(op: &Op) -> bool {
    op.op == OpTag::Delete
        && !op.ignored
        && matches!(
            op.kind,
            Some(ChangeKind::ParagraphRemoved | ChangeKind::ParagraphMoved)
        )
}

/// Cuts the ops into paragraphs (after each blank-line run) and folds the
/// unchanged ones far from any change.
pub(super) fn layout<'a>(diff: &'a Diff, opts: &RenderOptions) -> Vec<Shown<'a>> {
    let mut paras: Vec<Vec<Part>> = vec![Vec::new()];
    for op in &diff.ops {
        // An added paragraph right after a removed one that ended the old
        // text without a break starts a paragraph of its own, rather than
        // reading as its replacement.
        let last_part = paras.last().and_then(|p| p.last());
        if last_part.is_some_and(|p| ends_paragraph(p.op) && !p.text.ends_with('\n'))
            && op.op == OpTag::Insert
        {
            paras.push(Vec::new());
        }
        for piece in split_after_breaks(&op.text) {
            let para = paras.last_mut().expect("never empty");
            para.push(Part { op, text: piece });
            // Blank lines alone (say, at the top) join the next paragraph.
            if ends_with_break(piece) && para.iter().any(|p| !p.text.trim().is_empty()) {
                paras.push(Vec::new());
            }
        }
    }
    if paras.last().is_some_and(Vec::is_empty) {
        paras.pop();
    }
    let changed: Vec<bool> = paras
        .iter()
        .map(|p| p.iter().any(Part::is_change))
        .collect();
    let keep: Vec<bool> = (0..paras.len())
        .map(|i| {
            opts.full || {
                let lo = i.saturating_sub(opts.context);
                let hi = (i + opts.context + 1).min(paras.len());
                changed[lo..hi].iter().any(|&c| c)
            }
        })
        .collect();
    let mut out = Vec::new();
    for (para, keep) in paras.into_iter().zip(keep) {
        match (keep, out.last_mut()) {
            (true, _) => out.push(Shown::Paragraph(para)),
            (false, Some(Shown::Folded(run))) => run.push(para),
            (false, _) => out.push(Shown::Folded(vec![para])),
        }
    }
    out
}

pub(super) fn ends_with_break(s: &str) -> bool {
    s[s.trim_end().len()..].matches('\n').count() >= 2
}

/// Splits `text` after each whitespace run holding a blank line (two line
/// feeds). Jumps from line feed to line feed: most of a text is not
/// whitespace, and only line feeds can start a break.
pub(super) fn split_after_breaks(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut from) = (0, 0);
    while let Some(nl) = bytes[from..].iter().position(|&b| b == b'\n') {
        let nl = from + nl;
        let next = bytes[nl + 1..]
            .iter()
            .position(|&b| b == b'\n' || !b.is_ascii_whitespace());
        from = match next.map(|k| nl + 1 + k) {
            Some(second) if bytes[second] == b'\n' => {
                let end = bytes[second..]
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .map_or(bytes.len(), |k| second + k);
                out.push(&text[start..end]);
                start = end;
                end
            }
            Some(other) => other,
            None => break,
        };
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Characters that change how text reads without being seen: the
/// byte-order mark and the bidirectional controls (an archived page can use
/// them to make a diff lie). Shown as `⟨BOM⟩` / `⟨U+202E⟩` wherever a
/// renderer marks a change, and everywhere in HTML.
pub(crate) fn show_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| matches!(c, '\u{feff}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !has_hidden(text.as_bytes()) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\u{feff}' => out.push_str("⟨BOM⟩"),
            c if hidden(c) => out.push_str(&format!("⟨U+{:04X}⟩", c as u32)),
            c => out.push(c),
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Whether `show_controls` has anything to show, read from the UTF-8 bytes:
/// every hidden character is three bytes, led by 0xE2 (U+200E-U+2069) or
/// 0xEF (U+FEFF), so most texts are passed over without decoding a
/// character (every diff renders its whole text through here).
fn has_hidden(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|&b| b == 0xe2 || b == 0xef) {
        let at = from + i;
        let hidden = matches!(
            bytes.get(at..at + 3),
            Some(
                [0xe2, 0x80, 0x8e | 0x8f | 0xaa..=0xae]
                    | [0xe2, 0x81, 0xa6..=0xa9]
                    | [0xef, 0xbb, 0xbf]
            )
        );
        if hidden {
            return true;
        }
        from = at + 1;
    }
    false
}

/// `N unchanged paragraph(s)`.
pub(super) fn folded_note(n: usize) -> String {
    format!(
        "⋯ {n} unchanged paragraph{} ⋯",
        if n == 1 { "" } else { "s" }
    )
}

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
    use super::{cell, has_hidden, snippet, terminal_safe};

    fn hidden_by_chars(text: &str) -> bool {
        text.chars().any(|c| {
            matches!(c, '\u{feff}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
    }

    #[test]
    fn hidden_characters_found_from_bytes() {
        // Every character from U+2000 to U+206F and around U+FEFF, alone
        // and between curly quotes (the same lead byte).
        for c in ('\u{2000}'..='\u{206f}').chain('\u{fe00}'..='\u{ffff}') {
            for text in [c.to_string(), format!("’a{c}b’"), format!("x{c}")] {
                assert_eq!(has_hidden(text.as_bytes()), hidden_by_chars(&text), "{c:?}");
            }
        }
        assert!(!has_hidden("plain text, “quoted” — dashed".as_bytes()));
    }

    proptest::proptest! {
        #[test]
        fn hidden_characters_as_by_chars(s in "[a \u{2000}-\u{206f}\u{feff}\u{fffd}’é]{0,12}") {
            proptest::prop_assert_eq!(has_hidden(s.as_bytes()), hidden_by_chars(&s));
        }
    }

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
