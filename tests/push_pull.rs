//! `vellum push` and `vellum pull` between store directories.

mod common;

use common::vellum;

fn stdout(cmd: &mut assert_cmd::Command) -> String {
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

#[test]
fn push_then_pull_copies_only_what_is_missing() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let f = tmp.path().join("x.md");
    std::fs::write(&f, "first text\n").unwrap();
    stdout(
        vellum(&a)
            .args(["add", "--doc", "d", "--at", "2020-01-01"])
            .arg(&f),
    );
    let pushed = stdout(vellum(&a).arg("push").arg(&b).arg("--json"));
    let v: serde_json::Value = serde_json::from_str(&pushed).unwrap();
    assert_eq!(
        (v["packs"].as_u64(), v["present"].as_u64()),
        (Some(1), Some(0))
    );
    let again: serde_json::Value =
        serde_json::from_str(&stdout(vellum(&a).arg("push").arg(&b).arg("--json"))).unwrap();
    assert_eq!(again["packs"].as_u64(), Some(0));
    assert_eq!(stdout(vellum(&b).args(["show", "d"])), "first text\n");
    // Written in b, pulled into a new store c and back into a.
    std::fs::write(&f, "second text\n").unwrap();
    stdout(
        vellum(&b)
            .args(["add", "--doc", "d", "--at", "2020-01-02"])
            .arg(&f),
    );
    stdout(vellum(&c).arg("pull").arg(&b));
    stdout(vellum(&a).arg("pull").arg(&b));
    for s in [&a, &c] {
        assert_eq!(stdout(vellum(s).args(["show", "d@2"])), "second text\n");
        assert_eq!(
            stdout(vellum(s).arg("root")),
            stdout(vellum(&b).arg("root"))
        );
        stdout(vellum(s).arg("verify"));
    }
    // Diverged stores: exit 2, a message that says why, nothing copied.
    std::fs::write(&f, "third in a\n").unwrap();
    stdout(
        vellum(&a)
            .args(["add", "--doc", "d", "--at", "2020-01-03"])
            .arg(&f),
    );
    std::fs::write(&f, "third in b\n").unwrap();
    stdout(
        vellum(&b)
            .args(["add", "--doc", "d", "--at", "2020-01-04"])
            .arg(&f),
    );
    let o = vellum(&a).arg("push").arg(&b).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fork"));
    assert_eq!(stdout(vellum(&b).args(["show", "d"])), "third in b\n");
}
