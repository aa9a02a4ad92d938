//! The one delta-chain walker. Every reader of objects goes through
//! [`decode`]: `show`/`diff` (entries located by the catalog), the writer
//! (entries of the pack being written), recovery (entries of packs being
//! indexed) and `verify` (entries it found in the packs itself, trusting no
//! catalog). Where entries come from is the [`Entries`] parameter; the walk,
//! the chain limit, the id check and the cache are the same for all.

use std::collections::HashMap;
use std::sync::Arc;

use super::cache::Cache;
use super::error::StoreError;
use super::object;
use crate::id::ObjectId;

/// One stored entry, as its source found it.
pub(super) struct RawEntry<L> {
    /// The entry's bytes (header and frame).
    pub raw: Vec<u8>,
    /// Its delta base, with where that base is when the source already knows
    /// (a base named by its offset in the same pack: no lookup).
    pub base: Option<(ObjectId, Option<L>)>,
    /// The size of the object asked for, when the source knows it without
    /// decoding (a record in a set: its length in the set's own list, which
    /// the catalog keeps as `captures.rsize`). Only a hint for [`in_set`]:
    /// the id check decides.
    pub size: Option<u64>,
}

/// Where a walk finds entries.
pub(super) trait Entries {
    /// A location hint the source hands itself for bases.
    type Loc;
    /// The entry of `id` (at `at` when known); `Ok(None)` when the source
    /// has no such object.
    fn entry(
        &self,
        id: &ObjectId,
        at: Option<Self::Loc>,
    ) -> Result<Option<RawEntry<Self::Loc>>, ChainError>;
    /// An outcome already known for `id` (a source that remembers failures).
    fn known_failure(&self, _id: &ObjectId) -> Option<ChainError> {
        None
    }
    /// Called with the outcome of every object the walk decoded or failed on.
    fn outcome(&self, _id: &ObjectId, _result: &Result<Arc<Vec<u8>>, ChainError>) {}
}

/// Why an object could not be decoded.
#[derive(Debug)]
pub(super) enum ChainError {
    /// The source has no such object.
    Missing(ObjectId),
    /// The chain is longer than the limit, or loops.
    TooDeep(ObjectId),
    /// Its entry is unreadable or does not decode to its id.
    Damaged(ObjectId, String),
    /// The source itself failed (the catalog).
    Source(StoreError),
    /// Its delta base could not be decoded.
    Base {
        base: ObjectId,
        cause: Box<ChainError>,
    },
}

impl ChainError {
    /// The error a reader of the store reports: the root cause.
    pub(super) fn into_store_error(self, limit: u32) -> StoreError {
        match self {
            ChainError::Missing(id) => StoreError::Missing { id },
            ChainError::TooDeep(id) => StoreError::ChainTooDeep { id, limit },
            ChainError::Damaged(id, reason) => StoreError::Damaged { id, reason },
            ChainError::Source(e) => e,
            ChainError::Base { cause, .. } => cause.into_store_error(limit),
        }
    }
}

/// Decodes `id` from `source`, walking at most `budget` entries of its
/// chain, checking each against its id, and keeping results in `cache`.
pub(super) fn decode<S: Entries>(
    source: &S,
    cache: &Cache,
    id: &ObjectId,
    at: Option<S::Loc>,
    budget: u32,
) -> Result<Arc<Vec<u8>>, ChainError> {
    if let Some(e) = source.known_failure(id) {
        return Err(e);
    }
    if let Some(hit) = cache.get(id) {
        return Ok(hit);
    }
    let result = decode_uncached(source, cache, id, at, budget);
    if let Ok(bytes) = &result {
        cache.put(*id, bytes.clone());
    }
    source.outcome(id, &result);
    result
}

fn decode_uncached<S: Entries>(
    source: &S,
    cache: &Cache,
    id: &ObjectId,
    at: Option<S::Loc>,
    budget: u32,
) -> Result<Arc<Vec<u8>>, ChainError> {
    if budget == 0 {
        return Err(ChainError::TooDeep(*id));
    }
    let entry = source.entry(id, at)?.ok_or(ChainError::Missing(*id))?;
    let damaged = |e: object::DecodeError| ChainError::Damaged(*id, e.to_string());
    let header = object::parse_header(&entry.raw).map_err(damaged)?;
    if header.kind == object::Kind::RecordSet && header.id != *id {
        return in_set(cache, id, header.id, &entry.raw, entry.size);
    }
    if header.layout.stores_id() && header.id != *id {
        return Err(ChainError::Damaged(
            *id,
            "its location holds another object".into(),
        ));
    }
    let base = match entry.base {
        Some((b, at)) => match decode(source, cache, &b, at, budget - 1) {
            Ok(bytes) => Some((b, bytes)),
            Err(cause) => {
                return Err(ChainError::Base {
                    base: b,
                    cause: Box::new(cause),
                });
            }
        },
        None => None,
    };
    // A log segment with a base (store format 7) is a delta against the
    // ids of the records in that base, a record set.
    let base = match base {
        Some((b, bytes)) if header.kind == object::Kind::Log => {
            let ids = super::recordset::ids(&bytes).map_err(damaged)?;
            Some((b, Arc::new(ids)))
        }
        other => other,
    };
    let expect = (!object::is_location_key(id)).then_some(*id);
    let (_, bytes) = object::decode_expecting(
        &entry.raw,
        expect,
        base.as_ref().map(|(b, bytes)| (*b, bytes.as_slice())),
    )
    .map_err(damaged)?;
    Ok(Arc::new(bytes))
}

/// Records of one set read one at a time (each hashing only the records of
/// its length) before a read hashes and caches the whole set: a `show` or a
/// `diff` reads one or two records, `log`, a rebuild or a timeline read many.
const SET_READS_ONE_AT_A_TIME: u32 = 2;

/// A capture record inside the record set `set` whose entry is `raw`.
///
/// The set is decoded once (checked against its own id) and kept in the
/// cache under that id. A reader that knows the record's length (`size`:
/// the catalog's) hashes only the records of that length, usually one, so
/// reading one record costs about that record. Without a length, past
/// [`SET_READS_ONE_AT_A_TIME`] reads of one set (a reader going through the
/// set: `verify`, a rebuild), or when no record of that length is `id`,
/// every record is hashed and all are cached, so the next one read is a
/// lookup. Either way a record is returned only if it hashes to `id`.
fn in_set(
    cache: &Cache,
    id: &ObjectId,
    set_id: ObjectId,
    raw: &[u8],
    size: Option<u64>,
) -> Result<Arc<Vec<u8>>, ChainError> {
    let damaged = |e: object::DecodeError| ChainError::Damaged(*id, e.to_string());
    let set = match cache.get(&set_id) {
        Some(set) => set,
        None => {
            let (_, set) = object::decode_expecting(raw, None, None).map_err(damaged)?;
            let set = Arc::new(set);
            cache.put(set_id, Arc::clone(&set));
            set
        }
    };
    let records = super::recordset::split(&set).map_err(damaged)?;
    if let Some(size) = size
        && cache.set_read(set_id) <= SET_READS_ONE_AT_A_TIME
    {
        let mut same_size = records.iter().copied().filter(|r| r.len() as u64 == size);
        if let Some(r) = same_size.find(|r| ObjectId::of(r) == *id) {
            return Ok(Arc::new(r.to_vec()));
        }
    }
    let mut found = None;
    for r in records {
        let rid = ObjectId::of(r);
        let bytes = Arc::new(r.to_vec());
        if rid == *id {
            found = Some(bytes);
        } else {
            cache.put(rid, bytes);
        }
    }
    found.ok_or_else(|| ChainError::Damaged(*id, "its record set does not hold it".into()))
}

/// Chain depths of entries whose bases are known without decoding them
/// (`bases`: every entry being indexed and its base), continuing chains into
/// objects stored before through `stored_depth`. A chain past `limit` or a
/// cycle stops counting there: verify reports it.
pub(super) fn depths(
    bases: &HashMap<ObjectId, Option<ObjectId>>,
    limit: u32,
    mut stored_depth: impl FnMut(&ObjectId) -> Result<Option<u32>, StoreError>,
) -> Result<HashMap<ObjectId, u32>, StoreError> {
    let mut depths: HashMap<ObjectId, u32> = HashMap::new();
    for &id in bases.keys() {
        let mut chain = vec![id];
        let mut depth = 0;
        while let Some(&Some(base)) = bases.get(chain.last().expect("non-empty")) {
            if let Some(d) = depths.get(&base) {
                depth = d + 1;
                break;
            }
            if chain.len() > limit as usize {
                break;
            }
            if !bases.contains_key(&base) {
                depth = stored_depth(&base)?.map_or(0, |d| d + 1);
                break;
            }
            chain.push(base);
        }
        for (i, obj) in chain.iter().rev().enumerate() {
            depths.insert(*obj, depth + i as u32);
        }
    }
    Ok(depths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::object::{Codec, Kind, Layout};
    use crate::store::recordset;

    /// A source holding one record set entry, which it gives for any id,
    /// with the length it claims for each record (none for the others).
    struct OneSet {
        raw: Vec<u8>,
        sizes: HashMap<ObjectId, u64>,
    }

    impl Entries for OneSet {
        type Loc = ();
        fn entry(&self, id: &ObjectId, _: Option<()>) -> Result<Option<RawEntry<()>>, ChainError> {
            Ok(Some(RawEntry {
                raw: self.raw.clone(),
                base: None,
                size: self.sizes.get(id).copied(),
            }))
        }
    }

    /// Ten records, all of one length (each read with its length hashes
    /// them all until the right one), and the entry of their set.
    fn set() -> (Vec<Vec<u8>>, Vec<ObjectId>, ObjectId, Vec<u8>) {
        let recs: Vec<Vec<u8>> = (0..10)
            .map(|i| format!("{{\"n\":{i}}}").into_bytes())
            .collect();
        let ids = recs.iter().map(|r| ObjectId::of(r)).collect();
        let refs: Vec<&[u8]> = recs.iter().map(Vec::as_slice).collect();
        let layout = Layout::Compact { id: true };
        let content = recordset::encode(&refs);
        let (set_id, raw) =
            object::encode_as(Codec::default(), layout, Kind::RecordSet, &content, None).unwrap();
        (recs, ids, set_id, raw)
    }

    fn sized(raw: &[u8], recs: &[Vec<u8>], size: impl Fn(&[u8]) -> u64) -> OneSet {
        OneSet {
            raw: raw.to_vec(),
            sizes: recs.iter().map(|r| (ObjectId::of(r), size(r))).collect(),
        }
    }

    fn damage(e: ChainError) -> (ObjectId, String) {
        match e {
            ChainError::Damaged(id, reason) => (id, reason),
            other => panic!("not damage: {other:?}"),
        }
    }

    #[test]
    fn a_record_read_with_its_length_leaves_its_neighbours_unhashed() {
        let (recs, ids, set_id, raw) = set();
        let src = sized(&raw, &recs, |r| r.len() as u64);
        let cache = Cache::new(1 << 20);
        assert_eq!(*decode(&src, &cache, &ids[3], None, 4).unwrap(), recs[3]);
        assert!(cache.get(&set_id).is_some(), "the set is kept, decoded");
        let cached = |c: &Cache| ids.iter().filter(|id| c.get(id).is_some()).count();
        assert_eq!(cached(&cache), 1, "only the record read is cached");
        assert_eq!(*decode(&src, &cache, &ids[8], None, 4).unwrap(), recs[8]);
        assert_eq!(cached(&cache), 2);
        // A third record of the set: a reader going through it; the whole
        // set is hashed once and the rest read from the cache.
        assert_eq!(*decode(&src, &cache, &ids[0], None, 4).unwrap(), recs[0]);
        assert_eq!(cached(&cache), ids.len());
    }

    #[test]
    fn a_record_read_without_its_length_or_with_a_wrong_one_is_found() {
        let (recs, ids, _, raw) = set();
        for src in [
            sized(&raw, &recs, |r| r.len() as u64 + 1),
            sized(&raw, &recs, |_| 1),
            OneSet {
                raw: raw.clone(),
                sizes: HashMap::new(),
            },
        ] {
            let cache = Cache::new(1 << 20);
            assert_eq!(*decode(&src, &cache, &ids[5], None, 4).unwrap(), recs[5]);
            assert!(ids.iter().all(|id| cache.get(id).is_some()), "set hashed");
        }
    }

    #[test]
    fn damage_reads_the_same_with_or_without_a_length() {
        let (recs, ids, set_id, raw) = set();
        let other = ObjectId::of(b"{\"n\":x}");
        let mut bad = raw.clone();
        *bad.last_mut().unwrap() ^= 0x40;
        let cases = [
            (raw.clone(), other, "its record set does not hold it"),
            (bad, ids[2], ""),
        ];
        for (raw, id, want) in cases {
            let mut reasons = Vec::new();
            for size in [Some(recs[2].len() as u64), None] {
                let src = OneSet {
                    raw: raw.clone(),
                    sizes: size.map(|s| (id, s)).into_iter().collect(),
                };
                let cache = Cache::new(1 << 20);
                let (at, reason) = damage(decode(&src, &cache, &id, None, 4).unwrap_err());
                assert_eq!(at, id);
                assert!(reason.contains(want), "{reason}");
                assert!(cache.get(&id).is_none());
                reasons.push(reason);
            }
            assert_eq!(reasons[0], reasons[1]);
        }
        // A damaged set is not kept under its id.
        let cache = Cache::new(1 << 20);
        let mut bad = raw.clone();
        *bad.last_mut().unwrap() ^= 0x40;
        let src = sized(&bad, &recs, |r| r.len() as u64);
        assert!(decode(&src, &cache, &ids[1], None, 4).is_err());
        assert!(cache.get(&set_id).is_none());
    }
}
