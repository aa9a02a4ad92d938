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
mod tests;
