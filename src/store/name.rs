//! Document names: the one user-chosen string that reaches the store, so it is
//! a type with a strict grammar (`[a-z0-9][a-z0-9._-]{0,127}`): no path tricks.

use std::fmt;
use std::str::FromStr;

/// A validated document name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct DocName(String);

/// Why a document name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid document name {shown:?}: use 1-128 characters from a-z, 0-9, '.', '_', '-', starting with a letter or digit"
)]
pub struct InvalidDocName {
    shown: String,
}

impl DocName {
    pub const MAX_LEN: usize = 128;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for DocName {
    type Err = InvalidDocName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && s.bytes().all(|b| {
                b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-')
            });
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

/// A document name derived from free text (a URL or a file stem): lowercase
/// ASCII letters and digits, other runs collapsed to `-`. `None` if nothing usable remains.
pub fn slug(text: &str) -> Option<DocName> {
    let text = text
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
        if out.len() >= DocName::MAX_LEN {
            break;
        }
    }
    out.truncate(DocName::MAX_LEN);
    let out = out.trim_end_matches('-');
    out.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_good_names() {
        for n in ["a", "south-front.2019_02", "0abc", &"x".repeat(128)] {
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
            "é",
        ] {
            assert!(n.parse::<DocName>().is_err(), "{n:?}");
        }
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
        assert_eq!(slug("日本"), None);
        assert!(slug(&"ab ".repeat(200)).unwrap().as_str().len() <= 128);
    }
}
