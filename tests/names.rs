//! Document names in every script, URLs as addresses in every command, the
//! help that lists every address form, and completion of document names,
//! through the real binary against a server on 127.0.0.1.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;

use common::server::{Server, ok};
use common::*;

const RU_PATH: &str = "/ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8-%D0%B4%D0%BD%D1%8F";
const AR_PATH: &str = "/ar/%D8%AE%D8%A8%D8%B1-%D8%B9%D8%A7%D8%AC%D9%84";

fn page(title: &str, paras: &[&str]) -> String {
    let body: String = paras.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>{title}</title></head>\
         <body><article><h1>{title}</h1>{body}</article></body></html>"
    )
}

const RU_1: &str = "Первый абзац статьи о событиях дня, достаточно длинный, чтобы его извлечь \
                    как текст статьи, а не как меню или подвал страницы сайта.";
const RU_2: &str = "Второй абзац, добавленный редакцией после публикации материала.";
const AR_1: &str = "هذه فقرة أولى طويلة بما يكفي لاستخراج النص من الصفحة بوصفه نص المقال \
                    وليس قائمة أو تذييلا للموقع الإخباري.";

/// A server with a Russian article (a second paragraph added on the second
/// fetch) and an Arabic one.
fn server() -> Server {
    Server::start(vec![
        (
            RU_PATH,
            Box::new(|n| {
                let paras: &[&str] = if n == 0 { &[RU_1] } else { &[RU_1, RU_2] };
                ok("text/html; charset=utf-8", page("Новости дня", paras))
            }),
        ),
        (
            AR_PATH,
            Box::new(|_| ok("text/html; charset=utf-8", page("خبر عاجل", &[AR_1]))),
        ),
    ])
}

fn run(cmd: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn ok_out(cmd: &mut assert_cmd::Command) -> String {
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{err}");
    out
}

fn json_lines(out: &str) -> Vec<serde_json::Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Archives the Russian article twice (two versions) and the Arabic one;
/// returns the server, the store's temporary directory, the store, and the
/// two document names.
fn archived() -> (
    Server,
    tempfile::TempDir,
    std::path::PathBuf,
    String,
    String,
) {
    let srv = server();
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    ok_out(vellum(&store).arg("init"));
    let (ru, ar) = (srv.url(RU_PATH), srv.url(AR_PATH));
    let first = ok_out(vellum(&store).args(["add", "--json", &ru, &ar]));
    ok_out(vellum(&store).args(["add", &ru]));
    let docs: Vec<String> = json_lines(&first)
        .iter()
        .map(|v| v["doc"].as_str().unwrap().to_owned())
        .collect();
    let [ru_doc, ar_doc] = [docs[0].clone(), docs[1].clone()];
    (srv, tmp, store, ru_doc, ar_doc)
}

#[test]
fn arabic_and_russian_urls_give_readable_names() {
    let (_srv, _tmp, store, ru, ar) = archived();
    assert!(ru.contains("новости-дня"), "{ru}");
    assert!(ar.contains("خبر-عاجل"), "{ar}");
    for name in [&ru, &ar] {
        // Never the hex of the percent-escapes.
        assert!(!name.contains("d0-bd") && !name.contains("d8-ae"), "{name}");
        assert!(name.chars().count() <= 128, "{name}");
    }
    // --json and the listing carry the names as they are.
    let listed = ok_out(vellum(&store).args(["log", "--json"]));
    let docs: Vec<String> = json_lines(&listed)
        .iter()
        .map(|v| v["doc"].as_str().unwrap().to_owned())
        .collect();
    assert!(docs.contains(&ru) && docs.contains(&ar), "{listed}");
    let names = ok_out(vellum(&store).arg("complete-docs"));
    assert_eq!(names.lines().collect::<Vec<_>>(), {
        let mut d = vec![ar.as_str(), ru.as_str()];
        d.sort();
        d
    });
    // Each name is an address, as typed; the store still verifies.
    assert!(ok_out(vellum(&store).args(["show", &format!("{ru}@1")])).contains(RU_1));
    ok_out(vellum(&store).arg("verify"));
}

#[test]
fn a_url_is_an_address_in_every_command() {
    let (srv, tmp, store, ru, _ar) = archived();
    // As typed in a browser: decoded, with a fragment and a tracking parameter.
    let typed = srv.url("/ru/новости-дня");
    let decorated = format!("{typed}?utm_source=x#top");
    for (addr, want_v2) in [
        (typed.clone(), true),
        (srv.url(RU_PATH), true),
        (decorated.clone(), true),
        (format!("{typed}@1"), false),
        (format!("{typed}@-1"), false),
        (format!("{typed}@2"), true),
        (format!("{}@2099-01-01", srv.url(RU_PATH)), true),
        // The scheme in any case (the host and path are case-sensitive).
        (typed.replacen("http://", "HTTP://", 1), true),
    ] {
        let out = run(vellum(&store).args(["show", "--json", &addr]));
        assert_eq!(out.0, 0, "{addr}: {}", out.2);
        let v: serde_json::Value = serde_json::from_str(&out.1).unwrap();
        assert_eq!(v["doc"], ru.as_str(), "{addr}");
        assert_eq!(v["version"], if want_v2 { 2 } else { 1 }, "{addr}");
    }
    // log, diff (an address, not a file), proof, export, similar, reextract.
    let log = ok_out(vellum(&store).args(["log", "--json", &typed]));
    assert_eq!(json_lines(&log).len(), 2, "{log}");
    let (code, diff, err) =
        run(vellum(&store).args(["diff", &format!("{typed}@1"), &format!("{typed}@2")]));
    assert_eq!(code, 1, "{err}");
    assert!(diff.contains("Второй абзац"), "{diff}");
    let proof = ok_out(vellum(&store).args(["proof", &format!("{typed}@1")]));
    assert!(proof.contains("vellum_proof"), "{proof}");
    let warc = tmp.path().join("out.warc.gz");
    let (code, _, err) = run(vellum(&store)
        .args(["export", "--warc"])
        .arg(&warc)
        .arg(&typed));
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("wrote 2 captures"), "{err}");
    ok_out(vellum(&store).args(["similar", &decorated]));
    ok_out(vellum(&store).args(["reextract", "--dry-run", &typed]));
    let hits = ok_out(vellum(&store).args(["search", "--json", "абзац", "--doc", &typed]));
    assert!(!json_lines(&hits).is_empty(), "{hits}");
    for hit in json_lines(&hits) {
        assert_eq!(hit["doc"], ru.as_str(), "{hit}");
    }
    // An unknown URL: what went wrong and what to do, exit 2.
    let missing = srv.url("/ru/nothing");
    for cmd in ["show", "log", "diff", "proof", "similar", "reextract"] {
        let (code, _, err) = run(vellum(&store).args([cmd, &missing]));
        assert_eq!(code, 2, "{cmd}: {err}");
        assert!(err.contains("vellum add"), "{cmd}: {err}");
    }
}

#[test]
fn the_last_at_chooses_the_version_unless_the_whole_url_is_archived() {
    let srv = Server::start(vec![(
        "/@user/post",
        Box::new(|_| {
            ok(
                "text/html; charset=utf-8",
                page(
                    "Post",
                    &[&"A post by a user, long enough to extract. ".repeat(4)],
                ),
            )
        }),
    )]);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    ok_out(vellum(&store).arg("init"));
    let url = srv.url("/@user/post");
    ok_out(vellum(&store).args(["add", &url]));
    let v: serde_json::Value =
        serde_json::from_str(&ok_out(vellum(&store).args(["show", "--json", &url]))).unwrap();
    assert_eq!(v["version"], 1);
    let v: serde_json::Value = serde_json::from_str(&ok_out(vellum(&store).args([
        "show",
        "--json",
        &format!("{url}@1"),
    ])))
    .unwrap();
    assert_eq!(v["version"], 1);
    let (code, _, err) = run(vellum(&store).args(["show", &format!("{url}@2")]));
    assert_eq!(code, 2);
    assert!(err.contains("there is no @2"), "{err}");
}

#[test]
fn did_you_mean_in_show_log_and_reextract() {
    let (_tmp, store) = sample_copy();
    for args in [
        &["show", "us-coalition-isis-dael"][..],
        &["show", "us-coalition-isis-dael@1"],
        &["log", "us-coalition-isis-dael"],
        &["reextract", "--dry-run", "us-coalition-isis-dael"],
        &["reextract", "us-coalition-isis-dael"],
    ] {
        let (code, _, err) = run(vellum(&store).args(args));
        assert_eq!(code, 2, "{args:?}");
        assert!(
            err.contains("did you mean us-coalition-isis-deal?"),
            "{args:?}: {err}"
        );
    }
    // Typed names are case-folded.
    ok_out(vellum(&store).args(["show", "US-Coalition-ISIS-Deal@1"]));
}

#[test]
fn help_lists_every_address_form_and_global_options_apart() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["--help"][..], &["show", "--help"], &["diff", "--help"]] {
        let out = ok_out(vellum(tmp.path()).args(args));
        for form in [
            "DOC@N",
            "DOC@-K",
            "DOC@TIME",
            "capture id",
            "URL@N",
            "URL@-K",
            "URL@TIME",
            "last '@'",
        ] {
            assert!(out.contains(form), "{args:?} lacks {form}:\n{out}");
        }
    }
    for cmd in ["log", "show", "diff", "add"] {
        let out = ok_out(vellum(tmp.path()).args([cmd, "--help"]));
        let (own, global) = out
            .split_once("Global options:")
            .unwrap_or_else(|| panic!("{cmd}: {out}"));
        for opt in ["--store", "--color", "--palette", "--no-pager", "--quiet"] {
            assert!(global.contains(opt) && !own.contains(opt), "{cmd} {opt}");
        }
    }
}

#[test]
fn bash_completion_offers_document_names_and_no_hidden_option() {
    let (_srv, _tmp, store, ru, ar) = archived();
    let bin = Path::new(env!("CARGO_BIN_EXE_vellum"));
    let script = ok_out(vellum(&store).args(["completions", "bash"]));
    assert!(!script.contains("--repeat"), "a hidden option is offered");
    let Ok(mut child) = std::process::Command::new("bash")
        .arg("--norc")
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", bin.parent().unwrap().display()),
        )
        .env_remove("VELLUM_STORE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        eprintln!("no bash here; skipped");
        return;
    };
    let complete = |words: &str, cword: usize| {
        format!(
            "COMP_WORDS=({words}); COMP_CWORD={cword}; COMPREPLY=(); \
             _vellum_with_docs vellum \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"; \
             printf '%s\\n' \"${{COMPREPLY[@]}}\"; echo --END--\n"
        )
    };
    let store_arg = store.display().to_string();
    let input = format!(
        "{script}\n{}{}{}{}",
        complete(&format!("vellum --store '{store_arg}' show ''"), 4),
        complete(&format!("vellum --store '{store_arg}' log 127-0-0-1-r"), 4),
        complete(&format!("vellum --store '{store_arg}' search --doc ''"), 5),
        complete(&format!("vellum --store '{store_arg}' log --since ''"), 5),
    );
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let mut answers: Vec<Vec<String>> = vec![Vec::new()];
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "--END--" {
            answers.push(Vec::new());
        } else {
            answers.last_mut().unwrap().push(line);
        }
    }
    child.wait().unwrap();
    assert!(
        answers[0].contains(&ru) && answers[0].contains(&ar),
        "{answers:?}"
    );
    // Only what the typed prefix starts, and after an option that takes a
    // value, that value (none here), not a document.
    assert_eq!(answers[1], std::slice::from_ref(&ru), "{answers:?}");
    assert!(answers[2].contains(&ar), "{answers:?}");
    assert!(
        !answers[3].contains(&ar),
        "a --since value is not a document: {answers:?}"
    );
}

#[test]
fn the_web_view_percent_encodes_names_in_links() {
    let (_srv, _tmp, store, ru, _ar) = archived();
    let serve = start_serve(&store, &[]);
    let base = serve.base.clone();
    let get = |path: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let mut res = agent.get(&format!("{base}{path}")).call().unwrap();
        let status = res.status().as_u16();
        (status, res.body_mut().read_to_string().unwrap_or_default())
    };
    let (status, index) = get("/");
    let encoded: String = url::form_urlencoded::byte_serialize(ru.as_bytes()).collect();
    let link = format!("href=\"/doc/{encoded}\"");
    // The link leads to the document's page.
    let (doc_status, doc_page) = get(&format!("/doc/{encoded}"));
    drop(serve);
    assert_eq!(doc_status, 200, "{doc_page}");
    assert!(doc_page.contains(&ru), "{doc_page}");
    assert_eq!(status, 200);
    assert!(encoded.contains("%D0%BD"), "{encoded}");
    assert!(index.contains(&link), "no {link} in {index}");
    // The name itself is shown as it reads.
    assert!(index.contains(&format!(">{ru}<")), "{index}");
}

#[test]
fn typed_names_are_folded_and_mixed_scripts_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    ok_out(vellum(&store).arg("init"));
    let f = tmp.path().join("a.md");
    std::fs::write(&f, "Статья.\n").unwrap();
    let (code, out, err) = run(vellum(&store)
        .args(["add", "--doc", "Новости\u{301}", "--at", "2020-01-01"])
        .arg(&f));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("новости\u{301}@1 "), "{out}");
    assert!(!err.contains("mixes scripts"), "{err}");
    // A Cyrillic а inside a Latin word.
    let (code, out, err) = run(vellum(&store)
        .args(["add", "--doc", "p\u{430}ypal", "--at", "2020-01-01"])
        .arg(&f));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("p\u{430}ypal@1 "), "{out}");
    assert!(
        err.contains("mixes scripts in p\u{430}ypal"),
        "no warning: {err}"
    );
    // Invisible and bidirectional characters are refused, exit 2.
    for bad in ["a\u{200b}b", "a\u{202e}b", "a b", "a/b"] {
        let (code, _, err) = run(vellum(&store).args(["add", "--doc", bad]).arg(&f));
        assert_eq!(code, 2, "{bad:?}");
        assert!(err.contains("invalid document name"), "{bad:?}: {err}");
    }
}

/// A relative time after an address's `@` counts back from now (the
/// process's clock, set here by VELLUM_NOW): the sample document's versions
/// were captured at 12:56 and 18:00 on 12 February 2019.
#[test]
fn a_relative_time_in_an_address_counts_back_from_now() {
    let (_tmp, store) = sample_copy();
    let at = |now: &str, addr: &str| -> serde_json::Value {
        let out = ok_out(
            vellum(&store)
                .env("VELLUM_NOW", now)
                .args(["show", "--meta", "--json", addr]),
        );
        serde_json::from_str(&out).unwrap()
    };
    let doc = "us-coalition-isis-deal";
    assert_eq!(
        at("2019-02-12T19:00:00Z", &format!("{doc}@2h"))["version"],
        1
    );
    assert_eq!(
        at("2019-02-12T19:00:00Z", &format!("{doc}@30m"))["version"],
        2
    );
    assert_eq!(
        at("2019-02-19T19:00:00Z", &format!("{doc}@1w"))["version"],
        2
    );
    // diff takes them too: the change from 2 hours before to now.
    let (code, out, err) = run(vellum(&store)
        .env("VELLUM_NOW", "2019-02-12T19:00:00Z")
        .args(["diff", "--stat", &format!("{doc}@2h"), doc]));
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("added"), "{out}");
    // Too long ago: before the document's first version.
    let (code, _, err) = run(vellum(&store).args(["show", &format!("{doc}@100000w")]));
    assert_eq!(code, 2);
    assert!(err.contains("no version yet"), "{err}");
}
