//! `vellum serve` over HTTP: a server on an ephemeral loopback port, on a
//! copy of the sample store plus a hostile document. Each page kind, the
//! escaping of archived text, the security and caching headers, 304, 405,
//! 404/400, and the loopback rule.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::http::{agent, get};
use common::*;

/// Archived text that tries to run script, leave an attribute and reverse
/// what the reader sees.
const HOSTILE: &str = "Breaking <script>document.title='pwned'</script> news.\n\n\
A quote \"><img src=x onerror=\"document.body.appendChild(document.createElement('h6'))\"> here.\n\n\
Price \u{202e}0.01$ reversed.\n";
const HOSTILE_2: &str = "Breaking <script>document.title='pwned'</script> news, updated.\n\n\
A quote \"><img src=x onerror=\"document.body.appendChild(document.createElement('h6'))\"> here.\n\n\
Price \u{202e}0.01$ reversed.\n\n<iframe src=javascript:alert(1)></iframe> added.\n";

/// A running `vellum serve`, stopped when dropped.
/// The sample store plus `hostile` (two versions) with a hostile title and URL.
fn store_with_hostile() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, store) = sample_copy();
    for (i, text) in [HOSTILE, HOSTILE_2].iter().enumerate() {
        let f = tmp.path().join(format!("h{i}.md"));
        std::fs::write(&f, text).unwrap();
        let out = vellum(&store)
            .args(["add", "--doc", "hostile", "--at"])
            .arg(format!("2020-01-0{}T00:00:00Z", i + 1))
            .args(["--title", "\"><script>document.title='t'</script>\u{202e}"])
            .args(["--source", "<b>evil</b>"])
            .args(["--url", "https://evil.example/a?\"><script>x</script>"])
            .arg(&f)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    (tmp, store)
}

/// No tag or attribute came from archived text: the only `<script` is ours.
fn assert_escaped(body: &str) {
    let scripts: Vec<_> = body.match_indices("<script").collect();
    assert!(
        scripts.len() <= 1
            && body.matches("<script src=\"/static/keys.js\"").count() == scripts.len(),
        "a script tag from archived text: {body}"
    );
    for bad in [
        "<img",
        "<iframe",
        "onerror=\"",
        "<b>evil",
        "\u{202e}",
        "href=\"javascript:",
    ] {
        assert!(!body.contains(bad), "{bad:?} reached the page: {body}");
    }
}

#[test]
fn every_page_kind_renders_escaped_with_strict_headers() {
    let (_tmp, store) = store_with_hostile();
    let s = start_serve(&store, &[]);
    let pages = [
        format!("{}/", s.base),
        format!("{}/doc/hostile", s.base),
        format!("{}/doc/hostile/2", s.base),
        format!("{}/diff?a=hostile@1&b=hostile@2", s.base),
        format!("{}/diff?a=hostile@1&b=hostile@2&view=side", s.base),
        format!("{}/doc/{PAIR_DOC}", s.base),
        format!(
            "{}/diff?a={PAIR_DOC}@1&b={PAIR_DOC}@2&ignore-typography=1",
            s.base
        ),
    ];
    for url in &pages {
        let g = get(url, &[]);
        assert_eq!(g.status, 200, "{url}: {}", g.text());
        assert!(g.header("content-type").starts_with("text/html"), "{url}");
        assert_eq!(
            g.header("content-security-policy"),
            vellum::web::http::CSP,
            "{url}"
        );
        assert!(vellum::web::http::CSP.contains("default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'"));
        assert_eq!(g.header("x-content-type-options"), "nosniff");
        assert_eq!(g.header("referrer-policy"), "no-referrer");
        assert!(!g.header("etag").is_empty(), "{url} revalidates");
        assert!(
            !g.text().contains("style=\""),
            "{url}: inline style breaks the CSP"
        );
        assert_escaped(&g.text());
    }
    // What each page shows.
    let index = get(&pages[0], &[]).text();
    assert!(
        index.contains("href=\"/doc/us-coalition-isis-deal\"") && index.contains("&lt;script&gt;")
    );
    let timeline = get(&pages[1], &[]).text();
    assert!(timeline.contains("<svg class=\"chart\""), "chart");
    assert!(
        timeline.contains("href=\"/doc/hostile/2\"")
            && timeline.contains("/diff?a=hostile%401&amp;b=hostile%402")
    );
    assert!(
        timeline.contains("&lt;b&gt;evil&lt;/b&gt;"),
        "source escaped"
    );
    assert!(timeline.contains("class=\"kind\""), "change kinds");
    let version = get(&pages[2], &[]).text();
    assert!(version.contains("⟨U+202E⟩"), "bidi override shown visibly");
    assert!(version.contains("&lt;iframe src=javascript:alert(1)&gt;"));
    assert!(version.contains("✓ intact"), "verify status");
    assert!(version.contains("/capture/") && version.contains("/raw\" download"));
    let inline = get(&pages[3], &[]).text();
    assert!(inline.contains("<ins") && inline.contains("src=\"/static/keys.js\""));
    assert!(inline.contains("ignore-case=1"), "toggles are links");
    let side = get(&pages[4], &[]).text();
    assert!(side.contains("class=\"sbs\"") && side.contains("<div class=\"old\">"));
    let pair = get(&pages[6], &[]).text();
    assert!(pair.contains("troops"), "{pair}");
    assert!(pair.contains("aria-pressed=\"true\">☑ ignore typography"));
}

#[test]
fn raw_evidence_is_an_immutable_plain_text_download() {
    let (_tmp, store) = store_with_hostile();
    let s = start_serve(&store, &[]);
    let version = get(&format!("{}/doc/hostile/1", s.base), &[]).text();
    let at = version.find("/capture/").unwrap();
    let id = &version[at + 9..at + 9 + 64];
    let raw = get(&format!("{}/capture/{id}/raw", s.base), &[]);
    assert_eq!(raw.status, 200);
    assert_eq!(raw.text(), HOSTILE, "the bytes as received");
    assert!(raw.header("content-type").starts_with("text/plain"));
    assert!(raw.header("content-disposition").starts_with("attachment"));
    assert_eq!(raw.header("x-content-type-options"), "nosniff");
    assert_eq!(
        raw.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let text = get(&format!("{}/capture/{id}/text", s.base), &[]);
    assert_eq!((text.status, text.text().as_str()), (200, HOSTILE));
    assert!(text.header("cache-control").contains("immutable"));
    // A prefix could come to name another capture: not immutable, refused.
    let short = get(&format!("{}/capture/{}/raw", s.base, &id[..12]), &[]);
    assert_eq!(short.status, 400);
    let unknown = get(&format!("{}/capture/{}/raw", s.base, "0".repeat(64)), &[]);
    assert_eq!(unknown.status, 404, "{}", unknown.text());
}

#[test]
fn unchanged_pages_answer_304_to_their_etag() {
    // (The bundled store's catalog is an older schema's: the server reads a
    // copy rebuilt in memory until the write below upgrades it on disk.)
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    for path in [
        "/",
        &format!("/doc/{PAIR_DOC}"),
        &format!("/doc/{PAIR_DOC}/2"),
        &format!("/diff?a={PAIR_DOC}@1&b={PAIR_DOC}@2"),
        "/static/style.css",
    ] {
        let url = format!("{}{path}", s.base);
        let first = get(&url, &[]);
        let tag = first.header("etag").to_owned();
        assert!(tag.starts_with('"'), "{path}");
        let again = get(&url, &[("If-None-Match", &tag)]);
        assert_eq!(again.status, 304, "{path}");
        assert!(again.text().is_empty());
        let other = get(&url, &[("If-None-Match", "\"something-else\"")]);
        assert_eq!(other.status, 200, "{path}");
    }
    // A new capture changes the document's pages, so their tags change.
    let url = format!("{}/doc/{PAIR_DOC}", s.base);
    let before = get(&url, &[]).header("etag").to_owned();
    let f = store.parent().unwrap().join("new.md");
    std::fs::write(&f, "A wholly new text.\n").unwrap();
    add(&store, &f, PAIR_DOC, "2019-03-01T00:00:00Z");
    let after = get(&url, &[("If-None-Match", &before)]);
    assert_eq!(after.status, 200, "a changed page is sent again");
    assert!(after.text().contains("@3"));
}

#[test]
fn only_get_and_head_are_answered() {
    let (_tmp, store) = sample_copy();
    let before = listing(&store);
    let s = start_serve(&store, &[]);
    for path in ["/", "/doc/us-coalition-isis-deal", "/nowhere", "/diff"] {
        let url = format!("{}{path}", s.base);
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let req = ureq::http::Request::builder()
                .method(method)
                .uri(&url)
                .body(())
                .unwrap();
            let res = agent().run(req).unwrap();
            assert_eq!(res.status().as_u16(), 405, "{method} {path}");
            assert_eq!(res.headers().get("allow").unwrap(), "GET, HEAD");
        }
    }
    let mut head = agent().head(format!("{}/", s.base)).call().unwrap();
    assert_eq!(head.status().as_u16(), 200);
    assert_eq!(head.body_mut().read_to_string().unwrap_or_default(), "");
    let keys = get(&format!("{}/static/keys.js", s.base), &[]);
    assert!(keys.header("content-type").starts_with("text/javascript"));
    assert!(keys.text().contains("keydown"), "the n/p script");
    let css = get(&format!("{}/static/style.css", s.base), &[]);
    assert!(css.header("content-type").starts_with("text/css"));
    drop(s);
    assert_eq!(
        listing(&store),
        before,
        "serving changed nothing in the store"
    );
}

#[test]
fn bad_and_unknown_addresses_are_404_or_400_pages() {
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    for (path, status) in [
        ("/nowhere", 404),
        ("/doc/no-such-doc", 404),
        ("/doc/NOT%20A%20NAME", 400),
        ("/doc/us-coalition-isis-deal/99", 404),
        ("/doc/us-coalition-isis-deal/0", 400),
        ("/doc/us-coalition-isis-deal/x%3Cscript%3E", 400),
        ("/diff?a=us-coalition-isis-deal@1", 400),
        ("/diff?a=%3Cscript%3E&b=x", 400),
        ("/diff?a=nope@1&b=us-coalition-isis-deal@1", 404),
        ("/capture/zz/raw", 400),
    ] {
        let g = get(&format!("{}{path}", s.base), &[]);
        assert_eq!(g.status, status, "{path}: {}", g.text());
        assert!(
            g.text().contains("<p class=\"error\">"),
            "{path}: a page with a message"
        );
        assert!(!g.text().contains("<script>"), "{path}");
        assert_eq!(g.header("content-security-policy"), vellum::web::http::CSP);
    }
    // The server is still up.
    assert_eq!(get(&format!("{}/", s.base), &[]).status, 200);
}

#[test]
fn loopback_only_unless_allowed_and_then_with_a_warning() {
    let (_tmp, store) = sample_copy();
    let out = vellum(&store)
        .args(["serve", "--addr", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--allow-remote"), "{err}");
    let bad = vellum(&store)
        .args(["serve", "--addr", "nonsense"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let missing = vellum(&store.join("nope"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(
        missing.status.code(),
        Some(2),
        "no store: an error, not a server"
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_vellum"))
        .arg("--store")
        .arg(&store)
        .args(["serve", "--addr", "0.0.0.0:0", "--allow-remote", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let mut warning = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut warning)
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let j: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert!(
        j["addr"].as_str().unwrap().starts_with("0.0.0.0:"),
        "{line}"
    );
    assert!(warning.contains("warning"), "{warning}");
}

#[test]
fn search_finds_text_with_escaped_snippets_and_version_links() {
    let (_tmp, store) = store_with_hostile();
    let s = start_serve(&store, &[]);
    let g = get(&format!("{}/search?q=troops", s.base), &[]);
    assert_eq!(g.status, 200, "{}", g.text());
    assert!(g.text().contains("<mark>"), "matches marked: {}", g.text());
    assert!(
        g.text().contains("href=\"/doc/us-coalition-isis-deal/2\""),
        "{}",
        g.text()
    );
    assert!(!g.header("etag").is_empty());
    let h = get(&format!("{}/search?q=pwned&all=1", s.base), &[]);
    assert_eq!(h.status, 200, "{}", h.text());
    assert!(h.text().contains("href=\"/doc/hostile"), "{}", h.text());
    assert_escaped(&h.text());
    let empty = get(&format!("{}/search?q=", s.base), &[]);
    assert!(empty.status == 200 && empty.text().contains("name=\"q\""));
    assert_eq!(
        get(&format!("{}/search?q=x&doc=Bad%20Name", s.base), &[]).status,
        400
    );
    assert_eq!(
        get(&format!("{}/search?q=x&doc=no-such-doc", s.base), &[]).status,
        404
    );
    // The header of every page has the search box.
    assert!(
        get(&format!("{}/", s.base), &[])
            .text()
            .contains("<form action=\"/search\"")
    );
}
