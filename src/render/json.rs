//! The model as one JSON document, for scripts:
//! `{"old": {"label", "id"}, "new": {…}, "stats": {…}, "ops": [...]}`, plus
//! `"fallback": true` when the engine ran out of time. Ops carry `op`,
//! `text`, and `moved`, `kind`, `ignored`, `move` only when set. When
//! paragraphs moved, `"moves": [{"id", "from", "to", "ops"}]` gives each
//! move's paragraph numbers and the word diff inside it.

use std::io::{self, Write};

use serde::Serialize;

use super::side::Side;
use crate::diff::{Diff, Move, Op, Stats};

/// A diff of two sides (`diff --json`, `diff --format json`).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "DiffDocument")]
pub struct Document<'a> {
    pub old: &'a Side,
    pub new: &'a Side,
    pub stats: &'a Stats,
    /// True when the engine ran out of time and a coarser diff was used.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fallback: bool,
    pub ops: &'a [Op],
    /// The moved paragraphs, by id.
    #[serde(skip_serializing_if = "<[Move]>::is_empty")]
    pub moves: &'a [Move],
    /// How much the change matters (`vellum diff --json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub significance: Option<&'a crate::significance::Significance>,
    /// The bylines of the two sides, when they differ (kept out of `ops`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<super::side::BylineChange>,
}

impl<'a> Document<'a> {
    /// The document of `diff` between `old` and `new`.
    pub fn new(diff: &'a Diff, old: &'a Side, new: &'a Side) -> Self {
        Document {
            old,
            new,
            stats: &diff.stats,
            fallback: diff.fallback,
            ops: &diff.ops,
            moves: &diff.moves,
            significance: None,
            byline: super::side::BylineChange::between(old, new),
        }
    }
}

/// Writes `diff` as one JSON document followed by a newline.
pub fn json(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    serde_json::to_writer(&mut *w, &Document::new(diff, old, new)).map_err(io::Error::other)?;
    w.write_all(b"\n")
}

/// One JSON value on its own line: what `--json` prints.
pub fn line(out: &mut dyn Write, item: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, item).map_err(io::Error::other)?;
    writeln!(out)
}

/// One JSON line per item.
pub fn lines<T: Serialize>(
    out: &mut dyn Write,
    items: impl IntoIterator<Item = T>,
) -> io::Result<()> {
    items.into_iter().try_for_each(|i| line(out, &i))
}

/// One JSON value, pretty-printed over several lines (`show --meta`,
/// `proof`).
pub fn pretty(out: &mut dyn Write, item: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, item).map_err(io::Error::other)?;
    writeln!(out)
}

/// `item` as one JSON line (`json`), else as `text` writes it.
pub fn or_text<T: Serialize>(
    out: &mut dyn Write,
    json: bool,
    item: &T,
    text: impl FnOnce(&mut dyn Write, &T) -> io::Result<()>,
) -> io::Result<()> {
    match json {
        true => line(out, item),
        false => text(out, item),
    }
}
