//! The capture pipeline as users meet it (issue 23): saved pages named by
//! the canonical URL they declare, `add` and `extract` agreeing on it, each
//! input archived or reported on its own, capture times in the future,
//! renumbered versions, and HTTP heads marked as rebuilt. Web tests run
//! against a server on 127.0.0.1 (no traffic leaves the machine).

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;

use common::server::{Answer, Server, ok};
use common::{stdout_of, vellum};

fn words(w: &str) -> String {
    (0..60)
        .map(|i| format!("{w}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// An article page declaring `canonical` (when given).
fn page(canonical: Option<&str>, text: &str) -> String {
    let link = canonical.map_or(String::new(), |c| {
        format!("<link rel=canonical href=\"{c}\">")
    });
    format!(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Bridge</title>{link}\
         </head><body><article><h1>Bridge</h1><p>{text}.</p></article></body></html>"
    )
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn docs(store: &Path) -> Vec<(String, u64)> {
    json_lines(stdout_of(vellum(store).args(["log", "--json"])).as_bytes())
        .iter()
        .map(|v| {
            (
                v["doc"].as_str().unwrap().to_owned(),
                v["versions"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn saved_pages_belong_to_the_document_of_their_canonical_url() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    // Two sites' index.html: two canonical URLs, two documents.
    for (dir, site) in [("s1", "one.example"), ("s2", "two.example")] {
        std::fs::create_dir(tmp.path().join(dir)).unwrap();
        let c = format!("https://{site}/news/story");
        std::fs::write(
            tmp.path().join(dir).join("index.html"),
            page(Some(&c), &words(site)),
        )
        .unwrap();
    }
    vellum(&store)
        .arg("add")
        .arg(tmp.path().join("s1/index.html"))
        .arg(tmp.path().join("s2/index.html"))
        .assert()
        .success();
    let d = docs(&store);
    assert_eq!(d.len(), 2, "{d:?}");
    assert!(d.iter().all(|(_, v)| *v == 1), "{d:?}");
    // Three saved versions of one article: one document, three versions.
    let mut files = Vec::new();
    for n in 1..=3 {
        let f = tmp.path().join(format!("bridge.v{n}.html"));
        let text = format!("{} edit{n}", words("bridge"));
        std::fs::write(&f, page(Some("https://bridge.example/2019/span"), &text)).unwrap();
        files.push(f);
    }
    for (n, f) in files.iter().enumerate() {
        vellum(&store)
            .args(["add", "--at", &format!("2019-02-1{n}")])
            .arg(f)
            .assert()
            .success();
    }
    let d = docs(&store);
    assert_eq!(d.len(), 3, "{d:?}");
    assert!(
        d.iter()
            .any(|(doc, v)| doc.starts_with("bridge") && *v == 3),
        "{d:?}"
    );
}

/// Drift 1: a saved page declaring a canonical URL on another site than
/// its `--url`: `extract --json` and `add` name the same canonical URL
/// (the page's own), through the same rule.
#[test]
fn extract_and_add_agree_on_a_foreign_canonical_url() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let f = tmp.path().join("page.html");
    std::fs::write(
        &f,
        page(Some("https://elsewhere.example/copied"), &words("story")),
    )
    .unwrap();
    let url = "https://news.example/2019/story";
    let out = stdout_of(
        vellum(&store)
            .args(["extract", "--json", "--url", url])
            .arg(&f),
    );
    let extracted: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(extracted["canonical_url"], url);
    let added = json_lines(
        stdout_of(vellum(&store).args(["add", "--json", "--url", url]).arg(&f)).as_bytes(),
    );
    let id = added[0]["capture"].as_str().unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&stdout_of(vellum(&store).args(["show", "--meta", id]))).unwrap();
    assert_eq!(meta["canonical_url"], extracted["canonical_url"]);
}

#[test]
fn a_failing_url_does_not_keep_the_others_from_being_archived() {
    let srv = Server::start(vec![
        (
            "/a",
            Box::new(|_| ok("text/html", page(None, &words("alpha")))),
        ),
        (
            "/gone",
            Box::new(|_| Answer {
                status: 404,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html><body>gone</body></html>".to_vec(),
                delay: std::time::Duration::ZERO,
            }),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["add", &srv.url("/a"), &srv.url("/gone")])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        stderr.contains("not archived") && stderr.contains("/gone answered HTTP 404"),
        "{stderr}"
    );
    assert_eq!(docs(&store).len(), 1);
}

#[test]
fn future_times_are_refused_and_renumbering_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let f = tmp.path().join("a.txt");
    std::fs::write(&f, "the latest text").unwrap();
    let out = vellum(&store)
        .args(["add", "--doc", "a", "--at", "2099-01-01"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-future"));
    assert!(!store.exists(), "nothing is created for a refused add");
    vellum(&store)
        .args(["add", "--doc", "a", "--at", "2019-03-01"])
        .arg(&f)
        .assert()
        .success();
    // An older capture added later: version 1 becomes version 2.
    std::fs::write(&f, "an older text").unwrap();
    let out = vellum(&store)
        .args(["add", "--json", "--doc", "a", "--at", "2019-02-01"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(out.status.success());
    let item = &json_lines(&out.stdout)[0];
    assert_eq!(item["version"], 1);
    assert_eq!(
        item["renumbered"],
        serde_json::json!([{"from": 1, "to": 2}])
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("@1 is now @2"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // A capture at the end moves nothing.
    std::fs::write(&f, "a newer text").unwrap();
    let out = vellum(&store)
        .args(["add", "--json", "--doc", "a", "--at", "2019-04-01"])
        .arg(&f)
        .output()
        .unwrap();
    assert!(json_lines(&out.stdout)[0].get("renumbered").is_none());
    vellum(&store)
        .args(["add", "--doc", "b", "--allow-future", "--at", "2099-01-01"])
        .arg(&f)
        .assert()
        .success();
}

/// A server that answers `HTTP/1.0` with a `Server:` header: the stored
/// head says which protocol answered and that it was rebuilt.
#[test]
fn the_stored_http_head_is_marked_as_rebuilt() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/p", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let body = page(None, &words("head"));
            let _ = write!(
                s,
                "HTTP/1.0 200 OK\r\nServer: Tiny/1.0\r\nContent-Type: text/html\r\n\
                 Content-Length: {}\r\n\r\n{body}",
                body.len()
            );
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let added = json_lines(stdout_of(vellum(&store).args(["add", "--json", &url])).as_bytes());
    let id = added[0]["capture"].as_str().unwrap();
    let meta: serde_json::Value =
        serde_json::from_str(&stdout_of(vellum(&store).args(["show", "--meta", id]))).unwrap();
    let head = meta["http"]["head"].as_str().unwrap();
    assert!(head.starts_with("HTTP/1.0 200"), "{head}");
    assert_eq!(meta["http"]["head_reconstructed"], true);
}
