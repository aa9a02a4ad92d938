//! Texts as republication finding sees them: paragraphs of normalized
//! words, their hashes, and the word shingles similarity is measured on.

use std::collections::HashSet;
use std::ops::Range;

use crate::diff::normalized_paragraphs;

/// Texts by their object id (hex), read once per run.
pub type TextSource<'a> = dyn FnMut(&str) -> Option<std::sync::Arc<String>> + 'a;

/// Words per shingle.
pub const SHINGLE: usize = 4;
/// Paragraphs kept per text (hostile input: a page of a million lines).
pub const MAX_PARAGRAPHS: usize = 5_000;
/// Words kept per paragraph.
pub const MAX_WORDS: usize = 20_000;

/// One paragraph, hashed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Para {
    /// Byte range of its content in the text.
    pub range: Range<usize>,
    /// Hash of its normalized words, digits folded: equal for paragraphs
    /// that say the same under every normalization (give or take a number,
    /// as a copyright line's year): what boilerplate is learned on.
    pub hash: u64,
    /// Its shingle hashes, in order (may repeat).
    pub shingles: Vec<u64>,
    pub words: usize,
}

/// The normalized paragraphs of a text, the first [`MAX_PARAGRAPHS`] and
/// one more at most. Only a head of a long text is normalized (normalizing
/// a whole 20 MB text to keep its first paragraphs took a second): a head
/// cut at a blank line, long enough to hold more paragraphs than are kept
/// (the last one before the cut may differ from the whole text's, and is
/// not kept), grown until it does or is the whole text.
fn head_paragraphs(text: &str) -> Vec<crate::diff::NormalizedParagraph> {
    let mut chunks = 2 * MAX_PARAGRAPHS;
    loop {
        let cut = after_chunks(text, chunks);
        let paras = normalized_paragraphs(&text[..cut]);
        if cut == text.len() || paras.len() > MAX_PARAGRAPHS {
            return paras;
        }
        chunks *= 4;
    }
}

/// The end of the first `n` blank-line-separated chunks of `text` (at the
/// start of the blank line after them), or its length.
fn after_chunks(text: &str, n: usize) -> usize {
    let (mut seen, mut pos, mut in_chunk) = (0, 0, false);
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            if in_chunk {
                seen += 1;
                if seen == n {
                    return pos;
                }
            }
            in_chunk = false;
        } else {
            in_chunk = true;
        }
        pos += line.len();
    }
    text.len()
}

/// A text cut into hashed paragraphs.
pub fn prepare(text: &str) -> Vec<Para> {
    head_paragraphs(text)
        .into_iter()
        .take(MAX_PARAGRAPHS)
        .map(|p| {
            let words = &p.words[..p.words.len().min(MAX_WORDS)];
            let hashes: Vec<u64> = words.iter().map(|w| word_hash(w)).collect();
            Para {
                range: p.range,
                hash: para_hash(words),
                shingles: shingles(&hashes),
                words: hashes.len(),
            }
        })
        .collect()
}

/// The byte range and [`Para::hash`] of each paragraph [`prepare`] gives,
/// without the shingles (what stripping boilerplate needs).
pub fn paragraph_hashes(text: &str) -> Vec<(Range<usize>, u64)> {
    head_paragraphs(text)
        .into_iter()
        .take(MAX_PARAGRAPHS)
        .map(|p| {
            let hash = para_hash(&p.words[..p.words.len().min(MAX_WORDS)]);
            (p.range, hash)
        })
        .collect()
}

/// [`Para::hash`] of a paragraph's normalized words.
fn para_hash(words: &[String]) -> u64 {
    // Digits folded: a footer naming this year is the same footer.
    let folded: Vec<u64> = words
        .iter()
        .map(|w| match w.bytes().any(|b| b.is_ascii_digit()) {
            true => word_hash(&w.replace(|c: char| c.is_ascii_digit(), "0")),
            false => word_hash(w),
        })
        .collect();
    fold(0x5eed, &folded)
}

/// The shingles of one paragraph's word hashes: every run of [`SHINGLE`]
/// words; a shorter paragraph of two words or more is one shingle.
fn shingles(words: &[u64]) -> Vec<u64> {
    if words.len() < SHINGLE {
        return if words.len() >= 2 {
            vec![fold(1, words)]
        } else {
            Vec::new()
        };
    }
    words.windows(SHINGLE).map(|w| fold(1, w)).collect()
}

/// The sorted, deduplicated shingles of the paragraphs not in `boilerplate`.
pub fn shingle_set(paras: &[Para], boilerplate: &HashSet<u64>) -> Vec<u64> {
    let mut out: Vec<u64> = paras
        .iter()
        .filter(|p| !boilerplate.contains(&p.hash))
        .flat_map(|p| p.shingles.iter().copied())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The source a document's boilerplate is learned under: its `--source`
/// when given, else its URL's host (without `www.`), else "" (no source).
pub fn source_key(source: Option<&str>, url: Option<&str>) -> String {
    if let Some(s) = source.map(str::trim).filter(|s| !s.is_empty()) {
        return s.to_lowercase();
    }
    url.and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_lowercase())
        })
        .unwrap_or_default()
}

/// A stable 64-bit hash of a word (FNV-1a, then mixed).
pub fn word_hash(w: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in w.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    mix(h)
}

fn fold(seed: u64, hashes: &[u64]) -> u64 {
    hashes
        .iter()
        .fold(mix(seed), |acc, &h| mix(acc.rotate_left(23) ^ h))
}

/// The splitmix64 finalizer.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A title for a text captured without one: its first paragraph's first
/// line, without Markdown heading and emphasis marks.
pub fn first_line(text: &str, paras: &[Para]) -> Option<String> {
    let p = paras.first()?;
    let line = text.get(p.range.clone())?.lines().next()?;
    let line = line
        .trim_start_matches(['#', '*', '_', ' '])
        .trim_end_matches(['*', '_', ' ']);
    let t: String = line.chars().take(200).collect();
    (!t.is_empty()).then_some(t)
}

/// The first line of a text's first paragraph with words, as stories title
/// a text ([`first_line`]), without preparing the
/// whole text: that line depends only on where the paragraph starts, so a
/// head of the text cut at a line end gives the same answer; the whole
/// text is read only when the head has no words.
pub fn first_line_title(t: &str) -> Option<String> {
    const HEAD: usize = 8 * 1024;
    // A newline byte is always a character boundary in UTF-8.
    let cut = match t
        .as_bytes()
        .get(HEAD..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
    {
        Some(i) => HEAD + i + 1,
        None => t.len(),
    };
    let head = &t[..cut];
    match first_line(head, &prepare(head)) {
        None if cut < t.len() => first_line(t, &prepare(t)),
        found => found,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraph_hashes_are_prepares_without_shingles() {
        let texts = [
            "",
            "Title here\n\nNote to readers: share!\n\n  Body  text 2024.\n\n\n© 2025 Example",
            "# A *title*\n\nOne [link](https://x.test/a) &amp; more\n- item\n\nlast",
        ];
        for t in texts {
            let want: Vec<_> = prepare(t).into_iter().map(|p| (p.range, p.hash)).collect();
            assert_eq!(paragraph_hashes(t), want, "{t:?}");
        }
        let copyright = |y| paragraph_hashes(&format!("Body.\n\n© {y} Example"))[1].1;
        assert_eq!(copyright(2024), copyright(2025));
        assert_ne!(copyright(2024), paragraph_hashes("Body.\n\n© Other")[1].1);
    }

    #[test]
    fn a_long_text_is_prepared_from_its_head_as_from_the_whole() {
        let mut text = String::new();
        for i in 0..(MAX_PARAGRAPHS * 3) {
            text.push_str(&format!(
                "Paragraph {i} of a *long* text, line one\nline two.\n\n"
            ));
            if i % 7 == 0 {
                text.push_str("---\n\n<!-- -->\n\n");
            }
        }
        // The whole text normalized, as `prepare` did before it cut a head.
        let whole = normalized_paragraphs(&text);
        let head = prepare(&text);
        assert_eq!(head.len(), MAX_PARAGRAPHS);
        for (w, h) in whole.iter().zip(&head) {
            assert_eq!((&w.range, w.words.len()), (&h.range, h.words));
        }
        let short = "One paragraph.\n\nTwo paragraphs.\n";
        assert_eq!(prepare(short).len(), 2);
        assert_eq!(after_chunks(short, 1), "One paragraph.\n".len());
        assert_eq!(after_chunks(short, 5), short.len());
    }

    #[test]
    fn typography_case_and_markup_do_not_change_a_paragraph() {
        let a = prepare("The group’s *fighters* left [Raqqa](https://x.org).\n\nNext one here.");
        let b = prepare("the group's fighters left Raqqa.\n\nNext  one here.");
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].hash, b[0].hash);
        assert_eq!(a[0].shingles, b[0].shingles);
        assert_eq!(a[1].hash, b[1].hash);
        let c = prepare("the group's fighters left Deir Ezzor.");
        assert_ne!(a[0].hash, c[0].hash);
    }

    #[test]
    fn boilerplate_paragraphs_leave_the_shingle_set() {
        let p = prepare("one two three four five\n\nsix seven eight nine");
        let all = shingle_set(&p, &HashSet::new());
        assert_eq!(all.len(), 3);
        let bp: HashSet<u64> = [p[1].hash].into();
        assert_eq!(shingle_set(&p, &bp).len(), 2);
    }

    #[test]
    fn sources_fall_back_to_the_host() {
        assert_eq!(source_key(Some("Global Research"), None), "global research");
        assert_eq!(
            source_key(None, Some("https://www.globalresearch.ca/a")),
            "globalresearch.ca"
        );
        assert_eq!(source_key(Some(" "), Some("not a url")), "");
    }

    /// The head gives the title the whole text gives: a long text, one whose
    /// first worded paragraph starts past the head, one whose first line
    /// crosses the head's end, and non-ASCII text around the cut.
    #[test]
    fn a_title_from_the_head_is_the_title_of_the_whole_text() {
        let para = "Ein Absatz über die Brücke, lang genug, damit er zählt. ".repeat(20);
        let long = format!("# The headline\n\n{}", format!("{para}\n\n").repeat(200));
        let late = format!(
            "{}{}\n\nLate words here.\n",
            "---\n\n".repeat(3000),
            "* * *"
        );
        let crossing = format!(
            "{}\n\n{} and more words\n",
            ". ".repeat(4000),
            "x".repeat(9000)
        );
        let wide = format!("{}\n\nПервая строка\n", "—\n\n".repeat(3000));
        for t in [&long, &late, &crossing, &wide, &"Short.".to_owned()] {
            assert_eq!(
                first_line_title(t),
                first_line(t, &prepare(t)),
                "{}",
                &t[..40.min(t.len())]
            );
        }
        assert_eq!(first_line_title(&long).as_deref(), Some("The headline"));
    }
}
