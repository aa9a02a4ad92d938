//! `/cdx?url=…&from=…&to=…&limit=…&output=json`: the captures of one URL
//! as the Wayback CDX server lists them. JSON output is an array of
//! arrays, the first naming the fields; without `output=json`, one line per
//! capture, fields separated by spaces.
//!
//! Fields: `urlkey` (SURT), `timestamp` (14 digits), `original`,
//! `mimetype`, `statuscode` (`-` for captures not fetched over HTTP),
//! `digest` (sha1 of the bytes, base32, as in WARC payload digests) and
//! `length` (the bytes' length: vellum has no WARC record to measure).

use crate::ingest::surt::surt;
use crate::query::mementos::{Memento, timestamp14};
use crate::store::Archive;
use crate::warc::{Algorithm, Digest};

use super::super::error::WebError;

/// Rows answered when `limit` is not given, and at most.
pub const DEFAULT_LIMIT: usize = 1_000;
pub const MAX_LIMIT: usize = 10_000;

pub const FIELDS: [&str; 7] = [
    "urlkey",
    "timestamp",
    "original",
    "mimetype",
    "statuscode",
    "digest",
    "length",
];

/// A CDX query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    pub url: String,
    /// Timestamp prefixes (1 to 14 digits), inclusive bounds.
    pub from: Option<String>,
    pub to: Option<String>,
    /// Rows from the start, or (negative) the last rows.
    pub limit: i64,
    pub json: bool,
}

impl Query {
    pub fn parse(q: &str) -> Result<Query, WebError> {
        let mut out = Query {
            url: String::new(),
            from: None,
            to: None,
            limit: DEFAULT_LIMIT as i64,
            json: false,
        };
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            match &*k {
                "url" => out.url = v.trim().to_owned(),
                "from" => out.from = Some(digits(&v, "from")?),
                "to" => out.to = Some(digits(&v, "to")?),
                "limit" => {
                    out.limit = v.parse().map_err(|_| {
                        WebError::BadRequest(format!(
                            "limit={v:?} is not a number: give a count of rows (negative: the last ones)"
                        ))
                    })?
                }
                "output" => out.json = v == "json",
                _ => {}
            }
        }
        if out.url.is_empty() {
            return Err(WebError::BadRequest(
                "a CDX query needs url=…, e.g. /cdx?url=https://example.org/page&output=json"
                    .into(),
            ));
        }
        Ok(out)
    }
}

fn digits(v: &str, name: &str) -> Result<String, WebError> {
    if (1..=14).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()) {
        Ok(v.to_owned())
    } else {
        Err(WebError::BadRequest(format!(
            "{name}={:?} is not a timestamp: give 1 to 14 digits, YYYYMMDDhhmmss",
            v.chars().take(40).collect::<String>()
        )))
    }
}

/// The rows of `all` (the captures of `q.url`) that `q` selects.
pub fn select<'a>(all: &'a [Memento], q: &Query) -> Vec<&'a Memento> {
    let within = |m: &&Memento| {
        let ts = timestamp14(m.at);
        q.from.as_deref().is_none_or(|f| ts[..f.len()] >= *f)
            && q.to.as_deref().is_none_or(|t| ts[..t.len()] <= *t)
    };
    let chosen: Vec<&Memento> = all.iter().filter(within).collect();
    let n = (q.limit.unsigned_abs() as usize).min(MAX_LIMIT);
    if q.limit < 0 {
        chosen[chosen.len().saturating_sub(n)..].to_vec()
    } else {
        chosen.into_iter().take(n).collect()
    }
}

/// The answer's content type and body.
pub fn answer(
    archive: &Archive,
    all: &[Memento],
    q: &Query,
) -> Result<(&'static str, String), WebError> {
    let mut rows: Vec<Vec<String>> = Vec::new();
    for m in select(all, q) {
        let bytes = archive.read_object(&m.content)?;
        let digest = Digest::of(Algorithm::Sha1, &bytes).to_warc();
        rows.push(vec![
            surt(&m.url),
            timestamp14(m.at),
            m.url.clone(),
            m.mime.clone(),
            m.status.map_or("-".into(), |s| s.to_string()),
            digest.trim_start_matches("sha1:").to_owned(),
            bytes.len().to_string(),
        ]);
    }
    if q.json {
        let mut all_rows = vec![FIELDS.iter().map(|f| f.to_string()).collect::<Vec<_>>()];
        if rows.is_empty() {
            // The CDX server answers an empty array when nothing matches.
            return Ok(("application/json", "[]\n".into()));
        }
        all_rows.extend(rows);
        let body = serde_json::to_string(&all_rows)
            .map_err(|e| WebError::Internal(format!("CDX rows as JSON: {e}")))?;
        return Ok(("application/json", body + "\n"));
    }
    let mut body = String::new();
    for r in rows {
        // Spaces separate fields: a URL or type holding one is escaped.
        let line: Vec<String> = r.iter().map(|f| f.replace(' ', "%20")).collect();
        body.push_str(&line.join(" "));
        body.push('\n');
    }
    Ok(("text/plain; charset=utf-8", body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::ObjectId;
    use crate::store::CaptureId;
    use time::macros::datetime;

    #[test]
    fn from_to_and_limit_as_the_cdx_server_reads_them() {
        let all: Vec<Memento> = [
            datetime!(2018-12-31 23:59:59 UTC),
            datetime!(2019-02-12 0:00 UTC),
            datetime!(2019-06-01 0:00 UTC),
            datetime!(2020-01-01 0:00 UTC),
        ]
        .iter()
        .enumerate()
        .map(|(n, t)| Memento {
            capture: CaptureId(ObjectId::from_bytes([n as u8; 32])),
            doc: "d".into(),
            at: *t,
            url: "https://example.org/".into(),
            mime: "text/html".into(),
            status: Some(200),
            content: ObjectId::from_bytes([n as u8; 32]),
        })
        .collect();
        let q = Query::parse("url=example.org&from=2019&to=2019&output=json").unwrap();
        assert!(q.json);
        let years: Vec<String> = select(&all, &q).iter().map(|m| timestamp14(m.at)).collect();
        assert_eq!(years, ["20190212000000", "20190601000000"]);
        let last = Query::parse("url=example.org&limit=-1").unwrap();
        assert_eq!(select(&all, &last).len(), 1);
        assert_eq!(select(&all, &last)[0].at, datetime!(2020-01-01 0:00 UTC));
        assert!(Query::parse("from=2019").is_err());
        assert!(Query::parse("url=x&from=20x9").is_err());
    }
}
