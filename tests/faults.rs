//! Crash consistency and I/O errors, through a simulated disk.
//!
//! The real `FsBackend` runs over `SimFs`, an in-memory file system that
//! knows which data and which directory entries have been made durable.
//! Each scenario crashes ("power loss": that operation and every later one
//! fails) or injects one I/O error / full disk at the k-th file-system
//! operation, for every k of a clean run. After a crash the disk is rebuilt
//! as a real directory the way a crash could have left it (unsynced entries
//! lost or kept, unsynced data lost or torn), the store is reopened with the
//! ordinary backend, and:
//! - `verify` is clean (a temporary file or an unindexed pack is not damage);
//! - every acknowledged capture reads back byte-exact (compared with a model);
//! - after an injected error, the failed write left no capture behind;
//! - the next writer cleans up and the store still verifies.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use time::macros::datetime;
use vellum::store::fs::{FsBackend, Vfs};
use vellum::store::verify::verify;
use vellum::store::{Archive, NewCapture};

#[derive(Default)]
struct Inode {
    data: Vec<u8>,
    synced: bool,
}

#[derive(Default)]
struct Sim {
    inodes: Vec<Inode>,
    names: BTreeMap<PathBuf, usize>,
    durable: BTreeMap<PathBuf, usize>,
    dirs: BTreeSet<PathBuf>,
    ops: usize,
    crash_at: Option<usize>,
    fail_at: Option<(usize, io::ErrorKind)>,
    crashed: bool,
    locked: bool,
}

#[derive(Clone, Default)]
struct SimFs(Arc<Mutex<Sim>>);

#[derive(Clone, Copy, Debug)]
enum AfterCrash {
    /// Only durable entries survive; unsynced data is lost.
    Strict,
    /// Every entry survives, but unsynced data is torn in half.
    Torn,
}

impl SimFs {
    /// A disk holding `root`'s files, all durable.
    fn load(root: &Path) -> SimFs {
        let fs = SimFs::default();
        {
            let mut s = fs.0.lock().unwrap();
            let mut stack = vec![root.to_owned()];
            while let Some(d) = stack.pop() {
                s.dirs.insert(d.clone());
                for e in std::fs::read_dir(&d).unwrap() {
                    let e = e.unwrap();
                    if is_catalog(&e.path()) {
                        continue;
                    }
                    if e.file_type().unwrap().is_dir() {
                        stack.push(e.path());
                    } else {
                        let ino = s.inodes.len();
                        s.inodes.push(Inode {
                            data: std::fs::read(e.path()).unwrap(),
                            synced: true,
                        });
                        s.names.insert(e.path(), ino);
                        s.durable.insert(e.path(), ino);
                    }
                }
            }
        }
        fs
    }

    /// Counts an operation and decides whether it fails.
    fn op(&self) -> io::Result<std::sync::MutexGuard<'_, Sim>> {
        let mut s = self.0.lock().unwrap();
        let k = s.ops;
        s.ops += 1;
        if s.crashed || s.crash_at == Some(k) {
            s.crashed = true;
            return Err(io::Error::other("simulated power loss"));
        }
        if let Some((at, kind)) = s.fail_at
            && at == k
        {
            return Err(io::Error::new(kind, "simulated I/O error"));
        }
        Ok(s)
    }

    /// Writes the disk as a crash at this instant could have left it.
    fn materialize(&self, root: &Path, after: AfterCrash) {
        let s = self.0.lock().unwrap();
        // The catalog is SQLite's own file, outside the backend: it stays.
        for e in std::fs::read_dir(root).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                std::fs::remove_dir_all(&path).unwrap();
            } else if !is_catalog(&path) {
                std::fs::remove_file(&path).unwrap();
            }
        }
        for d in &s.dirs {
            std::fs::create_dir_all(d).unwrap();
        }
        let names = match (s.crashed, after) {
            (false, _) | (true, AfterCrash::Torn) => &s.names,
            (true, AfterCrash::Strict) => &s.durable,
        };
        for (path, &ino) in names {
            let inode = &s.inodes[ino];
            let data: &[u8] = match (inode.synced || !s.crashed, after) {
                (true, _) => &inode.data,
                (false, AfterCrash::Strict) => &[],
                (false, AfterCrash::Torn) => &inode.data[..inode.data.len() / 2],
            };
            std::fs::write(path, data).unwrap();
        }
    }
}

fn is_catalog(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("catalog.sqlite"))
}

struct SimLease(SimFs);

impl Drop for SimLease {
    fn drop(&mut self) {
        self.0.0.lock().unwrap().locked = false;
    }
}

fn not_found() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "no such file")
}

impl Vfs for SimFs {
    fn rename(&self, src: &Path, dst: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        let ino = s.names.remove(src).ok_or_else(not_found)?;
        s.names.insert(dst.to_owned(), ino);
        Ok(())
    }

    fn lock(&self, _path: &Path, wait: bool) -> io::Result<Option<Box<dyn Send>>> {
        let mut s = self.op()?;
        if s.locked {
            // One process: a second lock while the first is held would wait forever.
            assert!(!wait, "lock taken twice by one process");
            return Ok(None);
        }
        s.locked = true;
        Ok(Some(Box::new(SimLease(self.clone()))))
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let s = self.op()?;
        let ino = *s.names.get(path).ok_or_else(not_found)?;
        Ok(s.inodes[ino].data.clone())
    }

    fn read_range(&self, path: &Path, offset: u64, len: usize) -> io::Result<Vec<u8>> {
        let s = self.op()?;
        let ino = *s.names.get(path).ok_or_else(not_found)?;
        let data = &s.inodes[ino].data;
        data.get(offset as usize..offset as usize + len)
            .map(<[u8]>::to_vec)
            .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "short read"))
    }

    fn exists(&self, path: &Path) -> bool {
        self.0.lock().unwrap().names.contains_key(path)
    }

    fn create_dir_all(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        s.dirs.insert(dir.to_owned());
        Ok(())
    }

    fn write_new(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        let mut s = self.op()?;
        if s.names.contains_key(path) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "exists"));
        }
        let ino = s.inodes.len();
        s.inodes.push(Inode {
            data: bytes.to_vec(),
            synced: false,
        });
        s.names.insert(path.to_owned(), ino);
        Ok(())
    }

    fn sync_file(&self, path: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        let ino = *s.names.get(path).ok_or_else(not_found)?;
        s.inodes[ino].synced = true;
        Ok(())
    }

    fn hard_link(&self, src: &Path, dst: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        if s.names.contains_key(dst) {
            return Err(io::Error::new(io::ErrorKind::AlreadyExists, "exists"));
        }
        let ino = *s.names.get(src).ok_or_else(not_found)?;
        s.names.insert(dst.to_owned(), ino);
        Ok(())
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        s.names.remove(path).ok_or_else(not_found)?;
        Ok(())
    }

    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        let mut s = self.op()?;
        let Sim { names, durable, .. } = &mut *s;
        durable.retain(|p, _| p.parent() != Some(dir));
        for (p, ino) in names.iter() {
            if p.parent() == Some(dir) {
                durable.insert(p.clone(), *ino);
            }
        }
        Ok(())
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<(String, u64, bool)>> {
        let s = self.op()?;
        let mut out: Vec<(String, u64, bool)> = s
            .names
            .iter()
            .filter(|(p, _)| p.parent() == Some(dir))
            .map(|(p, ino)| {
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                (name, s.inodes[*ino].data.len() as u64, false)
            })
            .collect();
        for d in &s.dirs {
            if d.parent() == Some(dir) {
                out.push((
                    d.file_name().unwrap().to_string_lossy().into_owned(),
                    0,
                    true,
                ));
            }
        }
        Ok(out)
    }
}

fn capture(doc: &str, n: usize, text: &str) -> NewCapture {
    NewCapture {
        doc: doc.parse().unwrap(),
        captured_at: datetime!(2019-02-12 12:00 UTC) + time::Duration::minutes(n as i64),
        bytes: text.as_bytes().to_vec(),
        media_type: "text/markdown".into(),
        text: vellum::store::CaptureText::Bytes,
        url: None,
        source: Some("site".into()),
        title: None,
        meta: Default::default(),
    }
}

const BASE: &str =
    "Last week, the Syrian Arab Army uncovered a large ISIS base in the outskirts of the city. ";

/// The writes of one scenario: three commits of two captures each.
fn batches() -> Vec<Vec<(String, usize, String)>> {
    (0..3)
        .map(|b| {
            vec![
                (
                    "a".to_owned(),
                    b * 2,
                    format!("{}Edit {b}: troops.", BASE.repeat(3)),
                ),
                (
                    format!("d{b}"),
                    b * 2 + 1,
                    format!("Document {b}. {}", BASE.repeat(2)),
                ),
            ]
        })
        .collect()
}

struct Outcome {
    ops: usize,
    acknowledged: usize,
    errors: Vec<String>,
}

/// A store holding `initial` + 1 captures, each committed alone (one pack
/// each), and the model of what it holds.
fn template(initial: usize) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    let (archive, _) = Archive::init(&dir).unwrap();
    let mut model = Vec::new();
    let mut texts = vec![("a".to_owned(), format!("{}Original.", BASE.repeat(3)))];
    texts.extend((0..initial).map(|i| (format!("p{i}"), format!("Page {i}. {BASE}"))));
    for (i, (doc, text)) in texts.into_iter().enumerate() {
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(&doc, 100 + i, &text)).unwrap();
        w.prepare().unwrap();
        w.commit().unwrap();
        model.push((doc, text.into_bytes()));
    }
    (tmp, model)
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dst.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
        }
    }
}

fn scenario(
    crash_at: Option<usize>,
    fail_at: Option<(usize, io::ErrorKind)>,
    after: AfterCrash,
) -> Outcome {
    let (tpl, model) = template(0);
    scenario_from(&tpl.path().join("s"), model, crash_at, fail_at, after)
}

fn scenario_from(
    template: &Path,
    mut model: Vec<(String, Vec<u8>)>,
    crash_at: Option<usize>,
    fail_at: Option<(usize, io::ErrorKind)>,
    after: AfterCrash,
) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("s");
    copy_dir(template, &dir);

    let sim = SimFs::load(&dir);
    {
        let mut s = sim.0.lock().unwrap();
        s.crash_at = crash_at;
        s.fail_at = fail_at;
    }
    let backend = FsBackend::with_vfs(dir.join("objects"), Box::new(sim.clone()));
    // Opening reads the marker through the simulated disk too: a fault
    // there fails the open, and every write with it.
    let opened = Archive::open_with_backend(&dir, Box::new(backend));
    let mut errors = Vec::new();
    for batch in batches() {
        let result = (|| {
            let archive = opened.as_ref().map_err(|e| vellum::store::StoreError::Io {
                context: "opening".into(),
                source: io::Error::other(e.to_string()),
            })?;
            let mut w = archive.writer(&mut || {})?;
            for (doc, n, text) in &batch {
                w.add(capture(doc, *n, text))?;
            }
            w.prepare()?;
            w.commit()
        })();
        match result {
            Ok(()) => model.extend(batch.into_iter().map(|(d, _, t)| (d, t.into_bytes()))),
            Err(e) => {
                let msg = e.to_string();
                assert!(msg.contains("simulated"), "unclear error: {msg}");
                errors.push(msg);
                if sim.0.lock().unwrap().crashed {
                    break;
                }
            }
        }
    }
    drop(opened);
    let ops = sim.0.lock().unwrap().ops;
    sim.materialize(&dir, after);

    // Reopened with the real backend: clean, and nothing acknowledged lost.
    let label = format!("crash_at={crash_at:?} fail_at={fail_at:?} {after:?}");
    let archive = Archive::open(&dir).unwrap();
    let report = verify(&archive, &mut |_, _| {});
    assert!(report.ok(), "{label}: {:?}", report.problems);
    check_model(&archive, &model, crash_at.is_none(), &label);
    drop(archive);

    // The next writer cleans up and indexes what a crash left durable.
    let archive = Archive::open(&dir).unwrap();
    archive.writer(&mut || {}).unwrap().commit().unwrap();
    let report = verify(&archive, &mut |_, _| {});
    assert!(
        report.ok() && report.notes.is_empty(),
        "{label}: {:?} {:?}",
        report.problems,
        report.notes
    );
    check_model(&archive, &model, crash_at.is_none(), &label);
    let leftovers: Vec<_> = std::fs::read_dir(dir.join("objects/packs"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp-")
        })
        .collect();
    assert!(leftovers.is_empty(), "{label}: temporary files left");
    // And no object is stored twice (a merge's leftovers are removed).
    let mut seen = std::collections::HashSet::new();
    for e in std::fs::read_dir(dir.join("objects/packs")).unwrap() {
        let bytes = std::fs::read(e.unwrap().path()).unwrap();
        for entry in vellum::store::pack::scan(&bytes, None).entries {
            assert!(seen.insert(entry.header.id), "{label}: object stored twice");
        }
    }
    Outcome {
        ops,
        acknowledged: model.len(),
        errors,
    }
}

/// Every acknowledged capture reads back; with `exact`, nothing else exists.
fn check_model(archive: &Archive, model: &[(String, Vec<u8>)], exact: bool, label: &str) {
    let mut per_doc: BTreeMap<&str, Vec<&[u8]>> = BTreeMap::new();
    for (doc, bytes) in model {
        per_doc.entry(doc).or_default().push(bytes);
    }
    for (doc, texts) in &per_doc {
        let versions = archive.history(doc).unwrap().versions.clone();
        let stored: Vec<Vec<u8>> = versions
            .iter()
            .map(|v| archive.read_object(&v.key).unwrap().to_vec())
            .collect();
        for t in texts {
            assert!(
                stored.iter().any(|s| s == t),
                "{label}: acknowledged capture of {doc} lost"
            );
        }
        if exact {
            assert_eq!(
                stored.len(),
                texts.len(),
                "{label}: {doc} holds unacknowledged versions"
            );
        }
    }
    if exact {
        let docs: Vec<String> = archive
            .documents()
            .unwrap()
            .into_iter()
            .map(|d| d.doc)
            .collect();
        assert_eq!(
            docs.len(),
            per_doc.len(),
            "{label}: a failed write left a document: {docs:?}"
        );
    }
}

#[test]
fn clean_run_acknowledges_everything() {
    let o = scenario(None, None, AfterCrash::Strict);
    assert!(o.errors.is_empty());
    assert_eq!(o.acknowledged, 7);
    assert!(o.ops > 20, "{} operations", o.ops);
}

#[test]
fn crash_at_every_operation_loses_nothing_acknowledged() {
    let total = scenario(None, None, AfterCrash::Strict).ops;
    let mut points = 0;
    for k in 0..total {
        for after in [AfterCrash::Strict, AfterCrash::Torn] {
            let o = scenario(Some(k), None, after);
            assert!(!o.errors.is_empty() || o.acknowledged == 7);
            points += 1;
        }
    }
    eprintln!("crash points swept: {points} ({total} operations x 2 disk outcomes)");
}

#[test]
fn io_error_or_full_disk_at_every_operation_fails_cleanly() {
    let total = scenario(None, None, AfterCrash::Strict).ops;
    for k in 0..total {
        for kind in [io::ErrorKind::Other, io::ErrorKind::StorageFull] {
            let o = scenario(None, Some((k, kind)), AfterCrash::Strict);
            for e in &o.errors {
                if kind == io::ErrorKind::StorageFull {
                    assert!(e.contains("simulated I/O error"), "{e}");
                }
            }
        }
    }
}

fn pack_count(dir: &Path) -> usize {
    std::fs::read_dir(dir.join("objects/packs"))
        .unwrap()
        .count()
}

#[test]
fn small_packs_are_merged_and_a_crash_during_the_merge_loses_nothing() {
    let (tpl, model) = template(30);
    let dir = tpl.path().join("s");
    assert_eq!(
        pack_count(&dir),
        31,
        "one pack per commit until 32 small packs exist"
    );
    // A clean run: the first commit makes the 32nd small pack and merges them.
    let o = scenario_from(&dir, model.clone(), None, None, AfterCrash::Strict);
    assert!(o.errors.is_empty());
    {
        let tmp = tempfile::tempdir().unwrap();
        let copy = tmp.path().join("s");
        copy_dir(&dir, &copy);
        let archive = Archive::open(&copy).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture("late", 999, "A late capture.")).unwrap();
        w.prepare().unwrap();
        w.commit().unwrap();
        assert_eq!(
            pack_count(&copy),
            1,
            "31 packs and the new one merged into one"
        );
        assert!(verify(&archive, &mut |_, _| {}).ok());
        for (doc, bytes) in &model {
            let v = archive.history(doc).unwrap().versions.clone();
            assert_eq!(&*archive.read_object(&v[0].key).unwrap(), bytes);
        }
    }
    // A crash at every operation of the writes that merge.
    let total = o.ops;
    for k in 0..total {
        for after in [AfterCrash::Strict, AfterCrash::Torn] {
            scenario_from(&dir, model.clone(), Some(k), None, after);
        }
    }
}

/// Runs verify over a disk that fails exactly one operation (the k-th).
fn verify_with_one_failure(dir: &Path, k: usize) -> vellum::store::verify::Report {
    let sim = SimFs::load(dir);
    let backend = FsBackend::with_vfs(dir.join("objects"), Box::new(sim.clone()));
    let archive = Archive::open_with_backend(dir, Box::new(backend)).unwrap();
    // Counted from here: opening (the marker read) is not verify's.
    let mut s = sim.0.lock().unwrap();
    s.fail_at = Some((s.ops + k, io::ErrorKind::Other));
    drop(s);
    verify(&archive, &mut |_, _| {})
}

#[test]
fn a_read_error_that_succeeds_on_retry_is_reported_as_transient_not_as_rot() {
    let (tpl, _) = template(3);
    let dir = tpl.path().join("s");
    // Every operation verify makes, failed once in turn: never reported as
    // damage; a failed read or listing that a retry cures is a note saying so.
    let mut transient = 0;
    for k in 0..40 {
        let report = verify_with_one_failure(&dir, k);
        assert!(report.ok(), "k={k}: {:?}", report.problems);
        if report
            .notes
            .iter()
            .any(|n| n.contains("succeeded on retry"))
        {
            transient += 1;
        }
    }
    assert!(
        transient >= 5,
        "the listing and the 4 pack reads, each failed once: {transient}"
    );
}

#[test]
fn a_crash_while_replacing_the_marker_leaves_the_old_or_the_new_one() {
    use vellum::store::backend::Backend;
    let (tpl, _) = template(0);
    let template = tpl.path().join("s");
    let old = std::fs::read(template.join("VELLUM")).unwrap();
    let new = b"vellum store\nformat 2\nreplaced\n".to_vec();
    let mut k = 0;
    loop {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        copy_dir(&template, &dir);
        let sim = SimFs::load(&dir);
        sim.0.lock().unwrap().crash_at = Some(k);
        let backend = FsBackend::with_vfs(dir.join("objects"), Box::new(sim.clone()));
        let done = backend.write_marker(&new).is_ok();
        for after in [AfterCrash::Strict, AfterCrash::Torn] {
            sim.materialize(&dir, after);
            let marker = std::fs::read(dir.join("VELLUM")).unwrap();
            assert!(
                marker == old || marker == new,
                "k={k} {after:?}: {marker:?}"
            );
            if done {
                assert_eq!(marker, new);
            }
        }
        if done {
            break;
        }
        k += 1;
    }
    assert!(k >= 3, "write, sync, rename and sync the directory: {k}");
}

/// Creating a store goes through the backend like every write: a crash, an
/// I/O error or a full disk at any operation of a creation leaves no
/// half-made store. Either there is no store (no marker: readers say so and
/// the next init completes it) or a whole one that verifies.
#[test]
fn a_failure_at_any_operation_of_creating_a_store_leaves_no_half_store() {
    let faults = [
        (None, AfterCrash::Strict),
        (None, AfterCrash::Torn),
        (Some(io::ErrorKind::Other), AfterCrash::Strict),
        (Some(io::ErrorKind::StorageFull), AfterCrash::Strict),
    ];
    let mut k = 0;
    loop {
        let mut clean = true;
        for (error, after) in faults {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("s");
            std::fs::create_dir(&dir).unwrap();
            let sim = SimFs::load(&dir);
            match error {
                None => sim.0.lock().unwrap().crash_at = Some(k),
                Some(kind) => sim.0.lock().unwrap().fail_at = Some((k, kind)),
            }
            let backend = FsBackend::with_vfs(dir.join("objects"), Box::new(sim.clone()));
            let made = Archive::init_with_backend(&dir, Box::new(backend)).map(drop);
            clean &= made.is_ok();
            sim.materialize(&dir, after);
            let label = format!("k={k} {error:?} {after:?}");
            let archive = match Archive::open(&dir) {
                // Also after an error once the marker is in place (its
                // directory sync failed): then the store must be whole.
                Ok(a) => a,
                Err(e) => {
                    assert!(made.is_err(), "{label}: created, then unreadable: {e}");
                    assert!(!dir.join("VELLUM").exists(), "{label}: half a store: {e}");
                    let (a, created) = Archive::init(&dir).unwrap();
                    assert!(created, "{label}");
                    a
                }
            };
            let report = verify(&archive, &mut |_, _| {});
            assert!(report.problems.is_empty(), "{label}: {:?}", report.problems);
        }
        if clean {
            break;
        }
        k += 1;
    }
    // The layout (objects/packs/ and two directory syncs) goes through the
    // backend as well as the marker (write, sync, rename, sync).
    assert!(
        k >= 7,
        "creation is not all through the backend: {k} operations"
    );
}

#[test]
fn the_in_memory_backend_holds_a_whole_store() {
    use vellum::store::backend::{Backend, MemBackend};
    let tmp = tempfile::tempdir().unwrap();
    let mem = MemBackend::default();
    let (archive, created) = Archive::init_with_backend(tmp.path(), Box::new(mem.clone())).unwrap();
    assert!(created);
    let mut w = archive.writer(&mut || {}).unwrap();
    w.add(capture("a", 1, "First text.")).unwrap();
    w.add(capture("a", 2, "Second text.")).unwrap();
    w.prepare().unwrap();
    w.commit().unwrap();
    let versions = archive.history("a").unwrap().versions.clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        &**archive.read_object(&versions[1].key).unwrap(),
        b"Second text."
    );
    assert!(verify(&archive, &mut |_, _| {}).ok());
    // Nothing but the catalog (a local cache) went to the directory.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with("catalog.sqlite"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
    drop(archive);
    // The writer lock is the backend's: held by a writer, free after it.
    let (again, created) = Archive::init_with_backend(tmp.path(), Box::new(mem.clone())).unwrap();
    assert!(!created);
    let w = again.writer(&mut || {}).unwrap();
    assert!(mem.try_lock().unwrap().is_none());
    drop(w);
    assert!(mem.try_lock().unwrap().is_some());
    let other = Archive::open_with_backend(tmp.path(), Box::new(MemBackend::default()));
    assert!(other.is_err(), "another memory store has no marker");
}

#[test]
fn text_extracted_by_the_caller_is_stored_beside_the_bytes() {
    use vellum::store::CaptureText;
    use vellum::store::backend::MemBackend;
    let tmp = tempfile::tempdir().unwrap();
    let (archive, _) =
        Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
    let mut w = archive.writer(&mut || {}).unwrap();
    for (n, body) in [
        "<p>One text.</p>",
        "<p>One <b>text</b>.</p>",
        "<p>Two texts.</p>",
    ]
    .iter()
    .enumerate()
    {
        let text = body.replace("<p>", "").replace("</p>", "");
        let text = text.replace("<b>", "").replace("</b>", "");
        w.add(NewCapture {
            media_type: "text/html".into(),
            text: CaptureText::Extracted(text),
            ..capture("h", n, body)
        })
        .unwrap();
    }
    w.prepare().unwrap();
    w.commit().unwrap();
    // Versions compare the extracted text: the markup-only change is none.
    let versions = archive.history("h").unwrap().versions.clone();
    assert_eq!(versions.len(), 2);
    assert_eq!(
        &**archive.read_object(&versions[0].key).unwrap(),
        b"One text."
    );
    assert_eq!(
        &**archive.read_object(&versions[1].key).unwrap(),
        b"Two texts."
    );
    let record = archive.record(&versions[0].capture).unwrap();
    assert_eq!(record.media_type, "text/html");
    assert_eq!(
        &**archive.read_object(&record.content).unwrap(),
        b"<p>One text.</p>"
    );
    assert!(verify(&archive, &mut |_, _| {}).ok());
}
