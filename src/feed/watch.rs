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
