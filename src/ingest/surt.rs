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
//!   of the shapes the package knows (a 32-character `jsessionid`,
//!   `phpsessid` or `sid`, `aspsessionidXXXXXXXX`, `cfid`, `cftoken`)
//!   dropped as it drops them, an empty query dropped.
//!
//! Percent-escapes of printable characters are decoded (`%7E` → `~`), as
//! the package does. Known differences (rare in news URLs): a few
//! path-session forms and IDNA edge cases. `scripts/check-pywb.sh` compares the keys of an
//! export with the package's.
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

/// Percent-escapes of printable ASCII decoded (but `#`, `%`), again until
/// none is left: what the package's "unescape, then escape only controls,
/// spaces, non-ASCII, `#` and `%`" leaves.
fn minimal_escape(s: &str) -> String {
    let mut cur = s.to_owned();
    loop {
        let b = cur.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok())
                    && (0x21..=0x7e).contains(&v)
                    && v != b'#'
                    && v != b'%'
                {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        let next = String::from_utf8(out).unwrap_or_else(|_| cur.clone());
        if next == cur {
            return cur;
        }
        cur = next;
    }
}

fn path_key(path: &str) -> String {
    let mut p = minimal_escape(path).to_lowercase();
    if p.is_empty() {
        p.push('/');
    }
    if p.len() > 1 && p.ends_with('/') {
        p.pop();
    }
    p
}

fn query_key(query: &str) -> String {
    let query = minimal_escape(query);
    let args: Vec<String> = query.split('&').map(str::to_lowercase).collect();
    let n = args.len();
    let mut kept: Vec<(String, String)> = Vec::with_capacity(n);
    for (i, a) in args.into_iter().enumerate() {
        let (k, v) = match a.split_once('=') {
            Some((k, v)) => (k.to_owned(), format!("={v}")),
            None => (a, String::new()),
        };
        if is_session_id(&k, &v) {
            // The package cuts `id=…` and the `&` after it: a last
            // argument leaves the `&` before it, an empty argument.
            if i + 1 == n && i > 0 {
                kept.push((String::new(), String::new()));
            }
            continue;
        }
        kept.push((k, v));
    }
    kept.sort();
    kept.into_iter()
        .map(|(k, v)| k + &v)
        .collect::<Vec<_>>()
        .join("&")
}

/// The session ids the package drops: `jsessionid`, `phpsessid` and `sid`
/// of 32 letters and digits, `aspsessionidXXXXXXXX` of 24 letters, and
/// `cfid`/`cftoken` (other values are kept: they may name the page).
fn is_session_id(name: &str, value: &str) -> bool {
    let value = value.trim_start_matches('=');
    let alnum = |n: usize| value.len() == n && value.bytes().all(|b| b.is_ascii_alphanumeric());
    let letters = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_alphabetic());
    match name {
        "jsessionid" | "phpsessid" | "sid" => alnum(32),
        "cfid" | "cftoken" => !value.is_empty(),
        n => n
            .strip_prefix("aspsessionid")
            .is_some_and(|rest| letters(rest, 8) && letters(value, 24)),
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
                "com,example)/a?a=3&a1=2&jsessionid=1&z=1",
            ),
            (
                "http://example.com/a;jsessionid=0123456789abcdef0123456789ABCDEF?x=1&sid=0123456789abcdef0123456789abcdef",
                "com,example)/a;jsessionid=0123456789abcdef0123456789abcdef?&x=1",
            ),
            ("example.com/path", "com,example)/path"),
            ("http://wwwexample.com/", "com,wwwexample)/"),
            (
                "http://Example.com/%7Efoo/caf%C3%A9?B=1",
                "com,example)/~foo/caf%c3%a9?b=1",
            ),
            ("http://café.example/a b", "example,xn--caf-dma)/a%20b"),
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
