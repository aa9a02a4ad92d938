//! How much a change matters: a score between 0 and 1 for the change
//! between two versions of a text, with the reasons for it.
//!
//! The scorer is pure (`&str, &str -> Significance`): it diffs the two texts
//! with whitespace, typography and markup (link targets included) set aside,
//! sorts each remaining change into the document's own text or its chrome
//! (navigation, widgets, counters, a date line or byline), and adds up
//! simple, explainable signals found in the former: words changed, the share
//! of the text changed, numbers, names, quotes, a negation, the title or
//! first paragraph, an update or correction notice, whole paragraphs, a text
//! that vanished. Each signal adds points; the score is `1 - exp(-points)`,
//! so signals add up and the score never reaches 1. The weights were tuned
//! on the tuning half of a labelled set of real edit pairs and measured on
//! the held-out half (`docs/significance.md`).
//!
//! Scores of archived changes are kept in a derived index ([`Index`],
//! `significance.sqlite`), caught up like search and similarity;
//! [`changes`] lists them across the archive, most significant first.
//!
//! ```
//! use vellum::significance::{Context, score};
//! let old = "The council approved the budget of 4 million.";
//! let new = "The council rejected the budget of 9 million.";
//! let s = score(old, new, &Context::default());
//! assert!(s.value > 0.5);
//! let cosmetic = score("A  \u{201c}quoted\u{201d} word.", "A \"quoted\" word.", &Context::default());
//! assert!(cosmetic.value < 0.1);
//! ```

pub mod changes;
mod error;
pub mod index;
mod model;
mod signals;

pub use changes::{Change, ChangesQuery, VersionEnd, changes};
pub use error::SignificanceError;
pub use index::{Index, stored_mark};
pub use model::{Context, Excerpt, Reason, Signal, Significance};
pub use signals::score;
