//! Renderers: `Diff` model -> writer. They never look at the store, the
//! terminal or the environment; everything they need is in [`RenderOptions`].
//!
//! - [`inline`]: the text once, deletions and insertions marked in place.
//! - [`side_by_side`]: old and new in two wrapped columns.
//! - [`json`]: the model as one JSON document.
//! - [`html`]: a self-contained HTML page.
//! - [`stat`]: a one-line summary plus word counts.
//! - [`diff_view`]: any of these, as `vellum diff` shows it.
//! - [`listing`], [`tables`]: the text listings of the front ends (`log`,
//!   `search`, `similar`, `stories`, `collate`, added captures), laid out
//!   with [`layout`]'s cells; [`reports`], the maintenance commands' reports.
//! - [`completion`]: the document completion added to shell completion
//!   scripts; [`progress`]: the progress lines of long work.
//!
//! The text renderers share one layout: the diff is cut into paragraphs, and
//! unchanged paragraphs further than `context` from a change are folded into
//! a `⋯ N unchanged paragraphs ⋯` line unless `full` is set. Ignored changes
//! are shown in their new form, as unchanged text. Styles and markers are
//! described in [`theme`].

pub mod completion;
mod html;
mod html_side;
mod inline;
pub mod json;
pub mod layout;
pub mod listing;
pub mod monitor;
pub mod progress;
pub mod reports;
mod side;
mod side_by_side;
mod stat;
pub mod tables;
pub mod theme;
mod view;

pub use html::{escape as escape_html, html, html_body, kind_name};
pub use html_side::html_side_by_side;
pub use inline::inline;
pub use json::json;
#[cfg(test)]
use layout::split_after_breaks;
pub use layout::{RenderOptions, TableOptions, cell, snippet, terminal_safe};
pub use side::{BylineChange, Side, heading};
pub use side_by_side::side_by_side;
pub use stat::{significance, stat, summary};
pub use view::{View, diff_view};

#[cfg(test)]
mod tests;
