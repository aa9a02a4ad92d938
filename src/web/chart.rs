//! A small inline-SVG chart of change size over time: one bar per version
//! at its capture time, words added above the axis (green), removed below
//! (red), on a square-root scale so one rewrite does not flatten every
//! edit. Each bar links to its version and names it in a `<title>`.
//! Presentation attributes and classes only (the CSP forbids inline style).

use std::fmt::Write;

use super::page::{esc, qs};
use crate::query::VersionStats;
use crate::when::format_time;

const W: f64 = 800.0;
const H: f64 = 120.0;
const PAD: f64 = 6.0;

/// The chart for a document's versions (oldest first).
pub fn svg(doc: &str, versions: &[VersionStats]) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {H}\" role=\"img\" aria-label=\"words added and removed per version\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    let mid = H / 2.0;
    let _ = write!(
        out,
        "<line class=\"axis\" x1=\"0\" y1=\"{mid}\" x2=\"{W}\" y2=\"{mid}\"/>"
    );
    if versions.is_empty() {
        out.push_str("</svg>\n");
        return out;
    }
    let first = versions[0].version.captured_at.unix_timestamp() as f64;
    let last = versions[versions.len() - 1]
        .version
        .captured_at
        .unix_timestamp() as f64;
    let n = versions.len();
    let bar = ((W - 2.0 * PAD) / n as f64).clamp(1.0, 12.0);
    let max = versions
        .iter()
        .filter_map(|v| v.change)
        .map(|(a, r)| a.max(r))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let scale = |words: u64| ((words as f64) / max).sqrt() * (mid - PAD);
    for (i, v) in versions.iter().enumerate() {
        let t = v.version.captured_at.unix_timestamp() as f64;
        // By time; by position when every capture shares one instant.
        let frac = if last > first {
            (t - first) / (last - first)
        } else if n > 1 {
            i as f64 / (n - 1) as f64
        } else {
            0.5
        };
        let x = PAD + frac * (W - 2.0 * PAD - bar);
        let (a, r) = v.change.unwrap_or((0, 0));
        let num = v.version.number;
        let _ = write!(
            out,
            "<a href=\"/doc/{}/{num}\"><title>@{num} {} +{a} −{r}</title>",
            qs(doc),
            esc(&format_time(v.version.captured_at))
        );
        // A sliver for versions without a change, so every one can be clicked.
        let (ha, hr) = (scale(a).max(1.0), scale(r).max(1.0));
        let _ = write!(
            out,
            "<rect class=\"a\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{ha:.1}\"/>\
<rect class=\"r\" x=\"{x:.1}\" y=\"{mid}\" width=\"{bar:.1}\" height=\"{hr:.1}\"/></a>",
            mid - ha
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ObjectId;
    use crate::store::{CaptureId, Version};

    fn v(n: u64, secs: i64, change: Option<(u64, u64)>) -> VersionStats {
        VersionStats {
            version: Version {
                number: n,
                capture: CaptureId(ObjectId::of(&n.to_le_bytes())),
                captured_at: time::OffsetDateTime::from_unix_timestamp(secs).unwrap(),
                key: ObjectId::of(&[n as u8]),
                sightings: 1,
                same_as: None,
                source: None,
                url: None,
                title: None,
            },
            words: None,
            change,
        }
    }

    #[test]
    fn one_linked_bar_pair_per_version_scaled_to_the_largest_change() {
        let vs = [
            v(1, 0, None),
            v(2, 100, Some((4, 1))),
            v(3, 200, Some((400, 0))),
        ];
        let s = svg("a-doc", &vs);
        assert_eq!(s.matches("<a href=\"/doc/a-doc/").count(), 3);
        assert_eq!(s.matches("<rect class=\"a\"").count(), 3);
        // The largest change reaches the top padding.
        assert!(s.contains(&format!("y=\"{:.1}\"", PAD)), "{s}");
        assert!(!s.contains("style="), "no inline style under the CSP");
    }
}
