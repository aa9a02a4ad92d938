//! What `vellum add` would keep of a page, without archiving it
//! (`vellum extract`): the prepared text and what extraction found, with
//! the canonical URL chosen by the rule `add` names documents by.

use crate::fetch::Fetched;
use crate::ingest::Prepared;
use crate::ingest::detect::Kind;
use crate::ingest::extract::extractor_id;

/// A page's text and metadata as `add` would archive them
/// (`extract --json`). A field that does not apply is `null`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Extracted {
    pub byline: Option<String>,
    /// The canonical URL `add` would file the page under: the page's
    /// declared one when it is on the page's own site, else the page's URL.
    pub canonical_url: Option<String>,
    /// The article's date as the page gives it.
    pub date: Option<String>,
    /// The encoding the text was decoded from (`UTF-8` when used as is).
    pub encoding: String,
    /// What chose the encoding (`forced`, `bom`, `http`, `meta`, ...).
    pub encoding_source: Option<String>,
    /// The extractor ("name version"), for an HTML page.
    pub extractor: Option<String>,
    /// The URL that answered, for a fetched page.
    pub final_url: Option<String>,
    /// Why `add` would archive it flagged (an error page, almost no text).
    pub flag: Option<String>,
    pub language: Option<String>,
    pub media_type: String,
    /// The HTTP status, for a fetched page.
    pub status: Option<u16>,
    pub text: String,
    pub title: Option<String>,
    /// `html` or `text`.
    #[serde(rename = "type")]
    pub kind: ExtractedKind,
}

/// How the text was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExtractedKind {
    /// Extracted from an HTML page.
    Html,
    /// Text, decoded.
    Text,
}

impl Extracted {
    /// What `p` (prepared from a page at `page_url`, fetched as `fetched`
    /// when it came from the network) gives, its text being `text`.
    pub fn new(
        p: &Prepared,
        text: String,
        page_url: Option<&str>,
        fetched: Option<&Fetched>,
    ) -> Self {
        let a = p.article.as_ref();
        let declared = a.and_then(|a| a.canonical_url.as_deref());
        Extracted {
            byline: a.and_then(|a| a.byline.clone()),
            canonical_url: super::pipeline::canonical_for(page_url, declared).map(String::from),
            date: a.and_then(|a| a.date.clone()),
            encoding: p.encoding.map_or("UTF-8", |e| e.name()).to_owned(),
            encoding_source: p.encoding_source.map(|s| s.as_str().to_owned()),
            extractor: a.map(|_| extractor_id()),
            final_url: fetched.map(|f| f.final_url.to_string()),
            flag: a.and_then(|a| a.flag.clone()),
            language: a.and_then(|a| a.language.clone()),
            media_type: p.media_type.clone(),
            status: fetched.map(|f| f.status),
            text,
            title: a.and_then(|a| a.title.clone()),
            kind: if p.kind == Kind::Html {
                ExtractedKind::Html
            } else {
                ExtractedKind::Text
            },
        }
    }
}

/// Why an input has no text to show.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The URL could not be fetched, or answered other than 2xx.
    #[error(transparent)]
    Capture(#[from] super::error::CaptureError),
    #[error(transparent)]
    Input(#[from] super::input::InputError),
    #[error("{input} is binary ({size} bytes, {media_type}); there is no text to extract")]
    Binary {
        input: String,
        size: usize,
        media_type: String,
    },
    #[error("{0}: its decoded text is over the size limit; nothing to print")]
    TooBig(String),
}

/// What `add` would keep of `input`: an http(s) URL (fetched with `cfg`),
/// a file, or `-` (standard input); `page_url` is a saved page's URL.
/// Nothing is archived.
pub fn extract(
    fetcher: &mut dyn super::fetcher::Fetcher,
    input: &str,
    page_url: Option<&str>,
    hints: super::input::ReadAs,
    cfg: &crate::fetch::FetchConfig,
) -> Result<Extracted, ExtractError> {
    let (bytes, fetched) = match crate::store::is_url(input) {
        true => {
            let f = super::pipeline::fetch(fetcher, input, cfg)?;
            if !f.is_success() {
                return Err(super::pipeline::status_error(&f).into());
            }
            (f.body.clone(), Some(f))
        }
        false => (super::input::read(std::path::Path::new(input))?, None),
    };
    let url = fetched.as_ref().map(|f| f.final_url.to_string());
    let page_url = url.as_deref().or(page_url);
    let p = crate::ingest::prepare(
        &bytes,
        crate::ingest::PrepareHints {
            forced_type: hints.forced_type,
            forced_encoding: hints.forced_encoding,
            name: url.as_deref().or((input != "-").then_some(input)),
            content_type: fetched.as_ref().and_then(|f| f.header("content-type")),
            page_url,
        },
    );
    if p.kind == Kind::Binary {
        let (input, size, media_type) = (input.to_owned(), bytes.len(), p.media_type);
        return Err(ExtractError::Binary {
            input,
            size,
            media_type,
        });
    }
    let text = p
        .text
        .clone()
        .ok_or_else(|| ExtractError::TooBig(input.to_owned()))?;
    Ok(Extracted::new(&p, text, page_url, fetched.as_ref()))
}
