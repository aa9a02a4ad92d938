//! The monitor on a clock the test sets, with an in-memory fetcher and a
//! real store: whole backoff sequences, no sleeping.

use std::sync::atomic::AtomicBool;

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use super::*;
use crate::capture::{self, MemFetcher, Options};
use crate::store::Archive;

const URL: &str = "https://news.example/a";
const T0: OffsetDateTime = datetime!(2026-12-01 0:00 UTC);

use crate::capture::test_page as page;

fn add_first(a: &Archive, f: &mut MemFetcher) {
    f.answer(URL, 200, "text/html", &page("one"));
    let c = capture::fetch_page(f, URL, &Options::default(), T0).unwrap();
    let mut w = a.writer(&mut || {}).unwrap();
    capture::stage(&mut w, c).unwrap();
    capture::commit(w).unwrap();
}

fn due_docs(a: &Archive, at: OffsetDateTime) -> Vec<String> {
    let s = Schedule::open(a, Policy::default()).unwrap();
    let (_, set) = Settings::load(a).unwrap();
    s.due(at, &set, usize::MAX)
        .unwrap()
        .into_iter()
        .map(|d| d.doc)
        .collect()
}

fn check_due(a: &Archive, f: &mut MemFetcher, at: OffsetDateTime) -> Vec<CheckReport> {
    let s = Schedule::open(a, Policy::default()).unwrap();
    let (_, set) = Settings::load(a).unwrap();
    let due = s.due(at, &set, usize::MAX).unwrap();
    drop(s);
    let mut m = Monitor::new(f, Options::default());
    m.politeness.delay = std::time::Duration::ZERO;
    m.politeness.robots = false;
    let stop = AtomicBool::new(false);
    due.iter()
        .map(|d| {
            m.check(a, &target_of(d).unwrap(), at, &stop, &mut || {})
                .unwrap()
        })
        .collect()
}

#[test]
fn a_whole_backoff_sequence_on_a_set_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut f = MemFetcher::default();
    add_first(&a, &mut f);
    let doc = "news.example_a".to_owned();
    assert!(due_docs(&a, T0 + Duration::minutes(14)).is_empty());
    assert_eq!(due_docs(&a, T0 + Duration::minutes(15)), [doc.as_str()]);
    // Unchanged four times: due after 15m, then 30m, 1h, 2h, 4h.
    let mut at = T0;
    for gap in [15, 30, 60, 120] {
        at += Duration::minutes(gap);
        assert!(
            due_docs(&a, at - Duration::minutes(1)).is_empty(),
            "not yet at {at}"
        );
        let r = check_due(&a, &mut f, at);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].outcome, Outcome::Unchanged);
        assert!(!r[0].notable);
    }
    let next = Schedule::open(&a, Policy::default())
        .unwrap()
        .entry(&doc, &Settings::default())
        .unwrap()
        .unwrap();
    assert_eq!(next.interval, 4 * 3600);
    assert_eq!(next.checks, 4);
    // A change: a new version, notable, and the interval back to 15m.
    at += Duration::hours(4);
    f.answer(URL, 200, "text/html", &page("two"));
    let r = check_due(&a, &mut f, at);
    assert_eq!((r[0].outcome, r[0].notable), (Outcome::Changed, true));
    assert_eq!(r[0].capture.as_ref().unwrap().version, 2);
    assert_eq!(due_docs(&a, at + Duration::minutes(15)), [doc.as_str()]);
    // Back to the first text: a flip-flop, archived, not notable.
    at += Duration::minutes(15);
    f.answer(URL, 200, "text/html", &page("one"));
    let r = check_due(&a, &mut f, at);
    assert_eq!(
        (r[0].outcome, r[0].returns_to, r[0].notable),
        (Outcome::Changed, Some(1), false)
    );
    // Taken down: notable once, then failing after 5 in a row.
    f.answer(URL, 404, "text/html", b"<html><body>gone</body></html>");
    let mut notable = Vec::new();
    for _ in 0..5 {
        at = Schedule::open(&a, Policy::default())
            .unwrap()
            .entry(&doc, &Settings::default())
            .unwrap()
            .unwrap()
            .next_at
            .unwrap();
        let r = check_due(&a, &mut f, at);
        assert_eq!(r[0].outcome, Outcome::Gone);
        notable.push(r[0].notable);
    }
    assert_eq!(notable, [true, false, false, false, false]);
    let e = Schedule::open(&a, Policy::default())
        .unwrap()
        .entry(&doc, &Settings::default())
        .unwrap()
        .unwrap();
    assert!(e.failing);
    assert_eq!(e.interval, Policy::default().max.whole_seconds());
    // The schedule is derived: rebuilt from the store alone, it is the same.
    std::fs::remove_file(a.dir().join(INDEX_FILE)).unwrap();
    let again = Schedule::open(&a, Policy::default())
        .unwrap()
        .entry(&doc, &Settings::default())
        .unwrap()
        .unwrap();
    assert_eq!(again, e);
    assert_eq!(a.check_ids().unwrap().len(), 11);
}

#[test]
fn settings_pause_and_fix_the_interval() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut f = MemFetcher::default();
    add_first(&a, &mut f);
    let (prev, mut set) = Settings::load(&a).unwrap();
    set.set(
        "news.example_a",
        DocSettings {
            every: Some(3 * 3600),
            paused: false,
        },
    );
    let mut w = a.writer(&mut || {}).unwrap();
    set.save(&mut w, prev).unwrap();
    w.commit().unwrap();
    assert!(due_docs(&a, T0 + Duration::hours(2)).is_empty());
    assert_eq!(due_docs(&a, T0 + Duration::hours(3)).len(), 1);
    let (prev, mut set) = Settings::load(&a).unwrap();
    set.set(
        "news.example_a",
        DocSettings {
            every: None,
            paused: true,
        },
    );
    let mut w = a.writer(&mut || {}).unwrap();
    set.save(&mut w, prev).unwrap();
    w.commit().unwrap();
    assert!(due_docs(&a, T0 + Duration::days(60)).is_empty());
}

#[test]
fn a_schedule_change_without_documents_is_refused_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut f = MemFetcher::default();
    add_first(&a, &mut f);
    let pause = ScheduleChange {
        pause: true,
        ..ScheduleChange::default()
    };
    let e = schedule(&a, &[], pause, &mut || {}).unwrap_err();
    assert!(matches!(e, MonitorError::Input(_)), "{e}");
    assert!(e.to_string().contains("need documents"), "{e}");
    assert!(Settings::load(&a).unwrap().0.is_none());
    // Without a change, no documents means every scheduled one.
    let all = schedule(&a, &[], ScheduleChange::default(), &mut || {}).unwrap();
    assert_eq!(all.len(), 1);
}

#[test]
fn a_message_whose_check_never_reached_the_store_is_dropped_not_sent() {
    use super::notify::{NotifyConfig, deliver};
    use super::outbox::{Destination, Outbox};
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let ob = Outbox::open(a.dir()).unwrap();
    let sent = tmp.path().join("sent");
    let cmd = format!("cat > '{}'", sent.display());
    // Queued by a write that crashed before its commit.
    let never = crate::id::ObjectId::of(b"a check that was never committed");
    ob.queue(never, &[Destination::Command(cmd)], T0).unwrap();
    let d = deliver(&a, &ob, &NotifyConfig::default(), None, T0).unwrap();
    assert_eq!((d.sent, d.dropped, d.retried), (0, 1, 0));
    assert!(ob.pending().unwrap().is_empty() && !sent.exists());
}

/// Archives one page per URL (a document each) in one write.
fn add_pages(a: &Archive, f: &mut MemFetcher, urls: &[String]) {
    let mut w = a.writer(&mut || {}).unwrap();
    for (i, u) in urls.iter().enumerate() {
        f.answer(u, 200, "text/html", &page(&format!("p{i}x")));
        let c = capture::fetch_page(f, u, &Options::default(), T0).unwrap();
        capture::stage(&mut w, c).unwrap();
    }
    capture::commit(w).unwrap();
}

fn packs(a: &Archive) -> usize {
    std::fs::read_dir(a.dir().join("objects/packs"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("pack".as_ref()))
        .count()
}

fn quiet_monitor(f: &mut MemFetcher) -> Monitor<'_> {
    let mut m = Monitor::new(f, Options::default());
    m.politeness.delay = std::time::Duration::ZERO;
    m.politeness.robots = false;
    m
}

#[test]
fn a_round_commits_its_checks_in_batches_and_a_dropped_batch_leaves_nothing() {
    use super::notify::{NotifyConfig, deliver};
    use super::outbox::{Destination, Outbox};
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut f = MemFetcher::default();
    let urls: Vec<String> = (0..7)
        .map(|i| format!("https://news.example/{i}"))
        .collect();
    add_pages(&a, &mut f, &urls);
    // Three of them edited since.
    for i in [0, 3, 6] {
        f.answer(&urls[i], 200, "text/html", &page(&format!("p{i}y")));
    }
    let at = T0 + Duration::hours(1);
    let due = due_docs(&a, at);
    assert_eq!(due.len(), 7);
    let s = Schedule::open(&a, Policy::default()).unwrap();
    let targets: Vec<Target> = due
        .iter()
        .map(|d| target_of(&s.entry(d, &Settings::default()).unwrap().unwrap()).unwrap())
        .collect();
    drop(s);
    let (packs_before, checks_before) = (packs(&a), a.check_ids().unwrap().len());
    let stop = AtomicBool::new(false);
    // A batch that is dropped before its commit (the process killed):
    // none of its checks, captures or notifications reaches anyone.
    let ob = Outbox::open(a.dir()).unwrap();
    let sent = tmp.path().join("sent");
    let to = vec![Destination::Command(format!("cat >> '{}'", sent.display()))];
    {
        let mut m = quiet_monitor(&mut f);
        m.outbox = Some((Outbox::open(a.dir()).unwrap(), to.clone()));
        let mut batch = Batch::default();
        for t in &targets[..4] {
            let done = m.stage(&mut batch, &a, t, at, &stop, &mut || {}).unwrap();
            assert!(done.is_empty(), "nothing acknowledged before the commit");
        }
        assert_eq!(batch.len(), 4);
        assert_eq!(ob.pending().unwrap().len(), 2, "queued before the commit");
    }
    assert_eq!(a.check_ids().unwrap().len(), checks_before);
    assert_eq!(packs(&a), packs_before);
    let d = deliver(&a, &ob, &NotifyConfig::default(), None, at).unwrap();
    assert_eq!((d.sent, d.dropped), (0, 2));
    assert!(!sent.exists());
    // Seven checks, batches of three: three durable writes, acknowledged
    // three, three and one at a time, in the order they were taken.
    let mut m = quiet_monitor(&mut f);
    m.outbox = Some((Outbox::open(a.dir()).unwrap(), to.clone()));
    m.batch_checks = 3;
    let mut batch = Batch::default();
    let mut acknowledged = Vec::new();
    for t in &targets {
        let done = m.stage(&mut batch, &a, t, at, &stop, &mut || {}).unwrap();
        acknowledged.push(done.len());
    }
    acknowledged.push(m.commit(&mut batch).unwrap().len());
    assert_eq!(acknowledged, [0, 0, 3, 0, 0, 3, 0, 1]);
    assert_eq!(a.check_ids().unwrap().len(), checks_before + 7);
    assert_eq!(packs(&a), packs_before + 3);
    let changed: Vec<u64> = due_docs(&a, at + Duration::minutes(15))
        .iter()
        .map(|d| a.history(d).unwrap().versions.len() as u64)
        .collect();
    assert_eq!(changed, [2, 2, 2], "the three edited pages, due again soon");
    let d = deliver(&a, &ob, &NotifyConfig::default(), None, at).unwrap();
    assert_eq!((d.sent, d.dropped), (3, 0));
    // Past its time a batch commits too (`now` is the caller's clock).
    let mut m = quiet_monitor(&mut f);
    m.batch_time = Duration::seconds(30);
    let mut batch = Batch::default();
    let later = at + Duration::days(40);
    let first = m.stage(&mut batch, &a, &targets[0], later, &stop, &mut || {});
    assert!(first.unwrap().is_empty());
    let second = m.stage(
        &mut batch,
        &a,
        &targets[1],
        later + Duration::seconds(31),
        &stop,
        &mut || {},
    );
    assert_eq!(second.unwrap().len(), 2);
    assert!(batch.is_empty());
}

#[test]
fn checks_taken_in_one_second_replay_in_that_order_after_a_rebuild() {
    // Two checks of one document in the same second, a 304 and then a 404:
    // the document is failing once, last seen gone. A rebuild of the
    // catalog and of the schedule must replay them in that order whatever
    // their ids (before `seq`, it replayed by id: half the seconds tried
    // here put the 404 first and the document back to not-modified).
    for s in 0..8 {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let (a, _) = Archive::init(&dir).unwrap();
        let mut f = MemFetcher::default();
        add_first(&a, &mut f);
        let at = T0 + Duration::hours(1) + Duration::seconds(s);
        let doc = "news.example_a";
        let target = |a: &Archive| {
            let s = Schedule::open(a, Policy::default()).unwrap();
            target_of(&s.entry(doc, &Settings::default()).unwrap().unwrap()).unwrap()
        };
        let stop = AtomicBool::new(false);
        f.answer(URL, 304, "text/html", b"");
        let t = target(&a);
        let r = quiet_monitor(&mut f).check(&a, &t, at, &stop, &mut || {});
        assert_eq!(r.unwrap().outcome, Outcome::NotModified);
        f.answer(URL, 404, "text/html", b"<html><body>gone</body></html>");
        let t = target(&a);
        let r = quiet_monitor(&mut f).check(&a, &t, at, &stop, &mut || {});
        assert_eq!(r.unwrap().outcome, Outcome::Gone);
        let live = Schedule::open(&a, Policy::default()).unwrap();
        let entry = live.entry(doc, &Settings::default()).unwrap().unwrap();
        let order: Vec<Outcome> = live
            .checks(doc)
            .unwrap()
            .into_iter()
            .map(|c| c.1.outcome)
            .collect();
        assert_eq!(order, [Outcome::NotModified, Outcome::Gone]);
        assert_eq!((entry.outcome, entry.failures), (Some(Outcome::Gone), 1));
        drop((live, a));
        crate::store::reindex(&dir).unwrap();
        std::fs::remove_file(dir.join(INDEX_FILE)).unwrap();
        let a = Archive::open(&dir).unwrap();
        let rebuilt = Schedule::open(&a, Policy::default()).unwrap();
        let again: Vec<Outcome> = rebuilt
            .checks(doc)
            .unwrap()
            .into_iter()
            .map(|c| c.1.outcome)
            .collect();
        assert_eq!(again, order, "second {s}");
        // `log DOC --checks` lists them in that order too.
        let listed: Vec<Outcome> = crate::query::checks::checks_of(&a, doc)
            .unwrap()
            .into_iter()
            .map(|c| c.outcome)
            .collect();
        assert_eq!(listed, order, "second {s}");
        let e = rebuilt.entry(doc, &Settings::default()).unwrap().unwrap();
        assert_eq!(e, entry, "second {s}");
    }
}

#[test]
fn a_directory_store_keeps_the_file_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let held = Lease::take(&a).unwrap();
    assert_eq!(held.path, a.dir().join("monitor.lock"));
    assert!(matches!(Lease::take(&a), Err(MonitorError::Busy(_))));
    assert!(held.ensure_held().is_ok());
    drop(held);
    assert!(Lease::take(&a).is_ok());
}

/// A round as a front end runs it: the documents selected, each check
/// told once acknowledged with the progress, the notable change queued
/// and delivered after; a paused document is no longer due; a stop flag
/// set before the round checks nothing.
#[test]
fn a_round_tells_each_check_and_delivers_what_it_queued() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("s")).unwrap();
    let mut f = MemFetcher::default();
    add_first(&a, &mut f);
    let doc = "news.example_a".to_owned();
    let later = T0 + Duration::hours(1);
    let sent = tmp.path().join("sent.jsonl");
    let settings = RoundSettings {
        politeness: Politeness {
            delay: std::time::Duration::ZERO,
            jitter: std::time::Duration::ZERO,
            robots: false,
        },
        notify: notify::NotifyConfig {
            destinations: vec![outbox::Destination::Command(format!(
                "cat >> {}",
                sent.display()
            ))],
            timeout: 5,
            ..Default::default()
        },
        ..Default::default()
    };
    let all = select(&a, Selection::All, T0).unwrap();
    assert_eq!(all, select(&a, Selection::Docs(&[URL.into()]), T0).unwrap());
    assert!(select(&a, Selection::Due, T0).unwrap().is_empty());
    assert!(matches!(
        select(
            &a,
            Selection::Docs(&["https://news.example/none".into()]),
            T0
        ),
        Err(MonitorError::Store(_) | MonitorError::Input(_))
    ));
    f.answer(URL, 200, "text/html", &page("two"));
    let stop = AtomicBool::new(false);
    let clock = || later;
    let round = Checks {
        archive: &a,
        settings: &settings,
        lease: None,
        stop: &stop,
        clock: &clock,
    };
    let mut heard = Vec::new();
    let reports = round
        .run(&mut f, &all, &mut |e| match e {
            RoundEvent::Checked(r) => heard.push(format!("{} {}", r.doc, r.outcome)),
            RoundEvent::Progress { done, total } => heard.push(format!("{done}/{total}")),
            RoundEvent::Waiting => heard.push("waiting".into()),
        })
        .unwrap();
    // Checked once the batch commits, at the end of so short a round.
    assert_eq!(heard, ["1/1".to_owned(), format!("{doc} changed")]);
    assert_eq!(reports.len(), 1);
    assert!(reports[0].notable);
    let d = round.deliver().unwrap().expect("one message queued");
    assert_eq!((d.sent, d.retried, d.dropped), (1, 0, 0));
    let body = std::fs::read_to_string(&sent).unwrap();
    assert!(body.contains(&reports[0].check), "{body}");
    assert_eq!(round.deliver().unwrap(), None, "the outbox is empty");
    // Paused: shown as such and no longer due, even long after.
    let pause = ScheduleChange {
        pause: true,
        ..Default::default()
    };
    let rows = schedule(&a, std::slice::from_ref(&doc), pause, &mut || {}).unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].next.is_none(), "{:?}", rows[0]);
    assert!(
        select(&a, Selection::Due, later + Duration::days(60))
            .unwrap()
            .is_empty()
    );
    let resume = ScheduleChange {
        resume: true,
        ..Default::default()
    };
    assert!(
        schedule(&a, &[doc], resume, &mut || {}).unwrap()[0]
            .next
            .is_some()
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let none = round
        .run(&mut f, &all, &mut |_| panic!("nothing to tell"))
        .unwrap();
    assert!(none.is_empty());
}

#[test]
fn a_webhook_must_be_http_and_monitor_errors_carry_advice() {
    assert!(outbox::Destination::webhook("https://hooks.example/v".into()).is_ok());
    let e = outbox::Destination::webhook("ftp://hooks.example/v".into()).unwrap_err();
    assert!(e.to_string().contains("not an http(s) URL"), "{e}");
    assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    let held = MonitorError::Held("pid 7".into()).advice();
    assert!(held.contains("VELLUM_LEASE_SECS"), "{held}");
    let store = MonitorError::Store(crate::store::StoreError::NoStore("/s".into()));
    assert!(store.advice().contains("vellum init"));
    assert_eq!(MonitorError::Input("x".into()).advice(), "");
}
