//! `vellum watch`: feeds followed against an HTTP server on 127.0.0.1 whose
//! feeds and pages change between requests (no traffic leaves the machine).

mod common;

use std::path::Path;
use std::time::Duration;

use common::server::{Answer, Server, ok};
use common::{json_lines, rss, vellum};

fn page(title: &str) -> String {
    let words: Vec<String> = (0..80).map(|i| format!("{title}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title></head><body>\
         <nav><a href=/>Home</a></nav><article><h1>{title}</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    )
}

fn not_found() -> Answer {
    Answer {
        status: 404,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>gone</body></html>".to_vec(),
        delay: Duration::ZERO,
    }
}

/// Runs `watch --once --delay 0 ARGS --json`: exit code, JSON lines, stderr.
fn watch(store: &Path, args: &[&str]) -> (i32, Vec<serde_json::Value>, String) {
    json_lines(
        vellum(store)
            .args(["watch", "--once", "--delay", "0", "--json"])
            .args(args),
    )
}

fn urls(lines: &[serde_json::Value]) -> Vec<String> {
    let mut u: Vec<String> = lines
        .iter()
        .map(|l| l["url"].as_str().unwrap().to_owned())
        .collect();
    u.sort();
    u
}

#[test]
fn rss_atom_and_json_feeds_archive_each_new_item_once_across_runs_and_reindex() {
    let srv = Server::start(vec![
        (
            "/rss.xml",
            // The feed gains an item between the first and second request.
            Box::new(|n| {
                let mut links = vec!["/a", "/b?utm_source=rss"];
                if n > 0 {
                    links.push("/e");
                }
                ok("application/rss+xml", rss(&links))
            }),
        ),
        (
            "/atom.xml",
            Box::new(|_| {
                ok(
                    "application/atom+xml",
                    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\
                     <feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title><id>urn:a</id>\
                     <updated>2024-01-01T00:00:00Z</updated><entry><title>C</title><id>urn:c</id>\
                     <updated>2024-01-01T00:00:00Z</updated><link href=\"/c\"/></entry></feed>",
                )
            }),
        ),
        (
            "/feed.json",
            Box::new(|_| {
                ok(
                    "application/feed+json",
                    r#"{"version": "https://jsonfeed.org/version/1.1", "title": "J",
                        "items": [{"id": "d", "url": "/d"}]}"#,
                )
            }),
        ),
        ("/a", Box::new(|_| ok("text/html", page("alpha")))),
        ("/b", Box::new(|_| ok("text/html", page("bravo")))),
        (
            "/c",
            // The page names another canonical URL than the feed's link.
            Box::new(|_| {
                let p = page("charlie").replace(
                    "</title>",
                    "</title><link rel=canonical href=\"/articles/charlie\">",
                );
                ok("text/html", p)
            }),
        ),
        ("/d", Box::new(|_| ok("text/html", page("delta")))),
        ("/e", Box::new(|_| ok("text/html", page("echo")))),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let feeds = [
        srv.url("/rss.xml"),
        srv.url("/atom.xml"),
        srv.url("/feed.json"),
    ];
    let feed_args: Vec<&str> = feeds.iter().map(String::as_str).collect();
    let (code, lines, err) = watch(&store, &feed_args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        urls(&lines),
        ["/a", "/b?utm_source=rss", "/c", "/d"].map(|p| srv.url(p)),
        "{err}"
    );
    for l in &lines {
        assert_eq!(l["status"], "new");
        assert_eq!(l["version"], 1);
        assert!(l["words"].as_u64().unwrap() >= 80, "{l}");
    }
    let text = vellum(&store)
        .args(["show", lines[0]["doc"].as_str().unwrap()])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&text.stdout).contains("Home"));
    // As after `add`, the search and similarity indexes hold what was archived.
    let seen: i64 = rusqlite::Connection::open(store.join("search.sqlite"))
        .unwrap()
        .query_row("SELECT value FROM meta WHERE key = 'captures'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(seen, 4, "the search index caught up after watch");
    assert!(store.join("similar.sqlite").exists());

    // The state is in the store's objects: a rebuilt catalog keeps it.
    vellum(&store).arg("reindex").assert().success();
    // The feeds watched before; only the item added since is fetched.
    let (code, lines, err) = watch(&store, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(urls(&lines), [srv.url("/e")], "{err}");
    let (code, lines, _) = watch(&store, &[]);
    assert_eq!((code, lines.len()), (0, 0));
    let page_requests = |p: &str| {
        srv.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.starts_with(&format!("GET {p} ")) || r.starts_with(&format!("GET {p}?")))
            .count()
    };
    assert_eq!(page_requests("/a"), 1, "a seen item is not fetched again");
    assert_eq!(
        page_requests("/c"),
        1,
        "nor one whose page declares another URL"
    );
    vellum(&store).arg("verify").assert().success();
}

#[test]
fn conditional_get_and_a_failing_item_retried_next_round() {
    let srv = Server::start(vec![
        (
            "/feed.xml",
            Box::new(|n| {
                if n == 0 {
                    let mut a = ok("application/rss+xml", rss(&["/ok", "/late"]));
                    a.headers.push(("ETag".into(), "\"v1\"".into()));
                    a.headers.push((
                        "Last-Modified".into(),
                        "Mon, 01 Jan 2024 00:00:00 GMT".into(),
                    ));
                    a
                } else {
                    Answer {
                        status: 304,
                        headers: vec![("ETag".into(), "\"v1\"".into())],
                        body: Vec::new(),
                        delay: Duration::ZERO,
                    }
                }
            }),
        ),
        ("/ok", Box::new(|_| ok("text/html", page("okay")))),
        (
            "/late",
            // 404 first, then a page with almost no text, then the article.
            Box::new(|n| match n {
                0 => not_found(),
                1 => ok("text/html", "<html><body><p>Loading</p></body></html>"),
                _ => ok("text/html", page("late")),
            }),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let feed = srv.url("/feed.xml");
    let (code, lines, err) = watch(&store, &[&feed]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(urls(&lines), [srv.url("/ok")]);
    assert!(
        err.contains("/late") && err.contains("404") && err.contains("tried again next round"),
        "{err}"
    );
    // The feed answers 304 to the validators it gave; the failed item is
    // retried: a thin page is not archived either.
    let (code, lines, err) = watch(&store, &[&feed]);
    assert_eq!((code, lines.len()), (0, 0), "{err}");
    assert!(err.contains("/late") && err.contains("thin"), "{err}");
    let (code, lines, err) = watch(&store, &[&feed]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(urls(&lines), [srv.url("/late")]);
    let heads = srv.requests.lock().unwrap().clone();
    let feed_heads: Vec<String> = heads
        .iter()
        .filter(|h| h.starts_with("GET /feed.xml"))
        .map(|h| h.to_ascii_lowercase())
        .collect();
    assert_eq!(feed_heads.len(), 3);
    assert!(!feed_heads[0].contains("if-none-match"));
    assert!(
        feed_heads[1].contains("if-none-match: \"v1\"")
            && feed_heads[1].contains("if-modified-since: mon, 01 jan 2024"),
        "{}",
        feed_heads[1]
    );
    // Nothing archived as empty text: the thin page left no capture.
    let docs = vellum(&store).args(["log", "--json"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&docs.stdout).lines().count(), 2);
}

#[test]
fn a_malformed_feed_exits_2_with_nothing_archived() {
    let srv = Server::start(vec![
        (
            "/bad.xml",
            Box::new(|_| ok("text/html", "<html><body><p>Not a feed</p></body></html>")),
        ),
        ("/gone.xml", Box::new(|_| not_found())),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let (code, lines, err) = watch(&store, &[&srv.url("/bad.xml")]);
    assert_eq!((code, lines.len()), (2, 0), "{err}");
    assert!(err.contains("not an RSS, Atom or JSON feed"), "{err}");
    assert!(!store.exists(), "nothing archived, not even a store");
    let (code, _, err) = watch(&store, &[&srv.url("/gone.xml")]);
    assert_eq!(code, 2);
    assert!(err.contains("404"), "{err}");
    let (code, _, err) = watch(&store, &["ftp://example.org/feed"]);
    assert_eq!(code, 2);
    assert!(err.contains("http"), "{err}");
    let (code, _, err) = watch(&store, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("no feed to watch"), "{err}");
}

/// Ctrl-C (SIGINT) during a round: the item being fetched is finished, the
/// process exits without waiting for the next round, every capture printed
/// is in the store, and the next run archives nothing twice.
#[cfg(unix)]
#[test]
fn ctrl_c_stops_cleanly_after_the_current_item() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let srv = Server::start(vec![
        (
            "/feed.xml",
            Box::new(|_| ok("application/rss+xml", rss(&["/one", "/two", "/three"]))),
        ),
        ("/one", Box::new(|_| ok("text/html", page("one")))),
        (
            "/two",
            Box::new(|_| Answer {
                delay: Duration::from_millis(1500),
                ..ok("text/html", page("two"))
            }),
        ),
        ("/three", Box::new(|_| ok("text/html", page("three")))),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("vellum"))
        .env_remove("VELLUM_STORE")
        .env("NO_COLOR", "1")
        .arg("--store")
        .arg(&store)
        .args(["watch", "--every", "1h", "--delay", "0", "--json"])
        .arg(srv.url("/feed.xml"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.contains("/one"), "{first}");
    // /two is being fetched (it answers in 1.5 s).
    let started = std::time::Instant::now();
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    let printed = 1 + rest.lines().count();
    assert!(
        !rest.contains("/three"),
        "stopped before the next item: {rest}"
    );
    let captures = |store: &Path| {
        let o = vellum(store).args(["log", "--json"]).output().unwrap();
        String::from_utf8_lossy(&o.stdout).lines().count()
    };
    assert_eq!(captures(&store), printed);
    vellum(&store).arg("verify").assert().success();
    // The next round archives what is left, and nothing twice.
    let (code, lines, err) = watch(&store, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(printed + lines.len(), 3, "{lines:?}");
    assert_eq!(captures(&store), 3);
}
