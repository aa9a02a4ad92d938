//! Times as Memento and the Wayback tools write them, and the choice of a
//! memento by time (pure: no store).
//!
//! A memento is named by a 14-digit timestamp (`YYYYMMDDhhmmss`, UTC), so
//! captures within one second share a name: the name stands for the last
//! of them (the TimeMap still lists each).

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use crate::id::ObjectId;
use crate::store::CaptureId;

/// One capture of an original resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Memento {
    pub capture: CaptureId,
    pub doc: String,
    pub at: OffsetDateTime,
    /// The URL as this capture names it (fetched, redirected to, canonical).
    pub url: String,
    /// The media type archived.
    pub mime: String,
    /// The HTTP status, for captures vellum or a crawler fetched.
    pub status: Option<u16>,
    /// The bytes' object (for digests and the raw mode).
    pub content: ObjectId,
}

pub use crate::when::timestamp14;

/// A Wayback timestamp of 4 to 14 digits (`2019`, `201902`, …), the
/// missing digits taken as the start of the period it names. `None` when it
/// is not one.
pub fn parse_timestamp(s: &str) -> Option<OffsetDateTime> {
    if !(4..=14).contains(&s.len()) || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{s:0<14}");
    let n = |r: std::ops::Range<usize>| padded[r].parse::<u32>().ok();
    let month = n(4..6)?.max(1);
    let day = n(6..8)?.max(1);
    let date = Date::from_calendar_date(
        n(0..4)? as i32,
        Month::try_from(u8::try_from(month).ok()?).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()?;
    let t = Time::from_hms(
        u8::try_from(n(8..10)?).ok()?,
        u8::try_from(n(10..12)?).ok()?,
        u8::try_from(n(12..14)?).ok()?,
    )
    .ok()?;
    Some(PrimitiveDateTime::new(date, t).assume_utc())
}

const HTTP_DATE: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// `t` as an HTTP date (RFC 7231 IMF-fixdate, what `Memento-Datetime` and
/// the `datetime` attributes carry).
pub fn http_date(t: OffsetDateTime) -> String {
    t.to_offset(UtcOffset::UTC)
        .format(HTTP_DATE)
        .unwrap_or_default()
}

/// An `Accept-Datetime` value (IMF-fixdate). `None` when it is not one.
pub fn parse_http_date(s: &str) -> Option<OffsetDateTime> {
    PrimitiveDateTime::parse(s.trim(), HTTP_DATE)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}

/// The second a time falls in.
fn second(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

/// The index of the memento that a name for the second of `mementos[i]`
/// stands for: the last one of that second (`mementos` oldest first).
fn last_of_second(mementos: &[Memento], i: usize) -> usize {
    let s = second(mementos[i].at);
    let mut j = i;
    while j + 1 < mementos.len() && second(mementos[j + 1].at) == s {
        j += 1;
    }
    j
}

/// The memento closest in time to `t` (the later one on a tie, the last of
/// its second), as a TimeGate chooses. `None` when there is none.
pub fn closest(mementos: &[Memento], t: OffsetDateTime) -> Option<usize> {
    if mementos.is_empty() {
        return None;
    }
    let after = mementos.partition_point(|m| m.at < t);
    let pick = if after == 0 {
        0
    } else if after == mementos.len() || t - mementos[after - 1].at < mementos[after].at - t {
        after - 1
    } else {
        after
    };
    Some(last_of_second(mementos, pick))
}

/// The memento that the 14-digit name `t` stands for: the last capture in
/// that second. `None` when no capture falls in it.
pub fn in_second(mementos: &[Memento], t: OffsetDateTime) -> Option<usize> {
    let s = second(t);
    let end = mementos.partition_point(|m| second(m.at) <= s);
    (end > 0 && second(mementos[end - 1].at) == s).then(|| end - 1)
}

/// The mementos a memento's `Link` header names (indexes into the list,
/// each the last of its second).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Neighbours {
    pub first: usize,
    pub prev: Option<usize>,
    pub next: Option<usize>,
    pub last: usize,
}

/// The neighbours of `mementos[i]`, by distinct second.
pub fn neighbours(mementos: &[Memento], i: usize) -> Neighbours {
    let s = second(mementos[i].at);
    let start = mementos.partition_point(|m| second(m.at) < s);
    let end = mementos.partition_point(|m| second(m.at) <= s);
    Neighbours {
        first: last_of_second(mementos, 0),
        prev: (start > 0).then(|| start - 1),
        next: (end < mementos.len()).then(|| last_of_second(mementos, end)),
        last: mementos.len() - 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn m(at: OffsetDateTime, n: u8) -> Memento {
        Memento {
            capture: CaptureId(ObjectId::from_bytes([n; 32])),
            doc: "d".into(),
            at,
            url: "https://example.org/".into(),
            mime: "text/html".into(),
            status: Some(200),
            content: ObjectId::from_bytes([n; 32]),
        }
    }

    #[test]
    fn timestamps_and_http_dates_round_trip() {
        let t = datetime!(2019-02-12 08:05:09.25 UTC);
        assert_eq!(timestamp14(t), "20190212080509");
        assert_eq!(
            parse_timestamp("20190212080509"),
            Some(datetime!(2019-02-12 08:05:09 UTC))
        );
        assert_eq!(
            parse_timestamp("2019"),
            Some(datetime!(2019-01-01 0:00 UTC))
        );
        assert_eq!(parse_timestamp("20191399000000"), None);
        assert_eq!(parse_timestamp("12a4"), None);
        assert_eq!(http_date(t), "Tue, 12 Feb 2019 08:05:09 GMT");
        assert_eq!(
            parse_http_date("Tue, 12 Feb 2019 08:05:09 GMT"),
            Some(datetime!(2019-02-12 08:05:09 UTC))
        );
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn a_second_names_its_last_capture_and_neighbours_skip_it() {
        let list = [
            m(datetime!(2019-01-01 0:00 UTC), 1),
            m(datetime!(2019-02-01 0:00:00.1 UTC), 2),
            m(datetime!(2019-02-01 0:00:00.7 UTC), 3),
            m(datetime!(2019-03-01 0:00 UTC), 4),
        ];
        assert_eq!(in_second(&list, datetime!(2019-02-01 0:00 UTC)), Some(2));
        assert_eq!(in_second(&list, datetime!(2019-02-01 0:00:01 UTC)), None);
        assert_eq!(closest(&list, datetime!(2019-02-03 0:00 UTC)), Some(2));
        assert_eq!(closest(&list, datetime!(2018-01-01 0:00 UTC)), Some(0));
        assert_eq!(closest(&list, datetime!(2030-01-01 0:00 UTC)), Some(3));
        assert_eq!(closest(&list, datetime!(2019-01-02 0:00 UTC)), Some(0));
        let n = neighbours(&list, 2);
        assert_eq!(
            n,
            Neighbours {
                first: 0,
                prev: Some(0),
                next: Some(3),
                last: 3
            }
        );
        let n = neighbours(&list, 3);
        assert_eq!((n.prev, n.next), (Some(2), None));
        assert_eq!(closest(&[], datetime!(2019-01-01 0:00 UTC)), None);
    }
}
