//! A document's checks (`vellum log DOC --checks`), read from the check
//! records in the store (read-only: no index file is written).

use crate::monitor::{CheckRecord, Outcome};
use crate::store::{Archive, StoreError};

/// One check, as `log DOC --checks --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct CheckItem {
    /// The check record's id.
    pub id: String,
    pub checked_at: String,
    pub outcome: Outcome,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The version the page had (`unchanged`, `changed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// A flip-flop: back to the text of this version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns_to: Option<u64>,
}

/// Every check of `doc`, oldest first (checks in the same second in the
/// order they were taken, their `seq`; then by id).
pub fn checks_of(archive: &Archive, doc: &str) -> Result<Vec<CheckItem>, StoreError> {
    let mut found: Vec<(CheckRecord, String)> = Vec::new();
    for id in archive.check_ids()? {
        let bytes = archive.read_object(&id)?;
        // A record that does not parse is damage for verify to report.
        if let Ok(c) = CheckRecord::parse(&bytes)
            && c.doc.as_str() == doc
        {
            found.push((c, id.to_string()));
        }
    }
    found.sort_by(|a, b| (a.0.checked_at, a.0.seq, &a.1).cmp(&(b.0.checked_at, b.0.seq, &b.1)));
    let history = archive.history(doc)?;
    let version_of = |c: &CheckRecord| {
        let text = c.text?;
        // The version current at the check whose text it saw.
        history
            .versions
            .iter()
            .rev()
            .find(|v| v.key == text && v.captured_at <= c.checked_at)
            .map(|v| v.number)
    };
    Ok(found
        .into_iter()
        .map(|(c, id)| CheckItem {
            version: version_of(&c),
            id,
            checked_at: crate::when::format_time(c.checked_at),
            outcome: c.outcome,
            url: c.url,
            status: c.status,
            location: c.location,
            error: c.error,
            returns_to: c.returns_to,
        })
        .collect())
}
