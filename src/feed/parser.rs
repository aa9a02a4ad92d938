//! A feed document parsed and bounded: the pages its items link to.

/// Largest feed document read (a feed is a list of links, not the pages).
pub const MAX_FEED_BYTES: usize = 8 << 20;
/// Items taken from one feed document (the first ones, usually the newest).
pub const MAX_ITEMS: usize = 500;
/// Longest item link kept.
pub const MAX_LINK_LEN: usize = 4096;

/// Why a feed could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the feed is {size} bytes, over the {limit}-byte limit")]
    TooLarge { size: usize, limit: usize },
    #[error("not an RSS, Atom or JSON feed: {0}")]
    Malformed(String),
}

impl FeedError {
    /// The kind of this error: the feed as served cannot be read.
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
}

/// One item of a feed: the page it links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The page's URL (absolute, http or https, as the feed gives it).
    pub link: String,
    pub title: Option<String>,
}

/// A feed reduced to its items' pages, in feed order, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Feed {
    pub title: Option<String>,
    pub items: Vec<Item>,
    /// Items beyond [`MAX_ITEMS`] or without a usable link.
    pub skipped: usize,
}

/// Parses a feed document fetched from `feed_url` (which resolves relative
/// links). Bounded: [`MAX_FEED_BYTES`] of input, [`MAX_ITEMS`] items, links
/// of at most [`MAX_LINK_LEN`] bytes; never panics.
pub fn parse(bytes: &[u8], feed_url: &str) -> Result<Feed, FeedError> {
    if bytes.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge {
            size: bytes.len(),
            limit: MAX_FEED_BYTES,
        });
    }
    let base = url::Url::parse(feed_url).ok();
    let parsed = feed_rs::parser::Builder::new()
        .base_uri(base.as_ref().map(|u| u.as_str()))
        .build()
        .parse(bytes)
        .map_err(|e| FeedError::Malformed(shorten(&e.to_string())))?;
    let mut feed = Feed {
        title: parsed.title.map(|t| shorten(&t.content)),
        ..Feed::default()
    };
    let mut seen = std::collections::HashSet::new();
    for entry in parsed.entries {
        if feed.items.len() >= MAX_ITEMS {
            feed.skipped += 1;
            continue;
        }
        let link = entry
            .links
            .iter()
            .filter(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
            .chain(entry.links.iter())
            .find_map(|l| absolute(&l.href, base.as_ref()));
        match link {
            Some(link) if seen.insert(link.clone()) => feed.items.push(Item {
                link,
                title: entry.title.map(|t| shorten(&t.content)),
            }),
            Some(_) => {}
            None => feed.skipped += 1,
        }
    }
    Ok(feed)
}

/// An item link made absolute, if it is a usable http(s) URL.
fn absolute(href: &str, base: Option<&url::Url>) -> Option<String> {
    let href = href.trim();
    if href.is_empty() || href.len() > MAX_LINK_LEN {
        return None;
    }
    let u = match base {
        Some(b) => b.join(href).ok()?,
        None => url::Url::parse(href).ok()?,
    };
    matches!(u.scheme(), "http" | "https")
        .then(|| u.host_str().is_some())
        .filter(|h| *h)
        .map(|_| u.to_string())
}

/// A string cut to 200 characters for messages and titles.
fn shorten(s: &str) -> String {
    let s = s.trim();
    let mut out: String = s.chars().take(200).collect();
    if s.chars().count() > 200 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.org/feed.xml";

    #[test]
    fn rss_atom_and_json_feed() {
        let rss = br#"<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>
            <item><title>A</title><link>https://example.org/a</link></item>
            <item><title>B</title><link>/b</link></item>
            <item><title>A again</title><link>https://example.org/a</link></item>
            <item><title>No link</title></item>
            </channel></rss>"#;
        let f = parse(rss, BASE).unwrap();
        let links: Vec<&str> = f.items.iter().map(|i| i.link.as_str()).collect();
        assert_eq!(links, ["https://example.org/a", "https://example.org/b"]);
        assert_eq!(f.title.as_deref(), Some("News"));
        let atom = br#"<?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id>
            <updated>2024-01-01T00:00:00Z</updated>
            <entry><title>C</title><id>urn:c</id><updated>2024-01-01T00:00:00Z</updated>
            <link rel="alternate" href="https://example.org/c"/></entry></feed>"#;
        assert_eq!(
            parse(atom, BASE).unwrap().items[0].link,
            "https://example.org/c"
        );
        let json = br#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
            "items": [{"id": "1", "url": "https://example.org/d"},
                      {"id": "2", "url": "javascript:alert(1)"}]}"#;
        let f = parse(json, BASE).unwrap();
        assert_eq!(f.items.len(), 1);
        assert_eq!(f.items[0].link, "https://example.org/d");
    }

    #[test]
    fn bounds_and_errors() {
        assert!(matches!(
            parse(b"<html><body>not a feed</body></html>", BASE),
            Err(FeedError::Malformed(_))
        ));
        assert!(matches!(parse(b"", BASE), Err(FeedError::Malformed(_))));
        let big = vec![b' '; MAX_FEED_BYTES + 1];
        assert!(matches!(parse(&big, BASE), Err(FeedError::TooLarge { .. })));
        let items: String = (0..MAX_ITEMS + 5)
            .map(|i| format!("<item><link>https://example.org/{i}</link></item>"))
            .collect();
        let rss = format!("<rss version=\"2.0\"><channel><title>x</title>{items}</channel></rss>");
        let f = parse(rss.as_bytes(), BASE).unwrap();
        assert_eq!((f.items.len(), f.skipped), (MAX_ITEMS, 5));
    }

    #[test]
    fn a_malformed_feed_is_invalid_input() {
        let e = parse(b"<html>not a feed</html>", "https://example.org/feed").unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}
