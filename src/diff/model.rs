//! The diff model: plain serde data, produced by [`crate::diff::diff`] and
//! consumed by every renderer. Nothing here knows about terminals or stores.
//!
//! Invariant: concatenating the `text` of every `Equal` and `Delete` op gives
//! the old text byte for byte; `Equal` and `Insert` give the new text.
//!
//! A moved paragraph is one `Delete` op where it was and one `Insert` op
//! where it is now, both `moved` and carrying the same move id; the word diff
//! between its two versions is the [`Move`] of that id in [`Diff::moves`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What an op does to the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OpTag {
    Equal,
    Delete,
    Insert,
}

/// The kind of a change, so users can see (and hide) noise apart from edits.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
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
    /// A paragraph moved (possibly edited too: see [`Move`]).
    ParagraphMoved,
}

/// One run of text in the diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "DiffOp")]
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
    /// On both ends of a moved paragraph: the id of its [`Move`].
    #[serde(rename = "move", default, skip_serializing_if = "Option::is_none")]
    pub move_id: Option<usize>,
}

/// A paragraph that moved, possibly edited on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "DiffMove")]
pub struct Move {
    /// The id its two ends carry in [`Op::move_id`]; moves are numbered
    /// from 0 in the order of their new places.
    pub id: usize,
    /// Its place in the old text: paragraph number, counted from 1.
    pub from: usize,
    /// Its place in the new text: paragraph number, counted from 1.
    pub to: usize,
    /// The word diff of the paragraph's old and new version (its content,
    /// without the blank lines around it): `Equal` and `Delete` ops rebuild
    /// the old version, `Equal` and `Insert` the new one. All `Equal` (or
    /// ignored) when it only moved.
    pub ops: Vec<Op>,
}

impl Move {
    /// True when the paragraph moved without a (visible) edit.
    pub fn is_pure(&self) -> bool {
        self.ops
            .iter()
            .all(|op| op.op == OpTag::Equal || op.ignored)
    }
}

/// Word counts. A word is a token holding at least one letter or digit.
///
/// Added and removed words are those of visible (not ignored) changes; a
/// moved paragraph counts once in `paragraphs_moved`, and only the words
/// changed inside it (its [`Move`]'s ops) as added or removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[schemars(rename = "DiffStats")]
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
    /// The moved paragraphs, by id; see [`Move`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub moves: Vec<Move>,
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
