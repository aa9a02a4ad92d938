//! Real revision pairs from outside the project (see
//! `tests/fixtures/revisions/README.md`): the ops rebuild both texts under
//! every option, and the diff says what changed in words a reader expects.
//! Their speed against git is measured by `scripts/bench-diff.sh`.

use vellum::diff::{DiffOptions, OpTag, diff};

const OLD: &str = include_str!("fixtures/revisions/dmp-speedtest1.txt");
const NEW: &str = include_str!("fixtures/revisions/dmp-speedtest2.txt");

fn options() -> impl Iterator<Item = DiffOptions> {
    (0..16u8).map(|bits| DiffOptions {
        ignore_case: bits & 1 != 0,
        ignore_whitespace: bits & 2 != 0,
        ignore_typography: bits & 4 != 0,
        ignore_markup: bits & 8 != 0,
        ..DiffOptions::default()
    })
}

#[test]
fn wikipedia_revisions_rebuild_both_ways_under_every_option() {
    for opts in options() {
        for (a, b) in [(OLD, NEW), (NEW, OLD)] {
            let d = diff(a, b, &opts);
            assert_eq!(d.old_text(), a, "{opts:?}");
            assert_eq!(d.new_text(), b, "{opts:?}");
            assert!(!d.fallback, "{opts:?}");
            for m in &d.moves {
                let side = |skip: OpTag| -> String {
                    m.ops
                        .iter()
                        .filter(|o| o.op != skip)
                        .map(|o| o.text.as_str())
                        .collect()
                };
                let ends: Vec<&str> = d
                    .ops
                    .iter()
                    .filter(|o| o.move_id == Some(m.id))
                    .map(|o| o.text.as_str())
                    .collect();
                assert_eq!(ends.len(), 2, "{m:?}");
                assert!(ends.iter().any(|e| e.contains(&side(OpTag::Insert))));
                assert!(ends.iter().any(|e| e.contains(&side(OpTag::Delete))));
            }
        }
    }
}

#[test]
fn wikipedia_revisions_show_their_edits() {
    let d = diff(OLD, NEW, &DiffOptions::default());
    // The first paragraph's reference changed its link and date: shown as
    // those words, not the paragraph replaced.
    let changed = |tag: OpTag| -> Vec<&str> {
        d.ops
            .iter()
            .filter(|o| o.op == tag && !o.ignored)
            .map(|o| o.text.as_str())
            .collect()
    };
    let (deleted, inserted) = (changed(OpTag::Delete), changed(OpTag::Insert));
    for (old, new) in [
        (
            "http://www.journalregister.com/newspapers.html",
            "http://www.journalregister.com/publications.html",
        ),
        ("February 10, 2008", "April 21, 2010"),
    ] {
        assert!(
            deleted.iter().any(|t| t.contains(old)),
            "{old}: {deleted:?}"
        );
        assert!(
            inserted.iter().any(|t| t.contains(new)),
            "{new}: {inserted:?}"
        );
    }
    assert!(
        !deleted
            .iter()
            .any(|t| t.contains("Journal Register Company: Our")),
        "the first paragraph is diffed word by word"
    );
    let s = d.stats;
    assert!(
        s.words_added < s.words_new && s.words_removed < s.words_old,
        "{s:?}"
    );
    assert!(s.words_unchanged > 0, "{s:?}");
}
