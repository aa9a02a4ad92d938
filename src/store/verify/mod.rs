//! `verify` trusts nothing: it re-reads every pack, re-decodes and re-hashes
//! every object (resolving delta bases itself, not through the catalog),
//! parses every capture record, checks every reference, then compares the
//! catalog with what it found. Each problem names the damaged object and
//! every `DOC@N` whose text it makes unreadable.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use crate::id::{IdMap, IdSet, ObjectId};

use super::backend::Backend;
use super::cache::Cache;
use super::catalog::{CaptureRow, nanos};
use super::chain::{self, ChainError, RawEntry};
use super::history::{History, HistoryRow};
use super::object::{self, Kind};
use super::pack::{self, Entry};
use super::record::{CaptureId, CaptureRecord};
use super::tlog;
use super::{Archive, READ_CHAIN_LIMIT, pack_key};

pub use report::{Problem, ProblemKind, Report};

mod report;

/// Progress: (packs done, packs total).
pub type Progress<'a> = &'a mut dyn FnMut(usize, usize);

struct Found {
    pack: String,
    entry: Entry,
    indexed_pack: bool,
}

struct Checker<'a> {
    /// Entries are read again from the packs as they are decoded: only one
    /// pack's bytes are held at a time, whatever the store's size.
    backend: &'a dyn Backend,
    found: IdMap<Found>,
    status: RefCell<IdMap<Result<(), String>>>,
    /// Objects at which a chain ran past the limit (a cycle or absurd depth):
    /// damage in their own right, whatever their base's state.
    too_deep: RefCell<IdSet>,
    cache: Cache,
    /// Transient read errors a retry cured.
    notes: RefCell<Vec<String>>,
}

impl Checker<'_> {
    /// Decodes an object from the entries verify itself found in the packs
    /// (never located through the catalog).
    fn decode(&self, id: &ObjectId, budget: u32) -> Result<Arc<Vec<u8>>, String> {
        chain::decode(self, &self.cache, id, None, budget).map_err(|e| message(&e))
    }

    fn failed(&self, id: &ObjectId) -> bool {
        matches!(self.status.borrow().get(id), Some(Err(_)))
    }
}

impl chain::Entries for Checker<'_> {
    type Loc = ();

    fn entry(&self, id: &ObjectId, _: Option<()>) -> Result<Option<RawEntry<()>>, ChainError> {
        let Some(f) = self.found.get(id) else {
            return Ok(None);
        };
        let key = pack_key(&f.pack);
        let (offset, len) = (f.entry.offset, f.entry.header.entry_len());
        // One retry, so a transient I/O error is told apart from rot.
        let raw = match self.backend.get_range(&key, offset, len) {
            Ok(raw) => Ok(raw),
            Err(first) => {
                let retried = self.backend.get_range(&key, offset, len);
                if retried.is_ok() {
                    self.notes.borrow_mut().push(format!(
                        "transient read error on {key} ({first}); it succeeded on retry"
                    ));
                }
                retried
            }
        }
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::UnexpectedEof => {
                ChainError::Damaged(*id, object::DecodeError::Truncated.to_string())
            }
            _ => ChainError::Damaged(*id, format!("cannot read its pack: {e}")),
        })?;
        Ok(Some(RawEntry {
            raw,
            base: f.entry.base.map(|b| (b, None)),
        }))
    }

    fn known_failure(&self, id: &ObjectId) -> Option<ChainError> {
        match self.status.borrow().get(id) {
            Some(Err(e)) => Some(ChainError::Damaged(*id, e.clone())),
            _ => None,
        }
    }

    fn outcome(&self, id: &ObjectId, result: &Result<Arc<Vec<u8>>, ChainError>) {
        let status = match result {
            Ok(_) => Ok(()),
            Err(e) => {
                if matches!(e, ChainError::TooDeep(at) if at == id) {
                    self.too_deep.borrow_mut().insert(*id);
                }
                Err(message(e))
            }
        };
        self.status.borrow_mut().insert(*id, status);
    }
}

/// How verify words a decoding failure.
fn message(e: &ChainError) -> String {
    match e {
        ChainError::Missing(_) => "missing from objects/".into(),
        ChainError::TooDeep(_) => {
            format!("delta chain longer than {READ_CHAIN_LIMIT} (or a cycle)")
        }
        ChainError::Damaged(_, reason) => reason.clone(),
        ChainError::Source(e) => e.to_string(),
        ChainError::Base { base, cause } => {
            format!(
                "its delta base {} is unreadable ({})",
                base.short(),
                message(cause)
            )
        }
    }
}

/// Reads with one retry, so a transient I/O error is told apart from rot.
fn read_retry(archive: &Archive, key: &str, notes: &mut Vec<String>) -> std::io::Result<Vec<u8>> {
    match archive.backend.get(key) {
        Ok(b) => Ok(b),
        Err(first) => match archive.backend.get(key) {
            Ok(b) => {
                notes.push(format!(
                    "transient read error on {key} ({first}); it succeeded on retry"
                ));
                Ok(b)
            }
            Err(e) => Err(e),
        },
    }
}

/// Checks the whole store. Never fails: whatever cannot be read is a problem
/// in the report.
pub fn verify(archive: &Archive, progress: Progress<'_>) -> Report {
    // A writer merging small packs deletes them once its merge is committed:
    // a pack listed here can vanish before it is read. That is not damage;
    // start again from a fresh snapshot (merges are rare: every 32 adds).
    let mut attempt = 0;
    loop {
        let (report, vanished) = verify_once(archive, progress);
        attempt += 1;
        if !vanished || attempt == 3 {
            return report;
        }
    }
}

/// One pass of [`verify`]; also says whether a listed pack vanished meanwhile.
fn verify_once(archive: &Archive, progress: Progress<'_>) -> (Report, bool) {
    let mut vanished = false;
    let mut report = Report::default();
    let mut problems: Vec<Problem> = Vec::new();
    let problem = |kind, object, pack: Option<&str>, detail: String| Problem {
        kind,
        object,
        pack: pack.map(str::to_owned),
        detail,
        unreadable: Vec::new(),
        records_lost: Vec::new(),
        stored: Vec::new(),
    };

    // The catalog, as far as it can be read.
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
    // One consistent snapshot of the catalog, taken before the packs are
    // listed: a writer makes its pack durable before it commits, so every
    // pack this snapshot names is on disk by the time of the listing; packs a
    // writer adds meanwhile are listed as not yet indexed.
    let snapshot = catalog.begin_read();
    let cat_packs: Option<HashSet<String>> = catalog
        .packs()
        .ok()
        .map(|p| p.into_iter().map(|(n, _)| n).collect());
    let cat_objects = catalog.objects().ok();
    let cat_captures = catalog.captures().ok();
    if snapshot.is_ok() {
        catalog.end_read();
    }
    if (cat_packs.is_none() || cat_objects.is_none() || cat_captures.is_none())
        && problems.is_empty()
    {
        problems.push(problem(
            ProblemKind::CatalogDamaged,
            None,
            None,
            "catalog tables unreadable".into(),
        ));
    }

    // 1. Every pack: structure and checksum, then every entry header.
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
                // Without the list nothing can be compared: say only that.
                problems.push(problem(
                    ProblemKind::DamagedPack,
                    None,
                    None,
                    format!("cannot list packs: {e}"),
                ));
                report.problems = problems;
                return (report, false);
            }
        },
    };
    let mut checker = Checker {
        backend: &*archive.backend,
        found: IdMap::default(),
        status: RefCell::default(),
        too_deep: RefCell::default(),
        notes: RefCell::default(),
        cache: Cache::new(super::VERIFY_CACHE),
    };
    let by_pack: HashMap<&str, Vec<&super::catalog::ObjectRow>> = {
        let mut m: HashMap<&str, Vec<_>> = HashMap::new();
        for row in cat_objects.iter().flatten() {
            m.entry(row.pack.as_str()).or_default().push(row);
        }
        m
    };
    let mut copies: IdMap<Vec<(String, u64)>> = IdMap::default();
    let (indexes, unlisted) = archive.index_keys();
    problems.extend(unlisted.map(|why| problem(ProblemKind::DamagedIndex, None, None, why)));
    for (i, name) in names.iter().enumerate() {
        progress(i, names.len());
        let key = pack_key(name);
        let bytes = match read_retry(archive, &key, &mut report.notes) {
            Ok(b) => Arc::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !pack_listed(archive, name) => {
                vanished = true;
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
        let scan = pack::scan(&bytes, Some(name));
        for p in &scan.problems {
            problems.push(problem(
                ProblemKind::DamagedPack,
                None,
                Some(name),
                p.clone(),
            ));
        }
        let indexed = cat_packs.as_ref().is_none_or(|p| p.contains(name));
        if !indexed && archive.catalog_problem.is_none() {
            report.notes.push(format!(
                "pack {name} is not in the catalog yet (written while verify ran, or \
                 left by an interrupted add: the next `vellum add` or `vellum reindex` indexes it)"
            ));
        }
        let mut entries = scan.entries;
        // Past a broken header the scan cannot go on; the catalog still
        // knows where the later entries start.
        let scanned: HashSet<u64> = entries.iter().map(|e| e.offset).collect();
        for row in by_pack.get(name.as_str()).into_iter().flatten() {
            if scanned.contains(&row.offset) {
                continue;
            }
            match bytes.get(row.offset as usize..).map(object::parse_header) {
                Some(Ok(h)) if h.id == row.id => entries.push(Entry {
                    header: h,
                    offset: row.offset,
                    base: None, // resolved below
                }),
                _ => problems.push(problem(
                    ProblemKind::DamagedObject,
                    Some(row.id),
                    Some(name),
                    format!("entry header at offset {} is unreadable", row.offset),
                )),
            }
        }
        let ids: HashMap<u64, ObjectId> = entries.iter().map(|e| (e.offset, e.header.id)).collect();
        for e in &mut entries {
            e.base = pack::resolve(&e.header, &ids);
        }
        for entry in entries {
            match checker.found.entry(entry.header.id) {
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
                    copies
                        .entry(entry.header.id)
                        .or_default()
                        .push((name.clone(), entry.offset));
                }
            }
        }
    }
    progress(names.len(), names.len());
    report.packs = names.len();
    report.objects = checker.found.len();

    // 2. Every object decodes and hashes to its id.
    let mut ids: Vec<ObjectId> = checker.found.keys().copied().collect();
    ids.sort_by(|a, b| {
        let (fa, fb) = (&checker.found[a], &checker.found[b]);
        (fa.pack.as_str(), fa.entry.offset).cmp(&(fb.pack.as_str(), fb.entry.offset))
    });
    // Only root causes are problems: a delta whose base is damaged is not
    // itself damaged, but the versions it carries are named on the base.
    let mut damaged: BTreeMap<ObjectId, String> = BTreeMap::new();
    let mut unreadable_objects: HashSet<ObjectId> = HashSet::new();
    for id in &ids {
        if let Err(e) = checker.decode(id, READ_CHAIN_LIMIT) {
            unreadable_objects.insert(*id);
            let base = checker.found[id].entry.base;
            let base_failed = base.is_some_and(|b| checker.failed(&b));
            if !base_failed || checker.too_deep.borrow().contains(id) {
                damaged.insert(*id, e);
            }
        }
    }

    // 3. Every record parses and its references resolve.
    let mut records: HashMap<CaptureId, CaptureRecord> = HashMap::new();
    let mut bad_records: HashSet<ObjectId> = HashSet::new();
    for id in &ids {
        if checker.found[id].entry.header.kind != Kind::Record || unreadable_objects.contains(id) {
            continue;
        }
        let Some(bytes) = reread(&checker, id, &mut problems) else {
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
                bad_records.insert(*id);
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
    report.captures = records.len();
    for (id, why) in super::history::supersession_problems(&records) {
        problems.push(problem(ProblemKind::BadRecord, Some(id.0), None, why));
    }
    for (id, old) in records.iter().filter_map(|(i, r)| Some((i, r.supersedes?))) {
        if !checker.found.contains_key(&old.0) {
            let why = format!("capture {} supersedes it", id.0.short());
            problems.push(problem(ProblemKind::MissingObject, Some(old.0), None, why));
        }
    }
    let superseded = super::history::superseded(&records);

    // 3b. The archive log: every segment parses, they chain into one log
    // from position 0, and every id in it is an archived capture.
    let mut segments = Vec::new();
    for id in &ids {
        if checker.found[id].entry.header.kind != Kind::Log || unreadable_objects.contains(id) {
            continue;
        }
        let Some(bytes) = reread(&checker, id, &mut problems) else {
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
        for (i, c) in seg.captures.iter().enumerate() {
            seq.entry(*c).or_insert(seg.start + i as u64);
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
    let unlogged = records.keys().filter(|c| !seq.contains_key(c)).count();
    if unlogged > 0 {
        report.notes.push(format!(
            "{unlogged} capture(s) archived before the archive log existed (or by a write that \
             was interrupted) are not logged yet; the next `vellum add` logs them"
        ));
    }

    // 4. The catalog agrees with what was found.
    if let Some(rows) = &cat_objects {
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
    if let Some(rows) = &cat_captures {
        let listed: HashMap<CaptureId, &CaptureRow> = rows.iter().map(|r| (r.id, r)).collect();
        for row in rows {
            match records.get(&row.id) {
                Some(rec) => {
                    if rec.doc.as_str() != row.doc
                        || rec.captured_at != row.captured_at
                        || rec.version_key() != row.vkey
                        || seq.get(&row.id).copied() != row.seq
                        || superseded.contains(&row.id) != row.superseded
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
        for (id, rec) in &records {
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

    // 5. Name every version each damaged or missing object makes unreadable.
    let mut all: HashMap<CaptureId, CaptureRow> = HashMap::new();
    for row in cat_captures.iter().flatten() {
        all.insert(row.id, row.clone());
    }
    for (id, rec) in &records {
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
            superseded: superseded.contains(id),
        });
    }
    let mut by_doc: BTreeMap<String, Vec<CaptureRow>> = BTreeMap::new();
    for row in all.into_values() {
        by_doc.entry(row.doc.clone()).or_default().push(row);
    }
    // The root causes on an object's delta chain (damaged or missing objects).
    let roots = |start: ObjectId| -> Vec<ObjectId> {
        let mut out = Vec::new();
        let mut cur = Some(start);
        let mut steps = 0;
        while let Some(id) = cur {
            if damaged.contains_key(&id) || !checker.found.contains_key(&id) {
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
    let mut unreadable: HashMap<ObjectId, Vec<String>> = HashMap::new();
    let mut records_lost: HashMap<ObjectId, Vec<String>> = HashMap::new();
    let mut stored: HashMap<String, Vec<String>> = HashMap::new();
    for (doc, mut rows) in by_doc {
        // History order, by the log as found (not as the catalog says).
        rows.sort_by_key(|r| {
            let s = seq.get(&r.id);
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
            superseded: superseded.contains(&r.id),
        }));
        let number: HashMap<CaptureId, u64> =
            history.captures.iter().map(|(c, _, v)| (*c, *v)).collect();
        for v in &history.versions {
            let name = format!("{doc}@{}", v.number);
            for root in roots(v.key) {
                unreadable.entry(root).or_default().push(name.clone());
            }
            let mut packs: Vec<&str> = chain(v.key)
                .iter()
                .filter_map(|id| checker.found.get(id))
                .map(|f| f.pack.as_str())
                .collect();
            packs.sort_unstable();
            packs.dedup();
            for p in packs {
                stored.entry(p.to_owned()).or_default().push(name.clone());
            }
        }
        for row in &rows {
            let mut lost = roots(row.id.0);
            if bad_records.contains(&row.id.0) {
                lost.push(row.id.0);
            }
            for root in lost {
                let n = number.get(&row.id).copied().unwrap_or(0);
                records_lost
                    .entry(root)
                    .or_default()
                    .push(format!("{doc}@{n} capture {}", row.id.0.short()));
            }
        }
    }
    for (id, reason) in &damaged {
        let pack = checker.found.get(id).map(|f| f.pack.clone());
        problems.push(problem(
            ProblemKind::DamagedObject,
            Some(*id),
            pack.as_deref(),
            reason.clone(),
        ));
    }
    for p in &mut problems {
        if p.kind == ProblemKind::DamagedPack
            && let Some(pack) = &p.pack
        {
            p.stored = stored.get(pack).cloned().unwrap_or_default();
            p.unreadable = unreadable_in(&p.stored, &unreadable);
        }
        if let Some(id) = p.object
            && matches!(
                p.kind,
                ProblemKind::DamagedObject | ProblemKind::MissingObject | ProblemKind::BadRecord
            )
        {
            p.unreadable = unreadable.get(&id).cloned().unwrap_or_default();
            p.records_lost = records_lost.get(&id).cloned().unwrap_or_default();
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
    report.notes.append(&mut checker.notes.borrow_mut());
    report.problems = problems;
    (report, vanished)
}

/// An object decoded once already, read again from its pack if the cache
/// let it go: a pack that changed since is damage too, and reported.
fn reread(
    checker: &Checker<'_>,
    id: &ObjectId,
    problems: &mut Vec<Problem>,
) -> Option<Arc<Vec<u8>>> {
    match checker.decode(id, READ_CHAIN_LIMIT) {
        Ok(b) => Some(b),
        Err(detail) => {
            problems.push(Problem {
                kind: ProblemKind::DamagedObject,
                object: Some(*id),
                pack: Some(checker.found[id].pack.clone()),
                detail,
                unreadable: Vec::new(),
                records_lost: Vec::new(),
                stored: Vec::new(),
            });
            None
        }
    }
}

fn pack_listed(archive: &Archive, name: &str) -> bool {
    archive
        .pack_names()
        .map_or(true, |names| names.iter().any(|n| n == name))
}

/// Which of `versions` appear among the unreadable ones.
fn unreadable_in(versions: &[String], unreadable: &HashMap<ObjectId, Vec<String>>) -> Vec<String> {
    let all: HashSet<&String> = unreadable.values().flatten().collect();
    versions
        .iter()
        .filter(|v| all.contains(v))
        .cloned()
        .collect()
}
