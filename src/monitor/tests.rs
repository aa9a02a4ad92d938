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

fn page(text: &str) -> Vec<u8> {
    let words: Vec<String> = (0..60).map(|i| format!("{text}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title></head><body>\
         <article><h1>T</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    )
    .into_bytes()
}

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
