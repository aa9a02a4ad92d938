//! Comparison keys: what a token "means" under the requested `--ignore-*`
//! options.
//!
//! Normalization never rewrites the text. Each token gets a key; the word
//! diff aligns keys, so `group’s` and `group's` (under `ignore_typography`) or
//! `*Last` and `Last` (under `ignore_markup`) line up, while the ops still
//! carry the original text and the difference is reported as an ignored
//! change. A token whose key is `None` (markup under `ignore_markup`,
//! whitespace under `ignore_whitespace`) takes no part in the alignment.
//!
//! Markup is recognized from context, per paragraph ([`roles`]): emphasis
//! runs touching a word, heading/list/quote markers at line start, rules,
//! HTML tags, backslash escapes, and the syntax and target of Markdown links.

use std::borrow::Cow;

use super::tokenize::{is_space, is_word};

/// What a token is, as far as markup goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Visible text (words, punctuation).
    Text,
    /// Whitespace.
    Space,
    /// Formatting syntax: `*`, `##`, `[`, `](`, `<u>`, …
    Markup,
    /// The target of a Markdown link: `https://…` in `[text](https://…)`.
    LinkTarget,
}

/// Which normalizations a key applies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Norm {
    pub case: bool,
    pub whitespace: bool,
    pub typography: bool,
    pub markup: bool,
}

impl Norm {
    /// Every normalization at once.
    pub const ALL: Norm = Norm {
        case: true,
        whitespace: true,
        typography: true,
        markup: true,
    };

    /// The comparison key of `token`, or `None` when it is ignorable.
    pub fn key<'a>(&self, token: &'a str, role: Role) -> Option<Cow<'a, str>> {
        match role {
            Role::Markup | Role::LinkTarget if self.markup => return None,
            Role::Space if self.whitespace => return None,
            Role::Space if self.typography => {
                // Plain spaces and line breaks map to themselves.
                if token.bytes().all(|b| matches!(b, b' ' | b'\n' | b'\r')) {
                    return Some(Cow::Borrowed(token));
                }
                return Some(
                    token
                        .chars()
                        .map(|c| if c == '\n' || c == '\r' { c } else { ' ' })
                        .collect(),
                );
            }
            Role::Space => return Some(Cow::Borrowed(token)),
            _ => {}
        }
        let mut key = Cow::Borrowed(token);
        if self.typography {
            key = typography(token);
            if key.is_empty() {
                return None;
            }
        }
        if self.markup && key.contains('_') && is_word(&key) {
            let trimmed = key.trim_matches('_');
            if trimmed.len() != key.len() {
                key = Cow::Owned(trimmed.to_owned());
            }
        }
        if self.case && key.chars().any(char::is_uppercase) {
            key = Cow::Owned(key.to_lowercase());
        }
        Some(key)
    }
}

/// Maps typographic variants to their plain form: curly quotes, dashes,
/// ellipsis, exotic spaces; drops soft hyphens and zero-width characters.
fn typography(token: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii() && c != '-';
    if token.chars().all(plain) {
        return Cow::Borrowed(token);
    }
    if token.chars().all(is_dash) {
        return Cow::Borrowed("-");
    }
    // ASCII with a hyphen but no backtick or non-space whitespace maps to
    // itself.
    if token
        .bytes()
        .all(|b| b.is_ascii() && !matches!(b, b'`' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
    {
        return Cow::Borrowed(token);
    }
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        match c {
            '‘' | '’' | '‚' | '‛' | '′' | '`' | '´' => out.push('\''),
            '“' | '”' | '„' | '‟' | '″' => out.push('"'),
            '…' => out.push_str("..."),
            '\u{ad}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => {}
            c if is_dash(c) => out.push('-'),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}'
    )
}

/// The role of each token of one paragraph.
pub fn roles(tokens: &[&str]) -> Vec<Role> {
    let mut roles: Vec<Role> = tokens
        .iter()
        .map(|t| if is_space(t) { Role::Space } else { Role::Text })
        .collect();
    let n = tokens.len();
    let at_line_start =
        |i: usize| i == 0 || (tokens[i - 1].contains('\n') && is_space(tokens[i - 1]));
    let spaced = |i: usize| i + 1 >= n || is_space(tokens[i + 1]);
    for i in 0..n {
        let t = tokens[i];
        if roles[i] != Role::Text {
            continue;
        }
        let first = t.chars().next().unwrap_or(' ');
        let is_run = t.chars().all(|c| c == first);
        if at_line_start(i) && is_run {
            let line_ends = i + 1 >= n || tokens[i + 1].contains('\n');
            let marker = (first == '#' && t.len() <= 6) || (matches!(t, "-" | "*" | "+" | ">"));
            if marker && i + 1 < n && spaced(i) {
                roles[i] = Role::Markup;
                roles[i + 1] = Role::Markup;
                continue;
            }
            if matches!(first, '-' | '*' | '_' | '=') && t.len() >= 3 && line_ends {
                roles[i] = Role::Markup;
                continue;
            }
        }
        if t.starts_with('<') && t.len() > 2 && t.ends_with('>') {
            roles[i] = Role::Markup;
        } else if is_run && matches!(first, '*' | '_' | '~' | '`') {
            let touches_prev = i > 0 && !is_space(tokens[i - 1]);
            let touches_next = i + 1 < n && !is_space(tokens[i + 1]);
            if touches_prev || touches_next {
                roles[i] = Role::Markup;
            }
        } else if t == "\\" && i + 1 < n && tokens[i + 1].chars().all(|c| c.is_ascii_punctuation())
        {
            roles[i] = Role::Markup;
        } else if t == "]" && i + 1 < n && tokens[i + 1] == "(" {
            mark_link(tokens, &mut roles, i);
        } else if t == "<" && i + 2 < n && tokens[i + 2] == ">" && looks_like_url(tokens[i + 1]) {
            roles[i] = Role::Markup;
            roles[i + 2] = Role::Markup;
        }
    }
    roles
}

fn looks_like_url(t: &str) -> bool {
    t.contains("://") || t.starts_with("mailto:") || t.starts_with("www.")
}

/// Marks `[text](target)` around the `]` at `close`: brackets and parens as
/// markup, the target as link target. Leaves everything alone when the
/// pattern does not complete.
fn mark_link(tokens: &[&str], roles: &mut [Role], close: usize) {
    let Some(open) = tokens[..close].iter().rposition(|&t| t == "[") else {
        return;
    };
    let Some(end) = tokens[close + 2..]
        .iter()
        .position(|&t| t == ")" || t.contains('\n'))
    else {
        return;
    };
    let end = close + 2 + end;
    if tokens[end] != ")" {
        return;
    }
    roles[open] = Role::Markup;
    if open > 0 && tokens[open - 1] == "!" {
        roles[open - 1] = Role::Markup;
    }
    roles[close] = Role::Markup;
    roles[close + 1] = Role::Markup;
    roles[end] = Role::Markup;
    for r in &mut roles[close + 2..end] {
        *r = Role::LinkTarget;
    }
}

#[cfg(test)]
mod tests {
    use super::super::tokenize::tokenize;
    use super::*;

    fn keys(text: &str, norm: Norm) -> Vec<String> {
        let toks = tokenize(text);
        let roles = roles(&toks);
        toks.iter()
            .zip(roles)
            .filter_map(|(t, r)| norm.key(t, r).map(Cow::into_owned))
            .collect()
    }

    #[test]
    fn markup_roles() {
        let t = tokenize("## Head *it* [South Front](#) <u>x</u> \\*");
        let r = roles(&t);
        let marked: Vec<&str> = t
            .iter()
            .zip(&r)
            .filter(|(_, r)| **r != Role::Text && **r != Role::Space)
            .map(|(t, _)| *t)
            .collect();
        assert_eq!(
            marked,
            [
                "##", " ", "*", "*", "[", "]", "(", "#", ")", "<u>", "</u>", "\\", "*"
            ]
        );
    }

    #[test]
    fn lone_star_and_brackets_are_text() {
        let t = tokenize("2 * 3 [sic] a_b");
        assert!(
            roles(&t)
                .iter()
                .all(|r| matches!(r, Role::Text | Role::Space))
        );
    }

    #[test]
    fn keys_under_each_normalization() {
        let markup = Norm {
            markup: true,
            ..Norm::default()
        };
        assert_eq!(keys("*Last* [A](http://x)", markup), ["Last", " ", "A"]);
        assert_eq!(keys("_x_", markup), ["x"]);
        let typo = Norm {
            typography: true,
            ..Norm::default()
        };
        assert_eq!(
            keys("group’s “a” — b…\u{a0}", typo),
            [
                "group's", " ", "\"", "a", "\"", " ", "-", " ", "b", "...", " "
            ]
        );
        let case = Norm {
            case: true,
            ..Norm::default()
        };
        assert_eq!(keys("The CAT", case), ["the", " ", "cat"]);
        let ws = Norm {
            whitespace: true,
            ..Norm::default()
        };
        assert_eq!(keys("a \n b", ws), ["a", "b"]);
        assert_eq!(keys("a \n b", Norm::default()), ["a", " \n ", "b"]);
    }
}
