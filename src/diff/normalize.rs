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
//! runs touching a word, heading/list/quote markers at line start (ordered
//! list numbers included), rules, HTML tags (also those broken across
//! lines), backslash escapes, and the syntax and target of Markdown links,
//! inline, reference-style and reference definitions.

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
    /// The `&` opening an HTML character reference (`&ldquo;`, `&#8220;`,
    /// `&#x201C;`), with the character it stands for: under typography its
    /// key is that character's, so a reference and its character compare
    /// equal.
    CharRef(char),
    /// The rest of a character reference: its name or number and the `;`.
    /// No key under typography.
    CharRefTail,
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
            Role::CharRefTail if self.typography => return None,
            Role::CharRef(c) if self.typography => {
                if super::tokenize::is_space_char(c) {
                    return (!self.whitespace).then_some(Cow::Borrowed(" "));
                }
                let mut buf = [0u8; 4];
                let key = typography(c.encode_utf8(&mut buf)).into_owned();
                if key.is_empty() {
                    return None;
                }
                return Some(Cow::Owned(key));
            }
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

/// The comparison keys of `tokens` joined into one string: what the text
/// says under `norm`, whatever its token boundaries (`group’s` is one token,
/// `group&rsquo;s` five, and under typography both say `group's`). Where
/// whitespace was dropped (`ignore_whitespace`) a NUL stands in, so `a b`
/// and `ab` still differ; dropped markup leaves nothing.
pub fn key_text(tokens: &[&str], roles: &[Role], norm: Norm) -> String {
    let mut out = String::new();
    for (t, r) in tokens.iter().zip(roles) {
        match norm.key(t, *r) {
            Some(k) => out.push_str(&k),
            None if *r == Role::Space && !out.ends_with('\0') => out.push('\0'),
            None => {}
        }
    }
    out
}

/// Maps typographic variants to their plain form: curly quotes, dashes,
/// ellipsis, exotic spaces; drops soft hyphens and zero-width characters.
fn typography(token: &str) -> Cow<'_, str> {
    // ASCII but `-` maps to itself (checked by byte: a character is ASCII
    // exactly when its one byte is).
    if token.bytes().all(|b| b.is_ascii() && b != b'-') {
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
            c if super::tokenize::is_space_char(c) => out.push(' '),
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
        let line_start = at_line_start(i);
        if line_start && is_ordered_marker(&tokens[i..]) {
            roles[i..i + 3].fill(Role::Markup);
            continue;
        }
        if line_start && t == "[" && mark_definition(tokens, &mut roles, i) {
            continue;
        }
        let first = t.chars().next().unwrap_or(' ');
        let is_run = t.chars().all(|c| c == first);
        if line_start && is_run {
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
        if t == "&"
            && let Some((c, len)) = char_ref(&tokens[i + 1..])
        {
            roles[i] = Role::CharRef(c);
            roles[i + 1..i + 1 + len].fill(Role::CharRefTail);
        } else if t.starts_with('<') && t.len() > 2 && t.ends_with('>') {
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
        } else if t == "]" && i + 1 < n && tokens[i + 1] == "[" {
            mark_reference_link(tokens, &mut roles, i);
        } else if t == "<" && i + 2 < n && tokens[i + 2] == ">" && looks_like_url(tokens[i + 1]) {
            roles[i] = Role::Markup;
            roles[i + 2] = Role::Markup;
        } else if t == "<" {
            mark_broken_tag(tokens, &mut roles, i);
        }
    }
    roles
}

/// The character an HTML character reference stands for, when `rest` (the
/// tokens after an `&`) continues one: `name ;`, `# digits ;` or
/// `# xHEX ;`. Returns the character and how many tokens of `rest` the
/// reference takes.
fn char_ref(rest: &[&str]) -> Option<(char, usize)> {
    match rest {
        ["#", number, ";", ..] => {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None if number.bytes().all(|b| b.is_ascii_digit()) => number.parse().ok()?,
                None => return None,
            };
            Some((char::from_u32(code)?, 3))
        }
        [name, ";", ..] => named_char(name).map(|c| (c, 2)),
        _ => None,
    }
}

/// The character of a named HTML character reference, for the names that
/// news pages use for punctuation, spaces and symbols.
fn named_char(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "ensp" => '\u{2002}',
        "emsp" => '\u{2003}',
        "thinsp" => '\u{2009}',
        "hairsp" => '\u{200a}',
        "numsp" => '\u{2007}',
        "puncsp" => '\u{2008}',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        "lsquo" => '‘',
        "rsquo" | "rsquor" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" | "rdquor" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "lsaquo" => '‹',
        "rsaquo" => '›',
        "prime" => '′',
        "Prime" => '″',
        "ndash" => '–',
        "mdash" => '—',
        "hyphen" | "dash" => '‐',
        "minus" => '−',
        "hellip" | "mldr" => '…',
        "bull" | "bullet" => '•',
        "middot" => '·',
        "copy" | "COPY" => '©',
        "reg" | "REG" => '®',
        "trade" | "TRADE" => '™',
        "deg" => '°',
        "sect" => '§',
        "para" => '¶',
        "times" => '×',
        "divide" => '÷',
        "euro" => '€',
        "pound" => '£',
        "yen" => '¥',
        "cent" => '¢',
        "frac12" => '½',
        "frac14" => '¼',
        "frac34" => '¾',
        "iexcl" => '¡',
        "iquest" => '¿',
        "acute" => '´',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "aacute" => 'á',
        "agrave" => 'à',
        "iacute" => 'í',
        "oacute" => 'ó',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        _ => return None,
    })
}

/// True when `rest` starts with an ordered list marker: a number of one to
/// three digits, `.` or `)`, then whitespace. Longer numbers are left alone
/// because a line starting `2019. That year` is far more likely a year than
/// item 2019 of a list.
fn is_ordered_marker(rest: &[&str]) -> bool {
    match rest {
        [number, "." | ")", space, ..] => {
            (1..=3).contains(&number.len())
                && number.bytes().all(|b| b.is_ascii_digit())
                && is_space(space)
        }
        _ => false,
    }
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

/// The `]` closing the label whose `[` is at `open`, if it closes on the
/// same line with no other bracket in between. The label may be empty
/// (`[text][]`).
fn label_close(tokens: &[&str], open: usize) -> Option<usize> {
    let len = tokens[open + 1..]
        .iter()
        .position(|&t| matches!(t, "[" | "]") || t.contains('\n'))?;
    let close = open + 1 + len;
    (tokens[close] == "]").then_some(close)
}

/// Marks `[text][label]` or `[text][]` around the `]` at `close` (the one
/// after the text): brackets and label as markup, the text left as text, so
/// the link reads the same as the bare text or an inline link. Leaves
/// everything alone when the pattern does not complete.
fn mark_reference_link(tokens: &[&str], roles: &mut [Role], close: usize) {
    let Some(open) = tokens[..close].iter().rposition(|&t| t == "[") else {
        return;
    };
    let Some(end) = label_close(tokens, close + 1) else {
        return;
    };
    roles[open] = Role::Markup;
    roles[close..=end].fill(Role::Markup);
}

/// Marks a reference definition `[label]: https://… "title"` whose `[` at
/// `open` starts a line: brackets, label, colon, spaces and title as
/// markup, the URL as link target (so a changed URL is a link change, as in
/// an inline link). Returns false, marking nothing, when the line is
/// anything else.
fn mark_definition(tokens: &[&str], roles: &mut [Role], open: usize) -> bool {
    let Some(close) = label_close(tokens, open).filter(|&c| c > open + 1) else {
        return false;
    };
    let Some([":", space, target, ..]) = tokens.get(close + 1..) else {
        return false;
    };
    if !is_space(space) || space.contains('\n') || !looks_like_url(target) {
        return false;
    }
    let url = close + 3;
    let Some(end) = title_end(tokens, url + 1) else {
        return false;
    };
    roles[open..end].fill(Role::Markup);
    roles[url] = Role::LinkTarget;
    true
}

/// Where a reference definition's line ends, given `from` just past its
/// URL: right there, or after a title in `"…"`, `'…'` or `(…)`. `None` when
/// anything else follows on the line.
fn title_end(tokens: &[&str], from: usize) -> Option<usize> {
    let n = tokens.len();
    let line_ends =
        |j: usize| j >= n || (is_space(tokens[j]) && (tokens[j].contains('\n') || j + 1 == n));
    if line_ends(from) {
        return Some(from);
    }
    let [space, quote, ..] = tokens.get(from..)? else {
        return None;
    };
    let closer = match *quote {
        "\"" => "\"",
        "'" => "'",
        "(" => ")",
        _ => return None,
    };
    if !is_space(space) || space.contains('\n') {
        return None;
    }
    let len = tokens[from + 2..]
        .iter()
        .position(|&t| t == closer || t.contains('\n'))?;
    let end = from + 2 + len + 1;
    (tokens[end - 1] == closer && line_ends(end)).then_some(end)
}

/// Most tokens an HTML tag broken across lines may span, `<` and `>`
/// included: room for a tag with several attributes, while a stray `<` in
/// prose cannot swallow text up to some distant `>`.
const MAX_TAG_TOKENS: usize = 64;

/// Marks an HTML tag broken across lines (`<a` on one line, `href="…">` on
/// the next), which the tokenizer leaves in pieces because no token but
/// whitespace spans a line feed: `<`, maybe `/`, a tag name, whitespace,
/// and everything up to the first token ending in `>`, within
/// [`MAX_TAG_TOKENS`] and before any blank line. The whitespace after the
/// name, which HTML requires before attributes, keeps `a < b`-like prose and
/// `Map<K, V>` out. Leaves everything alone when no `>` closes the tag.
fn mark_broken_tag(tokens: &[&str], roles: &mut [Role], open: usize) {
    let name = open + 1 + usize::from(tokens.get(open + 1) == Some(&"/"));
    let (Some(tag), Some(space)) = (tokens.get(name), tokens.get(name + 1)) else {
        return;
    };
    if !is_tag_name(tag) || !is_space(space) {
        return;
    }
    let window = &tokens[open..tokens.len().min(open + MAX_TAG_TOKENS)];
    let Some(len) = window
        .iter()
        .position(|t| t.ends_with('>') || t.matches('\n').nth(1).is_some())
    else {
        return;
    };
    if window[len].ends_with('>') {
        roles[open..=open + len].fill(Role::Markup);
    }
}

/// An HTML tag name: an ASCII letter, then ASCII letters, digits or `-`.
fn is_tag_name(t: &str) -> bool {
    t.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
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

    fn markup() -> Norm {
        Norm {
            markup: true,
            ..Norm::default()
        }
    }

    /// The tokens of `text` with a role other than text or whitespace.
    fn marked(text: &str) -> Vec<(&str, Role)> {
        let toks = tokenize(text);
        let roles = roles(&toks);
        toks.into_iter()
            .zip(roles)
            .filter(|(_, r)| !matches!(r, Role::Text | Role::Space))
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

    #[test]
    fn character_references_are_their_characters_under_typography() {
        let typo = Norm {
            typography: true,
            ..Norm::default()
        };
        for (a, b) in [
            ("&ldquo;Deal&rdquo; &amp; more", "“Deal” & more"),
            ("&#8220;Deal&#x201D; & more", "\"Deal\" &amp; more"),
            (
                "group&rsquo;s&nbsp;men &mdash; all",
                "group’s\u{a0}men — all",
            ),
            ("a&nbsp;b", "a b"),
        ] {
            let joined = |t: &str, norm| {
                let toks = tokenize(t);
                key_text(&toks, &roles(&toks), norm)
            };
            assert_eq!(joined(a, typo), joined(b, typo), "{a:?} {b:?}");
            assert_ne!(joined(a, Norm::default()), joined(b, Norm::default()));
        }
        // Not references: no `;`, unknown name, not a character.
        for text in ["AT&T", "a & b", "&bogus;", "&#xZZ;", "&#99999999;"] {
            assert!(
                roles(&tokenize(text))
                    .iter()
                    .all(|r| matches!(r, Role::Text | Role::Space)),
                "{text:?}"
            );
        }
    }

    #[test]
    fn ordered_list_markers_are_markup() {
        let plain = keys("First item", markup());
        for text in [
            "1. First item",
            "- First item",
            "12) First item",
            "999. First item",
        ] {
            assert_eq!(keys(text, markup()), plain, "{text:?}");
        }
        assert_eq!(
            keys("Intro\n2. Second", markup()),
            keys("Intro\nSecond", markup())
        );
        // Four digits, not at line start, no space after: not markers.
        for text in ["2019. That year", "in 1. case", "a\n1.5 times", "3.x", "1)"] {
            assert!(marked(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn reference_links_read_as_their_text() {
        let plain = keys("See South Front now", markup());
        for text in [
            "See [South Front][1] now",
            "See [South Front][] now",
            "See [South Front][sf ref] now",
            "See [South Front](https://x) now",
        ] {
            assert_eq!(keys(text, markup()), plain, "{text:?}");
        }
        for text in ["[sic] alone", "[a] [b]", "[a][b", "[a]\n[b]"] {
            assert!(marked(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn reference_definitions() {
        use Role::{LinkTarget, Markup};
        let def = "[1]: https://southfront.org/a \"South Front\"";
        assert_eq!(
            marked(def),
            [
                ("[", Markup),
                ("1", Markup),
                ("]", Markup),
                (":", Markup),
                (" ", Markup),
                ("https://southfront.org/a", LinkTarget),
                (" ", Markup),
                ("\"", Markup),
                ("South", Markup),
                (" ", Markup),
                ("Front", Markup),
                ("\"", Markup),
            ]
        );
        assert_eq!(
            keys(&format!("Text\n{def}\n[sf]: http://x (SF)"), markup()),
            ["Text", "\n", "\n"]
        );
        for text in [
            "[1]: not a link",
            "[1]: https://x trailing words",
            "[1]: https://x \"open title",
            "[1]: https://x \"title\" and more",
            "[1] : https://x",
            "[]: https://x",
            "see [1]: https://x",
        ] {
            assert!(marked(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn tags_broken_across_lines_are_markup() {
        let plain = keys("South Front", markup());
        for text in [
            "<a\nhref=\"https://x\">South</a> Front",
            "<a href=\"https://x\"\n  class=\"y\">South</a\n> Front",
        ] {
            assert_eq!(keys(text, markup()), plain, "{text:?}");
        }
        let long = format!("<a\n{}>x", "b ".repeat(40));
        for text in [
            "a < b and c > d",
            "<a\nhref=\"x\" never closed",
            "<a\n\nhref>",
            "Map<K, V>",
            &long,
        ] {
            assert!(marked(text).is_empty(), "{text:?}");
        }
    }
}
