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
        return in_set(cache, id, &entry.raw);
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

/// A capture record inside the record set whose entry is `raw`: the set
/// is decoded (checked against its own id), each record in it hashed, and
/// all of them kept in the cache, so the next record of the set read is a
/// lookup (`log`, `verify` and a rebuild read them in a row).
fn in_set(cache: &Cache, id: &ObjectId, raw: &[u8]) -> Result<Arc<Vec<u8>>, ChainError> {
    let damaged = |e: object::DecodeError| ChainError::Damaged(*id, e.to_string());
    let (_, set) = object::decode_expecting(raw, None, None).map_err(damaged)?;
    let mut found = None;
    for r in super::recordset::split(&set).map_err(damaged)? {
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
