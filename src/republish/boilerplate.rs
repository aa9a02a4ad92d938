//! A source's boilerplate, hidden: the text without the paragraphs its
//! source repeats in many documents (learned by the [`super::index`]).

use std::collections::HashSet;

use super::error::IndexError;
use super::index::Index;
use super::text::{paragraph_hashes, source_key};

/// `text` without its paragraphs in `boilerplate`; everything else, the
/// whitespace between kept paragraphs included, is left byte for byte.
pub fn strip(text: &str, boilerplate: &HashSet<u64>) -> String {
    if boilerplate.is_empty() {
        return text.to_owned();
    }
    let paras = paragraph_hashes(text);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (i, (range, hash)) in paras.iter().enumerate() {
        if boilerplate.contains(hash) {
            out.push_str(&text[at..range.start]);
            // Drop through the separator after it, up to the next paragraph.
            at = paras.get(i + 1).map_or(text.len(), |n| n.0.start);
        }
    }
    out.push_str(&text[at..]);
    out
}

/// The boilerplate of the source a capture names (by `--source`, else its
/// URL's host); every source's when it names none.
pub fn of(
    index: &Index,
    source: Option<&str>,
    url: Option<&str>,
) -> Result<HashSet<u64>, IndexError> {
    let key = source_key(source, url);
    if key.is_empty() {
        index.any_boilerplate()
    } else {
        index.boilerplate(&key)
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::prepare;
    use super::*;

    #[test]
    fn stripping_keeps_everything_else_byte_for_byte() {
        let text =
            "Title here\n\nNote to readers: share!\n\nBody  text.\n\nNote to readers: share!";
        let bp: HashSet<u64> = [prepare("note to READERS share")[0].hash].into();
        assert_eq!(strip(text, &bp), "Title here\n\nBody  text.\n\n");
        assert_eq!(strip(text, &HashSet::new()), text);
    }
}
