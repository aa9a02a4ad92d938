//! A round of the monitor, as `vellum recheck` and `vellum watch` run it
//! and any other front end can: which documents to check ([`select`]), the
//! checks themselves ([`Checks::run`]: batched, under the monitor's lease,
//! each acknowledged check told to the caller), and the notifications
//! delivered after ([`Checks::deliver`]); and the schedule's settings
//! ([`schedule`]). The caller prints; the library never does.

use std::sync::atomic::{AtomicBool, Ordering};

use time::OffsetDateTime;

use crate::capture::{Fetcher, Options};
use crate::store::{Archive, DocName};

use super::check::{Batch, CheckReport, Monitor, Target};
use super::error::MonitorError;
use super::index::{Schedule, Scheduled};
use super::lease::Lease;
use super::notify::{self, Delivered, NotifyConfig};
use super::outbox::Outbox;
use super::policy::Policy;
use super::polite::Politeness;
use super::settings::Settings;

/// How a round's checks are made and told (what `recheck` and `watch`
/// flags and the environment set).
#[derive(Debug, Clone, Default)]
pub struct RoundSettings {
    /// How pages are fetched and prepared (as `add URL`).
    pub options: Options,
    pub politeness: Politeness,
    /// Notify a change back to one of the document's last texts too.
    pub notify_flip_flops: bool,
    pub notify: NotifyConfig,
}

/// What a round tells its caller as it goes.
#[derive(Debug)]
pub enum RoundEvent<'a> {
    /// Another writer holds the store: the round waits for it.
    Waiting,
    /// A check, acknowledged (in the order the checks were taken).
    Checked(&'a CheckReport),
    /// `done` of `total` documents checked.
    Progress { done: usize, total: usize },
}

/// Which documents a round checks.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// These, by name or URL (`recheck DOC|URL...`).
    Docs(&'a [String]),
    /// Every document that has a URL (`recheck --all`).
    All,
    /// The documents the schedule says are due (`recheck --due`, `watch`).
    Due,
}

/// The documents to check at `now`.
pub fn select(
    archive: &Archive,
    which: Selection<'_>,
    now: OffsetDateTime,
) -> Result<Vec<Target>, MonitorError> {
    let schedule = Schedule::open(archive, Policy::default())?;
    let (_, settings) = Settings::load(archive)?;
    match which {
        Selection::Docs(args) => targets(archive, &schedule, &settings, args),
        Selection::All => schedule.all(&settings)?.iter().map(target_of).collect(),
        Selection::Due => schedule
            .due(now, &settings, usize::MAX)?
            .iter()
            .map(target_of)
            .collect(),
    }
}

/// A round of checks on one store.
pub struct Checks<'a> {
    pub archive: &'a Archive,
    pub settings: &'a RoundSettings,
    /// The monitor's lease: once lost, the round commits the checks taken
    /// and stops.
    pub lease: Option<&'a Lease>,
    /// Set to stop after the current check (the checks taken are kept).
    pub stop: &'a AtomicBool,
    /// The time of each check and delivery (the library reads no clock).
    pub clock: &'a dyn Fn() -> OffsetDateTime,
}

impl Checks<'_> {
    /// Checks `targets` one after another with `fetcher`, committing them
    /// in batches ([`Monitor::stage`]), and queues the notable ones for
    /// the configured destinations. `on` hears each check once
    /// acknowledged, and the progress. Returns every check acknowledged;
    /// [`MonitorError::Lost`] once the lease is lost (after committing and
    /// telling the checks taken). The caller lets the derived indexes catch
    /// up after it, as after any write, then calls [`Checks::deliver`].
    pub fn run(
        &self,
        fetcher: &mut dyn Fetcher,
        targets: &[Target],
        on: &mut dyn FnMut(RoundEvent<'_>),
    ) -> Result<Vec<CheckReport>, MonitorError> {
        let s = self.settings;
        let mut m = Monitor::new(fetcher, s.options.clone());
        m.politeness = s.politeness.clone();
        m.notify_flip_flops = s.notify_flip_flops;
        // The outbox must be usable before anything is checked.
        Outbox::open(self.archive.dir())?;
        if !s.notify.destinations.is_empty() {
            let outbox = Outbox::open(self.archive.dir())?;
            m.outbox = Some((outbox, s.notify.destinations.clone()));
        }
        let mut reports = Vec::new();
        let mut tell = |done: Vec<CheckReport>, on: &mut dyn FnMut(RoundEvent<'_>)| {
            for r in &done {
                on(RoundEvent::Checked(r));
            }
            reports.extend(done);
        };
        let mut batch = Batch::default();
        for (i, t) in targets.iter().enumerate() {
            if self.stop.load(Ordering::Relaxed) {
                break;
            }
            if let Some(lost) = self.lease.and_then(|l| l.ensure_held().err()) {
                tell(m.commit(&mut batch)?, on);
                return Err(lost);
            }
            let now = (self.clock)();
            let waiting = &mut || on(RoundEvent::Waiting);
            let done = m.stage(&mut batch, self.archive, t, now, self.stop, waiting)?;
            tell(done, on);
            on(RoundEvent::Progress {
                done: i + 1,
                total: targets.len(),
            });
        }
        tell(m.commit(&mut batch)?, on);
        Ok(reports)
    }

    /// Delivers what the outbox holds (this round's messages and any left
    /// from earlier ones): `None` when it held nothing. A message that
    /// cannot be sent is retried later or given up, never an error.
    pub fn deliver(&self) -> Result<Option<Delivered>, MonitorError> {
        let outbox = Outbox::open(self.archive.dir())?;
        if outbox.pending()?.is_empty() {
            return Ok(None);
        }
        let cfg = &self.settings.notify;
        notify::deliver(self.archive, &outbox, cfg, None, (self.clock)()).map(Some)
    }
}

/// What `vellum schedule DOC... --every/--auto/--pause/--resume` changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScheduleChange {
    /// A fixed interval instead of the backoff.
    pub every: Option<std::time::Duration>,
    /// Back to the backoff.
    pub auto: bool,
    pub pause: bool,
    pub resume: bool,
}

impl ScheduleChange {
    /// Whether it changes anything.
    pub fn is_some(&self) -> bool {
        *self != ScheduleChange::default()
    }
}

/// The schedule of the documents named in `args` (every scheduled document
/// when none), after `change` was applied to them and stored in one
/// durable write (`on_wait` hears when another writer holds the store).
/// A change needs documents: with none, it is refused before anything is
/// read.
pub fn schedule(
    archive: &Archive,
    args: &[String],
    change: ScheduleChange,
    on_wait: &mut dyn FnMut(),
) -> Result<Vec<Scheduled>, MonitorError> {
    if change.is_some() && args.is_empty() {
        return Err(MonitorError::Input(
            "--every, --auto, --pause and --resume need documents: vellum schedule DOC --pause"
                .into(),
        ));
    }
    let schedule = Schedule::open(archive, Policy::default())?;
    let (prev, mut settings) = Settings::load(archive)?;
    let docs = scheduled(archive, &schedule, &settings, args)?;
    if change.is_some() {
        for d in &docs {
            let mut s = settings.of(&d.doc);
            if let Some(every) = change.every {
                s.every = Some(every.as_secs().max(1) as i64);
            }
            if change.auto {
                s.every = None;
            }
            s.paused = (s.paused || change.pause) && !change.resume;
            settings.set(&d.doc, s);
        }
        let mut writer = archive.writer(on_wait)?;
        settings.save(&mut writer, prev)?;
        writer.commit()?;
    }
    if docs.is_empty() {
        return schedule.all(&settings);
    }
    let mut rows = Vec::new();
    for d in &docs {
        rows.extend(schedule.entry(&d.doc, &settings)?);
    }
    Ok(rows)
}

/// The documents to check for the given arguments: documents by name or
/// URL, each with the URL its latest capture was fetched from. An argument
/// that names no scheduled document is bad input.
pub fn targets(
    archive: &Archive,
    schedule: &Schedule,
    settings: &Settings,
    args: &[String],
) -> Result<Vec<Target>, MonitorError> {
    scheduled(archive, schedule, settings, args)?
        .iter()
        .map(target_of)
        .collect()
}

/// The schedule of each document named (by name or URL) in `args`. An
/// argument that names no scheduled document is bad input.
pub fn scheduled(
    archive: &Archive,
    schedule: &Schedule,
    settings: &Settings,
    args: &[String],
) -> Result<Vec<Scheduled>, MonitorError> {
    let mut out = Vec::new();
    for arg in args {
        let doc = resolve_doc(archive, arg)?;
        let Some(s) = schedule.entry(doc.as_str(), settings)? else {
            return Err(MonitorError::Input(format!(
                "{arg}: the document {doc} has no URL to check (it was not archived from the web)"
            )));
        };
        out.push(s);
    }
    Ok(out)
}

/// The target of a scheduled document.
pub fn target_of(s: &Scheduled) -> Result<Target, MonitorError> {
    Ok(Target {
        doc: s
            .doc
            .parse()
            .map_err(|e| MonitorError::Input(format!("{}: {e}", s.doc)))?,
        url: s.url.clone(),
        previous: s.outcome,
        checks: s.checks,
    })
}

/// The document a name or URL means.
pub fn resolve_doc(archive: &Archive, arg: &str) -> Result<DocName, MonitorError> {
    let addr: crate::store::Address = arg
        .parse()
        .map_err(|e: crate::store::AddressError| MonitorError::Input(e.to_string()))?;
    let r = archive.resolve(&addr)?;
    r.doc
        .parse()
        .map_err(|e| MonitorError::Input(format!("{arg}: {e}")))
}
