//! The memento page: vellum's own page for the version a capture saw (its
//! text, escaped; the capture record; links to the diffs and to the
//! neighbouring mementos). The captured HTML itself is never rendered here.

use std::fmt::Write;

use crate::query::mementos::{Memento, http_date, neighbours};
use crate::store::Archive;
use crate::when::format_time;

use super::super::error::WebError;
use super::super::page::{Frame, esc, href, page, qs};
use super::links::Uris;

/// Longest text shown on the page (the whole text is at /capture/ID/text).
const TEXT_LIMIT: usize = 2 << 20;

/// The page of memento `all[i]`.
pub fn memento_html(
    archive: &Archive,
    uris: &Uris<'_>,
    all: &[Memento],
    i: usize,
    search: bool,
) -> Result<String, WebError> {
    let m = &all[i];
    let rec = archive.record(&m.capture)?;
    let history = archive.history(&m.doc)?;
    let version = history.version_of(&m.capture).filter(|&v| v > 0);
    let count = history.versions.len() as u64;
    let doc = m.doc.as_str();
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{} <span class=\"muted\">as archived {}</span></h1>",
        esc(rec.title.as_deref().unwrap_or(doc)),
        esc(&http_date(m.at))
    );
    let _ = writeln!(
        b,
        "<p class=\"muted\">Memento of {} · the capture named by this address is the last of its second.</p>",
        href(uris.original)
    );
    b.push_str("<nav class=\"pager\">");
    let n = neighbours(all, i);
    for (label, at) in [
        ("first", Some(n.first)),
        ("← previous", n.prev),
        ("next →", n.next),
        ("last", Some(n.last)),
    ] {
        if let Some(j) = at.filter(|&j| j != i) {
            let _ = write!(b, "<a href=\"{}\">{label}</a>", esc(&uris.memento(&all[j])));
        }
    }
    let _ = write!(
        b,
        "<a href=\"{}\">TimeMap</a><a href=\"{}\">raw bytes</a>",
        esc(&uris.timemap("link")),
        esc(&uris.raw(m))
    );
    b.push_str("</nav>\n");
    version_links(&mut b, doc, version, count);
    record_table(&mut b, m, &rec);
    let same: Vec<&Memento> = all
        .iter()
        .filter(|o| o.at.unix_timestamp() == m.at.unix_timestamp() && o.capture != m.capture)
        .collect();
    if !same.is_empty() {
        b.push_str("<h2>Other captures in this second</h2>\n<ul>\n");
        for o in same {
            let _ = writeln!(
                b,
                "<li>{} · <a class=\"id\" href=\"/capture/{id}/text\">{id}</a></li>",
                esc(&format_time(o.at)),
                id = o.capture
            );
        }
        b.push_str("</ul>\n");
    }
    match rec.text {
        Some(t) => {
            let bytes = archive.read_object(&t)?;
            let text = String::from_utf8_lossy(&bytes[..bytes.len().min(TEXT_LIMIT)]);
            let _ = writeln!(b, "<h2>Text</h2>\n<pre class=\"text\">{}</pre>", esc(&text));
        }
        None => {
            b.push_str("<p class=\"muted\">These bytes have no text (not a text format).</p>\n")
        }
    }
    let title = format!("{doc} · {}", format_time(m.at));
    Ok(page(
        &Frame {
            title: &title,
            search,
            keys: false,
            wide: false,
        },
        &b,
    ))
}

fn version_links(b: &mut String, doc: &str, version: Option<u64>, count: u64) {
    b.push_str("<p>");
    let _ = write!(b, "Document <a href=\"/doc/{}\">{}</a>", qs(doc), esc(doc));
    match version {
        Some(v) => {
            let _ = write!(
                b,
                ", version <a href=\"/doc/{}/{v}\">@{v}</a> of {count}",
                qs(doc)
            );
            if v > 1 {
                let _ = write!(
                    b,
                    " · <a href=\"/diff?a={}&amp;b={}\">diff with @{}</a>",
                    qs(&format!("{doc}@{}", v - 1)),
                    qs(&format!("{doc}@{v}")),
                    v - 1
                );
            }
            if v < count {
                let _ = write!(
                    b,
                    " · <a href=\"/diff?a={}&amp;b={}\">diff with @{}</a>",
                    qs(&format!("{doc}@{v}")),
                    qs(&format!("{doc}@{}", v + 1)),
                    v + 1
                );
            }
        }
        None => b.push_str(" (this capture is no version: flagged)"),
    }
    b.push_str("</p>\n");
}

fn record_table(b: &mut String, m: &Memento, rec: &crate::store::CaptureRecord) {
    b.push_str("<table class=\"record\">\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(b, "<tr><th>{k}</th><td>{v}</td></tr>");
    };
    row(
        "Capture",
        format!(
            "<span class=\"id\">{id}</span> · <a href=\"/capture/{id}/text\">text</a> · <a href=\"/capture/{id}/raw\">bytes</a>",
            id = m.capture
        ),
    );
    row("Captured at", esc(&format_time(m.at)));
    row("URL", href(&m.url));
    if let Some(c) = &rec.canonical_url {
        row("Canonical URL", href(c));
    }
    row("Media type", esc(&rec.media_type));
    if let Some(s) = m.status {
        row("HTTP status", s.to_string());
    }
    if let Some(s) = &rec.source {
        row("Source", esc(s));
    }
    row("Bytes", rec.size.to_string());
    b.push_str("</table>\n");
}
