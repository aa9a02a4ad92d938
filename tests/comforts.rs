//! Issue 9's comforts, through the real binary: times as people type them,
//! `diff` with stdin, batches that report every bad line, the pager,
//! progress, completions and man pages, palettes, store discovery, `--json`.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::*;
use predicates::prelude::*;

const T1: &str = "2019-02-12T12:56:00Z";

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// `vellum` with no `--store`: the store is found from the environment.
fn bare() -> Command {
    let mut cmd = Command::cargo_bin("vellum").unwrap();
    cmd.env_remove("VELLUM_STORE")
        .env_remove("VELLUM_PALETTE")
        .env("NO_COLOR", "1");
    cmd
}

// ---- times ---------------------------------------------------------------

#[test]
fn at_accepts_dates_local_forms_and_rfc3339_and_prints_utc_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("zamanalwasl-france-deal.txt");
    for (at, want) in [
        ("2019-02-12", "2019-02-12T00:00:00Z"),
        ("2019-02-12T12:56", "2019-02-12T12:56:00Z"),
        ("2019-02-12 12:56:00+01:00", "2019-02-12T11:56:00Z"),
        ("2019-02-12T12:56:00-05:00", "2019-02-12T17:56:00Z"),
        // Sub-second digits are kept in the record, but never printed.
        ("2019-02-13T01:02:03.75Z", "2019-02-13T01:02:03Z"),
    ] {
        let out = stdout_of(
            vellum(tmp.path())
                .args(["add", "--json", "--doc", "t", "--at", at])
                .arg(&f),
        );
        assert_eq!(json(&out)["captured_at"], want, "--at {at}");
    }
    let log = stdout_of(vellum(tmp.path()).args(["log", "--json"]));
    assert_eq!(json(&log)["last"], "2019-02-13T01:02:03Z");

    vellum(tmp.path())
        .args(["add", "--doc", "t", "--at", "yesterday"])
        .arg(&f)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid time \"yesterday\"").and(
            predicate::str::contains("2019-02-12T12:56").and(predicate::str::contains("UTC")),
        ));
    vellum(tmp.path())
        .args(["add", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("a time without a zone is UTC"));
}

#[test]
fn now_is_kept_to_the_second() {
    let tmp = tempfile::tempdir().unwrap();
    let out = stdout_of(
        vellum(tmp.path())
            .args(["add", "--json", "--doc", "n"])
            .arg(fixture("zamanalwasl-france-deal.txt")),
    );
    let shown = json(&out)["captured_at"].as_str().unwrap().to_owned();
    assert_eq!(shown.len(), "2019-02-12T12:56:00Z".len(), "{shown}");
    // The record itself has no fraction of a second either.
    let meta = stdout_of(vellum(tmp.path()).args(["show", "n", "--meta"]));
    assert_eq!(json(&meta)["captured_at"], shown.as_str());
}

// ---- diff with stdin and missing files ----------------------------------

#[test]
fn diff_reads_either_side_from_stdin() {
    let (_tmp, store) = sample_copy();
    let latest = stdout_of(vellum(&store).args(["show", PAIR_DOC]));
    vellum(&store)
        .args(["diff", PAIR_DOC, "-"])
        .write_stdin(latest.clone())
        .assert()
        .code(0);
    let out = vellum(&store)
        .args(["diff", "-", PAIR_DOC, "--json"])
        .write_stdin(format!("{latest}\nA paragraph only the live page has.\n"))
        .assert()
        .code(1);
    let v = json(&String::from_utf8_lossy(&out.get_output().stdout));
    assert_eq!(v["old"]["label"], "-");
    assert_eq!(v["stats"]["words_removed"], 7, "{}", v["stats"]);
    vellum(&store)
        .args(["diff", "-", "-"])
        .write_stdin("x")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only one side"));
}

#[test]
fn diff_json_is_format_json() {
    let (_tmp, store) = sample_copy();
    let a = stdout_of(vellum(&store).args(["diff", PAIR_DOC, "--json"]));
    let b = stdout_of(vellum(&store).args(["diff", PAIR_DOC, "--format", "json"]));
    assert_eq!(a, b);
    json(&a);
}

#[test]
fn diff_of_a_missing_file_names_the_file_not_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("b.txt"), "b").unwrap();
    bare()
        .current_dir(tmp.path())
        .args(["diff", "a.txt", "b.txt"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("cannot read a.txt: no such file")
                .and(predicate::str::contains("no vellum store").not()),
        );
    // With a store too, a missing file that is no address is a missing file.
    let (_t, store) = sample_copy();
    vellum(&store)
        .current_dir(tmp.path())
        .args(["diff", "b.txt", "a.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read a.txt: no such file"));
}

// ---- batches ---------------------------------------------------------------

#[test]
fn every_bad_batch_line_is_reported_once_in_plain_words_and_the_good_ones_archived() {
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("never");
    let good = fixture("zamanalwasl-france-deal.txt");
    let mut lines = vec![format!("{{\"path\": {good:?}, \"doc\": \"ok\"}}")];
    lines
        .push(r#"{"path": "a.md", "doc": "a", "captured_at": "tomorrow", "colour": "red"}"#.into());
    lines.push(r#"{"doc": "b""#.into());
    for i in 0..23 {
        lines.push(format!("{{\"path\": {good:?}, \"doc\": \"Bad {i}\"}}"));
    }
    let batch = tmp.path().join("b.jsonl");
    std::fs::write(&batch, lines.join("\n")).unwrap();
    // Each line on its own: the good one is archived, the bad ones
    // reported; exit 1 says some were not archived.
    let out = vellum(&store)
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("ok@1 "));
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    // Line 2 has two problems, each on its own line under its field.
    assert!(
        err.contains("batch line 2: captured_at: invalid time \"tomorrow\""),
        "{err}"
    );
    assert!(
        err.contains("batch line 2: colour: unknown key; the known keys are path, doc, captured_at, url, source, title, meta"),
        "{err}"
    );
    assert!(
        err.contains("batch line 3: the JSON object is cut short"),
        "{err}"
    );
    assert!(
        err.contains("batch line 4: doc: invalid document name"),
        "{err}"
    );
    // 25 bad lines: the first 20 shown, the rest counted.
    assert!(
        err.contains("batch line 21:") && !err.contains("batch line 22:"),
        "{err}"
    );
    assert!(err.contains("and 5 more input(s) not archived"), "{err}");
    assert_eq!(err.matches("batch line 4:").count(), 1, "{err}");
    assert!(
        err.contains("25 of 26 input(s) not archived; the others are archived"),
        "{err}"
    );
    for jargon in ["expected", "ident", "`"] {
        assert!(!err.contains(jargon), "jargon {jargon:?}: {err}");
    }
    // A batch of bad lines only archives nothing, and creates no store.
    std::fs::write(&batch, lines[1..].join("\n")).unwrap();
    let other = tmp.path().join("none");
    vellum(&other)
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "25 of 25 input(s) not archived; nothing was archived",
        ));
    assert!(!other.exists(), "a failed batch created a store");
}

#[test]
fn batch_doc_defaults_and_meta_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("zamanalwasl-france-deal.txt");
    let batch = tmp.path().join("b.jsonl");
    std::fs::write(
        &batch,
        format!(
            "{{\"path\": {f:?}, \"captured_at\": \"2019-02-12\", \"meta\": {{\"job\": \"crawl-42\", \"archive\": \"https://web.archive.org/x\"}}}}\n\
             {{\"path\": {f:?}, \"url\": \"https://www.example.org/a/b\", \"captured_at\": \"{T1}\"}}\n"
        ),
    )
    .unwrap();
    let store = tmp.path().join("s");
    let out = stdout_of(vellum(&store).args(["add", "--batch"]).arg(&batch));
    let docs: Vec<&str> = out.lines().map(|l| l.split('@').next().unwrap()).collect();
    assert_eq!(
        docs,
        ["zamanalwasl-france-deal", "example-org-a-b"],
        "{out}"
    );
    let meta = json(&stdout_of(vellum(&store).args([
        "show",
        "zamanalwasl-france-deal",
        "--meta",
    ])));
    assert_eq!(meta["meta"]["job"], "crawl-42");
    assert_eq!(meta["meta"]["archive"], "https://web.archive.org/x");
    assert_eq!(meta["captured_at"], "2019-02-12T00:00:00Z");
    // Without meta, the record has no meta key at all (ids of old stores hold).
    let other = json(&stdout_of(vellum(&store).args([
        "show",
        "example-org-a-b",
        "--meta",
    ])));
    assert!(other.get("meta").is_none(), "{other}");
}

#[test]
fn bundled_store_still_verifies_and_its_records_have_no_meta() {
    let (_tmp, store) = sample_copy();
    vellum(&store).arg("verify").assert().code(0);
    let meta = json(&stdout_of(
        vellum(&store).args(["show", PAIR_DOC, "--meta"]),
    ));
    assert!(meta.get("meta").is_none(), "{meta}");
}

// ---- add - with empty stdin -----------------------------------------------

#[test]
fn empty_stdin_is_archived_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    vellum(tmp.path())
        .args(["add", "-", "--doc", "e", "--at", T1])
        .write_stdin("")
        .assert()
        .success()
        .stdout(predicate::str::starts_with("e@1 "))
        .stderr(predicate::str::contains(
            "warning: standard input was empty",
        ));
    vellum(tmp.path())
        .args(["show", "e"])
        .assert()
        .success()
        .stdout("");
}

// ---- store discovery ---------------------------------------------------------

#[test]
fn the_store_enclosing_the_current_directory_is_found() {
    let (tmp, store) = sample_copy();
    let below = store.join("objects/packs");
    bare()
        .current_dir(&below)
        .args(["show", PAIR_DOC])
        .assert()
        .success();
    // $VELLUM_STORE comes before the enclosing store, --store before both.
    let empty = tmp.path().join("empty");
    bare().args(["init"]).arg(&empty).assert().success();
    bare()
        .current_dir(&below)
        .env("VELLUM_STORE", &empty)
        .args(["show", PAIR_DOC])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no document or capture"));
    bare()
        .current_dir(&below)
        .env("VELLUM_STORE", &empty)
        .arg("--store")
        .arg(&store)
        .args(["show", PAIR_DOC])
        .assert()
        .success();
    // Outside any store: ./store, which is missing here.
    bare()
        .current_dir(tmp.path().join("empty").parent().unwrap().parent().unwrap())
        .args(["log"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no vellum store at store"));
}

// ---- completions and man pages ------------------------------------------------

#[test]
fn completions_for_four_shells_and_man_pages() {
    let tmp = tempfile::tempdir().unwrap();
    for (shell, mark) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef vellum"),
        ("fish", "complete -c vellum"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = stdout_of(bare().args(["completions", shell]));
        assert!(out.contains(mark), "{shell}: {out}");
        assert!(out.contains("verify"), "{shell} completes commands");
    }
    bare().args(["completions", "tcsh"]).assert().code(2);
    let page = stdout_of(bare().arg("man"));
    assert!(
        page.contains(".TH vellum 1") && page.contains("reindex"),
        "{page}"
    );
    let dir = tmp.path().join("man1");
    bare().arg("man").arg(&dir).assert().success();
    for cmd in [
        "",
        "-add",
        "-diff",
        "-show",
        "-log",
        "-verify",
        "-completions",
    ] {
        let p = dir.join(format!("vellum{cmd}.1"));
        let text = std::fs::read_to_string(&p).unwrap_or_else(|_| panic!("{}", p.display()));
        assert!(
            text.starts_with(".ie") && text.contains(".TH"),
            "{}",
            p.display()
        );
    }
    let diff_page = std::fs::read_to_string(dir.join("vellum-diff.1")).unwrap();
    assert!(diff_page.contains("ignore\\-markup"), "{diff_page}");
}

/// Completion leaves out hidden options and commands (clap alone offers
/// them), and every argument that takes a document completes document names.
#[test]
fn completion_offers_documents_and_no_hidden_option() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = stdout_of(bare().args(["completions", shell]));
        // `search --repeat` (hidden): bash names it, the others show its help.
        for hidden in ["--repeat", "p50/p99", "complete-docs'", "VELLUM-DOCUMENT"] {
            assert!(!out.contains(hidden), "{shell} offers {hidden}");
        }
        assert!(out.contains("max-count"), "{shell}");
    }
    // show, log, diff (both sides), similar, proof, export, reextract,
    // collate and search --doc.
    let zsh = stdout_of(bare().args(["completions", "zsh"]));
    let marked =
        zsh.matches(":_vellum_docs'").count() + zsh.matches(":_vellum_docs_or_files'").count();
    assert_eq!(marked, 10, "{zsh}");
}

// ---- palettes ------------------------------------------------------------------

#[test]
fn deletions_and_insertions_differ_by_more_than_red_and_green() {
    let (_tmp, store) = sample_copy();
    let colored = |extra: &[&str], palette: Option<&str>| {
        let mut cmd = vellum(&store);
        cmd.env_remove("VELLUM_PALETTE");
        if let Some(p) = palette {
            cmd.env("VELLUM_PALETTE", p);
        }
        stdout_of(
            cmd.args(["--color", "always", "diff", PAIR_DOC])
                .args(extra),
        )
    };
    let default = colored(&[], None);
    assert!(
        default.contains("\x1b[31m\x1b[9m"),
        "deletions struck through"
    );
    assert!(default.contains("\x1b[32m\x1b[4m"), "insertions underlined");
    for out in [
        colored(&[], Some("colorblind")),
        colored(&["--palette", "colorblind"], None),
        colored(&["--palette", "colorblind"], Some("red-green")),
    ] {
        assert!(!out.contains("\x1b[31m") && !out.contains("\x1b[32m"));
        assert!(out.contains("\x1b[38;5;208m\x1b[9m") && out.contains("\x1b[38;5;33m\x1b[4m"));
    }
    // Without color: the plain markers, whatever the palette.
    let plain = stdout_of(
        vellum(&store)
            .env("VELLUM_PALETTE", "colorblind")
            .args(["diff", PAIR_DOC]),
    );
    assert!(plain.contains("{+") && !plain.contains('\x1b'));
    vellum(&store)
        .env("VELLUM_PALETTE", "rainbow")
        .args(["diff", PAIR_DOC])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("VELLUM_PALETTE"));
}

// ---- pager -----------------------------------------------------------------------

/// A pager script that copies what it is given into `log`.
fn recording_pager(dir: &Path) -> (String, std::path::PathBuf) {
    let log = dir.join("paged.txt");
    (format!("cat > '{}'", log.display()), log)
}

#[test]
fn piped_output_never_goes_through_the_pager() {
    let (tmp, store) = sample_copy();
    let (pager, log) = recording_pager(tmp.path());
    for args in [vec!["show", PAIR_DOC], vec!["diff", PAIR_DOC]] {
        let out = vellum(&store)
            .env("VELLUM_PAGER", &pager)
            .env("PAGER", &pager)
            .args(&args)
            .output()
            .unwrap();
        assert!(!out.stdout.is_empty(), "{args:?}");
    }
    assert!(!log.exists(), "a pager ran although stdout was a pipe");
}

/// Runs `vellum ARGS` with stdout on a terminal, through util-linux `script`.
/// `None` when `script` is not available here.
fn on_a_terminal(store: &Path, pager: &str, args: &str) -> Option<std::process::Output> {
    let probe = std::process::Command::new("script")
        .arg("--version")
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: util-linux `script` is not installed");
        return None;
    }
    let bin = assert_cmd::cargo::cargo_bin("vellum");
    let cmd = format!("'{}' --store '{}' {args}", bin.display(), store.display());
    Some(
        std::process::Command::new("script")
            .args(["-qec", &cmd, "/dev/null"])
            .env("VELLUM_PAGER", pager)
            .env("NO_COLOR", "1")
            .env_remove("VELLUM_STORE")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap(),
    )
}

#[test]
fn output_on_a_terminal_goes_through_the_pager_unless_no_pager() {
    let (tmp, store) = sample_copy();
    let (pager, log) = recording_pager(tmp.path());
    let Some(out) = on_a_terminal(&store, &pager, &format!("show {PAIR_DOC}")) else {
        return;
    };
    assert!(out.status.success(), "{out:?}");
    let want = stdout_of(vellum(&store).args(["show", PAIR_DOC]));
    assert_eq!(std::fs::read_to_string(&log).unwrap(), want);
    std::fs::remove_file(&log).unwrap();

    let out = on_a_terminal(&store, &pager, &format!("--no-pager diff {PAIR_DOC}")).unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(!log.exists(), "--no-pager still paged");
    assert!(String::from_utf8_lossy(&out.stdout).contains("outskirts"));
}

// ---- progress and --quiet ------------------------------------------------------

#[test]
fn progress_and_notes_stay_off_pipes_and_quiet_silences_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let f = fixture("zamanalwasl-france-deal.txt");
    let batch = tmp.path().join("b.jsonl");
    let lines: Vec<String> = (0..50)
        .map(|i| format!("{{\"path\": {f:?}, \"doc\": \"d{i}\", \"captured_at\": \"{T1}\"}}"))
        .collect();
    std::fs::write(&batch, lines.join("\n")).unwrap();
    let out = vellum(&tmp.path().join("s"))
        .args(["add", "--batch"])
        .arg(&batch)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        !err.contains('\r') && !err.contains("archiving captures"),
        "{err}"
    );
    assert!(err.contains("created a new store"), "{err}");
    vellum(&tmp.path().join("q"))
        .args(["--quiet", "add", "--doc", "x", "--at", T1])
        .arg(&f)
        .assert()
        .success()
        .stderr("");
    vellum(&tmp.path().join("s"))
        .args(["-q", "verify"])
        .assert()
        .success()
        .stderr("");
}

// ---- --json everywhere ------------------------------------------------------------

#[test]
fn every_command_that_prints_data_takes_json() {
    let (tmp, store) = sample_copy();
    let show = json(&stdout_of(
        vellum(&store).args(["show", PAIR_DOC, "--json"]),
    ));
    let text = stdout_of(vellum(&store).args(["show", PAIR_DOC]));
    assert_eq!(show["text"], text.as_str());
    assert_eq!(show["doc"], PAIR_DOC);
    assert_eq!(show["version"], 2);
    assert_eq!(show["capture"].as_str().unwrap().len(), 64);

    let r = json(&stdout_of(vellum(&store).args(["reindex", "--json"])));
    assert_eq!(r["captures"], 5);
    let i = json(&stdout_of(
        bare().args(["init", "--json"]).arg(tmp.path().join("new")),
    ));
    assert_eq!(i["created"], true);
    let i = json(&stdout_of(
        bare().args(["init", "--json"]).arg(tmp.path().join("new")),
    ));
    assert_eq!(i["created"], false);
    for args in [
        vec!["verify", "--json"],
        vec!["log", "--json"],
        vec!["diff", PAIR_DOC, "--json"],
    ] {
        let out = stdout_of(vellum(&store).args(&args));
        for line in out.lines() {
            json(line);
        }
    }
}
