//! A document's history: its captures in history order, grouped into versions.
//!
//! This is the one place that decides what a version is. History order is
//! captured-at time, then archiving order (the capture's position in the
//! archive log, see `log.rs`), then capture id for captures not yet logged
//! (they will be logged after every logged one, in that order, so the order
//! never changes when they are). A version is a run of captures with the same
//! text in that order: a page that goes A, B, A has three versions, the third
//! stored once, as the same object as the first. A capture is a *sighting* of
//! the version whose run it belongs to. A *flagged* capture (a page that was
//! not the article, a record whose digest did not match) is listed among the
//! captures but never forms or interrupts a version. So is a *superseded*
//! capture: one whose text a newer extractor made again (`vellum reextract`
//! archives a new record of the same bytes and captured-at time that names
//! it), so versions are always computed from the newest extraction of each
//! capture, while the old record stays archived.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::id::ObjectId;

use super::record::{CaptureId, CaptureRecord};

/// One version of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Counted from 1 in history order.
    pub number: u64,
    /// The first capture of the run: the version's citable address.
    pub capture: CaptureId,
    pub captured_at: OffsetDateTime,
    /// Text id (or content id for captures that are not text).
    pub key: ObjectId,
    /// Captures in the run (at least 1).
    pub sightings: u64,
    /// The earliest version with the same text, when this one restores it.
    pub same_as: Option<u64>,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
}

/// One capture, as history ordering needs it. Rows come in history order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    pub capture: CaptureId,
    pub at_nanos: i128,
    pub key: ObjectId,
    pub source: Option<String>,
    pub url: Option<String>,
    pub title: Option<String>,
    /// Listed, never a version.
    pub flagged: bool,
    /// Re-extracted by a newer record: listed, never a version.
    pub superseded: bool,
}

/// A document's versions, and which version each capture saw.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    pub versions: Vec<Version>,
    /// Every capture in history order, with the number of the version it
    /// saw (0 for a flagged or superseded capture, which is no version's).
    pub captures: Vec<(CaptureId, i128, u64)>,
}

impl History {
    /// Groups rows given in history order. Metadata is read from a row only
    /// when it starts a version, so callers may leave it out of the others.
    pub fn group(rows: impl IntoIterator<Item = HistoryRow>) -> History {
        let mut h = History::default();
        let mut first_with: HashMap<ObjectId, u64> = HashMap::new();
        for row in rows {
            if row.flagged || row.superseded {
                h.captures.push((row.capture, row.at_nanos, 0));
                continue;
            }
            match h.versions.last_mut() {
                Some(v) if v.key == row.key => v.sightings += 1,
                _ => {
                    let number = h.versions.len() as u64 + 1;
                    let same_as = first_with.get(&row.key).copied();
                    first_with.entry(row.key).or_insert(number);
                    h.versions.push(Version {
                        number,
                        capture: row.capture,
                        captured_at: crate::when::from_nanos(row.at_nanos),
                        key: row.key,
                        sightings: 1,
                        same_as,
                        source: row.source,
                        url: row.url,
                        title: row.title,
                    });
                }
            }
            let n = h.versions.len() as u64;
            h.captures.push((row.capture, row.at_nanos, n));
        }
        h
    }

    /// The version a capture saw (0 if flagged), if the capture belongs to
    /// this document.
    pub fn version_of(&self, capture: &CaptureId) -> Option<u64> {
        self.captures
            .iter()
            .find(|(c, _, _)| c == capture)
            .map(|(_, _, v)| *v)
    }

    /// Whether `capture` starts its version (it brought a new text then).
    pub fn starts_version(&self, capture: &CaptureId) -> bool {
        self.versions.iter().any(|v| v.capture == *capture)
    }

    /// The version current at `at` (the one its latest capture at or before
    /// that time saw), if any capture is that old.
    pub fn version_at(&self, at: OffsetDateTime) -> Option<u64> {
        let t = crate::when::nanos(at);
        let seen = self.captures.partition_point(|(_, a, _)| *a <= t);
        self.captures[..seen]
            .iter()
            .rev()
            .map(|c| c.2)
            .find(|&v| v > 0)
    }
}

/// What is wrong with each record that supersedes another (`vellum
/// reextract`): the capture it names must be archived, of the same document,
/// with the same bytes and captured-at time. Records whose target is not in
/// `records` are left to the caller (missing or damaged objects).
pub fn supersession_problems(
    records: &HashMap<CaptureId, CaptureRecord>,
) -> Vec<(CaptureId, String)> {
    let mut out = Vec::new();
    for (id, rec) in records {
        let Some(old) = rec.supersedes else { continue };
        let Some(o) = records.get(&old) else { continue };
        let why = if old == *id {
            Some("supersedes itself")
        } else if o.doc != rec.doc {
            Some("supersedes a capture of another document")
        } else if o.content != rec.content {
            Some("supersedes a capture of other bytes")
        } else if o.captured_at != rec.captured_at {
            Some("supersedes a capture of another captured-at time")
        } else {
            None
        };
        if let Some(why) = why {
            out.push((*id, format!("capture {} {why}", id.0.short())));
        }
    }
    out.sort();
    out
}

/// The captures some record in `records` supersedes.
pub fn superseded(
    records: &HashMap<CaptureId, CaptureRecord>,
) -> std::collections::HashSet<CaptureId> {
    records.values().filter_map(|r| r.supersedes).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u8, at: i128, text: &str) -> HistoryRow {
        HistoryRow {
            capture: CaptureId(ObjectId::of(&[n])),
            at_nanos: at,
            key: ObjectId::of(text.as_bytes()),
            source: None,
            url: None,
            title: None,
            flagged: false,
            superseded: false,
        }
    }

    #[test]
    fn a_revert_is_a_version() {
        let h = History::group([row(1, 1, "A"), row(2, 2, "B"), row(3, 3, "A")]);
        let numbers: Vec<_> = h.versions.iter().map(|v| (v.number, v.same_as)).collect();
        assert_eq!(numbers, [(1, None), (2, None), (3, Some(1))]);
        assert_eq!(h.versions[2].key, h.versions[0].key);
        assert_eq!(h.version_of(&row(3, 3, "A").capture), Some(3));
    }

    #[test]
    fn sightings_join_the_current_run_only() {
        let h = History::group([
            row(1, 1, "A"),
            row(2, 2, "A"),
            row(3, 3, "B"),
            row(4, 4, "A"),
            row(5, 5, "A"),
            row(6, 6, "B"),
        ]);
        let runs: Vec<_> = h
            .versions
            .iter()
            .map(|v| (v.sightings, v.same_as))
            .collect();
        assert_eq!(runs, [(2, None), (1, None), (2, Some(1)), (1, Some(2))]);
        assert!(h.starts_version(&row(4, 4, "A").capture));
        assert!(!h.starts_version(&row(5, 5, "A").capture));
        let seen: Vec<u64> = h.captures.iter().map(|c| c.2).collect();
        assert_eq!(seen, [1, 1, 2, 3, 3, 4]);
    }

    #[test]
    fn flagged_captures_are_listed_but_never_versions() {
        let flagged = |n, at, text| HistoryRow {
            flagged: true,
            ..row(n, at, text)
        };
        let h = History::group([
            row(1, 1, "A"),
            flagged(2, 2, "consent wall"),
            row(3, 3, "A"),
            flagged(4, 4, "B"),
        ]);
        assert_eq!(
            h.versions.len(),
            1,
            "a flagged capture neither forms nor splits a run"
        );
        assert_eq!(h.versions[0].sightings, 2);
        let seen: Vec<u64> = h.captures.iter().map(|c| c.2).collect();
        assert_eq!(seen, [1, 0, 1, 0]);
        let at = |n: i128| crate::when::from_nanos(n);
        assert_eq!(h.version_at(at(4)), Some(1));
    }

    #[test]
    fn versions_use_the_newest_extraction_of_each_capture() {
        let old = |n, at, text| HistoryRow {
            superseded: true,
            ..row(n, at, text)
        };
        // Captures 1 and 3 were extracted again (4 and 5): the old texts
        // differed only by extractor noise, the new ones are equal.
        let h = History::group([
            old(1, 1, "A noise"),
            row(4, 1, "A"),
            row(2, 2, "A"),
            old(3, 3, "A other noise"),
            row(5, 3, "A"),
        ]);
        assert_eq!(h.versions.len(), 1, "{h:?}");
        assert_eq!(h.versions[0].sightings, 3);
        assert_eq!(h.versions[0].capture, row(4, 1, "A").capture);
        let seen: Vec<u64> = h.captures.iter().map(|c| c.2).collect();
        assert_eq!(seen, [0, 1, 1, 0, 1]);
    }

    #[test]
    fn version_at_a_time() {
        let h = History::group([row(1, 10, "A"), row(2, 20, "B"), row(3, 20, "C")]);
        let at = |n: i128| crate::when::from_nanos(n);
        assert_eq!(h.version_at(at(9)), None);
        assert_eq!(h.version_at(at(10)), Some(1));
        assert_eq!(h.version_at(at(19)), Some(1));
        // Two captures in the same instant: the later one in archiving order.
        assert_eq!(h.version_at(at(20)), Some(3));
        assert_eq!(h.version_at(at(1000)), Some(3));
    }
}
