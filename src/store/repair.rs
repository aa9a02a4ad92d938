//! `vellum repair`: heal what `verify` found damaged, from a replica (any
//! store holding the same objects) or by rebuilding what is derived.
//!
//! Nothing is rewritten in place. Every object a damaged pack still holds
//! intact is read back (and re-hashed), every damaged or missing object is
//! fetched by its id from the replica or rebuilt by the caller (and its hash
//! checked), and all of them are written into new packs through the one
//! pack format; the catalog then locates them there. Only after the new
//! packs are durable and that catalog transaction has committed are the
//! damaged packs deleted. A kill at any instant leaves either the old state
//! (plus a new pack the next writer indexes) or the new one (plus a damaged
//! pack the next writer indexes again and the next repair retires); a
//! repair can always be run again.
//!
//! A damaged pack holding an object that neither the replica nor the
//! rebuild supplies is kept (another replica may heal it later), unless the
//! caller accepts the loss (`--rebuild`): then it is retired too, and what it
//! alone held stays named by `verify` as missing, never silently dropped.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::archive::Archive;
use super::error::{Result, StoreError};
use super::layout::{PACK_TARGET, pack_key};
use super::located::object_row;
use super::object::{self, BaseRef, Codec, Kind};
use super::pack::{self, Entry, PackWriter};
use super::record::CaptureId;
use super::verify::{ProblemKind, Report};
use super::{packindex, tlog};
use crate::id::ObjectId;

/// Makes an object again from what survives, by id (`None`: it cannot).
pub type Rebuild<'a> = dyn FnMut(&ObjectId) -> Option<Vec<u8>> + 'a;

/// Where lost objects may come from, besides the damaged store itself.
pub struct Sources<'a> {
    /// A replica: any store holding the same objects (`--from`).
    pub replica: Option<&'a Archive>,
    /// Makes an object again from what survives (a text re-extracted from
    /// intact raw bytes); its hash is checked here.
    pub rebuild: Option<&'a mut Rebuild<'a>>,
    /// Retire damaged packs even when some object in them is lost for good
    /// (the loss is then named by `verify` as a missing object).
    pub accept_losses: bool,
}

/// What a repair did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct RepairReport {
    /// Intact objects of damaged packs, rewritten into new packs.
    pub rewritten: usize,
    /// Damaged or missing objects fetched from the replica.
    pub fetched: usize,
    /// Damaged or missing objects made again (re-extracted texts).
    pub rebuilt: usize,
    /// Objects neither the replica nor a rebuild could supply.
    pub lost: Vec<ObjectId>,
    /// Packs written.
    pub packs_written: Vec<String>,
    /// Damaged packs deleted once all they held intact was rewritten.
    pub packs_retired: Vec<String>,
    /// Damaged packs kept because they hold an object still lost.
    pub packs_kept: Vec<String>,
}

/// What verify's report asks a repair to do.
#[derive(Default)]
struct Plan {
    /// Damaged packs, with the ids the catalog or the pack says they hold.
    packs: BTreeMap<String, BTreeSet<ObjectId>>,
    /// Objects damaged or missing, wherever they are (or were).
    wanted: BTreeSet<ObjectId>,
    /// Record sets damaged or missing: their records are healed one by
    /// one, and the sets themselves no longer located.
    lost_sets: BTreeSet<ObjectId>,
    log_broken: bool,
}

fn plan(archive: &Archive, report: &Report) -> Result<Plan> {
    let mut plan = Plan::default();
    for p in &report.problems {
        match p.kind {
            ProblemKind::DamagedPack => {
                if let Some(name) = &p.pack {
                    plan.packs.entry(name.clone()).or_default();
                }
            }
            ProblemKind::DamagedObject | ProblemKind::MissingObject | ProblemKind::BadRecord => {
                if let Some(id) = p.object {
                    plan.wanted.insert(id);
                }
                if let Some(name) = &p.pack
                    && p.kind != ProblemKind::MissingObject
                {
                    plan.packs.entry(name.clone()).or_default();
                }
            }
            ProblemKind::BadLog => plan.log_broken = true,
            _ => {}
        }
    }
    let rows = archive.cat(archive.catalog.objects())?;
    // Record sets are not healed as objects: the records in them are, each
    // as its own entry (a set copied or fetched beside them would locate
    // each record twice).
    let sets: BTreeSet<ObjectId> = rows
        .iter()
        .filter(|r| r.kind == Kind::RecordSet)
        .map(|r| r.id)
        .collect();
    for row in rows {
        if let Some(ids) = plan.packs.get_mut(&row.pack)
            && !sets.contains(&row.id)
        {
            ids.insert(row.id);
        }
    }
    plan.lost_sets = plan.wanted.intersection(&sets).copied().collect();
    plan.wanted.retain(|id| !sets.contains(id));
    Ok(plan)
}

/// An object to write, and where it came from.
struct Rescued {
    kind: Kind,
    bytes: Arc<Vec<u8>>,
    /// Its intact entry in a damaged pack, copied as it is (the frame is
    /// not recompressed), with the id of the in-pack base an offset names.
    raw: Option<(Vec<u8>, Option<ObjectId>)>,
}

impl Archive {
    /// Heals what `report` (a fresh [`super::verify::verify`] of this store)
    /// found damaged: see the module documentation. `progress` hears
    /// (objects done, objects to do).
    pub fn repair(
        &self,
        report: &Report,
        mut sources: Sources<'_>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<RepairReport> {
        let plan = plan(self, report)?;
        let writer = self.writer(&mut || {})?;
        let mut out = RepairReport::default();
        let mut rescued: BTreeMap<ObjectId, Rescued> = BTreeMap::new();
        // Write order: each damaged pack's objects in its order (a base
        // before the entries that name it by offset), then the rest.
        let mut groups: Vec<Vec<ObjectId>> = Vec::new();
        // Everything a damaged pack holds that still reads back.
        let mut pack_ids: BTreeMap<&str, BTreeSet<ObjectId>> = BTreeMap::new();
        for (name, listed) in &plan.packs {
            let bytes = self.backend.get(&pack_key(name)).unwrap_or_default();
            let entries = pack::scan(&bytes, Some(name)).entries;
            let mut group: Vec<ObjectId> = entries
                .iter()
                .filter(|e| e.header.kind != Kind::RecordSet)
                .map(|e| e.header.id)
                .collect();
            let scanned: BTreeSet<ObjectId> = group.iter().copied().collect();
            group.extend(listed.difference(&scanned));
            for (e, data) in self.decode_intact(&bytes, &entries) {
                let start = e.offset as usize;
                let entry = bytes[start..start + e.header.entry_len()].to_vec();
                let by_offset = matches!(e.header.base, Some(BaseRef::Offset(_)));
                let raw = Some((entry, e.base.filter(|_| by_offset)));
                let kind = e.header.kind;
                rescued.insert(
                    e.header.id,
                    Rescued {
                        kind,
                        bytes: data,
                        raw,
                    },
                );
                out.rewritten += 1;
            }
            for id in &group {
                if !rescued.contains_key(id)
                    && let Ok(data) = self.read_object(id)
                    && let Some(row) = self.cat(self.catalog.object(id))?
                {
                    let kind = row.kind;
                    rescued.insert(
                        *id,
                        Rescued {
                            kind,
                            bytes: data,
                            raw: None,
                        },
                    );
                    out.rewritten += 1;
                }
            }
            pack_ids.insert(name, group.iter().copied().collect());
            groups.push(group);
        }
        // What is damaged or missing: from the replica, else rebuilt.
        let mut wanted: BTreeSet<ObjectId> = plan.wanted.clone();
        wanted.extend(pack_ids.values().flatten().copied());
        if plan.log_broken
            && let Some(from) = sources.replica
        {
            for (_, _, id) in from.cat(from.catalog.log_segments())? {
                if self.read_object(&id).is_err() {
                    wanted.insert(id);
                }
            }
        }
        wanted.retain(|id| !rescued.contains_key(id));
        let total = wanted.len();
        let mut grouped_last = Vec::new();
        for (i, id) in wanted.iter().enumerate() {
            progress(i, total);
            if let Some(r) = fetch(sources.replica, id) {
                rescued.insert(*id, r);
                grouped_last.push(*id);
                out.fetched += 1;
            } else if let Some(bytes) = sources.rebuild.as_mut().and_then(|f| f(id))
                && ObjectId::of(&bytes) == *id
            {
                let bytes = Arc::new(bytes);
                let r = Rescued {
                    kind: Kind::Content,
                    bytes,
                    raw: None,
                };
                rescued.insert(*id, r);
                grouped_last.push(*id);
                out.rebuilt += 1;
            } else {
                out.lost.push(*id);
            }
        }
        progress(total, total);
        groups.push(grouped_last);
        let damaged: BTreeSet<&str> = plan.packs.keys().map(String::as_str).collect();
        out.packs_written = self.write_rescued(&groups, &rescued, &damaged)?;
        for id in &plan.lost_sets {
            self.cat(self.catalog.unlocate(id))?;
        }
        // Retire a damaged pack only once all it held is elsewhere (or its
        // losses are accepted).
        let mut retired = Vec::new();
        for (name, ids) in &pack_ids {
            let lost = ids.iter().any(|id| out.lost.contains(id));
            if lost && !sources.accept_losses {
                out.packs_kept.push((*name).to_owned());
                continue;
            }
            if let Some(id) = self.cat(self.catalog.pack_id(name))? {
                self.cat(self.catalog.drop_pack(id))?;
            }
            retired.push((*name).to_owned());
        }
        writer.commit()?;
        for name in &retired {
            self.backend
                .delete(&pack_key(name))
                .map_err(StoreError::io(format!("retiring damaged pack {name}")))?;
            if self.backend.pack_indexes() {
                let _ = self.backend.delete(&packindex::key(name));
            }
        }
        out.packs_retired = retired;
        Ok(out)
    }

    /// The entries of a (damaged) pack that still decode from its bytes
    /// and hash to their ids, in pack order (a base comes before the
    /// entries that refer to it); bases in other packs are read through
    /// the catalog.
    fn decode_intact<'e>(
        &self,
        bytes: &[u8],
        entries: &'e [Entry],
    ) -> Vec<(&'e Entry, Arc<Vec<u8>>)> {
        let mut decoded: HashMap<ObjectId, Arc<Vec<u8>>> = HashMap::new();
        let mut out = Vec::new();
        // A record in a set is read through its set (the catalog's way),
        // and written alone; a log segment stored against a set's ids too.
        let alone = |e: &&Entry| {
            !e.in_set
                && e.header.kind != Kind::RecordSet
                && !(e.header.kind == Kind::Log && e.header.base.is_some())
        };
        for e in entries.iter().filter(alone) {
            let base = match e.base {
                None => None,
                Some(b) => match decoded
                    .get(&b)
                    .cloned()
                    .or_else(|| self.read_object(&b).ok())
                {
                    Some(d) => Some((b, d)),
                    None => continue,
                },
            };
            let with = base.as_ref().map(|(b, d)| (*b, d.as_slice()));
            let Ok((_, data)) = pack::decode_at(bytes, e.offset, with) else {
                continue;
            };
            if ObjectId::of(&data) != e.header.id {
                continue;
            }
            let data = Arc::new(data);
            decoded.insert(e.header.id, data.clone());
            out.push((e, data));
        }
        out
    }

    /// Writes the rescued objects into new packs, group by group: an
    /// intact entry of a damaged pack is copied as it is (its offset base
    /// rebased), anything else is written whole (no delta base: a base could
    /// be the damage being healed). Makes them durable and locates every
    /// object in them; inside the caller's transaction.
    fn write_rescued(
        &self,
        groups: &[Vec<ObjectId>],
        rescued: &BTreeMap<ObjectId, Rescued>,
        damaged: &BTreeSet<&str>,
    ) -> Result<Vec<String>> {
        let mut names = Vec::new();
        let mut w = PackWriter::default();
        // The objects in the pack being written, in order.
        let mut batch: Vec<ObjectId> = Vec::new();
        // Where each object went in the pack being written.
        let mut at: HashMap<ObjectId, u64> = HashMap::new();
        let mut standalone: HashMap<ObjectId, Vec<u8>> = HashMap::new();
        for group in groups {
            for id in group {
                let Some(r) = rescued.get(id) else {
                    continue; // lost
                };
                if at.contains_key(id) {
                    continue;
                }
                let entry = match &r.raw {
                    Some((raw, None)) => w.push(raw, *id),
                    Some((raw, Some(base))) if at.contains_key(base) => {
                        let raw = object::rebase(raw, at[base] as u32).map_err(|e| {
                            StoreError::Damaged {
                                id: *id,
                                reason: e.to_string(),
                            }
                        })?;
                        w.push(&raw, *id)
                    }
                    _ => {
                        let (_, encoded) = object::encode(Codec::default(), r.kind, &r.bytes, None)
                            .map_err(StoreError::io("compressing an object"))?;
                        w.push(&encoded, *id)
                    }
                };
                at.insert(*id, entry.offset);
                batch.push(*id);
                if packindex::wanted(r.kind) && matches!(entry.header.base, Some(BaseRef::Id(_))) {
                    standalone.insert(*id, r.bytes.to_vec());
                }
            }
            if w.len() >= PACK_TARGET {
                let w = std::mem::take(&mut w);
                let batch = std::mem::take(&mut batch);
                names.push(self.seal_rescued(w, &batch, rescued, damaged, &mut standalone)?);
                at.clear();
            }
        }
        if !w.is_empty() {
            names.push(self.seal_rescued(w, &batch, rescued, damaged, &mut standalone)?);
        }
        Ok(names)
    }

    /// Seals a pack of rescued objects, stores it and locates its objects.
    fn seal_rescued(
        &self,
        w: PackWriter,
        batch: &[ObjectId],
        rescued: &BTreeMap<ObjectId, Rescued>,
        damaged: &BTreeSet<&str>,
        standalone: &mut HashMap<ObjectId, Vec<u8>>,
    ) -> Result<String> {
        let (mut name, mut bytes, mut entries) = w.finish();
        if damaged.contains(name.as_str()) {
            // Every object came out as it was: the damage was outside every
            // entry (the trailer, say), and this is the damaged pack's own
            // name, which must not be reused. The same objects written
            // whole, in the other order, make a pack of another name.
            let mut whole = PackWriter::default();
            for id in batch.iter().rev() {
                let r = &rescued[id];
                let (_, encoded) = object::encode(Codec::default(), r.kind, &r.bytes, None)
                    .map_err(StoreError::io("compressing an object"))?;
                whole.push(&encoded, *id);
            }
            (name, bytes, entries) = whole.finish();
            if damaged.contains(name.as_str()) {
                return Err(StoreError::Io {
                    context: format!("rewriting damaged pack {name}"),
                    source: std::io::Error::other(
                        "its objects rewritten make the same pack again; copy an intact \
                         copy of this pack file over it",
                    ),
                });
            }
        }
        self.backend
            .put_if_absent(&pack_key(&name), &bytes)
            .map_err(StoreError::io(format!("writing pack {name}")))?;
        self.put_pack_index(&name, &bytes, &entries, &mut |id| standalone.remove(id));
        let to = self.cat(self.catalog.add_pack(&name, bytes.len() as u64))?;
        for e in &entries {
            // Written whole: depth 0; copied as it was: its chain is too.
            let depth = match e.header.base {
                None => 0,
                Some(_) => self
                    .cat(self.catalog.object(&e.header.id))?
                    .map_or(0, |r| r.depth),
            };
            let row = object_row(&name, e, depth);
            self.cat(self.catalog.relocate_object(to, &row))?;
        }
        // Objects the catalog did not locate at all (a pack lost whole,
        // records and log segments among them) are indexed as any new pack.
        self.index_packs(&[(name.clone(), bytes.len() as u64)])?;
        Ok(name)
    }
}

impl Archive {
    /// The archive log's entries (captures and merge entries, `tlog.rs`),
    /// with every segment read back from the objects (hash-checked) and
    /// found to name the same captures at the same places as the catalog
    /// ([`Archive::log`]), and how many captures are not logged yet: a
    /// proof is never made from a log whose segments are damaged (`vellum
    /// repair` heals them first).
    pub fn checked_log(&self) -> Result<(Vec<tlog::Entry>, usize)> {
        let _snapshot = self.catalog.read_snapshot();
        let (ids, unlogged) = self.log()?;
        let mut entries = Vec::with_capacity(ids.len());
        let mut captures = ids.iter();
        for (start, count, id) in self.cat(self.catalog.log_segments())? {
            let bytes = self.read_object(&id)?;
            let damaged = |reason: String| StoreError::Damaged { id, reason };
            let seg = tlog::Segment::decode(&bytes).map_err(damaged)?;
            let listed: Vec<CaptureId> = captures
                .by_ref()
                .take(seg.captures.len())
                .copied()
                .collect();
            if seg.start != start
                || seg.len() != count
                || entries.len() as u64 != start
                || listed != seg.captures
            {
                return Err(damaged(format!(
                    "the archive log segment at position {start} names other captures than \
                     the catalog (run `vellum verify`)"
                )));
            }
            entries.extend(seg.entries());
        }
        if let Some(extra) = captures.next() {
            return Err(StoreError::Damaged {
                id: extra.0,
                reason:
                    "the catalog logs captures no archive log segment names (run `vellum verify`)"
                        .into(),
            });
        }
        Ok((entries, unlogged))
    }
}

/// An object from the replica, by id (its chain walked and its hash checked
/// there), with its kind.
fn fetch(replica: Option<&Archive>, id: &ObjectId) -> Option<Rescued> {
    let from = replica?;
    let bytes = from.read_object(id).ok()?;
    let row = from.cat(from.catalog.object(id)).ok()??;
    Some(Rescued {
        kind: row.kind,
        bytes,
        raw: None,
    })
}

/// What `repair --json` prints: what the repair did, and what `verify`
/// found after it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct RepairSummary {
    #[serde(flatten)]
    pub repair: RepairReport,
    /// `verify` found nothing wrong after the repair.
    pub ok: bool,
    /// What is still lost, per capture (named, never dropped).
    pub damaged_captures: Vec<super::verify::CaptureAccount>,
}
