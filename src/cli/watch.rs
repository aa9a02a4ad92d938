//! `vellum watch FEED_URL... [--once | --every DURATION]`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use vellum::capture::{self, AddedItem, AddedStatus, HttpFetcher, Options};
use vellum::feed::{ItemOutcome, Watcher};
use vellum::ingest::canon;
use vellum::store::Archive;
use vellum::store::StoreError;
use vellum::when::to_second;

use vellum::monitor::{Lease, Policy, Schedule, Settings};

use super::env::{CliError, Env, Exit};
use super::progress::Progress;
use super::recheck::{CheckArgs, monitor_error, notify_config, run_checks};

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
A feed that cannot be read or parsed is reported and the command exits 2.

After the feeds, each round checks every archived document that is due (see `vellum schedule`
and `vellum recheck`, whose options --delay, --timeout, --notify… are the same here), printing
`DOC OUTCOME DETAIL` for each check. One monitor runs per store at a time: a second `watch` or
`recheck` is refused while the first runs.

  vellum watch --list                       the feeds watched
  vellum watch --remove https://example.org/feed.xml   stop watching one")]
pub struct WatchArgs {
    /// RSS, Atom or JSON Feed URLs [default: the feeds watched before]
    #[arg(value_name = "FEED_URL")]
    feeds: Vec<String>,
    /// Run one round, then exit (the default)
    #[arg(long, conflicts_with = "every")]
    once: bool,
    /// Run a round every DURATION (30s, 15m, 1h, 1d) until interrupted
    #[arg(long, value_name = "DURATION", value_parser = vellum::when::parse_duration)]
    every: Option<Duration>,
    /// List the feeds watched, one per line, and exit
    #[arg(long, conflicts_with_all = ["feeds", "once", "every", "remove"])]
    list: bool,
    /// Stop watching FEED_URL (its items stay archived and scheduled)
    #[arg(long, value_name = "FEED_URL", conflicts_with_all = ["feeds", "once", "every"])]
    remove: Option<String>,
    /// Only the feeds: do not check the documents that are due
    #[arg(long)]
    feeds_only: bool,
    /// --delay, --timeout, --json (new items: doc, version, capture, status, captured_at,
    /// url, feed, words, added, removed; checks: as `recheck --json`) and the notifications
    #[command(flatten)]
    check: CheckArgs,
}

/// A round's surroundings: the store (opened once something is archived)
/// and the stop flag.
struct Round<'e> {
    env: &'e Env,
    json: bool,
    archive: Option<Archive>,
    stop: Arc<AtomicBool>,
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
    let cfg = notify_config(&args.check)?;
    let options = Options {
        fetch: super::web::fetch_config(args.check.timeout),
        ..Options::default()
    };
    let mut fetcher = HttpFetcher;
    let mut w = Watcher::new(&mut fetcher, options, args.check.delay, archive.as_ref())?;
    if args.list || args.remove.is_some() {
        return list_or_remove(env, &mut w, archive, &args);
    }
    let mut lease = match &archive {
        Some(a) => Some(Lease::take(a).map_err(monitor_error)?),
        None => None,
    };
    if feeds.is_empty() {
        feeds = w.feeds();
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
    let mut r = Round {
        env,
        json: args.check.json,
        archive,
        stop,
    };
    loop {
        let started = Instant::now();
        let failed = r.round(&mut w, &feeds)?;
        if let Some(archive) = r
            .archive
            .as_ref()
            .filter(|_| !args.feeds_only && !r.stopped())
        {
            match &lease {
                None => lease = Some(Lease::take(archive).map_err(monitor_error)?),
                // Refreshed all along; a lease lost (a long pause, another
                // monitor took over) stops the run.
                Some(l) => l.ensure_held().map_err(monitor_error)?,
            }
            let targets = due_targets(archive)?;
            run_checks(
                env,
                archive,
                &targets,
                &args.check,
                &cfg,
                &r.stop,
                lease.as_ref(),
            )?;
        }
        let Some(every) = args.every.filter(|_| !args.once) else {
            return Ok(if failed { Exit::Error } else { Exit::Ok });
        };
        while started.elapsed() < every && !r.stopped() {
            std::thread::sleep(Duration::from_millis(100));
        }
        if r.stopped() {
            return Ok(Exit::Ok);
        }
    }
}

/// The documents the schedule says are due now.
fn due_targets(archive: &Archive) -> Result<Vec<vellum::monitor::Target>, CliError> {
    let schedule = Schedule::open(archive, Policy::default()).map_err(monitor_error)?;
    let (_, settings) = Settings::load(archive)?;
    let due = schedule
        .due(super::env::clock(), &settings, usize::MAX)
        .map_err(monitor_error)?;
    due.iter()
        .map(vellum::monitor::target_of)
        .collect::<Result<_, _>>()
        .map_err(monitor_error)
}

/// `--list` and `--remove FEED`.
fn list_or_remove(
    env: &Env,
    w: &mut Watcher<'_>,
    archive: Option<Archive>,
    args: &WatchArgs,
) -> Result<Exit, CliError> {
    let Some(feed) = &args.remove else {
        let mut out = std::io::stdout().lock();
        for f in w.feeds() {
            use std::io::Write;
            writeln!(out, "{f}")?;
        }
        return Ok(Exit::Ok);
    };
    let feed = feed.trim();
    if !w.remove_feed(feed) {
        let watched = w.feeds();
        return Err(CliError::new(format!(
            "{feed} is not watched{}",
            match watched.is_empty() {
                true => String::new(),
                false => format!(" (watched: {})", watched.join(", ")),
            }
        )));
    }
    let archive = archive.expect("a watched feed means a store");
    let _lease = Lease::take(&archive).map_err(monitor_error)?;
    w.save(super::write::writer(env, &archive)?, None)?;
    if env.notes {
        eprintln!("vellum: no longer watching {feed}");
    }
    Ok(Exit::Ok)
}

impl Round<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// One round over `feeds`. Returns whether a feed failed.
    fn round(&mut self, w: &mut Watcher<'_>, feeds: &[String]) -> Result<bool, CliError> {
        let (mut failed, mut archived) = (false, false);
        for feed in feeds {
            if self.stopped() {
                break;
            }
            let items = match w.read_feed(feed, &self.stop) {
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
                let fetched_at = to_second(OffsetDateTime::now_utc());
                match w.item(feed, link, fetched_at, &self.stop) {
                    ItemOutcome::Accepted(c) => {
                        let items = self.save(w, Some((feed, link, *c)))?;
                        archived |= !items.is_empty();
                        self.print(&items)?;
                    }
                    ItemOutcome::Rejected { why, retried } => eprintln!(
                        "vellum: {link}: {why}; {}",
                        if retried {
                            "not archived, tried again next round"
                        } else {
                            "not archived, given up after repeated failures"
                        }
                    ),
                }
                progress.update(i + 1, items.len());
            }
            if w.state_changed() {
                self.save(w, None)?;
            }
        }
        if archived {
            // As after `add`: the next `similar` or `search` finds them
            // without first catching up.
            super::write::catch_up(self.env, self.archive.as_ref().expect("written"), false);
        }
        Ok(failed)
    }

    /// One durable write: the item page (if any) and the new watch state.
    fn save(
        &mut self,
        w: &mut Watcher<'_>,
        item: Option<(&str, &str, capture::Capture)>,
    ) -> Result<Vec<AddedItem>, CliError> {
        if self.archive.is_none() {
            self.archive = Some(self.env.open_or_create()?);
        }
        let archive = self.archive.as_ref().expect("opened");
        let (items, warnings) = w.save(super::write::writer(self.env, archive)?, item)?;
        for warning in warnings {
            eprintln!("vellum: warning: {warning}");
        }
        Ok(items)
    }

    /// The new versions: `DOC@N CAPTURE_ID new  +ADDED -REMOVED words`.
    fn print(&self, items: &[AddedItem]) -> Result<(), CliError> {
        let mut out = std::io::stdout().lock();
        for a in items.iter().filter(|a| a.status == AddedStatus::New) {
            match self.json {
                true => super::write::print_item(&mut out, a, true)?,
                false => vellum::render::listing::new_version(&mut out, a)?,
            }
        }
        Ok(())
    }
}
