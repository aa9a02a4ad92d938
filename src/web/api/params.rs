//! Query strings as the API reads them: bounded, every parameter known,
//! none given twice, each value checked.

use time::OffsetDateTime;

use super::problem::ApiError;
use crate::query::paging::PageRequest;
use crate::when::parse_time_bound;

/// The longest query string read.
const MAX_QUERY: usize = 4096;

/// A request's query parameters.
#[derive(Debug, Clone, Default)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses `raw`, refusing parameters not in `known` (a typo would
    /// otherwise be silently ignored) and repeated ones.
    pub fn parse(raw: Option<&str>, known: &[&str]) -> Result<Params, ApiError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY {
            return Err(ApiError::invalid(format!(
                "the query string is {} bytes; at most {MAX_QUERY} are read",
                raw.len()
            )));
        }
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (k, v) in url::form_urlencoded::parse(raw.as_bytes()) {
            if !known.contains(&&*k) {
                return Err(ApiError::invalid(format!(
                    "unknown parameter {:?}; this endpoint takes {}",
                    k.chars().take(40).collect::<String>(),
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known.join(", ")
                    }
                )));
            }
            if pairs.iter().any(|(p, _)| *p == k) {
                return Err(ApiError::invalid(format!(
                    "{k} is given twice; give it once"
                )));
            }
            pairs.push((k.into_owned(), v.into_owned()));
        }
        Ok(Params { pairs })
    }

    /// The value of `key`, trimmed; `None` when absent or empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The value of `key`, which must be given.
    pub fn required(&self, key: &str, example: &str) -> Result<&str, ApiError> {
        self.get(key).ok_or_else(|| {
            ApiError::invalid(format!("missing {key}: for example ?{key}={example}"))
        })
    }

    /// A yes/no parameter (`1`, `true`, `yes`, `on`; `0`, `false`, `no`,
    /// `off`; absent is no).
    pub fn flag(&self, key: &str) -> Result<bool, ApiError> {
        match self.get(key) {
            None => Ok(false),
            Some("1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(ApiError::invalid(format!(
                "{key}={:?}: use {key}=1 or {key}=0",
                v.chars().take(40).collect::<String>()
            ))),
        }
    }

    /// A whole number from `min` to `max`, `default` when absent.
    pub fn number(&self, key: &str, default: u64, min: u64, max: u64) -> Result<u64, ApiError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "{key}={:?} is not a number from {min} to {max}",
                        v.chars().take(40).collect::<String>()
                    ))
                }),
        }
    }

    /// A time bound (RFC 3339 or shorter; a date alone as `until` is the
    /// end of that day).
    pub fn time(&self, key: &str, end: bool) -> Result<Option<OffsetDateTime>, ApiError> {
        self.get(key)
            .map(|v| parse_time_bound(v, end).map_err(|e| ApiError::invalid(format!("{key}: {e}"))))
            .transpose()
    }

    /// The page `cursor` and `limit` ask for in `listing`.
    pub fn page(&self, listing: &'static str) -> Result<PageRequest, ApiError> {
        Ok(PageRequest::parse(
            listing,
            self.get("cursor"),
            self.get("limit"),
        )?)
    }

    /// The address of the page after this one: `path` with the same
    /// parameters and `cursor=next`.
    pub fn next_url(&self, path: &str, next: Option<&str>) -> Option<String> {
        let next = next?;
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in self.pairs.iter().filter(|(k, _)| k != "cursor") {
            q.append_pair(k, v);
        }
        q.append_pair("cursor", next);
        Some(format!("{path}?{}", q.finish()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_known_single_and_checked() {
        let p = Params::parse(Some("q=a+b&limit=5&cursor=xyz"), &["q", "limit", "cursor"]).unwrap();
        assert_eq!(p.get("q"), Some("a b"));
        assert_eq!(
            p.next_url("/api/v1/documents", Some("N")).as_deref(),
            Some("/api/v1/documents?q=a+b&limit=5&cursor=N")
        );
        assert_eq!(p.next_url("/x", None), None);
        assert!(Params::parse(Some("qq=1"), &["q"]).is_err());
        assert!(Params::parse(Some("q=1&q=2"), &["q"]).is_err());
        let long = format!("q={}", "a".repeat(MAX_QUERY));
        assert!(Params::parse(Some(&long), &["q"]).is_err());
        let f = Params::parse(Some("a=1&b=maybe&n=7"), &["a", "b", "n"]).unwrap();
        assert!(f.flag("a").unwrap());
        assert!(f.flag("b").is_err());
        assert!(!f.flag("c").unwrap());
        assert_eq!(f.number("n", 1, 1, 10).unwrap(), 7);
        assert!(f.number("n", 1, 1, 5).is_err());
        assert!(f.required("q", "x").is_err());
    }
}
