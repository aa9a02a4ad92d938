//! Memento `Link` headers and TimeMaps (RFC 7089 §5 and §4.3): the link
//! format and a JSON form, paged for large ones. Pure: from the list of
//! mementos and the addresses of this server.

use std::fmt::Write;

use schemars::JsonSchema;
use serde::Serialize;

use crate::query::mementos::{Memento, http_date, timestamp14};
use crate::when::format_time;

/// Mementos per TimeMap page.
pub const TIMEMAP_PAGE: usize = 10_000;

/// The addresses of one original resource on this server.
pub struct Uris<'a> {
    /// `http://host:port`, no trailing slash.
    pub base: &'a str,
    /// The original resource (URI-R), as requested.
    pub original: &'a str,
}

impl Uris<'_> {
    pub fn timegate(&self) -> String {
        format!("{}/web/{}", self.base, self.original)
    }
    pub fn timemap(&self, format: &str) -> String {
        format!("{}/timemap/{format}/{}", self.base, self.original)
    }
    fn timemap_from(&self, format: &str, m: &Memento) -> String {
        format!(
            "{}/timemap/{format}/{}/{}",
            self.base,
            timestamp14(m.at),
            self.original
        )
    }
    pub fn memento(&self, m: &Memento) -> String {
        format!("{}/web/{}/{}", self.base, timestamp14(m.at), self.original)
    }
    pub fn raw(&self, m: &Memento) -> String {
        format!(
            "{}/web/{}id_/{}",
            self.base,
            timestamp14(m.at),
            self.original
        )
    }
}

/// One link of a `Link` header: its target, relations and datetime.
fn link(out: &mut String, uri: &str, rel: &str, datetime: Option<&Memento>, extra: &str) {
    if !out.is_empty() {
        out.push_str(", ");
    }
    let _ = write!(out, "<{uri}>; rel=\"{rel}\"{extra}");
    if let Some(m) = datetime {
        let _ = write!(out, "; datetime=\"{}\"", http_date(m.at));
    }
}

/// Mementos named in one header, each once, their relations merged
/// (`first prev memento`), in the order first, prev, this, next, last.
fn memento_links(out: &mut String, uris: &Uris<'_>, named: &[(&str, &Memento)]) {
    let mut merged: Vec<(String, Vec<&str>, &Memento)> = Vec::new();
    for (rel, m) in named {
        let uri = uris.memento(m);
        match merged.iter_mut().find(|(u, _, _)| *u == uri) {
            Some((_, rels, _)) => rels.push(rel),
            None => merged.push((uri, vec![rel], m)),
        }
    }
    for (uri, rels, m) in merged {
        link(
            out,
            &uri,
            &format!("{} memento", rels.join(" ")),
            Some(m),
            "",
        );
    }
}

/// The `Link` header of a TimeGate's redirect: the original, the TimeMap,
/// the first and last mementos.
pub fn timegate_links(uris: &Uris<'_>, all: &[Memento]) -> String {
    let mut out = String::new();
    link(&mut out, uris.original, "original", None, "");
    link(
        &mut out,
        &uris.timemap("link"),
        "timemap",
        None,
        "; type=\"application/link-format\"",
    );
    if let (Some(first), Some(last)) = (all.first(), all.last()) {
        memento_links(&mut out, uris, &[("first", first), ("last", last)]);
    }
    out
}

/// The `Link` header of memento `all[i]`: original, TimeGate, TimeMap,
/// and the first, previous, next and last mementos (by second).
pub fn memento_header(uris: &Uris<'_>, all: &[Memento], i: usize) -> String {
    let n = crate::query::mementos::neighbours(all, i);
    let mut out = String::new();
    link(&mut out, uris.original, "original", None, "");
    link(&mut out, &uris.timegate(), "timegate", None, "");
    link(
        &mut out,
        &uris.timemap("link"),
        "timemap",
        None,
        "; type=\"application/link-format\"",
    );
    let mut named: Vec<(&str, &Memento)> = vec![("first", &all[n.first])];
    if let Some(p) = n.prev {
        named.push(("prev", &all[p]));
    }
    if let Some(x) = n.next {
        named.push(("next", &all[x]));
    }
    named.push(("last", &all[n.last]));
    memento_links(&mut out, uris, &named);
    out
}

/// One page of a TimeMap: `all[start..end]`, and where the pages before
/// and after it start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub start: usize,
    pub end: usize,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    /// The page size asked for.
    pub size: usize,
}

/// Where the page starting at `start` ends: `size` mementos on, then to
/// the end of that second (a page never splits a second).
fn page_end(all: &[Memento], start: usize, size: usize) -> usize {
    let sec = |i: usize| all[i].at.unix_timestamp();
    let mut end = (start + size).min(all.len());
    while end > start && end < all.len() && sec(end) == sec(end - 1) {
        end += 1;
    }
    end
}

/// The page of at most `size` mementos (more when one second's captures
/// straddle the end) starting at the first memento at or after `from`
/// (`None`: the first page). Pages follow each other from the first, so
/// the previous page is the one of that chain before `start`.
pub fn page(all: &[Memento], from: Option<time::OffsetDateTime>, size: usize) -> Page {
    let size = size.max(1);
    let start = from.map_or(0, |f| {
        all.partition_point(|m| m.at.unix_timestamp() < f.unix_timestamp())
    });
    let end = page_end(all, start, size);
    let prev = (start > 0).then(|| {
        let mut s = 0;
        loop {
            let e = page_end(all, s, size);
            if e >= start || e == s {
                return s;
            }
            s = e;
        }
    });
    Page {
        start,
        end,
        prev,
        next: (end < all.len()).then_some(end),
        size,
    }
}

/// A TimeMap page in the link format (`application/link-format`).
pub fn timemap_link(uris: &Uris<'_>, all: &[Memento], p: Page) -> String {
    let list = &all[p.start..p.end];
    let mut out = String::new();
    let _ = writeln!(out, "<{}>; rel=\"original\",", uris.original);
    let _ = writeln!(out, "<{}>; rel=\"timegate\",", uris.timegate());
    let self_uri = match p.start {
        0 => uris.timemap("link"),
        s => uris.timemap_from("link", &all[s]),
    };
    let _ = write!(
        out,
        "<{self_uri}>; rel=\"self\"; type=\"application/link-format\""
    );
    if let (Some(f), Some(l)) = (list.first(), list.last()) {
        let _ = write!(
            out,
            "; from=\"{}\"; until=\"{}\"",
            http_date(f.at),
            http_date(l.at)
        );
    }
    // The other pages, as RFC 7089 §5 links them: rel="timemap" with the
    // span each covers.
    for i in [p.prev, p.next].into_iter().flatten() {
        let last = page_end(all, i, p.size) - 1;
        let uri = match i {
            0 => uris.timemap("link"),
            _ => uris.timemap_from("link", &all[i]),
        };
        let _ = write!(
            out,
            ",\n<{uri}>; rel=\"timemap\"; type=\"application/link-format\"; from=\"{}\"; until=\"{}\"",
            http_date(all[i].at),
            http_date(all[last].at)
        );
    }
    for (k, m) in list.iter().enumerate() {
        let i = p.start + k;
        let rel = match (i == 0, i + 1 == all.len()) {
            (true, true) => "first last memento",
            (true, false) => "first memento",
            (false, true) => "last memento",
            (false, false) => "memento",
        };
        let _ = write!(
            out,
            ",\n<{}>; rel=\"{rel}\"; datetime=\"{}\"",
            uris.memento(m),
            http_date(m.at)
        );
    }
    out.push('\n');
    out
}

/// A memento in a JSON TimeMap.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct JsonMemento {
    /// RFC 3339, to the second (the name's precision).
    pub datetime: String,
    pub uri: String,
    /// The capture (captures within one second share `uri`; this tells
    /// them apart).
    pub capture: String,
    pub doc: String,
    /// The captured-at time with its sub-second digits.
    pub captured_at: String,
}

/// The two forms of a TimeMap.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TimemapUris {
    pub link_format: String,
    pub json_format: String,
}

/// First, last and every memento of a JSON TimeMap page.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct JsonMementos {
    pub first: Option<JsonMemento>,
    pub last: Option<JsonMemento>,
    pub list: Vec<JsonMemento>,
}

/// A TimeMap in JSON (the shape of the Memento aggregator's JSON TimeMaps,
/// plus the capture ids and the neighbouring pages).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct JsonTimemap {
    pub original_uri: String,
    pub timegate_uri: String,
    pub timemap_uri: TimemapUris,
    pub mementos: JsonMementos,
    /// The previous and next pages, when the TimeMap is paged.
    pub prev_page: Option<String>,
    pub next_page: Option<String>,
}

/// A TimeMap page as JSON.
pub fn timemap_json(uris: &Uris<'_>, all: &[Memento], p: Page) -> JsonTimemap {
    let item = |m: &Memento| JsonMemento {
        datetime: format_time(m.at),
        uri: uris.memento(m),
        capture: m.capture.to_string(),
        doc: m.doc.clone(),
        captured_at: m
            .at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
    };
    JsonTimemap {
        original_uri: uris.original.to_owned(),
        timegate_uri: uris.timegate(),
        timemap_uri: TimemapUris {
            link_format: uris.timemap("link"),
            json_format: uris.timemap("json"),
        },
        mementos: JsonMementos {
            first: all.first().map(item),
            last: all.last().map(item),
            list: all[p.start..p.end].iter().map(item).collect(),
        },
        prev_page: p.prev.map(|i| match i {
            0 => uris.timemap("json"),
            _ => uris.timemap_from("json", &all[i]),
        }),
        next_page: p.next.map(|i| uris.timemap_from("json", &all[i])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ObjectId;
    use crate::store::CaptureId;
    use time::macros::datetime;

    fn list(times: &[time::OffsetDateTime]) -> Vec<Memento> {
        times
            .iter()
            .enumerate()
            .map(|(n, t)| Memento {
                capture: CaptureId(ObjectId::from_bytes([n as u8; 32])),
                doc: "d".into(),
                at: *t,
                url: "https://example.org/a".into(),
                mime: "text/html".into(),
                status: None,
                content: ObjectId::from_bytes([n as u8; 32]),
            })
            .collect()
    }

    const URIS: Uris<'static> = Uris {
        base: "http://h",
        original: "https://example.org/a",
    };

    #[test]
    fn a_memento_names_its_neighbours_once_each() {
        let all = list(&[
            datetime!(2019-01-01 0:00 UTC),
            datetime!(2019-02-01 0:00 UTC),
            datetime!(2019-03-01 0:00 UTC),
        ]);
        let h = memento_header(&URIS, &all, 1);
        assert!(h.starts_with("<https://example.org/a>; rel=\"original\", <http://h/web/https://example.org/a>; rel=\"timegate\""), "{h}");
        assert!(h.contains("<http://h/web/20190101000000/https://example.org/a>; rel=\"first prev memento\"; datetime=\"Tue, 01 Jan 2019 00:00:00 GMT\""), "{h}");
        assert!(h.contains("<http://h/web/20190301000000/https://example.org/a>; rel=\"next last memento\"; datetime=\"Fri, 01 Mar 2019 00:00:00 GMT\""), "{h}");
        let first = memento_header(&URIS, &all, 0);
        assert!(!first.contains("prev"), "{first}");
    }

    #[test]
    fn timemap_pages_never_split_a_second() {
        let all = list(&[
            datetime!(2019-01-01 0:00 UTC),
            datetime!(2019-01-02 0:00:00.1 UTC),
            datetime!(2019-01-02 0:00:00.2 UTC),
            datetime!(2019-01-03 0:00 UTC),
            datetime!(2019-01-04 0:00 UTC),
        ]);
        let p = page(&all, None, 2);
        assert_eq!((p.start, p.end, p.prev, p.next), (0, 3, None, Some(3)));
        let p2 = page(&all, Some(all[3].at), 2);
        assert_eq!((p2.start, p2.end, p2.prev, p2.next), (3, 5, Some(0), None));
        let body = timemap_link(&URIS, &all, p);
        assert_eq!(body.matches("rel=\"first memento\"").count(), 1);
        assert_eq!(body.matches("memento\"; datetime").count(), 3, "{body}");
        assert!(
            body.contains("<http://h/timemap/link/20190103000000/https://example.org/a>; rel=\"timemap\"; type=\"application/link-format\"; from=\"Thu, 03 Jan 2019 00:00:00 GMT\"; until=\"Fri, 04 Jan 2019 00:00:00 GMT\""),
            "{body}"
        );
        let back = timemap_link(&URIS, &all, p2);
        assert!(
            back.contains("<http://h/timemap/link/https://example.org/a>; rel=\"timemap\""),
            "{back}"
        );
        let whole = timemap_link(&URIS, &all, page(&all, None, 100));
        assert!(whole.contains("rel=\"last memento\""));
        assert!(!whole.contains("rel=\"timemap\""));
    }
}
