//! The command line against a real S3 server (a Garage node started by
//! `scripts/garage.sh start`). Runs only with `VELLUM_TEST_S3=1` and the AWS
//! variables set; otherwise each test prints a skip line and passes.
//!
//! ```sh
//! eval "$(scripts/garage.sh start)"
//! VELLUM_TEST_S3=1 cargo test --test s3_garage
//! scripts/garage.sh stop
//! ```

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A fresh store URL (a unique prefix in the test bucket) and a cache
/// directory standing for one machine; `None` (after a skip line) when no
/// S3 server is configured.
fn remote(test: &str) -> Option<(String, tempfile::TempDir)> {
    let enabled = std::env::var("VELLUM_TEST_S3").is_ok_and(|v| v == "1");
    let configured = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
        .iter()
        .all(|v| std::env::var_os(v).is_some());
    if !enabled || !configured {
        println!(
            "skip {test}: set VELLUM_TEST_S3=1 and the AWS_* variables \
             (eval \"$(scripts/garage.sh start)\")"
        );
        return None;
    }
    let bucket = std::env::var("VELLUM_TEST_S3_BUCKET").unwrap_or_else(|_| "vellum-test".into());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let url = format!("s3://{bucket}/{test}-{}-{nanos}", std::process::id());
    Some((url, tempfile::tempdir().unwrap()))
}

/// `vellum --store URL` on the "machine" whose cache is `cache`.
fn vellum(url: &str, cache: &Path) -> Command {
    let mut cmd = common::vellum(Path::new(url));
    cmd.env("VELLUM_CACHE", cache);
    cmd
}

fn out(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn every_command_works_on_s3() {
    let Some((url, cache)) = remote("commands") else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let a = write(files.path(), "a.md", "The troop moved to the outskirt.\n");
    let b = write(files.path(), "b.md", "The troops moved to the outskirts.\n");
    let v = |c: &Path| vellum(&url, c);
    assert!(out(v(cache.path()).arg("init")).contains("initialized"));
    assert!(out(v(cache.path()).arg("init")).contains("already"));
    out(v(cache.path())
        .args(["add", "--doc", "d", "--at", "2019-02-12T10:00Z"])
        .arg(&a));
    out(v(cache.path())
        .args(["add", "--doc", "d", "--at", "2019-02-12T11:00Z"])
        .arg(&b));
    assert_eq!(
        out(v(cache.path()).args(["show", "d@1"])),
        "The troop moved to the outskirt.\n"
    );
    let diff = v(cache.path())
        .args(["diff", "d@1", "d@2"])
        .output()
        .unwrap();
    assert_eq!(diff.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&diff.stdout).contains("{+troops+}"));
    let log = out(v(cache.path()).args(["log", "d", "--json"]));
    assert_eq!(log.lines().count(), 2, "{log}");
    assert!(out(v(cache.path()).arg("verify")).contains("ok"));
    assert!(out(v(cache.path()).arg("reindex")).contains("2 capture(s)"));
    // Another machine (an empty cache) catches up from the listing.
    let other = tempfile::tempdir().unwrap();
    assert_eq!(
        out(v(other.path()).args(["show", "d"])),
        "The troops moved to the outskirts.\n"
    );
    // Bad input: exit 2, a clear message.
    let bad = v(other.path())
        .args(["show", "nosuchdoc"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn two_writers_on_two_machines_lose_nothing() {
    let Some((url, cache)) = remote("writers") else {
        return;
    };
    out(vellum(&url, cache.path()).arg("init"));
    let files = tempfile::tempdir().unwrap();
    let machines: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    std::thread::scope(|s| {
        for (m, dir) in machines.iter().enumerate() {
            let (url, files) = (&url, files.path());
            s.spawn(move || {
                for n in 0..6 {
                    let f = write(
                        files,
                        &format!("{m}-{n}.md"),
                        &format!("machine {m} take {n}\n"),
                    );
                    out(vellum(url, dir.path())
                        .args(["add", "--doc", &format!("doc{m}")])
                        .args(["--at", &format!("2020-01-01T00:0{n}Z")])
                        .arg(&f));
                }
            });
        }
    });
    let fresh = tempfile::tempdir().unwrap();
    for m in 0..2 {
        let log = out(vellum(&url, fresh.path()).args(["log", &format!("doc{m}"), "--json"]));
        assert_eq!(log.lines().count(), 6, "{log}");
    }
    let root = out(vellum(&url, fresh.path()).args(["root", "--json"]));
    assert!(root.contains("\"size\":12"), "{root}");
    assert!(out(vellum(&url, fresh.path()).arg("verify")).contains("ok"));
}

/// Flips one byte in the middle of the first pack of the store at `url`,
/// in the bucket itself (what rot on the storage side looks like).
fn damage_remote_pack(url: &str) {
    use vellum::store::backend::Backend;
    let spec = vellum::store::remote::parse(Path::new(url))
        .unwrap()
        .unwrap();
    let backend = vellum::store::s3::S3Backend::new(spec.object_store().unwrap(), None).unwrap();
    let (key, _) = backend.list("packs").unwrap().remove(0);
    let mut bytes = backend.get(&key).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    backend.delete(&key).unwrap();
    assert!(backend.put_if_absent(&key, &bytes).unwrap());
}

/// Every version's text and raw bytes, as `show` prints them.
fn contents(v: &dyn Fn() -> Command) -> Vec<String> {
    let mut all = Vec::new();
    for n in 1..=3 {
        for raw in [false, true] {
            let mut cmd = v();
            cmd.arg("show").arg(format!("d@{n}"));
            if raw {
                cmd.arg("--raw");
            }
            all.push(out(&mut cmd));
        }
    }
    all
}

#[test]
fn a_damaged_copy_on_either_side_is_healed_from_the_other() {
    let Some((url, cache)) = remote("heal") else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    for n in 1..=3 {
        let f = write(
            files.path(),
            &format!("{n}.md"),
            &format!("Take {n} of the story.\n"),
        );
        out(vellum(&url, cache.path())
            .args(["add", "--doc", "d", "--at", &format!("2021-01-0{n}")])
            .arg(&f));
    }
    let local = files.path().join("local");
    out(common::vellum(&local).arg("pull").arg(&url));
    let before = contents(&|| common::vellum(&local));
    // A damaged remote pack, seen by a machine with a fresh cache, healed
    // from the local directory.
    damage_remote_pack(&url);
    let machine = tempfile::tempdir().unwrap();
    let v = || vellum(&url, machine.path());
    assert_eq!(v().arg("verify").output().unwrap().status.code(), Some(1));
    let said = out(v().arg("repair").arg("--from").arg(&local));
    assert!(said.contains("verify: ok"), "{said}");
    let fresh = tempfile::tempdir().unwrap();
    let v = || vellum(&url, fresh.path());
    assert!(out(v().arg("verify")).contains("ok"));
    assert_eq!(contents(&v), before);
    // A damaged local copy, healed from the bucket.
    let pack = std::fs::read_dir(local.join("objects/packs"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&pack).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(&pack, &bytes).unwrap();
    let l = || common::vellum(&local);
    assert_eq!(l().arg("verify").output().unwrap().status.code(), Some(1));
    let said = out(l()
        .arg("repair")
        .arg("--from")
        .arg(&url)
        .env("VELLUM_CACHE", fresh.path()));
    assert!(said.contains("verify: ok"), "{said}");
    assert_eq!(contents(&l), before);
}

/// A page that answers at once the first time (`add`), then after `slow`.
fn slow_page(slow: std::time::Duration) -> common::server::Route {
    let words: Vec<String> = (0..80).map(|i| format!("word{i}")).collect();
    let body = format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>A</title></head><body>\
         <article><h1>A</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    );
    Box::new(move |n| common::server::Answer {
        delay: if n == 0 {
            std::time::Duration::ZERO
        } else {
            slow
        },
        ..common::server::ok("text/html; charset=utf-8", body.clone())
    })
}

#[test]
fn two_monitors_on_two_machines_at_once_one_is_refused() {
    let Some((url, cache)) = remote("monitors") else {
        return;
    };
    let srv =
        common::server::Server::start(vec![("/a", slow_page(std::time::Duration::from_secs(5)))]);
    out(vellum(&url, cache.path()).arg("init"));
    let added = out(vellum(&url, cache.path()).args(["add", "--json", &srv.url("/a")]));
    let added: serde_json::Value = serde_json::from_str(added.lines().next().unwrap()).unwrap();
    let doc = added["doc"].as_str().unwrap().to_owned();
    // Two machines (two caches of the bucket) start a monitor at the same
    // moment; each check takes 5 s, so the winner holds the lease while the
    // other asks.
    let machines: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let runs: Vec<std::process::Output> = std::thread::scope(|s| {
        let started: Vec<_> = machines
            .iter()
            .map(|m| {
                let url = &url;
                s.spawn(move || {
                    vellum(url, m.path())
                        .args(["recheck", "--all", "--delay", "0", "--ignore-robots"])
                        .output()
                        .unwrap()
                })
            })
            .collect();
        started.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut codes: Vec<Option<i32>> = runs.iter().map(|o| o.status.code()).collect();
    codes.sort();
    assert_eq!(codes, [Some(0), Some(2)], "{runs:?}");
    let refused = runs.iter().find(|o| o.status.code() == Some(2)).unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("another monitor is running on this store"),
        "{said}"
    );
    assert!(said.contains("process "), "{said}");
    // Released when the first ended: a monitor runs again, and the store
    // holds the winner's one check.
    let again = vellum(&url, machines[1].path())
        .args(["recheck", "--all", "--delay", "0", "--ignore-robots"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(0), "{again:?}");
    let log = out(vellum(&url, machines[0].path()).args(["log", &doc, "--checks", "--json"]));
    assert_eq!(log.lines().count(), 2, "{log}");
}

const MERGED_DOCS: [&str; 4] = ["common", "field-0", "field-1", "newsroom"];

/// The capture ids a store lists for the documents of the merge test,
/// sorted.
fn capture_ids(v: &dyn Fn() -> Command) -> Vec<String> {
    let mut ids = Vec::new();
    for doc in MERGED_DOCS {
        let Ok(o) = v().args(["log", doc, "--captures", "--json"]).output() else {
            continue;
        };
        for l in String::from_utf8_lossy(&o.stdout).lines() {
            let item: serde_json::Value = serde_json::from_str(l).unwrap();
            ids.push(item["capture"].as_str().unwrap().to_owned());
        }
    }
    ids.sort();
    ids
}

/// A store on S3 and two laptops written apart, merged both ways (the two
/// laptops into the bucket at the same time: the lease serializes them),
/// then every capture readable, `verify` clean, proofs from both logs
/// checking and the bucket's pre-merge root still a prefix of its log.
#[test]
fn stores_written_apart_merge_both_ways_on_s3() {
    let Some((url, cache)) = remote("merge") else {
        return;
    };
    let files = tempfile::tempdir().unwrap();
    let laptops: Vec<PathBuf> = (0..2)
        .map(|i| files.path().join(format!("laptop{i}")))
        .collect();
    let r = || vellum(&url, cache.path());
    let local = |dir: &Path| common::vellum(dir);
    let f = write(files.path(), "a.md", "Common beginning.\n");
    out(r()
        .args(["add", "--doc", "common", "--at", "2024-05-01T09:00Z"])
        .arg(&f));
    for l in &laptops {
        out(local(l).arg("pull").arg(&url));
    }
    for (i, l) in laptops.iter().enumerate() {
        let f = write(
            files.path(),
            "l.md",
            &format!("Written offline on laptop {i}.\n"),
        );
        out(local(l)
            .args([
                "add",
                "--doc",
                &format!("field-{i}"),
                "--at",
                "2024-05-02T09:00Z",
            ])
            .arg(&f));
    }
    let f = write(files.path(), "n.md", "Written in the newsroom.\n");
    out(r()
        .args(["add", "--doc", "newsroom", "--at", "2024-05-02T10:00Z"])
        .arg(&f));
    let root: serde_json::Value = serde_json::from_str(&out(r().args(["root", "--json"]))).unwrap();
    let old_size = root["size"].as_u64().unwrap();

    std::thread::scope(|s| {
        for l in &laptops {
            let url = &url;
            s.spawn(move || {
                let pushed = out(common::vellum(l).arg("push").arg(url).arg("--json"));
                let v: serde_json::Value = serde_json::from_str(&pushed).unwrap();
                assert_eq!(v["merged"]["captures"], 1, "{v}");
            });
        }
    });
    for l in &laptops {
        let pulled = out(local(l).arg("pull").arg(&url).arg("--json"));
        let v: serde_json::Value = serde_json::from_str(&pulled).unwrap();
        assert_eq!(v["merged"]["captures"], 2, "{v}");
    }
    let want = capture_ids(&r);
    assert_eq!(want.len(), 4);
    for l in &laptops {
        assert_eq!(capture_ids(&|| local(l)), want);
        assert!(out(local(l).arg("verify")).contains("ok"));
    }
    assert!(out(r().arg("verify")).contains("ok"));
    // Another machine reads every capture of both.
    let other = tempfile::tempdir().unwrap();
    for doc in MERGED_DOCS {
        out(vellum(&url, other.path()).args(["show", doc]));
    }
    // Proofs from the merged root, each laptop's log, and the old root.
    let root: serde_json::Value = serde_json::from_str(&out(r().args(["root", "--json"]))).unwrap();
    let merged_root = format!("{}:{}", root["size"], root["root"].as_str().unwrap());
    for doc in ["field-0", "field-1", "newsroom"] {
        let proof = write(files.path(), "p.json", &out(r().args(["proof", doc])));
        let said = out(r()
            .arg("check-proof")
            .arg(&proof)
            .args(["--root", &merged_root]));
        assert_eq!(said.contains("merged in"), doc != "newsroom", "{said}");
    }
    let c = write(
        files.path(),
        "c.json",
        &out(r().args(["proof", "--consistency", &old_size.to_string()])),
    );
    out(r()
        .arg("check-proof")
        .arg(&c)
        .args(["--root", &merged_root]));
}
