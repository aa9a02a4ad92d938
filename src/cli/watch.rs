//! `vellum watch FEED_URL... [--once | --every DURATION]`

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vellum::feed::state::{self, FeedState, WatchState};
use vellum::fetch::{FetchConfig, Fetched};
use vellum::id::ObjectId;
use vellum::ingest::canon;
use vellum::store::StoreError;
use vellum::store::{Added, Archive, Status};

use super::add::{self, AddArgs};
use super::progress::Progress;
use super::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum watch https://example.org/feed.xml --once        (one round: from cron, say)
  vellum watch https://example.org/rss https://example.net/atom.xml --every 15m
  vellum watch --once                                     (the feeds watched before)

Each round fetches every feed (a conditional GET: an unchanged feed costs a 304), then the
page of each item not archived yet, through the same path as `vellum add URL` (one document
per canonical URL). Prints one line per document that got a new version, with its word
change: `DOC@N CAPTURE_ID new  +ADDED -REMOVED words`. Items that fail (timeout, 404, not
HTML, a page with almost no text) are reported and tried again next round, never archived
as empty text. The feeds, their validators, the items seen and those to retry are kept in
the store (state objects, which survive `vellum reindex`), so each run picks up where the
last stopped. Ctrl-C stops after the current item; every capture already printed is kept.
A feed that cannot be read or parsed is reported and the command exits 2.")]
pub struct WatchArgs {
    /// RSS, Atom or JSON Feed URLs [default: the feeds watched before]
    #[arg(value_name = "FEED_URL")]
    feeds: Vec<String>,
    /// Run one round, then exit (the default)
    #[arg(long, conflicts_with = "every")]
    once: bool,
    /// Run a round every DURATION (30s, 15m, 1h, 1d) until interrupted
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    every: Option<Duration>,
    /// Pause between two requests to one host
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = parse_duration)]
    delay: Duration,
    /// Seconds allowed for fetching each feed or page
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
    /// One JSON object per line: doc, version, capture, status, captured_at, url, feed,
    /// words, added, removed
    #[arg(long)]
    json: bool,
}

/// `30s`, `15m`, `1h`, `1d`, or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d")),
    };
    Ok(Duration::from_secs(secs))
}

/// One request at a time per host, `delay` apart.
struct Polite {
    delay: Duration,
    last: HashMap<String, Instant>,
}

impl Polite {
    fn wait(&mut self, url: &str, stop: &AtomicBool) {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(last) = self.last.get(&host) {
            let until = *last + self.delay;
            while Instant::now() < until && !stop.load(Ordering::Relaxed) {
                std::thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
            }
        }
        self.last.insert(host, Instant::now());
    }
}

/// The store and the watch state, as the round goes.
struct Watcher<'e> {
    env: &'e Env,
    args: &'e WatchArgs,
    archive: Option<Archive>,
    state: WatchState,
    /// The stored state object `state` follows (and what it held).
    saved: (Option<ObjectId>, WatchState),
    stop: Arc<AtomicBool>,
    /// Whether this round archived something (the indexes then catch up).
    archived: bool,
    polite: Polite,
}

pub fn run_watch(env: &Env, args: WatchArgs) -> Result<Exit, CliError> {
    let mut feeds = Vec::new();
    for f in &args.feeds {
        canon::canonicalize(f).map_err(|e| CliError::new(format!("feed {e}")))?;
        feeds.push(f.trim().to_owned());
    }
    let archive = match Archive::open_writable(&env.store) {
        Ok((a, _)) => Some(a),
        Err(StoreError::NoStore(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let (prev, state) = match &archive {
        Some(a) => load_state(a)?,
        None => (None, WatchState::default()),
    };
    if feeds.is_empty() {
        feeds = state.feeds.keys().cloned().collect();
        if feeds.is_empty() {
            return Err(CliError::new(
                "no feed to watch: give one or more feed URLs (vellum watch https://example.org/feed.xml)",
            ));
        }
    }
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    let notes = env.notes;
    // A second Ctrl-C quits at once: a write it cuts short leaves nothing
    // acknowledged behind (the next writer removes its partial pack).
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
        if notes {
            eprintln!("vellum: stopping after the current item (Ctrl-C again to quit now)");
        }
    });
    let add_args = AddArgs::for_url(args.timeout);
    let mut w = Watcher {
        env,
        args: &args,
        archive,
        saved: (prev, state.clone()),
        state,
        stop,
        archived: false,
        polite: Polite {
            delay: args.delay,
            last: HashMap::new(),
        },
    };
    loop {
        let started = Instant::now();
        let failed = w.round(&feeds, &add_args)?;
        let Some(every) = args.every.filter(|_| !args.once) else {
            return Ok(if failed { Exit::Error } else { Exit::Ok });
        };
        while started.elapsed() < every && !w.stopped() {
            std::thread::sleep(Duration::from_millis(100));
        }
        if w.stopped() {
            return Ok(Exit::Ok);
        }
    }
}

fn load_state(a: &Archive) -> Result<(Option<ObjectId>, WatchState), CliError> {
    match a.latest_state(state::NAME)? {
        None => Ok((None, WatchState::default())),
        Some((id, bytes)) => WatchState::parse(&bytes)
            .map(|s| (Some(id), s))
            .map_err(|e| {
                CliError::new(format!(
                    "the watch state {} does not parse ({e}); run `vellum verify`",
                    id.short()
                ))
            }),
    }
}

impl Watcher<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    fn fetch(&mut self, url: &str, cfg: FetchConfig) -> Result<Fetched, String> {
        self.polite.wait(url, &self.stop);
        let u = url::Url::parse(url).map_err(|e| e.to_string())?;
        vellum::fetch::fetch(&u, &cfg).map_err(|e| e.to_string())
    }

    /// One round over `feeds`. Returns whether a feed failed.
    fn round(&mut self, feeds: &[String], add_args: &AddArgs) -> Result<bool, CliError> {
        let mut failed = false;
        for feed in feeds {
            if self.stopped() {
                break;
            }
            let items = match self.read_feed(feed) {
                Ok(items) => items,
                Err(e) => {
                    eprintln!("vellum: feed {feed}: {e}; nothing archived from it");
                    failed = true;
                    continue;
                }
            };
            let mut progress = Progress::new(self.env, "archiving feed items");
            for (i, link) in items.iter().enumerate() {
                if self.stopped() {
                    break;
                }
                self.item(feed, link, add_args)?;
                progress.update(i + 1, items.len());
            }
            if self.state != self.saved.1 {
                self.save(|_| Ok(()))?;
            }
        }
        if std::mem::take(&mut self.archived) {
            // As after `add`: the next `similar` or `search` finds them
            // without first catching up.
            super::similar::update_index(self.env);
            super::search::refresh_index(self.env, false);
        }
        Ok(failed)
    }

    /// Fetches a feed (conditionally) and lists the item pages to archive:
    /// those not seen yet, then those to retry.
    fn read_feed(&mut self, feed: &str) -> Result<Vec<String>, String> {
        let fs = self.state.feeds.get(feed).cloned().unwrap_or_default();
        let mut cfg = FetchConfig {
            total_timeout: Duration::from_secs(self.args.timeout.max(1)),
            max_bytes: vellum::feed::MAX_FEED_BYTES as u64,
            ..FetchConfig::default()
        };
        if let Some(e) = &fs.etag {
            cfg.headers.push(("If-None-Match".into(), e.clone()));
        }
        if let Some(m) = &fs.last_modified {
            cfg.headers.push(("If-Modified-Since".into(), m.clone()));
        }
        let f = self.fetch(feed, cfg)?;
        let mut links = Vec::new();
        if f.status != 304 {
            if !f.is_success() {
                return Err(format!("HTTP {} {}", f.status, f.reason).trim().to_owned());
            }
            let parsed =
                vellum::feed::parse(&f.body, f.final_url.as_str()).map_err(|e| e.to_string())?;
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

    /// Fetches and archives one item page, or records why it failed.
    fn item(&mut self, feed: &str, link: &str, add_args: &AddArgs) -> Result<(), CliError> {
        self.polite.wait(link, &self.stop);
        let why = match add::fetch_url(add_args, link) {
            // `add`'s advice (--keep-errors) is not watch's.
            Err(e) => {
                let e = e.to_string();
                e.split("; nothing was archived")
                    .next()
                    .unwrap_or(&e)
                    .to_owned()
            }
            Ok(p) => {
                let got = p.ingested.as_ref().expect("a fetched URL is ingested");
                let empty = matches!(&got.text, vellum::store::CaptureText::Extracted(t) if t.trim().is_empty());
                if got.media_type != "text/html" {
                    format!("not an HTML page ({})", got.media_type)
                } else if let Some(flag) = &got.extra.flag {
                    flag.clone()
                } else if empty {
                    "no article text".into()
                } else {
                    let canonical = got.extra.canonical_url.clone().unwrap_or(link.to_owned());
                    let st = self.state.feeds.entry(feed.to_owned()).or_default();
                    st.archived(link, &canonical);
                    // Remembered by the link's canonical URL too, when the
                    // page declares another: the feed lists the link.
                    if let Ok(c) = canon::canonicalize(link) {
                        st.archived(link, c.as_str());
                    }
                    let added = self.save(|w| add::stage(add_args, w, p))?;
                    self.print(feed, link, &added)?;
                    return Ok(());
                }
            }
        };
        let st: &mut FeedState = self.state.feeds.entry(feed.to_owned()).or_default();
        let again = st.failed(link, &why);
        eprintln!(
            "vellum: {link}: {why}; {}",
            if again {
                "not archived, tried again next round"
            } else {
                "not archived, given up after repeated failures"
            }
        );
        Ok(())
    }

    /// One durable write: what `stage` adds, and the new watch state.
    fn save(
        &mut self,
        stage: impl FnOnce(&mut vellum::store::Writer<'_>) -> Result<(), CliError>,
    ) -> Result<Vec<Added>, CliError> {
        if self.archive.is_none() {
            self.archive = Some(self.env.open_or_create()?);
        }
        let archive = self.archive.as_ref().expect("opened");
        let notes = self.env.notes;
        let mut writer = archive.writer(&mut || {
            if notes {
                eprintln!("vellum: waiting for another writer to finish…");
            }
        })?;
        stage(&mut writer)?;
        let next = self.state.next(self.saved.0);
        let id = writer.put_state(&next.to_bytes())?;
        let added = writer.prepare()?;
        vellum::query::cache_stats(writer.archive(), &added)?;
        writer.commit()?;
        self.archived |= !added.is_empty();
        self.state = next;
        self.saved = (Some(id), self.state.clone());
        Ok(added)
    }

    fn print(&self, feed: &str, link: &str, added: &[Added]) -> Result<(), CliError> {
        let archive = self.archive.as_ref().expect("written");
        let mut out = std::io::stdout().lock();
        for a in added.iter().filter(|a| a.status == Status::New) {
            let words = match a.text {
                Some(t) => vellum::query::words(archive, &t)?,
                None => None,
            };
            let change = match (a.previous_text, a.text) {
                (Some(p), Some(t)) => vellum::query::change(archive, &p, &t)?,
                _ => None,
            };
            if self.args.json {
                let v = serde_json::json!({
                    "doc": a.doc, "version": a.version, "capture": a.capture,
                    "status": a.status, "captured_at": fmt_time(a.captured_at),
                    "url": link, "feed": feed, "words": words,
                    "added": change.map(|c| c.0), "removed": change.map(|c| c.1),
                });
                writeln!(out, "{v}")?;
                continue;
            }
            let stat = match (change, words) {
                (Some((add, rem)), _) => format!("+{add} -{rem} words"),
                (None, Some(w)) => format!("{w} words"),
                (None, None) => String::new(),
            };
            writeln!(out, "{}@{} {} new  {stat}", a.doc, a.version, a.capture)?;
        }
        Ok(())
    }
}
