//! Capture times as users write them, and as vellum prints them.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Parses a time: RFC 3339, or a shorter form read as UTC when it names no
/// zone (`2019-02-12`, `2019-02-12T12:56`, `2019-02-12 12:56:00+01:00`). A
/// date alone is the start of that day, or with `end_of_day` its last
/// instant (`DOC@2019-02-12` is the version current at the end of that day).
/// Only times in years 0000-9999 UTC are accepted: records store UTC, and
/// RFC 3339 cannot write other years.
pub fn parse_time_bound(s: &str, end_of_day: bool) -> Result<OffsetDateTime, String> {
    let s = s.trim();
    let t = parse_any(s, end_of_day).ok_or_else(|| {
        format!(
            "{s:?} is not a time; use e.g. 2019-02-12, 2019-02-12T12:56 (UTC) or 2019-02-12T12:56:00+01:00"
        )
    })?;
    let in_range = t
        .checked_to_offset(UtcOffset::UTC)
        .is_some_and(|u| (0..=9999).contains(&u.year()));
    if in_range {
        Ok(t)
    } else {
        Err("out of range: capture times must fall in years 0000-9999 UTC".into())
    }
}

/// [`parse_time_bound`] with a date alone meaning the start of the day.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    parse_time_bound(s, false)
}

fn parse_any(s: &str, end_of_day: bool) -> Option<OffsetDateTime> {
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(d) = Date::parse(s, format_description!("[year]-[month]-[day]")) {
        let time = if end_of_day {
            Time::from_hms_nano(23, 59, 59, 999_999_999).expect("valid")
        } else {
            Time::MIDNIGHT
        };
        return Some(PrimitiveDateTime::new(d, time).assume_utc());
    }
    // A space for the `T`, a `z` for the `Z`, seconds left out: one shape.
    let norm: String = s
        .char_indices()
        .map(|(i, c)| match c {
            ' ' if i == 10 => 'T',
            'z' => 'Z',
            c => c,
        })
        .collect();
    let (body, offset) = split_offset(&norm)?;
    let local = PrimitiveDateTime::parse(
        body,
        format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        ),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(
            body,
            format_description!("[year]-[month]-[day]T[hour]:[minute]"),
        )
    })
    .ok()?;
    Some(local.assume_offset(offset))
}

/// Splits a trailing `Z` or `±HH:MM` from a time; no zone means UTC.
fn split_offset(s: &str) -> Option<(&str, UtcOffset)> {
    if let Some(body) = s.strip_suffix('Z') {
        return Some((body, UtcOffset::UTC));
    }
    if s.len() > 6 {
        let (body, zone) = s.split_at(s.len() - 6);
        let b = zone.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' {
            let h: i8 = zone[1..3].parse().ok()?;
            let m: i8 = zone[4..6].parse().ok()?;
            let sign = if b[0] == b'-' { -1 } else { 1 };
            return Some((body, UtcOffset::from_hms(sign * h, sign * m, 0).ok()?));
        }
    }
    Some((s, UtcOffset::UTC))
}

/// A time as every command prints it: UTC, `YYYY-MM-DDTHH:MM:SSZ` (with a
/// fraction only when the time has one).
pub fn format_time(t: OffsetDateTime) -> String {
    let u = t.to_offset(UtcOffset::UTC);
    let whole = u
        .format(format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
        ))
        .unwrap_or_else(|_| t.to_string());
    match u.nanosecond() {
        0 => whole,
        _ => u.format(&Rfc3339).unwrap_or(whole),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn forms_users_write() {
        let ok = |s: &str| parse_time(s).unwrap();
        assert_eq!(ok("2019-02-12"), datetime!(2019-02-12 0:00 UTC));
        assert_eq!(ok("2019-02-12T12:56"), datetime!(2019-02-12 12:56 UTC));
        assert_eq!(
            ok("2019-02-12 12:56:00+01:00"),
            datetime!(2019-02-12 12:56 +01:00)
        );
        assert_eq!(ok("2019-02-12T12:56:00Z"), datetime!(2019-02-12 12:56 UTC));
        assert_eq!(ok("2019-02-12T12:56Z"), datetime!(2019-02-12 12:56 UTC));
        assert_eq!(
            ok("2019-02-12T12:56:07.5"),
            datetime!(2019-02-12 12:56:07.5 UTC)
        );
        assert_eq!(
            parse_time_bound("2019-02-12", true).unwrap(),
            datetime!(2019-02-12 23:59:59.999999999 UTC)
        );
        for bad in [
            "",
            "yesterday",
            "2019-13-01",
            "2019-02-12T25:00",
            "12:56",
            "2019-02-12T12",
        ] {
            assert!(parse_time(bad).is_err(), "{bad}");
        }
        assert!(parse_time("0000-01-01T00:00:00+01:00").is_err());
    }

    #[test]
    fn printed_to_the_second() {
        assert_eq!(
            format_time(datetime!(2019-02-12 12:56 +01:00)),
            "2019-02-12T11:56:00Z"
        );
        assert_eq!(
            format_time(datetime!(2019-02-12 12:56:00.25 UTC)),
            "2019-02-12T12:56:00.25Z"
        );
    }
}
