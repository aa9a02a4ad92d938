//! Merging diverged stores: local directories, the in-memory backend, and
//! kills at every write of a merge.

use std::collections::BTreeSet;
use std::io;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::custody::proof::{Proof, ProofFile};
use crate::store::backend::{Backend, Lease, MemBackend};
use crate::store::merge::NameConflict;
use crate::store::verify::verify;
use crate::store::{CaptureId, CaptureText, NewCapture, reindex};

fn capture(doc: &str, minute: i64, text: &str) -> NewCapture {
    let at = time::macros::datetime!(2024-05-01 09:00 UTC) + time::Duration::minutes(minute);
    NewCapture {
        url: Some(format!("https://example.org/{doc}")),
        ..NewCapture::plain_text(doc.parse().unwrap(), at, text)
    }
}

fn add(a: &Archive, captures: Vec<NewCapture>) {
    let mut w = a.writer(&mut || {}).unwrap();
    for c in captures {
        w.add(c).unwrap();
    }
    w.commit().unwrap();
}

fn ids(a: &Archive) -> BTreeSet<CaptureId> {
    a.all_captures()
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect()
}

fn merge(to: &Archive, from: &Archive) -> SyncReport {
    sync(to, from, SyncOptions::default(), &mut |_, _| {}).unwrap()
}

fn size(a: &Archive) -> u64 {
    crate::custody::tree(a).unwrap().0.len()
}

/// Two stores with a common beginning, then written apart.
fn diverged(a: &Archive, b: &Archive) {
    add(
        a,
        vec![
            capture("base", 0, "one two three"),
            capture("other", 1, "x y"),
        ],
    );
    let r = merge(b, a);
    assert!(r.merged.is_none() && r.packs > 0, "{r:?}");
    add(
        a,
        vec![
            capture("base", 10, "one two three four"),
            capture("field", 11, "from the field"),
        ],
    );
    add(
        b,
        vec![
            capture("base", 20, "one two three five"),
            capture("desk", 21, "at the desk"),
        ],
    );
}

/// Every capture proves from this store's log; merged ones from the other
/// store's too, against the root the merge entry recorded.
fn proofs_check(a: &Archive) -> usize {
    let (tree, entries, _) = crate::custody::tree(a).unwrap();
    let mut merged = 0;
    for (i, e) in entries.iter().enumerate() {
        let Entry::Capture(c) = e else { continue };
        let addr: crate::store::Address = c.0.to_string().parse().unwrap();
        let p = crate::query::inclusion_proof(a, &addr, None).unwrap();
        let root = ObjectId::from_bytes(tree.head(tree.len()).unwrap().root);
        let said = p.check(&[(Some(tree.len()), root)], None).unwrap();
        let Proof::Inclusion(inc) = &p.proof else {
            panic!()
        };
        assert_eq!(inc.leaf_index, i as u64);
        if let Some(m) = &inc.merged {
            merged += 1;
            assert!(said.iter().any(|s| s.contains("merged in")), "{said:?}");
            // The other store's root, given alone, is also one it is about.
            p.check(&[(Some(m.source_size), m.source_root)], None)
                .unwrap();
            // A forged source position does not hold.
            let mut forged = p.clone();
            if let Proof::Inclusion(i) = &mut forged.proof {
                i.merged.as_mut().unwrap().source_index ^= 1;
            }
            assert!(forged.check(&[], None).is_err());
        }
    }
    merged
}

fn diverge_and_merge_both_ways(a: &Archive, b: &Archive) {
    diverged(a, b);
    let (a_ids, b_ids) = (ids(a), ids(b));
    let before_b = crate::custody::tree(b).unwrap().0;
    let old = before_b.len();
    let old_root = ObjectId::from_bytes(before_b.head(old).unwrap().root);
    // Without merging: refused, nothing written.
    let ff = SyncOptions {
        ff_only: true,
        dry_run: false,
    };
    assert!(matches!(
        sync(b, a, ff, &mut |_, _| {}),
        Err(SyncError::Diverged(_))
    ));
    // A dry run says what would come and writes nothing.
    let dry = SyncOptions {
        ff_only: false,
        dry_run: true,
    };
    let plan = sync(b, a, dry, &mut |_, _| {}).unwrap();
    assert_eq!(plan.merged.as_ref().unwrap().captures, 2);
    assert_eq!(ids(b), b_ids);

    let r = merge(b, a);
    let m = r.merged.unwrap();
    assert_eq!((m.captures, m.entry), (2, Some(old)));
    assert_eq!(m.source_size, size(a));
    let all: BTreeSet<CaptureId> = a_ids.union(&b_ids).copied().collect();
    assert_eq!(ids(b), all);
    // The log only grew: the pre-merge root is a prefix of the merged log.
    let (tree, _, _) = crate::custody::tree(b).unwrap();
    assert_eq!(tree.len(), old + 1 + 2);
    let c = ProofFile::consistency(&tree, old, tree.len()).unwrap();
    c.check(&[(Some(old), old_root)], None).unwrap();
    // Versions follow captured-at time whatever store they came from.
    let h = b.history("base").unwrap();
    let texts: Vec<String> = h
        .versions
        .iter()
        .map(|v| String::from_utf8(b.read_object(&v.key).unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!(
        texts,
        ["one two three", "one two three four", "one two three five"]
    );
    assert_eq!(proofs_check(b), 2);
    // Merging again adds nothing.
    let again = merge(b, a).merged.unwrap();
    assert_eq!((again.captures, again.entry), (0, None));
    assert_eq!(size(b), old + 3);

    // The other way: the desk's captures go to the field.
    let back = merge(a, b).merged.unwrap();
    assert_eq!(back.captures, 2);
    assert_eq!(ids(a), all);
    assert_eq!(proofs_check(a), 2);
    assert_eq!(merge(a, b).merged.unwrap().captures, 0);
    assert_eq!(merge(b, a).merged.unwrap().captures, 0);
    for s in [a, b] {
        let report = verify(s, &mut |_, _| {});
        assert!(report.ok(), "{:?}", report.problems);
        for row in s.all_captures().unwrap() {
            s.read_object(&row.content).unwrap();
        }
    }
}

#[test]
fn local_stores_merge_both_ways_and_reindex_keeps_the_log() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("a")).unwrap();
    let (b, _) = Archive::init(&tmp.path().join("b")).unwrap();
    diverge_and_merge_both_ways(&a, &b);
    // Format 6 (merge segments) at least; 7 where a write stored a
    // record set.
    let at_least_6 = |m: &str| m.contains("format 6") || m.contains("format 7");
    let marker = std::fs::read_to_string(tmp.path().join("b/VELLUM")).unwrap();
    assert!(at_least_6(&marker), "{marker}");
    // A copy of a merged store (packs copied: it was empty) is too.
    let (c, _) = Archive::init(&tmp.path().join("c")).unwrap();
    assert!(merge(&c, &b).merged.is_none());
    let marker = std::fs::read_to_string(tmp.path().join("c/VELLUM")).unwrap();
    assert!(at_least_6(&marker), "{marker}");
    assert_eq!(proofs_check(&c), 2);
    let log = crate::custody::tree(&b).unwrap().1;
    drop(b);
    reindex(&tmp.path().join("b")).unwrap();
    let b = Archive::open(&tmp.path().join("b")).unwrap();
    assert_eq!(crate::custody::tree(&b).unwrap().1, log);
    assert_eq!(proofs_check(&b), 2);
}

#[test]
fn in_memory_stores_merge_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) =
        Archive::init_with_backend(&tmp.path().join("a"), Box::new(MemBackend::default())).unwrap();
    let (b, _) =
        Archive::init_with_backend(&tmp.path().join("b"), Box::new(MemBackend::default())).unwrap();
    diverge_and_merge_both_ways(&a, &b);
}

#[test]
fn name_conflicts_are_reported_not_joined() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("a")).unwrap();
    let (b, _) = Archive::init(&tmp.path().join("b")).unwrap();
    add(&a, vec![capture("shared", 0, "common")]);
    merge(&b, &a);
    let mut one = capture("story-a", 1, "a text");
    one.url = Some("https://example.org/story".into());
    add(&a, vec![one, capture("same-name", 2, "there")]);
    let mut two = capture("story-b", 3, "b text");
    two.url = Some("https://example.org/story".into());
    let mut three = capture("same-name", 4, "here");
    three.url = Some("https://example.org/elsewhere".into());
    add(&b, vec![two, three]);
    let m = merge(&b, &a).merged.unwrap();
    assert_eq!(
        m.conflicts,
        vec![
            NameConflict::TwoNames {
                url: "https://example.org/story".into(),
                here: "story-b".into(),
                there: "story-a".into(),
            },
            NameConflict::TwoUrls {
                doc: "same-name".into(),
                here: "https://example.org/elsewhere".into(),
                there: "https://example.org/same-name".into(),
            },
        ]
    );
    // Both documents stay, each with its own capture.
    assert_eq!(b.history("story-a").unwrap().versions.len(), 1);
    assert_eq!(b.history("story-b").unwrap().versions.len(), 1);
}

/// A disk that dies at its `at`-th blob write (before it lands, or just
/// after when `lands`): every later operation fails, nothing is cleaned up
/// (the process is gone).
#[derive(Clone)]
struct Dying {
    inner: MemBackend,
    writes: Arc<AtomicUsize>,
    at: usize,
    lands: bool,
}

impl Dying {
    fn dead(&self) -> bool {
        self.writes.load(Ordering::SeqCst) >= self.at
    }
    fn check(&self) -> io::Result<()> {
        match self.dead() {
            true => Err(io::Error::other("killed")),
            false => Ok(()),
        }
    }
}

impl Backend for Dying {
    fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        self.check()?;
        self.inner.get(key)
    }
    fn get_range(&self, key: &str, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        self.check()?;
        self.inner.get_range(key, offset, len)
    }
    fn put_if_absent(&self, key: &str, bytes: &[u8]) -> io::Result<bool> {
        self.check()?;
        if self.writes.fetch_add(1, Ordering::SeqCst) + 1 >= self.at {
            if self.lands {
                self.inner.put_if_absent(key, bytes)?;
            }
            return Err(io::Error::other("killed"));
        }
        self.inner.put_if_absent(key, bytes)
    }
    fn list(&self, prefix: &str) -> io::Result<Vec<(String, u64)>> {
        self.check()?;
        self.inner.list(prefix)
    }
    fn delete(&self, key: &str) -> io::Result<()> {
        self.check()?;
        self.inner.delete(key)
    }
    fn remove_partial_writes(&self) -> io::Result<usize> {
        self.check()?;
        self.inner.remove_partial_writes()
    }
    fn read_marker(&self) -> io::Result<Option<Vec<u8>>> {
        self.inner.read_marker()
    }
    fn write_marker(&self, bytes: &[u8]) -> io::Result<()> {
        self.check()?;
        self.inner.write_marker(bytes)
    }
    fn try_lock(&self) -> io::Result<Option<Lease>> {
        self.inner.try_lock()
    }
    fn lock(&self) -> io::Result<Lease> {
        self.inner.lock()
    }
}

/// A store's catalog file and blobs, copied (a snapshot of its disk).
fn snapshot(dir: &Path, mem: &MemBackend, to: &Path) -> MemBackend {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(dir.join("catalog.sqlite"), to.join("catalog.sqlite")).unwrap();
    let copy = MemBackend::default();
    copy.write_marker(&mem.read_marker().unwrap().unwrap())
        .unwrap();
    for (key, _) in mem.list("packs").unwrap() {
        copy.put_if_absent(&key, &mem.get(&key).unwrap()).unwrap();
    }
    copy
}

#[test]
fn a_merge_killed_at_any_write_is_undone_or_finished() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, _) = Archive::init(&tmp.path().join("a")).unwrap();
    let bdir = tmp.path().join("b");
    let mem = MemBackend::default();
    let (b, _) = Archive::init_with_backend(&bdir, Box::new(mem.clone())).unwrap();
    diverged(&a, &b);
    // Enough to need more than one pack of bytes before the records.
    let big: Vec<NewCapture> = (0..3u8)
        .map(|i| {
            let mut bytes = vec![0u8; 7 << 20];
            blake3::Hasher::new()
                .update(&[i])
                .finalize_xof()
                .fill(&mut bytes);
            let mut c = capture(&format!("big{i}"), 30 + i64::from(i), "");
            c.bytes = bytes;
            c.media_type = "application/octet-stream".into();
            c.text = CaptureText::None;
            c
        })
        .collect();
    add(&a, big);
    drop(b);
    let want: BTreeSet<CaptureId> = ids(&a)
        .union(&{
            let b = Archive::open_with_backend(&bdir, Box::new(mem.clone())).unwrap();
            ids(&b)
        })
        .copied()
        .collect();
    for lands in [false, true] {
        killed_at_every_write(tmp.path(), &a, &bdir, &mem, &want, lands);
    }
}

fn killed_at_every_write(
    tmp: &Path,
    a: &Archive,
    bdir: &Path,
    mem: &MemBackend,
    want: &BTreeSet<CaptureId>,
    lands: bool,
) {
    let mut k = 1;
    loop {
        let dir = tmp.join(format!("k{k}-{lands}"));
        let disk = snapshot(bdir, mem, &dir);
        let before = {
            let b = Archive::open_with_backend(&dir, Box::new(disk.clone())).unwrap();
            ids(&b)
        };
        let dying = Dying {
            inner: disk.clone(),
            writes: Arc::new(AtomicUsize::new(0)),
            at: k,
            lands,
        };
        let finished = {
            let b = Archive::open_with_backend(&dir, Box::new(dying)).unwrap();
            sync(&b, a, SyncOptions::default(), &mut |_, _| {}).is_ok()
        };
        // After the kill: a reader sees the store as it was or fully merged.
        let b = Archive::open_with_backend(&dir, Box::new(disk.clone())).unwrap();
        let seen = ids(&b);
        assert!(seen == before || seen == *want, "killed at write {k}");
        // The next writer indexes what the kill left: still all or nothing.
        b.writer(&mut || {}).unwrap().commit().unwrap();
        let seen = ids(&b);
        assert!(
            seen == before || seen == *want,
            "killed at write {k}, then a write"
        );
        // A re-run finishes the job.
        merge(&b, a);
        assert_eq!(ids(&b), *want, "killed at write {k}, then merged again");
        let report = verify(&b, &mut |_, _| {});
        assert!(report.ok(), "killed at write {k}: {:?}", report.problems);
        proofs_check(&b);
        if finished {
            assert!(k > 2, "the merge wrote more than one pack");
            break;
        }
        k += 1;
    }
}

#[test]
fn verify_reports_a_merge_entry_whose_kept_entries_do_not_make_its_root() {
    let leaves: Vec<ObjectId> = (0u8..5).map(|i| ObjectId::of(&[i])).collect();
    let mut tree = Tree::new();
    for l in &leaves {
        tree.push(l.as_bytes());
    }
    let root = ObjectId::from_bytes(tree.head(tree.len()).unwrap().root);
    let good = MergeEntry { root, leaves };
    assert!(merge_problem(7, &good).is_none());
    let mut bad = good.clone();
    bad.leaves.swap(1, 2);
    let problem = merge_problem(7, &bad).expect("a reordered log makes another root");
    assert_eq!(problem.kind, ProblemKind::BadLog);
    assert!(problem.detail.contains("position 7"), "{}", problem.detail);
    let mut shorter = good;
    shorter.leaves.pop();
    assert!(merge_problem(7, &shorter).is_some());
}

#[test]
fn verify_of_a_merged_store_checks_its_merge_entries() {
    let tmp = tempfile::tempdir().unwrap();
    let a = Archive::init(&tmp.path().join("a")).unwrap().0;
    let b = Archive::init(&tmp.path().join("b")).unwrap().0;
    diverged(&a, &b);
    merge(&a, &b);
    let (entries, _) = a.checked_log().unwrap();
    assert!(entries.iter().any(|e| matches!(e, Entry::Merge(_))));
    let report = super::verify(&a, &mut |_, _| {});
    assert!(report.ok(), "{:?}", report.problems);
    assert!(
        report.notes.iter().all(|n| !n.contains("merge entries")),
        "{:?}",
        report.notes
    );
}
