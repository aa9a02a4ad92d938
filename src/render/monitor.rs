//! The monitor's one-line answers as text: a check (`recheck`, `watch`)
//! and a document's schedule (`schedule`). Each takes the library's result
//! type and writes to any `std::io::Write`.

use std::io::{self, Write};

use crate::feed::RoundEvent as FeedEvent;
use crate::monitor::notify::Delivered;
use crate::monitor::{CheckReport, Outcome, Scheduled};

/// One check: `DOC OUTCOME DETAIL`.
pub fn check(out: &mut dyn Write, r: &CheckReport) -> io::Result<()> {
    let detail = match r.outcome {
        Outcome::Changed | Outcome::Unchanged => r.capture.as_ref().map(|c| {
            let mut s = format!("@{} {}", c.version, &c.capture[..12]);
            if let (Some(a), Some(d)) = (c.added, c.removed) {
                s.push_str(&format!(" +{a} -{d} words"));
            }
            if let Some(n) = r.returns_to {
                s.push_str(&format!(" (returns to @{n})"));
            }
            s
        }),
        Outcome::Redirected => r.location.as_ref().map(|l| format!("to {l}")),
        Outcome::Gone | Outcome::Status | Outcome::NotModified => {
            r.status.map(|s| format!("HTTP {s}"))
        }
        Outcome::Failed | Outcome::Vanished | Outcome::Blocked => r.error.clone(),
    };
    writeln!(
        out,
        "{} {} {}",
        r.doc,
        r.outcome,
        detail.unwrap_or_default().trim_end()
    )
}

/// One document's schedule: document, next check (or `paused`),
/// interval, auto or fixed, checks so far, the last check's outcome, and
/// `failing` when it is.
pub fn scheduled(out: &mut dyn Write, r: &Scheduled) -> io::Result<()> {
    writeln!(
        out,
        "{}  {}  {}  {}  {} checks  {}{}",
        r.doc,
        r.next.as_deref().unwrap_or("paused"),
        interval(r.interval),
        r.mode,
        r.checks,
        r.outcome.map_or("-".into(), |o| o.to_string()),
        if r.failing { "  failing" } else { "" }
    )
}

/// An interval in seconds, in its largest whole unit: 900 -> 15m,
/// 7200 -> 2h, 172800 -> 2d, 90 -> 90s.
pub fn interval(secs: i64) -> String {
    match secs {
        s if s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A feed round's note for stderr (`watch`): a feed or an item page that
/// failed, or a warning; `None` for the other events.
pub fn feed_note(e: &FeedEvent<'_>) -> Option<String> {
    Some(match *e {
        FeedEvent::FeedFailed { feed, error } => {
            format!("feed {feed}: {error}; nothing archived from it")
        }
        FeedEvent::Rejected { link, why, retried } => format!(
            "{link}: {why}; {}",
            match retried {
                true => "not archived, tried again next round",
                false => "not archived, given up after repeated failures",
            }
        ),
        FeedEvent::Warning(w) => format!("warning: {w}"),
        _ => return None,
    })
}

/// How a delivery of notifications went: a note when any was sent or is to
/// be retried, and a warning for each notification given up.
pub fn delivered(d: &Delivered) -> (Option<String>, Vec<String>) {
    let dropped = match d.dropped {
        0 => String::new(),
        n => format!(", {n} below --min-score"),
    };
    let (sent, retried) = (d.sent, d.retried);
    let note = (sent > 0 || retried > 0)
        .then(|| format!("notifications: {sent} sent, {retried} to retry{dropped}"));
    let given_up = d.given_up.iter();
    let given_up = given_up.map(|g| format!("notification {g}; given up (kept in outbox/failed/)"));
    (note, given_up.collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn intervals_in_their_largest_whole_unit() {
        let shown: Vec<String> = [900, 7200, 172_800, 90, 86_400 + 60]
            .into_iter()
            .map(super::interval)
            .collect();
        assert_eq!(shown, ["15m", "2h", "2d", "90s", "1441m"]);
    }

    #[test]
    fn a_delivery_is_told_only_when_something_happened() {
        let quiet = super::Delivered::default();
        assert_eq!(super::delivered(&quiet), (None, vec![]));
        let d = super::Delivered {
            sent: 2,
            dropped: 1,
            retried: 0,
            given_up: vec!["to http://h: 500".into()],
        };
        let (note, given_up) = super::delivered(&d);
        let note = note.expect("two were sent");
        assert_eq!(
            note,
            "notifications: 2 sent, 0 to retry, 1 below --min-score"
        );
        assert_eq!(given_up.len(), 1);
        assert!(given_up[0].starts_with("notification to http://h: 500; given up"));
    }
}
