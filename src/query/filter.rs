//! Documents chosen by what a front end filters on: words of their name or
//! title, a URL, a source, a time window.

use crate::error::ErrorKind;
use crate::store::{Archive, DocSummary, StoreError};

use super::log::{Window, documents_in};

/// Which documents to list (every field optional; all given must hold).
#[derive(Debug, Clone, Default)]
pub struct DocumentFilter {
    /// Text the document's name or title holds (case folded).
    pub text: Option<String>,
    /// A URL the document was captured from (its canonical URL, or any
    /// URL a capture names), found as addresses find it.
    pub url: Option<String>,
    /// A source some version names (case folded).
    pub source: Option<String>,
    /// Documents whose first-to-last capture span reaches into it (its
    /// `max` and `reverse` are not used: front ends page the list).
    pub window: Window,
}

/// The documents `filter` keeps, by name (as [`documents_in`] lists them).
pub fn documents_filtered(
    archive: &Archive,
    filter: &DocumentFilter,
) -> Result<Vec<DocSummary>, StoreError> {
    let by_url = match filter.url.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(url) => match archive.document(url) {
            Ok(name) => Some(name.as_str().to_owned()),
            // A filter that matches nothing lists nothing.
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        },
    };
    let text = folded(filter.text.as_deref());
    let source = folded(filter.source.as_deref());
    let window = Window {
        max: None,
        reverse: false,
        ..filter.window.clone()
    };
    let mut kept = Vec::new();
    for d in documents_in(archive, &window)? {
        if by_url.as_ref().is_some_and(|u| *u != d.doc) {
            continue;
        }
        if let Some(t) = &text {
            let title = d.title.as_deref().unwrap_or("").to_lowercase();
            if !d.doc.contains(t.as_str()) && !title.contains(t.as_str()) {
                continue;
            }
        }
        if let Some(s) = &source {
            let history = archive.history(&d.doc)?;
            let named = |v: &Option<String>| v.as_deref().is_some_and(|v| v.to_lowercase() == *s);
            if !history.versions.iter().any(|v| named(&v.source)) {
                continue;
            }
        }
        kept.push(d);
    }
    Ok(kept)
}

/// One document's summary (as [`super::documents`] gives it, titled by the
/// one title rule), without titling every other document; `None` for a
/// name no capture has.
pub fn document_summary(archive: &Archive, doc: &str) -> Result<Option<DocSummary>, StoreError> {
    let Some(mut d) = archive.documents()?.into_iter().find(|d| d.doc == doc) else {
        return Ok(None);
    };
    if d.title.is_none()
        && let Some(key) = d.latest_text
    {
        d.title = super::read::text_title(archive, &key)?;
    }
    Ok(Some(d))
}

fn folded(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
}
