//! The monitor (`recheck`, `schedule`, `watch` rounds, `log --checks`,
//! notifications) against HTTP servers on 127.0.0.1 whose pages change
//! between requests; webhook receivers are local servers too.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::server::{Answer, Server, ok};
use common::{json_lines, rss, stdout_of, vellum};
use serde_json::Value;

fn page(text: &str) -> Vec<u8> {
    let words: Vec<String> = (0..80).map(|i| format!("{text}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{text}</title></head><body>\
         <article><h1>{text}</h1><p>{}.</p></article></body></html>",
        words.join(" ")
    )
    .into_bytes()
}

fn html(body: Vec<u8>) -> Answer {
    ok("text/html; charset=utf-8", body)
}

fn status(code: u16) -> Answer {
    Answer {
        status: code,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>Not here</body></html>".to_vec(),
        delay: Duration::ZERO,
    }
}

/// Archives `url` with `add`; returns its document name.
fn add(store: &Path, url: &str) -> String {
    let out = stdout_of(vellum(store).args(["add", "--json", url]));
    let v: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    v["doc"].as_str().unwrap().to_owned()
}

/// `recheck ARGS --delay 0 --json`: exit code, JSON lines, stderr.
fn recheck(store: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Vec<Value>, String) {
    json_lines(
        vellum(store)
            .args(["recheck", "--delay", "0", "--json"])
            .args(args)
            .envs(env.iter().copied()),
    )
}

fn outcomes(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l["outcome"].as_str().unwrap().to_owned())
        .collect()
}

/// A time `minutes` from now, for `VELLUM_NOW`.
fn in_minutes(minutes: i64) -> String {
    let t = time::OffsetDateTime::now_utc() + time::Duration::minutes(minutes);
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

/// A webhook receiver: answers each request by how many came before
/// (status, delay before answering) and keeps each head and body.
struct Receiver {
    url: String,
    got: Received,
}

/// Each request's head and body, in order.
type Received = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn receiver(answer: impl Fn(usize) -> (u16, Duration) + Send + Sync + 'static) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let got: Received = Arc::default();
    let (g, answer) = (got.clone(), Arc::new(answer));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let (g, answer) = (g.clone(), answer.clone());
            std::thread::spawn(move || {
                let mut head = Vec::new();
                let mut b = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && s.read(&mut b).unwrap_or(0) == 1 {
                    head.push(b[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let len: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                let mut body = vec![0; len];
                let _ = s.read_exact(&mut body);
                let n = {
                    let mut g = g.lock().unwrap();
                    g.push((head, body));
                    g.len() - 1
                };
                let (code, delay) = answer(n);
                std::thread::sleep(delay);
                let _ = write!(
                    s,
                    "HTTP/1.1 {code} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                );
            });
        }
    });
    Receiver { url, got }
}

impl Receiver {
    fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, b)| serde_json::from_slice(b).unwrap())
            .collect()
    }
}

#[test]
fn an_edited_page_gives_one_version_and_one_signed_notification_an_unchanged_one_a_sighting() {
    let srv = Server::start(vec![(
        "/a",
        Box::new(|n| html(page(if n < 2 { "one" } else { "two" }))),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc = add(&store, &srv.url("/a"));
    let hook = receiver(|_| (200, Duration::ZERO));
    // Minutes apart, as checks are (the same bytes in the same second are
    // the same capture).
    let (t1, t2) = (in_minutes(15), in_minutes(45));
    let env = [
        ("VELLUM_NOTIFY_SECRET", "s3cret"),
        ("VELLUM_NOW", t1.as_str()),
    ];
    let (code, lines, err) = recheck(&store, &[&doc, "--notify", &hook.url], &env);
    assert_eq!(
        (code, outcomes(&lines)),
        (0, vec!["unchanged".to_owned()]),
        "{err}"
    );
    assert_eq!(lines[0]["capture"]["status"], "unchanged", "a sighting");
    assert!(hook.got.lock().unwrap().is_empty(), "no notification");
    let env = [
        ("VELLUM_NOTIFY_SECRET", "s3cret"),
        ("VELLUM_NOW", t2.as_str()),
    ];
    let args = [
        doc.as_str(),
        "--notify",
        &hook.url,
        "--base-url",
        "http://vellum.test/",
    ];
    let (code, lines, err) = recheck(&store, &args, &env);
    assert_eq!(
        (code, outcomes(&lines)),
        (0, vec!["changed".to_owned()]),
        "{err}"
    );
    let capture = lines[0]["capture"]["capture"].as_str().unwrap().to_owned();
    assert_eq!(lines[0]["capture"]["version"], 2);
    let got = hook.got.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "one notification");
    let (head, body) = &got[0];
    let n: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(n["event"], "changed");
    assert_eq!(n["doc"], doc.as_str());
    assert_eq!(n["capture"], capture.as_str());
    assert_eq!(n["version"], 2);
    assert!(n["previous_capture"].is_string());
    assert_eq!(
        n["diff_url"].as_str().unwrap(),
        format!(
            "http://vellum.test/diff?a={}&b={capture}",
            n["previous_capture"].as_str().unwrap()
        )
    );
    assert!(n["words"]["added"].as_u64().unwrap() > 0);
    assert!(n["excerpt"].as_str().unwrap().contains("{+two"), "{n}");
    let score = n["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score) && !n["reasons"].as_array().unwrap().is_empty());
    assert!(
        head.contains(&format!("X-Vellum-Id: {}", n["id"].as_str().unwrap()))
            || head
                .to_ascii_lowercase()
                .contains(&format!("x-vellum-id: {}", n["id"].as_str().unwrap())),
        "{head}"
    );
    let sig = vellum::monitor::notify::sign(b"s3cret", body);
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("x-vellum-signature: sha256={sig}")),
        "{head}"
    );
    // Two versions, three captures (the sighting), two checks.
    let caps = stdout_of(vellum(&store).args(["log", &doc, "--captures", "--json"]));
    assert_eq!(caps.lines().count(), 3);
    let checks = stdout_of(vellum(&store).args(["log", &doc, "--checks", "--json"]));
    let checks: Vec<Value> = checks
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outcomes(&checks), ["unchanged", "changed"]);
    assert_eq!(
        (checks[0]["version"].as_u64(), checks[1]["version"].as_u64()),
        (Some(1), Some(2))
    );
    // -n keeps the most recent checks, --reverse or not (as for versions).
    for flags in [&["-n", "1"][..], &["-n", "1", "--reverse"]] {
        let last = stdout_of(
            vellum(&store)
                .args(["log", &doc, "--checks", "--json"])
                .args(flags),
        );
        let last: Value = serde_json::from_str(last.trim()).unwrap();
        assert_eq!(last["outcome"], "changed", "{flags:?}");
    }
    // Check records raise the store's format; it verifies.
    let marker = std::fs::read_to_string(store.join("VELLUM")).unwrap();
    assert!(marker.contains("format 5"), "{marker}"); // 4 for the checks, 5 for the compact packs
    vellum(&store).arg("verify").assert().success();
}

#[test]
fn a_304_downloads_nothing_a_404_is_told_once_and_the_page_comes_back() {
    let srv = Server::start(vec![(
        "/a",
        Box::new(|n| match n {
            0 => {
                let mut a = html(page("one"));
                a.headers.push(("ETag".into(), "\"v1\"".into()));
                a
            }
            1 => Answer {
                status: 304,
                headers: vec![("ETag".into(), "\"v1\"".into())],
                body: Vec::new(),
                delay: Duration::ZERO,
            },
            2 | 3 => status(404),
            _ => html(page("one")),
        }),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc = add(&store, &srv.url("/a"));
    let file = tmp.path().join("told.jsonl");
    let cmd = format!("cat >> '{}'; echo >> '{}'", file.display(), file.display());
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (code, lines, err) = recheck(&store, &[&doc, "--notify-command", &cmd], &[]);
        assert_eq!(code, 0, "{err}");
        seen.extend(outcomes(&lines));
    }
    assert_eq!(seen, ["not-modified", "gone", "gone", "unchanged"]);
    let heads = srv.requests.lock().unwrap().clone();
    let second = heads
        .iter()
        .filter(|h| h.starts_with("GET /a"))
        .nth(1)
        .unwrap();
    assert!(
        second
            .to_ascii_lowercase()
            .contains("if-none-match: \"v1\""),
        "{second}"
    );
    let told = std::fs::read_to_string(&file).unwrap();
    let told: Vec<Value> = told
        .lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(told.len(), 1, "the page taken down is told once: {told:?}");
    assert_eq!(
        (told[0]["event"].as_str(), told[0]["status"].as_u64()),
        (Some("gone"), Some(404))
    );
    // A 304 and a 404 are checks, never versions.
    let versions = stdout_of(vellum(&store).args(["log", &doc, "--json"]));
    assert_eq!(versions.lines().count(), 1);
}

#[test]
fn a_flip_flop_is_archived_but_not_notified_and_a_slow_host_fails_the_check_not_the_round() {
    let srv = Server::start(vec![
        (
            "/a",
            Box::new(|n| html(page(["one", "two", "one"][n.min(2)]))),
        ),
        (
            "/slow",
            Box::new(|n| Answer {
                delay: if n == 0 {
                    Duration::ZERO
                } else {
                    Duration::from_secs(4)
                },
                ..html(page("slow"))
            }),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc = add(&store, &srv.url("/a"));
    let slow = add(&store, &srv.url("/slow"));
    let file = tmp.path().join("told.jsonl");
    let cmd = format!("cat >> '{}'; echo >> '{}'", file.display(), file.display());
    let (_, a, _) = recheck(&store, &[&doc, "--notify-command", &cmd], &[]);
    // Minutes later: the same bytes in the same second would be the same
    // capture as the first.
    let (code, b, err) = recheck(
        &store,
        &[&doc, &slow, "--timeout", "1", "--notify-command", &cmd],
        &[("VELLUM_NOW", &in_minutes(30))],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(outcomes(&a), ["changed"]);
    assert_eq!(outcomes(&b), ["changed", "failed"]);
    assert_eq!(b[0]["returns_to"], 1);
    assert_eq!(b[0]["notable"], false);
    let told = std::fs::read_to_string(&file).unwrap();
    assert_eq!(told.lines().filter(|l| !l.is_empty()).count(), 1, "{told}");
    // Three versions: A, B, A.
    let versions = stdout_of(vellum(&store).args(["log", &doc, "--json"]));
    assert_eq!(versions.lines().count(), 3);
}

#[test]
fn a_failing_receiver_is_retried_and_a_kill_during_delivery_loses_no_message() {
    let srv = Server::start(vec![(
        "/a",
        Box::new(|n| html(page(if n == 0 { "one" } else { "two" }))),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc = add(&store, &srv.url("/a"));
    // First a failure (500), then a hang (the process is killed), then 200.
    let hook = receiver(|n| match n {
        0 => (500, Duration::ZERO),
        1 => (200, Duration::from_secs(30)),
        _ => (200, Duration::ZERO),
    });
    let (code, lines, err) = recheck(&store, &[&doc, "--notify", &hook.url], &[]);
    assert_eq!(
        (code, outcomes(&lines)),
        (0, vec!["changed".to_owned()]),
        "{err}"
    );
    assert!(err.contains("1 to retry"), "{err}");
    let pending = |dir: &Path| {
        std::fs::read_dir(dir.join("outbox"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "json")
            })
            .count()
    };
    assert_eq!(pending(&store), 1);
    // The retry is due after its backoff: a run then delivers, and is killed
    // while the receiver has not answered.
    let mut child = common::vellum_process(&store)
        .args(["recheck", "--delay", "0", &doc, "--notify", &hook.url])
        .env("VELLUM_NOW", in_minutes(5))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..300 {
        if hook.got.lock().unwrap().len() >= 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        hook.got.lock().unwrap().len(),
        2,
        "the retry reached the receiver"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        pending(&store),
        1,
        "a message not acknowledged stays in the outbox"
    );
    let (code, _, err) = recheck(
        &store,
        &[&doc, "--notify", &hook.url],
        &[("VELLUM_NOW", &in_minutes(10))],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(pending(&store), 0);
    let bodies = hook.bodies();
    assert_eq!(bodies.len(), 3);
    let ids: std::collections::BTreeSet<&str> =
        bodies.iter().map(|b| b["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "the same message each time, by id");
}

#[test]
fn schedule_shows_pauses_and_fixes_and_recheck_due_follows_it() {
    let srv = Server::start(vec![
        ("/a", Box::new(|_| html(page("one")))),
        ("/b", Box::new(|_| html(page("bee")))),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = add(&store, &srv.url("/a"));
    let b = add(&store, &srv.url("/b"));
    let list = stdout_of(vellum(&store).args(["schedule", "--json"]));
    let list: Vec<Value> = list
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(list.len(), 2);
    assert_eq!(
        (list[0]["interval"].as_i64(), list[0]["mode"].as_str()),
        (Some(900), Some("auto"))
    );
    let (_, none, _) = recheck(&store, &["--due"], &[]);
    assert!(none.is_empty(), "nothing due yet");
    vellum(&store)
        .args(["schedule", &b, "--pause"])
        .assert()
        .success();
    let (_, due, err) = recheck(&store, &["--due"], &[("VELLUM_NOW", &in_minutes(20))]);
    assert_eq!(
        due.iter()
            .map(|l| l["doc"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [a.as_str()],
        "{err}"
    );
    // After an unchanged check the interval doubles; a fixed one replaces it.
    let shown = stdout_of(vellum(&store).args(["schedule", &a, "--json"]));
    let shown: Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(
        (shown["interval"].as_i64(), shown["checks"].as_u64()),
        (Some(1800), Some(1))
    );
    vellum(&store)
        .args(["schedule", &a, "--every", "1d"])
        .assert()
        .success();
    vellum(&store)
        .args(["schedule", &b, "--resume"])
        .assert()
        .success();
    let (_, due, _) = recheck(&store, &["--due"], &[("VELLUM_NOW", &in_minutes(120))]);
    assert_eq!(
        due.iter()
            .map(|l| l["doc"].as_str().unwrap())
            .collect::<Vec<_>>(),
        [b.as_str()]
    );
    // Bad input: exit 2 with what to do.
    let out = vellum(&store)
        .args(["schedule", "--pause"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = vellum(&store)
        .args(["recheck", "nosuchdoc"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_second_monitor_is_refused_while_the_first_holds_the_lease() {
    let srv = Server::start(vec![("/a", Box::new(|_| html(page("one"))))]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    add(&store, &srv.url("/a"));
    let lease = vellum::monitor::Lease::acquire(&store).unwrap();
    let out = vellum(&store).args(["recheck", "--all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("another monitor"));
    drop(lease);
    let (code, lines, err) = recheck(&store, &["--all"], &[]);
    assert_eq!((code, lines.len()), (0, 1), "{err}");
}

#[test]
fn watch_checks_the_due_documents_after_its_feeds_and_lists_and_removes_feeds() {
    let srv = Server::start(vec![
        (
            "/feed",
            Box::new(|_| ok("application/rss+xml", rss(&["/a"]))),
        ),
        (
            "/a",
            Box::new(|n| html(page(if n == 0 { "one" } else { "two" }))),
        ),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let feed = srv.url("/feed");
    let run = |now: &str| {
        let out = vellum(&store)
            .args(["watch", "--once", "--delay", "0", "--json", &feed])
            .env("VELLUM_NOW", now)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let first = run(&in_minutes(0));
    assert_eq!(first.lines().count(), 1, "{first}");
    // The item is seen already; 20 minutes on, it is due and has changed.
    let second = run(&in_minutes(20));
    let lines: Vec<Value> = second
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(outcomes(&lines), ["changed"], "{second}");
    let listed = stdout_of(vellum(&store).args(["watch", "--list"]));
    assert_eq!(listed.trim(), feed);
    vellum(&store)
        .args(["watch", "--remove", &feed])
        .assert()
        .success();
    assert_eq!(
        stdout_of(vellum(&store).args(["watch", "--list"])).trim(),
        ""
    );
    let out = vellum(&store)
        .args(["watch", "--remove", &feed])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_records_are_pushed_with_the_captures_and_the_schedule_is_rebuilt_there() {
    let srv = Server::start(vec![("/a", Box::new(|_| html(page("one"))))]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let doc = add(&store, &srv.url("/a"));
    recheck(&store, &[&doc], &[]);
    let other = tmp.path().join("copy");
    vellum(&store).args(["push"]).arg(&other).assert().success();
    let checks = stdout_of(vellum(&other).args(["log", &doc, "--checks", "--json"]));
    assert_eq!(checks.lines().count(), 1);
    assert!(!other.join("outbox").exists() && !other.join("monitor.sqlite").exists());
    let shown = stdout_of(vellum(&other).args(["schedule", &doc, "--json"]));
    let shown: Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!(
        (shown["checks"].as_u64(), shown["interval"].as_i64()),
        (Some(1), Some(1800))
    );
}

/// GET over loopback: status and body.
fn http_get(url: &str) -> (u16, String) {
    let g = common::http::get(url, &[]);
    (g.status, g.text())
}

#[test]
fn serve_publishes_atom_feeds_of_changes_filtered_by_score() {
    let srv = Server::start(vec![
        (
            "/a",
            // A rewrite, then a one-word edit.
            Box::new(|n| {
                let two = String::from_utf8(page("two")).unwrap();
                html(match n {
                    0 => page("one"),
                    1 => two.into_bytes(),
                    _ => two.replace("two79", "edited").into_bytes(),
                })
            }),
        ),
        ("/b", Box::new(|_| html(page("bee")))),
    ]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("s");
    let a = add(&store, &srv.url("/a"));
    let b = add(&store, &srv.url("/b"));
    recheck(&store, &[&a], &[("VELLUM_NOW", &in_minutes(15))]);
    recheck(&store, &[&a], &[("VELLUM_NOW", &in_minutes(45))]);
    let serve = common::start_serve(&store, &[]);
    let (code, feed) = http_get(&format!("{}/changes.atom", serve.base));
    assert_eq!(code, 200, "{feed}");
    assert!(
        feed.starts_with("<?xml") && feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");
    assert!(
        feed.contains(&format!("{a} @2 → @3")),
        "newest first: {feed}"
    );
    assert!(feed.find("@2 → @3").unwrap() < feed.find("@1 → @2").unwrap());
    let (code, one) = http_get(&format!(
        // The significance scorer: the rewrite 0.99, the one-word edit in the
        // lead 0.70.
        "{}/doc/{a}/changes.atom?min_score=0.8",
        serve.base
    ));
    assert_eq!(code, 200);
    assert_eq!(one.matches("<entry>").count(), 1, "only the rewrite: {one}");
    assert!(one.contains("@1 → @2"), "{one}");
    let (_, none) = http_get(&format!("{}/doc/{b}/changes.atom", serve.base));
    assert_eq!(none.matches("<entry>").count(), 0);
    let (_, all_high) = http_get(&format!("{}/changes.atom?min_score=0.9", serve.base));
    assert_eq!(all_high.matches("<entry>").count(), 1, "{all_high}");
    let (code, _) = http_get(&format!("{}/changes.atom?min_score=x", serve.base));
    assert_eq!(code, 400);
    let (code, _) = http_get(&format!("{}/doc/nosuchdoc/changes.atom", serve.base));
    assert_eq!(code, 404);
    // The version pages are still where they were.
    let (code, _) = http_get(&format!("{}/doc/{a}/2", serve.base));
    assert_eq!(code, 200);
}
