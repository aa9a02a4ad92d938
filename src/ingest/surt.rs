//! URL keys as the Wayback tools sort and match them: SURT ("Sort-friendly
//! URI Reordering Transform"), with the canonicalization pywb applies
//! before it (the Python `surt` package's defaults, which pywb uses for
//! its CDXJ indexes and lookups).
//!
//! `http://www.Example.com:80/News/?b=2&a=1#top` → `com,example)/news?a=1&b=2`
//!
//! - scheme, user info, fragment and default port dropped; a non-default
//!   port kept after the host (`com,example:8080)/`);
//! - host lowercased, IDNA (punycode), dots trimmed, a leading `www.` (or
//!   `www2.`…) dropped, labels reversed and joined by commas (IP addresses
//!   too, as the package does);
//! - path and query lowercased, dot segments resolved, a trailing `/`
//!   dropped unless the path is `/`;
//! - query arguments sorted (by name, then value), session ids
//!   (`jsessionid`, `phpsessid`, `aspsessionidXXXXXXXX`, `cfid`, `cftoken`,
//!   a 32-character `sid`) dropped, an empty query dropped.
//!
//! Pure: no I/O. What is not an http(s) URL keys as itself, lowercased, so
//! it still sorts and matches consistently.

/// The SURT key of `url`.
pub fn surt(url: &str) -> String {
    let trimmed: String = url
        .trim()
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let with_scheme = if has_scheme(&trimmed) {
        trimmed.clone()
    } else {
        format!("http://{trimmed}")
    };
    let Ok(u) = url::Url::parse(&with_scheme) else {
        return trimmed.to_lowercase();
    };
    if !matches!(u.scheme(), "http" | "https") {
        return trimmed.to_lowercase();
    }
    let Some(host) = u.host_str() else {
        return trimmed.to_lowercase();
    };
    let mut key = host_key(host);
    // `Url` already drops the scheme's default port.
    if let Some(port) = u.port() {
        key.push_str(&format!(":{port}"));
    }
    key.push(')');
    key.push_str(&path_key(u.path()));
    if let Some(q) = u.query().map(query_key).filter(|q| !q.is_empty()) {
        key.push('?');
        key.push_str(&q);
    }
    key
}

/// Whether `s` starts with a URL scheme (`name:`, then `//`).
fn has_scheme(s: &str) -> bool {
    match s.split_once("://") {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => s.contains(':') && !s.contains('/') && !s.contains('.'),
    }
}

fn host_key(host: &str) -> String {
    let host = host.trim_matches('.').to_ascii_lowercase();
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = strip_www(host);
    let mut labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    labels.reverse();
    labels.join(",")
}

/// `www.`, `www2.`, `www13.`… at the start of a host, as the package drops it.
fn strip_www(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix("www")
        && let Some(dot) = rest.find('.')
        && rest[..dot].chars().all(|c| c.is_ascii_digit())
    {
        return &rest[dot + 1..];
    }
    host
}

fn path_key(path: &str) -> String {
    let mut p = path.to_lowercase();
    // `;jsessionid=…` path parameters.
    if let Some(at) = p.find(";jsessionid=") {
        p.truncate(at);
    }
    if p.is_empty() {
        p.push('/');
    }
    if p.len() > 1 && p.ends_with('/') {
        p.pop();
    }
    p
}

fn query_key(query: &str) -> String {
    let mut args: Vec<(String, String)> = query
        .split('&')
        .filter(|a| !a.is_empty())
        .map(|a| {
            let a = a.to_lowercase();
            match a.split_once('=') {
                Some((k, v)) => (k.to_owned(), format!("={v}")),
                None => (a, String::new()),
            }
        })
        .filter(|(k, v)| !is_session_id(k, v))
        .collect();
    args.sort();
    args.into_iter()
        .map(|(k, v)| k + &v)
        .collect::<Vec<_>>()
        .join("&")
}

fn is_session_id(name: &str, value: &str) -> bool {
    let value = value.trim_start_matches('=');
    match name {
        "jsessionid" | "phpsessid" | "cfid" | "cftoken" => true,
        "sid" => value.len() == 32 && value.chars().all(|c| c.is_ascii_alphanumeric()),
        n => n.starts_with("aspsessionid") && n.len() == "aspsessionid".len() + 8,
    }
}

#[cfg(test)]
mod tests {
    use super::surt;

    #[test]
    fn keys_as_pywb_sorts_them() {
        let cases = [
            ("http://example.com", "com,example)/"),
            ("https://example.com/", "com,example)/"),
            (
                "http://www.Example.com:80/News/?b=2&a=1#top",
                "com,example)/news?a=1&b=2",
            ),
            ("https://www2.example.org:443/a/b/", "org,example)/a/b"),
            ("http://example.com:8080/x", "com,example:8080)/x"),
            (
                "http://127.0.0.1:9000/page.html",
                "1,0,0,127:9000)/page.html",
            ),
            ("http://user:pw@example.com/a/../b", "com,example)/b"),
            ("http://example.com/a?", "com,example)/a"),
            (
                "http://example.com/a?jsessionid=1&z=1&a1=2&a=3",
                "com,example)/a?a=3&a1=2&z=1",
            ),
            ("example.com/path", "com,example)/path"),
            ("http://wwwexample.com/", "com,wwwexample)/"),
            ("urn:vellum:capture:AB", "urn:vellum:capture:ab"),
        ];
        for (url, key) in cases {
            assert_eq!(surt(url), key, "{url}");
        }
    }

    #[test]
    fn spellings_of_one_page_share_a_key() {
        let k = surt("https://www.example.com/story/");
        for u in [
            "http://example.com/story",
            "HTTP://EXAMPLE.COM/Story#comments",
            "https://www.example.com:443/story/",
        ] {
            assert_eq!(surt(u), k, "{u}");
        }
        assert_ne!(surt("https://example.com/story2"), k);
    }
}
