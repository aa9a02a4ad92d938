//! One re-check of a document's URL: a conditional GET with the latest
//! capture's validators, politely, through the capture pipeline (so a new
//! version is archived exactly as `vellum add URL` archives it), recorded
//! as a check record in the same durable write as the capture it made.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use time::{Duration, OffsetDateTime};

use crate::capture::{self, AddedItem, Capture, Fetcher, Options};
use crate::fetch::Fetched;
use crate::id::ObjectId;
use crate::ingest::canon;
use crate::store::{Address, Archive, CaptureRecord, CaptureText, DocName, StoreError, Writer};

use super::error::MonitorError;
use super::outbox::{Destination, Outbox};
use super::policy::Policy;
use super::polite::{Hosts, Politeness};
use super::record::{CheckRecord, Outcome};

/// A document to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub doc: DocName,
    pub url: String,
    /// The outcome of its previous check: a failure is worth telling only
    /// when it is new (a page taken down, not one still down).
    pub previous: Option<Outcome>,
    /// How many checks of it the schedule knows: this check's record gets
    /// the next `seq`.
    pub checks: u64,
}

/// What one check found and archived, as `recheck --json` prints it and a
/// notification carries it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CheckReport {
    pub doc: String,
    pub url: String,
    pub checked_at: String,
    pub outcome: Outcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The check record's id.
    pub check: String,
    /// The capture this check archived (a new version or a sighting).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<AddedItem>,
    /// The capture of the version it changed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_capture: Option<String>,
    /// A return to the text of this earlier version (a flip-flop).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns_to: Option<u64>,
    /// Worth telling: a new version (not a flip-flop unless asked), or a
    /// page newly taken down, redirected elsewhere or emptied.
    pub notable: bool,
}

/// Re-checks documents: the fetcher, politeness, policy and what the
/// hosts said so far.
pub struct Monitor<'f> {
    fetcher: &'f mut dyn Fetcher,
    /// How pages are fetched and prepared (as `add URL`).
    pub options: Options,
    pub politeness: Politeness,
    pub policy: Policy,
    /// Notify flip-flops too.
    pub notify_flip_flops: bool,
    /// Where notable checks are queued (before their write is
    /// acknowledged), and for whom.
    pub outbox: Option<(Outbox, Vec<Destination>)>,
    /// A batch commits once it holds this many checks (256)…
    pub batch_checks: usize,
    /// …or once its first check is this old (30 seconds): what a kill can
    /// cost, and how long other writers may wait for the store.
    pub batch_time: Duration,
    hosts: Hosts,
    /// The last `seq` given to each document's check by this monitor.
    seqs: HashMap<DocName, u64>,
}

/// Checks staged in one open write, not yet acknowledged
/// ([`Monitor::stage`], [`Monitor::commit`]). Dropping it uncommitted
/// rolls its write back: none of its checks reaches the store.
#[derive(Default)]
pub struct Batch<'a> {
    writer: Option<Writer<'a>>,
    staged: Vec<StagedCheck>,
    /// The `now` of its first check.
    opened: Option<OffsetDateTime>,
}

impl Batch<'_> {
    /// Checks staged and not yet committed.
    pub fn len(&self) -> usize {
        self.staged.len()
    }

    pub fn is_empty(&self) -> bool {
        self.staged.is_empty()
    }
}

/// A check staged in a batch: what its report needs once committed.
struct StagedCheck {
    target: Target,
    record: CheckRecord,
    id: ObjectId,
    previous_capture: Option<String>,
}

/// What the fetch came to, before anything is written.
struct Found {
    record: CheckRecord,
    capture: Option<Capture>,
}

impl<'f> Monitor<'f> {
    pub fn new(fetcher: &'f mut dyn Fetcher, options: Options) -> Monitor<'f> {
        Monitor {
            fetcher,
            options,
            politeness: Politeness::default(),
            policy: Policy::default(),
            notify_flip_flops: false,
            outbox: None,
            batch_checks: 256,
            batch_time: Duration::seconds(30),
            hosts: Hosts::default(),
            seqs: HashMap::new(),
        }
    }

    /// Checks `target` now and archives what it found (the check record,
    /// and the page when it answered with article text) in one durable
    /// write of its own. `now` is the check's time (the library reads no
    /// clock); `on_wait` is called when another writer holds the store.
    /// A round of many checks batches them instead ([`Monitor::stage`]).
    pub fn check(
        &mut self,
        archive: &Archive,
        target: &Target,
        now: OffsetDateTime,
        stop: &AtomicBool,
        on_wait: &mut dyn FnMut(),
    ) -> Result<CheckReport, MonitorError> {
        let mut batch = Batch::default();
        let mut done = self.stage(&mut batch, archive, target, now, stop, on_wait)?;
        done.extend(self.commit(&mut batch)?);
        done.pop()
            .ok_or_else(|| MonitorError::Input("the check was not committed".into()))
    }

    /// Checks `target` now and stages what it found in `batch`'s open
    /// write (opening one, waiting for the writer lock, if none is open).
    /// Nothing staged is acknowledged until the batch commits, which it
    /// does here once it holds [`Monitor::batch_checks`] checks or its
    /// first is [`Monitor::batch_time`] old (by the `now`s given), and
    /// before a second check of a document already in it. Returns the
    /// checks acknowledged by this call, in the order they were taken: a
    /// kill loses at most the checks staged and not yet returned, and their
    /// notifications, queued before the commit, are dropped unsent.
    pub fn stage<'a>(
        &mut self,
        batch: &mut Batch<'a>,
        archive: &'a Archive,
        target: &Target,
        now: OffsetDateTime,
        stop: &AtomicBool,
        on_wait: &mut dyn FnMut(),
    ) -> Result<Vec<CheckReport>, MonitorError> {
        let mut done = Vec::new();
        if batch.staged.iter().any(|s| s.target.doc == target.doc) {
            // Its latest capture may be staged: read it committed.
            done = self.commit(batch)?;
        }
        let latest = latest_record(archive, &target.doc)?;
        let mut found = self.fetch(target, latest.as_ref().map(|l| &l.1), now, stop);
        let history = archive.history(target.doc.as_str())?;
        let current = history.versions.last();
        if let (Some(text), Some(cur)) = (found.record.text, current) {
            if text == cur.key {
                found.record.outcome = Outcome::Unchanged;
            } else {
                found.record.returns_to = self.returns_to(&history.versions, text);
            }
        }
        let seq = self
            .seqs
            .get(&target.doc)
            .map_or(target.checks, |&n| n.max(target.checks))
            + 1;
        self.seqs.insert(target.doc.clone(), seq);
        found.record.seq = Some(seq);
        if batch.writer.is_none() {
            batch.writer = Some(archive.writer(on_wait)?);
            batch.opened = Some(now);
        }
        let writer = batch.writer.as_mut().expect("opened");
        if let Some(c) = found.capture.take() {
            capture::stage(writer, c)?;
        }
        let id = writer.put_check(&found.record.to_canonical(), None)?;
        if let Some((outbox, to)) = &self.outbox
            && self.notable(target, &found.record)
        {
            outbox.queue(id, to, now)?;
        }
        batch.staged.push(StagedCheck {
            target: target.clone(),
            record: found.record,
            id,
            previous_capture: current.map(|c| c.capture.to_string()),
        });
        let old = batch.opened.is_some_and(|t| now - t >= self.batch_time);
        if batch.staged.len() >= self.batch_checks.max(1) || old {
            done.extend(self.commit(batch)?);
        }
        Ok(done)
    }

    /// Commits the checks staged in `batch` in one durable write and
    /// returns them, in the order they were taken (none when none is
    /// staged). The batch is empty afterwards, ready for more.
    pub fn commit(&mut self, batch: &mut Batch<'_>) -> Result<Vec<CheckReport>, MonitorError> {
        let staged = std::mem::take(&mut batch.staged);
        batch.opened = None;
        let Some(writer) = batch.writer.take() else {
            return Ok(Vec::new());
        };
        let committed = capture::commit(writer)?;
        Ok(staged
            .into_iter()
            .map(|s| {
                let added = committed
                    .iter()
                    .find(|c| c.added.doc == s.target.doc)
                    .map(AddedItem::new)
                    .map(|a| AddedItem {
                        url: Some(s.target.url.clone()),
                        ..a
                    });
                self.report(&s.target, s.record, s.id, added, s.previous_capture)
            })
            .collect())
    }

    /// The earlier version (within the flip-flop window) whose text is
    /// `text`, when the page went back to it.
    fn returns_to(&self, versions: &[crate::store::Version], text: ObjectId) -> Option<u64> {
        let cur = versions.last()?;
        let mut seen = Vec::new();
        for v in versions.iter().rev().skip(1) {
            if seen.len() >= self.policy.flip_flop_window {
                break;
            }
            if !seen.contains(&v.key) && v.key != cur.key {
                seen.push(v.key);
                if v.key == text {
                    return Some(v.number);
                }
            }
        }
        None
    }

    fn report(
        &self,
        target: &Target,
        r: CheckRecord,
        id: ObjectId,
        capture: Option<AddedItem>,
        previous_capture: Option<String>,
    ) -> CheckReport {
        let notable = self.notable(target, &r);
        CheckReport {
            doc: r.doc.to_string(),
            url: r.url,
            checked_at: crate::when::format_time(r.checked_at),
            outcome: r.outcome,
            status: r.status,
            location: r.location,
            error: r.error,
            check: id.to_string(),
            previous_capture: previous_capture.filter(|_| r.outcome == Outcome::Changed),
            capture,
            returns_to: r.returns_to,
            notable,
        }
    }

    /// Worth telling: a new version (a flip-flop only when asked), or a
    /// page newly gone, redirected elsewhere or emptied.
    fn notable(&self, target: &Target, r: &CheckRecord) -> bool {
        match r.outcome {
            Outcome::Changed => r.returns_to.is_none() || self.notify_flip_flops,
            Outcome::Gone | Outcome::Redirected | Outcome::Vanished => {
                target.previous != Some(r.outcome)
            }
            _ => false,
        }
    }

    /// Fetches the page (robots.txt and politeness first) and classifies
    /// the answer.
    fn fetch(
        &mut self,
        t: &Target,
        latest: Option<&CaptureRecord>,
        now: OffsetDateTime,
        stop: &AtomicBool,
    ) -> Found {
        let mut record = CheckRecord::new(t.doc.clone(), &t.url, now, Outcome::Failed);
        let stopped = || stop.load(Ordering::Relaxed);
        let url = match url::Url::parse(t.url.trim()) {
            Ok(u) => u,
            Err(e) => {
                record.error = Some(format!("not a URL: {e}"));
                return Found {
                    record,
                    capture: None,
                };
            }
        };
        let mut cfg = self.options.fetch.clone();
        if !self
            .hosts
            .allowed(&url, &self.politeness, self.fetcher, &cfg, &stopped)
        {
            record.outcome = Outcome::Blocked;
            record.error = Some("robots.txt forbids it".into());
            return Found {
                record,
                capture: None,
            };
        }
        // Validators of the latest capture, when it was fetched from this URL.
        if let Some(h) = latest.and_then(|l| l.http.as_ref()) {
            if let Some(e) = &h.etag {
                cfg.headers.push(("If-None-Match".into(), e.clone()));
            }
            if let Some(m) = &h.last_modified {
                cfg.headers.push(("If-Modified-Since".into(), m.clone()));
            }
        }
        self.hosts.wait(&url, &self.politeness, &stopped);
        match capture::fetch(self.fetcher, &t.url, &cfg) {
            Err(e) => {
                record.error = Some(e.to_string());
                Found {
                    record,
                    capture: None,
                }
            }
            Ok(f) => self.classify(t, f, record, now),
        }
    }

    fn classify(
        &self,
        t: &Target,
        f: Fetched,
        mut record: CheckRecord,
        now: OffsetDateTime,
    ) -> Found {
        record.status = Some(f.status);
        record.etag = f.header("etag").map(str::to_owned);
        record.last_modified = f.header("last-modified").map(str::to_owned);
        let moved = !f.redirects.is_empty()
            && canon::canonicalize(f.final_url.as_str()).ok() != canon::canonicalize(&t.url).ok();
        record.outcome = match f.status {
            304 => Outcome::NotModified,
            404 | 410 => Outcome::Gone,
            s if !(200..300).contains(&s) => Outcome::Status,
            _ if moved => {
                record.location = Some(f.final_url.to_string());
                Outcome::Redirected
            }
            _ => Outcome::Changed,
        };
        if record.outcome != Outcome::Changed {
            return Found {
                record,
                capture: None,
            };
        }
        let opts = Options {
            doc: Some(t.doc.clone()),
            ..self.options.clone()
        };
        let c = match capture::from_fetched(f, &t.url, &opts, now) {
            Ok(c) => c,
            Err(e) => {
                record.outcome = Outcome::Failed;
                record.error = Some(e.to_string());
                return Found {
                    record,
                    capture: None,
                };
            }
        };
        let text = match &c.capture.text {
            CaptureText::Extracted(t) => Some(t.as_bytes()),
            CaptureText::Bytes => Some(c.capture.bytes.as_slice()),
            CaptureText::None => None,
        };
        let vanished = match (&c.extra.flag, text) {
            (Some(flag), _) => Some(flag.clone()),
            (None, None) => Some(format!("no text ({})", c.capture.media_type)),
            (None, Some(t)) if String::from_utf8_lossy(t).trim().is_empty() => {
                Some("no article text".to_owned())
            }
            _ => None,
        };
        if let Some(why) = vanished {
            record.outcome = Outcome::Vanished;
            record.error = Some(why);
            return Found {
                record,
                capture: None,
            };
        }
        record.text = text.map(ObjectId::of);
        Found {
            record,
            capture: Some(c),
        }
    }
}

/// The latest capture of `doc` (its id and record), if it has one.
fn latest_record(
    archive: &Archive,
    doc: &DocName,
) -> Result<Option<(crate::store::CaptureId, CaptureRecord)>, MonitorError> {
    match archive.resolve(&Address::Doc(doc.clone())) {
        Ok(r) => Ok(Some((r.capture, archive.record(&r.capture)?))),
        Err(StoreError::Address(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
