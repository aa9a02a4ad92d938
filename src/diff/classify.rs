//! Naming changes, so a reader can tell edits from noise.
//!
//! A change is classified by the cheapest normalization that makes both sides
//! equal (whitespace, then case, typography, markup), and otherwise by what
//! its words look like (numbers, a single inflected word, punctuation only,
//! or a generic replacement). Whole-paragraph kinds are decided by the
//! aligner, not here.

use super::model::ChangeKind;
use super::normalize::{Norm, Role, key_text};
use super::tokenize::{is_space, is_word};

/// Tokens of one side of a change, with their roles.
#[derive(Clone, Copy)]
pub struct Side<'a> {
    pub tokens: &'a [&'a str],
    pub roles: &'a [Role],
}

impl Side<'_> {
    /// The change between `self` (old) and `other` (new) vanishes under
    /// `norm`: the joined keys of both sides are equal.
    /// Only worth asking when a character reference is involved.
    pub fn same_text_under(&self, other: &Side<'_>, norm: Norm) -> bool {
        self.joins_differently(other)
            && key_text(self.tokens, self.roles, norm) == key_text(other.tokens, other.roles, norm)
    }

    fn keys(&self, norm: Norm) -> impl Iterator<Item = std::borrow::Cow<'_, str>> {
        self.tokens
            .iter()
            .zip(self.roles)
            .filter_map(move |(t, r)| norm.key(t, *r))
    }

    /// The keys of both sides are equal under `norm`, token by token or
    /// joined (see [`key_text`]: the same text whatever its token
    /// boundaries, as a character reference and its character).
    fn equal_under(&self, other: &Side<'_>, norm: Norm) -> bool {
        self.equal_by_token(other, norm)
            || (self.joins_differently(other)
                && key_text(self.tokens, self.roles, norm)
                    == key_text(other.tokens, other.roles, norm))
    }

    /// The sides may say the same in differently cut tokens: only a
    /// character reference (`&`…`;`) cuts a word that its character keeps
    /// whole.
    fn joins_differently(&self, other: &Side<'_>) -> bool {
        let has_ref = |s: &Side<'_>| s.roles.iter().any(|r| matches!(r, Role::CharRef(_)));
        has_ref(self) || has_ref(other)
    }

    /// Token by token. Case folding, the last step of a key, is applied
    /// here by comparison, so ASCII keys are compared without lowercased
    /// copies.
    fn equal_by_token(&self, other: &Side<'_>, norm: Norm) -> bool {
        let base = Norm {
            case: false,
            ..norm
        };
        let (mut a, mut b) = (self.keys(base), other.keys(base));
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) => {
                    let same = if norm.case { case_eq(&x, &y) } else { x == y };
                    if !same {
                        return false;
                    }
                }
                _ => return false,
            }
        }
    }

    fn with_role(&self, role: Role) -> impl Iterator<Item = &str> {
        self.tokens
            .iter()
            .zip(self.roles)
            .filter(move |(_, r)| **r == role)
            .map(|(t, _)| *t)
    }

    fn words(&self) -> impl Iterator<Item = &str> {
        self.tokens.iter().copied().filter(|t| is_word(t))
    }
}

/// `a` and `b` are equal once case-folded as [`Norm::key`] folds them.
fn case_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        return a.eq_ignore_ascii_case(b);
    }
    fold(a) == fold(b)
}

fn fold(k: &str) -> std::borrow::Cow<'_, str> {
    if k.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(k.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(k)
    }
}

/// The kind of an in-paragraph change from `old` to `new`.
pub fn classify(old: Side<'_>, new: Side<'_>) -> ChangeKind {
    let ws = Norm {
        whitespace: true,
        ..Norm::default()
    };
    if old.equal_under(
        &new,
        Norm {
            typography: true,
            ..Norm::default()
        },
    ) {
        // Exotic spaces (NBSP) count as typography, not layout.
        return ChangeKind::Typography;
    }
    if old.equal_under(&new, ws) {
        return ChangeKind::Whitespace;
    }
    if old.equal_under(&new, Norm { case: true, ..ws }) {
        return ChangeKind::Case;
    }
    if old.equal_under(
        &new,
        Norm {
            typography: true,
            ..ws
        },
    ) {
        return ChangeKind::Typography;
    }
    if old.equal_under(&new, Norm { markup: true, ..ws }) || old.equal_under(&new, Norm::ALL) {
        let targets_differ = !old
            .with_role(Role::LinkTarget)
            .eq(new.with_role(Role::LinkTarget));
        let syntax_same = old.with_role(Role::Markup).eq(new.with_role(Role::Markup));
        return if targets_differ
            && syntax_same
            && old.equal_under(&new, Norm { markup: true, ..ws })
        {
            ChangeKind::Link
        } else {
            ChangeKind::Markup
        };
    }
    if old.words().next().is_none() && new.words().next().is_none() {
        return ChangeKind::Punctuation;
    }
    let numeric = |t: &str| !t.chars().any(char::is_alphabetic);
    if old.words().chain(new.words()).all(numeric) {
        return ChangeKind::Number;
    }
    let old_solid: Vec<&str> = old
        .tokens
        .iter()
        .copied()
        .filter(|t| !is_space(t))
        .collect();
    let new_solid: Vec<&str> = new
        .tokens
        .iter()
        .copied()
        .filter(|t| !is_space(t))
        .collect();
    if let ([a], [b]) = (old_solid.as_slice(), new_solid.as_slice())
        && is_word(a)
        && is_word(b)
        && inflected(a, b)
    {
        return ChangeKind::Inflection;
    }
    ChangeKind::Replace
}

/// True when `tokens` (one side of a change at the end of a document's
/// title line) are a site name as page titles append it: a separator
/// (`–`, `—`, `-`, `|`, `·`, `•`, `»`) set off by spaces, then one to five
/// words, the first capitalized (` – Global Research`, ` | BBC News`).
/// `spaced`: the token before the change is whitespace.
pub fn is_title_suffix(tokens: &[&str], spaced: bool) -> bool {
    let inline_space = |t: &str| is_space(t) && !t.contains('\n');
    let lead = tokens.iter().take_while(|t| inline_space(t)).count();
    let [sep, space, name @ ..] = &tokens[lead..] else {
        return false;
    };
    let separator = matches!(*sep, "-" | "–" | "—" | "|" | "·" | "•" | "»");
    if !(spaced || lead > 0) || !separator || !inline_space(space) {
        return false;
    }
    let plain = name
        .iter()
        .all(|t| is_word(t) || inline_space(t) || matches!(*t, "&" | "." | "'" | "’"));
    let mut words = name.iter().filter(|t| is_word(t));
    let capitalized = words
        .next()
        .and_then(|w| w.chars().next())
        .is_some_and(|c| c.is_uppercase() || c.is_numeric());
    plain && capitalized && words.count() < 5
}

/// True when `a` and `b` look like forms of one word: a shared stem of at
/// least three letters covering at least half of the longer word
/// (`troop`/`troops`, `make`/`made`, `organize`/`organization`).
fn inflected(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let stem = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let longest = a.len().max(b.len());
    a.len().min(b.len()) >= 3 && stem >= 3 && stem * 2 >= longest && a != b
}

/// True when an unchanged run between two changes is too slight to read on
/// its own (whitespace, punctuation, or one short word), so the changes read
/// better merged: `[-the quick-]{+a slow+}` rather than `[-the-]{+a+} [-quick-]{+slow+}`.
pub fn is_slight(tokens: &[&str]) -> bool {
    let mut words = tokens.iter().filter(|t| is_word(t));
    match (words.next(), words.next()) {
        (None, _) => !tokens.iter().any(|t| t.matches('\n').count() >= 2),
        (Some(w), None) => {
            w.chars().count() <= 3 && tokens.iter().all(|t| is_word(t) || is_space(t))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::normalize::roles;
    use super::super::tokenize::tokenize;
    use super::*;

    fn kind(old: &str, new: &str) -> ChangeKind {
        let (ot, nt) = (tokenize(old), tokenize(new));
        let (or, nr) = (roles(&ot), roles(&nt));
        classify(
            Side {
                tokens: &ot,
                roles: &or,
            },
            Side {
                tokens: &nt,
                roles: &nr,
            },
        )
    }

    #[test]
    fn kinds() {
        assert_eq!(kind("troop", "troops"), ChangeKind::Inflection);
        assert_eq!(kind("outskirt", "outskirts"), ChangeKind::Inflection);
        assert_eq!(kind("cat", "dog"), ChangeKind::Replace);
        assert_eq!(kind("is", "was"), ChangeKind::Replace);
        assert_eq!(kind("2017", "1,278.5"), ChangeKind::Number);
        assert_eq!(kind("group’s", "group's"), ChangeKind::Typography);
        assert_eq!(kind("—", "-"), ChangeKind::Typography);
        assert_eq!(kind("&ldquo;a&rdquo;", "“a”"), ChangeKind::Typography);
        assert_eq!(kind("&amp;", "&"), ChangeKind::Typography);
        assert_eq!(kind("&nbsp;", "\u{a0}"), ChangeKind::Typography);
        assert_eq!(kind("The", "the"), ChangeKind::Case);
        assert_eq!(kind("\n", " "), ChangeKind::Whitespace);
        assert_eq!(kind("", "*"), ChangeKind::Punctuation);
        assert_eq!(kind("*Last*", "Last"), ChangeKind::Markup);
        assert_eq!(
            kind("[P](https://a?e=AT1)", "[P](https://a?e=AT2)"),
            ChangeKind::Link
        );
        assert_eq!(kind(",", ";"), ChangeKind::Punctuation);
        assert_eq!(kind("", "new words"), ChangeKind::Replace);
    }

    #[test]
    fn title_suffixes() {
        let suffix = |s: &str, spaced| is_title_suffix(&tokenize(s), spaced);
        assert!(suffix(" – Global Research", false));
        assert!(suffix("| BBC News", true));
        assert!(suffix(" - The New York Times", false));
        assert!(!suffix("| BBC News", false), "separator not set off");
        assert!(!suffix(" – the war goes on", false), "not a name");
        assert!(!suffix(" – One Two Three Four Five Six", false), "too long");
        assert!(!suffix(" Global Research", false), "no separator");
        assert!(!suffix(" – Global\nResearch", false), "spans a line");
        assert!(!suffix(" – Troops Withdraw, Again", false), "a clause");
    }

    #[test]
    fn slight_runs() {
        assert!(is_slight(&[" "]));
        assert!(is_slight(&[" ", "of", " "]));
        assert!(is_slight(&[",", " "]));
        assert!(!is_slight(&[" ", "house", " "]));
        assert!(!is_slight(&[" ", "a", " ", "b"]));
    }
}
