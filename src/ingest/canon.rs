//! Canonical URLs and the document names derived from them (pure).
//!
//! A canonical URL has a lowercase scheme and host, no default port, no
//! fragment and no tracking parameters; a page's own `<link rel=canonical>`
//! or `og:url` wins when it points to the same site. Document names derived
//! from canonical URLs never merge two articles: either the name spells the
//! host and path losslessly, or it ends with a hash of the canonical URL.

// Straight to the name module (not through `ingest`): the store's address
// resolution canonicalizes URLs with this module.
use crate::store::name::{DocName, fold, name_char, slug};

/// Why a URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadUrl {
    #[error("{0:?} is not a valid URL: give an absolute http:// or https:// URL")]
    Invalid(String),
    #[error("{0:?} is not an http:// or https:// URL; vellum fetches only those")]
    Scheme(String),
}

impl BadUrl {
    /// The kind of this error: the URL given cannot be used.
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
}

/// Query parameters that only track who clicked where.
const TRACKING: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "yclid",
    "twclid",
    "ttclid",
    "igshid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "rb_clickid",
    "wt_mc",
    "ocid",
    "cmpid",
    "ref_src",
    "ref_url",
    "smid",
    "sh",
    "__twitter_impression",
];

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_") || k.starts_with("at_") || TRACKING.contains(&k.as_str())
}

/// Parses and canonicalizes an http(s) URL.
pub fn canonicalize(input: &str) -> Result<url::Url, BadUrl> {
    let trimmed = input.trim();
    let mut u = url::Url::parse(trimmed).map_err(|_| BadUrl::Invalid(shown(trimmed)))?;
    if !matches!(u.scheme(), "http" | "https") || u.host_str().is_none() {
        return Err(BadUrl::Scheme(shown(trimmed)));
    }
    // The url crate already lowercases scheme and host, drops default ports
    // and normalizes percent-encoding; the rest is ours.
    u.set_fragment(None);
    if u.query().is_some() {
        let kept: Vec<(String, String)> = u
            .query_pairs()
            .filter(|(k, _)| !is_tracking(k))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if kept.is_empty() {
            u.set_query(None);
        } else {
            u.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    if let Some(host) = u.host_str()
        && host.ends_with('.')
    {
        let h = host.trim_end_matches('.').to_owned();
        let _ = u.set_host(Some(&h));
    }
    Ok(u)
}

fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(100).collect();
    if s.chars().count() > 100 {
        out.push('…');
    }
    out
}

/// The host without a leading `www.`, `m.` or `amp.`.
fn site(host: &str) -> &str {
    ["www.", "m.", "amp.", "mobile."]
        .iter()
        .find_map(|p| host.strip_prefix(p))
        .unwrap_or(host)
}

/// Whether two URLs are on the same site: equal hosts up to `www.`/`m.`, or
/// one a subdomain of the other.
pub fn same_site(a: &url::Url, b: &url::Url) -> bool {
    let (Some(x), Some(y)) = (a.host_str(), b.host_str()) else {
        return false;
    };
    let (x, y) = (site(x), site(y));
    x == y || x.ends_with(&format!(".{y}")) || y.ends_with(&format!(".{x}"))
}

/// The canonical URL of a fetched page: the page's declared canonical URL
/// (`<link rel=canonical>` or `og:url`) when it is on the same site, else the
/// fetched URL, canonicalized either way.
pub fn choose_canonical(fetched: &url::Url, declared: Option<&str>) -> url::Url {
    let fetched = canonicalize(fetched.as_str()).unwrap_or_else(|_| fetched.clone());
    match declared.and_then(|d| canonicalize(d).ok()) {
        Some(d) if same_site(&d, &fetched) => d,
        _ => fetched,
    }
}

/// Hex digits of the canonical-URL hash appended to lossy names.
const HASH_LEN: usize = 10;

/// The text of a percent-encoded path segment, when every escape in it is
/// part of a non-ASCII UTF-8 character (so decoding loses nothing: the URL
/// parser escapes non-ASCII bytes itself, and leaves ASCII as it came).
fn decoded_segment(seg: &str) -> Option<String> {
    let bytes = seg.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = seg.get(i + 1..i + 3)?;
            let b = u8::from_str_radix(hex, 16).ok()?;
            if b < 0x80 {
                return None;
            }
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The host and decoded path, as a person reads them: percent-escapes of
/// UTF-8 text decoded (an Arabic path reads in Arabic), other escapes kept.
fn readable(host: &str, path: &str) -> String {
    let path: Vec<String> = path
        .split('/')
        .map(|seg| decoded_segment(seg).unwrap_or_else(|| seg.to_owned()))
        .collect();
    format!("{host}{}", path.join("/"))
}

/// A document name for a canonical URL that never merges two articles.
///
/// When the host and the decoded path segments are made only of letters
/// and digits (any script: an Arabic or Russian path stays Arabic or
/// Russian) and `-`, already lowercase and in NFC, and there is no query or
/// port, the name spells them out losslessly: `host_seg.seg.seg` (`www.`
/// dropped, a trailing `/` ignored). Otherwise (upper-case letters, dots or
/// `_` in the path, escapes of ASCII characters, queries, names over 128
/// characters) it is a readable slug of host and decoded path plus `-` and a
/// 10-digit hash of the canonical URL. The two forms cannot collide:
/// lossless names contain a `.` and hashed ones never do. Names of ASCII
/// URLs are what they always were.
pub fn doc_name_for_url(canonical: &url::Url) -> DocName {
    let host = canonical.host_str().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = canonical.path();
    let path = path.strip_suffix('/').unwrap_or(path);
    let host_ok = !host.is_empty()
        && host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let segments: Option<Vec<String>> = path
        .split('/')
        .skip(1)
        .map(|seg| {
            let text = decoded_segment(seg)?;
            let ok = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c == '-' || c != '.' && c != '_' && name_char(c))
                && fold(&text) == text;
            ok.then_some(text)
        })
        .collect();
    if let Some(segments) =
        segments.filter(|_| host_ok && canonical.query().is_none() && canonical.port().is_none())
    {
        let name = if segments.is_empty() {
            host.to_owned()
        } else {
            format!("{host}_{}", segments.join("."))
        };
        if let Ok(n) = name.parse() {
            return n;
        }
    }
    let hash = blake3::hash(canonical.as_str().as_bytes()).to_hex();
    let readable = slug(&readable(host, path))
        .map(|s| s.as_str().to_owned())
        .unwrap_or_else(|| "url".to_owned());
    let room = DocName::MAX_LEN - HASH_LEN - 1;
    let mut readable: String = readable.chars().take(room).collect();
    while readable.ends_with('-') {
        readable.pop();
    }
    format!("{readable}-{}", &hash.as_str()[..HASH_LEN])
        .parse()
        .expect("a slug and hex digits form a valid name")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        canonicalize(s).unwrap().to_string()
    }

    #[test]
    fn canonical_form() {
        assert_eq!(
            canon("HTTPS://WWW.Example.COM:443/News/A?utm_source=twitter&id=7&fbclid=x#top"),
            "https://www.example.com/News/A?id=7"
        );
        assert_eq!(
            canon("http://example.com:80/a?utm_medium=x"),
            "http://example.com/a"
        );
        assert_eq!(
            canon("http://example.com:8080/a"),
            "http://example.com:8080/a"
        );
        assert_eq!(
            canon("https://x.org/a?gclid=1&mc_cid=2&mc_eid=3&UTM_Campaign=4"),
            "https://x.org/a"
        );
        assert_eq!(canon("https://example.com./a"), "https://example.com/a");
        assert_eq!(canon("  https://x.org  "), "https://x.org/");
        assert!(matches!(
            canonicalize("ftp://x.org/a"),
            Err(BadUrl::Scheme(_))
        ));
        assert!(matches!(canonicalize("not a url"), Err(BadUrl::Invalid(_))));
        assert!(matches!(
            canonicalize("file:///etc/passwd"),
            Err(BadUrl::Scheme(_))
        ));
    }

    #[test]
    fn declared_canonical_wins_on_the_same_site_only() {
        let fetched = url::Url::parse("https://m.example.com/a?utm_source=x").unwrap();
        assert_eq!(
            choose_canonical(&fetched, Some("https://www.example.com/news/a#x")).as_str(),
            "https://www.example.com/news/a"
        );
        assert_eq!(
            choose_canonical(&fetched, Some("https://evil.example.net/a")).as_str(),
            "https://m.example.com/a"
        );
        assert_eq!(
            choose_canonical(&fetched, Some("javascript:alert(1)")).as_str(),
            "https://m.example.com/a"
        );
        assert_eq!(
            choose_canonical(&fetched, None).as_str(),
            "https://m.example.com/a"
        );
        // A suffix that is not a subdomain is another site.
        let a = url::Url::parse("https://notexample.com/").unwrap();
        let b = url::Url::parse("https://example.com/").unwrap();
        assert!(!same_site(&a, &b));
    }

    fn name(u: &str) -> String {
        doc_name_for_url(&canonicalize(u).unwrap()).to_string()
    }

    #[test]
    fn names_spell_simple_urls() {
        assert_eq!(
            name("https://www.globalresearch.ca/us-led-coalition/5668"),
            "globalresearch.ca_us-led-coalition.5668"
        );
        assert_eq!(name("https://example.com/"), "example.com");
        assert_eq!(
            name("https://example.com/2019/05/story/"),
            "example.com_2019.05.story"
        );
    }

    #[test]
    fn names_read_in_the_article_s_own_script() {
        assert_eq!(
            name(
                "https://www.aljazeera.net/news/2019/5/12/\u{62e}\u{628}\u{631}-\u{639}\u{627}\u{62c}\u{644}"
            ),
            "aljazeera.net_news.2019.5.12.\u{62e}\u{628}\u{631}-\u{639}\u{627}\u{62c}\u{644}"
        );
        assert_eq!(
            name("https://ria.ru/politics/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8"),
            "ria.ru_politics.новости"
        );
        // Upper case in the path: hashed, but still readable, never hex of escapes.
        let upper = name("https://ria.ru/%D0%9D%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1.html");
        assert!(upper.starts_with("ria-ru-новости-1-html-"), "{upper}");
        assert_ne!(upper, name("https://ria.ru/новости/1.html"));
        // Invisible and bidirectional characters never reach a name.
        let bidi = name("https://x.org/a%E2%80%AEb");
        assert!(bidi.starts_with("x-org-a-b-"), "{bidi}");
        let long = format!("https://ria.ru/{}", "новости/".repeat(40));
        assert!(name(&long).chars().count() <= DocName::MAX_LEN);
    }

    #[test]
    fn names_hash_what_a_slug_would_lose() {
        // Escapes of ASCII characters are not decoded into a lossless name.
        assert_ne!(name("https://x.org/a%2Db"), name("https://x.org/a-b"));
        assert!(name("https://x.org/a%2Db").starts_with("x-org-a-2db-"));
        let q1 = name("https://example.com/article.php?id=1");
        let q2 = name("https://example.com/article.php?id=2");
        assert_ne!(q1, q2);
        assert!(q1.starts_with("example-com-article-php-"), "{q1}");
        // Tracking parameters never reach a name.
        assert_eq!(
            name("https://example.com/a?utm_source=twitter"),
            name("https://example.com/a")
        );
        // Paths that a slug would fold together stay apart.
        let pairs = [
            ("https://x.org/a/b", "https://x.org/a-b"),
            ("https://x.org/a.b", "https://x.org/a/b"),
            ("https://x.org/A", "https://x.org/a"),
            ("https://x.org/a_b", "https://x.org/a-b"),
            ("https://x.org/au", "https://x.org.au/"),
            ("http://x.org:8080/a", "http://x.org/a"),
        ];
        for (a, b) in pairs {
            assert_ne!(name(a), name(b), "{a} vs {b}");
        }
        let long = format!("https://example.com/{}", "section/".repeat(40));
        assert!(name(&long).len() <= DocName::MAX_LEN);
    }

    #[test]
    fn a_bad_url_is_invalid_input() {
        let e = canonicalize("ftp://example.org/").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}
