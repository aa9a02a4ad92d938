//! Check records: what one re-check of a document's URL found, as the JSON
//! the store keeps (object kind 5, `store/check.rs`). Canonical bytes:
//! compact JSON, fields in this order, absent when empty, times in UTC
//! RFC 3339 (`docs/format.md`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::id::ObjectId;
use crate::store::DocName;

/// Current check record format (the `check` field).
pub const CHECK_RECORD_FORMAT: u32 = 1;

/// What a check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(rename = "CheckOutcome")]
pub enum Outcome {
    /// The page's text equals the document's current version (a sighting
    /// was archived).
    Unchanged,
    /// A new version was archived.
    Changed,
    /// The server answered 304 Not Modified to a conditional GET: nothing
    /// was downloaded.
    NotModified,
    /// The URL now redirects to another page (`location`).
    Redirected,
    /// 404 Not Found or 410 Gone: the page was taken down.
    Gone,
    /// Another HTTP status (`status`).
    Status,
    /// The fetch failed (`error`): timeout, refused connection, DNS.
    Failed,
    /// The page answered but its article text vanished (a paywall, an error
    /// page, an empty page): `error` says why.
    Vanished,
    /// `robots.txt` forbids fetching the URL (nothing was fetched).
    Blocked,
}

impl Outcome {
    /// The page answered as before (no change, no failure).
    pub fn is_same(self) -> bool {
        matches!(self, Outcome::Unchanged | Outcome::NotModified)
    }

    /// The check could not see the page as it was (a failure in a row).
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Outcome::Gone
                | Outcome::Status
                | Outcome::Failed
                | Outcome::Vanished
                | Outcome::Redirected
                | Outcome::Blocked
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Unchanged => "unchanged",
            Outcome::Changed => "changed",
            Outcome::NotModified => "not-modified",
            Outcome::Redirected => "redirected",
            Outcome::Gone => "gone",
            Outcome::Status => "status",
            Outcome::Failed => "failed",
            Outcome::Vanished => "vanished",
            Outcome::Blocked => "blocked",
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One check of a document's URL. Field order is the canonical order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CheckRecord {
    /// Check record format ([`CHECK_RECORD_FORMAT`]).
    pub check: u32,
    #[schemars(with = "String")]
    pub doc: DocName,
    /// The URL fetched.
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub checked_at: OffsetDateTime,
    pub outcome: Outcome,
    /// The HTTP status answered (absent when the fetch failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Where the page redirected to (`redirected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// Why the check failed (`failed`, `vanished`, `blocked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The text the page had (`unchanged`, `changed`): the capture archived
    /// by the same write has this text and `checked_at` as its time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub text: Option<ObjectId>,
    /// A change back to the text of this earlier version (a flip-flop):
    /// not notified by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub returns_to: Option<u64>,
    /// The validators answered, for the next conditional GET.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The check's place among its document's checks, as the machine that
    /// took it knew them (1 for the first): checks taken in the same second
    /// replay in this order after a rebuild, whatever their ids. Records
    /// from before it was added have none and sort first among their
    /// second's (then by the order the index took them in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
}

impl CheckRecord {
    /// A record of `outcome` with nothing else filled in.
    pub fn new(doc: DocName, url: &str, checked_at: OffsetDateTime, outcome: Outcome) -> Self {
        CheckRecord {
            check: CHECK_RECORD_FORMAT,
            doc,
            url: url.to_owned(),
            checked_at,
            outcome,
            status: None,
            location: None,
            error: None,
            text: None,
            returns_to: None,
            etag: None,
            last_modified: None,
            seq: None,
        }
    }

    /// Canonical bytes (the time in UTC).
    pub fn to_canonical(&self) -> Vec<u8> {
        let mut r = self.clone();
        r.checked_at = r.checked_at.to_offset(time::UtcOffset::UTC);
        serde_json::to_vec(&r).expect("check records serialize")
    }

    pub fn parse(bytes: &[u8]) -> Result<CheckRecord, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_bytes_round_trip_in_field_order() {
        let at = time::macros::datetime!(2026-12-01 10:00 +01:00);
        let mut r = CheckRecord::new("a".parse().unwrap(), "https://x.org/a", at, Outcome::Gone);
        r.status = Some(404);
        let bytes = r.to_canonical();
        assert_eq!(
            std::str::from_utf8(&bytes).unwrap(),
            r#"{"check":1,"doc":"a","url":"https://x.org/a","checked_at":"2026-12-01T09:00:00Z","outcome":"gone","status":404}"#
        );
        assert_eq!(CheckRecord::parse(&bytes).unwrap(), r);
        assert!(Outcome::Gone.is_failure() && !Outcome::NotModified.is_failure());
    }
}
