//! HTTP fetching: the one place where vellum talks to the network. Kept
//! apart from `ingest` on purpose: ingest is pure (bytes in, text out) and
//! this module is I/O. A pure-Rust client (ureq over rustls), with connect
//! and total timeouts, a size cap on the decoded body, gzip and brotli, and
//! redirects followed here (at most [`FetchConfig::max_redirects`]) so the
//! chain can be recorded.

use std::time::Duration;

use crate::error::ErrorKind;

/// Errors of fetching a URL (`vellum add URL`, `vellum extract URL`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("{0}")]
    Url(#[from] crate::ingest::canon::BadUrl),
    #[error("fetching {url}: no answer within {secs} s; try again later")]
    Timeout { url: String, secs: u64 },
    #[error(
        "fetching {url}: the page is over the {limit}-byte limit; save it and add the file if it really is an article"
    )]
    TooLarge { url: String, limit: u64 },
    #[error("fetching {url}: more than {limit} redirects; check the URL in a browser")]
    TooManyRedirects { url: String, limit: usize },
    #[error("fetching {url}: redirected to {target:?}, which is not an http(s) URL")]
    BadRedirect { url: String, target: String },
    #[error("fetching {url}: {message}; check the URL and the network connection")]
    Network { url: String, message: String },
}

impl FetchError {
    /// The kind of this error: a bad URL or a page refused is the input's
    /// fault, a timeout or a failed connection the network's.
    pub fn kind(&self) -> ErrorKind {
        match self {
            FetchError::Timeout { .. } | FetchError::Network { .. } => ErrorKind::Io,
            FetchError::Url(_)
            | FetchError::TooLarge { .. }
            | FetchError::TooManyRedirects { .. }
            | FetchError::BadRedirect { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// Limits of one fetch.
#[derive(Debug, Clone)]
pub struct FetchConfig {
    pub connect_timeout: Duration,
    /// For the whole fetch, redirects included.
    pub total_timeout: Duration,
    /// Largest body accepted, after gzip/brotli decoding.
    pub max_bytes: u64,
    pub max_redirects: usize,
    pub user_agent: String,
    /// Extra request headers (`If-None-Match` for a conditional GET), sent
    /// to the first URL only.
    pub headers: Vec<(String, String)>,
}

impl Default for FetchConfig {
    fn default() -> Self {
        FetchConfig {
            connect_timeout: Duration::from_secs(10),
            total_timeout: Duration::from_secs(60),
            max_bytes: 32 << 20,
            max_redirects: 10,
            user_agent: user_agent(),
            headers: Vec::new(),
        }
    }
}

impl FetchConfig {
    /// The defaults, with `secs` (at least 1) allowed for a whole fetch
    /// (`--timeout SECS`).
    pub fn with_timeout(secs: u64) -> Self {
        FetchConfig {
            total_timeout: Duration::from_secs(secs.max(1)),
            ..FetchConfig::default()
        }
    }
}

/// `vellum/VERSION`.
pub fn user_agent() -> String {
    format!("vellum/{}", env!("CARGO_PKG_VERSION"))
}

/// One hop of a redirect chain.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Redirect {
    pub url: String,
    pub status: u16,
}

/// A fetched page, whatever its status.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL that answered (after redirects).
    pub final_url: url::Url,
    pub status: u16,
    /// The status line's reason phrase, when the server sent a known status.
    pub reason: String,
    /// Response headers in the order received (names lowercase).
    pub headers: Vec<(String, String)>,
    /// Every URL that redirected, in order, with its status.
    pub redirects: Vec<Redirect>,
    /// The body, gzip/brotli already decoded.
    pub body: Vec<u8>,
    /// The protocol version of the answer (`HTTP/1.0`, `HTTP/1.1`).
    pub version: String,
    /// The status line and headers exactly as received, when the fetcher
    /// kept them (a WARC record does). ureq normalizes header names and
    /// knows only standard reason phrases, so [`fetch`] leaves this `None`
    /// and [`Fetched::head_text`] rebuilds the head.
    pub raw_head: Option<String>,
}

impl Fetched {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The status line and headers: as received when kept
    /// ([`Fetched::raw_head`]), else rebuilt.
    pub fn head_text(&self) -> String {
        if let Some(raw) = &self.raw_head {
            return raw.clone();
        }
        let mut s = format!("{} {} {}\r\n", self.version, self.status, self.reason);
        for (k, v) in &self.headers {
            s.push_str(&format!("{k}: {v}\r\n"));
        }
        s.push_str("\r\n");
        s
    }
}

/// Fetches a URL with GET, following redirects.
pub fn fetch(url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError> {
    let started = std::time::Instant::now();
    let mut current = url.clone();
    let mut redirects = Vec::new();
    loop {
        let left = cfg
            .total_timeout
            .checked_sub(started.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| FetchError::Timeout {
                url: current.to_string(),
                secs: cfg.total_timeout.as_secs(),
            })?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(left))
            .timeout_connect(Some(cfg.connect_timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(cfg.user_agent.as_str())
            .build()
            .into();
        let mut req = agent.get(current.as_str());
        if redirects.is_empty() {
            for (k, v) in &cfg.headers {
                req = req.header(k.as_str(), v.as_str());
            }
        }
        let mut resp = req.call().map_err(|e| map_err(e, &current, cfg))?;
        let status = resp.status().as_u16();
        let location = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if (300..400).contains(&status)
            && let Some(loc) = location
        {
            if redirects.len() >= cfg.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: url.to_string(),
                    limit: cfg.max_redirects,
                });
            }
            let next = current
                .join(loc.trim())
                .map_err(|_| FetchError::BadRedirect {
                    url: current.to_string(),
                    target: loc.clone(),
                })?;
            if !matches!(next.scheme(), "http" | "https") {
                return Err(FetchError::BadRedirect {
                    url: current.to_string(),
                    target: loc,
                });
            }
            redirects.push(Redirect {
                url: current.to_string(),
                status,
            });
            current = next;
            continue;
        }
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let reason = resp.status().canonical_reason().unwrap_or("").to_owned();
        let version = format!("{:?}", resp.version());
        let body = resp
            .body_mut()
            .with_config()
            .limit(cfg.max_bytes)
            .read_to_vec()
            .map_err(|e| map_err(e, &current, cfg))?;
        return Ok(Fetched {
            final_url: current,
            status,
            reason,
            headers,
            redirects,
            body,
            version,
            raw_head: None,
        });
    }
}

fn map_err(e: ureq::Error, url: &url::Url, cfg: &FetchConfig) -> FetchError {
    let url = url.to_string();
    match e {
        ureq::Error::Timeout(_) => FetchError::Timeout {
            url,
            secs: cfg.total_timeout.as_secs(),
        },
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge {
            url,
            limit: cfg.max_bytes,
        },
        ureq::Error::Io(ref io) if io.kind() == std::io::ErrorKind::TimedOut => {
            FetchError::Timeout {
                url,
                secs: cfg.total_timeout.as_secs(),
            }
        }
        other => FetchError::Network {
            url,
            message: other.to_string(),
        },
    }
}
