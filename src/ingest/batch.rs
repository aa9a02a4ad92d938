//! Batch files: JSON Lines, one capture per line, for large imports.

use std::path::PathBuf;

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::DocName;

/// One line of a batch file: `{"path": ..., "doc": ..., "captured_at": ...,
/// "url": ..., "source": ..., "title": ...}` (path and doc required).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchLine {
    pub path: PathBuf,
    pub doc: DocName,
    /// RFC 3339; checked by [`BatchLine::time`] so the error can name it.
    #[serde(default)]
    pub captured_at: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
}

impl BatchLine {
    /// The capture time, or `default` when the line has none.
    pub fn time(&self, default: OffsetDateTime) -> Result<OffsetDateTime, String> {
        match &self.captured_at {
            Some(t) => parse_time(t).map_err(|e| format!("captured_at {t:?}: {e}")),
            None => Ok(default),
        }
    }
}

/// Parses one batch line. `Ok(None)` for a blank line.
pub fn parse_line(line: &str) -> Result<Option<BatchLine>, serde_json::Error> {
    if line.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(line).map(Some)
}

/// Parses an RFC 3339 time as the command line takes it.
/// Only times that fall in years 0000-9999 once in UTC are accepted: records
/// store UTC, and RFC 3339 cannot write other years.
pub fn parse_time(s: &str) -> Result<OffsetDateTime, String> {
    let t = OffsetDateTime::parse(s, &Rfc3339)
        .map_err(|e| format!("{e}; use RFC 3339, e.g. 2019-02-12T12:56:00Z"))?;
    let in_range = t
        .checked_to_offset(time::UtcOffset::UTC)
        .is_some_and(|u| (0..=9999).contains(&u.year()));
    if in_range {
        Ok(t)
    } else {
        Err("out of range: capture times must fall in years 0000-9999 UTC".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let l = parse_line(
            r#"{"path": "a.md", "doc": "a", "captured_at": "2019-02-12T12:56:00+01:00"}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(l.doc.as_str(), "a");
        assert_eq!(
            l.time(OffsetDateTime::UNIX_EPOCH).unwrap().unix_timestamp(),
            1549972560
        );
        assert_eq!(parse_line("  ").unwrap(), None);
        let l = parse_line(r#"{"path": "a", "doc": "a", "captured_at": "yesterday"}"#)
            .unwrap()
            .unwrap();
        assert!(
            l.time(OffsetDateTime::UNIX_EPOCH)
                .unwrap_err()
                .contains("captured_at")
        );
        for bad in [
            "{}",
            r#"{"path": "a"}"#,
            r#"{"path": "a", "doc": "../x"}"#,
            r#"{"path": "a", "doc": "a", "extra": 1}"#,
            "[1]",
        ] {
            assert!(parse_line(bad).is_err(), "{bad}");
        }
    }
}
