//! Generated texts: whatever the inputs and options, the ops rebuild both texts.

use std::time::Duration;

use proptest::prelude::*;

use super::*;

fn text_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_owned()),
        Just("\n\n".to_owned()),
        Just(" ".to_owned()),
        Just("’".to_owned()),
        Just("*".to_owned()),
        Just("[a](http://x.y/z)".to_owned()),
        Just("<u>".to_owned()),
        Just("12. ".to_owned()),
        Just("[a][1]".to_owned()),
        Just("[1]: http://x.y \"t\"".to_owned()),
        Just("<a\nhref=\"x\">".to_owned()),
        Just(" – Site Name".to_owned()),
        "[a-cA-C]{1,4}",
        "[0-9,.]{1,4}",
        "[\u{4e00}-\u{4e10}]{1,3}",
        "[\u{627}-\u{64a}]{1,5}",
        "[-_#\\[\\]()<>`~]{1,2}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn ops_rebuild_both_texts(old in text_strategy(), new in text_strategy(), bits in 0u8..16, tiny in any::<bool>()) {
        let mut opts = all_options()[bits as usize].clone();
        if tiny {
            opts.deadline = Some(Duration::ZERO);
        }
        check_invariants(&old, &new, &opts);
    }

    #[test]
    fn arbitrary_strings_rebuild(old in any::<String>(), new in any::<String>(), bits in 0u8..16) {
        check_invariants(&old, &new, &all_options()[bits as usize]);
    }

    #[test]
    fn edited_copies_rebuild(old in text_strategy(), edit in text_strategy(), at in any::<prop::sample::Index>(), bits in 0u8..16) {
        let cut = old.char_indices().map(|(i, _)| i).nth(at.index(old.chars().count().max(1))).unwrap_or(old.len());
        let new = format!("{}{}{}", &old[..cut], edit, &old[cut..]);
        let d = check_invariants(&old, &new, &all_options()[bits as usize]);
        prop_assert!(edit.is_empty() || !d.ops.is_empty());
    }

    /// Without the word totals a diff is the same diff, its totals left 0.
    #[test]
    fn no_word_totals_changes_only_the_totals(old in text_strategy(), edit in text_strategy(), bits in 0u8..16) {
        let new = format!("{old}\n\n{edit}");
        let opts = DiffOptions { deadline: Some(Duration::from_secs(60)), ..all_options()[bits as usize].clone() };
        let lean = DiffOptions { no_word_totals: true, ..opts.clone() };
        for (a, b) in [(&old, &new), (&new, &old), (&old, &old)] {
            let mut full = diff(a, b, &opts);
            let got = diff(a, b, &lean);
            prop_assert_eq!((got.stats.words_old, got.stats.words_new, got.stats.words_unchanged), (0, 0, 0));
            full.stats.words_old = 0;
            full.stats.words_new = 0;
            full.stats.words_unchanged = 0;
            prop_assert_eq!(got, full);
        }
    }

    /// Paragraph keys kept from diff to diff (a chain of versions, then
    /// other options) change no diff.
    #[test]
    fn kept_paragraph_keys_change_nothing(a in text_strategy(), edit in text_strategy(), c in text_strategy(), bits in 0u8..16, other in 0u8..16) {
        let b = format!("{a}\n\n{edit}");
        let opts = |bits: u8| DiffOptions { deadline: Some(Duration::from_secs(60)), ..all_options()[bits as usize].clone() };
        let mut keys = ParagraphKeys::default();
        for (old, new, o) in [(&a, &b, bits), (&b, &c, bits), (&c, &a, other), (&a, &b, bits)] {
            prop_assert_eq!(diff_keyed(old, new, &opts(o), &mut keys), diff(old, new, &opts(o)));
        }
    }
}
