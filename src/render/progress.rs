//! Progress lines for work that takes more than about a second: what a
//! line says and when it is worth redrawing. Nothing here knows whether
//! progress is wanted or where it goes (the front end's terminal); the
//! caller passes the time (`Instant`) and draws what [`Meter::tick`] and
//! [`spinner`] return with [`draw`].

use std::io::{self, Write};
use std::time::{Duration, Instant};

/// Work shorter than this shows no progress at all.
pub const QUIET_FOR: Duration = Duration::from_secs(1);
/// Redraws at most this often.
pub const REDRAW: Duration = Duration::from_millis(100);

/// Draws `vellum: TEXT` over the progress line on `out` (empty: erases it).
pub fn draw(out: &mut dyn Write, text: &str) -> io::Result<()> {
    match text {
        "" => write!(out, "\r\x1b[2K")?,
        _ => write!(out, "\r\x1b[2Kvellum: {text}")?,
    }
    out.flush()
}

/// A counter of known work, `LABEL DONE/TOTAL` (`LABEL DONE` when the
/// total is unknown): silent for [`QUIET_FOR`], then at most one line per
/// [`REDRAW`], and always the last one.
#[derive(Debug, Clone)]
pub struct Meter {
    label: String,
    start: Instant,
    last: Option<Instant>,
}

impl Meter {
    /// Work that starts at `start`.
    pub fn new(label: impl Into<String>, start: Instant) -> Meter {
        let label = label.into();
        Meter {
            label,
            start,
            last: None,
        }
    }

    /// At `now`, `done` of `total` units are done (`total` 0: unknown):
    /// the line to draw, if it is time for one.
    pub fn tick(&mut self, now: Instant, done: usize, total: usize) -> Option<String> {
        let early = self.last.is_some_and(|l| now - l < REDRAW) && done != total;
        if now.saturating_duration_since(self.start) < QUIET_FOR || early {
            return None;
        }
        self.last = Some(now);
        Some(match total {
            0 => format!("{} {done}", self.label),
            _ => format!("{} {done}/{total}", self.label),
        })
    }

    /// Whether a line was drawn (and is to be erased when the work ends).
    pub fn drawn(&self) -> bool {
        self.last.is_some()
    }
}

/// The line of work of unknown length, `elapsed` after it started
/// (`LABEL… | Ns`, the bar turning with each `frame`); `None` before
/// [`QUIET_FOR`].
pub fn spinner(label: &str, frame: usize, elapsed: Duration) -> Option<String> {
    let f = ['|', '/', '-', '\\'][frame % 4];
    (elapsed >= QUIET_FOR).then(|| format!("{label}… {f} {}s", elapsed.as_secs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_waits_a_second_then_redraws_at_most_every_tenth() {
        let t0 = Instant::now();
        let at = |ms| t0 + Duration::from_millis(ms);
        let mut m = Meter::new("checking packs", t0);
        assert_eq!(m.tick(at(500), 1, 10), None);
        assert!(!m.drawn());
        assert_eq!(
            m.tick(at(1000), 2, 10).as_deref(),
            Some("checking packs 2/10")
        );
        assert_eq!(m.tick(at(1050), 3, 10), None);
        // The last unit is always drawn.
        assert_eq!(
            m.tick(at(1060), 10, 10).as_deref(),
            Some("checking packs 10/10")
        );
        assert_eq!(
            m.tick(at(1200), 11, 0).as_deref(),
            Some("checking packs 11")
        );
        assert!(m.drawn());
    }

    #[test]
    fn a_spinner_turns_after_a_second() {
        assert_eq!(spinner("scoring", 0, Duration::from_millis(900)), None);
        let line = spinner("scoring", 5, Duration::from_millis(2500));
        assert_eq!(line.as_deref(), Some("scoring… / 2s"));
    }

    #[test]
    fn drawing_overwrites_the_line() {
        let mut out = Vec::new();
        draw(&mut out, "x 1/2").unwrap();
        draw(&mut out, "").unwrap();
        assert_eq!(out, b"\r\x1b[2Kvellum: x 1/2\r\x1b[2K");
    }
}
