//! Tests of the tokenizer: its shortcuts against the reference tokenizer
//! they replaced, and the tokens of tricky text.

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
