//! Web captures end to end, against an HTTP server on 127.0.0.1 started by
//! each test (no traffic leaves the machine): pages that change between
//! requests, redirects, gzip, wrong and missing charsets, 404s, slow answers.

mod common;

use std::io::Write;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::server::{Answer, Server, ok, redirect};
use common::vellum;

fn para(n: usize, w: &str) -> String {
    (0..n)
        .map(|i| format!("{w}{i}"))
        .collect::<Vec<_>>()
        .join(" ")
        + "."
}

fn article_page(title: &str, paras: &[String]) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{title}</title>\
         <link rel=canonical href=\"/news/story?utm_source=feed\"></head><body>\
         <nav><a href=/>Home</a> <a href=/world>World</a></nav>\
         <div class=\"share-tools\"><a href=#>Share</a></div>\
         <article><h1>{title}</h1>{body}</article>\
         <section class=comments><h2>Comments (12)</h2><p>{}</p></section>\
         <footer>Copyright</footer></body></html>",
        para(30, "reader")
    )
}

fn stdout_ok(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn a_changing_page_becomes_versions_of_one_document() {
    let first = vec![para(60, "alpha"), para(40, "beta")];
    let second = vec![para(60, "alpha"), para(40, "beta"), para(20, "correction")];
    let (p1, p2) = (
        article_page("Story", &first),
        article_page("Story", &second),
    );
    let srv = Server::start(vec![(
        "/news/story",
        Box::new(move |n| {
            ok(
                "text/html; charset=utf-8",
                if n == 0 { p1.clone() } else { p2.clone() },
            )
        }),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    // Decorated URLs (tracking, fragment) land in the same document.
    let out =
        stdout_ok(vellum(&store).args(["add", &srv.url("/news/story?utm_source=twitter#top")]));
    assert!(out.starts_with("127-0-0-1-"), "{out}");
    let doc = out.split('@').next().unwrap().to_owned();
    let out2 = stdout_ok(vellum(&store).args(["add", &srv.url("/news/story?fbclid=abc")]));
    assert!(out2.starts_with(&format!("{doc}@2 ")), "{out2}");
    let out3 = stdout_ok(vellum(&store).args(["add", &srv.url("/news/story")]));
    assert!(
        out3.starts_with(&format!("{doc}@2 ")) && out3.contains("unchanged"),
        "{out3}"
    );

    // The text is the article, the title from the page; the HTML is kept byte-exact.
    let text = stdout_ok(vellum(&store).args(["show", &format!("{doc}@1")]));
    assert!(text.starts_with("Story\n\nalpha0 alpha1"), "{text}");
    for junk in ["Home", "Share", "reader0", "Comments", "Copyright", "<p>"] {
        assert!(!text.contains(junk), "{junk:?} in {text}");
    }
    let raw = stdout_ok(vellum(&store).args(["show", "--raw", &format!("{doc}@1")]));
    assert_eq!(raw, article_page("Story", &first));
    let diff = vellum(&store)
        .args(["diff", &format!("{doc}@1"), &format!("{doc}@2")])
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&diff.stdout);
    assert!(diff.contains("correction0"), "{diff}");
    assert!(!diff.contains("reader"), "{diff}");

    // The record names the extractor, the canonical URL and the HTTP exchange.
    let meta: serde_json::Value = serde_json::from_str(&stdout_ok(vellum(&store).args([
        "show",
        "--meta",
        &format!("{doc}@1"),
    ])))
    .unwrap();
    assert_eq!(meta["media_type"], "text/html");
    assert_eq!(meta["title"], "Story");
    assert!(
        meta["extractor"]
            .as_str()
            .unwrap()
            .starts_with("vellum-article "),
        "{meta}"
    );
    assert_eq!(meta["canonical_url"], srv.url("/news/story"));
    assert_eq!(meta["http"]["status"], 200);
    assert_eq!(meta["http"]["content_type"], "text/html; charset=utf-8");
    assert!(
        meta["http"]["head"]
            .as_str()
            .unwrap()
            .starts_with("HTTP/1.1 200 OK\r\n"),
        "{meta}"
    );
    assert!(meta.get("flag").is_none(), "{meta}");
    assert!(stdout_ok(vellum(&store).arg("verify")).starts_with("ok"));

    // Every request said who it was.
    let ua = format!("user-agent: vellum/{}", env!("CARGO_PKG_VERSION"));
    for r in srv.requests.lock().unwrap().iter() {
        assert!(r.to_ascii_lowercase().contains(&ua), "{r}");
    }
}

#[test]
fn redirects_are_followed_and_recorded_within_a_limit() {
    let page = article_page("Moved", &[para(80, "moved")]);
    let other_page = format!(
        "<html><body><article><p>{}</p></article></body></html>",
        para(80, "other")
    );
    let srv = Server::start(vec![
        ("/old", Box::new(|_| redirect(301, "/middle"))),
        ("/middle", Box::new(|_| redirect(302, "/final"))),
        ("/final", Box::new(move |_| ok("text/html", page.clone()))),
        ("/loop", Box::new(|_| redirect(302, "/loop"))),
        (
            "/other",
            Box::new(move |_| ok("text/html", other_page.clone())),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = stdout_ok(vellum(&store).args(["add", "--doc", "moved", &srv.url("/old")]));
    assert!(out.starts_with("moved@1 "), "{out}");
    let meta: serde_json::Value =
        serde_json::from_str(&stdout_ok(vellum(&store).args(["show", "--meta", "moved"]))).unwrap();
    assert_eq!(meta["url"], srv.url("/old"));
    assert_eq!(meta["http"]["final_url"], srv.url("/final"));
    assert_eq!(
        meta["http"]["redirects"],
        serde_json::json!([
            {"url": srv.url("/old"), "status": 301},
            {"url": srv.url("/middle"), "status": 302},
        ])
    );
    // Another article into the same document: archived, with a warning.
    let other = vellum(&store)
        .args(["add", "--doc", "moved", &srv.url("/other")])
        .output()
        .unwrap();
    assert!(other.status.success());
    let err = String::from_utf8_lossy(&other.stderr);
    assert!(
        err.contains("warning: moved is the document of") && err.contains("/news/story"),
        "{err}"
    );
    let out = vellum(&store)
        .args(["add", &srv.url("/loop")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than 10 redirects"), "{err}");
    let loops = srv
        .requests
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.contains("/loop"))
        .count();
    assert_eq!(loops, 11);
}

#[test]
fn gzip_and_legacy_charsets_are_decoded() {
    let arabic = include_bytes!("fixtures/encodings/windows-1256.html").to_vec();
    let expected = include_str!("fixtures/encodings/windows-1256.expected")
        .trim_end()
        .to_owned();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&arabic).unwrap();
    let gz = gz.finish().unwrap();
    let latin = format!(
        "<html><head><title>caf\u{e9}</title></head><body><p>{} caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e \u{e0} la fran\u{e7}aise, d\u{e9}j\u{e0} \u{e9}t\u{e9} pr\u{e9}sent\u{e9}.</p></body></html>",
        para(50, "mot")
    );
    let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(&latin);
    let latin1 = latin1.into_owned();
    let srv = Server::start(vec![
        (
            "/gz",
            Box::new(move |_| Answer {
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                ..ok("", gz.clone())
            }),
        ),
        // Declares UTF-8 but sends windows-1252, with no <meta>.
        (
            "/wrong",
            Box::new(move |_| ok("text/html; charset=utf-8", latin1.clone())),
        ),
    ]);
    let out = stdout_ok(vellum(&std::path::PathBuf::from("/nonexistent")).args([
        "extract",
        "--json",
        &srv.url("/gz"),
    ]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["encoding"], "windows-1256");
    assert_eq!(v["encoding_source"], "meta");
    assert!(v["text"].as_str().unwrap().contains(&expected), "{v}");
    let out = stdout_ok(
        vellum(&std::path::PathBuf::from("/nonexistent")).args(["extract", &srv.url("/wrong")]),
    );
    assert!(out.contains("cr\u{e8}me br\u{fb}l\u{e9}e"), "{out}");
    assert!(!out.contains('\u{fffd}'), "{out}");
}

#[test]
fn errors_archive_nothing_unless_kept() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let srv = Server::start(vec![(
        "/slow",
        Box::new(move |_| {
            c.fetch_add(1, Ordering::SeqCst);
            Answer {
                delay: Duration::from_secs(5),
                ..ok("text/html", "<html><body><p>late</p></body></html>")
            }
        }),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["add", &srv.url("/gone")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("HTTP 404") && err.contains("--keep-errors"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    let log = vellum(&store).arg("log").output().unwrap();
    assert!(!String::from_utf8_lossy(&log.stdout).contains("127-0-0-1"));

    let out = vellum(&store)
        .args(["add", "--keep-errors", "--doc", "gone", &srv.url("/gone")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: gone: HTTP 404"));
    // Listed among the captures, never a version: addressed by its id.
    let line = String::from_utf8(out.stdout).unwrap();
    assert!(
        line.starts_with("gone@- ") && line.trim_end().ends_with(" flagged"),
        "{line}"
    );
    let id = line.split_whitespace().nth(1).unwrap().to_owned();
    let meta: serde_json::Value =
        serde_json::from_str(&stdout_ok(vellum(&store).args(["show", "--meta", &id]))).unwrap();
    assert_eq!(meta["http"]["status"], 404);
    assert_eq!(meta["flag"], "HTTP 404 Not Found");
    // `log DOC` shows it as what it is, with its status, under the versions
    // (it has none); `log DOC --captures` names the flag beside it.
    let log = stdout_ok(vellum(&store).args(["log", "gone"]));
    let flagged = log
        .lines()
        .find(|l| l.contains(&id[..12]))
        .unwrap_or_else(|| panic!("{log}"));
    assert!(flagged.contains("HTTP 404 Not Found"), "{log}");
    assert!(log.contains("flagged captures"), "{log}");
    let captures = stdout_ok(vellum(&store).args(["log", "gone", "--captures"]));
    assert!(
        captures.contains("(flagged: HTTP 404 Not Found)"),
        "{captures}"
    );

    let started = std::time::Instant::now();
    let out = vellum(&store)
        .args(["add", "--timeout", "1", &srv.url("/slow")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no answer within 1 s"),
        "{:?}",
        out
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // Nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = vellum(&store)
        .args(["add", &format!("http://127.0.0.1:{port}/x")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("check the URL"),
        "{out:?}"
    );
}

#[test]
fn thin_pages_are_archived_flagged() {
    let wall = "<html><head><title>Before you continue</title></head><body>\
                <div class=consent><p>We use cookies and data to deliver our services.</p>\
                <button>Accept all</button></div></body></html>";
    let srv = Server::start(vec![("/wall", Box::new(move |_| ok("text/html", wall)))]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let out = vellum(&store)
        .args(["add", "--doc", "walled", &srv.url("/wall")])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("warning: walled:"), "{err}");
    let line = String::from_utf8(out.stdout).unwrap();
    let id = line.split_whitespace().nth(1).unwrap().to_owned();
    let meta: serde_json::Value =
        serde_json::from_str(&stdout_ok(vellum(&store).args(["show", "--meta", &id]))).unwrap();
    assert!(meta["flag"].as_str().is_some(), "{meta}");
    // A consent wall is never the document's text: it is no version.
    let shown = vellum(&store).args(["show", "walled"]).output().unwrap();
    assert_eq!(shown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&shown.stderr).contains("only flagged captures"));
    let listed = stdout_ok(vellum(&store).args(["log", "walled", "--captures"]));
    assert!(listed.contains(&id[..12]), "{listed}");
}

#[test]
fn saved_files_and_stdin() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let page = tmp.path().join("saved.htm");
    std::fs::write(&page, article_page("Saved", &[para(70, "saved")])).unwrap();
    let out = stdout_ok(vellum(&store).args(["add"]).arg(&page));
    assert!(out.starts_with("saved@1 "), "{out}");
    let text = stdout_ok(vellum(&store).args(["show", "saved"]));
    assert!(text.starts_with("Saved\n\nsaved0"), "{text}");
    // A Markdown file with <u> inside stays text, byte for byte.
    let md = "# Notes\n\nSome <u>underlined</u> words.\n";
    let out = stdout_ok(
        vellum(&store)
            .args(["add", "-", "--doc", "notes"])
            .write_stdin(md),
    );
    assert!(out.starts_with("notes@1 "));
    assert_eq!(stdout_ok(vellum(&store).args(["show", "notes"])), md);
    // --type html on stdin; --encoding overrides detection.
    let out = stdout_ok(
        vellum(&store)
            .args(["extract", "-", "--type", "html"])
            .write_stdin(format!("<p>{}</p>", para(50, "frag"))),
    );
    assert!(out.starts_with("frag0"), "{out}");
    let ru = include_bytes!("fixtures/encodings/windows-1251.txt").to_vec();
    let out = stdout_ok(
        vellum(&store)
            .args(["extract", "-", "--encoding", "koi8-r"])
            .write_stdin(ru.clone()),
    );
    assert!(!out.contains("Городской"));
    let out = stdout_ok(
        vellum(&store)
            .args(["extract", "-", "--encoding", "cp1251"])
            .write_stdin(ru),
    );
    assert!(out.starts_with("Городской совет"), "{out}");
    let out = vellum(&store)
        .args(["extract", "-", "--encoding", "klingon"])
        .write_stdin("x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown encoding"));
    // Binary input has nothing to extract.
    let out = vellum(&store)
        .args(["extract", "-"])
        .write_stdin(b"%PDF-1.7 \x00\x01".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("binary"));
}

#[test]
fn brotli_is_decoded() {
    // tests/fixtures/web/page.html.br: 20 paragraphs "Paragraph N of a page sent with
    // Content-Encoding br…", compressed with Python's brotli package.
    let br = include_bytes!("fixtures/web/page.html.br").to_vec();
    let srv = Server::start(vec![(
        "/br",
        Box::new(move |_| Answer {
            headers: vec![
                ("Content-Type".into(), "text/html".into()),
                ("Content-Encoding".into(), "br".into()),
            ],
            ..ok("", br.clone())
        }),
    )]);
    let out = stdout_ok(
        vellum(&std::path::PathBuf::from("/nonexistent")).args(["extract", &srv.url("/br")]),
    );
    assert!(
        out.starts_with("Brotli page\n\nParagraph 0 of a page"),
        "{out}"
    );
    assert!(out.contains("Paragraph 19 of a page"), "{out}");
    let head = srv.requests.lock().unwrap()[0].to_ascii_lowercase();
    assert!(
        head.contains("accept-encoding:") && head.contains("br"),
        "{head}"
    );
}

#[test]
fn the_size_cap_holds_after_decompression() {
    // 64 MiB of spaces gzip to about 64 KiB: a decompression bomb.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"<html><body><p>").unwrap();
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..64 {
        gz.write_all(&chunk).unwrap();
    }
    let bomb = gz.finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let plain = vec![b'x'; 300_000];
    let srv = Server::start(vec![
        (
            "/bomb",
            Box::new(move |_| Answer {
                headers: vec![
                    ("Content-Type".into(), "text/html".into()),
                    ("Content-Encoding".into(), "gzip".into()),
                ],
                ..ok("", bomb.clone())
            }),
        ),
        ("/big", Box::new(move |_| ok("text/plain", plain.clone()))),
    ]);
    let cfg = vellum::fetch::FetchConfig {
        max_bytes: 200_000,
        ..Default::default()
    };
    for path in ["/bomb", "/big"] {
        let url = url::Url::parse(&srv.url(path)).unwrap();
        match vellum::fetch::fetch(&url, &cfg) {
            Err(vellum::fetch::FetchError::TooLarge { limit, .. }) => assert_eq!(limit, 200_000),
            other => panic!("{path}: {:?}", other.map(|f| f.body.len())),
        }
    }
    // Under the cap, the same client reads it whole.
    let url = url::Url::parse(&srv.url("/big")).unwrap();
    let f = vellum::fetch::fetch(&url, &vellum::fetch::FetchConfig::default()).unwrap();
    assert_eq!(f.body.len(), 300_000);
}

#[test]
fn fetched_pages_export_as_response_records_and_import_back_the_same() {
    let page = article_page("Story", &[para(60, "alpha"), para(30, "beta")]);
    let srv = Server::start(vec![(
        "/news/story",
        Box::new(move |_| ok("text/html; charset=utf-8", page.clone())),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    stdout_ok(vellum(&store).args(["add", &srv.url("/news/story")]));
    let warc = tmp.path().join("out.warc.gz");
    vellum(&store)
        .args(["export", "--warc"])
        .arg(&warc)
        .assert()
        .success();
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&warc).unwrap()),
        &mut text,
    )
    .unwrap();
    assert!(text.contains("WARC-Type: response\r\n"), "{text}");
    assert!(text.contains("HTTP/1.1 200"), "{text}");
    let ids = |s: &std::path::Path| {
        let mut v: Vec<String> = stdout_ok(vellum(s).args(["log", "--json"]))
            .lines()
            .map(|l| {
                let d: serde_json::Value = serde_json::from_str(l).unwrap();
                stdout_ok(vellum(s).args([
                    "log",
                    d["doc"].as_str().unwrap(),
                    "--captures",
                    "--json",
                ]))
            })
            .collect();
        v.sort();
        v
    };
    let back = tmp.path().join("back");
    vellum(&back).arg("import").arg(&warc).assert().success();
    assert_eq!(
        ids(&back),
        ids(&store),
        "same documents, capture ids and versions"
    );
}

/// The catalog maps canonical URLs to documents: however an article's URL is
/// decorated (trackers, fragment, a redirect, a saved copy), and even when
/// its first capture was named with `--doc`, it lands in one document; a
/// different article never does; `reindex` keeps the map.
#[test]
fn one_document_per_canonical_url() {
    let story = article_page("Story", &[para(60, "alpha"), para(40, "beta")]);
    let other = format!(
        "<!DOCTYPE html><html><head><title>Other</title></head><body><article><h1>Other</h1>\
         <p>{}</p></article></body></html>",
        para(80, "other")
    );
    let saved = story.clone();
    let srv = Server::start(vec![
        (
            "/news/story",
            Box::new(move |_| ok("text/html; charset=utf-8", story.clone())),
        ),
        ("/short/s1", Box::new(|_| redirect(301, "/news/story"))),
        (
            "/news/other",
            Box::new(move |_| ok("text/html; charset=utf-8", other.clone())),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc_of = |out: &str| out.split('@').next().unwrap().to_owned();
    let first = stdout_ok(vellum(&store).args([
        "add",
        "--doc",
        "the-story",
        &srv.url("/news/story?utm_source=twitter#comments"),
    ]));
    assert!(first.starts_with("the-story@1 "), "{first}");
    let page = tmp.path().join("page.html");
    std::fs::write(&page, saved).unwrap();
    let urls = [
        srv.url("/news/story?fbclid=x"),
        srv.url("/short/s1"),
        srv.url("/NEWS/../news/story#top"),
    ];
    let check = |label: &str| {
        for u in &urls {
            let out = stdout_ok(vellum(&store).args(["add", u]));
            assert_eq!(doc_of(&out), "the-story", "{label}: {u}: {out}");
        }
        let out = stdout_ok(
            vellum(&store)
                .args(["add", "--url", &srv.url("/news/story?utm_medium=mail")])
                .arg(&page),
        );
        assert_eq!(doc_of(&out), "the-story", "{label}: saved page: {out}");
        let out = stdout_ok(vellum(&store).args(["add", &srv.url("/news/other?utm_source=x")]));
        let other_doc = doc_of(&out);
        assert_ne!(other_doc, "the-story", "{label}: another article merged");
        other_doc
    };
    let other_doc = check("before reindex");
    stdout_ok(vellum(&store).args(["reindex"]));
    assert_eq!(check("after reindex"), other_doc);
    let docs = stdout_ok(vellum(&store).args(["log", "--json"]));
    assert_eq!(docs.lines().count(), 2, "{docs}");
    // --doc still overrides, with a warning.
    let out = vellum(&store)
        .args(["add", "--doc", "elsewhere", &srv.url("/news/other")])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("elsewhere@1 "));
}

#[test]
fn similar_takes_a_url_in_any_case_of_its_scheme() {
    let story = article_page("Story", &[para(60, "alpha"), para(40, "beta")]);
    let srv = Server::start(vec![(
        "/news/story",
        Box::new(move |_| ok("text/html; charset=utf-8", story.clone())),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let url = srv.url("/news/story");
    stdout_ok(vellum(&store).args(["add", "--doc", "the-story", &url]));
    for given in [url.clone(), url.replacen("http://", "HTTP://", 1)] {
        let out = stdout_ok(vellum(&store).args(["similar", &given, "--json"]));
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["query"]["doc"], "the-story", "{given}: {v}");
    }
}

#[test]
fn a_flagged_capture_never_titles_its_document() {
    let story = article_page("Story", &[para(60, "alpha"), para(40, "beta")]);
    let srv = Server::start(vec![(
        "/news/story",
        Box::new(move |n| match n {
            0 => ok("text/html; charset=utf-8", story.clone()),
            _ => Answer {
                status: 404,
                ..ok(
                    "text/html",
                    "<html><head><title>Error response</title></head><body><p>Not found</p></body></html>",
                )
            },
        }),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let url = srv.url("/news/story");
    stdout_ok(vellum(&store).args(["add", "--doc", "the-story", &url]));
    stdout_ok(vellum(&store).args(["add", "--keep-errors", "--doc", "the-story", &url]));
    let out = stdout_ok(vellum(&store).args(["log", "--json"]));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        (v["doc"].as_str(), v["captures"].as_u64()),
        (Some("the-story"), Some(2))
    );
    assert_eq!(v["title"], "Story", "{v}");
}

#[test]
fn diff_reads_files_and_standard_input_as_add_does() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let page = tmp.path().join("page.html");
    let html = article_page("Story", &[para(60, "alpha"), para(40, "beta")]);
    std::fs::write(&page, &html).unwrap();
    let latin1 = tmp.path().join("latin1.txt");
    std::fs::write(&latin1, b"Un caf\xe9 cr\xe8me, br\xfbl\xe9e.\n").unwrap();
    stdout_ok(vellum(&store).args(["add", "--doc", "story"]).arg(&page));
    stdout_ok(vellum(&store).args(["add", "--doc", "latin"]).arg(&latin1));
    // The same page against its archived text: no differences.
    vellum(&store)
        .args(["diff", "story@1"])
        .arg(&page)
        .assert()
        .code(0);
    vellum(&store)
        .args(["diff", "story", "-"])
        .write_stdin(html.clone())
        .assert()
        .code(0);
    vellum(&store)
        .arg("diff")
        .arg(&latin1)
        .arg("latin")
        .assert()
        .code(0);
    // --type text reads the page as text: its markup then differs.
    vellum(&store)
        .args(["diff", "--type", "text", "story"])
        .arg(&page)
        .assert()
        .code(1);
    // --encoding as for add: read as windows-1251 the bytes differ.
    vellum(&store)
        .args(["diff", "--encoding", "windows-1251", "latin"])
        .arg(&latin1)
        .assert()
        .code(1);
}
