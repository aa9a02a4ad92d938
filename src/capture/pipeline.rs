//! From an input (bytes read by the caller, or a URL to fetch) to a
//! [`Capture`] ready for the writer, and staging it.

use std::collections::BTreeMap;
use std::path::Path;

use time::{Duration, OffsetDateTime};

use crate::fetch::{FetchConfig, Fetched};
use crate::ingest::batch::{BatchLine, default_doc};
use crate::ingest::detect::{Kind, TypeOverride};
use crate::ingest::extract::extractor_id;
use crate::ingest::{DocName, PrepareHints, canon, prepare};
use crate::store::StoreError;
use crate::store::{
    Address, Archive, CaptureExtra, CaptureText, HttpRecord, NewCapture, RedirectHop, Writer,
};

use super::error::CaptureError;
use super::fetcher::Fetcher;
use super::warning::Warning;

/// How far past `now` a capture time may lie (clocks disagree a little);
/// later than that is refused unless the caller allows the future.
pub const FUTURE_SKEW: Duration = Duration::minutes(10);

/// What the user said about the inputs of one capture run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The document (`--doc`); derived from the canonical URL, the URL or
    /// the file name when `None`.
    pub doc: Option<DocName>,
    /// Where a saved capture came from (`--url`).
    pub url: Option<String>,
    pub source: Option<String>,
    pub title: Option<String>,
    /// The capture time; the fetch time (URLs) or `now` otherwise.
    pub at: Option<OffsetDateTime>,
    pub forced_type: Option<TypeOverride>,
    pub forced_encoding: Option<crate::ingest::charset::Charset>,
    /// Archive a non-2xx answer (flagged) instead of refusing it.
    pub keep_errors: bool,
    /// Limits of each fetch.
    pub fetch: FetchConfig,
    /// Kept in the capture record (batch lines' `meta`).
    pub meta: BTreeMap<String, String>,
}

impl Options {
    /// The options of one batch line: its document, URL, source, title,
    /// meta and time (`now` when it has none) over these.
    pub fn for_batch_line(&self, b: &BatchLine, now: OffsetDateTime) -> Options {
        Options {
            doc: Some(b.doc.clone()),
            url: b.url.clone(),
            source: b.source.clone(),
            title: b.title.clone(),
            at: Some(b.time(now)),
            meta: b.meta.clone(),
            ..self.clone()
        }
    }
}

/// One input made ready for the writer: nothing is written yet.
#[derive(Debug, Clone)]
pub struct Capture {
    /// Bytes, text and media type filled in.
    pub capture: NewCapture,
    pub extra: CaptureExtra,
    /// The document was derived (no `--doc`): a canonical URL that already
    /// has a document puts the capture there.
    pub auto_doc: bool,
    /// Warnings found while reading it.
    pub warnings: Vec<Warning>,
}

/// What ingest made of a capture's bytes.
#[derive(Debug, Clone)]
pub struct Ingested {
    pub media_type: String,
    pub text: CaptureText,
    /// Web metadata for the record (`canonical_url` is the page's declared
    /// one, canonicalized, before [`canonical_for`]).
    pub extra: CaptureExtra,
    /// The page's title, when it has one.
    pub title: Option<String>,
}

/// What ingest makes of a capture's bytes (its text, decoded or extracted
/// from HTML, its media type and web metadata), and the page's title: the
/// same for every front end.
pub fn ingest_with(bytes: &[u8], hints: PrepareHints<'_>) -> Ingested {
    let name = hints.name;
    let p = prepare(bytes, hints);
    let mut extra = CaptureExtra::default();
    let text_of = |t: Option<String>| t.map_or(CaptureText::None, CaptureText::Extracted);
    let (media_type, text, title) = match p.kind {
        // UTF-8 text: exactly what vellum always stored (and so the same
        // records and capture ids).
        Kind::Text if p.text_is_content && p.encoding.is_none() => {
            let (media_type, text) = crate::ingest::describe(name, bytes);
            (media_type, text, None)
        }
        Kind::Text => {
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            extra.encoding_confidence = p.encoding_confidence;
            (p.media_type, text_of(p.text), None)
        }
        Kind::Binary => (p.media_type, CaptureText::None, None),
        Kind::Html => {
            let article = p.article.unwrap_or_default();
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            extra.encoding_confidence = p.encoding_confidence;
            extra.extractor = Some(extractor_id());
            extra.byline = article.byline.clone();
            extra.flag = article.flag.clone();
            extra.canonical_url = article
                .canonical_url
                .as_deref()
                .and_then(|c| canon::canonicalize(c).ok())
                .map(|c| c.to_string());
            (p.media_type, text_of(p.text), article.title)
        }
    };
    Ingested {
        media_type,
        text,
        extra,
        title,
    }
}

/// The canonical URL of a page: its declared canonical URL when it is on
/// the same site as the page's own URL, else the page's URL; for a saved
/// page without a URL of its own, the declared one. `add` and `extract`
/// both decide through this.
pub fn canonical_for(page_url: Option<&str>, declared: Option<&str>) -> Option<url::Url> {
    match page_url.and_then(|u| canon::canonicalize(u).ok()) {
        Some(page) => Some(canon::choose_canonical(&page, declared)),
        None => declared.and_then(|d| canon::canonicalize(d).ok()),
    }
}

/// Refuses a capture time later than `now` by more than [`FUTURE_SKEW`],
/// unless `allow_future`.
pub fn check_time(
    at: OffsetDateTime,
    now: OffsetDateTime,
    allow_future: bool,
) -> Result<(), CaptureError> {
    if allow_future || at <= now + FUTURE_SKEW {
        return Ok(());
    }
    Err(CaptureError::Future {
        at: crate::when::format_time(at),
        now: crate::when::format_time(now),
        skew_minutes: FUTURE_SKEW.whole_minutes(),
    })
}

fn hints<'a>(opts: &Options, name: Option<&'a str>, page_url: Option<&'a str>) -> PrepareHints<'a> {
    PrepareHints {
        forced_type: opts.forced_type,
        forced_encoding: opts.forced_encoding,
        name,
        content_type: None,
        page_url,
    }
}

/// A capture of bytes the caller read (a file, standard input, a batch
/// line's file). `path` names the input (`-` for standard input) and hints
/// its type and default document name.
pub fn from_bytes(
    bytes: Vec<u8>,
    path: &Path,
    opts: &Options,
    now: OffsetDateTime,
) -> Result<Capture, CaptureError> {
    let stdin = path.as_os_str() == "-";
    let name = (!stdin).then(|| path.to_string_lossy().into_owned());
    let mut got = ingest_with(&bytes, hints(opts, name.as_deref(), opts.url.as_deref()));
    let mut warnings = Vec::new();
    // An HTML page's canonical URL (declared, checked against --url) names
    // its document: the file name does not.
    let canonical = got
        .extra
        .extractor
        .as_ref()
        .and_then(|_| canonical_for(opts.url.as_deref(), got.extra.canonical_url.as_deref()));
    let doc = match (&opts.doc, &canonical) {
        (Some(d), _) => d.clone(),
        (None, Some(c)) => canon::doc_name_for_url(c),
        (None, None) if stdin && opts.url.is_none() => {
            return Err(CaptureError::NoName(
                "reading standard input needs --doc (or --url) to name the document".into(),
            ));
        }
        (None, None) => {
            default_doc(opts.url.as_deref(), (!stdin).then_some(path)).ok_or_else(|| {
                let from = opts
                    .url
                    .as_ref()
                    .map_or_else(|| path.display().to_string(), |u| format!("{u:?}"));
                CaptureError::NoName(format!(
                    "cannot make a document name from {from}; give --doc"
                ))
            })?
        }
    };
    got.extra.canonical_url = canonical.map(|c| c.to_string());
    if bytes.is_empty() && stdin {
        warnings.push(Warning::EmptyInput {
            doc: doc.to_string(),
        });
    }
    let title = opts.title.clone().or(got.title);
    Ok(Capture {
        capture: NewCapture {
            doc,
            captured_at: opts.at.unwrap_or(now),
            bytes,
            media_type: got.media_type,
            text: got.text,
            url: opts.url.clone(),
            source: opts.source.clone(),
            title,
            meta: opts.meta.clone(),
        },
        extra: got.extra,
        auto_doc: opts.doc.is_none(),
        warnings,
    })
}

/// Fetches a URL as given on a command line or in a feed (whatever its
/// status): checked, and without its fragment.
pub fn fetch(
    fetcher: &mut dyn Fetcher,
    arg: &str,
    cfg: &FetchConfig,
) -> Result<Fetched, CaptureError> {
    let url = canon::canonicalize(arg).map_err(crate::fetch::FetchError::from)?;
    // The URL as given is fetched (minus its fragment): some sites need
    // their own parameters; only the canonical URL drops trackers.
    let mut given = url::Url::parse(arg.trim()).unwrap_or(url);
    given.set_fragment(None);
    Ok(fetcher.fetch(&given, cfg)?)
}

/// The error for a non-2xx answer.
pub fn status_error(f: &Fetched) -> CaptureError {
    CaptureError::Status {
        url: f.final_url.to_string(),
        status: f.status,
        reason: f.reason.clone(),
    }
}

/// Fetches a URL and makes it a capture. A non-2xx answer is
/// [`CaptureError::Status`] unless `keep_errors` (then it is flagged).
/// `fetched_at` is the fetch time (the library reads no clock).
pub fn fetch_page(
    fetcher: &mut dyn Fetcher,
    arg: &str,
    opts: &Options,
    fetched_at: OffsetDateTime,
) -> Result<Capture, CaptureError> {
    let f = fetch(fetcher, arg, &opts.fetch)?;
    from_fetched(f, arg, opts, fetched_at)
}

/// Makes an HTTP answer a capture, whoever fetched it: [`fetch_page`], or
/// an importer holding a recorded response (a WARC `response` record,
/// whose head is as received: put it in [`Fetched::raw_head`]).
/// Named and checked exactly as `add URL`: the document of its canonical
/// URL (the declared one when on the same site), unless `opts.doc`; a
/// non-2xx answer is [`CaptureError::Status`] unless `keep_errors`. `arg`
/// is the URL as requested (recorded as the capture's URL).
pub fn from_fetched(
    f: Fetched,
    arg: &str,
    opts: &Options,
    fetched_at: OffsetDateTime,
) -> Result<Capture, CaptureError> {
    if !f.is_success() && !opts.keep_errors {
        return Err(status_error(&f));
    }
    let final_url = f.final_url.to_string();
    let mut got = ingest_with(
        &f.body,
        PrepareHints {
            content_type: f.header("content-type"),
            ..hints(opts, Some(&final_url), Some(&final_url))
        },
    );
    let extra = &mut got.extra;
    let canonical = canon::choose_canonical(&f.final_url, extra.canonical_url.as_deref());
    let doc = match &opts.doc {
        Some(d) => d.clone(),
        None => canon::doc_name_for_url(&canonical),
    };
    if !f.is_success() {
        extra.flag = Some(
            format!("HTTP {} {}", f.status, f.reason)
                .trim_end()
                .to_owned(),
        );
    }
    extra.canonical_url = Some(canonical.to_string());
    extra.http = Some(http_record(&f, fetched_at));
    let title = opts.title.clone().or(got.title);
    Ok(Capture {
        capture: NewCapture {
            doc,
            captured_at: opts.at.unwrap_or(fetched_at),
            bytes: f.body,
            media_type: got.media_type,
            text: got.text,
            url: Some(arg.trim().to_owned()),
            source: opts.source.clone(),
            title,
            meta: opts.meta.clone(),
        },
        extra: got.extra,
        auto_doc: opts.doc.is_none(),
        warnings: Vec::new(),
    })
}

/// What the capture record keeps of a fetch. Unless the fetcher kept the
/// head as received, it is rebuilt from what the HTTP client kept (ureq
/// normalizes header names and reason phrases), and the record says so
/// (`head_reconstructed: true`) so that no exporter presents it as evidence.
fn http_record(f: &Fetched, fetched_at: OffsetDateTime) -> HttpRecord {
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
        head_reconstructed: Some(f.raw_head.is_none()),
    }
}

/// The canonical URL recorded by a document's latest version, if it has one.
pub fn document_canonical_url(
    archive: &Archive,
    doc: &DocName,
) -> Result<Option<String>, StoreError> {
    let latest = match archive.resolve(&Address::Doc(doc.clone())) {
        Ok(r) => r,
        // A new document.
        Err(StoreError::Address(_)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(archive.record(&latest.capture)?.canonical_url)
}

/// Stages one capture: a web page whose canonical URL already has a
/// document lands in it (unless the document was named); a page put in a
/// document of another canonical URL, or flagged, is archived with a
/// warning. Returns the capture's warnings.
pub fn stage(writer: &mut Writer<'_>, c: Capture) -> Result<Vec<Warning>, StoreError> {
    let Capture {
        mut capture,
        extra,
        auto_doc,
        mut warnings,
    } = c;
    if let Some(canonical) = extra.canonical_url.as_deref() {
        if auto_doc && let Some(doc) = writer.archive().doc_for_canonical_url(canonical)? {
            capture.doc = doc;
        }
        if let Some(prev) = document_canonical_url(writer.archive(), &capture.doc)?
            && prev != canonical
        {
            warnings.push(Warning::OtherCanonical {
                doc: capture.doc.to_string(),
                document_url: prev,
                canonical_url: canonical.to_owned(),
            });
        }
    }
    if let Some(flag) = &extra.flag {
        warnings.push(Warning::Flagged {
            doc: capture.doc.to_string(),
            flag: flag.clone(),
        });
    }
    if let (Some(encoding), Some(confidence)) = (&extra.encoding, extra.encoding_confidence)
        && confidence < crate::ingest::charset::LOW_CONFIDENCE
    {
        warnings.push(Warning::UnsureEncoding {
            doc: capture.doc.to_string(),
            encoding: encoding.clone(),
            confidence,
        });
    }
    let mixed = capture.doc.confusable_parts();
    if !mixed.is_empty() {
        warnings.push(Warning::MixedScripts {
            doc: capture.doc.to_string(),
            parts: mixed.iter().map(|p| p.to_string()).collect(),
        });
    }
    if extra.flag.is_none() {
        // A guess of the next version pair, diffed on another core while
        // staging goes on (flagged captures are no versions).
        match &capture.text {
            CaptureText::None => {}
            CaptureText::Bytes => super::prediff::offer(capture.doc.as_str(), &capture.bytes),
            CaptureText::Extracted(t) => super::prediff::offer(capture.doc.as_str(), t.as_bytes()),
        }
    }
    writer.add_with(capture, extra)?;
    Ok(warnings)
}
