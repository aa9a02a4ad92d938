//! Paragraphs: cutting a text into paragraph chunks that rebuild it exactly,
//! their comparison hashes under a normalization, and the loose word sets
//! that pairing compares.

use std::cell::OnceCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::rc::Rc;

use super::normalize::{Norm, Role, key_text, roles};
use super::tokenize::{Words, count_words, is_word, space_len, tokenize};

/// Chunks longer than this are cut further, to bound the word diff.
const MAX_CHUNK: usize = 16 * 1024;
/// Paragraphs with fewer words are never reported as moved.
pub(super) const MOVE_MIN_WORDS: usize = 4;

/// One paragraph: `text[..lead]` is leading whitespace (first paragraph
/// only), `text[lead..end]` the content, `text[end..]` the separator.
pub(super) struct Para<'a> {
    /// Byte offset in the document.
    pub(super) start: usize,
    pub(super) text: &'a str,
    pub(super) lead: usize,
    pub(super) end: usize,
    pub(super) hash: u64,
    /// Has at least one token that is not ignorable under the options.
    pub(super) significant: bool,
    /// `count_words(text)`, when it was taken from (or put into) the memo:
    /// under a normalization other than none.
    pub(super) words: Option<usize>,
    /// Where its [`Para::word_set`] is kept for every paragraph of the same
    /// content met under the same normalization (from the memo; none under
    /// no normalization).
    set: Option<SharedSet>,
}

/// A word set computed once for every paragraph sharing it.
type SharedSet = Rc<OnceCell<Vec<u64>>>;

/// Paragraphs already met under a normalization. Most paragraphs of a new
/// version repeat the old one's byte for byte, and are tokenized once for
/// both (and, in a chain of diffs, once for the chain).
#[derive(Default)]
pub(super) struct KeyMemo<'a> {
    /// `(hash, significant)` by content, and its word set once computed.
    keys: HashMap<&'a str, ((u64, bool), SharedSet), BuildHasherDefault<KeyHasher>>,
    /// `count_words` by whole chunk (leading whitespace and separator
    /// included: exactly the string the aligner would count).
    words: HashMap<&'a str, usize, BuildHasherDefault<KeyHasher>>,
}

impl KeyMemo<'_> {
    pub(super) fn clear(&mut self) {
        self.keys.clear();
        self.words.clear();
    }
}

impl<'a> Para<'a> {
    fn new(start: usize, text: &'a str, norm: Norm, memo: &mut KeyMemo<'a>) -> Self {
        let body = text.trim_end();
        let lead = body.len() - body.trim_start().len();
        let content = &text[lead..body.len()];
        let ((hash, significant), words, set) = if norm == Norm::default() {
            // Keys are the tokens themselves: hash the text, skip tokenizing.
            let mut hasher = KeyHasher::default();
            content.hash(&mut hasher);
            ((hasher.finish(), !content.is_empty()), None, None)
        } else {
            let (keys, set) = memo
                .keys
                .entry(content)
                .or_insert_with(|| (Para::keyed(content, norm), SharedSet::default()));
            let words = *memo.words.entry(text).or_insert_with(|| count_words(text));
            (*keys, Some(words), Some(set.clone()))
        };
        Para {
            start,
            text,
            lead,
            end: body.len(),
            hash,
            significant,
            words,
            set,
        }
    }

    /// Hash of the comparison keys of `content`, and whether it has any.
    /// Keys are joined before hashing (see [`key_text`]), so that text
    /// saying the same in differently cut tokens (a character reference and
    /// its character) hashes the same.
    fn keyed(content: &str, norm: Norm) -> (u64, bool) {
        let mut hasher = KeyHasher::default();
        let tokens = tokenize(content);
        let roles = roles(&tokens);
        let any = tokens
            .iter()
            .zip(&roles)
            .any(|(t, r)| norm.key(t, *r).is_some());
        key_text(&tokens, &roles, norm).hash(&mut hasher);
        (hasher.finish(), any)
    }

    /// Enough words to be worth reporting as moved.
    pub(super) fn movable(&self) -> bool {
        Words::new(self.content()).nth(MOVE_MIN_WORDS - 1).is_some()
    }

    /// The paragraph's words under every normalization, punctuation and
    /// markup dropped (what republication finding compares).
    pub(super) fn normalized_words(&self) -> Vec<String> {
        let tokens = tokenize(self.content());
        let roles = roles(&tokens);
        tokens
            .iter()
            .zip(&roles)
            .filter(|(t, _)| is_word(t))
            .filter_map(|(t, r)| Norm::ALL.key(t, *r).map(|k| k.into_owned()))
            .filter(|k| !k.is_empty())
            .collect()
    }

    pub(super) fn content(&self) -> &'a str {
        &self.text[self.lead..self.end]
    }

    pub(super) fn sep(&self) -> &'a str {
        &self.text[self.end..]
    }

    /// [`Para::word_set`], computed once for every paragraph of the same
    /// content the memo has met (a chain of diffs meets an edited
    /// paragraph as new, then as old).
    pub(super) fn shared_word_set(&self, norm: Norm) -> Vec<u64> {
        match &self.set {
            Some(set) => set.get_or_init(|| self.word_set(norm)).clone(),
            None => self.word_set(norm),
        }
    }

    /// Sorted, deduplicated hashes of the paragraph's words (punctuation
    /// says nothing about what a paragraph is about), compared loosely
    /// (case and typography folded).
    pub(super) fn word_set(&self, norm: Norm) -> Vec<u64> {
        let loose = Norm {
            case: true,
            typography: true,
            ..norm
        };
        let content = self.content();
        let mut set = Vec::new();
        if loose.markup {
            let tokens = tokenize(content);
            set.extend(
                tokens
                    .iter()
                    .zip(roles(&tokens))
                    .filter(|(t, _)| is_word(t))
                    .filter_map(|(t, r)| loose.key(t, r))
                    .map(|k| hash_key(k.as_bytes())),
            );
        } else {
            // Without markup folding the role of a token that is not
            // whitespace does not change its key, so roles are not needed;
            // and a token of plain ASCII (no dash) keys to its lowercase.
            let mut lower = Vec::new();
            for t in Words::new(content) {
                let bytes = t.as_bytes();
                if bytes.iter().all(|&b| b.is_ascii() && b != b'-') {
                    if bytes.iter().any(u8::is_ascii_uppercase) {
                        lower.clear();
                        lower.extend(bytes.iter().map(u8::to_ascii_lowercase));
                        set.push(hash_key(&lower));
                    } else {
                        set.push(hash_key(bytes));
                    }
                } else if let Some(k) = loose.key(t, Role::Text) {
                    set.push(hash_key(k.as_bytes()));
                }
            }
        }
        set.sort_unstable();
        set.dedup();
        set
    }
}

/// A fast hash for comparison keys and paragraph hashes. Only equality of
/// hashes matters (they are never ordered for output), so any well-mixed
/// 64-bit hash does; SipHash's protection against chosen inputs is not
/// needed here, and it cost a large share of the time.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

const K0: u64 = 0x243f_6a88_85a3_08d3;
const K1: u64 = 0x9e37_79b9_7f4a_7c15;

/// Folded 128-bit multiply.
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl Hasher for KeyHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut h = fold_mul(self.0 ^ K0, K1 ^ bytes.len() as u64);
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
            h = fold_mul(h ^ w, K1);
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            h = fold_mul(h ^ u64::from_le_bytes(w), K1);
        }
        self.0 = h;
    }

    #[inline]
    fn finish(&self) -> u64 {
        fold_mul(self.0 ^ K1, K0)
    }
}

/// Hash of one comparison key.
#[inline]
fn hash_key(key: &[u8]) -> u64 {
    let mut h = KeyHasher::default();
    h.write(key);
    h.finish()
}

/// Jaccard similarity of two sorted sets.
pub(super) fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Union of sorted sets.
pub(super) fn union(sets: &[&[u64]]) -> Vec<u64> {
    let mut all: Vec<u64> = sets.iter().flat_map(|s| s.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The paragraphs of `text`.
pub(super) fn paragraphs<'a>(text: &'a str, norm: Norm, memo: &mut KeyMemo<'a>) -> Vec<Para<'a>> {
    let mut start = 0;
    split_paragraphs(text)
        .into_iter()
        .map(|chunk| {
            let p = Para::new(start, chunk, norm, memo);
            start += chunk.len();
            p
        })
        .collect()
}

/// Cuts `text` into paragraph chunks that concatenate back to `text`.
fn split_paragraphs(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for chunk in split_at_line_breaks(text, 2) {
        refine(chunk, 0, &mut out);
    }
    out
}

/// Cuts an over-long chunk at successively weaker boundaries.
fn refine<'a>(chunk: &'a str, level: usize, out: &mut Vec<&'a str>) {
    if chunk.len() <= MAX_CHUNK || level == 3 {
        out.push(chunk);
        return;
    }
    let parts = match level {
        0 => split_at_line_breaks(chunk, 1),
        1 => split_after_spaces(chunk, 0, |_, prev| {
            matches!(prev, Some('.' | '!' | '?' | '。'))
        }),
        _ => split_after_spaces(chunk, MAX_CHUNK / 2, |_, _| true),
    };
    for part in parts {
        refine(part, level + 1, out);
    }
}

/// Splits after each whitespace run holding at least `newlines` line feeds
/// (`newlines` > 0), as
/// `split_after_spaces(text, 0, |run, _| run.matches('\n').count() >= newlines)`
/// does, but finding the runs by searching for line feeds.
fn split_at_line_breaks(text: &str, newlines: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut from = 0;
    while let Some(k) = text[from..].find('\n') {
        let nl = from + k;
        // The whole whitespace run around this line feed.
        let before = text[..nl]
            .chars()
            .rev()
            .take_while(|c| c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
        let (run_start, end) = (nl - before, nl + space_len(&text[nl..]));
        from = end;
        // `run_start > start`: the piece holds the character before the
        // run, which is not whitespace.
        if end < text.len()
            && run_start > start
            && bytes[run_start..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                >= newlines
        {
            out.push(&text[start..end]);
            start = end;
        }
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

/// Splits after each whitespace run for which `is_break(run, char before)`
/// holds, once the current piece is at least `min_len` bytes and holds more
/// than whitespace.
fn split_after_spaces(
    text: &str,
    min_len: usize,
    is_break: impl Fn(&str, Option<char>) -> bool,
) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut start = 0;
    // The piece so far holds more than whitespace.
    let mut solid = false;
    let mut i = 0;
    while i < bytes.len() {
        // Skip to the next whitespace character (ASCII bytes one by one,
        // other characters decoded).
        let b = bytes[i];
        if b.is_ascii() {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                solid = true;
                i += 1;
                continue;
            }
        } else {
            let c = text[i..].chars().next().expect("char boundary");
            if !c.is_whitespace() {
                solid = true;
                i += c.len_utf8();
                continue;
            }
        }
        let end = i + space_len(&text[i..]);
        if end < text.len() && solid && end - start >= min_len {
            // The run is maximal, so the character before it is not
            // whitespace, and it belongs to this piece.
            let prev = text[..i].chars().next_back();
            if is_break(&text[i..end], prev) {
                out.push(&text[start..end]);
                start = end;
                solid = false;
            }
        }
        i = end;
    }
    if start < text.len() || out.is_empty() {
        out.push(&text[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn line_break_split_matches_the_generic_one(
            text in "([a-c.]{0,3}[ \\t\\n\\r\\u{a0}\\u{2028}]{0,3}){0,12}",
            newlines in 1usize..3,
        ) {
            let generic =
                split_after_spaces(&text, 0, |run, _| run.matches('\n').count() >= newlines);
            proptest::prop_assert_eq!(split_at_line_breaks(&text, newlines), generic);
        }
    }

    #[test]
    fn key_hasher_separates_keys() {
        let keys = [
            "",
            "a",
            "a\0",
            "\0a",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "b",
        ];
        let mut hashes: Vec<u64> = keys.iter().map(|k| hash_key(k.as_bytes())).collect();
        hashes.sort_unstable();
        hashes.dedup();
        assert_eq!(hashes.len(), keys.len());
    }
}
