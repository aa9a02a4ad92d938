//! Requests made to object storage, counted per backend and per process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Requests made, by kind (for `VELLUM_S3_STATS` and the benchmarks).
#[derive(Debug, Default)]
pub struct Stats {
    pub gets: AtomicU64,
    pub ranges: AtomicU64,
    pub heads: AtomicU64,
    pub puts: AtomicU64,
    pub lists: AtomicU64,
    pub deletes: AtomicU64,
    /// Bytes received in GET bodies.
    pub bytes_in: AtomicU64,
    /// Bytes sent in PUT bodies.
    pub bytes_out: AtomicU64,
}

impl Stats {
    pub(super) fn put(&self) {
        self.puts.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn list(&self) {
        self.lists.fetch_add(1, Ordering::Relaxed);
    }
    pub(super) fn delete(&self) {
        self.deletes.fetch_add(1, Ordering::Relaxed);
    }

    /// Every request made so far.
    pub fn requests(&self) -> u64 {
        [
            &self.gets,
            &self.ranges,
            &self.heads,
            &self.puts,
            &self.lists,
            &self.deletes,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }

    /// The counters as a JSON object.
    pub fn to_json(&self) -> serde_json::Value {
        let g = |c: &AtomicU64| c.load(Ordering::Relaxed);
        serde_json::json!({
            "requests": self.requests(),
            "get": g(&self.gets), "get_range": g(&self.ranges), "head": g(&self.heads),
            "put": g(&self.puts), "list": g(&self.lists), "delete": g(&self.deletes),
            "bytes_in": g(&self.bytes_in), "bytes_out": g(&self.bytes_out),
        })
    }
}

/// The counters of every backend this process made.
pub(super) static REGISTRY: Mutex<Vec<Arc<Stats>>> = Mutex::new(Vec::new());

/// Requests this process made to object storage, summed over its backends
/// (`None` when it used none).
pub fn process_stats() -> Option<serde_json::Value> {
    let all = REGISTRY.lock().ok()?;
    if all.is_empty() {
        return None;
    }
    let sum = Stats::default();
    for s in all.iter() {
        for (to, from) in [
            (&sum.gets, &s.gets),
            (&sum.ranges, &s.ranges),
            (&sum.heads, &s.heads),
            (&sum.puts, &s.puts),
            (&sum.lists, &s.lists),
            (&sum.deletes, &s.deletes),
            (&sum.bytes_in, &s.bytes_in),
            (&sum.bytes_out, &s.bytes_out),
        ] {
            to.fetch_add(from.load(Ordering::Relaxed), Ordering::Relaxed);
        }
    }
    Some(sum.to_json())
}
