//! Republication finding on two arbitrary texts (archived pages are hostile):
//! paragraphs lie inside the text on char boundaries, overlap is symmetric
//! and within [0, 1], a text is wholly contained in itself, and stripping
//! boilerplate only removes text.
//!
//! Input: two texts separated by the first 0x00 byte (invalid UTF-8 replaced).
#![no_main]

use std::collections::HashSet;

use libfuzzer_sys::fuzz_target;
use vellum::republish::{Prepared, boilerplate, overlap, text};

fuzz_target!(|data: &[u8]| {
    let (a, b) = match data.iter().position(|&x| x == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let pa = text::prepare(&a);
    for p in &pa {
        assert!(a.get(p.range.clone()).is_some(), "paragraph outside the text");
    }
    let bp: HashSet<u64> = pa.iter().step_by(2).map(|p| p.hash).collect();
    let stripped = boilerplate::strip(&a, &bp);
    assert!(stripped.len() <= a.len());
    let x = Prepared::new(pa, &HashSet::new());
    let y = Prepared::new(text::prepare(&b), &HashSet::new());
    let (xy, yx) = (overlap(&x, &y), overlap(&y, &x));
    assert_eq!(xy.shared, yx.shared);
    assert!((0.0..=1.0).contains(&xy.a_in_b) && (0.0..=1.0).contains(&xy.b_in_a));
    assert_eq!(xy.a_in_b, yx.b_in_a);
    if !x.set.is_empty() {
        assert_eq!(overlap(&x, &x).a_in_b, 1.0);
    }
});
