//! A diff as `vellum diff` shows it, in any of its views ([`diff_view`]).

use std::io::{self, Write};

use super::json::{self, Document};
use super::layout::RenderOptions;
use super::side::{BylineChange, Side};
use crate::diff::Diff;
use crate::significance::Significance;

/// How a diff is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// Words inline ([`super::inline`]).
    Inline,
    /// Two columns ([`super::side_by_side`]).
    SideBySide,
    /// One JSON document ([`Document`]).
    Json,
    /// One HTML page ([`super::html`]).
    Html,
    /// A summary of the changes ([`super::stat`]), then the significance.
    Stat,
}

impl View {
    /// Whether the view shows how significant the change is.
    pub fn scores(self) -> bool {
        matches!(self, View::Json | View::Stat)
    }

    /// Whether the view shows the word totals of both texts (see
    /// `DiffOptions::no_word_totals`).
    pub fn shows_word_totals(self) -> bool {
        matches!(self, View::Json | View::Stat)
    }
}

/// `d` between `old` and `new` as `view` shows it, with `significance`
/// (when [`View::scores`]). Bylines are metadata, never in the word diff:
/// their change is a line above it (JSON and HTML carry it themselves).
pub fn diff_view(
    out: &mut dyn Write,
    view: View,
    d: &Diff,
    (old, new): (&Side, &Side),
    significance: Option<&Significance>,
    o: &RenderOptions,
) -> io::Result<()> {
    let own_header = matches!(view, View::Json | View::Html);
    if let Some(b) = BylineChange::between(old, new).filter(|_| !own_header) {
        writeln!(out, "{}", b.line())?;
    }
    match view {
        View::Inline => super::inline::inline(out, d, old, new, o),
        View::SideBySide => super::side_by_side::side_by_side(out, d, old, new, o),
        View::Html => super::html::html(out, d, old, new, o),
        View::Json => json::line(
            out,
            &Document {
                significance,
                ..Document::new(d, old, new)
            },
        ),
        View::Stat => {
            super::stat::stat(out, d, o)?;
            significance.map_or(Ok(()), |s| super::stat::significance(out, s))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every view of a diff whose bylines differ: the byline line above the
    /// text views only, the significance in the stat and JSON views only.
    #[test]
    fn bylines_and_significance_go_where_each_view_puts_them() {
        let d = crate::diff::diff("one two three", "one two four", &Default::default());
        let side = |byline: &str| Side {
            byline: Some(byline.into()),
            ..Side::named("x")
        };
        let (old, new) = (side("By A"), side("By B"));
        let s = crate::significance::score("one two three", "one two four", &Default::default());
        let o = RenderOptions::default();
        let shown = |view| {
            let mut out = Vec::new();
            diff_view(&mut out, view, &d, (&old, &new), Some(&s), &o).unwrap();
            String::from_utf8(out).unwrap()
        };
        let line = BylineChange::between(&old, &new).unwrap().line();
        for view in [View::Inline, View::SideBySide, View::Stat] {
            assert!(shown(view).starts_with(&format!("{line}\n")), "{view:?}");
        }
        for view in [View::Json, View::Html] {
            assert!(!shown(view).contains(&line), "{view:?}");
        }
        assert!(shown(View::Stat).contains("significance "));
        assert!(!shown(View::Inline).contains("significance"));
        let json: serde_json::Value = serde_json::from_str(&shown(View::Json)).unwrap();
        assert!(
            json["significance"].is_object() && json["byline"].is_object(),
            "{json}"
        );
    }
}
