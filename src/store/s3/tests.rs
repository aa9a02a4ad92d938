//! The S3 backend against `object_store`'s in-memory store: several
//! "machines" (each its own catalog and block cache) sharing one bucket.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use object_store::ObjectStore;
use object_store::memory::InMemory;

use super::*;
use crate::store::Address;
use crate::store::{Archive, NewCapture};
use std::sync::atomic::{AtomicU64, Ordering};

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
    let at = time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::minutes(n);
    NewCapture::plain_text(doc.parse().unwrap(), at, text)
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
    // Catching up read the pack's index object, not the pack: the first
    // read fetches the pack's one block by a range request.
    assert_eq!(stats.ranges.load(Ordering::Relaxed), 0);
    let opened = stats.requests();
    for n in 1..=50 {
        assert_eq!(text_of(&b, &format!("doc@{n}")), paragraph(n - 1));
    }
    assert_eq!(stats.requests(), opened + 1);
    let read = stats.requests();
    for n in 1..=50 {
        assert_eq!(text_of(&b, &format!("doc@{n}")), paragraph(n - 1));
    }
    assert_eq!(stats.requests(), read, "cached reads make no requests");
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

// ------------------------------------------------------- pack index objects

/// Objects under `prefix` in the bucket: key and size.
fn listed(bucket: &Arc<dyn ObjectStore>, prefix: &str) -> Vec<(String, u64)> {
    let l = bucket
        .list(Some(&ObjPath::from(prefix)))
        .try_collect::<Vec<_>>();
    futures::executor::block_on(l)
        .unwrap()
        .into_iter()
        .map(|m| (m.location.to_string(), m.size))
        .collect()
}

fn read_obj(bucket: &Arc<dyn ObjectStore>, key: &str) -> Vec<u8> {
    let got = async { bucket.get(&ObjPath::from(key)).await?.bytes().await };
    futures::executor::block_on(got).unwrap().to_vec()
}

fn write_obj(bucket: &Arc<dyn ObjectStore>, key: &str, bytes: Vec<u8>) {
    futures::executor::block_on(bucket.put(&ObjPath::from(key), bytes.into())).unwrap();
}

/// A store of several packs, each with several documents of several
/// versions (records delta against records of earlier packs). Returns the
/// texts by address.
fn several_packs(bucket: &Arc<dyn ObjectStore>, dir: &Path) -> Vec<(String, String)> {
    let (a, _) = machine(bucket, dir);
    let mut texts = Vec::new();
    for round in 0..6 {
        let mut w = a.writer(&mut || {}).unwrap();
        for d in 0..4 {
            // Mostly new text each time (hex of a hash stream, which
            // compresses only to half), so the content outweighs the records
            // as in real articles.
            let mut noise = vec![0u8; 3000];
            blake3::Hasher::new()
                .update(format!("{d} {round}").as_bytes())
                .finalize_xof()
                .fill(&mut noise);
            let body = paragraph(d) + "\n" + &hex(&noise);
            w.add(capture(&format!("doc{d}"), round as i64, &body))
                .unwrap();
            texts.push((format!("doc{d}@{}", round + 1), body));
        }
        w.commit().unwrap();
    }
    texts
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What a catalog holds, in a comparable form.
fn catalog_of(a: &Archive) -> String {
    let mut objects = a.catalog.objects().unwrap();
    objects.sort_by_key(|r| r.id);
    let mut packs = a.catalog.packs().unwrap();
    packs.sort();
    format!(
        "{:?}\n{:?}\n{:?}\n{:?}",
        packs,
        objects,
        a.all_captures().unwrap(),
        a.log().unwrap()
    )
}

fn total(objects: &[(String, u64)]) -> u64 {
    objects.iter().map(|(_, s)| s).sum()
}

#[test]
fn a_new_machine_catches_up_from_index_objects_without_the_packs() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let texts = several_packs(&bucket, one.path());
    let packs = listed(&bucket, "packs");
    let indexes = listed(&bucket, "index");
    assert_eq!(packs.len(), 6);
    assert_eq!(indexes.len(), 6, "one index object per pack");
    let (b, stats) = machine(&bucket, two.path());
    let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
    // The marker and one GET per index object; no pack read at all.
    assert!(g(&stats.gets) <= 1 + 6, "{}", stats.to_json());
    assert_eq!(g(&stats.ranges), 0, "{}", stats.to_json());
    let received = g(&stats.bytes_in);
    assert!(
        received * 5 < total(&packs),
        "received {received} of {} pack bytes",
        total(&packs)
    );
    assert!(received >= total(&indexes));
    let (a, _) = machine(&bucket, one.path());
    assert_eq!(catalog_of(&b), catalog_of(&a));
    // Every version reads back (its content by range requests now).
    for (addr, text) in &texts {
        assert_eq!(&text_of(&b, addr), text, "{addr}");
    }
    assert_eq!(g(&stats.gets), 7, "reading makes no whole-object GET");
    assert!(g(&stats.ranges) > 0);
}

#[test]
fn without_index_objects_a_new_machine_reads_whole_packs() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let texts = several_packs(&bucket, one.path());
    for (key, _) in listed(&bucket, "index") {
        futures::executor::block_on(bucket.delete(&ObjPath::from(key.as_str()))).unwrap();
    }
    let packs = listed(&bucket, "packs");
    let (b, stats) = machine(&bucket, two.path());
    let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
    assert!(g(&stats.gets) > 6, "{}", stats.to_json());
    assert!(g(&stats.bytes_in) >= total(&packs));
    let (a, _) = machine(&bucket, one.path());
    assert_eq!(catalog_of(&b), catalog_of(&a));
    for (addr, text) in &texts {
        assert_eq!(&text_of(&b, addr), text, "{addr}");
    }
}

#[test]
fn a_damaged_or_lying_index_is_not_trusted_and_verify_names_it() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let one = tempfile::tempdir().unwrap();
    let texts = several_packs(&bucket, one.path());
    let reference = catalog_of(&machine(&bucket, one.path()).0);
    let indexes = listed(&bucket, "index");
    // One flipped byte: the index's checksum fails.
    let mut flipped = read_obj(&bucket, &indexes[0].0);
    flipped[60] ^= 1;
    write_obj(&bucket, &indexes[0].0, flipped);
    // One that parses but lies: a byte of its last raw entry (the pack's log
    // segment) changed and the checksum made to match again.
    let mut lie = read_obj(&bucket, &indexes[1].0);
    let n = lie.len();
    lie[n - 32 - 3] ^= 1;
    lie.truncate(n - 32);
    let h = blake3::hash(&lie);
    lie.extend_from_slice(h.as_bytes());
    assert!(crate::store::packindex::parse(&lie).is_ok());
    write_obj(&bucket, &indexes[1].0, lie);

    let two = tempfile::tempdir().unwrap();
    let (b, stats) = machine(&bucket, two.path());
    let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
    // Both packs were read whole instead; the catalog is the same.
    let packs = listed(&bucket, "packs");
    let two_packs: u64 = packs
        .iter()
        .filter(|(k, _)| {
            indexes[..2]
                .iter()
                .any(|(i, _)| crate::store::packindex::pack_of(i).is_some_and(|p| k.contains(p)))
        })
        .map(|(_, s)| s)
        .sum();
    assert!(g(&stats.bytes_in) >= two_packs, "{}", stats.to_json());
    assert!(g(&stats.bytes_in) < total(&packs), "{}", stats.to_json());
    assert_eq!(catalog_of(&b), reference);
    for (addr, text) in &texts {
        assert_eq!(&text_of(&b, addr), text, "{addr}");
    }
    // verify names both index objects, as index problems only.
    let report = crate::store::verify::verify(&b, &mut |_, _| {});
    let kinds: Vec<_> = report.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        vec![crate::store::verify::ProblemKind::DamagedIndex; 2],
        "{:?}",
        report.problems
    );
    for (key, _) in &indexes[..2] {
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.detail.contains(key.as_str()) && p.detail.contains("safe")),
            "{key}: {:?}",
            report.problems
        );
    }
    // Deleting them is safe: verify is clean again.
    for (key, _) in &indexes[..2] {
        futures::executor::block_on(bucket.delete(&ObjPath::from(key.as_str()))).unwrap();
    }
    assert!(crate::store::verify::verify(&b, &mut |_, _| {}).ok());
}

#[test]
fn push_writes_index_objects_for_the_packs_it_uploads() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let tmp = tempfile::tempdir().unwrap();
    let (local, _) = Archive::init(&tmp.path().join("local")).unwrap();
    for n in 0..3 {
        let mut w = local.writer(&mut || {}).unwrap();
        w.add(capture("doc", n, &paragraph(n as usize))).unwrap();
        w.commit().unwrap();
    }
    let (remote, _) = machine(&bucket, &tmp.path().join("m1"));
    assert_eq!(
        remote.receive_packs(&local, &mut |_, _| {}).unwrap().packs,
        3
    );
    assert_eq!(listed(&bucket, "index").len(), 3);
    let (other, stats) = machine(&bucket, &tmp.path().join("m2"));
    assert_eq!(stats.ranges.load(Ordering::Relaxed), 0);
    assert!(stats.gets.load(Ordering::Relaxed) <= 4);
    assert_eq!(catalog_of(&other), catalog_of(&remote));
    assert_eq!(text_of(&other, "doc@2"), paragraph(1));
    assert!(crate::store::verify::verify(&other, &mut |_, _| {}).ok());
}

#[test]
fn a_machine_behind_by_a_pack_reads_its_index_object_only() {
    let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
    let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut texts = several_packs(&bucket, one.path());
    drop(machine(&bucket, two.path()));
    // One more pack: every record in it is a delta against one in an
    // older pack, which the index object holds without its base.
    let before = listed(&bucket, "index");
    let (a, _) = machine(&bucket, one.path());
    let mut w = a.writer(&mut || {}).unwrap();
    for d in 0..4 {
        let body = format!("{}\nlater {d}", paragraph(d));
        w.add(capture(&format!("doc{d}"), 100, &body)).unwrap();
        texts.push((format!("doc{d}@7"), body));
    }
    w.commit().unwrap();
    let added: Vec<(String, u64)> = listed(&bucket, "index")
        .into_iter()
        .filter(|k| !before.contains(k))
        .collect();
    assert_eq!(added.len(), 1);
    let (b, stats) = machine(&bucket, two.path());
    let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
    assert_eq!(
        g(&stats.ranges),
        0,
        "no older pack is read: {}",
        stats.to_json()
    );
    // The marker and the new index object.
    assert_eq!(g(&stats.gets), 2, "{}", stats.to_json());
    assert!(
        g(&stats.bytes_in) < total(&added) + 100,
        "{}",
        stats.to_json()
    );
    assert_eq!(catalog_of(&b), catalog_of(&a));
    for (addr, text) in &texts {
        assert_eq!(&text_of(&b, addr), text, "{addr}");
    }
}

/// A store on object storage created at format 4 (its marker is written
/// once) keeps writing classic entries that a format-4 vellum reads, and
/// version-1 index objects; one created now starts at format 5 and writes
/// compact entries.
#[test]
fn a_format4_store_on_object_storage_keeps_classic_entries() {
    for (marker, compact) in [(Some("vellum store\nformat 4\n"), false), (None, true)] {
        let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        let (one, two) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        if let Some(m) = marker {
            backend(&bucket, one.path())
                .write_marker(m.as_bytes())
                .unwrap();
        }
        let (a, _) = machine(&bucket, one.path());
        for n in 0..3 {
            let mut w = a.writer(&mut || {}).unwrap();
            w.add(capture("doc", n, &paragraph(n as usize))).unwrap();
            w.commit().unwrap();
        }
        let packs = listed(&bucket, "packs");
        assert_eq!(packs.len(), 3);
        for (key, _) in &packs {
            let bytes = read_obj(&bucket, key);
            assert_eq!(bytes[8] & 0x80 != 0, compact, "{key}");
        }
        for (key, _) in listed(&bucket, "index") {
            let version = read_obj(&bucket, &key)[4];
            assert_eq!(version, if compact { 2 } else { 1 }, "{key}");
        }
        let (b, _) = machine(&bucket, two.path());
        assert_eq!(text_of(&b, "doc@3"), paragraph(2));
        assert!(crate::store::verify::verify(&b, &mut |_, _| {}).ok());
    }
}
