//! `diff::diff` on two arbitrary texts with arbitrary options: the ops must
//! rebuild both texts exactly, whatever is ignored and whether or not the
//! deadline runs out. Also `tokenize` (tokens cover the text exactly).
//!
//! Input: one flags byte, then old and new separated by the first 0x00 byte
//! (invalid UTF-8 is replaced, so both sides are arbitrary strings).
//!   bits 0-3: ignore_case, ignore_whitespace, ignore_typography, ignore_markup
//!   bits 4-5: deadline default / zero (forces the fallback) / 1 ms / 20 ms
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use vellum::diff::{self, DiffOptions, OpTag, tokenize};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (old, new) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let old = String::from_utf8_lossy(old);
    let new = String::from_utf8_lossy(new);
    let opts = DiffOptions {
        ignore_case: flags & 1 != 0,
        ignore_whitespace: flags & 2 != 0,
        ignore_typography: flags & 4 != 0,
        ignore_markup: flags & 8 != 0,
        deadline: match (flags >> 4) & 3 {
            0 => None,
            1 => Some(Duration::ZERO),
            2 => Some(Duration::from_millis(1)),
            _ => Some(Duration::from_millis(20)),
        },
    };
    for text in [&old, &new] {
        let tokens = tokenize::tokenize(text);
        assert_eq!(tokens.concat(), **text, "tokens do not cover the text");
        assert!(tokens.iter().all(|t| !t.is_empty()), "empty token");
    }
    let d = diff::diff(&old, &new, &opts);
    assert_eq!(d.old_text(), old, "old text not rebuilt ({opts:?})");
    assert_eq!(d.new_text(), new, "new text not rebuilt ({opts:?})");
    assert_eq!(d.stats.words_old, diff::count_words(&old));
    assert_eq!(d.stats.words_new, diff::count_words(&new));
    let ignoring =
        opts.ignore_case || opts.ignore_whitespace || opts.ignore_typography || opts.ignore_markup;
    if !ignoring {
        // Without options only layout is ignored: whitespace between or
        // around paragraphs, and whitespace-only paragraphs.
        for op in d.ops.iter().filter(|op| op.ignored) {
            assert!(
                op.text.chars().all(char::is_whitespace),
                "non-whitespace op ignored with nothing to ignore: {op:?}"
            );
        }
    }
    // Each move: two ends carrying its id, holding the versions its inner
    // ops rebuild.
    for m in &d.moves {
        let version = |skip: OpTag| -> String {
            m.ops
                .iter()
                .filter(|o| o.op != skip)
                .map(|o| o.text.as_str())
                .collect()
        };
        let end = |tag: OpTag| {
            let ends: Vec<_> = d
                .ops
                .iter()
                .filter(|o| o.move_id == Some(m.id) && o.op == tag)
                .collect();
            assert_eq!(ends.len(), 1, "move {} needs one {tag:?} end", m.id);
            ends[0].text.clone()
        };
        assert!(
            end(OpTag::Delete).contains(&version(OpTag::Insert)),
            "{m:?}"
        );
        assert!(
            end(OpTag::Insert).contains(&version(OpTag::Delete)),
            "{m:?}"
        );
    }
    if old == new {
        assert!(d.is_unchanged());
        assert!(d.ops.iter().all(|op| op.op == OpTag::Equal));
    }
});
