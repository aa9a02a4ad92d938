//! Phase 4: the catalog agrees with what verify found in the packs.

use std::collections::{HashMap, HashSet};

use crate::id::{IdMap, ObjectId};

use super::super::catalog::{CaptureRow, ObjectRow};
use super::super::record::CaptureId;
use super::checker::{Checker, Records};
use super::report::{Problem, ProblemKind, problem};

/// Every object row names an object found where it says (or at one of its
/// copies), and every object of an indexed pack has a row.
pub(super) fn compare_objects(
    rows: &[ObjectRow],
    checker: &Checker<'_>,
    copies: &IdMap<Vec<(String, u64)>>,
    problems: &mut Vec<Problem>,
) {
    for row in rows {
        match checker.found.get(&row.id) {
            None => problems.push(problem(
                ProblemKind::MissingObject,
                Some(row.id),
                Some(&row.pack),
                "listed in the catalog but missing from objects/".into(),
            )),
            Some(f)
                if (f.pack != row.pack || f.entry.offset != row.offset)
                    && !copies.get(&row.id).is_some_and(|c| {
                        c.iter().any(|(p, o)| *p == row.pack && *o == row.offset)
                    }) =>
            {
                problems.push(problem(
                    ProblemKind::CatalogDrift,
                    Some(row.id),
                    Some(&row.pack),
                    format!(
                        "catalog says pack {} offset {}, found in pack {} offset {}",
                        row.pack, row.offset, f.pack, f.entry.offset
                    ),
                ))
            }
            Some(f) if f.pack == row.pack && row.len != f.entry.header.entry_len() as u64 => {
                problems.push(problem(
                    ProblemKind::CatalogDrift,
                    Some(row.id),
                    Some(&row.pack),
                    format!(
                        "catalog says its entry is {} bytes long, the pack's is {}",
                        row.len,
                        f.entry.header.entry_len()
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    let listed: HashSet<ObjectId> = rows.iter().map(|r| r.id).collect();
    for (id, f) in &checker.found {
        if f.indexed_pack && !listed.contains(id) {
            problems.push(problem(
                ProblemKind::CatalogDrift,
                Some(*id),
                Some(&f.pack),
                "object missing from the catalog".into(),
            ));
        }
    }
}

/// Every capture row says what its record says, and every record of an
/// indexed pack has a row.
pub(super) fn compare_captures(
    rows: &[CaptureRow],
    checker: &Checker<'_>,
    found: &Records,
    problems: &mut Vec<Problem>,
) {
    let listed: HashMap<CaptureId, &CaptureRow> = rows.iter().map(|r| (r.id, r)).collect();
    for row in rows {
        match found.records.get(&row.id) {
            Some(rec) => {
                if rec.doc.as_str() != row.doc
                    || rec.captured_at != row.captured_at
                    || rec.version_key() != row.vkey
                    || found.seq.get(&row.id).copied() != row.seq
                    || found.superseded.contains(&row.id) != row.superseded
                {
                    problems.push(problem(
                        ProblemKind::CatalogDrift,
                        Some(row.id.0),
                        None,
                        "catalog entry differs from the capture record".into(),
                    ));
                }
            }
            None if checker.found.contains_key(&row.id.0) => {} // damaged: reported above
            None => problems.push(problem(
                ProblemKind::MissingObject,
                Some(row.id.0),
                None,
                format!(
                    "record of a capture of {} is missing from objects/",
                    row.doc
                ),
            )),
        }
    }
    for (id, rec) in &found.records {
        let indexed = checker.found[&id.0].indexed_pack;
        if indexed && !listed.contains_key(id) {
            problems.push(problem(
                ProblemKind::CatalogDrift,
                Some(id.0),
                None,
                format!("capture of {} is not in the catalog", rec.doc),
            ));
        }
    }
}
