//! One pass of verify, phase by phase: read the catalog as far as it can be
//! read, scan every pack (1), decode every object (2), parse every record
//! (3) and the archive log (3b), compare the catalog with what was found
//! (4, in `compare.rs`), and name what each damaged object makes unreadable
//! (5, in `losses.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::id::{IdMap, ObjectId};

use super::super::archive::Archive;
use super::super::cache::Cache;
use super::super::catalog::{CaptureRow, ObjectRow};
use super::super::history;
use super::super::layout::{READ_CHAIN_LIMIT, VERIFY_CACHE, pack_key};
use super::super::object::{self, Kind};
use super::super::pack::{self, Entry};
use super::super::record::{CaptureId, CaptureRecord};
use super::super::tlog;
use super::checker::{Checker, Decoded, Found, Records, pack_listed, read_retry, reread};
use super::compare::{compare_captures, compare_objects};
use super::losses::{attach_losses, name_losses};
use super::report::{Problem, ProblemKind, Progress, Report, problem};

/// The catalog as verify read it: each table, if it could be read.
pub(super) struct CatalogView {
    pub(super) packs: Option<HashSet<String>>,
    pub(super) objects: Option<Vec<ObjectRow>>,
    pub(super) captures: Option<Vec<CaptureRow>>,
}

/// What the pack scan found.
struct Scan<'a> {
    checker: Checker<'a>,
    /// Second copies of objects (a pack merge interrupted by a crash).
    copies: IdMap<Vec<(String, u64)>>,
    /// A listed pack vanished meanwhile.
    vanished: bool,
}

/// One pass of [`super::verify`]; also says whether a listed pack vanished
/// meanwhile.
pub(super) fn verify_once(archive: &Archive, progress: Progress<'_>) -> (Report, bool) {
    let mut report = Report::default();
    let mut problems: Vec<Problem> = Vec::new();
    let cat = read_catalog(archive, &mut problems);
    let Some(scan) = scan_packs(archive, &cat, &mut report, &mut problems, progress) else {
        report.problems = problems;
        return (report, false);
    };
    let Scan {
        checker,
        copies,
        vanished,
    } = scan;
    report.objects = checker.found.len();
    let decoded = decode_all(&checker);
    let mut records = check_records(&checker, &decoded, &mut problems);
    report.captures = records.records.len();
    records.seq = check_log(
        &checker,
        &decoded,
        &records,
        &mut problems,
        &mut report.notes,
    );
    if let Some(rows) = &cat.objects {
        compare_objects(rows, &checker, &copies, &mut problems);
    }
    if let Some(rows) = &cat.captures {
        compare_captures(rows, &checker, &records, &mut problems);
    }
    let log_broken = problems.iter().any(|p| p.kind == ProblemKind::BadLog)
        || decoded
            .damaged
            .keys()
            .any(|id| checker.found[id].entry.header.kind == Kind::Log);
    let mut losses = name_losses(cat.captures, &checker, &decoded, &records, log_broken);
    attach_losses(&mut problems, &checker, &decoded, &losses);
    report.damaged_captures = std::mem::take(&mut losses.accounts);
    report
        .damaged_captures
        .sort_by(|a, b| (&a.doc, a.version, a.capture).cmp(&(&b.doc, b.version, b.capture)));
    report.notes.append(&mut checker.notes.borrow_mut());
    report.problems = problems;
    (report, vanished)
}

/// The catalog, as far as it can be read: one consistent snapshot, taken
/// before the packs are listed.
fn read_catalog(archive: &Archive, problems: &mut Vec<Problem>) -> CatalogView {
    let catalog = &archive.catalog;
    if let Some(why) = &archive.catalog_problem {
        problems.push(problem(
            ProblemKind::CatalogDamaged,
            None,
            None,
            format!("catalog unreadable ({why}); the objects were checked without it"),
        ));
    }
    match catalog.integrity_problems() {
        Ok(p) if p.is_empty() => {}
        Ok(p) => problems.push(problem(
            ProblemKind::CatalogDamaged,
            None,
            None,
            format!("catalog integrity check failed: {}", p.join("; ")),
        )),
        Err(e) => problems.push(problem(
            ProblemKind::CatalogDamaged,
            None,
            None,
            format!("catalog unreadable: {e}"),
        )),
    }
    // A writer makes its pack durable before it commits, so every pack this
    // snapshot names is on disk by the time of the listing; packs a writer
    // adds meanwhile are listed as not yet indexed.
    let snapshot = catalog.begin_read();
    let view = CatalogView {
        packs: catalog
            .packs()
            .ok()
            .map(|p| p.into_iter().map(|(n, _)| n).collect()),
        objects: catalog.objects().ok(),
        captures: catalog.captures().ok(),
    };
    if snapshot.is_ok() {
        catalog.end_read();
    }
    if (view.packs.is_none() || view.objects.is_none() || view.captures.is_none())
        && problems.is_empty()
    {
        problems.push(problem(
            ProblemKind::CatalogDamaged,
            None,
            None,
            "catalog tables unreadable".into(),
        ));
    }
    view
}

/// Phase 1: every pack, structure and checksum, then every entry header. `None`
/// when the packs cannot even be listed (then nothing can be compared).
fn scan_packs<'a>(
    archive: &'a Archive,
    cat: &CatalogView,
    report: &mut Report,
    problems: &mut Vec<Problem>,
    progress: Progress<'_>,
) -> Option<Scan<'a>> {
    let names = match archive.pack_names() {
        Ok(n) => n,
        Err(first) => match archive.pack_names() {
            Ok(n) => {
                report.notes.push(format!(
                    "transient error listing the packs ({first}); it succeeded on retry"
                ));
                n
            }
            Err(e) => {
                problems.push(problem(
                    ProblemKind::DamagedPack,
                    None,
                    None,
                    format!("cannot list packs: {e}"),
                ));
                return None;
            }
        },
    };
    let mut scan = Scan {
        checker: Checker {
            backend: &*archive.backend,
            found: IdMap::default(),
            status: Default::default(),
            too_deep: Default::default(),
            notes: Default::default(),
            cache: Cache::new(VERIFY_CACHE),
        },
        copies: IdMap::default(),
        vanished: false,
    };
    let by_pack: HashMap<&str, Vec<&ObjectRow>> = {
        let mut m: HashMap<&str, Vec<_>> = HashMap::new();
        for row in cat.objects.iter().flatten() {
            m.entry(row.pack.as_str()).or_default().push(row);
        }
        m
    };
    let (indexes, unlisted) = archive.index_keys();
    problems.extend(unlisted.map(|why| problem(ProblemKind::DamagedIndex, None, None, why)));
    for (i, name) in names.iter().enumerate() {
        progress(i, names.len());
        let key = pack_key(name);
        let bytes = match read_retry(archive, &key, &mut report.notes) {
            Ok(b) => Arc::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !pack_listed(archive, name) => {
                scan.vanished = true;
                continue;
            }
            Err(e) => {
                problems.push(problem(
                    ProblemKind::DamagedPack,
                    None,
                    Some(name),
                    format!("unreadable: {e}"),
                ));
                continue;
            }
        };
        if let Some(why) = archive.index_mismatch(&indexes, name, &bytes) {
            problems.push(problem(ProblemKind::DamagedIndex, None, Some(name), why));
        }
        let indexed = cat.packs.as_ref().is_none_or(|p| p.contains(name));
        if !indexed && archive.catalog_problem.is_none() {
            report.notes.push(format!(
                "pack {name} is not in the catalog yet (written while verify ran, or \
                 left by an interrupted add: the next `vellum add` or `vellum reindex` indexes it)"
            ));
        }
        let rows = by_pack.get(name.as_str()).map_or(&[][..], Vec::as_slice);
        for entry in pack_entries(name, &bytes, rows, problems) {
            match scan.checker.found.entry(entry.header.id) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(Found {
                        pack: name.clone(),
                        entry,
                        indexed_pack: indexed,
                    });
                }
                // A second copy (a pack merge interrupted by a crash): the
                // catalog may point at either.
                std::collections::hash_map::Entry::Occupied(_) => {
                    scan.copies
                        .entry(entry.header.id)
                        .or_default()
                        .push((name.clone(), entry.offset));
                }
            }
        }
    }
    progress(names.len(), names.len());
    report.packs = names.len();
    Some(scan)
}

/// The entries of one pack, with their delta bases resolved: those its scan
/// finds, and past a broken header those the catalog says start later.
fn pack_entries(
    name: &str,
    bytes: &[u8],
    rows: &[&ObjectRow],
    problems: &mut Vec<Problem>,
) -> Vec<Entry> {
    // Entries without their id take the catalog's: decoding checks it.
    let known: HashMap<u64, ObjectId> = rows.iter().map(|r| (r.offset, r.id)).collect();
    let scan = pack::scan_known(bytes, Some(name), &known);
    for p in &scan.problems {
        problems.push(problem(
            ProblemKind::DamagedPack,
            None,
            Some(name),
            p.clone(),
        ));
    }
    let mut entries = scan.entries;
    let scanned: HashSet<u64> = entries.iter().map(|e| e.offset).collect();
    for row in rows {
        if scanned.contains(&row.offset) {
            continue;
        }
        match bytes.get(row.offset as usize..).map(object::parse_header) {
            // A record in a set the scan did not reach: decoding its set
            // checks it is there.
            Some(Ok(h)) if h.kind == Kind::RecordSet && row.kind == Kind::Record => {
                entries.push(Entry {
                    header: object::Header {
                        kind: Kind::Record,
                        id: row.id,
                        size: row.size as usize,
                        ..h
                    },
                    offset: row.offset,
                    base: None,
                    in_set: true,
                })
            }
            // A compact entry without its id: decoding checks it against
            // the catalog's.
            Some(Ok(h)) if h.id == row.id || row.id.as_bytes()[..4] == h.id_prefix => {
                entries.push(Entry {
                    header: object::Header { id: row.id, ..h },
                    offset: row.offset,
                    base: None, // resolved below
                    in_set: false,
                })
            }
            _ => problems.push(problem(
                ProblemKind::DamagedObject,
                Some(row.id),
                Some(name),
                format!("entry header at offset {} is unreadable", row.offset),
            )),
        }
    }
    let ids: HashMap<u64, ObjectId> = entries
        .iter()
        .filter(|e| !e.in_set)
        .map(|e| (e.offset, e.header.id))
        .collect();
    for e in &mut entries {
        e.base = pack::resolve(&e.header, &ids);
    }
    entries
}

/// Phase 2: every object decodes and hashes to its id.
fn decode_all(checker: &Checker<'_>) -> Decoded {
    let mut ids: Vec<ObjectId> = checker.found.keys().copied().collect();
    ids.sort_by(|a, b| {
        let (fa, fb) = (&checker.found[a], &checker.found[b]);
        (fa.pack.as_str(), fa.entry.offset).cmp(&(fb.pack.as_str(), fb.entry.offset))
    });
    // Only root causes are problems: a delta whose base is damaged is not
    // itself damaged, but the versions it carries are named on the base.
    let mut damaged: BTreeMap<ObjectId, String> = BTreeMap::new();
    let mut unreadable: HashSet<ObjectId> = HashSet::new();
    for id in &ids {
        if let Err(e) = checker.decode(id, READ_CHAIN_LIMIT) {
            unreadable.insert(*id);
            let base = checker.found[id].entry.base;
            let base_failed = base.is_some_and(|b| checker.failed(&b));
            if !base_failed || checker.too_deep.borrow().contains(id) {
                damaged.insert(*id, e);
            }
        }
    }
    Decoded {
        ids,
        damaged,
        unreadable,
    }
}

/// Phase 3: every record parses and its references resolve.
fn check_records(checker: &Checker<'_>, decoded: &Decoded, problems: &mut Vec<Problem>) -> Records {
    let mut records: HashMap<CaptureId, CaptureRecord> = HashMap::new();
    let mut bad: HashSet<ObjectId> = HashSet::new();
    for id in &decoded.ids {
        if checker.found[id].entry.header.kind != Kind::Record || decoded.unreadable.contains(id) {
            continue;
        }
        let Some(bytes) = reread(checker, id, problems) else {
            continue;
        };
        match CaptureRecord::parse(&bytes) {
            Ok(rec) => {
                for r in [Some(rec.content), rec.text].into_iter().flatten() {
                    if !checker.found.contains_key(&r) {
                        problems.push(problem(
                            ProblemKind::MissingObject,
                            Some(r),
                            None,
                            format!("capture {} refers to it", id.short()),
                        ));
                    }
                }
                records.insert(CaptureId(*id), rec);
            }
            Err(e) => {
                bad.insert(*id);
                let pack = checker.found[id].pack.clone();
                problems.push(problem(
                    ProblemKind::BadRecord,
                    Some(*id),
                    Some(&pack),
                    format!("not a capture record: {e}"),
                ));
            }
        }
    }
    for (id, why) in history::supersession_problems(&records) {
        problems.push(problem(ProblemKind::BadRecord, Some(id.0), None, why));
    }
    for (id, old) in records.iter().filter_map(|(i, r)| Some((i, r.supersedes?))) {
        if !checker.found.contains_key(&old.0) {
            let why = format!("capture {} supersedes it", id.0.short());
            problems.push(problem(ProblemKind::MissingObject, Some(old.0), None, why));
        }
    }
    let superseded = history::superseded(&records);
    Records {
        records,
        bad,
        superseded,
        seq: HashMap::new(),
    }
}

/// Phase 3b: the archive log: every segment parses, they chain into one log from
/// position 0, and every id in it is an archived capture. Returns each
/// logged capture's position.
fn check_log(
    checker: &Checker<'_>,
    decoded: &Decoded,
    records: &Records,
    problems: &mut Vec<Problem>,
    notes: &mut Vec<String>,
) -> HashMap<CaptureId, u64> {
    let mut segments = Vec::new();
    for id in &decoded.ids {
        if checker.found[id].entry.header.kind != Kind::Log || decoded.unreadable.contains(id) {
            continue;
        }
        let Some(bytes) = reread(checker, id, problems) else {
            continue;
        };
        match tlog::Segment::decode(&bytes) {
            Ok(seg) => segments.push((*id, seg)),
            Err(e) => {
                let pack = checker.found[id].pack.clone();
                problems.push(problem(ProblemKind::BadLog, Some(*id), Some(&pack), e));
            }
        }
    }
    for (id, why) in tlog::check_chain(&segments) {
        let pack = checker.found[&id].pack.clone();
        problems.push(problem(ProblemKind::BadLog, Some(id), Some(&pack), why));
    }
    let mut seq: HashMap<CaptureId, u64> = HashMap::new();
    for (id, seg) in &segments {
        for (at, c) in seg.capture_positions() {
            seq.entry(c).or_insert(at);
            if !checker.found.contains_key(&c.0) {
                problems.push(problem(
                    ProblemKind::MissingObject,
                    Some(c.0),
                    None,
                    format!(
                        "the archive log (segment {}) names this capture",
                        id.short()
                    ),
                ));
            }
        }
    }
    let unlogged = records
        .records
        .keys()
        .filter(|c| !seq.contains_key(c))
        .count();
    if unlogged > 0 {
        notes.push(format!(
            "{unlogged} capture(s) archived before the archive log existed (or by a write that \
             was interrupted) are not logged yet; the next `vellum add` logs them"
        ));
    }
    seq
}
