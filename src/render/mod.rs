//! Renderers: `Diff` model -> writer. They never look at the store.

use std::io::{self, Write};

use crate::diff::Diff;

/// One side of a diff as the user named it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Side {
    /// What the user typed or what it resolved to, e.g. `south-front@2` or a path.
    pub label: String,
    /// Capture id (hex) when the side comes from the archive; `None` for a file.
    pub id: Option<String>,
}

/// Display settings resolved by the binary (the library never looks at the terminal).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// ANSI colors on (otherwise `[-deleted-]{+inserted+}` markers).
    pub color: bool,
    /// Unchanged paragraphs of context shown around each change.
    pub context: usize,
    /// Show every paragraph, unfolded.
    pub full: bool,
    /// Terminal width in columns (for side-by-side).
    pub width: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions { color: false, context: 1, full: false, width: 100 }
    }
}

pub fn inline(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side, opts: &RenderOptions) -> io::Result<()> {
    let _ = (w, diff, old, new, opts);
    todo!("render helper")
}

pub fn json(w: &mut dyn Write, diff: &Diff, old: &Side, new: &Side) -> io::Result<()> {
    let _ = (w, diff, old, new);
    todo!("render helper")
}
