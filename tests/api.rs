//! The JSON API of `vellum serve` (`/api/v1/`) over HTTP, on a copy of the
//! sample store: every endpoint of the OpenAPI document answers, and its
//! answer validates against the schema the document gives for it; paging
//! (cursor, `Link`), filters, caching (ETag, immutable, 304), problem+json
//! errors with their statuses, 405, and CORS only with `--cors`.

mod common;

use std::collections::BTreeSet;

use common::http::{Got, agent};
use common::*;
use serde_json::{Value, json};

fn get(url: &str) -> Got {
    common::http::get(url, &[])
}

/// The API's OpenAPI document (as the library makes it).
fn openapi() -> Value {
    vellum::web::api::openapi::document()
}

/// Why `value` does not satisfy the component schema `name` (empty: it does).
fn violations(doc: &Value, name: &str, value: &Value) -> String {
    let schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    let v = jsonschema::validator_for(&schema).expect("the component schema compiles");
    v.iter_errors(value)
        .map(|e| format!("  at {}: {e}\n", e.instance_path()))
        .collect()
}

fn assert_valid(doc: &Value, name: &str, value: &Value) {
    let why = violations(doc, name, value);
    assert!(why.is_empty(), "not a valid {name}:\n{why}{value}");
}

/// A 200 JSON answer, validated against `schema`.
fn api(base: &str, path: &str, doc: &Value, schema: &str) -> Value {
    let g = get(&format!("{base}{path}"));
    assert_eq!(
        g.status,
        200,
        "{path}: {}",
        String::from_utf8_lossy(&g.body)
    );
    assert_eq!(g.header("content-type"), "application/json", "{path}");
    assert!(g.header("etag").starts_with('"'), "{path}");
    let v = g.json();
    assert_valid(doc, schema, &v);
    v
}

/// A problem answer: its status, media type and shape.
fn problem(base: &str, path: &str, status: u16) -> Value {
    let g = get(&format!("{base}{path}"));
    assert_eq!(
        g.status,
        status,
        "{path}: {}",
        String::from_utf8_lossy(&g.body)
    );
    assert_eq!(
        g.header("content-type"),
        "application/problem+json",
        "{path}"
    );
    let v = g.json();
    assert_valid(&openapi(), "ProblemDetails", &v);
    assert_eq!(v["status"], status, "{v}");
    v
}

const DOC: &str = "us-coalition-isis-deal";

fn captures(store: &std::path::Path) -> Vec<Value> {
    stdout_of(vellum(store).args(["log", DOC, "--captures", "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn every_endpoint_answers_what_its_openapi_schema_says() {
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    let doc = openapi();
    let served = get(&format!("{}/api/v1/openapi.json", s.base));
    assert_eq!(served.header("content-type"), "application/json");
    assert_eq!(served.json(), doc);
    assert_eq!(doc["openapi"], "3.1.0");
    let cap = captures(&store)[1]["capture"].as_str().unwrap().to_owned();
    let cases: &[(&str, String, &str)] = &[
        (
            "/api/v1/documents",
            "/api/v1/documents".into(),
            "DocumentItemPage",
        ),
        (
            "/api/v1/documents/{name}",
            format!("/api/v1/documents/{DOC}"),
            "DocumentItem",
        ),
        (
            "/api/v1/documents/{name}/versions",
            format!("/api/v1/documents/{DOC}/versions"),
            "VersionItemPage",
        ),
        (
            "/api/v1/captures/{id}",
            format!("/api/v1/captures/{cap}"),
            "RecordItem",
        ),
        (
            "/api/v1/diff",
            format!("/api/v1/diff?a={DOC}@1&b={DOC}@2&ignore=case,markup"),
            "DiffDocument",
        ),
        (
            "/api/v1/search",
            "/api/v1/search?q=isis&all_versions=1".into(),
            "SearchItemPage",
        ),
        (
            "/api/v1/similar",
            format!("/api/v1/similar?doc={DOC}"),
            "SimilarAnswer",
        ),
        (
            "/api/v1/stories",
            "/api/v1/stories?all=1".into(),
            "StoryItemPage",
        ),
        (
            "/api/v1/changes",
            "/api/v1/changes?since=2019-01-01&min_score=0".into(),
            "ChangeItemPage",
        ),
        ("/api/v1/root", "/api/v1/root".into(), "LogRoot"),
        (
            "/api/v1/proof/{address}",
            format!("/api/v1/proof/{DOC}@2"),
            "ProofFile",
        ),
    ];
    let mut covered: BTreeSet<String> = [
        "/api/v1/openapi.json",
        "/api/v1/captures/{id}/raw",
        "/api/v1/captures/{id}/text",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    for (template, path, schema) in cases {
        let v = api(&s.base, path, &doc, schema);
        // The answer is the schema's own operation's.
        let op = &doc["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert!(!op.is_null(), "{template} is not in the document");
        if let Some(r) = op["$ref"].as_str() {
            assert_eq!(r, format!("#/components/schemas/{schema}"));
        }
        assert!(!v.is_null());
        covered.insert((*template).to_owned());
    }
    // Every endpoint the document lists has a case here.
    let listed: BTreeSet<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(listed, covered);
    // The captures variant of the versions listing.
    let c = api(
        &s.base,
        &format!("/api/v1/documents/{DOC}/versions?captures=1"),
        &doc,
        "CaptureItemPage",
    );
    assert_eq!(c["items"].as_array().unwrap().len(), 2);
    // Stories' items, search hits and similar documents are not empty on
    // the sample store where it has them.
    let hits = api(&s.base, "/api/v1/search?q=isis", &doc, "SearchItemPage");
    assert!(!hits["items"].as_array().unwrap().is_empty(), "{hits}");
    let stories = api(&s.base, "/api/v1/stories?all=1", &doc, "StoryItemPage");
    assert!(
        !stories["items"].as_array().unwrap().is_empty(),
        "{stories}"
    );
    // The sample's change between its two versions, as `vellum changes`
    // lists it; none scores above 1, and a bad bound is a problem.
    let changes = api(&s.base, "/api/v1/changes", &doc, "ChangeItemPage");
    let items = changes["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{changes}");
    assert_eq!(items[0]["doc"], DOC, "{changes}");
    let none = api(
        &s.base,
        "/api/v1/changes?min_score=1.0",
        &doc,
        "ChangeItemPage",
    );
    assert!(none["items"].as_array().unwrap().len() <= items.len());
    let bad = get(&format!("{}/api/v1/changes?min_score=2", s.base));
    assert_eq!(bad.status, 400);
}

/// Follows `Link: <…>; rel="next"` from `first`, returning every page.
fn pages(base: &str, first: &str, schema: &str) -> Vec<Value> {
    let doc = openapi();
    let mut out = Vec::new();
    let mut path = first.to_owned();
    loop {
        let g = get(&format!("{base}{path}"));
        assert_eq!(
            g.status,
            200,
            "{path}: {}",
            String::from_utf8_lossy(&g.body)
        );
        let v = g.json();
        assert_valid(&doc, schema, &v);
        let link = g.header("link").to_owned();
        out.push(v.clone());
        match v["next"].as_str() {
            None => {
                assert_eq!(link, "", "a last page has no Link");
                return out;
            }
            Some(next) => {
                let target = link
                    .strip_prefix('<')
                    .and_then(|l| l.strip_suffix(">; rel=\"next\""))
                    .unwrap_or_else(|| panic!("Link {link:?}"));
                assert!(
                    target.ends_with(&format!("cursor={next}")),
                    "{target} {next}"
                );
                path = target.to_owned();
            }
        }
        assert!(out.len() < 100, "paging does not end");
    }
}

fn items(pages: &[Value], key: &str) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| p["items"].as_array().unwrap().clone())
        .map(|i| i[key].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn listings_page_with_a_cursor_and_a_link_to_the_next_page() {
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    let all: Vec<String> = stdout_of(vellum(&store).args(["log", "--json"]))
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["doc"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(all.len() >= 3);
    let one_by_one = pages(&s.base, "/api/v1/documents?limit=1", "DocumentItemPage");
    assert_eq!(one_by_one.len(), all.len());
    assert_eq!(items(&one_by_one, "doc"), all);
    let whole = pages(&s.base, "/api/v1/documents", "DocumentItemPage");
    assert_eq!((whole.len(), items(&whole, "doc")), (1, all.clone()));
    // The other parameters stay in the next page's address.
    let first = get(&format!("{}/api/v1/documents?q=isis&limit=1", s.base));
    assert!(
        first
            .header("link")
            .starts_with("</api/v1/documents?q=isis&limit=1&cursor="),
        "{}",
        first.header("link")
    );
    let versions = pages(
        &s.base,
        &format!("/api/v1/documents/{DOC}/versions?limit=1"),
        "VersionItemPage",
    );
    assert_eq!(versions.len(), 2);
    let caps = pages(
        &s.base,
        &format!("/api/v1/documents/{DOC}/versions?captures=1&limit=1"),
        "CaptureItemPage",
    );
    let expected: Vec<String> = captures(&store)
        .iter()
        .map(|c| c["capture"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(items(&caps, "capture"), expected);
    // A cursor of one listing is not a cursor of another.
    let next = versions[0]["next"].as_str().unwrap();
    let p = problem(&s.base, &format!("/api/v1/documents?cursor={next}"), 400);
    assert!(p["detail"].as_str().unwrap().contains("cursor"), "{p}");
    problem(&s.base, "/api/v1/documents?cursor=garbage", 400);
    for bad in ["0", "1001", "x"] {
        problem(&s.base, &format!("/api/v1/documents?limit={bad}"), 400);
    }
    let max = api(
        &s.base,
        "/api/v1/documents?limit=1000",
        &openapi(),
        "DocumentItemPage",
    );
    assert!(max["next"].is_null());
}

#[test]
fn documents_are_filtered_by_text_url_source_and_time() {
    let (tmp, store) = sample_copy();
    let f = tmp.path().join("wire.md");
    std::fs::write(&f, "A wire story about a harbour.\n").unwrap();
    vellum(&store)
        .args(["add", "--doc", "wire-story", "--at", "2021-03-01T00:00:00Z"])
        .args([
            "--url",
            "https://example.org/news/wire",
            "--source",
            "Example Wire",
        ])
        .arg(&f)
        .assert()
        .success();
    let s = start_serve(&store, &[]);
    let docs = |q: &str| -> Vec<String> {
        items(
            &pages(
                &s.base,
                &format!("/api/v1/documents?{q}"),
                "DocumentItemPage",
            ),
            "doc",
        )
    };
    assert_eq!(docs("q=COALITION"), [DOC]);
    assert_eq!(docs("q=raqqah"), ["raqqah-negotiations"]);
    assert!(docs("q=nothing-has-this").is_empty());
    assert_eq!(docs("since=2019-02-12&until=2019-02-12"), [DOC]);
    assert_eq!(docs("until=2018-01-01"), ["raqqah-negotiations"]);
    assert_eq!(
        docs("url=https%3A%2F%2Fexample.org%2Fnews%2Fwire"),
        ["wire-story"]
    );
    // One document's summary is its item in the listing, by name or by URL.
    let listed =
        pages(&s.base, "/api/v1/documents?q=wire", "DocumentItemPage")[0]["items"][0].clone();
    assert_eq!(listed["doc"], "wire-story");
    for name in ["wire-story", "https%3A%2F%2Fexample.org%2Fnews%2Fwire"] {
        let one = api(
            &s.base,
            &format!("/api/v1/documents/{name}"),
            &openapi(),
            "DocumentItem",
        );
        assert_eq!(one, listed);
    }
    assert!(docs("url=https%3A%2F%2Fnowhere.example%2Fa").is_empty());
    // Any version's source, case folded.
    assert_eq!(docs("source=BLOG+REPOST"), [DOC]);
    assert_eq!(docs("source=example+wire&since=2021-01-01"), ["wire-story"]);
    assert!(docs("source=no-such-source").is_empty());
    problem(&s.base, "/api/v1/documents?since=yesterday-ish", 400);
    let p = problem(&s.base, "/api/v1/documents?sort=name", 400);
    assert!(
        p["detail"].as_str().unwrap().contains("unknown parameter"),
        "{p}"
    );
    problem(&s.base, "/api/v1/documents?q=a&q=b", 400);
}

#[test]
fn captures_are_immutable_and_other_answers_revalidate() {
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    let cap = captures(&store)[1]["capture"].as_str().unwrap().to_owned();
    let raw_cli = vellum(&store)
        .args(["show", &cap, "--raw"])
        .output()
        .unwrap()
        .stdout;
    let raw = get(&format!("{}/api/v1/captures/{cap}/raw", s.base));
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body, raw_cli);
    assert_eq!(raw.header("content-type"), "application/octet-stream");
    assert!(raw.header("content-disposition").starts_with("attachment"));
    assert_eq!(raw.header("x-content-type-options"), "nosniff");
    assert_eq!(
        raw.header("cache-control"),
        "public, max-age=31536000, immutable"
    );
    let tag = raw.header("etag").to_owned();
    assert!(tag.contains(&cap), "{tag}");
    let again = common::http::get(
        &format!("{}/api/v1/captures/{cap}/raw", s.base),
        &[("If-None-Match", &tag)],
    );
    assert_eq!((again.status, again.body.len()), (304, 0));
    let text = get(&format!("{}/api/v1/captures/{cap}/text", s.base));
    assert_eq!(text.status, 200);
    assert_eq!(text.header("content-type"), "text/plain; charset=utf-8");
    let shown = stdout_of(vellum(&store).args(["show", &cap]));
    assert_eq!(String::from_utf8(text.body.clone()).unwrap(), shown);
    assert!(text.header("cache-control").contains("immutable"));
    assert_ne!(
        text.header("etag"),
        tag,
        "the text and the bytes are two resources"
    );
    // The record carries the version number, which can change: revalidated.
    let rec = get(&format!("{}/api/v1/captures/{cap}", s.base));
    assert_eq!(rec.header("cache-control"), "no-cache");
    let v = rec.json();
    assert_eq!(
        (v["capture"].as_str(), v["version"].as_u64()),
        (Some(&*cap), Some(2))
    );
    let etag = rec.header("etag").to_owned();
    let same = common::http::get(
        &format!("{}/api/v1/captures/{cap}", s.base),
        &[("If-None-Match", &etag)],
    );
    assert_eq!(same.status, 304);
    // A prefix, a bad id, an unknown id.
    problem(&s.base, &format!("/api/v1/captures/{}", &cap[..12]), 400);
    problem(&s.base, "/api/v1/captures/not-hex/raw", 400);
    let unknown = "0".repeat(64);
    for suffix in ["", "/raw", "/text"] {
        problem(&s.base, &format!("/api/v1/captures/{unknown}{suffix}"), 404);
    }
}

#[test]
fn errors_are_problems_with_the_status_of_their_kind() {
    let (_tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    let p = problem(&s.base, "/api/v1/documents/no-such-document", 404);
    assert_eq!(p["kind"], "not_found");
    assert_eq!(p["type"], "urn:vellum:problem:not_found");
    problem(&s.base, "/api/v1/documents/no-such-document/versions", 404);
    problem(&s.base, "/api/v1/diff?a=us-coalition-isis-deal@1", 400);
    problem(&s.base, &format!("/api/v1/diff?a={DOC}@1&b={DOC}@9"), 404);
    let p = problem(
        &s.base,
        &format!("/api/v1/diff?a={DOC}@1&b={DOC}@2&ignore=colour"),
        400,
    );
    assert!(p["detail"].as_str().unwrap().contains("typography"), "{p}");
    problem(&s.base, "/api/v1/search", 400);
    problem(&s.base, "/api/v1/search?q=%22unclosed", 400);
    problem(&s.base, "/api/v1/search?q=isis&doc=nope", 404);
    problem(&s.base, "/api/v1/similar?doc=no-such-document", 404);
    problem(&s.base, "/api/v1/proof/no-such-document", 404);
    problem(&s.base, &format!("/api/v1/proof/{DOC}@2?size=99999"), 400);
    problem(&s.base, "/api/v1/no-such-endpoint", 404);
    problem(&s.base, "/api/v1", 404);
    // Read-only: 405 with Allow, as a problem.
    let mut res = agent()
        .post(&format!("{}/api/v1/documents", s.base))
        .send_empty()
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    let h = res.headers().clone();
    assert_eq!(h.get("allow").unwrap(), "GET, HEAD");
    assert_eq!(h.get("content-type").unwrap(), "application/problem+json");
    let body: Value = serde_json::from_str(&res.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(body["status"], 405);
    // The HTML view is untouched by the API's error format.
    let page = get(&format!("{}/doc/no-such-document", s.base));
    assert_eq!(page.status, 404);
    assert!(page.header("content-type").starts_with("text/html"));
}

#[test]
fn a_proof_from_the_api_checks_against_the_published_root() {
    let (tmp, store) = sample_copy();
    let s = start_serve(&store, &[]);
    let root = api(&s.base, "/api/v1/root", &openapi(), "LogRoot");
    let cli: Value =
        serde_json::from_str(&stdout_of(vellum(&store).args(["root", "--json"]))).unwrap();
    assert_eq!(root, cli);
    let proof = get(&format!("{}/api/v1/proof/{DOC}@2", s.base));
    assert_eq!(proof.status, 200);
    let file = tmp.path().join("proof.json");
    std::fs::write(&file, &proof.body).unwrap();
    let published = format!("{}:{}", root["size"], root["root"].as_str().unwrap());
    vellum(&store)
        .args(["check-proof"])
        .arg(&file)
        .args(["--root", &published])
        .assert()
        .success();
    let cli_proof: Value = serde_json::from_str(&stdout_of(
        vellum(&store).args(["proof", &format!("{DOC}@2")]),
    ))
    .unwrap();
    assert_eq!(proof.json(), cli_proof);
}

#[test]
fn cors_only_when_asked_and_only_on_the_api() {
    let (_tmp, store) = sample_copy();
    let plain = start_serve(&store, &[]);
    let g = get(&format!("{}/api/v1/documents", plain.base));
    assert_eq!(g.header("access-control-allow-origin"), "");
    let open = start_serve(&store, &["--cors"]);
    for path in ["/api/v1/documents", "/api/v1/no-such-endpoint"] {
        let g = get(&format!("{}{path}", open.base));
        assert_eq!(g.header("access-control-allow-origin"), "*", "{path}");
    }
    assert_eq!(
        get(&format!("{}/", open.base)).header("access-control-allow-origin"),
        ""
    );
    let res = agent()
        .post(&format!("{}/api/v1/documents", open.base))
        .send_empty()
        .unwrap();
    assert_eq!(res.status().as_u16(), 405);
    assert!(res.headers().get("access-control-allow-origin").is_none());
}
