//! Reliability under crashes and concurrency, in miniature (the long versions
//! are scripts/crash-test.sh and scripts/concurrency-test.sh):
//!
//! - `vellum add --batch` killed with SIGKILL at seeded moments: the store
//!   verifies clean, the next writer cleans up, and every capture whose line
//!   was printed is there byte for byte;
//! - several `vellum add` processes on one store at once, with readers running
//!   meanwhile: every command succeeds, every capture is there, versions are
//!   numbered 1..n, verify is clean.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

mod common;

use common::{spawn_show_batch, vellum_process as vellum};

const ARTICLES: [&str; 5] = [
    include_str!("fixtures/articles/blog-repost-2019-02-12.txt"),
    include_str!("fixtures/articles/globalresearch-2017-10-12.md"),
    include_str!("fixtures/articles/globalresearch-2018-11-24.md"),
    include_str!("fixtures/articles/globalresearch-2019-02-12.md"),
    include_str!("fixtures/articles/zamanalwasl-france-deal.txt"),
];

fn run(cmd: &mut Command) -> Output {
    cmd.stdin(Stdio::null()).output().expect("vellum runs")
}

fn describe(o: &Output) -> String {
    format!(
        "{}\nstdout: {}\nstderr: {}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn succeed(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(o.status.success(), "{cmd:?} failed: {}", describe(&o));
    String::from_utf8(o.stdout).expect("UTF-8 output")
}

/// Small deterministic generator (xorshift), so each run kills at the same
/// (relative) moments.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// One capture to send: its file, document and time.
#[derive(Clone, Debug)]
struct Capture {
    path: PathBuf,
    doc: String,
    at: String,
}

/// Writes a small text cut from a fixture article (a header line, then a
/// window of its lines).
fn write_text(path: &Path, header: &str, article: usize, start: usize, lines: usize) {
    let src: Vec<&str> = ARTICLES[article % ARTICLES.len()].lines().collect();
    let mut text = format!("{header}\n");
    for j in 0..lines {
        text.push_str(src[(start + j) % src.len()]);
        text.push('\n');
    }
    fs::write(path, text).unwrap();
}

fn batch_file(path: &Path, caps: &[Capture]) {
    let mut f = File::create(path).unwrap();
    for c in caps {
        let line = serde_json::json!({"path": c.path, "doc": c.doc, "captured_at": c.at});
        writeln!(f, "{line}").unwrap();
    }
}

/// Parses `DOC@N CAPTURE_ID new|unchanged`.
fn parse_ack(line: &str) -> (String, String) {
    let parts: Vec<&str> = line.split(' ').collect();
    assert!(
        parts.len() == 3
            && parts[1].len() == 64
            && matches!(parts[2], "new" | "unchanged")
            && parts[0].contains('@'),
        "unexpected add output line {line:?}"
    );
    let doc = parts[0].rsplit_once('@').unwrap().0.to_owned();
    (doc, parts[1].to_owned())
}

fn tmp_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                dirs.push(e.path());
            } else if e.file_name().to_string_lossy().starts_with(".tmp-") {
                out.push(e.path());
            }
        }
    }
    out
}

fn assert_verify_clean(store: &Path, when: &str) {
    let o = run(vellum(store).arg("verify"));
    assert!(
        o.status.success(),
        "verify {when} reports damage: {}",
        describe(&o)
    );
}

fn assert_shows(store: &Path, capture: &str, source: &Path) {
    let o = run(vellum(store).args(["show", capture]));
    assert!(
        o.status.success(),
        "acknowledged capture {capture} ({}) is missing: {}",
        source.display(),
        describe(&o)
    );
    assert!(
        o.stdout == fs::read(source).unwrap(),
        "acknowledged capture {capture} differs from {}",
        source.display()
    );
}

/// Runs the batches one after another, each with its stdout in its own file,
/// and kills the running `vellum` with SIGKILL once `kill_at` has passed.
/// Returns the acknowledgements of each batch (complete or not) and whether
/// the kill landed while a batch was running.
fn run_batches_until(
    store: &Path,
    batches: &[PathBuf],
    kill_at: Option<Instant>,
) -> (Vec<Vec<String>>, bool) {
    let mut acks = Vec::new();
    for b in batches {
        if kill_at.is_some_and(|k| Instant::now() >= k) {
            return (acks, false);
        }
        let out_path = b.with_extension("out");
        let mut child: Child = vellum(store)
            .args(["add", "--batch"])
            .arg(b)
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).unwrap())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let killed = loop {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
                assert!(
                    status.success(),
                    "batch {} failed: {status} {err}",
                    b.display()
                );
                break false;
            }
            if kill_at.is_some_and(|k| Instant::now() >= k) {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                break true;
            }
            thread::sleep(Duration::from_micros(500));
        };
        let text = fs::read_to_string(&out_path).unwrap();
        acks.push(text.lines().map(str::to_owned).collect());
        if killed {
            return (acks, true);
        }
    }
    (acks, false)
}

#[test]
fn kill_9_during_batch_add_loses_nothing_acknowledged() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let files = tmp.path().join("files");
    fs::create_dir(&files).unwrap();
    let mut rng = Rng(0x5eed_0001);
    const BATCHES: usize = 3;
    const PER_BATCH: usize = 12;

    let make_trial = |t: usize| -> (Vec<PathBuf>, Vec<Vec<Capture>>) {
        let mut paths = Vec::new();
        let mut all = Vec::new();
        for b in 0..BATCHES {
            let mut caps = Vec::new();
            for i in 0..PER_BATCH {
                let n = b * PER_BATCH + i;
                let path = files.join(format!("t{t}-b{b}-{i}.txt"));
                // Every 6th capture repeats the previous text (same document).
                if i % 6 == 5 {
                    let prev: &Capture = caps.last().unwrap();
                    fs::copy(&prev.path, &path).unwrap();
                    let doc = prev.doc.clone();
                    caps.push(Capture {
                        path,
                        doc,
                        at: format!("{:04}-01-01T00:{:02}:{:02}Z", 2001 + t, n / 60, n % 60),
                    });
                    continue;
                }
                write_text(
                    &path,
                    &format!("trial {t} capture {n}"),
                    n,
                    n * 7 + t,
                    3 + n % 9,
                );
                caps.push(Capture {
                    path,
                    doc: format!("doc-{}", n % 7),
                    at: format!("{:04}-01-01T00:{:02}:{:02}Z", 2001 + t, n / 60, n % 60),
                });
            }
            let bp = files.join(format!("t{t}-batch-{b}.jsonl"));
            batch_file(&bp, &caps);
            paths.push(bp);
            all.push(caps);
        }
        (paths, all)
    };

    // How long an uninterrupted run takes (on a scratch store).
    let (calib, _) = make_trial(0);
    let t0 = Instant::now();
    run_batches_until(&tmp.path().join("scratch"), &calib, None);
    let span = t0.elapsed();

    let trials = 4;
    let mut acknowledged = 0;
    let mut mid_write = 0;
    for t in 1..=trials {
        let (paths, caps) = make_trial(t);
        let delay = span.mul_f64(rng.below(1000) as f64 / 1000.0);
        let (acks, killed) = run_batches_until(&store, &paths, Some(Instant::now() + delay));
        mid_write += usize::from(killed);

        if !store.exists() {
            // Killed while creating the store (init is atomic): no store,
            // not half of one, and nothing acknowledged.
            assert!(acks.iter().all(|l| l.is_empty()), "trial {t}: {acks:?}");
            continue;
        }
        // Readers first: a killed writer leaves nothing they count as damage.
        assert_verify_clean(&store, &format!("after kill {t}"));
        // The next writer succeeds and removes partial writes.
        let marker = files.join(format!("marker-{t}.txt"));
        fs::write(&marker, format!("marker {t}\n")).unwrap();
        succeed(
            vellum(&store)
                .args(["add", "--doc", "marker", "--at"])
                .arg(format!("{:04}-06-01T00:00:00Z", 2001 + t))
                .arg(&marker),
        );
        let left = tmp_files(&store);
        assert!(left.is_empty(), "partial writes left: {left:?}");
        assert_verify_clean(&store, &format!("after the writer following kill {t}"));

        // Every printed line is a durable capture, in batch-line order.
        for (b, lines) in acks.iter().enumerate() {
            assert!(lines.len() <= caps[b].len());
            for (line, cap) in lines.iter().zip(&caps[b]) {
                let (doc, id) = parse_ack(line);
                assert_eq!(
                    doc,
                    cap.doc,
                    "ack {line:?} is not for {}",
                    cap.path.display()
                );
                assert_shows(&store, &id, &cap.path);
                acknowledged += 1;
            }
        }
    }
    eprintln!(
        "kill -9: {trials} trials ({mid_write} killed mid-batch), {acknowledged} captures acknowledged, none lost"
    );
}

#[test]
fn concurrent_writers_and_readers() {
    const WRITERS: usize = 4;
    const PER_WRITER: usize = 20;
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    succeed(
        Command::new(env!("CARGO_BIN_EXE_vellum"))
            .env("NO_COLOR", "1")
            .arg("init")
            .arg(&store),
    );
    let seed = tmp.path().join("seed.txt");
    fs::write(&seed, "seed\n").unwrap();
    let seed_line = succeed(
        vellum(&store)
            .args(["add", "--doc", "shared-0", "--at", "2000-01-01T00:00:00Z"])
            .arg(&seed),
    );
    let (_, seed_id) = parse_ack(seed_line.trim_end());

    // Plans: shared documents (every writer adds versions to them), own
    // documents, and one text every writer sends to the same document.
    let plans: Vec<Vec<Capture>> = (0..WRITERS)
        .map(|w| {
            (0..PER_WRITER)
                .map(|i| {
                    let path = tmp.path().join(format!("w{w}-{i}.txt"));
                    let doc = if i % 5 == 4 {
                        fs::write(&path, "the same text from every writer\n").unwrap();
                        "shared-common".to_owned()
                    } else {
                        write_text(
                            &path,
                            &format!("writer {w} capture {i}"),
                            w + i,
                            i * 5,
                            2 + i % 6,
                        );
                        if i % 2 == 0 {
                            format!("shared-{}", i % 3)
                        } else {
                            format!("w{w}-doc-{}", i % 4)
                        }
                    };
                    let s = i * WRITERS + w;
                    Capture {
                        path,
                        doc,
                        at: format!("2010-01-01T00:{:02}:{:02}Z", s / 60, s % 60),
                    }
                })
                .collect()
        })
        .collect();

    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = [
        vec!["log", "--json"],
        vec!["log", "shared-0"],
        vec!["show", &seed_id],
        vec!["verify"],
    ]
    .into_iter()
    .map(|args| {
        let args: Vec<String> = args.into_iter().map(str::to_owned).collect();
        let store = store.clone();
        let done = Arc::clone(&done);
        thread::spawn(move || {
            let mut runs = 0;
            // At least one run each, however quick the writers are.
            while runs == 0 || !done.load(Ordering::Relaxed) {
                let o = run(vellum(&store).args(&args));
                assert!(
                    o.status.success(),
                    "reader {args:?} failed: {}",
                    describe(&o)
                );
                if args[0] == "show" {
                    assert_eq!(o.stdout, b"seed\n");
                }
                runs += 1;
            }
            runs
        })
    })
    .collect();

    let writers: Vec<_> = plans
        .iter()
        .enumerate()
        .map(|(w, plan)| {
            let plan = plan.clone();
            let store = store.clone();
            let dir = tmp.path().to_path_buf();
            thread::spawn(move || {
                // A batch of 8, 4 single adds, a batch of the rest.
                let mut acks = Vec::new();
                let batch1 = dir.join(format!("w{w}-1.jsonl"));
                batch_file(&batch1, &plan[..8]);
                acks.extend(
                    succeed(vellum(&store).args(["add", "--batch"]).arg(&batch1))
                        .lines()
                        .map(str::to_owned),
                );
                for c in &plan[8..12] {
                    acks.extend(
                        succeed(
                            vellum(&store)
                                .args(["add", "--doc", &c.doc, "--at", &c.at])
                                .arg(&c.path),
                        )
                        .lines()
                        .map(str::to_owned),
                    );
                }
                let batch2 = dir.join(format!("w{w}-2.jsonl"));
                batch_file(&batch2, &plan[12..]);
                acks.extend(
                    succeed(vellum(&store).args(["add", "--batch"]).arg(&batch2))
                        .lines()
                        .map(str::to_owned),
                );
                acks
            })
        })
        .collect();
    let acks: Vec<Vec<String>> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    done.store(true, Ordering::Relaxed);
    let reader_runs: Vec<usize> = readers.into_iter().map(|h| h.join().unwrap()).collect();

    // Every capture acknowledged, in plan order, and readable byte for byte.
    for (plan, acks) in plans.iter().zip(&acks) {
        assert_eq!(acks.len(), plan.len());
        for (line, cap) in acks.iter().zip(plan) {
            let (doc, id) = parse_ack(line);
            assert_eq!(doc, cap.doc);
            assert_shows(&store, &id, &cap.path);
        }
    }
    // The store holds exactly those captures (plus the seed).
    let log = succeed(vellum(&store).args(["log", "--json"]));
    let mut captures = 0;
    let mut versions = BTreeMap::new();
    for line in log.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        captures += v["captures"].as_u64().unwrap();
        versions.insert(
            v["doc"].as_str().unwrap().to_owned(),
            v["versions"].as_u64().unwrap(),
        );
    }
    assert_eq!(captures, (WRITERS * PER_WRITER + 1) as u64);
    // Each document's versions are 1..n in captured-at order.
    for (doc, n) in &versions {
        let rows = succeed(vellum(&store).args(["log", doc, "--json"]));
        let rows: Vec<serde_json::Value> = rows
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let numbers: Vec<u64> = rows
            .iter()
            .map(|r| r["version"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, (1..=*n).collect::<Vec<_>>(), "versions of {doc}");
        let times: Vec<&str> = rows
            .iter()
            .map(|r| r["captured_at"].as_str().unwrap())
            .collect();
        assert!(
            times.is_sorted(),
            "versions of {doc} out of order: {times:?}"
        );
    }
    assert_verify_clean(&store, "after concurrent writes");
    eprintln!(
        "concurrency: {WRITERS} writers x {PER_WRITER} captures, {} documents; reader runs {reader_runs:?}",
        versions.len()
    );
}

/// A long-running `show --batch` answers each address as it comes, and sees
/// versions another process adds meanwhile (its version lists are
/// remembered only while the catalog is unchanged).
#[test]
fn show_batch_answers_at_once_and_sees_new_versions() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    let file = tmp.path().join("capture.txt");
    fs::write(&file, ARTICLES[0]).unwrap();
    succeed(vellum(&store).args(["add", "--doc", "story"]).arg(&file));

    let (mut reader, mut ask, answers) = spawn_show_batch(&store);
    let answer = || {
        answers
            .recv_timeout(Duration::from_secs(60))
            .expect("show --batch answers within a minute, before stdin closes")
    };
    writeln!(ask, "story").unwrap();
    let (header, text) = answer();
    assert!(header.contains(" story@1 "), "{header}");
    assert_eq!(text, ARTICLES[0]);

    fs::write(&file, ARTICLES[3]).unwrap();
    succeed(vellum(&store).args(["add", "--doc", "story"]).arg(&file));
    for (addr, version, article) in [("story", 2, 3), ("story@1", 1, 0), ("story@2", 2, 3)] {
        writeln!(ask, "{addr}").unwrap();
        let (header, text) = answer();
        assert!(
            header.contains(&format!(" story@{version} ")),
            "{addr}: {header}"
        );
        assert_eq!(text, ARTICLES[article], "{addr}");
    }
    drop(ask);
    assert!(reader.wait().unwrap().success());
}

/// `vellum add` creating a store, killed with SIGKILL at seeded moments over
/// the time one takes: afterwards there is no store at all, or a whole one
/// (marker, objects, catalog) that verifies clean. Never the half-created
/// store an init killed midway used to leave (objects/ and a catalog without
/// the marker, which `verify` and `log` call "no vellum store").
#[test]
fn kill_9_while_creating_a_store_never_leaves_half_a_store() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a.txt");
    fs::write(&file, ARTICLES[0]).unwrap();
    let add = |store: &Path| {
        let mut c = vellum(store);
        c.args(["add", "--doc", "a"]).arg(&file);
        c
    };
    // How long one creating `add` takes here.
    let start = Instant::now();
    succeed(&mut add(&tmp.path().join("probe")));
    let span = start.elapsed().as_micros() as u64 + 1;
    let mut rng = Rng(0x5eed_0002);
    let (mut absent, mut whole) = (0, 0);
    for t in 0..40 {
        let store = tmp.path().join(format!("s{t}"));
        let mut child = add(&store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        thread::sleep(Duration::from_micros(span / 3 + rng.below(span)));
        let _ = child.kill();
        child.wait().unwrap();
        if !store.exists() {
            absent += 1;
            continue;
        }
        whole += 1;
        assert!(
            store.join("VELLUM").exists(),
            "trial {t}: a store without its marker"
        );
        assert_verify_clean(&store, &format!("after kill {t}"));
        succeed(vellum(&store).arg("log"));
    }
    eprintln!("creation killed: {absent} left no store, {whole} a whole one");
}

/// `vellum init .` in an empty directory fills it in place (a rename over it
/// would strand the shell inside it in a deleted directory).
#[test]
fn init_fills_an_existing_empty_directory_in_place() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("empty");
    fs::create_dir(&dir).unwrap();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let before = inode(&dir);
    let mut c = Command::new(env!("CARGO_BIN_EXE_vellum"));
    c.current_dir(&dir)
        .env_remove("VELLUM_STORE")
        .args(["init", "."]);
    succeed(&mut c);
    assert_eq!(inode(&dir), before, "the same directory");
    assert!(dir.join("VELLUM").exists());
    assert_verify_clean(&dir, "after init .");
}
