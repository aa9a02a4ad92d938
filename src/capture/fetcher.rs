//! How a page is fetched: over HTTP, or from memory.

use crate::fetch::{FetchConfig, FetchError, Fetched};

/// How a page is fetched. [`HttpFetcher`] goes to the network; tests and
/// other front ends may answer from memory.
pub trait Fetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError>;
}

/// The real fetcher: [`crate::fetch::fetch`].
#[derive(Debug, Default, Clone, Copy)]
pub struct HttpFetcher;

impl Fetcher for HttpFetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError> {
        crate::fetch::fetch(url, cfg)
    }
}

/// A fetcher answering from memory, by URL (without its fragment): for
/// tests, and for front ends that already hold the answers. An unknown URL
/// is a network error.
#[derive(Debug, Default, Clone)]
pub struct MemFetcher {
    pub answers: std::collections::HashMap<String, Fetched>,
    /// Every URL asked, in order, with the request headers sent.
    pub asked: Vec<(String, Vec<(String, String)>)>,
}

impl MemFetcher {
    /// Answers `url` with `status`, a `Content-Type` and `body`.
    pub fn answer(&mut self, url: &str, status: u16, content_type: &str, body: &[u8]) {
        let final_url = url::Url::parse(url).expect("a test URL parses");
        let reason = http_reason(status).to_owned();
        self.answers.insert(
            final_url.to_string(),
            Fetched {
                final_url,
                status,
                reason,
                headers: vec![("content-type".into(), content_type.into())],
                redirects: Vec::new(),
                body: body.to_vec(),
                version: "HTTP/1.1".into(),
                raw_head: None,
            },
        );
    }
}

fn http_reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        304 => "Not Modified",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "",
    }
}

impl Fetcher for MemFetcher {
    fn fetch(&mut self, url: &url::Url, cfg: &FetchConfig) -> Result<Fetched, FetchError> {
        self.asked.push((url.to_string(), cfg.headers.clone()));
        self.answers
            .get(url.as_str())
            .cloned()
            .ok_or_else(|| FetchError::Network {
                url: url.to_string(),
                message: "no such answer in memory".into(),
            })
    }
}

/// For tests: an article page of 60 words made from `text`, long enough to
/// be extracted as an article.
#[cfg(test)]
pub fn test_page(text: &str) -> Vec<u8> {
    let words: Vec<String> = (0..60).map(|i| format!("{text}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title></head><body>\
         <article><h1>T</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    )
    .into_bytes()
}
