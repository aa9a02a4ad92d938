//! `vellum watch FEED_URL... [--once | --every DURATION]`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use vellum::capture::{AddedStatus, HttpFetcher};
use vellum::feed::{RoundEvent, Watch, WatchEvent, WatchRound, Watcher};
use vellum::monitor::Lease;
use vellum::render::{json, listing};
use vellum::store::{Archive, StoreError};

use super::env::{CliError, Env, Exit, clock};
use super::progress::Progress;
use super::recheck::{CheckArgs, Printer, round_settings, tell_delivered};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/watch.txt"))]
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

pub fn run_watch(env: &Env, args: WatchArgs) -> Result<Exit, CliError> {
    let feeds = vellum::feed::checked_urls(&args.feeds)?;
    let archive = match Archive::open_writable(&env.store) {
        Ok((a, _)) => Some(a),
        Err(StoreError::NoStore(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let settings = round_settings(&args.check)?;
    let mut fetcher = HttpFetcher;
    let options = settings.options.clone();
    let mut w = Watcher::new(&mut fetcher, options, args.check.delay, archive.as_ref())?;
    if args.list || args.remove.is_some() {
        return list_or_remove(env, &mut w, archive, &args);
    }
    let lease = archive.as_ref().map(Lease::take).transpose()?;
    let feeds = w.feeds_or_watched(feeds)?;
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
    let now = || vellum::when::to_second(time::OffsetDateTime::now_utc());
    let mut watch = Watch {
        feeds: WatchRound {
            archive,
            stop: &stop,
            clock: &now,
        },
        lease,
        settings: &settings,
        feeds_only: args.feeds_only,
        clock: &clock,
    };
    let stopped = || stop.load(Ordering::Relaxed);
    loop {
        let started = Instant::now();
        let failed = round(env, &mut watch, &mut w, &feeds, args.check.json)?;
        let Some(every) = args.every.filter(|_| !args.once) else {
            return Ok(if failed { Exit::Error } else { Exit::Ok });
        };
        while started.elapsed() < every && !stopped() {
            std::thread::sleep(Duration::from_millis(100));
        }
        if stopped() {
            return Ok(Exit::Ok);
        }
    }
}

/// One round (the library's), printing as it goes: the new versions
/// (`DOC@N CAPTURE_ID new  +ADDED -REMOVED words`) and the checks on
/// stdout, failures on stderr. Returns whether a feed failed.
fn round(
    env: &Env,
    watch: &mut Watch<'_>,
    w: &mut Watcher<'_>,
    feeds: &[String],
    json: bool,
) -> Result<bool, CliError> {
    let mut p = Printer::new(env, json, watch.feeds.stop);
    let mut open = || env.open_or_create();
    let report = watch.run(w, feeds, &mut HttpFetcher, &mut open, &mut |e| match e {
        WatchEvent::Feed(e) => item(&mut p, e),
        WatchEvent::Check(e) => p.check(e),
        WatchEvent::Written(archive) => {
            p.progress = None;
            // As after `add`: the next `similar` or `search` finds them
            // without first catching up.
            super::write::catch_up(env, archive, false);
        }
    });
    p.finish()?;
    let report = report?;
    if let Some(d) = &report.delivered {
        tell_delivered(env, d);
    }
    Ok(!report.feeds.failed.is_empty())
}

/// A feed round's event: new versions on stdout, the rest on stderr, with
/// a progress line per feed.
fn item(p: &mut Printer<'_>, e: RoundEvent<'_>) {
    match e {
        RoundEvent::Items { .. } => p.progress = Some(Progress::new(p.env, "archiving feed items")),
        RoundEvent::FeedDone { .. } => p.progress = None,
        RoundEvent::Progress { done, total } => {
            p.progress.iter_mut().for_each(|p| p.update(done, total))
        }
        RoundEvent::Archived(items) => p.print(|out, json| {
            let mut new = items.iter().filter(|a| a.status == AddedStatus::New);
            new.try_for_each(|a| json::or_text(out, json, a, listing::new_version))
        }),
        RoundEvent::Waiting => super::write::waiting(p.env),
        e => vellum::render::monitor::feed_note(&e)
            .iter()
            .for_each(|n| eprintln!("vellum: {n}")),
    }
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
    w.unwatch::<CliError>(archive.as_ref(), feed, &mut || super::write::waiting(env))?;
    if env.notes {
        eprintln!("vellum: no longer watching {feed}");
    }
    Ok(Exit::Ok)
}
