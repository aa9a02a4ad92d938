//! Splitting text into the tokens the word diff works on.
//!
//! Starts from Unicode word segmentation (UAX #29, which already keeps
//! `1,278.5`, `group's` and `group’s` whole) and adds the fix-ups that prose
//! and Markdown need, so that no word is ever split across two ops:
//!
//! - a run of whitespace (any mix of spaces, tabs, newlines, NBSP) is one token;
//! - words joined by a hyphen stay one token (`al-Mayadin`, `12-02-19`);
//! - a URL (`https://…`, `mailto:…`, `www.…`) is one token, so a changed link
//!   target is one replaced token rather than a spray of fragments;
//! - an HTML tag (`<u>`, `</em>`, `<a href="…">`) is one token;
//! - a run of the same mark among `. * # - = ~` and backticks is one token (`...`,
//!   `**`, `##`, `---`), which lets `...` compare with `…` and keeps emphasis
//!   markers together.
//!
//! Everything else (punctuation, CJK ideographs, emoji) is one token per
//! segment. Tokens are slices of the input and cover it exactly.
//!
//! The hot paths (whitespace, ASCII words and punctuation) work on bytes; the
//! Unicode segmenter is consulted only where an ASCII shortcut cannot be sure
//! it would give the same answer.

use unicode_segmentation::UnicodeSegmentation;

/// Splits `text` into contiguous tokens that concatenate back to `text`.
pub fn tokenize(text: &str) -> Vec<&str> {
    // Prose averages well over four bytes a token; start there to avoid
    // most regrowth.
    let mut out = Vec::with_capacity(text.len() / 4 + 1);
    out.extend(Tokens::new(text));
    out
}

/// Iterator over the tokens of a text (the same tokens as [`tokenize`]),
/// without collecting them.
#[derive(Clone)]
pub struct Tokens<'a> {
    rest: &'a str,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens { rest: text }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        if self.rest.is_empty() {
            return None;
        }
        let len = token_len(self.rest);
        let (token, rest) = self.rest.split_at(len);
        self.rest = rest;
        Some(token)
    }
}

/// Iterator over the word tokens of a text (the tokens of [`Tokens`] for
/// which [`is_word`] holds), passing over whitespace and plain ASCII words
/// without a call per token as [`count_words`] does.
#[derive(Clone)]
pub struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Words<'a> {
    pub fn new(text: &'a str) -> Self {
        Words { text, at: 0 }
    }
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    #[inline]
    fn next(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            let at = self.at;
            let c0 = class(bytes[at]);
            if c0 & SPACE != 0 {
                self.at += 1;
                continue;
            }
            if c0 & ALNUM != 0 {
                let mut end = at + 1;
                while end < bytes.len() && class(bytes[end]) & ALNUM != 0 {
                    end += 1;
                }
                if bytes.get(end).is_none_or(|&b| class(b) & ENDS_WORD != 0) {
                    self.at = end;
                    return Some(&self.text[at..end]);
                }
            }
            let len = token_len(&self.text[at..]);
            self.at = at + len;
            let token = &self.text[at..at + len];
            if is_word(token) {
                return Some(token);
            }
        }
        None
    }
}

/// Number of word tokens in `text` (see [`is_word`]), in one pass and
/// without collecting the tokens.
pub fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut count = 0;
    while at < bytes.len() {
        let b0 = bytes[at];
        let c0 = class(b0);
        // The commonest tokens first, without a call: ASCII whitespace
        // (never a word; skipped a byte at a time, which splits no token
        // that could count), and a plain ASCII word ended for certain (as in
        // `quick_len`).
        if c0 & SPACE != 0 {
            at += 1;
            continue;
        }
        if c0 & ALNUM != 0 {
            let mut end = at + 1;
            while end < bytes.len() && class(bytes[end]) & ALNUM != 0 {
                end += 1;
            }
            if bytes.get(end).is_none_or(|&b| class(b) & ENDS_WORD != 0) {
                count += 1;
                at = end;
                continue;
            }
        }
        let len = match quick_len(&bytes[at..]) {
            Some(len) => {
                count += usize::from(b0.is_ascii_alphanumeric());
                len
            }
            None => {
                let len = slow_len(&text[at..]);
                count += usize::from(b0.is_ascii_alphanumeric() || is_word(&text[at..at + len]));
                len
            }
        };
        at += len;
    }
    count
}

/// True when `token` holds at least one letter or digit.
#[inline]
pub fn is_word(token: &str) -> bool {
    let bytes = token.as_bytes();
    match bytes
        .iter()
        .position(|b| b.is_ascii_alphanumeric() || !b.is_ascii())
    {
        None => false,
        Some(i) if bytes[i].is_ascii() => true,
        Some(i) => token[i..].chars().any(char::is_alphanumeric),
    }
}

/// True when `token` is made of whitespace only (and is not empty).
#[inline]
pub fn is_space(token: &str) -> bool {
    !token.is_empty() && space_len(token) == token.len()
}

/// Whitespace to the diff: what `char::is_whitespace` accepts, and the
/// byte-order mark (invisible, and no part of any word: a BOM a capture
/// gained or lost is a whitespace change, hidden by `--ignore-whitespace`).
#[inline]
pub fn is_space_char(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// True for the ASCII characters `char::is_whitespace` accepts.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Byte length of the whitespace run at the start of `rest`.
#[inline]
pub(crate) fn space_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            if !is_ascii_space(b) {
                return i;
            }
            i += 1;
        } else {
            let c = rest[i..].chars().next().expect("char boundary");
            if !is_space_char(c) {
                return i;
            }
            i += c.len_utf8();
        }
    }
    i
}

/// Hyphen characters that join two words into one token.
fn is_joining_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Marks whose runs form a single token.
fn is_run_mark(c: char) -> bool {
    matches!(c, '.' | '*' | '#' | '-' | '=' | '~' | '`')
}

/// Byte length of the token at the start of `rest` (which is not empty).
#[inline(always)]
fn token_len(rest: &str) -> usize {
    quick_len(rest.as_bytes()).unwrap_or_else(|| slow_len(rest))
}

/// Byte classes for the shortcuts, one bit each.
const ALNUM: u8 = 1;
const SPACE: u8 = 2;
/// A run mark (`. * # - = ~` and backtick).
const RUN: u8 = 4;
/// An ASCII mark that is a token of its own when an ASCII character follows:
/// neither a letter, digit, whitespace, run mark, `<` nor `_`.
const LONE: u8 = 8;
/// Ends a run of letters and digits for certain: whitespace and every ASCII
/// mark except `+ - _` (which may go on in a URL scheme, a hyphenated word,
/// a segment) and the in-word marks.
const ENDS_WORD: u8 = 16;
/// In-word marks: `' . , : ;`.
const MID: u8 = 32;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            ALNUM
        } else if matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            SPACE | ENDS_WORD
        } else if matches!(c, b'.' | b'*' | b'#' | b'-' | b'=' | b'~' | b'`') {
            RUN | if matches!(c, b'.') {
                MID
            } else if matches!(c, b'-') {
                0
            } else {
                ENDS_WORD
            }
        } else if matches!(c, b'\'' | b',' | b':' | b';') {
            LONE | MID
        } else if matches!(c, b'<' | b'_') {
            0
        } else if matches!(c, b'+') {
            LONE
        } else {
            LONE | ENDS_WORD
        };
        b += 1;
    }
    t
};

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASS[usize::from(b)]
}

/// The token length for the common ASCII cases that need no further
/// look (a plain word, a run of spaces, a lone mark); `None` otherwise.
#[inline(always)]
fn quick_len(bytes: &[u8]) -> Option<usize> {
    let b0 = bytes[0];
    let c0 = class(b0);
    if c0 & ALNUM != 0 {
        // A plain ASCII word: when the character after the run of letters
        // and digits can neither continue a URL scheme, a word segment nor
        // a hyphenated word, the run is the token.
        let run = bytes[1..]
            .iter()
            .position(|&b| class(b) & ALNUM == 0)
            .map_or(bytes.len(), |i| i + 1);
        let Some(&b) = bytes.get(run) else {
            return Some(run);
        };
        let cb = class(b);
        if cb & ENDS_WORD != 0 {
            return Some(run);
        }
        if b == b'-' {
            return hyphenated_len(bytes, run);
        }
        if cb & MID == 0 {
            return None;
        }
        // An in-word mark ends the word unless a letter or digit follows it
        // (`a.b`, `1,000`), and, for `.` and `:`, unless what follows could
        // go on as a URL (`www.`, `mailto:`, `a.b://`, `x://`).
        let c = bytes.get(run + 1).copied().unwrap_or(b' ');
        let ends = c.is_ascii() && !c.is_ascii_alphanumeric();
        let url_like = matches!(b, b'.' | b':')
            && (matches!(c, b'+' | b'-' | b'.' | b':' | b'/')
                || bytes.starts_with(b"www.")
                || bytes.starts_with(b"mailto:"));
        (ends && !url_like).then_some(run)
    } else if c0 & SPACE != 0 {
        let run = bytes[1..]
            .iter()
            .position(|&b| class(b) & SPACE == 0)
            .map_or(bytes.len(), |i| i + 1);
        // A non-ASCII character may be more whitespace (NBSP).
        bytes.get(run).is_none_or(u8::is_ascii).then_some(run)
    } else if c0 & RUN != 0 {
        // Not a letter (so no URL), not `<` (so no tag): a run.
        Some(bytes.iter().position(|&b| b != b0).unwrap_or(bytes.len()))
    } else if c0 & LONE != 0 && bytes.get(1).is_none_or(u8::is_ascii) {
        // A lone ASCII mark: not a URL (those start with a letter), not a
        // tag or a run, and a word segment of its own (only non-ASCII
        // extenders could join it).
        Some(1)
    } else {
        None
    }
}

/// [`quick_len`] of a run of ASCII letters and digits `bytes[..end]`
/// followed by `-`: a hyphenated word (`well-known`, `1-about-this-policy`)
/// when every hyphen joins two such runs and the last run ends for certain
/// (as a plain word does); `None` for anything else (`word-`, `a--b`,
/// `a-b.c`, a non-ASCII letter), which [`slow_len`] decides. No URL can
/// start here: the token holds no `:` or `.`, and what follows it is
/// neither.
#[inline]
fn hyphenated_len(bytes: &[u8], mut end: usize) -> Option<usize> {
    loop {
        // `bytes[end]` is a hyphen.
        let after = bytes.get(end + 1..)?;
        let run = after
            .iter()
            .position(|&b| class(b) & ALNUM == 0)
            .unwrap_or(after.len());
        if run == 0 {
            return None;
        }
        end += 1 + run;
        match bytes.get(end) {
            None => return Some(end),
            Some(b'-') => {}
            Some(&b) if class(b) & ENDS_WORD != 0 => return Some(end),
            Some(_) => return None,
        }
    }
}

/// [`token_len`] for everything [`quick_len`] leaves.
#[inline(never)]
fn slow_len(rest: &str) -> usize {
    let bytes = rest.as_bytes();
    let b0 = bytes[0];
    let first = if b0.is_ascii() {
        b0 as char
    } else {
        rest.chars().next().expect("rest is not empty")
    };
    if is_space_char(first) {
        return space_len(rest);
    }
    if let Some(len) = url_len(rest) {
        return len;
    }
    if first == '<'
        && let Some(len) = tag_len(rest)
    {
        return len;
    }
    if is_run_mark(first) {
        // Run marks are ASCII.
        return rest.bytes().position(|b| b != b0).unwrap_or(rest.len());
    }
    let seg = segment_len(rest);
    if b0.is_ascii() && !b0.is_ascii_alphanumeric() && seg == 1 {
        // A lone ASCII mark: not a word.
        return 1;
    }
    if !is_word(&rest[..seg]) {
        return seg;
    }
    // Join `word-word(-word…)`.
    let mut len = seg;
    loop {
        let tail = &rest[len..];
        let Some(h) = tail.chars().next().filter(|&c| is_joining_hyphen(c)) else {
            break;
        };
        let after = &tail[h.len_utf8()..];
        if after.is_empty() {
            break;
        }
        let next = segment_len(after);
        let starts_alnum = match after.as_bytes()[0] {
            b if b.is_ascii() => b.is_ascii_alphanumeric(),
            _ => after.chars().next().is_some_and(char::is_alphanumeric),
        };
        if !starts_alnum {
            break;
        }
        len += h.len_utf8() + next;
    }
    len
}

/// Length of the first UAX #29 word segment of `rest` (not empty), with
/// shortcuts for the ASCII cases whose answer is certain.
#[inline]
fn segment_len(rest: &str) -> usize {
    ascii_segment_len(rest)
        .unwrap_or_else(|| rest.split_word_bounds().next().map_or(rest.len(), str::len))
}

/// The first word segment's length when ASCII alone decides it:
///
/// - an ASCII mark other than `_` followed by an ASCII character (or the
///   end) is a segment of its own (only non-ASCII extenders could join it);
/// - a run of ASCII letters and digits ends at an ASCII character that is
///   not a letter, digit or `_`, unless that character is one of the
///   in-word marks `' . , : ;` followed by a character that might continue
///   the word (`group's`, `1,278.5`, `a.b`).
#[inline]
fn ascii_segment_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    let b0 = bytes[0];
    if !b0.is_ascii_alphanumeric() {
        let single = b0.is_ascii() && b0 != b'_' && bytes.get(1).is_none_or(u8::is_ascii);
        return single.then_some(1);
    }
    let run = bytes
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(bytes.len());
    let Some(&b) = bytes.get(run) else {
        return Some(run);
    };
    if !b.is_ascii() || b == b'_' {
        return None;
    }
    if matches!(b, b'\'' | b'.' | b',' | b':' | b';') {
        return ascii_joined_len(bytes, run);
    }
    Some(run)
}

/// [`ascii_segment_len`] of a run of ASCII letters and digits `bytes[..end]`
/// followed by an in-word mark. UAX #29 joins across the mark only between
/// two letters (`'`, `.`, `:`: `can't`, `e.g`) or two digits (`'`, `.`, `,`,
/// `;`: `1,278.5`); then the run goes on. `None` when a character that is
/// not ASCII or is `_` comes next (an extender or connector could change
/// the answer): the Unicode segmenter decides those.
#[inline]
fn ascii_joined_len(bytes: &[u8], mut end: usize) -> Option<usize> {
    loop {
        let Some(&mark) = bytes.get(end) else {
            return Some(end);
        };
        if !mark.is_ascii() || mark == b'_' {
            return None;
        }
        if !matches!(mark, b'\'' | b'.' | b',' | b':' | b';') {
            return Some(end);
        }
        let Some(&c) = bytes.get(end + 1) else {
            return Some(end);
        };
        if !c.is_ascii() {
            return None;
        }
        let prev = bytes[end - 1];
        let joins = if prev.is_ascii_alphabetic() && c.is_ascii_alphabetic() {
            matches!(mark, b'\'' | b'.' | b':')
        } else if prev.is_ascii_digit() && c.is_ascii_digit() {
            matches!(mark, b'\'' | b'.' | b',' | b';')
        } else {
            false
        };
        if !joins {
            return Some(end);
        }
        let after = &bytes[end + 1..];
        end += 1 + after
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(after.len());
    }
}

/// Length of a URL starting at `rest`, if one starts there.
#[inline]
fn url_len(rest: &str) -> Option<usize> {
    let bytes = rest.as_bytes();
    if !bytes[0].is_ascii_alphabetic() {
        // Every kind of URL recognized starts with an ASCII letter.
        return None;
    }
    // The scheme: the first character among the first 33 that is not a
    // scheme character (all scheme characters are ASCII, one byte each).
    let scheme_end = bytes
        .iter()
        .take(33)
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-')))?;
    let starts_url = rest[scheme_end..].starts_with("://")
        || rest.starts_with("mailto:")
        || rest.starts_with("www.");
    if !starts_url {
        return None;
    }
    url_end(rest, scheme_end)
}

/// ASCII bytes that go on a URL: all but whitespace, controls-as-space and
/// the closing characters `< > " ) ] ` '`. Bytes of other characters are
/// `false`: [`url_end`] decodes them.
const URL_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = !(matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
            || matches!(c, b'<' | b'>' | b'"' | b')' | b']' | b'`' | b'\''));
        b += 1;
    }
    t
};

/// The rest of [`url_len`], once `rest` is known to start a URL.
fn url_end(rest: &str, scheme_end: usize) -> Option<usize> {
    // The first whitespace or closing character: ASCII bytes directly,
    // other characters decoded (for non-ASCII whitespace).
    let bytes = rest.as_bytes();
    let mut end = 0;
    while end < bytes.len() {
        // Plain URL bytes first, a table lookup each.
        end += bytes[end..]
            .iter()
            .position(|&b| !URL_BYTE[usize::from(b)])
            .unwrap_or(bytes.len() - end);
        let Some(&b) = bytes.get(end) else {
            break;
        };
        if b.is_ascii() {
            // Whitespace or a closing character.
            break;
        }
        let c = rest[end..].chars().next().expect("char boundary");
        if is_space_char(c) {
            break;
        }
        end += c.len_utf8();
    }
    let trimmed = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
    (trimmed.len() > scheme_end.max(4)).then_some(trimmed.len())
}

/// Length of an HTML tag (`<b>`, `</u>`, `<a href="x">`, `<br/>`) at `rest`.
fn tag_len(rest: &str) -> Option<usize> {
    let body = rest.strip_prefix('<')?;
    let body = body.strip_prefix('/').unwrap_or(body);
    let name = body
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '-'))
        .map_or(body.len(), |(i, _)| i);
    if name == 0 || !body.as_bytes()[0].is_ascii_alphabetic() {
        return None;
    }
    let after = &body[name..];
    if !(after.starts_with('>') || after.starts_with("/>") || after.starts_with([' ', '\t'])) {
        return None;
    }
    let close = rest
        .char_indices()
        .take(512)
        .find(|&(i, c)| c == '>' || c == '\n' || (c == '<' && i > 0))?;
    (close.1 == '>').then_some(close.0 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokenize(s)
    }

    /// The tokenizer as it was before its byte-level shortcuts: the oracle
    /// they are checked against. Helpers that did not change are shared.
    mod reference {
        use super::super::{is_joining_hyphen, is_run_mark, tag_len};
        use unicode_segmentation::UnicodeSegmentation;

        /// Splits `text` into contiguous tokens that concatenate back to `text`.
        pub fn tokenize(text: &str) -> Vec<&str> {
            let mut out = Vec::new();
            let mut pos = 0;
            while pos < text.len() {
                let len = token_len(&text[pos..]);
                out.push(&text[pos..pos + len]);
                pos += len;
            }
            out
        }

        /// True when `token` holds at least one letter or digit.
        pub fn is_word(token: &str) -> bool {
            token.chars().any(char::is_alphanumeric)
        }

        /// True when `token` is made of whitespace only (and is not empty).
        pub fn is_space(token: &str) -> bool {
            !token.is_empty() && token.chars().all(super::is_space_char)
        }

        /// Byte length of the token at the start of `rest` (which is not empty).
        fn token_len(rest: &str) -> usize {
            let first = rest.chars().next().expect("rest is not empty");
            if super::is_space_char(first) {
                return rest
                    .char_indices()
                    .find(|(_, c)| !super::is_space_char(*c))
                    .map_or(rest.len(), |(i, _)| i);
            }
            if let Some(len) = url_len(rest) {
                return len;
            }
            if first == '<'
                && let Some(len) = tag_len(rest)
            {
                return len;
            }
            if is_run_mark(first) {
                return rest
                    .char_indices()
                    .find(|&(_, c)| c != first)
                    .map_or(rest.len(), |(i, _)| i);
            }
            let seg = ascii_word_len(rest)
                .unwrap_or_else(|| rest.split_word_bounds().next().map_or(rest.len(), str::len));
            if !is_word(&rest[..seg]) {
                return seg;
            }
            // Join `word-word(-word…)`.
            let mut len = seg;
            loop {
                let tail = &rest[len..];
                let Some(h) = tail.chars().next().filter(|&c| is_joining_hyphen(c)) else {
                    break;
                };
                let after = &tail[h.len_utf8()..];
                let next = after.split_word_bounds().next().unwrap_or("");
                if next.is_empty() || !next.chars().next().is_some_and(char::is_alphanumeric) {
                    break;
                }
                len += h.len_utf8() + next.len();
            }
            len
        }

        /// Fast path for the common case: a run of ASCII letters and digits followed
        /// by a character that UAX #29 never joins across (space, most punctuation),
        /// so the segmenter would stop there too.
        fn ascii_word_len(rest: &str) -> Option<usize> {
            let bytes = rest.as_bytes();
            let run = bytes
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len());
            let ends = match bytes.get(run) {
                None => true,
                Some(&b) => {
                    b.is_ascii_whitespace()
                        || (b.is_ascii_punctuation() && !b"'.,:;_-".contains(&b))
                }
            };
            (run > 0 && ends).then_some(run)
        }

        /// Length of a URL starting at `rest`, if one starts there.
        fn url_len(rest: &str) -> Option<usize> {
            let scheme_end = rest
                .char_indices()
                .take(33)
                .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
                .map(|(i, _)| i)?;
            let starts_url = (scheme_end > 0
                && rest.as_bytes()[0].is_ascii_alphabetic()
                && rest[scheme_end..].starts_with("://"))
                || rest.starts_with("mailto:")
                || rest.starts_with("www.");
            if !starts_url {
                return None;
            }
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    super::is_space_char(c) || matches!(c, '<' | '>' | '"' | ')' | ']' | '`' | '\'')
                })
                .map_or(rest.len(), |(i, _)| i);
            let trimmed = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?']);
            (trimmed.len() > scheme_end.max(4)).then_some(trimmed.len())
        }
    }

    fn all_like_reference(s: &str) {
        assert_eq!(tokenize(s), reference::tokenize(s), "{s:?}");
        assert_eq!(
            Words::new(s).collect::<Vec<_>>(),
            reference::tokenize(s)
                .into_iter()
                .filter(|t| reference::is_word(t))
                .collect::<Vec<_>>(),
            "{s:?}"
        );
        assert_eq!(
            count_words(s),
            reference::tokenize(s)
                .iter()
                .filter(|t| reference::is_word(t))
                .count(),
            "{s:?}"
        );
        for t in reference::tokenize(s) {
            assert_eq!(is_word(t), reference::is_word(t), "{t:?}");
            assert_eq!(is_space(t), reference::is_space(t), "{t:?}");
        }
    }

    #[test]
    fn shortcuts_match_the_reference_on_tricky_text() {
        for s in [
            "group's group’s 1,278.5 a.b a. a: a:b 12;34 a1;34 ab_cd _x_ __a__ x_",
            "http://a.b/c https://x. www.a.b mailto:a@b a+b://x ab://c abc- a-b a--b",
            "a\u{ad}b a.\u{ad}b x\u{301} ,\u{301} \u{a0}\u{a0}x  \u{a0}\t\n\r\n",
            "<a href=\"x y\"> <b> </u> <br/> a<b a < b",
            "... …  ** ## --- === ~~ `` - -a a- ‐ a‐b a‑b",
            "A1 1A x1.5 x's x'é x'1 e.g. U.S.A. 3:45 12,000,000",
            "叙利亚 دير الزور 👍🏽 🇫🇷🇩🇪 \u{200d} a\u{200d}b",
            "\u{1}\u{7f}a\u{b}\u{c}b\u{85}c\u{2028}d",
            "www.a www. www.. mailto: mailto:x a.://b x://y a:/b a.:b a.-b a.+b a:+b",
            "end. Next, e.g. Note: x; y' z'. (a) [b](c) a.. a., a,. a.'",
            "[1\\. About](#1-about-this-policy) well-known a-b-c- a-b_c a-b.c a-b:c a-b-\u{e9} x-y://z",
            "a-b, a-b' a-b; a-b) a-b\n-a-b --a a-1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8 a-b-‐c a-\u{301}b",
            "can't e.g. a:b 1,2 1;2 1'2 a'1 1'a a.1 1.a don't. x'y'z a.b.c 1.2.3 a:b:c a,b a;b a'_ 1,_2 a'b\u{301} a'\u{301}",
            "http://x.y/a'b https://a.b/c)d x://\u{e9}\u{a0}y https://a.b/\u{2003}c http://a.b/<x> www.a.b/\"q\" mailto:a@b.c]",
        ] {
            all_like_reference(s);
        }
    }

    proptest::proptest! {
        #[test]
        fn shortcuts_match_the_reference(s in "([a-zA-Z0-9]{0,4}[ -~\u{a0}\u{ad}\u{301}\u{2010}\u{2011}\u{200d}’é叙\n\t]{0,2}){0,12}") {
            all_like_reference(&s);
        }

        #[test]
        fn shortcuts_match_the_reference_on_any_string(s in proptest::prelude::any::<String>()) {
            all_like_reference(&s);
        }
    }

    #[test]
    fn apostrophes_keep_words_whole() {
        assert_eq!(toks("the group's men"), ["the", " ", "group's", " ", "men"]);
        assert_eq!(toks("the group’s men"), ["the", " ", "group’s", " ", "men"]);
    }

    #[test]
    fn hyphenated_words_and_dates_are_one_token() {
        assert_eq!(toks("al-Mayadin city"), ["al-Mayadin", " ", "city"]);
        assert_eq!(toks("12-02-19 at"), ["12-02-19", " ", "at"]);
        assert_eq!(toks("a - b"), ["a", " ", "-", " ", "b"]);
        assert_eq!(toks("word-"), ["word", "-"]);
    }

    #[test]
    fn numbers_with_separators_are_one_token() {
        assert_eq!(
            toks("paid 1,278.5 dollars."),
            ["paid", " ", "1,278.5", " ", "dollars", "."]
        );
    }

    #[test]
    fn whitespace_runs_and_punctuation() {
        assert_eq!(
            toks("a \u{a0}\n\n b!?"),
            ["a", " \u{a0}\n\n ", "b", "!", "?"]
        );
        assert_eq!(toks("wait... what…"), ["wait", "...", " ", "what", "…"]);
    }

    #[test]
    fn markdown_links_split_into_syntax_and_url() {
        assert_eq!(
            toks("[Policy](https://a.com/x?e=AT1)."),
            ["[", "Policy", "]", "(", "https://a.com/x?e=AT1", ")", "."]
        );
        assert_eq!(
            toks("<http://southfront.org/donate/>"),
            ["<", "http://southfront.org/donate/", ">"]
        );
        assert_eq!(
            toks("mail mailto:a@b.ru)"),
            ["mail", " ", "mailto:a@b.ru", ")"]
        );
    }

    #[test]
    fn markup_tokens() {
        assert_eq!(
            toks("**Bold** _x_ ## H"),
            ["**", "Bold", "**", " ", "_x_", " ", "##", " ", "H"]
        );
        assert_eq!(
            toks("<u>South</u> <a href=\"x\">"),
            ["<u>", "South", "</u>", " ", "<a href=\"x\">"]
        );
        assert_eq!(
            toks("a < b > c"),
            ["a", " ", "<", " ", "b", " ", ">", " ", "c"]
        );
    }

    #[test]
    fn arabic_and_cjk() {
        assert_eq!(toks("دير الزور"), ["دير", " ", "الزور"]);
        assert_eq!(toks("叙利亚东部"), ["叙", "利", "亚", "东", "部"]);
    }

    #[test]
    fn tokens_rebuild_text() {
        for s in [
            "", "x", "\n\n", "<", "<a", "https://", "www.", "a-", "-a", "_", "__a__", "é́",
        ] {
            assert_eq!(toks(s).concat(), s);
            assert!(toks(s).iter().all(|t| !t.is_empty()));
        }
    }
}
