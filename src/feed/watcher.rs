//! Watching feeds (`vellum watch`): politeness (one request at a time per
//! host, a delay apart), conditional GET with each feed's validators, which
//! items to archive (HTML with article text, not flagged), and the watch
//! state kept in the store between rounds. Items are fetched and prepared
//! through the capture pipeline, so a feed's page is archived exactly as
//! `vellum add URL` would archive it.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use time::OffsetDateTime;

use crate::capture::{self, AddedItem, Capture, CaptureError, Fetcher, Options, Warning};
use crate::id::ObjectId;
use crate::ingest::canon;
use crate::monitor::{Hosts, Lease, MonitorError, Politeness};
use crate::store::StoreError;
use crate::store::{Archive, CaptureText, Writer};

use super::parser::{self, FeedError, MAX_FEED_BYTES};
use super::state::{self, FeedState, WatchState};

/// Why a feed could not be read this round.
/// A feed to stop watching that is not watched.
#[derive(Debug)]
pub struct NotWatched {
    pub feed: String,
    /// The feeds that are.
    pub watched: Vec<String>,
}

impl fmt::Display for NotWatched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is not watched", self.feed)?;
        match self.watched.is_empty() {
            true => Ok(()),
            false => write!(f, " (watched: {})", self.watched.join(", ")),
        }
    }
}

impl std::error::Error for NotWatched {}

#[derive(Debug, thiserror::Error)]
pub enum FeedFailure {
    #[error(transparent)]
    Fetch(#[from] CaptureError),
    #[error("HTTP {status} {reason}")]
    Status { status: u16, reason: String },
    #[error(transparent)]
    Parse(#[from] FeedError),
}

impl FeedFailure {
    /// The kind of this error: a feed that is gone (404, 410) is not found,
    /// another status or a failed fetch is I/O, a feed that cannot be parsed
    /// is bad input.
    pub fn kind(&self) -> crate::error::ErrorKind {
        use crate::error::ErrorKind;
        match self {
            FeedFailure::Fetch(e) => e.kind(),
            FeedFailure::Status {
                status: 404 | 410, ..
            } => ErrorKind::NotFound,
            FeedFailure::Status { .. } => ErrorKind::Io,
            FeedFailure::Parse(e) => e.kind(),
        }
    }
}

/// Why an item page was not archived (it is tried again next round, up to
/// [`state::MAX_ATTEMPTS`] times).
#[derive(Debug)]
pub enum Rejection {
    /// Fetching failed, or the answer was not 2xx.
    Fetch(CaptureError),
    NotHtml {
        media_type: String,
    },
    /// The page was flagged (an error page, too little text).
    Flagged(String),
    NoText,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Fetch(e) => write!(f, "{e}"),
            Rejection::NotHtml { media_type } => write!(f, "not an HTML page ({media_type})"),
            Rejection::Flagged(flag) => f.write_str(flag),
            Rejection::NoText => f.write_str("no article text"),
        }
    }
}

/// What became of one item page.
#[derive(Debug)]
pub enum ItemOutcome {
    /// Ready to archive: stage it with [`Watcher::stage`].
    Accepted(Box<Capture>),
    /// Not archived; `retried` says whether the next round tries again.
    Rejected { why: Rejection, retried: bool },
}

/// The feed URLs as typed (`vellum watch FEED_URL...`), each checked
/// (an http(s) URL) and trimmed; the error names the feed.
pub fn checked_urls(typed: &[String]) -> Result<Vec<String>, MonitorError> {
    let check = |f: &String| match canon::canonicalize(f) {
        Ok(_) => Ok(f.trim().to_owned()),
        Err(e) => Err(MonitorError::Input(format!("feed {e}"))),
    };
    typed.iter().map(check).collect()
}

/// The watcher: its fetcher, politeness and the watch state.
pub struct Watcher<'f> {
    fetcher: &'f mut dyn Fetcher,
    /// How items are fetched and prepared (as `add URL`).
    options: Options,
    delay: Duration,
    hosts: Hosts,
    state: WatchState,
    /// The stored state object `state` follows, and what it held.
    saved: (Option<ObjectId>, WatchState),
}

impl<'f> Watcher<'f> {
    /// A watcher continuing from the state stored in `archive` (if any).
    pub fn new(
        fetcher: &'f mut dyn Fetcher,
        options: Options,
        delay: Duration,
        archive: Option<&Archive>,
    ) -> Result<Watcher<'f>, StoreError> {
        let (prev, state) = match archive {
            Some(a) => load_state(a)?,
            None => (None, WatchState::default()),
        };
        Ok(Watcher {
            fetcher,
            options,
            delay,
            hosts: Hosts::default(),
            saved: (prev, state.clone()),
            state,
        })
    }

    /// The feeds watched before.
    pub fn feeds(&self) -> Vec<String> {
        self.state.feeds.keys().cloned().collect()
    }

    /// The feeds a round watches: those `asked` ([`checked_urls`]), else
    /// the feeds watched before; none at all is refused.
    pub fn feeds_or_watched(&self, asked: Vec<String>) -> Result<Vec<String>, MonitorError> {
        let feeds = if asked.is_empty() {
            self.feeds()
        } else {
            asked
        };
        match feeds.is_empty() {
            true => Err(MonitorError::Input(
                "no feed to watch: give one or more feed URLs (vellum watch \
                 https://example.org/feed.xml)"
                    .into(),
            )),
            false => Ok(feeds),
        }
    }

    /// Stops watching `feed` (as listed by [`Watcher::feeds`]), or says
    /// it is not watched. Stored by the next [`Watcher::save`].
    pub fn remove_feed(&mut self, feed: &str) -> Result<(), NotWatched> {
        self.state.state = state::NAME.into();
        match self.state.feeds.remove(feed) {
            Some(_) => Ok(()),
            None => Err(NotWatched {
                feed: feed.to_owned(),
                watched: self.feeds(),
            }),
        }
    }

    /// Stops watching `feed` (as [`Watcher::remove_feed`]) and stores that
    /// at once, under the monitor's lease; `waiting` hears that another
    /// writer holds the store. `archive` is the one the watcher was made
    /// with (a watched feed means there is one).
    pub fn unwatch<E>(
        &mut self,
        archive: Option<&Archive>,
        feed: &str,
        waiting: &mut dyn FnMut(),
    ) -> Result<(), E>
    where
        E: From<NotWatched> + From<MonitorError> + From<StoreError>,
    {
        self.remove_feed(feed)?;
        let archive = archive.expect("a watched feed means a store");
        let _lease = Lease::take(archive)?;
        self.save(archive.writer(waiting)?, None)?;
        Ok(())
    }

    /// Whether the state changed since it was last stored.
    pub fn state_changed(&self) -> bool {
        self.state != self.saved.1
    }

    /// One request at a time per host, the delay apart (cut short by
    /// `stop`): the monitor's politeness, without jitter or robots.txt.
    fn wait(&mut self, url: &str, stop: &AtomicBool) {
        if let Ok(u) = url::Url::parse(url) {
            let polite = Politeness {
                delay: self.delay,
                jitter: Duration::ZERO,
                robots: false,
            };
            self.hosts
                .wait(&u, &polite, &|| stop.load(Ordering::Relaxed));
        }
    }

    /// Fetches a feed (a conditional GET with its validators) and lists the
    /// item pages to archive: those not seen yet, then those to retry.
    pub fn read_feed(&mut self, feed: &str, stop: &AtomicBool) -> Result<Vec<String>, FeedFailure> {
        let fs = self.state.feeds.get(feed).cloned().unwrap_or_default();
        let mut cfg = self.options.fetch.clone();
        cfg.max_bytes = MAX_FEED_BYTES as u64;
        if let Some(e) = &fs.etag {
            cfg.headers.push(("If-None-Match".into(), e.clone()));
        }
        if let Some(m) = &fs.last_modified {
            cfg.headers.push(("If-Modified-Since".into(), m.clone()));
        }
        self.wait(feed, stop);
        let f = capture::fetch(self.fetcher, feed, &cfg)?;
        let mut links = Vec::new();
        if f.status != 304 {
            if !f.is_success() {
                return Err(FeedFailure::Status {
                    status: f.status,
                    reason: f.reason,
                });
            }
            let parsed = parser::parse(&f.body, f.final_url.as_str())?;
            for item in parsed.items {
                let seen = canon::canonicalize(&item.link)
                    .is_ok_and(|c| fs.has_seen(c.as_str()) && !fs.retry.contains_key(&item.link));
                if !seen {
                    links.push(item.link);
                }
            }
            let st = self.state.feeds.entry(feed.to_owned()).or_default();
            st.etag = f.header("etag").map(str::to_owned);
            st.last_modified = f.header("last-modified").map(str::to_owned);
        }
        self.state.state = state::NAME.into();
        let st = self.state.feeds.entry(feed.to_owned()).or_default();
        for link in st.retry.keys() {
            if !links.contains(link) {
                links.push(link.clone());
            }
        }
        Ok(links)
    }

    /// Fetches one item page and decides whether to archive it: an HTML
    /// page with article text, not flagged. An accepted page is remembered
    /// as seen (by its canonical URL and by its link); a rejected one is
    /// recorded to retry.
    pub fn item(
        &mut self,
        feed: &str,
        link: &str,
        fetched_at: OffsetDateTime,
        stop: &AtomicBool,
    ) -> ItemOutcome {
        self.wait(link, stop);
        let why = match capture::fetch_page(self.fetcher, link, &self.options, fetched_at) {
            Err(e) => Rejection::Fetch(e),
            Ok(c) => match acceptance(&c) {
                Some(why) => why,
                None => {
                    let canonical = c.extra.canonical_url.clone().unwrap_or(link.to_owned());
                    let st = self.state.feeds.entry(feed.to_owned()).or_default();
                    st.archived(link, &canonical);
                    // Remembered by the link's canonical URL too, when the
                    // page declares another: the feed lists the link.
                    if let Ok(c) = canon::canonicalize(link) {
                        st.archived(link, c.as_str());
                    }
                    return ItemOutcome::Accepted(Box::new(c));
                }
            },
        };
        let st: &mut FeedState = self.state.feeds.entry(feed.to_owned()).or_default();
        let retried = st.failed(link, &why.to_string());
        ItemOutcome::Rejected { why, retried }
    }

    /// One durable write through the capture write protocol: the accepted
    /// item page of `feed` at `link` (if any) and the next watch state,
    /// acknowledged together, so a crash never archives a page the state
    /// does not remember (or the reverse). Returns the added captures (with
    /// their `url` and `feed`) and the capture's warnings.
    pub fn save(
        &mut self,
        mut writer: Writer<'_>,
        item: Option<(&str, &str, Capture)>,
    ) -> Result<(Vec<AddedItem>, Vec<Warning>), StoreError> {
        let mut warnings = Vec::new();
        let mut source = None;
        if let Some((feed, link, c)) = item {
            warnings = capture::stage(&mut writer, c)?;
            source = Some((feed.to_owned(), link.to_owned()));
        }
        let next = self.state.next(self.saved.0);
        let id = writer.put_state(&next.to_bytes())?;
        let committed = capture::commit(writer)?;
        self.state = next;
        self.saved = (Some(id), self.state.clone());
        let items = committed
            .iter()
            .map(|c| AddedItem {
                feed: source.as_ref().map(|s| s.0.clone()),
                url: source.as_ref().map(|s| s.1.clone()),
                ..AddedItem::new(c)
            })
            .collect();
        Ok((items, warnings))
    }
}

/// Why a fetched item page is not archived, if it is not.
fn acceptance(c: &Capture) -> Option<Rejection> {
    let empty = matches!(&c.capture.text, CaptureText::Extracted(t) if t.trim().is_empty());
    if c.capture.media_type != "text/html" {
        Some(Rejection::NotHtml {
            media_type: c.capture.media_type.clone(),
        })
    } else if let Some(flag) = &c.extra.flag {
        Some(Rejection::Flagged(flag.clone()))
    } else if empty {
        Some(Rejection::NoText)
    } else {
        None
    }
}

/// The watch state stored in `archive`, and its id.
pub fn load_state(archive: &Archive) -> Result<(Option<ObjectId>, WatchState), StoreError> {
    match archive.latest_state(state::NAME)? {
        None => Ok((None, WatchState::default())),
        Some((id, bytes)) => WatchState::parse(&bytes)
            .map(|s| (Some(id), s))
            .map_err(|e| StoreError::Damaged {
                id,
                reason: format!("the watch state does not parse ({e})"),
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::FeedFailure;
    use crate::error::ErrorKind;

    #[test]
    fn a_feed_gone_is_not_found_other_statuses_are_io() {
        let status = |status| FeedFailure::Status {
            status,
            reason: String::new(),
        };
        assert_eq!(status(410).kind(), ErrorKind::NotFound);
        assert_eq!(status(404).kind(), ErrorKind::NotFound);
        assert_eq!(status(503).kind(), ErrorKind::Io);
    }

    #[test]
    fn feeds_typed_are_checked_and_trimmed_else_the_watched_ones() {
        let typed = vec![" https://news.example/feed.xml ".to_owned()];
        assert_eq!(
            super::checked_urls(&typed).unwrap(),
            ["https://news.example/feed.xml"]
        );
        let bad = super::checked_urls(&["ftp://x/feed".to_owned()]).unwrap_err();
        assert_eq!(bad.kind(), ErrorKind::InvalidInput);
        assert!(bad.to_string().starts_with("feed "), "{bad}");
        let mut fetcher = crate::capture::MemFetcher::default();
        let (options, delay) = (Default::default(), std::time::Duration::ZERO);
        let w = super::Watcher::new(&mut fetcher, options, delay, None).unwrap();
        let none = w.feeds_or_watched(vec![]).unwrap_err().to_string();
        assert!(
            none.starts_with("no feed to watch: give one or more feed URLs"),
            "{none}"
        );
        let asked = w.feeds_or_watched(vec!["https://a.example/f".into()]);
        assert_eq!(asked.unwrap(), ["https://a.example/f"]);
    }
}
