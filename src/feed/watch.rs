//! A whole round of `vellum watch`, as any front end can run it: the feeds
//! ([`Round`]), then the documents the schedule says are due (the
//! monitor's [`Checks`], under its lease), then the notifications. The
//! caller hears both through [`WatchEvent`]s and prints; the library never
//! does. After each write it hears [`WatchEvent::Written`], on which it
//! lets the derived indexes catch up (as after every write; progress and
//! warnings are the front end's).

use std::sync::atomic::Ordering;

use time::OffsetDateTime;

use crate::capture::Fetcher;
use crate::monitor::notify::Delivered;
use crate::monitor::{
    CheckReport, Checks, Lease, MonitorError, RoundEvent as CheckEvent, RoundSettings, Selection,
};
use crate::store::{Archive, StoreError};

use super::round::{Event, Report, Round};
use super::watcher::Watcher;

/// What a watch round tells its caller as it goes.
pub enum WatchEvent<'a> {
    Feed(Event<'a>),
    Check(CheckEvent<'a>),
    /// Feed items or checks were written to `archive` (acknowledged):
    /// the derived indexes may catch up now, before the round goes on.
    Written(&'a Archive),
}

/// What a watch round did.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct WatchReport {
    pub feeds: Report,
    /// The checks of the documents that were due.
    pub checks: Vec<CheckReport>,
    /// The notifications delivered after the checks (none pending: `None`).
    pub delivered: Option<Delivered>,
}

/// A watch round's surroundings, kept from one round to the next.
pub struct Watch<'a> {
    /// The feeds' round, which holds the store once there is one.
    pub feeds: Round<'a>,
    /// The monitor's lease: taken when the store is there (at once, or
    /// once the first round created it) and kept while the run goes on.
    pub lease: Option<Lease>,
    pub settings: &'a RoundSettings,
    /// Only the feeds: no checks.
    pub feeds_only: bool,
    /// The time of each check (the library reads no clock).
    pub clock: &'a dyn Fn() -> OffsetDateTime,
}

impl Watch<'_> {
    /// One round: every feed, then (unless [`Watch::feeds_only`] or
    /// stopped) every document due, checked with `checker`, then the
    /// notifications. `open` opens or creates the store when something is
    /// first to be written. A lost lease stops the run.
    pub fn run<E: From<StoreError> + From<MonitorError>>(
        &mut self,
        w: &mut Watcher<'_>,
        feeds: &[String],
        checker: &mut dyn Fetcher,
        open: &mut dyn FnMut() -> Result<Archive, E>,
        on: &mut dyn FnMut(WatchEvent<'_>),
    ) -> Result<WatchReport, E> {
        let mut report = WatchReport {
            feeds: self
                .feeds
                .run(w, feeds, open, &mut |e| on(WatchEvent::Feed(e)))?,
            ..WatchReport::default()
        };
        let Some(archive) = self.feeds.archive.as_ref() else {
            return Ok(report);
        };
        if !report.feeds.archived.is_empty() {
            on(WatchEvent::Written(archive));
        }
        if self.feeds_only || self.feeds.stop.load(Ordering::Relaxed) {
            return Ok(report);
        }
        let lease = Lease::keep(&mut self.lease, archive)?;
        let targets = crate::monitor::select(archive, Selection::Due, (self.clock)())?;
        let checks = Checks {
            archive,
            settings: self.settings,
            lease: Some(lease),
            stop: self.feeds.stop,
            clock: self.clock,
        };
        report.checks = checks.run(checker, &targets, &mut |e| on(WatchEvent::Check(e)))?;
        if !targets.is_empty() {
            on(WatchEvent::Written(archive));
        }
        report.delivered = checks.deliver()?;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use time::macros::datetime;

    use super::*;
    use crate::capture::{MemFetcher, Options};
    use crate::monitor::Politeness;

    const FEED: &str = "https://news.example/feed.xml";
    const PAGE: &str = "https://news.example/a";
    const T0: OffsetDateTime = datetime!(2026-12-01 0:00 UTC);

    use crate::capture::test_page as page;

    /// The feeds, a write told, the lease taken on the store the round
    /// created, the document due an hour later checked and told, another
    /// write told; with `feeds_only`, no checks.
    #[test]
    fn a_watch_round_archives_the_items_then_checks_what_is_due() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let rss = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>N</title>\
             <item><link>{PAGE}</link></item></channel></rss>"
        );
        let mut f = MemFetcher::default();
        f.answer(FEED, 200, "application/rss+xml", rss.as_bytes());
        f.answer(PAGE, 200, "text/html", &page("one"));
        let mut checker = f.clone();
        checker.answer(PAGE, 200, "text/html", &page("two"));
        let settings = RoundSettings {
            politeness: Politeness {
                delay: std::time::Duration::ZERO,
                jitter: std::time::Duration::ZERO,
                robots: false,
            },
            ..Default::default()
        };
        let stop = AtomicBool::new(false);
        let (at_t0, later) = (|| T0, || T0 + time::Duration::hours(1));
        let mut w =
            Watcher::new(&mut f, Options::default(), std::time::Duration::ZERO, None).unwrap();
        let mut watch = Watch {
            feeds: Round {
                archive: None,
                stop: &stop,
                clock: &at_t0,
            },
            lease: None,
            settings: &settings,
            feeds_only: false,
            clock: &later,
        };
        let mut open = || -> Result<Archive, MonitorError> { Ok(Archive::init(&dir)?.0) };
        let mut heard = Vec::new();
        let feeds = [FEED.to_owned()];
        let r = watch
            .run(&mut w, &feeds, &mut checker, &mut open, &mut |e| {
                heard.push(match e {
                    WatchEvent::Feed(Event::Archived(items)) => format!("new {}", items[0].doc),
                    WatchEvent::Feed(_) => return,
                    WatchEvent::Check(CheckEvent::Checked(r)) => format!("{}", r.outcome),
                    WatchEvent::Check(_) => return,
                    WatchEvent::Written(_) => "written".into(),
                })
            })
            .unwrap();
        assert_eq!(
            heard,
            ["new news.example_a", "written", "changed", "written"]
        );
        assert_eq!(r.feeds.archived.len(), 1);
        assert_eq!(r.checks.len(), 1);
        assert_eq!(r.delivered, None, "no notification configured");
        assert!(watch.lease.is_some(), "taken once the store was there");
        watch.feeds_only = true;
        let r = watch
            .run(&mut w, &feeds, &mut checker, &mut open, &mut |e| {
                assert!(!matches!(e, WatchEvent::Check(_)), "no checks");
            })
            .unwrap();
        assert!(r.checks.is_empty() && r.feeds.archived.is_empty());
    }
}
