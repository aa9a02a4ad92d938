//! Document names: the one user-chosen string that reaches the store, so it is
//! a type with a strict grammar.
//!
//! A name is 1 to 128 characters: letters and digits of any script (with
//! their combining marks), `.`, `_` and `-`, starting with a letter or a
//! digit. It is in Unicode normalization form C and case-folded, so one name
//! has one spelling. Never allowed: `/` or any other separator or
//! punctuation, spaces, controls, invisible characters (zero-width joiners
//! and spaces, soft hyphens) and bidirectional controls; only characters that
//! UTS #39's General Security Profile allows in identifiers. Every name of the
//! old ASCII grammar (`[a-z0-9][a-z0-9._-]{0,127}`) is still valid and
//! unchanged.

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use unicode_security::{GeneralSecurityProfile, MixedScript};

/// A validated document name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct DocName(String);

/// Why a document name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid document name {shown:?}: use 1-128 letters or digits (any script), '.', '_' or '-', starting with a letter or digit; no spaces, '/', punctuation, invisible or bidirectional characters"
)]
pub struct InvalidDocName {
    shown: String,
}

impl DocName {
    /// At most this many characters (not bytes).
    pub const MAX_LEN: usize = 128;

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name as a person may type it: brought to NFC and case-folded first
    /// (`Новости` and `новости` name one document), then checked.
    pub fn normalized(text: &str) -> Result<DocName, InvalidDocName> {
        fold(text).parse()
    }

    /// The parts of the name (between `.`, `_` and `-`) that mix scripts
    /// confusingly (a Cyrillic `а` inside a Latin word): worth a warning,
    /// since such a name looks like another. Empty for ordinary names,
    /// including a Latin host followed by an Arabic or Russian path.
    pub fn confusable_parts(&self) -> Vec<&str> {
        self.0
            .split(['.', '_', '-'])
            .filter(|part| !part.is_empty() && !part.is_single_script())
            .collect()
    }
}

/// Unicode default case folding of a name, then NFC. Rust's lowercase
/// mapping gives the simple folds; the full folds that differ for letters a
/// name may hold (sharp s, final sigma) are applied here.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfc() {
        match c {
            'ß' | 'ẞ' => out.push_str("ss"),
            'ς' => out.push('σ'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out.nfc().collect()
}

/// Whether `c` may appear in a name after its first character.
pub fn name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-');
    }
    // identifier_allowed refuses controls, separators, default-ignorable
    // (invisible) characters and bidi controls, except the two joiners it
    // keeps for some scripts: those are neither letters nor marks.
    c.identifier_allowed() && (c.is_alphanumeric() || is_combining_mark(c))
}

/// Whether `c` may start a name: a letter or a digit.
fn first_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_lowercase() || c.is_ascii_digit()
    } else {
        name_char(c) && c.is_alphanumeric()
    }
}

impl FromStr for DocName {
    type Err = InvalidDocName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.chars().next().is_some_and(first_char)
            && s.chars().count() <= Self::MAX_LEN
            && s.chars().all(name_char)
            && (s.is_ascii() || fold(s) == s);
        if ok {
            Ok(DocName(s.to_owned()))
        } else {
            let mut shown: String = s.chars().take(60).collect();
            if s.chars().count() > 60 {
                shown.push('…');
            }
            Err(InvalidDocName { shown })
        }
    }
}

impl<'de> serde::Deserialize<'de> for DocName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for DocName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A document name derived from free text (a URL or a file stem): letters
/// and digits of any script, folded as names are, other runs collapsed to
/// `-`. `None` if nothing usable remains.
pub fn slug(text: &str) -> Option<DocName> {
    let text = text
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    let mut out = String::new();
    let mut len = 0;
    let mut dash = false;
    for c in fold(text).chars() {
        let keep = c != '.' && c != '_' && c != '-' && name_char(c);
        // A combining mark belongs to the letter before it, never starts a word.
        if keep && (c.is_alphanumeric() || !out.is_empty() && !dash) {
            if dash && !out.is_empty() {
                if len + 2 > DocName::MAX_LEN {
                    break;
                }
                out.push('-');
                len += 1;
            }
            dash = false;
            if len == DocName::MAX_LEN {
                break;
            }
            out.push(c);
            len += 1;
        } else {
            dash = true;
        }
    }
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for n in [
            "a",
            "south-front.2019_02",
            "0abc",
            &"x".repeat(128),
            "aljazeera.net_news.خبر",
            "ria.ru_новости.2019",
            "中国新闻",
            "हिन्दी",
            &"ж".repeat(128),
        ] {
            assert!(n.parse::<DocName>().is_ok(), "{n}");
        }
    }

    #[test]
    fn rejects_path_tricks() {
        for n in [
            "",
            "..",
            "../etc",
            "a/b",
            "A",
            "-x",
            ".hidden",
            "a\0b",
            "a b",
            &"x".repeat(129),
            &"ж".repeat(129),
            "Новости",
            // Not NFC: e + combining acute.
            "cafe\u{301}",
            // Invisible and bidirectional characters.
            "a\u{200b}b",
            "a\u{200c}b",
            "a\u{200d}b",
            "a\u{feff}b",
            "a\u{ad}b",
            "a\u{202e}b",
            "a\u{2066}b",
            "a\u{200f}b",
            // Separators, punctuation, symbols.
            "a\u{a0}b",
            "a\u{3000}b",
            "a\u{2028}b",
            "a\u{2044}b",
            "a\u{ff0f}b",
            "a،b",
            "a\u{2010}b",
            "a·b",
            "a\u{1f600}",
            // A combining mark cannot start a name.
            "\u{301}a",
            "strasse\u{df}",
        ] {
            assert!(n.parse::<DocName>().is_err(), "{n:?}");
        }
    }

    #[test]
    fn normalization_and_case_folding_apply_to_typed_names() {
        let n = |s: &str| DocName::normalized(s).map(|d| d.to_string());
        assert_eq!(n("Новости"), Ok("новости".into()));
        assert_eq!(n("CAFE\u{301}"), Ok("café".into()));
        assert_eq!(n("Straße"), Ok("strasse".into()));
        assert_eq!(n("ΟΔΟΣ"), Ok("οδοσ".into()));
        assert_eq!(n("οδος"), Ok("οδοσ".into()));
        assert_eq!(n("South-Front"), Ok("south-front".into()));
        assert!(n("a\u{200b}b").is_err());
    }

    #[test]
    fn mixed_scripts_are_flagged() {
        let d = |s: &str| s.parse::<DocName>().unwrap();
        // Cyrillic а (U+0430) inside a Latin word.
        assert_eq!(d("p\u{430}ypal.com").confusable_parts(), ["p\u{430}ypal"]);
        assert!(d("ria.ru_новости.2019").confusable_parts().is_empty());
        assert!(d("south-front").confusable_parts().is_empty());
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slug("https://www.globalresearch.ca/us-led-coalition/5668").map(|d| d.to_string()),
            Some("globalresearch-ca-us-led-coalition-5668".into())
        );
        assert_eq!(
            slug("Blog Repost 2019-02-12").unwrap().as_str(),
            "blog-repost-2019-02-12"
        );
        assert_eq!(slug("日本").unwrap().as_str(), "日本");
        assert_eq!(slug("Статья (копия)").unwrap().as_str(), "статья-копия");
        assert_eq!(slug("\u{200f}\u{202e}"), None);
        assert!(slug(&"ab ".repeat(200)).unwrap().as_str().len() <= 128);
        assert!(slug(&"жы ".repeat(200)).unwrap().as_str().chars().count() <= 128);
    }

    proptest::proptest! {
        #[test]
        fn every_name_is_folded_nfc_and_free_of_invisible_characters(s in "\\PC{0,40}") {
            if let Ok(d) = DocName::normalized(&s) {
                let t = d.as_str();
                proptest::prop_assert_eq!(fold(t), t);
                proptest::prop_assert!(t.chars().count() <= DocName::MAX_LEN);
                let clean = t.chars().all(|c| !c.is_whitespace() && !c.is_control()
                    && !matches!(c, '/' | '\\' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}'
                        | '\u{2066}'..='\u{2069}' | '\u{feff}'));
                proptest::prop_assert!(clean, "{:?}", t);
                proptest::prop_assert_eq!(t.parse::<DocName>(), Ok(d.clone()));
            }
            if let Some(d) = slug(&s) {
                proptest::prop_assert_eq!(d.as_str().parse::<DocName>(), Ok(d.clone()));
            }
        }
    }
}
