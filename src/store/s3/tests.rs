//! The S3 backend against `object_store`'s in-memory store: several
//! "machines" (each its own catalog and block cache) sharing one bucket.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::memory::InMemory;

use super::*;
use crate::store::Address;
use crate::store::{Archive, CaptureText, NewCapture};

fn backend(bucket: &Arc<dyn ObjectStore>, dir: &Path) -> S3Backend {
    let cache = BlockCache::new(dir.join("blocks"), 64 << 20);
    S3Backend::new(bucket.clone(), Some(cache)).unwrap()
}

/// A machine's view of the shared store: its own catalog and cache in `dir`.
fn machine(bucket: &Arc<dyn ObjectStore>, dir: &Path) -> (Archive, Arc<Stats>) {
    let b = backend(bucket, dir);
    let stats = b.stats();
    let (a, _) = Archive::init_with_backend(&dir.join("catalog"), Box::new(b)).unwrap();
    (a, stats)
}

fn capture(doc: &str, n: i64, text: &str) -> NewCapture {
    NewCapture {
        doc: doc.parse().unwrap(),
        captured_at: time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::minutes(n),
        bytes: text.as_bytes().to_vec(),
        media_type: "text/plain".into(),
        text: CaptureText::Bytes,
        url: None,
        source: None,
        title: None,
        meta: Default::default(),
    }
}

fn text_of(a: &Archive, addr: &str) -> String {
    let addr: Address = addr.parse().unwrap();
    let v = crate::query::version(a, &addr).unwrap();
    String::from_utf8(v.text.unwrap().to_vec()).unwrap()
}

fn paragraph(i: usize) -> String {
    (0..60)
        .map(|w| format!("w{}", (w * 7919 + i * 104_729) % 5000))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn another_machine_catches_up_and_reads_every_version() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, _) = machine(&bucket, one.path());
    let mut body = String::new();
    let mut bodies = Vec::new();
    for n in 0..20 {
        body.push_str(&paragraph(n));
        body.push('\n');
        bodies.push(body.clone());
        let mut w = a.writer(&mut || {}).unwrap();
        w.add(capture("doc", n as i64, &body)).unwrap();
        w.commit().unwrap();
    }
    // Nothing was merged or removed: one pack per add.
    let packs = bucket
        .list(Some(&ObjPath::from("packs")))
        .try_collect::<Vec<_>>();
    let packs = futures::executor::block_on(packs).unwrap();
    assert_eq!(packs.len(), 20);

    let (b, stats) = machine(&bucket, two.path());
    assert_eq!(b.history("doc").unwrap().versions.len(), 20);
    assert_eq!(text_of(&b, "doc@20"), body);
    let (log, _) = b.log().unwrap();
    assert_eq!(log.len(), 20);
    assert!(stats.requests() > 0);

    // A third machine with a cold cache reads one version by ranges: a
    // request per pack the delta chain touches (at most the chain's length
    // plus the open's marker and listing), not one per object read.
    let three = tempfile::tempdir().unwrap();
    let be = backend(&bucket, three.path());
    let stats = be.stats();
    let c = Archive::open_with_backend(&three.path().join("catalog"), Box::new(be)).unwrap();
    let opened = stats.requests();
    assert_eq!(text_of(&c, "doc@20"), body);
    let cold = stats.requests() - opened;
    assert!(cold <= 33, "{cold} requests");
    // Reading again is served from the block cache.
    let again = stats.requests();
    assert_eq!(text_of(&c, "doc@19"), bodies[18]);
    assert_eq!(text_of(&c, "doc@20"), body);
    assert_eq!(stats.requests(), again, "cached reads make no requests");
}

#[test]
fn reading_after_catching_up_costs_no_requests() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (a, _) = machine(&bucket, one.path());
    let mut w = a.writer(&mut || {}).unwrap();
    for n in 0..50 {
        w.add(capture("doc", n, &paragraph(n as usize))).unwrap();
    }
    w.commit().unwrap();
    let (b, stats) = machine(&bucket, two.path());
    let opened = stats.requests();
    for n in 1..=50 {
        assert_eq!(text_of(&b, &format!("doc@{n}")), paragraph(n - 1));
    }
    assert_eq!(stats.requests(), opened);
}

#[test]
fn no_object_is_overwritten() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&bucket, dir.path());
    assert!(b.put_if_absent("packs/a.pack", b"first").unwrap());
    assert!(!b.put_if_absent("packs/a.pack", b"second").unwrap());
    assert_eq!(b.get("packs/a.pack").unwrap(), b"first");
    assert_eq!(b.get_range("packs/a.pack", 1, 3).unwrap(), b"irs");
    assert!(b.get_range("packs/a.pack", 3, 3).is_err());
    b.write_marker(b"m1").unwrap();
    b.write_marker(b"m1").unwrap();
    assert!(b.write_marker(b"m2").is_err());
    assert_eq!(b.read_marker().unwrap().unwrap(), b"m1");
    assert_eq!(b.list("packs").unwrap(), vec![("packs/a.pack".into(), 5)]);
}

#[test]
fn one_lease_at_a_time_and_stale_leases_expire() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = LeaseConfig {
        ttl: Duration::from_millis(600),
        skew: Duration::from_millis(100),
    };
    let a = backend(&bucket, d1.path()).with_lease(cfg);
    let b = backend(&bucket, d2.path()).with_lease(cfg);
    let held = a.try_lock().unwrap().expect("free");
    assert!(b.try_lock().unwrap().is_none());
    // Refreshed while held: still taken after several lease times.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(b.try_lock().unwrap().is_none());
    assert!(a.lease_valid());
    drop(held);
    let held_b = b.try_lock().unwrap().expect("released");
    assert!(a.try_lock().unwrap().is_none());
    drop(held_b);
    // A crashed holder leaves its lease object; it goes stale.
    let crashed = lease::key(lease::now_ms(), "crashed");
    futures::executor::block_on(bucket.put(&ObjPath::from(crashed.as_str()), "x".into())).unwrap();
    assert!(a.try_lock().unwrap().is_none());
    let started = std::time::Instant::now();
    drop(a.lock().unwrap());
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(a.try_lock().unwrap().is_some());
}

#[test]
fn waiting_writers_probes_do_not_take_a_held_lease_but_a_takeover_does() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (d1, d2) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = LeaseConfig {
        ttl: Duration::from_millis(300),
        skew: Duration::from_millis(300),
    };
    let a = backend(&bucket, d1.path()).with_lease(cfg);
    let b = backend(&bucket, d2.path()).with_lease(cfg);
    let held = a.try_lock().unwrap().expect("free");
    // A writer waiting without pause: its probe object is listed by most of
    // the holder's refreshes (every 100 ms), never twice with one token.
    let started = std::time::Instant::now();
    let mut tries = 0;
    while started.elapsed() < Duration::from_millis(1000) {
        assert!(b.try_lock().unwrap().is_none());
        tries += 1;
    }
    assert!(tries > 10, "{tries}");
    assert!(a.lease_valid(), "a waiting writer made the holder give up");
    assert!(a.put_if_absent("packs/a.pack", b"a").unwrap());
    // A writer that judged the lease stale keeps its token: two refreshes
    // list it, and the holder uploads nothing more.
    let taker = lease::key(lease::now_ms(), "taker");
    futures::executor::block_on(bucket.put(&ObjPath::from(taker.as_str()), "x".into())).unwrap();
    std::thread::sleep(Duration::from_millis(350));
    assert!(!a.lease_valid());
    let e = a.put_if_absent("packs/b.pack", b"b").unwrap_err();
    assert!(e.to_string().contains("lease"), "{e}");
    drop(held);
}

#[test]
fn a_writer_whose_lease_ran_out_uploads_nothing() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let dir = tempfile::tempdir().unwrap();
    let b = backend(&bucket, dir.path());
    let held = lease::new_held(Duration::from_millis(50));
    *b.held.lock().unwrap() = Some(held);
    assert!(b.put_if_absent("packs/x.pack", b"x").unwrap());
    std::thread::sleep(Duration::from_millis(80));
    let e = b.put_if_absent("packs/y.pack", b"y").unwrap_err();
    assert!(e.to_string().contains("lease"), "{e}");
}

#[test]
fn concurrent_writers_lose_nothing_and_keep_one_log() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let dirs: Vec<_> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    // The store exists before the writers start.
    drop(machine(&bucket, dirs[0].path()));
    std::thread::scope(|s| {
        for (m, dir) in dirs.iter().enumerate() {
            let bucket = bucket.clone();
            s.spawn(move || {
                let (a, _) = machine(&bucket, dir.path());
                for n in 0..8 {
                    let mut w = a.writer(&mut || {}).unwrap();
                    let doc = format!("doc{}", n % 2);
                    let at = (n * 3 + m) as i64;
                    w.add(capture(&doc, at, &format!("{m} {n} {}", paragraph(n))))
                        .unwrap();
                    w.commit().unwrap();
                }
            });
        }
    });
    let fresh = tempfile::tempdir().unwrap();
    let (a, _) = machine(&bucket, fresh.path());
    let (log, _) = a.log().unwrap();
    assert_eq!(log.len(), 24, "every acknowledged capture is logged once");
    let unique: std::collections::HashSet<_> = log.iter().collect();
    assert_eq!(unique.len(), 24);
    for doc in ["doc0", "doc1"] {
        assert_eq!(a.captures(doc).unwrap().len(), 12);
    }
    let report = crate::store::verify::verify(&a, &mut |_, _| {});
    assert!(report.ok(), "{:?}", report.problems);
    // Each machine's own catalog catches up to the same log.
    for dir in &dirs {
        let (m, _) = machine(&bucket, dir.path());
        assert_eq!(m.log().unwrap().0, log);
    }
}

#[test]
fn push_to_s3_and_pull_back_with_checks() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let tmp = tempfile::tempdir().unwrap();
    let (local, _) = Archive::init(&tmp.path().join("local")).unwrap();
    let mut w = local.writer(&mut || {}).unwrap();
    for n in 0..5 {
        w.add(capture("doc", n, &paragraph(n as usize))).unwrap();
    }
    w.commit().unwrap();
    let (remote, _) = machine(&bucket, &tmp.path().join("m1"));
    let r = remote.receive_packs(&local, &mut |_, _| {}).unwrap();
    assert_eq!((r.packs, r.present), (1, 0));
    assert_eq!(
        remote.receive_packs(&local, &mut |_, _| {}).unwrap().packs,
        0
    );
    // Another machine sees what was pushed.
    let (other, _) = machine(&bucket, &tmp.path().join("m2"));
    assert_eq!(text_of(&other, "doc@3"), paragraph(2));
    // Written on object storage, then pulled into a new directory.
    let mut w = other.writer(&mut || {}).unwrap();
    w.add(capture("doc", 10, "later")).unwrap();
    w.commit().unwrap();
    let (back, _) = Archive::init(&tmp.path().join("back")).unwrap();
    assert_eq!(back.receive_packs(&other, &mut |_, _| {}).unwrap().packs, 2);
    assert_eq!(text_of(&back, "doc"), "later");
    assert_eq!(back.log().unwrap().0, other.log().unwrap().0);
    assert!(crate::store::verify::verify(&back, &mut |_, _| {}).ok());
    // The local store may catch up too (its log is a prefix).
    assert_eq!(
        local.receive_packs(&other, &mut |_, _| {}).unwrap().packs,
        1
    );
    assert_eq!(text_of(&local, "doc"), "later");
    // Both written since: refused, nothing copied.
    let mut w = local.writer(&mut || {}).unwrap();
    w.add(capture("doc", 11, "local only")).unwrap();
    w.commit().unwrap();
    let mut w = other.writer(&mut || {}).unwrap();
    w.add(capture("doc", 12, "remote only")).unwrap();
    w.commit().unwrap();
    let e = other.receive_packs(&local, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(e, crate::store::sync::SyncError::Diverged(1)),
        "{e}"
    );
    assert_eq!(text_of(&other, "doc"), "remote only");
}

#[test]
fn a_damaged_pack_is_not_copied() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("local");
    let (local, _) = Archive::init(&dir).unwrap();
    let mut w = local.writer(&mut || {}).unwrap();
    w.add(capture("doc", 0, "some text")).unwrap();
    w.commit().unwrap();
    let pack = std::fs::read_dir(dir.join("objects/packs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&pack).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&pack, bytes).unwrap();
    let (remote, _) = machine(&bucket, &tmp.path().join("m"));
    let e = remote.receive_packs(&local, &mut |_, _| {}).unwrap_err();
    assert!(
        matches!(e, crate::store::sync::SyncError::Damaged { .. }),
        "{e}"
    );
    let listed = futures::executor::block_on(
        bucket
            .list(Some(&ObjPath::from("packs")))
            .try_collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(listed.is_empty());
}
