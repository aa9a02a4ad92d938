//! `/search?q=QUERY[&doc=DOC][&all=1]`: full-text search over every version
//! ([`crate::search`]), each hit with its snippet (matches in `<mark>`),
//! when it was first and last seen, and links to the versions holding it.

use std::fmt::Write;

use super::app::App;
use super::error::WebError;
use super::page::{Frame, esc, page, qs};
use crate::search::{self, SearchErrorKind, SearchQuery, SnippetPart};
use crate::store::Archive;
use crate::when::format_time;

/// Longest query read (the search box's text).
const MAX_Q: usize = 500;
/// Hits shown.
const LIMIT: usize = 50;

/// What a search page was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub q: String,
    pub doc: Option<String>,
    pub all: bool,
}

impl Params {
    /// Parses a raw query string (bounded; an empty `q` is the empty form).
    pub fn parse(query: &str) -> Result<Params, WebError> {
        if query.len() > 4 * MAX_Q {
            return Err(WebError::BadRequest(format!(
                "the query string is {} bytes; a search is at most {MAX_Q}",
                query.len()
            )));
        }
        let mut p = Params {
            q: String::new(),
            doc: None,
            all: false,
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "q" => p.q = v.trim().to_owned(),
                "doc" if !v.trim().is_empty() => {
                    let d = super::pages::doc_name(v.trim())?;
                    p.doc = Some(d.as_str().to_owned());
                }
                "all" => p.all = matches!(&*v, "1" | "on" | "true"),
                _ => {}
            }
        }
        if p.q.len() > MAX_Q {
            return Err(WebError::BadRequest(format!(
                "the search is {} bytes; use at most {MAX_Q}",
                p.q.len()
            )));
        }
        Ok(p)
    }

    fn url(&self, all: bool) -> String {
        let mut u = format!("/search?q={}", qs(&self.q));
        if let Some(d) = &self.doc {
            let _ = write!(u, "&doc={}", qs(d));
        }
        if all {
            u.push_str("&all=1");
        }
        u
    }
}

/// The search page.
pub fn page_html(app: &App, archive: &Archive, p: &Params) -> Result<String, WebError> {
    let mut b = String::new();
    let title = if p.q.is_empty() {
        "Search".to_owned()
    } else {
        format!("Search: {}", p.q)
    };
    let _ = writeln!(b, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        b,
        "<form action=\"/search\" method=\"get\" class=\"toggles\"><input type=\"search\" name=\"q\" value=\"{}\" \
aria-label=\"Search\" size=\"40\"> <label><input type=\"checkbox\" name=\"all\" value=\"1\"{}> also text only older \
versions hold (removed text)</label>{}<button type=\"submit\">Search</button></form>",
        esc(&p.q),
        if p.all { " checked" } else { "" },
        p.doc
            .as_deref()
            .map(|d| format!("<input type=\"hidden\" name=\"doc\" value=\"{}\">", esc(d)))
            .unwrap_or_default()
    );
    b.push_str(
        "<p class=\"muted\">Words match every form that starts the same way with <code>word*</code>; \
<code>\"exact phrases\"</code> in quotes.</p>\n",
    );
    if p.q.is_empty() {
        return Ok(page(&frame(app, &title), &b));
    }
    let query = SearchQuery {
        text: p.q.clone(),
        doc: p.doc.clone(),
        all_versions: p.all,
        limit: LIMIT,
    };
    let hits = search::search(archive, &query).map_err(|e| match e.kind() {
        SearchErrorKind::InvalidQuery => WebError::BadRequest(e.to_string()),
        SearchErrorKind::NotFound => {
            WebError::NotFound(format!("{e}; the front page lists every document"))
        }
        SearchErrorKind::Store => match e {
            search::SearchError::Store(s) => WebError::Store(s),
            other => WebError::Internal(format!(
                "{other}; `vellum reindex` rebuilds the search index"
            )),
        },
    })?;
    let _ = writeln!(
        b,
        "<p class=\"meta\">{} hit{}{} · <a href=\"{}\">{}</a></p>",
        hits.len(),
        if hits.len() == 1 { "" } else { "s" },
        if hits.len() >= LIMIT {
            " (the best ones)"
        } else {
            ""
        },
        esc(&p.url(!p.all)),
        if p.all {
            "current texts only"
        } else {
            "include removed text"
        }
    );
    b.push_str("<ol class=\"hits\">\n");
    for h in &hits {
        let doc = qs(&h.doc);
        let _ = write!(
            b,
            "<li><p><a href=\"/doc/{doc}\">{}</a> <span class=\"muted\">first seen {} · last seen {}{}</span></p>\n\
<p class=\"snippet\">",
            esc(&h.doc),
            format_time(h.first_seen),
            format_time(h.last_seen),
            h.removed_at
                .map(|t| format!(" · removed {}", format_time(t)))
                .unwrap_or_default()
        );
        for part in &h.snippet {
            match part {
                SnippetPart::Text(t) => b.push_str(&esc(t)),
                SnippetPart::Match(t) => {
                    let _ = write!(b, "<mark>{}</mark>", esc(t));
                }
            }
        }
        b.push_str("</p>\n<p class=\"meta\">in ");
        for (i, addr) in h.addresses().iter().enumerate() {
            if i > 0 {
                b.push_str(", ");
            }
            // `DOC@N` and `DOC@N..M` link to version N; `DOC` to the latest.
            let first = addr
                .split_once('@')
                .and_then(|(_, r)| r.split("..").next())
                .and_then(|n| n.parse::<u64>().ok());
            let link = match first {
                Some(n) => format!("/doc/{doc}/{n}"),
                None => format!("/doc/{doc}"),
            };
            let _ = write!(b, "<a href=\"{link}\">{}</a>", esc(addr));
        }
        b.push_str("</p></li>\n");
    }
    b.push_str("</ol>\n");
    Ok(page(&frame(app, &title), &b))
}

fn frame<'a>(app: &App, title: &'a str) -> Frame<'a> {
    Frame {
        title,
        search: app.search,
        keys: false,
        wide: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_bounds_a_search() {
        let p = Params::parse("q=%22troop%22+deal*&doc=us-coalition-isis-deal&all=1").unwrap();
        assert_eq!(p.q, "\"troop\" deal*");
        assert_eq!(p.doc.as_deref(), Some("us-coalition-isis-deal"));
        assert!(p.all);
        assert_eq!(Params::parse(&p.url(true)[8..]).unwrap(), p);
        assert_eq!(
            Params::parse("q=x&doc=Bad%20Name").unwrap_err().status(),
            400
        );
        let long = format!("q={}", "a".repeat(600));
        assert_eq!(Params::parse(&long).unwrap_err().status(), 400);
        assert_eq!(Params::parse("").unwrap().q, "");
    }
}
