//! Phase 5: name every version each damaged or missing object makes unreadable,
//! and every capture whose record it takes with it.

use std::collections::{BTreeMap, HashMap};

use crate::id::ObjectId;
use crate::when::nanos;

use super::super::catalog::CaptureRow;
use super::super::history::{History, HistoryRow};
use super::super::layout::READ_CHAIN_LIMIT;
use super::super::record::CaptureId;
use super::account::{CaptureAccount, Part};
use super::checker::{Checker, Decoded, Records, unreadable_in};
use super::report::{Problem, ProblemKind, problem};

/// What each root cause (a damaged or missing object, a pack) takes with it.
pub(super) struct Losses {
    /// Versions (`DOC@N`) whose text an object makes unreadable.
    unreadable: HashMap<ObjectId, Vec<String>>,
    /// Captures whose record an object makes unreadable.
    records_lost: HashMap<ObjectId, Vec<String>>,
    /// Versions with an object in each pack.
    stored: HashMap<String, Vec<String>>,
    /// Captures (`DOC@N`) whose raw bytes an object makes unreadable.
    evidence_lost: HashMap<ObjectId, Vec<String>>,
    /// Every capture something is lost of.
    pub(super) accounts: Vec<CaptureAccount>,
}

/// Every capture, from the catalog and from the records found (the records
/// win where the catalog has no row), grouped by document.
fn captures_by_doc(
    cat_captures: Option<Vec<CaptureRow>>,
    found: &Records,
) -> BTreeMap<String, Vec<CaptureRow>> {
    let mut all: HashMap<CaptureId, CaptureRow> = HashMap::new();
    for row in cat_captures.into_iter().flatten() {
        all.insert(row.id, row);
    }
    for (id, rec) in &found.records {
        all.entry(*id).or_insert_with(|| CaptureRow {
            id: *id,
            doc: rec.doc.to_string(),
            captured_at: rec.captured_at,
            seq: None,
            vkey: rec.version_key(),
            content: rec.content,
            source: rec.source.clone(),
            url: rec.url.clone(),
            title: rec.title.clone(),
            flagged: rec.flag.is_some(),
            superseded: found.superseded.contains(id),
        });
    }
    let mut by_doc: BTreeMap<String, Vec<CaptureRow>> = BTreeMap::new();
    for row in all.into_values() {
        by_doc.entry(row.doc.clone()).or_default().push(row);
    }
    by_doc
}

pub(super) fn name_losses(
    cat_captures: Option<Vec<CaptureRow>>,
    checker: &Checker<'_>,
    decoded: &Decoded,
    found: &Records,
    log_broken: bool,
) -> Losses {
    // The root causes on an object's delta chain (damaged or missing objects).
    let roots = |start: ObjectId| -> Vec<ObjectId> {
        let mut out = Vec::new();
        let mut cur = Some(start);
        let mut steps = 0;
        while let Some(id) = cur {
            if decoded.damaged.contains_key(&id) || !checker.found.contains_key(&id) {
                out.push(id);
            }
            cur = checker.found.get(&id).and_then(|f| f.entry.base);
            steps += 1;
            if steps > READ_CHAIN_LIMIT {
                break;
            }
        }
        out
    };
    let chain = |start: ObjectId| -> Vec<ObjectId> {
        let mut out = vec![start];
        while let Some(b) = checker
            .found
            .get(out.last().expect("non-empty"))
            .and_then(|f| f.entry.base)
        {
            if out.len() > READ_CHAIN_LIMIT as usize {
                break;
            }
            out.push(b);
        }
        out
    };
    let mut losses = Losses {
        unreadable: HashMap::new(),
        records_lost: HashMap::new(),
        stored: HashMap::new(),
        evidence_lost: HashMap::new(),
        accounts: Vec::new(),
    };
    for (doc, mut rows) in captures_by_doc(cat_captures, found) {
        // History order, by the log as found (not as the catalog says).
        rows.sort_by_key(|r| {
            let s = found.seq.get(&r.id);
            (r.captured_at, s.is_none(), s.copied(), r.id)
        });
        let history = History::group(rows.iter().map(|r| HistoryRow {
            capture: r.id,
            at_nanos: nanos(r.captured_at),
            key: r.vkey,
            source: None,
            url: None,
            title: None,
            flagged: r.flagged,
            superseded: found.superseded.contains(&r.id),
        }));
        let number: HashMap<CaptureId, u64> =
            history.captures.iter().map(|(c, _, v)| (*c, *v)).collect();
        for v in &history.versions {
            let name = format!("{doc}@{}", v.number);
            for root in roots(v.key) {
                losses
                    .unreadable
                    .entry(root)
                    .or_default()
                    .push(name.clone());
            }
            let mut packs: Vec<&str> = chain(v.key)
                .iter()
                .filter_map(|id| checker.found.get(id))
                .map(|f| f.pack.as_str())
                .collect();
            packs.sort_unstable();
            packs.dedup();
            for p in packs {
                losses
                    .stored
                    .entry(p.to_owned())
                    .or_default()
                    .push(name.clone());
            }
        }
        for row in &rows {
            let n = number.get(&row.id).copied().unwrap_or(0);
            let mut lost = roots(row.id.0);
            if found.bad.contains(&row.id.0) {
                lost.push(row.id.0);
            }
            let evidence = roots(row.content);
            let account = account(
                &doc,
                n,
                row,
                found,
                [&evidence, &roots(row.vkey), &lost],
                log_broken,
            );
            for root in evidence {
                let name = account.name();
                losses.evidence_lost.entry(root).or_default().push(name);
            }
            if let Some(a) = account.damaged() {
                losses.accounts.push(a);
            }
            for root in lost {
                losses
                    .records_lost
                    .entry(root)
                    .or_default()
                    .push(format!("{doc}@{n} capture {}", row.id.0.short()));
            }
        }
    }
    losses
}

/// What one capture lost, given the root causes on the chains of its
/// evidence, its text and its record.
fn account(
    doc: &str,
    version: u64,
    row: &CaptureRow,
    found: &Records,
    [evidence, text, record]: [&Vec<ObjectId>; 3],
    log_broken: bool,
) -> CaptureAccount {
    let state = |roots: &Vec<ObjectId>| {
        if roots.is_empty() {
            Part::Intact
        } else {
            Part::Lost
        }
    };
    let rec = found.records.get(&row.id);
    let evidence = state(evidence);
    let record = state(record);
    let text = if row.vkey == row.content {
        match rec {
            Some(r) if r.text.is_none() => Part::Absent,
            _ => evidence,
        }
    } else if text.is_empty() {
        Part::Intact
    } else if evidence == Part::Intact && rec.is_some_and(|r| r.extractor.is_some()) {
        Part::Rebuildable
    } else {
        Part::Lost
    };
    let log = match found.seq.contains_key(&row.id) {
        true => Part::Intact,
        false if log_broken => Part::Lost,
        false => Part::Absent,
    };
    CaptureAccount {
        doc: doc.to_owned(),
        version,
        capture: row.id,
        evidence,
        text,
        record,
        log,
        // A capture without a text shows its bytes.
        show: version > 0
            && (text == Part::Intact || (text == Part::Absent && evidence == Part::Intact)),
        show_raw: evidence == Part::Intact,
        // Export writes the bytes, the text where it differs, the record.
        export: evidence == Part::Intact
            && record == Part::Intact
            && matches!(text, Part::Intact | Part::Absent),
    }
}

impl CaptureAccount {
    /// `Some` when any part of it is lost or to be rebuilt.
    fn damaged(self) -> Option<CaptureAccount> {
        let parts = [self.evidence, self.text, self.record, self.log];
        parts
            .iter()
            .any(|p| matches!(p, Part::Lost | Part::Rebuildable))
            .then_some(self)
    }
}

/// Adds a problem for each damaged object, then tells each problem what it
/// takes with it; one problem per missing object.
pub(super) fn attach_losses(
    problems: &mut Vec<Problem>,
    checker: &Checker<'_>,
    decoded: &Decoded,
    losses: &Losses,
) {
    for (id, reason) in &decoded.damaged {
        let pack = checker.found.get(id).map(|f| f.pack.clone());
        problems.push(problem(
            ProblemKind::DamagedObject,
            Some(*id),
            pack.as_deref(),
            reason.clone(),
        ));
    }
    for p in problems.iter_mut() {
        if p.kind == ProblemKind::DamagedPack
            && let Some(pack) = &p.pack
        {
            p.stored = losses.stored.get(pack).cloned().unwrap_or_default();
            p.unreadable = unreadable_in(&p.stored, &losses.unreadable);
            p.evidence_lost = unreadable_in(&p.stored, &losses.evidence_lost);
        }
        if let Some(id) = p.object
            && matches!(
                p.kind,
                ProblemKind::DamagedObject | ProblemKind::MissingObject | ProblemKind::BadRecord
            )
        {
            p.unreadable = losses.unreadable.get(&id).cloned().unwrap_or_default();
            p.records_lost = losses.records_lost.get(&id).cloned().unwrap_or_default();
            p.evidence_lost = losses.evidence_lost.get(&id).cloned().unwrap_or_default();
            p.evidence_lost.sort();
            p.evidence_lost.dedup();
        }
    }
    // A missing object named by both a record and the catalog is one problem.
    problems.sort_by(|a, b| {
        (a.kind, a.object, &a.pack, &a.detail).cmp(&(b.kind, b.object, &b.pack, &b.detail))
    });
    problems.dedup_by(|a, b| {
        a.kind == b.kind
            && a.object.is_some()
            && a.object == b.object
            && a.kind == ProblemKind::MissingObject
    });
}
