//! The query language: words, `"exact phrases"` and `prefix*`, every term
//! required (in one paragraph). Parsed here into terms and written out as an
//! FTS5 expression of quoted strings only, so no FTS5 operator or syntax
//! error can come from the user's text.

use super::text::{fold_token, words};

/// Longest query accepted, in bytes.
pub const MAX_QUERY: usize = 1024;
/// Most terms in one query.
pub const MAX_TERMS: usize = 32;

/// One required term: a sequence of folded words that must be adjacent, the
/// last one a prefix when `prefix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub words: Vec<String>,
    pub prefix: bool,
}

/// Why a query cannot be run. The message says how to write it instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("the query is empty: give words, \"an exact phrase\" or a prefix* to search for")]
    Empty,
    #[error(
        "the query has no words to search for (punctuation and markup are not indexed): give words, \"an exact phrase\" or a prefix*"
    )]
    NoWords,
    #[error(
        "a quote opened at character {0} is never closed: close the \"phrase\" or remove the quote"
    )]
    UnclosedQuote(usize),
    #[error(
        "`*` at character {0} ends no word: write it right after the start of a word, as in `troop*`"
    )]
    StrayStar(usize),
    #[error(
        "`*` at character {0} is inside a word: only a prefix is supported (`troop*`), not wildcards within a word"
    )]
    InnerStar(usize),
    #[error("the query is {0} bytes long; at most {MAX_QUERY} are accepted")]
    TooLong(usize),
    #[error("the query has {0} terms; at most {MAX_TERMS} are accepted")]
    TooManyTerms(usize),
}

impl QueryError {
    /// The kind of this error: the query as written cannot be run.
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
}

/// Parses a query. Terms are separated by whitespace; a `"…"` phrase is one
/// term; a term ending in `*` is a prefix. A word with inner punctuation
/// (`U.S.`, `don't`, `2019-02-12`) is a phrase of its parts, as the index
/// splits it.
pub fn parse(q: &str) -> Result<Vec<Term>, QueryError> {
    if q.len() > MAX_QUERY {
        return Err(QueryError::TooLong(q.len()));
    }
    if q.trim().is_empty() {
        return Err(QueryError::Empty);
    }
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    let mut terms = Vec::new();
    let mut i = 0;
    let pos = |i: usize| i + 1; // 1-based character position for messages
    while i < chars.len() {
        let c = chars[i].1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let (body, next, quoted) = if is_quote(c) {
            let open = i;
            let mut j = i + 1;
            while j < chars.len() && !is_quote(chars[j].1) {
                j += 1;
            }
            if j == chars.len() {
                return Err(QueryError::UnclosedQuote(pos(open)));
            }
            let body = &q[chars[i].0 + c.len_utf8()..chars[j].0];
            (body, j + 1, true)
        } else {
            let mut j = i;
            while j < chars.len() && !chars[j].1.is_whitespace() && !is_quote(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map_or(q.len(), |(b, _)| *b);
            (&q[chars[i].0..end], j, false)
        };
        let mut next = next;
        let mut body = body.to_string();
        let mut prefix = false;
        if quoted {
            if chars.get(next).map(|(_, c)| *c) == Some('*') {
                prefix = true;
                next += 1;
            }
        } else if let Some(stripped) = body.strip_suffix('*') {
            prefix = true;
            body = stripped.to_string();
        }
        if let Some(k) = body.find('*') {
            let at = pos(i + body[..k].chars().count() + usize::from(quoted));
            return Err(QueryError::InnerStar(at));
        }
        let w: Vec<String> = words(&body)
            .into_iter()
            .map(|w| fold_token(&body[w.start..w.end]))
            .filter(|w| !w.is_empty())
            .collect();
        if w.is_empty() {
            if prefix {
                return Err(QueryError::StrayStar(pos(next - 1)));
            }
        } else {
            // A prefix ending in punctuation (`U.S.*`) has no partial word.
            let ends_in_word = body
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || super::text::is_cjk(c));
            terms.push(Term {
                words: w,
                prefix: prefix && ends_in_word,
            });
        }
        i = next;
    }
    if terms.is_empty() {
        return Err(QueryError::NoWords);
    }
    if terms.len() > MAX_TERMS {
        return Err(QueryError::TooManyTerms(terms.len()));
    }
    Ok(terms)
}

fn is_quote(c: char) -> bool {
    matches!(c, '"' | '“' | '”' | '„')
}

/// The FTS5 expression of parsed terms: every term a quoted string (the
/// words joined by spaces: a phrase), `*` after a prefix, all required.
/// Words hold only letters and digits, so quoting cannot be escaped.
pub fn fts_expression(terms: &[Term]) -> String {
    let mut out = String::new();
    for t in terms {
        if !out.is_empty() {
            out.push_str(" AND ");
        }
        out.push('"');
        out.push_str(&t.words.join(" "));
        out.push('"');
        if t.prefix {
            out.push('*');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(words: &[&str], prefix: bool) -> Term {
        Term {
            words: words.iter().map(|w| w.to_string()).collect(),
            prefix,
        }
    }

    #[test]
    fn words_phrases_and_prefixes() {
        let q = parse(r#"Troop* "Global Research" U.S. Café"#).unwrap();
        assert_eq!(
            q,
            [
                t(&["troop"], true),
                t(&["global", "research"], false),
                t(&["u", "s"], false),
                t(&["cafe"], false)
            ]
        );
        assert_eq!(
            fts_expression(&q),
            r#""troop"* AND "global research" AND "u s" AND "cafe""#
        );
        assert_eq!(
            parse("\"isis deal\"*").unwrap(),
            [t(&["isis", "deal"], true)]
        );
        assert_eq!(parse("東京").unwrap(), [t(&["東", "京"], false)]);
    }

    #[test]
    fn syntax_errors_say_where() {
        assert_eq!(parse("  "), Err(QueryError::Empty));
        assert_eq!(parse("a \"b c"), Err(QueryError::UnclosedQuote(3)));
        assert_eq!(parse("a *"), Err(QueryError::StrayStar(3)));
        assert_eq!(parse("fo*o"), Err(QueryError::InnerStar(3)));
        assert_eq!(parse("-- ..."), Err(QueryError::NoWords));
        assert!(matches!(
            parse(&"a ".repeat(40)),
            Err(QueryError::TooManyTerms(40))
        ));
        assert!(matches!(
            parse(&"a".repeat(2000)),
            Err(QueryError::TooLong(2000))
        ));
    }

    #[test]
    fn fts_operators_in_the_query_are_plain_words() {
        let q = parse("NOT NEAR(a b) OR ^x col:y").unwrap();
        let e = fts_expression(&q);
        assert!(
            e.starts_with(r#""not" AND "near a" AND "b" AND "or""#),
            "{e}"
        );
    }

    proptest::proptest! {
        // The fuzz target's invariants (fuzz/fuzz_targets/search_query.rs),
        // on every `cargo test`.
        #[test]
        fn any_text_parses_to_safe_terms_or_an_error(s in "(\\PC|[\"* ])*") {
            if let Ok(terms) = parse(&s) {
                proptest::prop_assert!(!terms.is_empty() && terms.len() <= MAX_TERMS);
                for t in &terms {
                    for w in &t.words {
                        proptest::prop_assert!(!w.is_empty() && !w.contains(['"', '*', ' ']));
                    }
                }
                let e = fts_expression(&terms);
                proptest::prop_assert_eq!(e.matches('"').count(), 2 * terms.len());
                let t: Vec<(Vec<String>, bool)> =
                    terms.iter().map(|t| (t.words.clone(), t.prefix)).collect();
                for (_, p) in super::super::text::paragraphs(&s) {
                    proptest::prop_assert!(!super::super::text::snippet(&p, &t).is_empty());
                }
            }
        }
    }

    #[test]
    fn a_bad_query_is_invalid_input() {
        assert_eq!(
            QueryError::Empty.kind(),
            crate::error::ErrorKind::InvalidInput
        );
    }
}
