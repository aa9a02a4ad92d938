//! What search sees of a text: its paragraphs, markup-normalized (the visible
//! words of Markdown and HTML markup, link targets left out), folded the same
//! way at index and at query time, and the snippet of a hit.
//!
//! Folding: Arabic diacritics (harakat) and tatweel are dropped, so `كَتَبَ`
//! and `كتب` are one word; every CJK character (Han, kana, Hangul syllables)
//! becomes a word of its own, so a two- or three-character query is a phrase
//! of single characters and finds the characters wherever they are adjacent
//! (CJK text has no spaces between words). Case and Latin diacritics are
//! folded by SQLite's `unicode61` tokenizer (`remove_diacritics 2`), and by
//! [`fold_token`] for highlighting.

use crate::diff::tokenize::tokenize;
use crate::diff::{Role, roles};

use super::types::SnippetPart;

/// A paragraph longer than this (bytes, after normalization) is indexed only
/// up to it: archived pages are hostile input, and a paragraph this long is
/// not prose.
pub const MAX_PARAGRAPH: usize = 64 * 1024;
/// Paragraphs indexed per text, at most. High enough that every word of a
/// 20 MB text of short paragraphs is found (a repeated paragraph costs one
/// hash lookup; only distinct ones are indexed), while a hostile text of
/// millions of one-word paragraphs is still cut.
pub const MAX_PARAGRAPHS: usize = 1 << 20;

/// The raw paragraph chunks of a text: separated by blank lines. Numbered
/// from 0; the index keeps a paragraph's number in the first text holding
/// it, to read it back for its snippet.
pub fn raw_paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut lines = text.split_inclusive('\n');
    let mut pos = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        for line in lines.by_ref() {
            let at = pos;
            pos += line.len();
            if line.trim().is_empty() {
                if let Some(s) = start {
                    return Some(&text[s..at]);
                }
            } else if start.is_none() {
                start = Some(at);
            }
        }
        start.map(|s| &text[s..pos])
    })
}

/// The visible text of one paragraph: markup and link targets dropped,
/// character references replaced by their character, runs of whitespace
/// made one space, trimmed, cut at [`MAX_PARAGRAPH`].
pub fn normalize_paragraph(chunk: &str) -> String {
    let tokens = tokenize(chunk);
    let roles = roles(&tokens);
    let mut out = String::with_capacity(chunk.len());
    let mut space = false;
    for (t, r) in tokens.iter().zip(&roles) {
        match r {
            Role::Text => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.push_str(t);
            }
            Role::CharRef(c) => {
                if c.is_whitespace() {
                    space = true;
                } else {
                    if space && !out.is_empty() {
                        out.push(' ');
                    }
                    space = false;
                    out.push(*c);
                }
            }
            Role::Space => space = true,
            // Markup between words (`*`, `<u>`) joins nothing: a space
            // keeps `**a**b` from becoming one word only when it was there.
            Role::Markup | Role::LinkTarget | Role::CharRefTail => {}
        }
        if out.len() >= MAX_PARAGRAPH {
            let mut cut = MAX_PARAGRAPH;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            break;
        }
    }
    out
}

/// The searchable paragraphs of a text: `(number, normalized text)`, the
/// empty ones left out.
pub fn paragraphs(text: &str) -> impl Iterator<Item = (usize, String)> {
    raw_paragraphs(text)
        .take(MAX_PARAGRAPHS)
        .enumerate()
        .map(|(i, p)| (i, normalize_paragraph(p)))
        .filter(|(_, p)| p.chars().any(char::is_alphanumeric))
}

/// Paragraph `n` of a text, normalized (as [`paragraphs`] numbers them).
pub fn paragraph(text: &str, n: usize) -> Option<String> {
    raw_paragraphs(text).nth(n).map(normalize_paragraph)
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF     // Hiragana, Katakana
        | 0x31F0..=0x31FF   // Katakana phonetic extensions
        | 0x3400..=0x4DBF   // CJK extension A
        | 0x4E00..=0x9FFF   // CJK unified ideographs
        | 0xAC00..=0xD7AF   // Hangul syllables
        | 0xF900..=0xFAFF   // CJK compatibility ideographs
        | 0xFF66..=0xFF9F   // Halfwidth Katakana
        | 0x20000..=0x3FFFF // CJK extensions B and later
    )
}

/// Arabic marks that do not change the word: harakat, superscript alef,
/// tatweel.
fn is_ignorable(c: char) -> bool {
    matches!(c as u32, 0x064B..=0x065F | 0x0670 | 0x0640 | 0x06D6..=0x06ED)
}

/// A character that belongs to a word (as `unicode61` counts them, closely
/// enough for highlighting).
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c as u32, 0x0300..=0x036F | 0x0900..=0x0DFF)
}

/// The text as the index receives it: see the module documentation.
pub fn fold_for_index(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        if is_ignorable(c) {
            continue;
        }
        if is_cjk(c) {
            out.push(' ');
            out.push(c);
            out.push(' ');
        } else {
            out.push(c);
        }
    }
    out
}

/// One word of a text: where it is in the original, and its folded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub folded: String,
}

/// The words of a text, folded (lowercase, Latin diacritics removed, Arabic
/// marks dropped, CJK characters one word each).
pub fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur: Option<Word> = None;
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        if is_ignorable(c) {
            if let Some(w) = cur.as_mut() {
                w.end = end;
            }
            continue;
        }
        if is_cjk(c) {
            out.extend(cur.take());
            out.push(Word {
                start: i,
                end,
                folded: c.to_string(),
            });
        } else if is_word_char(c) {
            let w = cur.get_or_insert_with(|| Word {
                start: i,
                end,
                folded: String::new(),
            });
            w.end = end;
            fold_char(c, &mut w.folded);
        } else {
            out.extend(cur.take());
        }
    }
    out.extend(cur);
    out
}

/// Folds one word as the index's tokenizer does (for highlighting).
pub fn fold_token(token: &str) -> String {
    let mut s = String::with_capacity(token.len());
    for c in token.chars() {
        if !is_ignorable(c) {
            fold_char(c, &mut s);
        }
    }
    s
}

fn fold_char(c: char, out: &mut String) {
    if matches!(c as u32, 0x0300..=0x036F) {
        return; // combining diacritics
    }
    for l in c.to_lowercase() {
        out.push(strip_latin_diacritic(l));
    }
}

/// The base letter of a lowercase Latin letter with a diacritic.
fn strip_latin_diacritic(c: char) -> char {
    const FROM: &str =
        "àáâãäåāăąçćĉċčďđèéêëēĕėęěĝğġģĥħìíîïĩīĭįıĵķĺļľŀłñńņňòóôõöøōŏőŕŗřśŝşšţťŧùúûüũūŭůűųŵýÿŷźżž";
    const TO: &str =
        "aaaaaaaaacccccddeeeeeeeeegggghhiiiiiiiiijklllllnnnnooooooooorrrssssttttuuuuuuuuuuwyyyzzz";
    if c.is_ascii() {
        return c;
    }
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

/// Words of context shown before the first match.
const CONTEXT_BEFORE: usize = 12;
/// Words a snippet shows at most.
const SNIPPET_WORDS: usize = 40;

/// The snippet of a paragraph: the words around its first match, with every
/// word that matches a term marked. `terms` are the folded word sequences of
/// the query, with whether the last word is a prefix.
pub fn snippet(paragraph: &str, terms: &[(Vec<String>, bool)]) -> Vec<SnippetPart> {
    let words = words(paragraph);
    let mut marked = vec![false; words.len()];
    for (seq, prefix) in terms {
        if seq.is_empty() || seq.len() > words.len() {
            continue;
        }
        for start in 0..=words.len() - seq.len() {
            let hit = seq.iter().enumerate().all(|(k, t)| {
                let w = &words[start + k].folded;
                if *prefix && k + 1 == seq.len() {
                    w.starts_with(t.as_str())
                } else {
                    w == t
                }
            });
            if hit {
                marked[start..start + seq.len()].fill(true);
            }
        }
    }
    let first = marked.iter().position(|m| *m).unwrap_or(0);
    let from = first.saturating_sub(CONTEXT_BEFORE);
    let to = (from + SNIPPET_WORDS).min(words.len());
    let mut parts: Vec<SnippetPart> = Vec::new();
    let push = |parts: &mut Vec<SnippetPart>, part: SnippetPart| match (parts.last_mut(), part) {
        (Some(SnippetPart::Text(a)), SnippetPart::Text(b)) => a.push_str(&b),
        (Some(SnippetPart::Match(a)), SnippetPart::Match(b)) => a.push_str(&b),
        (_, part) => parts.push(part),
    };
    if words.is_empty() {
        return vec![SnippetPart::Text(paragraph.chars().take(200).collect())];
    }
    let start = if from == 0 { 0 } else { words[from].start };
    if from > 0 {
        push(&mut parts, SnippetPart::Text("… ".into()));
    }
    let mut pos = start;
    let mut prev_marked = false;
    for (w, m) in words[from..to].iter().zip(&marked[from..to]) {
        if w.start > pos {
            let gap = paragraph[pos..w.start].to_string();
            // Between two marked words (a phrase) the gap is marked too.
            push(
                &mut parts,
                if prev_marked && *m {
                    SnippetPart::Match(gap)
                } else {
                    SnippetPart::Text(gap)
                },
            );
        }
        prev_marked = *m;
        let s = paragraph[w.start..w.end].to_string();
        push(
            &mut parts,
            if *m {
                SnippetPart::Match(s)
            } else {
                SnippetPart::Text(s)
            },
        );
        pos = w.end;
    }
    if to == words.len() {
        push(&mut parts, SnippetPart::Text(paragraph[pos..].into()));
    } else {
        push(&mut parts, SnippetPart::Text(" …".into()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_are_split_at_blank_lines_and_markup_is_dropped() {
        let t = "# Title\n\nSome *bold* [link](https://x.example/p) text.\nsecond line\n\n\n  \nLast &amp; least";
        let raw: Vec<&str> = raw_paragraphs(t).collect();
        assert_eq!(raw.len(), 3, "{raw:?}");
        let p: Vec<(usize, String)> = paragraphs(t).collect();
        assert_eq!(p[0].1, "Title");
        assert_eq!(p[1].1, "Some bold link text. second line");
        assert_eq!(p[2], (2, "Last & least".to_string()));
        assert_eq!(paragraph(t, 1).unwrap(), p[1].1);
    }

    #[test]
    fn folding_splits_cjk_and_drops_arabic_marks() {
        assert_eq!(fold_for_index("東京都"), " 東  京  都 ");
        assert_eq!(fold_for_index("كَتَبَ"), "كتب");
        let w = words("Élan 東京 كَتَبَ");
        let f: Vec<&str> = w.iter().map(|w| w.folded.as_str()).collect();
        assert_eq!(f, ["elan", "東", "京", "كتب"]);
    }

    #[test]
    fn snippet_marks_phrases_and_prefixes() {
        let terms = vec![(vec!["troop".to_string()], true)];
        let s = snippet("The troops left; a trooper stayed.", &terms);
        let marked: Vec<&str> = s
            .iter()
            .filter_map(|p| match p {
                SnippetPart::Match(m) => Some(m.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(marked, ["troops", "trooper"]);
        let phrase = vec![(vec!["left".to_string(), "a".to_string()], false)];
        let s = snippet("The troops left; a trooper stayed.", &phrase);
        assert!(s.contains(&SnippetPart::Match("left; a".into())), "{s:?}");
    }
}
