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
    !token.is_empty() && token.chars().all(char::is_whitespace)
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
fn token_len(rest: &str) -> usize {
    let first = rest.chars().next().expect("rest is not empty");
    if first.is_whitespace() {
        return rest
            .char_indices()
            .find(|(_, c)| !c.is_whitespace())
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
            b.is_ascii_whitespace() || (b.is_ascii_punctuation() && !b"'.,:;_-".contains(&b))
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
        .find(|&(_, c)| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')' | ']' | '`' | '\''))
        .map_or(rest.len(), |(i, _)| i);
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
