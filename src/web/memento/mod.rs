//! Memento (RFC 7089) over the archive, at the Wayback tools' paths:
//!
//! | route | answers |
//! | --- | --- |
//! | `/web/URL` | TimeGate: 302 to the memento closest to `Accept-Datetime` (else the latest) |
//! | `/web/YYYYMMDDhhmmss/URL` | memento: vellum's page for that version, `Memento-Datetime`, `Link` |
//! | `/web/YYYYMMDDhhmmssid_/URL` | the captured bytes exactly, as an attachment |
//! | `/timemap/link/URL`, `/timemap/json/URL` | TimeMaps (paged: `/timemap/link/TIMESTAMP/URL`) |
//! | `/cdx?url=…&from=…&to=…&limit=…&output=json` | the CDX server's answer |
//!
//! A timestamp names the last capture in its second; a timestamp with no
//! capture (or fewer than 14 digits) redirects to the closest memento, as
//! Wayback does. URLs match after SURT normalization (pywb's), through
//! [`crate::query::mementos`]. The raw mode never renders archived HTML on
//! this origin: it is a download (`Content-Disposition: attachment`,
//! `nosniff`), under the site's Content-Security-Policy.

mod cdx;
mod links;
mod page;

use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::query::mementos::{
    Memento, MementoIndex, closest, http_date, in_second, parse_http_date, parse_timestamp,
};
use crate::store::Archive;

use super::app::App;
use super::error::WebError;
use links::{TIMEMAP_PAGE, Uris};

pub use links::{JsonMemento, JsonMementos, JsonTimemap, TimemapUris};

/// The Memento routes, merged into the web view's router (which adds its
/// method guard and security headers).
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/web/{*rest}", get(web))
        .route("/timemap/link/{*rest}", get(timemap_link))
        .route("/timemap/json/{*rest}", get(timemap_json))
        .route("/cdx", get(cdx))
}

/// What a `/web/…` address asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    TimeGate(String),
    Memento {
        stamp: String,
        raw: bool,
        url: String,
    },
}

/// Splits the part of the address after a prefix into an optional leading
/// timestamp (with a Wayback modifier such as `id_`) and the URL.
fn target(rest: &str) -> Result<Target, WebError> {
    if let Some((first, url)) = rest.split_once('/') {
        let digits = first.bytes().take_while(u8::is_ascii_digit).count();
        let modifier = &first[digits..];
        let is_modifier = modifier.is_empty()
            || (modifier.len() == 3
                && modifier.ends_with('_')
                && modifier[..2].bytes().all(|b| b.is_ascii_lowercase()));
        if digits > 0 && is_modifier {
            if !(4..=14).contains(&digits) {
                return Err(WebError::BadRequest(format!(
                    "{first:?} is not a timestamp: give 4 to 14 digits, YYYYMMDDhhmmss"
                )));
            }
            return Ok(Target::Memento {
                stamp: first[..digits].to_owned(),
                raw: modifier == "id_",
                url: original(url)?,
            });
        }
    }
    Ok(Target::TimeGate(original(rest)?))
}

/// The original resource's URL as requested, restored where the path
/// mangled it (`http:/x`, percent-encoded) and normalized as a URL.
fn original(raw: &str) -> Result<String, WebError> {
    let mut s = raw.trim().to_owned();
    let lower = s.to_ascii_lowercase();
    if lower.starts_with("http%3a") || lower.starts_with("https%3a") {
        s = url::form_urlencoded::parse(format!("u={s}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or(s);
    }
    for scheme in ["http:/", "https:/"] {
        if s.len() > scheme.len()
            && s[..scheme.len()].eq_ignore_ascii_case(scheme)
            && !s[scheme.len()..].starts_with('/')
        {
            s = format!("{}/{}", &s[..scheme.len()], &s[scheme.len()..]);
        }
    }
    if s.is_empty() {
        return Err(WebError::BadRequest(
            "no URL given: ask /web/https://example.org/page (or /timemap/link/URL)".into(),
        ));
    }
    if !s.contains("://") {
        s = format!("http://{s}");
    }
    url::Url::parse(&s)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.as_str().to_owned())
        .ok_or_else(|| {
            WebError::BadRequest(format!(
                "{:?} is not an http(s) URL; ask /web/https://example.org/page",
                raw.chars().take(120).collect::<String>()
            ))
        })
}

/// The part of the request's path and query after `prefix`.
fn rest_of(uri: &Uri, prefix: &str) -> String {
    let pq = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    pq.strip_prefix(prefix).unwrap_or("").to_owned()
}

/// `http://HOST` from the request's Host header (absolute URIs in `Link`),
/// when it is a plain host[:port]; else relative URIs.
fn base(headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_default()
}

thread_local! {
    /// The memento index each blocking thread keeps open, with its store
    /// (opening one per request was most of a TimeGate's time).
    static CACHED: RefCell<Option<(PathBuf, MementoIndex)>> = const { RefCell::new(None) };
}

/// Runs `f` on a blocking thread with an archive and its memento index.
async fn with_index<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App, &Archive, &MementoIndex) -> Result<T, WebError> + Send + 'static,
) -> Result<T, WebError> {
    let app = app.clone();
    tokio::task::spawn_blocking(move || {
        let a = &*app;
        a.pool.with(|archive| {
            let cached = CACHED.with(|c| c.borrow_mut().take());
            let mut index = match cached {
                Some((dir, index)) if dir == archive.dir() => index,
                _ => MementoIndex::open(archive).map_err(memento_error)?,
            };
            index.refresh(archive).map_err(memento_error)?;
            let out = f(a, archive, &index);
            CACHED.with(|c| *c.borrow_mut() = Some((archive.dir().to_owned(), index)));
            out
        })?
    })
    .await
    .unwrap_or_else(|e| {
        Err(WebError::Internal(format!(
            "the answer could not be made ({e}); please report this"
        )))
    })
}

fn memento_error(e: crate::query::mementos::MementoError) -> WebError {
    match e {
        crate::query::mementos::MementoError::Store(s) => WebError::Store(s),
        e => WebError::Internal(format!(
            "{e}; the memento index is a cache: delete memento.sqlite in the store directory and ask again"
        )),
    }
}

/// The captures of `url`, or a 404 that says where to look.
fn captures_of(a: &Archive, index: &MementoIndex, url: &str) -> Result<Vec<Memento>, WebError> {
    let all = index.lookup(a, url).map_err(memento_error)?;
    if all.is_empty() {
        return Err(WebError::NotFound(format!(
            "no capture of {url} is archived (URLs match after SURT normalization; the front page lists every document)"
        )));
    }
    Ok(all)
}

fn problem(e: &WebError) -> Response {
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = (status, format!("{}\n", e.message())).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn set(h: &mut HeaderMap, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        h.insert(name, v);
    }
}

fn redirect(to: &str, link: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    let h = r.headers_mut();
    set(h, header::LOCATION, to);
    set(h, header::LINK, link);
    set(h, header::VARY, "accept-datetime");
    set(h, header::CACHE_CONTROL, "no-cache");
    r
}

async fn web(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap) -> Response {
    let base = base(&headers);
    let target = match target(&rest_of(&uri, "/web/")) {
        Ok(t) => t,
        Err(e) => return problem(&e),
    };
    let accept = headers
        .get("accept-datetime")
        .map(|v| v.to_str().unwrap_or("").to_owned());
    let r = with_index(&app, move |app, a, index| match target {
        Target::TimeGate(url) => timegate(a, index, &base, &url, accept.as_deref()),
        Target::Memento { stamp, raw, url } => memento(app, a, index, &base, &url, &stamp, raw),
    })
    .await;
    r.unwrap_or_else(|e| problem(&e))
}

fn timegate(
    a: &Archive,
    index: &MementoIndex,
    base: &str,
    url: &str,
    accept: Option<&str>,
) -> Result<Response, WebError> {
    let all = captures_of(a, index, url)?;
    let i = match accept {
        None => Some(all.len() - 1),
        Some(v) => {
            let t = parse_http_date(v).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "Accept-Datetime {:?} is not an HTTP date; send e.g. \"Tue, 12 Feb 2019 08:00:00 GMT\"",
                    v.chars().take(80).collect::<String>()
                ))
            })?;
            closest(&all, t)
        }
    }
    .expect("a capture");
    let uris = Uris {
        base,
        original: url,
    };
    Ok(redirect(
        &uris.memento(&all[i]),
        &links::timegate_links(&uris, &all),
    ))
}

fn memento(
    app: &App,
    a: &Archive,
    index: &MementoIndex,
    base: &str,
    url: &str,
    stamp: &str,
    raw: bool,
) -> Result<Response, WebError> {
    let all = captures_of(a, index, url)?;
    let uris = Uris {
        base,
        original: url,
    };
    let t = parse_timestamp(stamp).ok_or_else(|| {
        WebError::BadRequest(format!(
            "{stamp} is not a date and time: give YYYYMMDDhhmmss"
        ))
    })?;
    let exact = (stamp.len() == 14).then(|| in_second(&all, t)).flatten();
    let Some(i) = exact else {
        // As Wayback does: the closest memento's own address.
        let i = closest(&all, t).expect("a capture");
        let to = if raw {
            uris.raw(&all[i])
        } else {
            uris.memento(&all[i])
        };
        return Ok(redirect(&to, &links::timegate_links(&uris, &all)));
    };
    let m = &all[i];
    let link = links::memento_header(&uris, &all, i);
    let mut r = if raw {
        raw_response(a, m)?
    } else {
        let body = page::memento_html(a, &uris, &all, i, app.search)?;
        let mut r = Response::new(Body::from(body));
        set(
            r.headers_mut(),
            header::CONTENT_TYPE,
            "text/html; charset=utf-8",
        );
        r
    };
    let h = r.headers_mut();
    set(
        h,
        "memento-datetime".parse().expect("name"),
        &http_date(m.at),
    );
    set(h, header::LINK, &link);
    set(h, header::CACHE_CONTROL, "no-cache");
    Ok(r)
}

/// The bytes exactly as captured, as a download: archived HTML is hostile
/// and never becomes a page on this origin.
fn raw_response(a: &Archive, m: &Memento) -> Result<Response, WebError> {
    let rec = a.record(&m.capture)?;
    let bytes = a.read_object(&rec.content)?.to_vec();
    let content_type = rec
        .http
        .as_ref()
        .and_then(|h| h.content_type.clone())
        .unwrap_or_else(|| rec.media_type.clone());
    let mut r = Response::new(Body::from(bytes));
    let h = r.headers_mut();
    if HeaderValue::from_str(&content_type).is_ok() {
        set(h, header::CONTENT_TYPE, &content_type);
    } else {
        set(h, header::CONTENT_TYPE, "application/octet-stream");
    }
    set(
        h,
        header::CONTENT_DISPOSITION,
        &format!("attachment; filename=\"{}.raw\"", m.capture),
    );
    set(h, header::ETAG, &format!("\"{}\"", m.capture));
    Ok(r)
}

async fn timemap_link(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap) -> Response {
    timemap(app, rest_of(&uri, "/timemap/link/"), headers, false).await
}

async fn timemap_json(State(app): State<Arc<App>>, uri: Uri, headers: HeaderMap) -> Response {
    timemap(app, rest_of(&uri, "/timemap/json/"), headers, true).await
}

async fn timemap(app: Arc<App>, rest: String, headers: HeaderMap, json: bool) -> Response {
    let base = base(&headers);
    let (from, url) = match target(&rest) {
        Ok(Target::TimeGate(url)) => (None, url),
        Ok(Target::Memento { stamp, url, .. }) => (parse_timestamp(&stamp), url),
        Err(e) => return problem(&e),
    };
    let r = with_index(&app, move |_, a, index| {
        let all = captures_of(a, index, &url)?;
        let uris = Uris {
            base: &base,
            original: &url,
        };
        let p = links::page(&all, from, TIMEMAP_PAGE);
        if json {
            let tm = links::timemap_json(&uris, &all, p);
            let body = serde_json::to_string_pretty(&tm)
                .map_err(|e| WebError::Internal(format!("the TimeMap as JSON: {e}")))?;
            Ok(("application/json", body + "\n"))
        } else {
            Ok((
                "application/link-format",
                links::timemap_link(&uris, &all, p),
            ))
        }
    })
    .await;
    match r {
        Ok((ct, body)) => {
            let mut r = Response::new(Body::from(body));
            set(r.headers_mut(), header::CONTENT_TYPE, ct);
            set(r.headers_mut(), header::CACHE_CONTROL, "no-cache");
            r
        }
        Err(e) => problem(&e),
    }
}

async fn cdx(State(app): State<Arc<App>>, uri: Uri) -> Response {
    let q = match cdx::Query::parse(uri.query().unwrap_or("")) {
        Ok(q) => q,
        Err(e) => return problem(&e),
    };
    let r = with_index(&app, move |_, a, index| {
        let all = index.lookup(a, &q.url).map_err(memento_error)?;
        cdx::answer(a, &all, &q)
    })
    .await;
    match r {
        Ok((ct, body)) => {
            let mut r = Response::new(Body::from(body));
            set(r.headers_mut(), header::CONTENT_TYPE, ct);
            set(r.headers_mut(), header::CACHE_CONTROL, "no-cache");
            r
        }
        Err(e) => problem(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_into_timestamp_modifier_and_url() {
        assert_eq!(
            target("https://example.org/a?b=1").unwrap(),
            Target::TimeGate("https://example.org/a?b=1".into())
        );
        assert_eq!(
            target("20190212080000id_/http:/example.org/a").unwrap(),
            Target::Memento {
                stamp: "20190212080000".into(),
                raw: true,
                url: "http://example.org/a".into()
            }
        );
        assert_eq!(
            target("2019/https%3A%2F%2Fexample.org%2F").unwrap(),
            Target::Memento {
                stamp: "2019".into(),
                raw: false,
                url: "https://example.org/".into()
            }
        );
        assert_eq!(
            target("example.org/x").unwrap(),
            Target::TimeGate("http://example.org/x".into())
        );
        assert!(target("12/https://example.org/").is_err());
        assert!(target("javascript:alert(1)").is_err());
        assert!(target("").is_err());
    }
}
