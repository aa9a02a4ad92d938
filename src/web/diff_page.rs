//! `/diff?a=ADDR&b=ADDR`: the word diff of any two addresses, inline or
//! side by side (`view=side`), with the ignore options as toggle links
//! (`ignore-case`, `ignore-whitespace`, `ignore-typography`,
//! `ignore-markup`, `full` for every paragraph unfolded). Moved paragraphs
//! link to each other; `/static/keys.js` adds n/p for the next and
//! previous change.

use std::fmt::Write;

use super::app::{App, DIFF_DEADLINE};
use super::error::WebError;
use super::page::{Frame, esc, href, page, qs};
use crate::diff::DiffOptions;
use crate::query::{self, Side};
use crate::render::{self, RenderOptions};
use crate::store::{Address, Archive};
use crate::when::format_time;

/// Longest address accepted (a document name is at most 128 bytes, a
/// time suffix a few dozen).
const MAX_ADDR: usize = 200;
/// Longest query string read.
const MAX_QUERY: usize = 2048;

/// What a diff page was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    pub a: Address,
    pub b: Address,
    /// The addresses as given (for links back to this page).
    pub a_text: String,
    pub b_text: String,
    pub side: bool,
    pub full: bool,
    pub ignore_case: bool,
    pub ignore_whitespace: bool,
    pub ignore_typography: bool,
    pub ignore_markup: bool,
}

fn flag(key: &str, value: &str) -> Result<bool, WebError> {
    match value {
        "1" | "on" | "true" | "yes" => Ok(true),
        "" | "0" | "off" | "false" | "no" => Ok(false),
        _ => Err(WebError::BadRequest(format!(
            "{key}={:?}: use {key}=1 to turn it on, or leave it out",
            value.chars().take(40).collect::<String>()
        ))),
    }
}

impl Params {
    /// Parses a raw query string (hostile: bounded, every value checked).
    pub fn parse(query: &str) -> Result<Params, WebError> {
        if query.len() > MAX_QUERY {
            return Err(WebError::BadRequest(format!(
                "the query is {} bytes; a diff needs only a=ADDR&b=ADDR and a few options",
                query.len()
            )));
        }
        let (mut a, mut b) = (None, None);
        let mut p = Params {
            a: Address::Capture(String::new()),
            b: Address::Capture(String::new()),
            a_text: String::new(),
            b_text: String::new(),
            side: false,
            full: false,
            ignore_case: false,
            ignore_whitespace: false,
            ignore_typography: false,
            ignore_markup: false,
        };
        for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
            match &*k {
                "a" => a = Some(v.trim().to_owned()),
                "b" => b = Some(v.trim().to_owned()),
                "view" => {
                    p.side = match &*v {
                        "side" => true,
                        "inline" | "" => false,
                        other => {
                            return Err(WebError::BadRequest(format!(
                                "view={:?}: use view=inline or view=side",
                                other.chars().take(40).collect::<String>()
                            )));
                        }
                    }
                }
                "full" => p.full = flag(&k, &v)?,
                "ignore-case" => p.ignore_case = flag(&k, &v)?,
                "ignore-whitespace" => p.ignore_whitespace = flag(&k, &v)?,
                "ignore-typography" => p.ignore_typography = flag(&k, &v)?,
                "ignore-markup" => p.ignore_markup = flag(&k, &v)?,
                _ => {}
            }
        }
        let addr = |name: &str, v: Option<String>| -> Result<(Address, String), WebError> {
            let v = v.filter(|v| !v.is_empty()).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "missing {name}=ADDR: a diff needs two addresses, e.g. /diff?a=DOC@1&b=DOC@2 \
(a document's page links to the diff of each version with the one before)"
                ))
            })?;
            if v.len() > MAX_ADDR {
                return Err(WebError::BadRequest(format!(
                    "{name} is {} bytes long; an address is DOC, DOC@N, DOC@-K, DOC@TIME or a capture id",
                    v.len()
                )));
            }
            let parsed = crate::when::anchored(&v)
                .parse::<Address>()
                .map_err(|e| WebError::BadRequest(e.to_string()))?;
            Ok((parsed, v))
        };
        (p.a, p.a_text) = addr("a", a)?;
        (p.b, p.b_text) = addr("b", b)?;
        Ok(p)
    }

    /// The URL of this page with the same options.
    pub fn url(&self) -> String {
        let mut u = format!("/diff?a={}&b={}", qs(&self.a_text), qs(&self.b_text));
        for (on, key) in [
            (self.side, "view=side"),
            (self.full, "full=1"),
            (self.ignore_case, "ignore-case=1"),
            (self.ignore_whitespace, "ignore-whitespace=1"),
            (self.ignore_typography, "ignore-typography=1"),
            (self.ignore_markup, "ignore-markup=1"),
        ] {
            if on {
                u.push('&');
                u.push_str(key);
            }
        }
        u
    }

    fn options(&self) -> DiffOptions {
        DiffOptions {
            ignore_case: self.ignore_case,
            ignore_whitespace: self.ignore_whitespace,
            ignore_typography: self.ignore_typography,
            ignore_markup: self.ignore_markup,
            deadline: Some(DIFF_DEADLINE),
            no_word_totals: false,
        }
    }
}

/// The page of a side: its version's (`/doc/DOC/N`), or its document's
/// timeline for a capture that is no version (flagged, superseded).
fn side_link(s: &Side) -> String {
    match s.version {
        0 => format!("/doc/{}", qs(&s.doc)),
        n => format!("/doc/{}/{n}", qs(&s.doc)),
    }
}

fn render_side(s: &Side) -> render::Side {
    s.rendered()
}

fn side_info(b: &mut String, which: &str, s: &Side) {
    let label = format!("<a href=\"{}\">{}</a>", side_link(s), esc(&s.label));
    let _ = writeln!(
        b,
        "<tr><th>{which}</th><td>{label}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"id\">{}</td></tr>",
        format_time(s.captured_at),
        esc(s.source.as_deref().unwrap_or("")),
        s.url.as_deref().map(href).unwrap_or_default(),
        &s.capture.to_string()[..12],
    );
}

/// The diff page.
pub fn page_html(app: &App, archive: &Archive, p: &Params) -> Result<String, WebError> {
    let d = query::diff_addresses(archive, &p.a, &p.b, &p.options())?;
    let (old, new) = (render_side(&d.old), render_side(&d.new));
    let heading = render::heading(&old, &new);
    let mut b = String::new();
    let _ = writeln!(b, "<h1>{}</h1>", esc(&heading));
    b.push_str(
        "<table class=\"sides\"><thead><tr><th></th><th>Address</th><th>Captured</th><th>Source</th>\
<th>URL</th><th>Capture</th></tr></thead><tbody>\n",
    );
    side_info(&mut b, "old", &d.old);
    side_info(&mut b, "new", &d.new);
    b.push_str("</tbody></table>\n");
    let _ = writeln!(
        b,
        "<p class=\"meta\">{}{}</p>",
        esc(&render::summary(&d.diff)),
        if d.diff.fallback {
            " · this pair took too long to diff word by word: a coarser diff is shown"
        } else {
            ""
        }
    );
    b.push_str("<nav class=\"toggles\" aria-label=\"diff options\">");
    let toggle = |b: &mut String, on: bool, label: &str, flipped: Params| {
        let _ = write!(
            b,
            "<a href=\"{}\" class=\"{}\" aria-pressed=\"{on}\">{} {label}</a>",
            esc(&flipped.url()),
            if on { "on" } else { "off" },
            if on { "☑" } else { "☐" },
        );
    };
    toggle(
        &mut b,
        p.side,
        "side by side",
        Params {
            side: !p.side,
            ..p.clone()
        },
    );
    toggle(
        &mut b,
        p.ignore_case,
        "ignore case",
        Params {
            ignore_case: !p.ignore_case,
            ..p.clone()
        },
    );
    toggle(
        &mut b,
        p.ignore_whitespace,
        "ignore whitespace",
        Params {
            ignore_whitespace: !p.ignore_whitespace,
            ..p.clone()
        },
    );
    toggle(
        &mut b,
        p.ignore_typography,
        "ignore typography",
        Params {
            ignore_typography: !p.ignore_typography,
            ..p.clone()
        },
    );
    toggle(
        &mut b,
        p.ignore_markup,
        "ignore markup",
        Params {
            ignore_markup: !p.ignore_markup,
            ..p.clone()
        },
    );
    toggle(
        &mut b,
        p.full,
        "every paragraph",
        Params {
            full: !p.full,
            ..p.clone()
        },
    );
    let swapped = Params {
        a: p.b.clone(),
        b: p.a.clone(),
        a_text: p.b_text.clone(),
        b_text: p.a_text.clone(),
        ..p.clone()
    };
    let _ = write!(b, "<a href=\"{}\">⇄ swap</a>", esc(&swapped.url()));
    b.push_str("<span class=\"muted\">keys: n next change, p previous</span></nav>\n");
    let opts = RenderOptions {
        full: p.full,
        ..RenderOptions::default()
    };
    let mut out = Vec::new();
    let written = if p.side {
        render::html_side_by_side(&mut out, &d.diff, &opts)
    } else {
        render::html_body(&mut out, &d.diff, &opts)
    };
    written.map_err(|e| WebError::Internal(format!("rendering the diff: {e}")))?;
    b.push_str(&String::from_utf8_lossy(&out));
    Ok(page(
        &Frame {
            title: &heading,
            search: app.search,
            keys: true,
            wide: p.side,
        },
        &b,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_toggles_and_round_trips_its_url() {
        let p = Params::parse("a=doc%401&b=doc@2&view=side&ignore-case=1&ignore-markup=on&x=y")
            .unwrap();
        assert_eq!(p.a, "doc@1".parse().unwrap());
        assert!(p.side && p.ignore_case && p.ignore_markup && !p.full && !p.ignore_whitespace);
        assert_eq!(Params::parse(&p.url()[6..]).unwrap(), p);
    }

    #[test]
    fn a_side_that_is_no_version_still_shows_its_document() {
        let side = |label: &str, version: u64| Side {
            label: label.to_owned(),
            capture: crate::store::CaptureId(crate::id::ObjectId::of(b"x")),
            doc: "gone".to_owned(),
            version,
            captured_at: time::macros::datetime!(2019-02-12 12:00 UTC),
            url: None,
            source: None,
            title: None,
        };
        let flagged = side("gone (flagged capture 2d711642b7)", 0);
        assert_eq!(render_side(&flagged).doc.as_deref(), Some("gone"));
        let mut b = String::new();
        side_info(&mut b, "old", &flagged);
        assert!(b.contains("<a href=\"/doc/gone\">"), "{b}");
        let mut b = String::new();
        side_info(&mut b, "new", &side("gone@2", 2));
        assert!(b.contains("<a href=\"/doc/gone/2\">"), "{b}");
    }

    #[test]
    fn bad_queries_are_400_with_a_way_forward() {
        for q in [
            "",
            "a=doc@1",
            "a=doc@1&b=Not%20An%20Address",
            "a=x@1&b=x@2&view=evil",
            "a=x@1&b=x@2&full=2",
        ] {
            let e = Params::parse(q).unwrap_err();
            assert_eq!(e.status(), 400, "{q}");
            assert!(!e.message().is_empty());
        }
        let long = format!("a={}&b=x", "a".repeat(3000));
        assert_eq!(Params::parse(&long).unwrap_err().status(), 400);
    }
}
