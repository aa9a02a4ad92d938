//! What a front end asks of an archive: documents with their counts, a
//! document's versions with word statistics, a version's text and record,
//! the diff of two addresses with their metadata. The CLI parses, calls
//! these and renders; the web view calls the same functions.
//!
//! An [`Archive`] is `Send` but not `Sync` (its catalog is one SQLite
//! connection): a server opens one per worker thread. Opening reads the
//! marker and opens the catalog; nothing is scanned.

pub mod batch;
pub mod checks;
mod collation;
mod compare;
mod filter;
pub mod items;
mod log;
mod memento_time;
pub mod mementos;
pub mod paging;
mod proofs;
mod read;
mod similar;
mod versions;

pub use collation::{CollateError, CollatedCopy, Collation, collation};
pub use compare::{
    CompareError, ReadAs, SideText, archived_text, diff_sides, diff_texts, given_file, given_text,
    named_side, names_file,
};
pub use filter::{DocumentFilter, document_summary, documents_filtered};
pub use proofs::{ProofQueryError, inclusion_proof, log_root};

pub use log::{
    Boilerplate, CaptureSighting, VersionQuery, VersionRow, Window, captures_in, documents_in,
    flagged_in, scored, significance_of, versions_matching,
};
pub use read::{
    AddressDiff, Content, Read, Shown, Side, VersionText, change, diff_addresses, documents,
    documents_titled, previous, read, read_resolved, read_shown, record, resolve, side, text,
    text_title, title, version, words,
};
pub use similar::{SimilarError, SimilarTarget, similar_to, story_of};
pub use versions::{VersionStats, versions, versions_of};

/// Whether an argument is an http(s) URL (the scheme in any case): the
/// one test every front end uses, that of the address parser.
pub use crate::store::is_url;

#[cfg(test)]
mod tests {
    use super::*;

    use crate::diff::DiffOptions;
    use crate::store::backend::MemBackend;
    use crate::store::{Address, Archive, CaptureText, NewCapture};

    fn capture(n: i64, text: &str) -> NewCapture {
        NewCapture {
            doc: "a".parse().unwrap(),
            captured_at: time::macros::datetime!(2019-02-12 12:00 UTC) + time::Duration::hours(n),
            bytes: text.as_bytes().to_vec(),
            media_type: "text/plain".into(),
            text: CaptureText::Bytes,
            url: Some(format!("https://example.org/{n}")),
            source: Some("site".into()),
            title: Some(format!("Title {n}")),
            meta: Default::default(),
        }
    }

    #[test]
    fn versions_with_stats_and_a_diff_with_metadata() {
        let (_tmp, archive) = in_memory();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(0, "one two three")).unwrap();
        w.add(capture(1, "one two four five")).unwrap();
        let added = w.prepare().unwrap();
        crate::capture::cache_stats(w.archive(), &added).unwrap();
        w.commit().unwrap();
        let docs = documents(&archive).unwrap();
        assert_eq!((docs.len(), docs[0].versions), (1, 2));
        let v = versions(&archive, "a").unwrap();
        assert_eq!(v[0].words, Some(3));
        assert_eq!((v[1].words, v[1].change), (Some(4), Some((2, 1))));
        let old: Address = "a@1".parse().unwrap();
        let new: Address = "a@2".parse().unwrap();
        let d = diff_addresses(&archive, &old, &new, &DiffOptions::default()).unwrap();
        assert_eq!(d.old.url.as_deref(), Some("https://example.org/0"));
        assert_eq!(d.new.title.as_deref(), Some("Title 1"));
        assert_eq!(
            (d.diff.stats.words_added, d.diff.stats.words_removed),
            (2, 1)
        );
        let t = version(&archive, &new).unwrap();
        assert_eq!(
            t.text.as_deref().map(Vec::as_slice),
            Some(&b"one two four five"[..])
        );
        assert_eq!(t.record.source.as_deref(), Some("site"));
    }

    fn in_memory() -> (tempfile::TempDir, Archive) {
        let tmp = tempfile::tempdir().unwrap();
        let (archive, _) =
            Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
        (tmp, archive)
    }

    /// Version 1 of `a`, a text file, and version 2, a page with its text.
    fn add_two(w: &mut crate::store::Writer<'_>) {
        w.add(capture(0, "one two three")).unwrap();
        let mut html = capture(1, "<p>one two</p>");
        html.text = CaptureText::Extracted("one two".into());
        w.add(html).unwrap();
    }

    #[test]
    fn read_gives_text_or_raw_bytes_and_previous_walks_back() {
        let (_tmp, archive) = in_memory();
        let mut w = archive.writer(&mut || {}).unwrap();
        add_two(&mut w);
        w.commit().unwrap();
        let latest: Address = "a".parse().unwrap();
        let text = read(&archive, &latest, Content::Text).unwrap();
        assert_eq!(text.bytes.as_slice(), b"one two");
        assert_eq!((text.resolved.version, text.row.doc.as_str()), (2, "a"));
        let raw = read(&archive, &latest, Content::Raw).unwrap();
        assert_eq!(raw.bytes.as_slice(), b"<p>one two</p>");
        let prev = previous(&text.resolved).expect("version 2 has a version before it");
        assert_eq!((prev.version, prev.label.as_str()), (1, "a@1"));
        assert!(previous(&prev).is_none());
        let (side, bytes) = side(&archive, prev).unwrap();
        assert_eq!(bytes.as_slice(), b"one two three");
        assert_eq!(side.url.as_deref(), Some("https://example.org/0"));
        let (r, rec) = record(&archive, &latest).unwrap();
        assert_eq!(
            (r.capture, rec.title.as_deref()),
            (raw.row.id, Some("Title 1"))
        );
        let missing: Address = "b".parse().unwrap();
        assert!(read(&archive, &missing, Content::Text).is_err());
    }

    #[test]
    fn read_shown_gives_what_read_gives() {
        let (_tmp, archive) = in_memory();
        let mut w = archive.writer(&mut || {}).unwrap();
        add_two(&mut w);
        // A restored text, seen twice, and a capture that is no version's.
        w.add(capture(2, "one two three")).unwrap();
        w.add(capture(3, "one two three")).unwrap();
        w.add_flagged(capture(4, "not the article"), "test".into())
            .unwrap();
        w.commit().unwrap();
        let history = archive.history("a").unwrap();
        assert_eq!((history.versions.len(), history.captures.len()), (3, 5));
        let mut addrs: Vec<String> = ["a", "a@1", "a@2", "a@3", "a@-1"].map(String::from).into();
        addrs.extend(history.captures.iter().map(|(id, _, _)| id.to_string()));
        for addr in &addrs {
            let parsed: Address = addr.parse().unwrap();
            for content in [Content::Text, Content::Raw] {
                let full = read(&archive, &parsed, content).unwrap();
                let shown = read_shown(&archive, &parsed, content).unwrap();
                assert_eq!(
                    (shown.resolved.capture, shown.resolved.version, &shown.bytes),
                    (full.resolved.capture, full.resolved.version, &full.bytes),
                    "{addr} {content:?}"
                );
            }
        }
        let flagged = history.captures.last().unwrap();
        assert_eq!(flagged.2, 0, "the flagged capture is no version's");
        let missing: Address = "b".parse().unwrap();
        assert!(read_shown(&archive, &missing, Content::Text).is_err());
    }

    #[test]
    fn filtered_versions_and_documents() {
        let (_tmp, archive) = in_memory();
        let mut w = archive.writer(&mut || {}).unwrap();
        w.add(capture(0, "The truce holds.")).unwrap();
        w.add(capture(1, "The truce collapsed.")).unwrap();
        w.add(capture(2, "The TRUCE collapsed.")).unwrap();
        w.commit().unwrap();
        let history = archive.history("a").unwrap();
        let numbers = |q: VersionQuery| -> Vec<u64> {
            versions_matching(&archive, &history, &q, &Boilerplate::none())
                .unwrap()
                .iter()
                .map(|r| r.version.number)
                .collect()
        };
        assert_eq!(numbers(VersionQuery::new()), [1, 2, 3]);
        let last = Window {
            max: Some(1),
            ..Window::default()
        };
        assert_eq!(numbers(VersionQuery::new().window(last.clone())), [3]);
        assert_eq!(
            numbers(VersionQuery::new().pickaxe(Some("collapsed".into()))),
            [2]
        );
        let case = DiffOptions {
            ignore_case: true,
            ..DiffOptions::default()
        };
        assert_eq!(
            numbers(VersionQuery::new().options(case).changes_only(true)),
            [1, 2]
        );
        let docs = documents_in(&archive, &last).unwrap();
        assert_eq!(docs.len(), 1);
        let early = Window {
            until: Some(time::macros::datetime!(2019-02-12 11:00 UTC)),
            ..Window::default()
        };
        assert!(documents_in(&archive, &early).unwrap().is_empty());
    }

    #[test]
    fn an_archive_can_move_to_another_thread() {
        fn send<T: Send>() {}
        send::<Archive>();
    }
}
