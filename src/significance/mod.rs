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
//! ```
//! use vellum::significance::{Context, score};
//! let old = "The council approved the budget of 4 million.";
//! let new = "The council rejected the budget of 9 million.";
//! let s = score(old, new, &Context::default());
//! assert!(s.value > 0.5);
//! let cosmetic = score("A  \u{201c}quoted\u{201d} word.", "A \"quoted\" word.", &Context::default());
//! assert!(cosmetic.value < 0.1);
//! ```

mod signals;

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the scorer knows beyond the two texts.
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// The paragraph hashes of the source's boilerplate
    /// ([`crate::republish::boilerplate::of`]): changes inside them count
    /// for nothing.
    pub boilerplate: HashSet<u64>,
}

/// A change's score and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Significance {
    /// Between 0 (nothing a reader would notice) and 1.
    pub value: f64,
    /// The signals found, strongest first.
    pub reasons: Vec<Reason>,
}

/// One signal found in a change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Reason {
    pub signal: Signal,
    /// The points it added (the score is `1 - exp(-sum of points)`).
    pub points: f64,
    /// What was found, for people: `"12 words"`, `"26 -> 29"`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

/// The signals the scorer looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Signal {
    /// Words of the document's text added, removed or replaced.
    Words,
    /// The share of the text's words changed.
    Share,
    /// A number or date changed.
    Numbers,
    /// Names (capitalised words inside a sentence) added or removed.
    Names,
    /// A quotation added or removed.
    Quotes,
    /// A negation (not, no, never, without…) added or removed.
    Negation,
    /// The title or the first paragraph changed.
    Lead,
    /// An update or correction notice added or changed.
    Notice,
    /// Whole paragraphs added or removed.
    Paragraphs,
    /// Most of the text vanished (an error page, a paywall, a takedown).
    Vanished,
    /// Only the page's chrome changed: navigation, widgets, counters, footers.
    Chrome,
    /// A date line ("Last updated: …") or byline changed.
    DateLine,
    /// Whitespace, typography, punctuation, case, markup or link targets.
    Formatting,
    /// Paragraphs moved without being edited.
    Moved,
    /// Only the source's boilerplate changed.
    Boilerplate,
}

impl Significance {
    /// No change at all.
    pub fn none() -> Significance {
        Significance {
            value: 0.0,
            reasons: Vec::new(),
        }
    }

    /// The reasons as people read them: `"words (12 words), numbers (26 -> 29)"`.
    pub fn summary(&self) -> String {
        self.reasons
            .iter()
            .map(|r| match r.detail.is_empty() {
                true => r.signal.label().to_owned(),
                false => format!("{} ({})", r.signal.label(), r.detail),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Signal {
    /// Its name, as in the JSON.
    pub fn label(self) -> &'static str {
        match self {
            Signal::Words => "words",
            Signal::Share => "share",
            Signal::Numbers => "numbers",
            Signal::Names => "names",
            Signal::Quotes => "quotes",
            Signal::Negation => "negation",
            Signal::Lead => "lead",
            Signal::Notice => "notice",
            Signal::Paragraphs => "paragraphs",
            Signal::Vanished => "vanished",
            Signal::Chrome => "chrome",
            Signal::DateLine => "date-line",
            Signal::Formatting => "formatting",
            Signal::Moved => "moved",
            Signal::Boilerplate => "boilerplate",
        }
    }
}

/// Scores the change from `old` to `new`.
pub fn score(old: &str, new: &str, ctx: &Context) -> Significance {
    if old == new {
        return Significance::none();
    }
    let (old_kept, new_kept);
    let (old, new) = if ctx.boilerplate.is_empty() {
        (old, new)
    } else {
        old_kept = crate::republish::boilerplate::strip(old, &ctx.boilerplate);
        new_kept = crate::republish::boilerplate::strip(new, &ctx.boilerplate);
        if old_kept == new_kept {
            return Significance {
                value: 0.0,
                reasons: vec![Reason {
                    signal: Signal::Boilerplate,
                    points: 0.0,
                    detail: String::new(),
                }],
            };
        }
        (old_kept.as_str(), new_kept.as_str())
    };
    let mut reasons = signals::find(old, new);
    reasons.sort_by(|a, b| b.points.total_cmp(&a.points));
    let points: f64 = reasons.iter().map(|r| r.points).sum();
    Significance {
        value: round3(1.0 - (-points).exp()),
        reasons,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
