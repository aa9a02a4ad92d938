//! A small cache of decoded objects, so reading consecutive versions (or a
//! delta chain's shared bases) decompresses each object once. Eviction is
//! CLOCK (second chance): an entry read since it was last passed over stays,
//! so the bases that many chains share (skip-delta bases) outlive the
//! versions read once.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use crate::id::{IdMap, ObjectId};

pub struct Cache {
    budget: AtomicUsize,
    inner: Mutex<Inner>,
    /// Compact entries read by id that do not store it: their location key
    /// (`object::location_key`) -> id, so that a delta reaching one by
    /// offset finds it decoded under its id (and checks it against that id).
    aliases: Mutex<IdMap<ObjectId>>,
    /// The last object read that is larger than the budget (up to
    /// [`MAX_LARGE`]): a large capture's text, which `add` reads back for
    /// its word count and each derived index, is decoded once.
    large: Mutex<Option<(ObjectId, Arc<Vec<u8>>)>>,
    /// Records read so far from each record set, by the set's id: a reader
    /// reading several records of one set gets all of it hashed and cached
    /// (`chain::in_set`).
    set_reads: Mutex<IdMap<u32>>,
}

/// The largest object kept in the one slot for an object over the budget.
const MAX_LARGE: usize = 64 << 20;

/// Location keys remembered at most (64 bytes each); then they start over.
const MAX_ALIASES: usize = 1 << 16;

/// Record sets whose reads are counted at most (36 bytes each); then the
/// counts start over.
const MAX_SET_READS: usize = 1 << 14;

#[derive(Default)]
struct Inner {
    /// Each entry with whether it was read since eviction last passed it.
    map: IdMap<(Arc<Vec<u8>>, bool)>,
    order: VecDeque<ObjectId>,
    bytes: usize,
}

impl Cache {
    /// A cache holding at most `budget` bytes of decoded objects.
    pub fn new(budget: usize) -> Cache {
        Cache {
            budget: AtomicUsize::new(budget),
            inner: Mutex::default(),
            aliases: Mutex::default(),
            large: Mutex::default(),
            set_reads: Mutex::default(),
        }
    }

    /// Counts one more record read from the record set `set` (one that was
    /// not in the cache): how many that makes.
    pub fn set_read(&self, set: ObjectId) -> u32 {
        let Ok(mut reads) = self.set_reads.lock() else {
            return u32::MAX;
        };
        if reads.len() >= MAX_SET_READS {
            reads.clear();
        }
        let n = reads.entry(set).or_insert(0);
        *n = n.saturating_add(1);
        *n
    }

    /// Remembers that the entry at location `key` is the object `id`.
    pub fn alias(&self, key: ObjectId, id: ObjectId) {
        if let Ok(mut a) = self.aliases.lock() {
            if a.len() >= MAX_ALIASES {
                a.clear();
            }
            a.insert(key, id);
        }
    }

    /// The object at location `key`, if it was read by id before.
    pub fn aliased(&self, key: &ObjectId) -> Option<ObjectId> {
        self.aliases.lock().ok()?.get(key).copied()
    }

    pub fn get(&self, id: &ObjectId) -> Option<Arc<Vec<u8>>> {
        if let Ok(large) = self.large.lock()
            && let Some((k, bytes)) = large.as_ref()
            && k == id
        {
            return Some(Arc::clone(bytes));
        }
        let mut inner = self.inner.lock().ok()?;
        let (bytes, used) = inner.map.get_mut(id)?;
        *used = true;
        Some(Arc::clone(bytes))
    }

    /// Sets the budget (entries past it go at the next insertion); returns
    /// the one it had.
    pub fn set_budget(&self, budget: usize) -> usize {
        self.budget.swap(budget, Ordering::Relaxed)
    }

    /// Drops every decoded object it holds.
    pub fn clear(&self) {
        if let Ok(mut large) = self.large.lock() {
            *large = None;
        }
        if let Ok(mut inner) = self.inner.lock() {
            *inner = Inner::default();
        }
    }

    /// Inserts, evicting past the budget the oldest entries not read since
    /// they were last passed over.
    pub fn put(&self, id: ObjectId, bytes: Arc<Vec<u8>>) {
        let budget = self.budget.load(Ordering::Relaxed);
        if bytes.len() > budget {
            if bytes.len() <= MAX_LARGE
                && let Ok(mut large) = self.large.lock()
            {
                *large = Some((id, bytes));
            }
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.map.contains_key(&id) {
            return;
        }
        inner.bytes += bytes.len();
        inner.map.insert(id, (bytes, false));
        inner.order.push_back(id);
        while inner.bytes > budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            match inner.map.get_mut(&old) {
                Some((_, used)) if *used => {
                    *used = false;
                    inner.order.push_back(old);
                }
                Some(_) => {
                    if let Some((b, _)) = inner.map.remove(&old) {
                        inner.bytes -= b.len();
                    }
                }
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evicts_past_budget() {
        let c = Cache::new(10);
        let (a, b) = (ObjectId::of(b"a"), ObjectId::of(b"b"));
        c.put(a, Arc::new(vec![0; 6]));
        c.put(b, Arc::new(vec![0; 6]));
        assert!(c.get(&a).is_none());
        assert!(c.get(&b).is_some());
        c.put(a, Arc::new(vec![0; 11]));
        assert!(c.get(&a).is_some(), "the one object over the budget");
        c.put(b, Arc::new(vec![0; 12]));
        assert!(c.get(&a).is_none());
        assert!(c.get(&b).is_some());
        c.put(a, Arc::new(vec![0; MAX_LARGE + 1]));
        assert!(c.get(&a).is_none());
    }

    #[test]
    fn an_entry_read_again_outlives_one_read_once() {
        let c = Cache::new(12);
        let [a, b, d] = [b"a", b"b", b"d"].map(|k| ObjectId::of(k));
        c.put(a, Arc::new(vec![0; 6]));
        c.put(b, Arc::new(vec![0; 6]));
        assert!(c.get(&a).is_some());
        c.put(d, Arc::new(vec![0; 6]));
        assert!(c.get(&a).is_some(), "read since inserted: kept");
        assert!(c.get(&b).is_none(), "never read: evicted first");
        assert!(c.get(&d).is_some());
    }

    #[test]
    fn a_smaller_budget_applies_from_the_next_insertion_and_clear_empties() {
        let c = Cache::new(12);
        let [a, b, d] = [b"a", b"b", b"d"].map(|k| ObjectId::of(k));
        c.put(a, Arc::new(vec![0; 5]));
        c.put(b, Arc::new(vec![0; 5]));
        assert_eq!(c.set_budget(6), 12);
        c.put(d, Arc::new(vec![0; 5]));
        assert!(c.get(&a).is_none() && c.get(&b).is_none());
        assert!(c.get(&d).is_some());
        c.put(a, Arc::new(vec![0; 7]));
        assert!(c.get(&a).is_some(), "over the new budget: the large slot");
        assert_eq!(c.set_budget(12), 6);
        c.clear();
        assert!(c.get(&a).is_none() && c.get(&d).is_none());
    }
}
