//! What a score is: its value, reasons and excerpt.

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
    /// The first change of the document's own words, cut short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<Excerpt>,
}

/// A short excerpt of a change: words removed and words added (either may
/// be empty), each cut to about 100 characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Excerpt {
    pub removed: String,
    pub added: String,
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
            excerpt: None,
        }
    }

    /// The reasons as people read them: `"words (12 words), numbers (26 -> 29)"`.
    pub fn summary(&self) -> String {
        self.reason_lines().join(", ")
    }

    /// Each reason as people read it: `numbers (26 -> 29)`.
    pub fn reason_lines(&self) -> Vec<String> {
        self.reasons
            .iter()
            .map(|r| match r.detail.is_empty() {
                true => r.signal.label().to_owned(),
                false => format!("{} ({})", r.signal.label(), r.detail),
            })
            .collect()
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
