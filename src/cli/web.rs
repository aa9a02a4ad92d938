//! What `add` and `extract` share for web input: telling URLs from paths,
//! fetching, and the `--type`/`--encoding` options.

use std::time::Duration;

use time::OffsetDateTime;

use vellum::fetch::{FetchConfig, Fetched};
use vellum::ingest::DocName;
use vellum::ingest::canon;
use vellum::ingest::decode::encoding_for_label;
use vellum::ingest::detect::TypeOverride;
use vellum::store::StoreError;
use vellum::store::{Address, Archive, HttpRecord, RedirectHop};

use super::CliError;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeArg {
    /// An HTML page: its article text is extracted
    Html,
    /// Plain text or Markdown: kept as text
    Text,
}

impl From<TypeArg> for TypeOverride {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Html => TypeOverride::Html,
            TypeArg::Text => TypeOverride::Text,
        }
    }
}

/// Whether a command-line input is a URL to fetch.
pub fn is_url(arg: &str) -> bool {
    let lower = arg.get(..8).unwrap_or(arg).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// `--encoding NAME`, checked.
pub fn encoding_arg(
    name: Option<&str>,
) -> Result<Option<&'static encoding_rs::Encoding>, CliError> {
    name.map(|n| encoding_for_label(n).map_err(|e| CliError::new(e.to_string())))
        .transpose()
}

/// Fetches a URL for `add` or `extract`.
pub fn fetch(arg: &str, timeout_secs: u64) -> Result<Fetched, CliError> {
    let url = canon::canonicalize(arg).map_err(|e| CliError::new(e.to_string()))?;
    // The URL as given is fetched (minus its fragment): some sites need
    // their own parameters; only the canonical URL drops trackers.
    let mut given = url::Url::parse(arg.trim()).unwrap_or(url);
    given.set_fragment(None);
    let cfg = FetchConfig {
        total_timeout: Duration::from_secs(timeout_secs.max(1)),
        ..FetchConfig::default()
    };
    vellum::fetch::fetch(&given, &cfg).map_err(|e| CliError::new(e.to_string()))
}

/// What the capture record keeps of a fetch.
pub fn http_record(f: &Fetched, fetched_at: OffsetDateTime) -> HttpRecord {
    HttpRecord {
        final_url: f.final_url.to_string(),
        status: f.status,
        content_type: f.header("content-type").map(str::to_owned),
        etag: f.header("etag").map(str::to_owned),
        last_modified: f.header("last-modified").map(str::to_owned),
        fetched_at,
        redirects: f
            .redirects
            .iter()
            .map(|r| RedirectHop {
                url: r.url.clone(),
                status: r.status,
            })
            .collect(),
        head: f.head_text(),
    }
}

/// The error for a non-2xx answer.
pub fn status_error(f: &Fetched, what: &str) -> CliError {
    CliError::new(format!(
        "{} answered HTTP {} {}; {what}",
        f.final_url, f.status, f.reason
    ))
}

/// The canonical URL recorded by a document's latest version, if it has one.
pub fn document_canonical_url(
    archive: &Archive,
    doc: &DocName,
) -> Result<Option<String>, CliError> {
    let latest = match archive.resolve(&Address::Doc(doc.clone())) {
        Ok(r) => r,
        // A new document.
        Err(StoreError::Address(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    Ok(archive.record(&latest.capture)?.canonical_url)
}
