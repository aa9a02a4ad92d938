//! The documents page, a document's timeline, and a version's page. Each
//! returns the whole HTML page; every archived string goes through
//! [`esc`] or [`href`].

use std::fmt::Write;

use super::app::App;
use super::chart;
use super::error::WebError;
use super::page::{Frame, esc, href, page, qs};
use crate::query;
use crate::store::{Address, Archive, CaptureRecord, DocName, History};
use crate::when::format_time;

fn frame<'a>(app: &App, title: &'a str) -> Frame<'a> {
    Frame {
        title,
        search: app.search,
        keys: false,
        wide: false,
    }
}

/// A document name from a URL, checked.
pub fn doc_name(doc: &str) -> Result<DocName, WebError> {
    doc.parse()
        .map_err(|e: crate::store::name::InvalidDocName| {
            WebError::BadRequest(format!("{e}; the front page lists every document"))
        })
}

/// `/`: every document with its counts.
pub fn index(app: &App, archive: &Archive) -> Result<String, WebError> {
    let docs = query::documents_titled(archive, &mut |key| {
        app.titles.get(key, || query::text_title(archive, key))
    })?;
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Documents</h1>\n<p class=\"muted\">{} document{} in the archive.</p>\n",
        docs.len(),
        if docs.len() == 1 { "" } else { "s" }
    );
    if docs.is_empty() {
        b.push_str("<p>Nothing is archived yet: add captures with <code>vellum add</code>.</p>\n");
        return Ok(page(&frame(app, "Documents"), &b));
    }
    b.push_str(
        "<table>\n<thead><tr><th>Title</th><th>Document</th><th class=\"n\">Versions</th>\
<th class=\"n\">Captures</th><th>First</th><th>Last</th></tr></thead>\n<tbody>\n",
    );
    for d in &docs {
        let link = format!("/doc/{}", qs(&d.doc));
        let _ = writeln!(
            b,
            "<tr><td><a href=\"{link}\">{}</a></td><td class=\"id\">{}</td><td class=\"n\">{}</td>\
<td class=\"n\">{}</td><td>{}</td><td>{}</td></tr>",
            esc(d.title.as_deref().unwrap_or(&d.doc)),
            esc(&d.doc),
            d.versions,
            d.captures,
            format_time(d.first),
            format_time(d.last),
        );
    }
    b.push_str("</tbody>\n</table>\n");
    Ok(page(&frame(app, "Documents"), &b))
}

fn diff_link(doc: &str, old: u64, new: u64) -> String {
    format!(
        "/diff?a={}&amp;b={}",
        qs(&format!("{doc}@{old}")),
        qs(&format!("{doc}@{new}"))
    )
}

/// `/doc/DOC`: the versions, newest first, with their statistics, change
/// kinds and a chart of change size over time.
pub fn timeline(app: &App, archive: &Archive, doc: &str) -> Result<String, WebError> {
    let name = doc_name(doc)?;
    let history = archive.history(name.as_str())?;
    if history.versions.is_empty() {
        return Err(WebError::NotFound(format!(
            "no document is named {:?}; the front page lists every document",
            name.as_str()
        )));
    }
    let versions = query::versions_of(archive, &history)?;
    let doc = name.as_str();
    let title = match versions.last() {
        Some(v) => query::title(archive, &v.version)?,
        None => None,
    };
    let title = title.unwrap_or_else(|| doc.to_owned());
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>{}</h1>\n<p class=\"muted\"><span class=\"id\">{}</span> · {} version{} · {} capture{} · \
<a href=\"/doc/{}/{}\">latest version</a></p>\n",
        esc(&title),
        esc(doc),
        versions.len(),
        if versions.len() == 1 { "" } else { "s" },
        history.captures.len(),
        if history.captures.len() == 1 { "" } else { "s" },
        qs(doc),
        versions.len(),
    );
    b.push_str("<h2>Change size over time</h2>\n");
    b.push_str(&chart::svg(doc, &versions));
    b.push_str(
        "<h2>Versions</h2>\n<table>\n<thead><tr><th class=\"n\">#</th><th>Captured</th><th>Source</th>\
<th class=\"n\">Words</th><th class=\"n\">Added</th><th class=\"n\">Removed</th>\
<th class=\"n\">Score</th><th>Changes</th><th class=\"n\">Seen</th><th></th></tr></thead>\n<tbody>\n",
    );
    // Scores are a cache: a page without them is better than no page. All
    // read in one transaction of the index.
    let scores: Vec<String> = match crate::significance::Index::read(archive) {
        Ok(mut idx) => idx.reading(|idx| {
            versions
                .windows(2)
                .map(|w| {
                    idx.score_versions(archive, &w[0].version, &w[1].version)
                        .map(|s| {
                            format!(
                                "<span title=\"{}\">{:.2}</span>",
                                esc(&s.summary()),
                                s.value
                            )
                        })
                        .unwrap_or_default()
                })
                .collect()
        }),
        Err(_) => Vec::new(),
    };
    for (i, v) in versions.iter().enumerate().rev() {
        let ver = &v.version;
        let score = i
            .checked_sub(1)
            .and_then(|p| scores.get(p))
            .map_or("", String::as_str);
        let kinds = match i.checked_sub(1) {
            Some(p) => app
                .kinds
                .kinds(archive, &versions[p].version.key, &ver.key)?,
            None => std::sync::Arc::from(Vec::new()),
        };
        let mut k = String::new();
        if let Some(same) = ver.same_as {
            let _ = write!(k, "<span class=\"kind\">same text as @{same}</span>");
        }
        for kind in kinds.iter() {
            let name = crate::render::kind_name(Some(*kind)).unwrap_or_default();
            let _ = write!(k, "<span class=\"kind\">{}</span>", esc(&name));
        }
        let (added, removed) = match v.change {
            Some((a, r)) => (format!("+{a}"), format!("−{r}")),
            None => (String::new(), String::new()),
        };
        let diff = match i {
            0 => String::new(),
            _ => format!(
                "<a href=\"{}\">diff</a>",
                diff_link(doc, ver.number - 1, ver.number)
            ),
        };
        let _ = writeln!(
            b,
            "<tr id=\"v{n}\"><td class=\"n\"><a href=\"/doc/{d}/{n}\">@{n}</a></td><td>{}</td><td>{}</td>\
<td class=\"n\">{}</td><td class=\"n add\">{added}</td><td class=\"n rem\">{removed}</td>\
<td class=\"n score\">{score}</td><td>{k}</td>\
<td class=\"n\">{}</td><td>{diff}</td></tr>",
            format_time(ver.captured_at),
            esc(ver.source.as_deref().unwrap_or("")),
            v.words.map(|w| w.to_string()).unwrap_or_default(),
            ver.sightings,
            n = ver.number,
            d = qs(doc),
        );
    }
    b.push_str("</tbody>\n</table>\n");
    Ok(page(&frame(app, &title), &b))
}

/// One line of the capture record table, when the record has a value.
fn row(b: &mut String, name: &str, value: Option<String>) {
    if let Some(v) = value {
        let _ = writeln!(b, "<tr><th>{}</th><td>{v}</td></tr>", esc(name));
    }
}

fn record_table(b: &mut String, r: &CaptureRecord) {
    b.push_str("<table class=\"record\">\n");
    row(b, "captured at", Some(format_time(r.captured_at)));
    row(b, "URL", r.url.as_deref().map(href));
    row(b, "canonical URL", r.canonical_url.as_deref().map(href));
    row(b, "source", r.source.as_deref().map(esc));
    row(b, "title", r.title.as_deref().map(esc));
    row(b, "media type", Some(esc(&r.media_type)));
    row(b, "size", Some(format!("{} bytes", r.size)));
    row(b, "encoding", r.encoding.as_deref().map(esc));
    row(b, "extractor", r.extractor.as_deref().map(esc));
    row(b, "flag", r.flag.as_deref().map(esc));
    if let Some(h) = &r.http {
        row(b, "HTTP status", Some(h.status.to_string()));
        row(b, "final URL", Some(href(&h.final_url)));
        row(b, "fetched at", Some(format_time(h.fetched_at)));
    }
    for (k, v) in &r.meta {
        row(b, k, Some(esc(v)));
    }
    b.push_str("</table>\n");
}

/// The verify status of one object: read back and re-hashed.
fn check(archive: &Archive, what: &str, id: &crate::id::ObjectId) -> String {
    let status = match archive.read_object(id) {
        Ok(_) => "<span class=\"ok\">✓ intact</span> (re-read, blake3 matches)".to_owned(),
        Err(e) => format!(
            "<span class=\"bad\">✗ {}</span> — run <code>vellum verify</code> for a full report",
            esc(&e.to_string())
        ),
    };
    format!(
        "<tr><th>{}</th><td class=\"id\">{id}</td><td>{status}</td></tr>\n",
        esc(what)
    )
}

/// `/doc/DOC/N`: a version's text, capture record, evidence and the
/// verify status of its objects.
pub fn version(app: &App, archive: &Archive, doc: &str, n: &str) -> Result<String, WebError> {
    let name = doc_name(doc)?;
    let number: u64 = n.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
        WebError::BadRequest(format!(
            "{:?} is not a version number: versions count from 1 (/doc/{}/1 is the first)",
            n.chars().take(40).collect::<String>(),
            name.as_str()
        ))
    })?;
    let v = query::version(archive, &Address::Version(name.clone(), number))?;
    let doc = name.as_str();
    let r = &v.record;
    let history: &History = &v.resolved.history;
    let count = history.versions.len() as u64;
    let title = format!("{doc}@{number}");
    let mut b = String::new();
    let _ = writeln!(
        b,
        "<h1>{} <span class=\"muted\">@{number} of {count}</span></h1>",
        esc(r.title.as_deref().unwrap_or(doc))
    );
    b.push_str("<nav class=\"pager\">");
    let _ = write!(b, "<a href=\"/doc/{}\">all versions</a>", qs(doc));
    if number > 1 {
        let _ = write!(
            b,
            "<a href=\"/doc/{}/{}\" rel=\"prev\">← @{}</a><a href=\"{}\">diff with @{}</a>",
            qs(doc),
            number - 1,
            number - 1,
            diff_link(doc, number - 1, number),
            number - 1
        );
    }
    if number < count {
        let _ = write!(
            b,
            "<a href=\"/doc/{}/{}\" rel=\"next\">@{} →</a>",
            qs(doc),
            number + 1,
            number + 1
        );
    }
    b.push_str("</nav>\n");
    let cap = v.resolved.capture;
    let _ = writeln!(
        b,
        "<p class=\"meta\">Capture <span class=\"id\">{cap}</span> · \
<a href=\"/capture/{cap}/raw\" download>download the raw evidence</a> ({} bytes, {}) · \
<a href=\"/capture/{cap}/text\">text as plain text</a></p>",
        r.size,
        esc(&r.media_type)
    );
    b.push_str("<h2>Text</h2>\n");
    match &v.text {
        Some(t) => {
            let _ = writeln!(
                b,
                "<pre class=\"text\">{}</pre>",
                esc(&String::from_utf8_lossy(t))
            );
        }
        None => {
            b.push_str("<p class=\"muted\">This capture has no text: its bytes are not text.</p>\n")
        }
    }
    b.push_str("<h2>Capture record</h2>\n");
    record_table(&mut b, r);
    let json = serde_json::to_string_pretty(r).unwrap_or_default();
    let _ = writeln!(
        b,
        "<details><summary>the whole record (JSON)</summary><pre class=\"json\">{}</pre></details>",
        esc(&json)
    );
    let sightings: Vec<_> = history.captures.iter().filter(|c| c.2 == number).collect();
    let _ = writeln!(
        b,
        "<h2>Sightings</h2>\n<p class=\"muted\">Captures that saw this text: {}.</p>\n<ul>",
        sightings.len()
    );
    for (id, at, _) in sightings {
        let _ = writeln!(
            b,
            "<li>{} · <span class=\"id\">{id}</span> · <a href=\"/capture/{id}/raw\" download>raw</a></li>",
            format_time(crate::store::catalog::from_nanos(*at))
        );
    }
    b.push_str("</ul>\n<h2>Verify</h2>\n<table>\n");
    b.push_str(&check(archive, "capture record", &cap.0));
    b.push_str(&check(archive, "raw bytes", &r.content));
    if let Some(t) = r.text.filter(|t| *t != r.content) {
        b.push_str(&check(archive, "text", &t));
    }
    b.push_str("</table>\n");
    Ok(page(&frame(app, &title), &b))
}
