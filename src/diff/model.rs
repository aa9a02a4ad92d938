//! The diff model: plain serde data, produced by [`crate::diff::diff`] and
//! consumed by every renderer. Nothing here knows about terminals or stores.
//!
//! Invariant: concatenating the `text` of every `Equal` and `Delete` op gives
//! the old text byte for byte; `Equal` and `Insert` give the new text.

use serde::{Deserialize, Serialize};

/// What an op does to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpTag {
    Equal,
    Delete,
    Insert,
}

/// The kind of a change, so users can see (and hide) noise apart from edits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// A small edit inside one word: `troop` -> `troops`.
    Inflection,
    /// A number changed.
    Number,
    /// Only punctuation changed.
    Punctuation,
    /// Only typography changed: curly/straight quotes, dashes, non-breaking spaces.
    Typography,
    /// Only markup changed: emphasis, link syntax, tags.
    Markup,
    /// Only a link target (URL) changed.
    Link,
    /// Only whitespace changed.
    Whitespace,
    /// Only letter case changed.
    Case,
    /// A site's name added to or dropped from the title line, as page
    /// titles carry it: `Headline – Global Research`. Site chrome, not
    /// article text, so `--ignore-markup` hides it.
    TitleSuffix,
    /// Words replaced, inserted or deleted inside a paragraph.
    Replace,
    /// A whole paragraph was added.
    ParagraphAdded,
    /// A whole paragraph was removed.
    ParagraphRemoved,
    /// A paragraph moved (possibly with light edits).
    ParagraphMoved,
}

/// One run of text in the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Op {
    pub op: OpTag,
    pub text: String,
    /// Part of a paragraph that moved.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub moved: bool,
    /// Set on `Delete` and `Insert` ops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ChangeKind>,
    /// A change of a kind the caller asked to ignore (`--ignore-*`): kept so
    /// the ops still rebuild both texts, but renderers show it as unchanged
    /// (in its new form) and it is not counted in the stats.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignored: bool,
}

/// Word counts. A word is a token holding at least one letter or digit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub words_old: usize,
    pub words_new: usize,
    pub words_added: usize,
    pub words_removed: usize,
    pub words_unchanged: usize,
    pub paragraphs_added: usize,
    pub paragraphs_removed: usize,
    pub paragraphs_moved: usize,
}

/// The result of diffing two texts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diff {
    pub ops: Vec<Op>,
    pub stats: Stats,
    /// True when the deadline ran out and a coarser fallback was used.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
}

impl Diff {
    /// True when no (visible, non-ignored) change remains.
    pub fn is_unchanged(&self) -> bool {
        self.ops
            .iter()
            .all(|op| op.op == OpTag::Equal || op.ignored)
    }

    /// The old text, rebuilt from the ops.
    pub fn old_text(&self) -> String {
        self.ops
            .iter()
            .filter(|o| o.op != OpTag::Insert)
            .map(|o| o.text.as_str())
            .collect()
    }

    /// The new text, rebuilt from the ops.
    pub fn new_text(&self) -> String {
        self.ops
            .iter()
            .filter(|o| o.op != OpTag::Delete)
            .map(|o| o.text.as_str())
            .collect()
    }
}
