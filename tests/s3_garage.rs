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
