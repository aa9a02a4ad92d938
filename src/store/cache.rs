//! A small cache of decoded objects, so reading consecutive versions (or a
//! delta chain's shared bases) decompresses each object once.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use crate::id::{IdMap, ObjectId};

pub struct Cache {
    budget: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    map: IdMap<Arc<Vec<u8>>>,
    order: VecDeque<ObjectId>,
    bytes: usize,
}

impl Cache {
    /// A cache holding at most `budget` bytes of decoded objects.
    pub fn new(budget: usize) -> Cache {
        Cache {
            budget,
            inner: Mutex::default(),
        }
    }

    pub fn get(&self, id: &ObjectId) -> Option<Arc<Vec<u8>>> {
        self.inner.lock().ok()?.map.get(id).cloned()
    }

    /// Inserts, evicting the oldest entries past the budget (first in, first out).
    pub fn put(&self, id: ObjectId, bytes: Arc<Vec<u8>>) {
        if bytes.len() > self.budget {
            return;
        }
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if inner.map.contains_key(&id) {
            return;
        }
        inner.bytes += bytes.len();
        inner.map.insert(id, bytes);
        inner.order.push_back(id);
        while inner.bytes > self.budget {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(b) = inner.map.remove(&old) {
                inner.bytes -= b.len();
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
        assert!(c.get(&a).is_none());
    }
}
