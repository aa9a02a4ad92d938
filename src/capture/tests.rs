//! The pipeline run without a server: an in-memory fetcher and store.

use std::sync::atomic::AtomicBool;

use time::macros::datetime;

use super::*;
use crate::error::ErrorKind;
use crate::feed::{ItemOutcome, Rejection, Watcher};
use crate::store::Archive;
use crate::store::backend::MemBackend;

const T: time::OffsetDateTime = datetime!(2019-02-12 12:00 UTC);

fn page(canonical: &str, text: &str) -> Vec<u8> {
    let words: Vec<String> = (0..60).map(|i| format!("{text}{i}")).collect();
    format!(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>T</title>\
         <link rel=canonical href=\"{canonical}\"></head><body><article><h1>T</h1>\
         <p>{}.</p></article></body></html>",
        words.join(" ")
    )
    .into_bytes()
}

fn archive(dir: &std::path::Path) -> Archive {
    Archive::init_with_backend(dir, Box::new(MemBackend::default()))
        .unwrap()
        .0
}

#[test]
fn a_fetched_page_is_named_by_its_canonical_url_and_committed_with_stats() {
    let mut f = MemFetcher::default();
    f.answer(
        "https://news.example/a?utm_source=x",
        200,
        "text/html",
        &page("https://news.example/story", "one"),
    );
    let c = fetch_page(
        &mut f,
        "https://news.example/a?utm_source=x",
        &Options::default(),
        T,
    )
    .unwrap();
    assert_eq!(
        c.extra.canonical_url.as_deref(),
        Some("https://news.example/story")
    );
    let http = c.extra.http.as_ref().unwrap();
    assert_eq!(http.head_reconstructed, Some(true));
    assert!(http.head.starts_with("HTTP/1.1 200 OK\r\n"));
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let mut w = a.writer(&mut || {}).unwrap();
    assert!(stage(&mut w, c).unwrap().is_empty());
    let done = commit(w).unwrap();
    assert_eq!(done.len(), 1);
    assert!(done[0].words.unwrap() >= 60);
    let item = AddedItem::new(&done[0]);
    assert_eq!(item.doc, canon_name("https://news.example/story"));
    assert_eq!(item.status, AddedStatus::New);
    // The schema of the item is generated from the type.
    let schema = serde_json::to_value(schemars::schema_for!(AddedItem)).unwrap();
    assert!(schema["properties"]["renumbered"].is_object());
}

fn canon_name(url: &str) -> String {
    crate::ingest::canon::doc_name_for_url(&url::Url::parse(url).unwrap()).to_string()
}

#[test]
fn a_non_2xx_answer_is_a_typed_error_unless_kept() {
    let mut f = MemFetcher::default();
    f.answer(
        "https://news.example/gone",
        404,
        "text/html",
        b"<p>gone</p>",
    );
    let e = fetch_page(&mut f, "https://news.example/gone", &Options::default(), T).unwrap_err();
    assert!(matches!(e, CaptureError::Status { status: 404, .. }));
    assert_eq!(e.kind(), ErrorKind::NotFound);
    let kept = Options {
        keep_errors: true,
        ..Options::default()
    };
    let c = fetch_page(&mut f, "https://news.example/gone", &kept, T).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let mut w = a.writer(&mut || {}).unwrap();
    let warnings = stage(&mut w, c).unwrap();
    assert!(
        matches!(&warnings[..], [Warning::Flagged { flag, .. }] if flag == "HTTP 404 Not Found")
    );
}

#[test]
fn canonical_urls_on_other_sites_are_not_trusted() {
    let foreign = Some("https://elsewhere.example/x");
    assert_eq!(
        canonical_for(Some("https://news.example/a"), foreign)
            .unwrap()
            .as_str(),
        "https://news.example/a"
    );
    assert_eq!(
        canonical_for(
            Some("https://news.example/a"),
            Some("https://www.news.example/b")
        )
        .unwrap()
        .as_str(),
        "https://www.news.example/b"
    );
    // A saved page with no URL of its own: its declared one.
    assert_eq!(
        canonical_for(None, foreign).unwrap().as_str(),
        "https://elsewhere.example/x"
    );
    assert!(canonical_for(None, None).is_none());
}

#[test]
fn capture_times_in_the_future_need_permission() {
    assert!(check_time(T + FUTURE_SKEW, T, false).is_ok());
    let e = check_time(T + FUTURE_SKEW + time::Duration::SECOND, T, false).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput);
    assert!(check_time(T + time::Duration::days(9000), T, true).is_ok());
}

#[test]
fn an_older_capture_reports_the_versions_it_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let doc: crate::ingest::DocName = "d".parse().unwrap();
    let add = |text: &str, at| {
        let opts = Options {
            doc: Some(doc.clone()),
            at: Some(at),
            ..Options::default()
        };
        let c = from_bytes(text.as_bytes().to_vec(), "d.txt".as_ref(), &opts, T).unwrap();
        let mut w = a.writer(&mut || {}).unwrap();
        stage(&mut w, c).unwrap();
        commit(w).unwrap()
    };
    add("two", T);
    add("three", T + time::Duration::hours(1));
    let done = add("one", T - time::Duration::hours(1));
    assert_eq!(done[0].added.version, 1);
    assert_eq!(
        done[0].renumbered,
        [Moved { from: 1, to: 2 }, Moved { from: 2, to: 3 }]
    );
    let done = add("four", T + time::Duration::hours(2));
    assert!(done[0].renumbered.is_empty());
}

/// Drift 4: the watcher knows why an item failed from a typed result.
#[test]
fn the_watcher_rejects_items_by_typed_results_and_sends_validators() {
    let feed = "https://news.example/feed.xml";
    let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>N</title>\
               <item><link>https://news.example/gone</link></item>\
               <item><link>https://news.example/ok</link></item></channel></rss>";
    let mut f = MemFetcher::default();
    f.answer(feed, 200, "application/rss+xml", rss.as_bytes());
    f.answers
        .get_mut(feed)
        .unwrap()
        .headers
        .push(("etag".into(), "\"v1\"".into()));
    f.answer(
        "https://news.example/gone",
        404,
        "text/html",
        b"<p>gone</p>",
    );
    f.answer(
        "https://news.example/ok",
        200,
        "text/html",
        &page("https://news.example/ok", "ok"),
    );
    let stop = AtomicBool::new(false);
    let mut w = Watcher::new(&mut f, Options::default(), std::time::Duration::ZERO, None).unwrap();
    let links = w.read_feed(feed, &stop).unwrap();
    assert_eq!(links.len(), 2);
    match w.item(feed, &links[0], T, &stop) {
        ItemOutcome::Rejected {
            why: Rejection::Fetch(CaptureError::Status { status: 404, .. }),
            retried: true,
        } => {}
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        w.item(feed, &links[1], T, &stop),
        ItemOutcome::Accepted(_)
    ));
    // The next round: a conditional GET, the archived item not listed, the
    // failed one retried.
    let links = w.read_feed(feed, &stop).unwrap();
    assert_eq!(links, ["https://news.example/gone"]);
    drop(w);
    let sent = &f.asked.iter().rfind(|(u, _)| u == feed).unwrap().1;
    assert!(sent.contains(&("If-None-Match".into(), "\"v1\"".into())));
}

/// A recorded answer (a WARC response) keeps its head byte for byte, and
/// is named as `add URL` names a fetched page.
#[test]
fn a_recorded_answer_keeps_its_head_as_received() {
    let mut f = MemFetcher::default();
    let url = "http://news.example/a";
    f.answer(url, 200, "text/html", &page("/story", "rec"));
    let mut fetched = f.answers[url].clone();
    let raw = "HTTP/1.0 200 OK\r\nServer: Tiny\r\nContent-Type: text/html\r\n\r\n";
    fetched.raw_head = Some(raw.into());
    let c = from_fetched(fetched, url, &Options::default(), T).unwrap();
    let http = c.extra.http.as_ref().unwrap();
    assert_eq!(
        (http.head.as_str(), http.head_reconstructed),
        (raw, Some(false))
    );
    assert_eq!(
        c.capture.doc.to_string(),
        canon_name("http://news.example/story")
    );
}

/// Every derived index catches up through one mechanism to one mark: the
/// archive log's length, after the write was acknowledged.
#[test]
fn derived_indexes_catch_up_to_the_archive_log_after_the_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let commit_one = |text: &str, at| {
        let opts = Options {
            doc: Some("d".parse().unwrap()),
            at: Some(at),
            ..Options::default()
        };
        let c = from_bytes(text.as_bytes().to_vec(), "d.txt".as_ref(), &opts, T).unwrap();
        let mut w = a.writer(&mut || {}).unwrap();
        stage(&mut w, c).unwrap();
        commit(w).unwrap();
    };
    commit_one("first text of the document", T);
    // Committed, acknowledged, and no index has done any work yet.
    for index in derived_indexes() {
        assert_eq!(index.mark(&a), None, "{}", index.name());
    }
    assert!(catch_up(&a, false, &mut |_, _, _| {}).is_empty());
    commit_one("second text of the document", T + time::Duration::hours(1));
    assert!(catch_up(&a, false, &mut |_, _, _| {}).is_empty());
    let (logged, unlogged) = a.log_counts().unwrap();
    assert_eq!((logged, unlogged), (2, 0));
    for index in derived_indexes() {
        assert_eq!(index.mark(&a), Some(2), "{}", index.name());
    }
}

/// A text file's document is titled by its first line (the one title rule).
#[test]
fn a_text_file_s_document_is_titled_by_its_first_line() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let body = b"\n\n# The headline of a text file\n\nIts first paragraph.\n".to_vec();
    let c = from_bytes(
        body,
        std::path::Path::new("notes.txt"),
        &Options::default(),
        T,
    )
    .unwrap();
    let mut w = a.writer(&mut || {}).unwrap();
    stage(&mut w, c).unwrap();
    commit(w).unwrap();
    let docs = crate::query::documents(&a).unwrap();
    assert_eq!(
        docs[0].title.as_deref(),
        Some("The headline of a text file")
    );
}

/// A guessed encoding is kept with its confidence in the record; a guess of
/// low confidence is archived with a warning, never silently.
#[test]
fn a_guessed_encoding_keeps_its_confidence_and_an_unsure_one_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let mut w = a.writer(&mut || {}).unwrap();
    let polish = include_bytes!("../../tests/fixtures/encodings/uchardet/pl-ibm852.txt");
    let sure = from_bytes(
        polish.to_vec(),
        std::path::Path::new("pl.txt"),
        &Options::default(),
        T,
    )
    .unwrap();
    assert_eq!(sure.extra.encoding.as_deref(), Some("IBM852"));
    let confidence = sure.extra.encoding_confidence.unwrap();
    assert!(confidence >= crate::ingest::charset::LOW_CONFIDENCE);
    assert!(stage(&mut w, sure).unwrap().is_empty());
    // Bytes no language explains.
    let garbage = b"\x8f\x90\x9d\x81 \x8d\xff\xfe\n".to_vec();
    let unsure = from_bytes(
        garbage,
        std::path::Path::new("x.txt"),
        &Options::default(),
        T,
    )
    .unwrap();
    let warnings = stage(&mut w, unsure).unwrap();
    assert!(
        matches!(&warnings[..], [Warning::UnsureEncoding { confidence, .. }]
            if *confidence < crate::ingest::charset::LOW_CONFIDENCE),
        "{warnings:?}"
    );
    assert!(warnings[0].to_string().contains("--encoding"));
    // The override is believed: no confidence, no warning.
    let forced = Options {
        forced_encoding: crate::ingest::charset::Charset::for_label("ibm852"),
        ..Options::default()
    };
    let c = from_bytes(polish.to_vec(), std::path::Path::new("p2.txt"), &forced, T).unwrap();
    assert_eq!(c.extra.encoding_confidence, None);
    assert!(stage(&mut w, c).unwrap().is_empty());
    commit(w).unwrap();
}

#[test]
fn a_batch_caches_each_versions_word_stats_as_one_diff_each_gives() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let texts: Vec<String> = (0..9)
        .map(|i| {
            let words: Vec<String> = (0..40 + i * 7)
                .map(|w| format!("w{}", w * (i % 3 + 1)))
                .collect();
            words.join(" ")
        })
        .collect();
    let mut w = a.writer(&mut || {}).unwrap();
    for (i, t) in texts.iter().enumerate() {
        let opts = Options {
            doc: Some("d".parse().unwrap()),
            at: Some(T + time::Duration::hours(i as i64)),
            ..Options::default()
        };
        stage(
            &mut w,
            from_bytes(t.as_bytes().to_vec(), "d.txt".as_ref(), &opts, T).unwrap(),
        )
        .unwrap();
    }
    let done = commit(w).unwrap();
    assert_eq!(done.len(), 9);
    for (i, c) in done.iter().enumerate() {
        assert_eq!(c.words, Some(crate::diff::count_words(&texts[i]) as u64));
        let want = (i > 0).then(|| {
            let d = crate::diff::diff(&texts[i - 1], &texts[i], &Default::default());
            (d.stats.words_added as u64, d.stats.words_removed as u64)
        });
        assert_eq!(c.change, want, "version {}", i + 1);
    }
}

#[test]
fn pairs_diffed_while_staging_give_the_counts_the_commit_would() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    // Three documents' versions, interleaved as a batch has them; every
    // version adds a paragraph and changes one word of the first.
    let texts: Vec<(String, String)> = (0..6)
        .flat_map(|v| {
            (0..3).map(move |d| {
                let paras: Vec<String> = (0..=v)
                    .map(|p| format!("Document {d} paragraph {p} says {} things.", p * 7 + v))
                    .collect();
                (format!("doc-{d}"), paras.join("\n\n"))
            })
        })
        .collect();
    let mut w = a.writer(&mut || {}).unwrap();
    for (i, (doc, text)) in texts.iter().enumerate() {
        let opts = Options {
            doc: Some(doc.parse().unwrap()),
            at: Some(T + time::Duration::hours(i as i64)),
            ..Options::default()
        };
        let c = from_bytes(text.as_bytes().to_vec(), "d.txt".as_ref(), &opts, T).unwrap();
        stage(&mut w, c).unwrap();
    }
    super::prediff::wait();
    let id = |t: &str| crate::id::ObjectId::of(t.as_bytes());
    let pairs: Vec<(&str, &str)> = texts
        .iter()
        .enumerate()
        .filter_map(|(i, (doc, new))| {
            let old = texts[..i].iter().rev().find(|(d, _)| d == doc)?;
            Some((old.1.as_str(), new.as_str()))
        })
        .collect();
    assert_eq!(pairs.len(), 3 * 5);
    if std::thread::available_parallelism().is_ok_and(|n| n.get() > 1) {
        // Worked out while staging (a few may have found the queue full of
        // other tests' pairs).
        let ahead = pairs
            .iter()
            .filter(|(o, n)| super::prediff::peek(&id(o), &id(n)).is_some())
            .count();
        assert!(ahead > 0, "no pair diffed ahead");
    }
    let done = commit(w).unwrap();
    assert_eq!(done.len(), texts.len());
    for (old, new) in &pairs {
        let d = crate::diff::diff(old, new, &Default::default());
        let (added, removed) = (d.stats.words_added as u64, d.stats.words_removed as u64);
        assert!(added > 0 && removed > 0);
        assert_eq!(
            a.cached_change(&id(old), &id(new)).unwrap(),
            Some((added, removed))
        );
        let words = crate::diff::count_words(new) as u64;
        assert_eq!(a.cached_words(&id(new)).unwrap(), Some(words));
        let c = done.iter().find(|c| c.added.text == Some(id(new))).unwrap();
        assert_eq!((c.words, c.change), (Some(words), Some((added, removed))));
    }
    // Taken by the commit: nothing is left for a later one.
    assert!(
        pairs
            .iter()
            .all(|(o, n)| super::prediff::peek(&id(o), &id(n)).is_none())
    );
}

/// A batch too large for the search snapshot: the search index catches up
/// on a second thread from a second opening of the store, beside the
/// others; every index ends at the log's length and search finds the
/// batch's first and last texts.
#[test]
fn a_large_batch_catches_the_search_index_up_beside_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let a = Archive::init(tmp.path()).unwrap().0;
    let n = super::commit_protocol::SEARCH_SNAPSHOT_TEXTS + 6;
    let mut w = a.writer(&mut || {}).unwrap();
    for i in 0..n {
        let opts = Options {
            doc: Some(format!("d{}", i % 5).parse().unwrap()),
            at: Some(T + time::Duration::hours(i as i64)),
            ..Options::default()
        };
        let text = format!("Text number {i} of the batch, word marker{i}x.\n\nA second paragraph.");
        let c = from_bytes(text.into_bytes(), "d.txt".as_ref(), &opts, T).unwrap();
        stage(&mut w, c).unwrap();
    }
    commit(w).unwrap();
    assert!(catch_up(&a, false, &mut |_, _, _| {}).is_empty());
    let logged = a.log_counts().unwrap().0 as u64;
    assert_eq!(logged, n as u64);
    for index in derived_indexes() {
        assert_eq!(index.mark(&a), Some(logged), "{}", index.name());
    }
    for word in ["marker0x".to_owned(), format!("marker{}x", n - 1)] {
        let q = crate::search::SearchQuery {
            text: word.clone(),
            doc: None,
            all_versions: true,
            limit: 0,
        };
        let hits = crate::search::search(&a, &q).unwrap();
        assert_eq!(hits.len(), 1, "{word}");
    }
}
