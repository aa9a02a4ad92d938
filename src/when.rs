//! Times as people type them: `2019-02-12`, `2019-02-12T12:56`,
//! `2019-02-12 12:56:00+01:00` and RFC 3339. A time without a zone is UTC.
//!
//! One parser for every place a time is typed (`add --at`, batch
//! `captured_at`, addresses such as `DOC@2019-02-12`, `log --since/--until`),
//! so they all accept the same forms and refuse the rest with the same words.
//! Durations as typed (`watch --every 15m`): [`parse_duration`].

use time::{Date, Month, OffsetDateTime, Time, UtcOffset};

/// What the forms look like, for error messages and `--help`.
pub const TIME_FORMS: &str = "a date (2019-02-12), a date and time (2019-02-12T12:56 or \
2019-02-12 12:56:00, UTC unless a zone is given) or RFC 3339 (2019-02-12T12:56:00+01:00)";

/// Parses a time; a date alone is the start of that day, UTC.
///
/// Only times that fall in years 0000-9999 once in UTC are accepted: records
/// store UTC, and RFC 3339 cannot write other years.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    parse_time_bound(s, false)
}

/// Parses a time used as a bound. With `end_of_day`, a date alone means the
/// last instant of that day, UTC (`DOC@2019-02-12`, `log --until 2019-02-12`:
/// everything captured that day is included); a time with hours and minutes
/// means exactly that time either way.
pub fn parse_time_bound(s: &str, end_of_day: bool) -> Result<OffsetDateTime, String> {
    let t = parse(s.trim(), end_of_day)
        .map_err(|why| format!("invalid time {:?}: {why}; use {TIME_FORMS}", shown(s)))?;
    let in_range = t
        .checked_to_offset(UtcOffset::UTC)
        .is_some_and(|u| (0..=9999).contains(&u.year()));
    if in_range {
        Ok(t)
    } else {
        Err(format!(
            "time {:?} is out of range: times must fall in years 0000-9999 UTC",
            shown(s)
        ))
    }
}

/// What relative times look like, for error messages and `--help`.
pub const RELATIVE_FORMS: &str = "a time ago: 30m, 12h, 1d or 2w (minutes, hours, days, weeks)";

/// A relative time as typed (`30m`, `12h`, `1d`, `2w`, optionally followed
/// by ` ago`): how long ago. `None` when `s` is not of that form.
pub fn parse_ago(s: &str) -> Option<Result<time::Duration, String>> {
    let s = s.trim();
    let s = s.strip_suffix("ago").map_or(s, str::trim_end);
    let unit_at = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(unit_at);
    let per: i64 = match unit {
        "m" | "min" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 7 * 86_400,
        _ => return None,
    };
    if num.is_empty() {
        return None;
    }
    Some(
        num.parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .map(time::Duration::seconds)
            .ok_or_else(|| format!("{s:?} is too long ago")),
    )
}

/// Parses a time as [`parse_time_bound`] does, or a relative time
/// ([`parse_ago`]) counted back from `now` (the caller's clock: the library
/// never reads it).
pub fn parse_time_relative(
    s: &str,
    end_of_day: bool,
    now: OffsetDateTime,
) -> Result<OffsetDateTime, String> {
    match parse_ago(s) {
        Some(ago) => now
            .checked_sub(ago?)
            .filter(|t| (0..=9999).contains(&t.year()))
            .ok_or_else(|| {
                format!(
                    "{:?} is out of range: times must fall in years 0000-9999 UTC",
                    shown(s)
                )
            }),
        None => parse_time_bound(s, end_of_day).map_err(|e| format!("{e}, or {RELATIVE_FORMS}")),
    }
}

/// A time option that does not parse: the option as typed and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadTimeOption {
    pub option: String,
    pub error: String,
}

impl std::fmt::Display for BadTimeOption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.option, self.error)
    }
}

impl std::error::Error for BadTimeOption {}

/// A time option's value, if given (`--since 2019-02-12`, `--since 1d`:
/// counted back from `now`; `end_of_day`: a date alone means its end);
/// the error names the `option`.
pub fn time_option(
    option: &str,
    typed: Option<&str>,
    end_of_day: bool,
    now: OffsetDateTime,
) -> Result<Option<OffsetDateTime>, BadTimeOption> {
    let parsed = typed.map(|s| parse_time_relative(s, end_of_day, now));
    parsed.transpose().map_err(|error| BadTimeOption {
        option: option.to_owned(),
        error,
    })
}

/// An address whose `@` is followed by a relative time (`DOC@1d`,
/// `URL@12h`) with that time made absolute against `now` (the caller's
/// clock), as `DOC@TIME` addresses read: `DOC@2024-01-01T00:00:00Z`. Any
/// other text comes back as it is (address parsing stays clock-free).
pub fn anchor_address(s: &str, now: OffsetDateTime) -> std::borrow::Cow<'_, str> {
    let Some((head, at)) = s.rsplit_once('@') else {
        return s.into();
    };
    match parse_ago(at) {
        Some(Ok(ago)) => match now
            .checked_sub(ago)
            .filter(|t| (0..=9999).contains(&t.year()))
        {
            Some(t) => format!("{head}@{}", format_time(t)).into(),
            None => s.into(),
        },
        _ => s.into(),
    }
}

/// The current time, to the second: `VELLUM_NOW` when it is set (for tests
/// and replays), else the system clock. Every front end takes "now" from
/// here, so a relative time (`DOC@1d`) means the same in each.
pub fn clock() -> OffsetDateTime {
    std::env::var("VELLUM_NOW")
        .ok()
        .and_then(|s| parse_time(&s).ok())
        .unwrap_or_else(|| to_second(OffsetDateTime::now_utc()))
}

/// An address as typed, with a relative time after its `@` (`DOC@1d`)
/// made absolute against [`clock`].
pub fn anchored(addr: &str) -> String {
    anchor_address(addr, clock()).into_owned()
}

/// `t` to the second, as vellum keeps "now" (sub-second digits would only
/// make otherwise equal listings differ).
pub fn to_second(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(0).unwrap_or(t)
}

/// `t` as `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole seconds): every time vellum
/// prints has this width, so columns align.
pub fn format_time(t: OffsetDateTime) -> String {
    let u = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        u.year(),
        u.month() as u8,
        u.day(),
        u.hour(),
        u.minute(),
        u.second()
    )
}

/// `t` as the 14-digit Wayback timestamp `YYYYMMDDhhmmss` (UTC): Memento
/// URLs, CDX lines and the names of exported collections.
pub fn timestamp14(t: OffsetDateTime) -> String {
    let u = t.checked_to_offset(UtcOffset::UTC).unwrap_or(t);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        u.year(),
        u.month() as u8,
        u.day(),
        u.hour(),
        u.minute(),
        u.second()
    )
}

fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(40).collect();
    if s.chars().count() > 40 {
        out.push('…');
    }
    out
}

/// A cursor over the ASCII text of a time.
struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize, what: &str) -> Result<u32, String> {
        let end = self.i + n;
        let part = self
            .b
            .get(self.i..end)
            .filter(|p| p.iter().all(u8::is_ascii_digit));
        let Some(part) = part else {
            return Err(format!("the {what} needs {n} digits"));
        };
        self.i = end;
        Ok(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.b.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i == self.b.len()
    }
}

fn parse(s: &str, end_of_day: bool) -> Result<OffsetDateTime, String> {
    if s.is_empty() {
        return Err("it is empty".into());
    }
    let mut c = Cursor {
        b: s.as_bytes(),
        i: 0,
    };
    let year = c.digits(4, "year")? as i32;
    if !c.eat(b'-') {
        return Err("a '-' must follow the year".into());
    }
    let month = c.digits(2, "month")?;
    if !c.eat(b'-') {
        return Err("a '-' must follow the month".into());
    }
    let day = c.digits(2, "day")?;
    let month = u8::try_from(month)
        .ok()
        .and_then(|m| Month::try_from(m).ok())
        .ok_or_else(|| format!("there is no month {month:02}"))?;
    let date = Date::from_calendar_date(year, month, day as u8)
        .map_err(|_| format!("{year:04}-{:02} has no day {day:02}", month as u8))?;
    if c.done() {
        let t = if end_of_day {
            Time::from_hms_nano(23, 59, 59, 999_999_999).expect("valid")
        } else {
            Time::MIDNIGHT
        };
        return Ok(date.with_time(t).assume_utc());
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err("a 'T' or a space must separate the date and the time".into());
    }
    let hour = c.digits(2, "hour")?;
    if !c.eat(b':') {
        return Err("a ':' must separate hours and minutes".into());
    }
    let minute = c.digits(2, "minutes")?;
    let (mut second, mut nano) = (0, 0);
    if c.eat(b':') {
        second = c.digits(2, "seconds")?;
        if c.eat(b'.') || c.eat(b',') {
            let start = c.i;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.i += 1;
            }
            let frac = &s[start..c.i];
            if frac.is_empty() || frac.len() > 9 {
                return Err("fractions of a second need 1 to 9 digits".into());
            }
            nano = frac.parse::<u32>().expect("digits") * 10u32.pow(9 - frac.len() as u32);
        }
    }
    let time = Time::from_hms_nano(hour as u8, minute as u8, second as u8, nano).map_err(|_| {
        format!("{hour:02}:{minute:02}:{second:02} is not a time of day (hours 00-23, minutes and seconds 00-59)")
    })?;
    // An optional space before the zone: `2019-02-12 12:56:00 +01:00`.
    if c.peek() == Some(b' ') && c.b.len() > c.i + 1 {
        c.i += 1;
    }
    let offset = if c.done() || c.eat(b'Z') || c.eat(b'z') {
        UtcOffset::UTC
    } else if let Some(sign @ (b'+' | b'-')) = c.peek() {
        c.i += 1;
        let h = c.digits(2, "zone's hours")?;
        c.eat(b':');
        let m = if c.done() {
            0
        } else {
            c.digits(2, "zone's minutes")?
        };
        if h > 23 || m > 59 {
            return Err(format!("{h:02}:{m:02} is not a time zone offset"));
        }
        let sign = if sign == b'-' { -1 } else { 1 };
        UtcOffset::from_hms(sign * h as i8, sign * m as i8, 0).expect("checked above")
    } else {
        return Err("only a zone (Z, +01:00 or -05:00) may follow the time".into());
    };
    if !c.done() {
        return Err("unexpected text after the time zone".into());
    }
    Ok(date.with_time(time).assume_offset(offset))
}

/// A time as Unix nanoseconds: exact for every year a capture record
/// allows; the order the catalog and histories sort captures in.
pub fn nanos(t: OffsetDateTime) -> i128 {
    t.unix_timestamp_nanos()
}

/// The inverse of [`nanos`] (for values it returned).
pub fn from_nanos(n: i128) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(n).expect("nanos of a record time")
}

/// A duration as typed: `30s`, `15m`, `1h`, `1d`, `500ms`, or plain seconds.
pub fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d"))?;
    let per = match unit {
        "ms" => return Ok(std::time::Duration::from_millis(n)),
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d")),
    };
    n.checked_mul(per)
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long a duration"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn relative_times_count_back_from_the_callers_now() {
        let now = datetime!(2024-03-15 12:00 UTC);
        let at = |s| parse_time_relative(s, false, now);
        assert_eq!(at("30m"), Ok(datetime!(2024-03-15 11:30 UTC)));
        assert_eq!(at("12h"), Ok(datetime!(2024-03-15 00:00 UTC)));
        assert_eq!(at("1d"), Ok(datetime!(2024-03-14 12:00 UTC)));
        assert_eq!(at("2w ago"), Ok(datetime!(2024-03-01 12:00 UTC)));
        assert_eq!(at("2024-01-01"), Ok(datetime!(2024-01-01 00:00 UTC)));
        assert!(at("3y").unwrap_err().contains("30m, 12h, 1d or 2w"));
        assert!(at("99999999999999999w").is_err());
        assert!(at("150000w").unwrap_err().contains("out of range"));
        assert!(at("1000000w").unwrap_err().contains("out of range"));
    }

    #[test]
    fn a_time_option_is_optional_and_its_error_names_it() {
        let now = datetime!(2024-03-15 12:00 UTC);
        assert_eq!(time_option("--since", None, false, now), Ok(None));
        let until = time_option("--until", Some("2024-01-01"), true, now);
        assert_eq!(
            until,
            Ok(Some(datetime!(2024-01-01 23:59:59.999999999 UTC)))
        );
        let since = time_option("--since", Some("1d"), false, now);
        assert_eq!(since, Ok(Some(datetime!(2024-03-14 12:00 UTC))));
        let bad = time_option("--since", Some("yesterday"), false, now).unwrap_err();
        assert_eq!(bad.option, "--since");
        assert!(bad.to_string().starts_with("--since: "), "{bad}");
    }

    #[test]
    fn durations_too_long_are_refused_not_overflowed() {
        assert_eq!(
            parse_duration("2d"),
            Ok(std::time::Duration::from_secs(172_800))
        );
        assert!(parse_duration("99999999999999999d").is_err());
    }

    #[test]
    fn accepted_forms() {
        let cases = [
            ("2019-02-12", datetime!(2019-02-12 00:00 UTC)),
            ("2019-02-12T12:56", datetime!(2019-02-12 12:56 UTC)),
            ("2019-02-12t12:56", datetime!(2019-02-12 12:56 UTC)),
            ("2019-02-12 12:56", datetime!(2019-02-12 12:56 UTC)),
            ("2019-02-12 12:56:07", datetime!(2019-02-12 12:56:07 UTC)),
            ("2019-02-12 12:56:00+01:00", datetime!(2019-02-12 11:56 UTC)),
            (
                "2019-02-12 12:56:00 +01:00",
                datetime!(2019-02-12 11:56 UTC),
            ),
            ("2019-02-12T12:56:00Z", datetime!(2019-02-12 12:56 UTC)),
            ("2019-02-12T12:56Z", datetime!(2019-02-12 12:56 UTC)),
            ("2019-02-12T12:56:00-0530", datetime!(2019-02-12 18:26 UTC)),
            ("2019-02-12T12:56-05", datetime!(2019-02-12 17:56 UTC)),
            (
                "2019-02-12T12:56:00.25Z",
                datetime!(2019-02-12 12:56:00.25 UTC),
            ),
            ("  2019-02-12T12:56:00Z\n", datetime!(2019-02-12 12:56 UTC)),
        ];
        for (s, want) in cases {
            assert_eq!(parse_time(s), Ok(want), "{s:?}");
        }
        // The offset is kept as given (it is the same instant).
        assert_eq!(
            parse_time("2019-02-12T12:56:00+01:00").unwrap().offset(),
            UtcOffset::from_hms(1, 0, 0).unwrap()
        );
    }

    #[test]
    fn a_date_alone_as_an_end_bound_is_the_end_of_that_day() {
        assert_eq!(
            parse_time_bound("2019-02-12", true),
            Ok(datetime!(2019-02-12 23:59:59.999_999_999 UTC))
        );
        assert_eq!(
            parse_time_bound("2019-02-12", false),
            Ok(datetime!(2019-02-12 00:00 UTC))
        );
        // A time is exact either way.
        assert_eq!(
            parse_time_bound("2019-02-12T18:00Z", true),
            Ok(datetime!(2019-02-12 18:00 UTC))
        );
    }

    #[test]
    fn refused_forms_say_what_is_accepted() {
        for s in [
            "",
            "now",
            "yesterday",
            "2019-2-12",
            "2019-02-30",
            "2019-13-01",
            "2019-02-12T25:00",
            "2019-02-12T12:60",
            "2019-02-12T12:56:61",
            "2019-02-12T12",
            "2019-02-12T12:56:00+25:00",
            "2019-02-12T12:56:00 UTC",
            "2019-02-12T12:56:00.Z",
            "2019-02-12T12:56:00.1234567891Z",
            "2019-02-12T12:56:00Zjunk",
            "12:56",
            "2019/02/12",
            "２０１９-02-12",
        ] {
            let e = parse_time(s).unwrap_err();
            assert!(
                e.contains("invalid time") && e.contains("2019-02-12T12:56"),
                "{s:?}: {e}"
            );
        }
        assert!(parse_time("2019-02-30").unwrap_err().contains("no day 30"));
        assert!(
            parse_time("0000-01-01T00:30+01:00")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_time("9999-12-31T23:00-02:00").is_err());
        assert!(parse_time("0000-01-01").is_ok() && parse_time("9999-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn display_is_fixed_width_utc_seconds() {
        let t = datetime!(2019-02-12 12:56:07.9 +01:00);
        assert_eq!(format_time(t), "2019-02-12T11:56:07Z");
        assert_eq!(
            format_time(datetime!(0001-01-01 00:00 UTC)),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(to_second(t).nanosecond(), 0);
    }

    #[test]
    fn a_relative_address_is_anchored_to_the_caller_s_now() {
        let now = datetime!(2026-12-07 12:00 UTC);
        assert_eq!(anchor_address("doc@1d", now), "doc@2026-12-06T12:00:00Z");
        assert_eq!(anchor_address("doc@30m", now), "doc@2026-12-07T11:30:00Z");
        assert_eq!(
            anchor_address("https://a.example/x@2w", now),
            "https://a.example/x@2026-11-23T12:00:00Z"
        );
        for same in [
            "doc",
            "doc@3",
            "doc@-1",
            "doc@2019-02-12",
            "https://u@a.example/x",
        ] {
            assert_eq!(anchor_address(same, now), same);
        }
    }
}
