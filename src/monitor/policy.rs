//! The backoff policy: how a document's next check follows from its
//! checks. Pure, clockless: every time comes from the records.

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use super::record::{CheckRecord, Outcome};

/// How often documents are re-checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Policy {
    /// The interval after a change (and after the first capture): 15 minutes.
    #[schemars(with = "i64")]
    #[serde(with = "seconds")]
    pub min: Duration,
    /// The longest interval: 30 days.
    #[schemars(with = "i64")]
    #[serde(with = "seconds")]
    pub max: Duration,
    /// Each check that finds the page as before multiplies the interval by
    /// this (2: 15m, 30m, 1h, 2h … 30d).
    pub factor: u32,
    /// Failures in a row after which a document is reported as failing and
    /// checked only every `max` (5).
    pub failing_after: u32,
    /// A change back to one of this many earlier distinct texts is a
    /// flip-flop, not notified by default (5).
    pub flip_flop_window: usize,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            min: Duration::minutes(15),
            max: Duration::days(30),
            factor: 2,
            failing_after: 5,
            flip_flop_window: 5,
        }
    }
}

/// Where a document's schedule stands after its checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The last check (or capture) the schedule counts from.
    pub last_at: OffsetDateTime,
    /// The interval after it.
    pub interval: Duration,
    /// Failures in a row.
    pub failures: u32,
}

impl Standing {
    /// A document first captured at `at`.
    pub fn first(at: OffsetDateTime, policy: &Policy) -> Standing {
        Standing {
            last_at: at,
            interval: policy.min,
            failures: 0,
        }
    }

    /// The standing after one more check.
    pub fn step(self, c: &CheckRecord, policy: &Policy) -> Standing {
        let longer = |d: Duration| (d * policy.factor as i32).min(policy.max);
        let (interval, failures) = match c.outcome {
            Outcome::Changed => (policy.min, 0),
            o if o.is_same() => (longer(self.interval), 0),
            _ => {
                let failures = self.failures + 1;
                match failures >= policy.failing_after {
                    true => (policy.max, failures),
                    false => (longer(self.interval), failures),
                }
            }
        };
        Standing {
            last_at: c.checked_at.max(self.last_at),
            interval,
            failures,
        }
    }

    /// Whether the document is reported as failing.
    pub fn failing(&self, policy: &Policy) -> bool {
        self.failures >= policy.failing_after
    }

    /// When it is due next (`every` overrides the interval).
    pub fn next_at(&self, every: Option<Duration>) -> OffsetDateTime {
        self.last_at + every.unwrap_or(self.interval)
    }
}

mod seconds {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Duration;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(d.whole_seconds())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        i64::deserialize(d).map(Duration::seconds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn check(at: OffsetDateTime, outcome: Outcome) -> CheckRecord {
        CheckRecord::new("a".parse().unwrap(), "https://x/a", at, outcome)
    }

    #[test]
    fn backs_off_while_the_same_resets_on_change_and_fails_after_n() {
        let p = Policy::default();
        let mut at = datetime!(2026-12-01 0:00 UTC);
        let mut s = Standing::first(at, &p);
        let mut intervals = Vec::new();
        for _ in 0..14 {
            at = s.next_at(None);
            s = s.step(&check(at, Outcome::NotModified), &p);
            intervals.push(s.interval.whole_minutes());
        }
        assert_eq!(&intervals[..4], &[30, 60, 120, 240]);
        assert_eq!(*intervals.last().unwrap(), p.max.whole_minutes(), "capped");
        at = s.next_at(None);
        assert_eq!(at - s.last_at, p.max);
        s = s.step(&check(at, Outcome::Changed), &p);
        assert_eq!(s.interval, p.min);
        for i in 1..=p.failing_after {
            s = s.step(&check(s.next_at(None), Outcome::Gone), &p);
            assert_eq!(s.failing(&p), i >= p.failing_after);
        }
        assert_eq!(
            s.interval, p.max,
            "a failing document is checked less often"
        );
        s = s.step(&check(s.next_at(None), Outcome::Unchanged), &p);
        assert!(!s.failing(&p));
        assert_eq!(
            s.next_at(Some(Duration::hours(1))),
            s.last_at + Duration::hours(1)
        );
    }
}
