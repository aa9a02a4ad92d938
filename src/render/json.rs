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

#[derive(Serialize)]
struct Document<'a> {
    old: &'a Side,
    new: &'a Side,
    stats: &'a Stats,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    fallback: bool,
    ops: &'a [Op],
    #[serde(skip_serializing_if = "<[Move]>::is_empty")]
    moves: &'a [Move],
}

/// Writes `diff` as one JSON document followed by a newline.
pub fn json(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    let doc = Document {
        old,
        new,
        stats: &diff.stats,
        fallback: diff.fallback,
        ops: &diff.ops,
        moves: &diff.moves,
    };
    serde_json::to_writer(&mut *w, &doc).map_err(io::Error::other)?;
    w.write_all(b"\n")
}
