//! `similar`, `stories`, `--ignore-boilerplate` on the five sample articles,
//! archived as five documents, each with its site as `--source`.

mod common;

use std::path::{Path, PathBuf};

use common::{fixture, stdout_of, vellum};
use serde_json::Value;

const BLOG: &str = "blog-repost-2019-02-12";
const GR19: &str = "globalresearch-2019-02-12";
const GR17: &str = "globalresearch-2017-10-12";
const GR18: &str = "globalresearch-2018-11-24";
const ZAMAN: &str = "zamanalwasl-france-deal";

/// The five articles in a fresh store, oldest capture first.
fn five() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    for (file, source, at) in [
        (
            "globalresearch-2017-10-12.md",
            "Global Research",
            "2017-10-12T10:00:00Z",
        ),
        (
            "globalresearch-2018-11-24.md",
            "Global Research",
            "2018-11-24T10:00:00Z",
        ),
        (
            "blog-repost-2019-02-12.txt",
            "A blog",
            "2019-02-12T12:56:00Z",
        ),
        (
            "globalresearch-2019-02-12.md",
            "Global Research",
            "2019-02-12T13:00:00Z",
        ),
        (
            "zamanalwasl-france-deal.txt",
            "Zaman al-Wasl",
            "2019-02-13T10:00:00Z",
        ),
    ] {
        vellum(&store)
            .args(["add", "--source", source, "--at", at])
            .arg(fixture(file))
            .assert()
            .success();
    }
    (tmp, store)
}

fn json(store: &Path, args: &[&str]) -> Value {
    serde_json::from_str(&stdout_of(vellum(store).args(args))).unwrap()
}

fn story_docs(v: &Value) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = v["stories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["docs"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["doc"].as_str().unwrap().to_owned())
                .collect()
        })
        .collect();
    out.sort();
    out
}

#[test]
fn the_sample_articles_make_one_story_of_two_and_three_single_ones() {
    let (_tmp, store) = five();
    let v = json(&store, &["stories", "--all", "--json"]);
    assert_eq!(
        story_docs(&v),
        vec![
            vec![BLOG.to_owned(), GR19.to_owned()],
            vec![GR17.to_owned()],
            vec![GR18.to_owned()],
            vec![ZAMAN.to_owned()],
        ]
    );
    // The id and title come from the earliest document (the blog's copy).
    let pair = v["stories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["docs"].as_array().unwrap().len() == 2)
        .unwrap();
    let blog_capture = pair["docs"][0]["first_capture"].as_str().unwrap();
    assert_eq!(pair["docs"][0]["doc"], BLOG);
    assert_eq!(
        pair["id"].as_str().unwrap(),
        format!("s-{}", &blog_capture[..12])
    );
    assert!(
        pair["title"].as_str().unwrap().contains("US-led Coalition"),
        "{pair}"
    );
    // log DOC and show --meta name it.
    let log = stdout_of(vellum(&store).args(["log", GR19]));
    assert!(
        log.contains(&format!("story {}", pair["id"].as_str().unwrap())),
        "{log}"
    );
    assert!(log.contains(BLOG), "{log}");
    let log = stdout_of(vellum(&store).args(["log", ZAMAN]));
    assert!(!log.contains("story "), "{log}");
    let meta = json(&store, &["show", "--meta", BLOG]);
    assert_eq!(meta["story"]["id"], pair["id"]);
    assert_eq!(meta["story"]["docs"], serde_json::json!([BLOG, GR19]));
    // Lineage, as a suggestion: the fuller Global Research copy is the
    // likely source (the blog's is in it), the blog's cut and padded.
    let l = &pair["lineage"];
    assert_eq!(l["source"], 1, "{l}");
    assert!(l["evidence"].as_str().unwrap().starts_with("suggested:"));
    let blog = &l["derived"][0];
    assert_eq!(blog["index"], 0);
    assert!(blog["kept"].as_f64().unwrap() < 0.6, "{l}");
    assert!(
        ["truncated", "cut_and_padded"].contains(&blog["derivation"].as_str().unwrap()),
        "{l}"
    );
    // Without --all only stories of two or more documents are listed.
    let v = json(&store, &["stories", "--json"]);
    assert_eq!(story_docs(&v), vec![vec![BLOG.to_owned(), GR19.to_owned()]]);
}

#[test]
fn similar_finds_the_copy_with_containment_both_ways_and_matching_paragraphs() {
    let (_tmp, store) = five();
    let v = json(&store, &["similar", BLOG, "--json"]);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{v}");
    let r = &results[0];
    assert_eq!(r["doc"], GR19);
    // The blog's six paragraphs are nearly all in the fuller copy; the copy
    // is less than half in the blog's.
    assert!(r["query_in_doc"].as_f64().unwrap() > 0.85, "{r}");
    assert!(r["doc_in_query"].as_f64().unwrap() < 0.6, "{r}");
    let m = r["matches"].as_array().unwrap();
    assert!(m.len() >= 5, "{r}");
    assert!(
        m.iter()
            .any(|m| m["doc_text"].as_str().unwrap().contains("final push"))
    );
    // A file works as a query too, and Global Research's boilerplate alone is no match.
    let v = json(
        &store,
        &[
            "similar",
            fixture("globalresearch-2017-10-12.md").to_str().unwrap(),
            "--json",
        ],
    );
    let docs: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["doc"].as_str().unwrap())
        .collect();
    assert_eq!(docs[0], GR17, "{v}");
    assert!(!docs.contains(&GR19) && !docs.contains(&GR18), "{v}");
    let text = stdout_of(vellum(&store).args(["similar", BLOG]));
    assert!(text.contains(GR19) && text.contains("Q IN D"), "{text}");
    // A file is read as `add` reads it: a Latin-1 copy of the blog finds it.
    let latin1 = store.parent().unwrap().join("blog-latin1.txt");
    let mut bytes = std::fs::read(fixture("blog-repost-2019-02-12.txt")).unwrap();
    bytes.extend_from_slice(b"\n\nUn caf\xe9 cr\xe8me.\n");
    std::fs::write(&latin1, bytes).unwrap();
    let v = json(&store, &["similar", latin1.to_str().unwrap(), "--json"]);
    assert_eq!(v["results"][0]["doc"], BLOG, "{v}");
    // Only boilerplate a named source repeats is left out: texts archived
    // without --source or a URL form no source, so not "every source's".
    let head = text.lines().next().unwrap();
    assert!(!head.contains("every source"), "{head}");
    assert!(head.contains("named by --source"), "{head}");
}

#[test]
fn ignore_boilerplate_hides_what_a_source_repeats() {
    let (_tmp, store) = five();
    let out = stdout_of(vellum(&store).args(["diff", GR17, GR18, "--full"]));
    assert!(out.contains("original source of this article") && out.contains("Disclaimer"));
    let out =
        stdout_of(vellum(&store).args(["diff", GR17, GR18, "--full", "--ignore-boilerplate"]));
    // In all three Global Research articles (give or take the year): hidden.
    assert!(!out.contains("original source of this article"), "{out}");
    assert!(!out.contains("Disclaimer"), "{out}");
    assert!(out.contains("Raqqah"), "{out}");
    // Two files: boilerplate needs a store to learn from.
    let tmp = tempfile::tempdir().unwrap();
    vellum(&tmp.path().join("none"))
        .args(["diff", "--ignore-boilerplate"])
        .arg(fixture("globalresearch-2017-10-12.md"))
        .arg(fixture("globalresearch-2018-11-24.md"))
        .assert()
        .code(2);
}

#[test]
fn the_index_is_a_cache_rebuilt_when_damaged_and_kept_in_memory_when_read_only() {
    let (_tmp, store) = five();
    let index = store.join("similar.sqlite");
    assert!(index.is_file());
    let before = json(&store, &["stories", "--json"]);
    std::fs::write(&index, b"garbage garbage garbage garbage garbage garbage").unwrap();
    let _ = std::fs::remove_file(store.join("similar.sqlite-wal"));
    assert_eq!(json(&store, &["stories", "--json"]), before);
    std::fs::remove_file(&index).unwrap();
    vellum(&store).arg("reindex").assert().success();
    assert!(index.is_file());
    assert_eq!(json(&store, &["stories", "--json"]), before);
    // A store this process cannot write: the index is built in memory.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["similar.sqlite", "similar.sqlite-wal", "similar.sqlite-shm"] {
            let _ = std::fs::remove_file(store.join(f));
        }
        let mode = |m| std::fs::set_permissions(&store, std::fs::Permissions::from_mode(m));
        mode(0o555).unwrap();
        let writable = std::fs::write(store.join("probe"), b"x").is_ok();
        if !writable {
            assert_eq!(json(&store, &["stories", "--json"]), before);
            assert!(!index.exists());
        }
        mode(0o755).unwrap();
    }
}

#[test]
fn collate_lines_up_a_story_in_terminal_json_and_html() {
    let (_tmp, store) = five();
    let v = json(&store, &["stories", "--json"]);
    let id = v["stories"][0]["id"].as_str().unwrap().to_owned();
    let c = json(&store, &["collate", &id, "--json", "--ignore-boilerplate"]);
    let copies: Vec<&str> = c["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["doc"].as_str().unwrap())
        .collect();
    assert_eq!(copies, [BLOG, GR19]);
    let rows = c["rows"].as_array().unwrap();
    let states = |r: &Value| -> Vec<String> {
        r["cells"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["state"].as_str().unwrap().to_owned())
            .collect()
    };
    // The "outskirt" paragraph is a variant in the Global Research copy, its
    // later paragraphs absent from the blog's, the blog's footer from it.
    let outskirt = rows
        .iter()
        .find(|r| r["reading"].as_str().unwrap().contains("outskirt of"))
        .unwrap();
    assert_eq!(states(outskirt), ["present", "variant"]);
    assert!(
        outskirt["cells"][1]["ops"]
            .to_string()
            .contains("outskirts")
    );
    assert!(rows.iter().any(|r| states(r) == ["absent", "present"]));
    assert!(rows.iter().any(|r| states(r) == ["present", "absent"]
        && r["reading"].as_str().unwrap().contains("Lees verder")));
    assert!(
        rows.iter()
            .filter(|r| states(r) == ["present", "present"])
            .count()
            >= 4
    );
    let html = stdout_of(vellum(&store).args(["collate", &id, "--format", "html"]));
    assert!(html.starts_with("<!DOCTYPE html>") && !html.contains("<script"));
    assert!(
        html.contains("<del>outskirt</del>") || html.contains("<ins>outskirts</ins>"),
        "{html}"
    );
    assert!(
        !html.contains("<u>South Front</u>"),
        "markup in the texts is escaped"
    );
    assert_eq!(c["lineage"]["source"], 1);
    let text = stdout_of(vellum(&store).args(["collate", BLOG, GR19]));
    assert!(
        text.contains("suggested: globalresearch-2019-02-12@1 is the likely source"),
        "{text}"
    );
    assert!(
        text.contains("[-outskirt-]") && text.contains("{+outskirts+}"),
        "{text}"
    );
    // One copy is nothing to collate: exit 2, with what to do.
    vellum(&store)
        .args(["collate", ZAMAN])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("two copies"));
}

#[test]
fn similar_and_stories_never_cut_a_document_name() {
    let (_tmp, store) = five();
    let long = "a-blog-with-a-long-name-that-reposts-the-article-2019";
    vellum(&store)
        .args(["add", "--source", "Another blog", "--doc", long])
        .arg(fixture("blog-repost-2019-02-12.txt"))
        .assert()
        .success();
    let similar = stdout_of(vellum(&store).args(["similar", BLOG]));
    assert!(similar.contains(long), "{similar}");
    let stories = stdout_of(vellum(&store).args(["stories"]));
    assert!(stories.contains(long), "{stories}");
}
