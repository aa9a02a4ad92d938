//! `vellum check-proof`: proofs checked offline, without any store.

use std::path::Path;

use assert_cmd::Command;
use vellum::custody::merkle::Tree;
use vellum::custody::proof::{Proof, ProofFile};
use vellum::id::ObjectId;
use vellum::store::CaptureRecord;

fn check_proof(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("vellum").unwrap();
    // No store anywhere: the current directory is empty.
    cmd.env_remove("VELLUM_STORE")
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("check-proof");
    cmd
}

fn record(i: usize, bytes: &[u8]) -> Vec<u8> {
    CaptureRecord {
        vellum: 1,
        doc: format!("article-{i}").parse().unwrap(),
        captured_at: time::macros::datetime!(2019-02-12 12:56 UTC)
            + time::Duration::hours(i as i64),
        content: ObjectId::of(bytes),
        size: bytes.len() as u64,
        text: Some(ObjectId::of(bytes)),
        media_type: "text/plain".into(),
        url: Some(format!("https://example.org/{i}")),
        source: None,
        title: None,
        flag: None,
        supersedes: None,
        extractor: None,
        encoding: None,
        encoding_confidence: None,
        byline: None,
        canonical_url: None,
        http: None,
        meta: Default::default(),
    }
    .to_canonical()
}

#[test]
fn proofs_hold_offline_and_tampering_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let texts: Vec<Vec<u8>> = (0..7)
        .map(|i| format!("version {i} of the article\n").into_bytes())
        .collect();
    let records: Vec<Vec<u8>> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| record(i, t))
        .collect();
    let mut tree = Tree::new();
    for r in &records {
        tree.push(ObjectId::of(r).as_bytes());
    }
    let root7 = ObjectId::from_bytes(tree.head(7).unwrap().root);
    let root4 = ObjectId::from_bytes(tree.head(4).unwrap().root);
    let write = |name: &str, p: &ProofFile| {
        std::fs::write(dir.join(name), serde_json::to_string_pretty(p).unwrap()).unwrap();
    };
    let inc =
        ProofFile::inclusion(&tree, 5, 7, ObjectId::of(&records[5]), Some(&records[5])).unwrap();
    write("inc.json", &inc);
    std::fs::write(dir.join("page.txt"), &texts[5]).unwrap();
    std::fs::write(dir.join("other.txt"), &texts[4]).unwrap();

    let out = check_proof(dir)
        .args(["inc.json", "--root", &format!("7:{root7}"), "page.txt"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.starts_with("proof holds\n"), "{stdout}");
    assert!(
        stdout.contains("entry 5 of the log of 7 entries"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "document article-5, captured at 2019-02-12T17:56:00Z, URL https://example.org/5"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("the file's bytes are the capture's bytes"),
        "{stdout}"
    );
    assert!(!Path::new(&dir.join("store")).exists());

    // Without --root it holds but says to compare the root.
    let stdout =
        String::from_utf8(check_proof(dir).arg("inc.json").output().unwrap().stdout).unwrap();
    assert!(stdout.contains("compare root"), "{stdout}");

    // Another file, another root, another size: exit 1 with the reason.
    for args in [
        vec!["inc.json".to_owned(), "other.txt".to_owned()],
        vec![
            "inc.json".to_owned(),
            "--root".to_owned(),
            root4.to_string(),
        ],
        vec![
            "inc.json".to_owned(),
            "--root".to_owned(),
            format!("6:{root7}"),
        ],
    ] {
        let out = check_proof(dir).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("proof FAILS: "));
    }
    // A tampered path, a tampered record.
    let mut bad = inc.clone();
    let Proof::Inclusion(i) = &mut bad.proof else {
        unreachable!()
    };
    i.path[1] = ObjectId::of(b"x");
    write("bad-path.json", &bad);
    check_proof(dir).arg("bad-path.json").assert().code(1);
    let mut bad = inc.clone();
    let Proof::Inclusion(i) = &mut bad.proof else {
        unreachable!()
    };
    i.record = Some(
        i.record
            .clone()
            .unwrap()
            .replace("example.org/5", "example.org/6"),
    );
    write("bad-record.json", &bad);
    let out = check_proof(dir).arg("bad-record.json").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("record was altered"));

    // Consistency: 4 -> 7 holds; a rewritten history does not.
    write("cons.json", &ProofFile::consistency(&tree, 4, 7).unwrap());
    check_proof(dir)
        .args([
            "cons.json",
            "--root",
            &format!("4:{root4}"),
            "--root",
            &root7.to_string(),
        ])
        .assert()
        .code(0);
    let mut forked = Tree::new();
    for (i, r) in records.iter().enumerate() {
        let r = if i == 2 {
            record(2, b"a different text")
        } else {
            r.clone()
        };
        forked.push(ObjectId::of(&r).as_bytes());
    }
    let mut fake = ProofFile::consistency(&forked, 4, 7).unwrap();
    let Proof::Consistency(c) = &mut fake.proof else {
        unreachable!()
    };
    c.old_root = root4;
    write("fork.json", &fake);
    check_proof(dir).arg("fork.json").assert().code(1);

    // Not a proof: exit 2.
    std::fs::write(dir.join("junk.json"), "{\"hello\": 1}").unwrap();
    check_proof(dir).arg("junk.json").assert().code(2);
    check_proof(dir)
        .args(["inc.json", "--root", "zz"])
        .assert()
        .code(2);
    check_proof(dir).arg("missing.json").assert().code(2);
}
