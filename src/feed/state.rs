//! What `vellum watch` keeps between rounds, as a state object in the store
//! (`store/state.rs`): each feed's HTTP validators (for conditional GET),
//! the item pages already archived, and the ones that failed, to retry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;

/// The state object's name.
pub const NAME: &str = "watch";
/// Item pages remembered per feed (the oldest are forgotten first; a feed
/// lists its newest items, so a forgotten one is rarely listed again).
pub const MAX_SEEN: usize = 5000;
/// Failed items kept to retry, per feed.
pub const MAX_RETRY: usize = 1000;
/// Rounds an item is retried before it is given up.
pub const MAX_ATTEMPTS: u32 = 10;

/// Every watched feed's state, keyed by feed URL.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WatchState {
    /// Always [`NAME`] (the store reads `state`, `round` and `prev`).
    pub state: String,
    pub round: u64,
    pub prev: Option<ObjectId>,
    pub feeds: BTreeMap<String, FeedState>,
}

/// One feed's state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// Canonical URLs of the item pages archived, oldest first.
    #[serde(default)]
    pub seen: Vec<String>,
    /// Item pages that failed, by link: tried again next round.
    #[serde(default)]
    pub retry: BTreeMap<String, Retry>,
}

/// A failed item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retry {
    pub attempts: u32,
    pub error: String,
}

impl WatchState {
    /// Reads a state object's bytes.
    pub fn parse(bytes: &[u8]) -> Result<WatchState, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The state that follows this one (stored as `id`).
    pub fn next(&self, id: Option<ObjectId>) -> WatchState {
        WatchState {
            state: NAME.into(),
            round: self.round + 1,
            prev: id,
            feeds: self.feeds.clone(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("state serializes")
    }
}

impl FeedState {
    pub fn has_seen(&self, canonical: &str) -> bool {
        self.seen.iter().any(|s| s == canonical)
    }

    /// Remembers an archived item page (and forgets it as failed).
    pub fn archived(&mut self, link: &str, canonical: &str) {
        self.retry.remove(link);
        if !self.has_seen(canonical) {
            self.seen.push(canonical.to_owned());
        }
        if self.seen.len() > MAX_SEEN {
            let extra = self.seen.len() - MAX_SEEN;
            self.seen.drain(..extra);
        }
    }

    /// Records a failure; returns whether the item will be retried.
    pub fn failed(&mut self, link: &str, error: &str) -> bool {
        let attempts = self.retry.get(link).map_or(0, |r| r.attempts) + 1;
        if attempts >= MAX_ATTEMPTS
            || (self.retry.len() >= MAX_RETRY && !self.retry.contains_key(link))
        {
            self.retry.remove(link);
            return false;
        }
        let error: String = error.chars().take(300).collect();
        self.retry
            .insert(link.to_owned(), Retry { attempts, error });
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_bounds() {
        let mut s = WatchState::default().next(None);
        assert_eq!((s.state.as_str(), s.round), (NAME, 1));
        let f = s.feeds.entry("https://x/feed".into()).or_default();
        assert!(f.failed("https://x/a", "HTTP 404"));
        f.archived("https://x/a", "https://x/a");
        assert!(f.retry.is_empty() && f.has_seen("https://x/a"));
        for _ in 0..MAX_ATTEMPTS - 1 {
            assert!(f.failed("https://x/b", "timeout"));
        }
        assert!(!f.failed("https://x/b", "timeout"), "given up");
        for i in 0..MAX_SEEN + 3 {
            f.archived("l", &format!("https://x/{i}"));
        }
        assert_eq!(f.seen.len(), MAX_SEEN);
        assert!(!f.has_seen("https://x/0"));
        let back = WatchState::parse(&s.to_bytes()).unwrap();
        assert_eq!(back, s);
        let header = crate::store::state::StateHeader::parse(&s.to_bytes()).unwrap();
        assert_eq!((header.state.as_str(), header.round), (NAME, 1));
    }
}
