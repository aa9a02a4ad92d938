//! The writer lease of a store on object storage, without conditional writes.
//!
//! Garage (and other S3 services) do not honour `If-None-Match` on PUT, so
//! the lease is built from uniquely named objects and listing, as restic
//! locks its repositories:
//!
//! 1. A writer PUTs `locks/<unix-ms>-<token>` (a name no one else uses:
//!    `token` is random per lease), then LISTs `locks/`.
//! 2. If the listing shows no *live* lease but its own, it holds the lease.
//!    Otherwise it deletes its object, waits a random 0.2–1 s and retries.
//!    (Two writers that collide both back off; the random wait breaks ties.)
//! 3. While it holds the lease, a thread PUTs a fresh `locks/<now>-<token>`
//!    every third of the lease time and deletes the previous one, then LISTs:
//!    another token listed means a waiting writer's probe from step 1,
//!    which is gone a moment later (a retry has a new token), or a writer
//!    that took the lease over, which is not. It lists again after a sixth
//!    of the lease time (at most 2 s) and confirms its lease only when no
//!    token is listed both times.
//! 4. A lease object is live until its time plus [`LeaseConfig::ttl`] plus
//!    [`LeaseConfig::skew`]. Older ones are stale: a waiting writer deletes
//!    them (their holder crashed or lost its network).
//!
//! Mutual exclusion needs read-after-write consistent listing, which Garage
//! and S3 provide: of two writers, the one whose PUT came later lists the
//! other's object, so at most one sees itself alone. It needs no clock
//! agreement *unless a lease goes stale*.
//!
//! Failure modes, and what guards against them:
//!
//! - **Clock skew**: lease times are the writer's clock; a waiter whose
//!   clock runs more than `skew` (default 5 minutes) ahead of the holder's
//!   could judge a live lease stale. Keep clocks in NTP sync.
//! - **A writer paused past its lease** (suspended laptop, stopped process):
//!   the holder measures its lease with a monotonic clock and refuses to
//!   upload a pack once `ttl` has passed since its last confirmed refresh,
//!   or once a refresh saw another writer's live lease ([`Held::may_upload`]).
//!   Nothing it had not acknowledged is acknowledged. A pause *between* that
//!   check and the upload remains possible: the archive log then forks (two
//!   segments name the same predecessor), which `verify` reports; both
//!   packs, and every capture in them, are kept.
//! - **Listing lag** (an eventually consistent service): two writers may
//!   each list before the other's lease appears and both proceed; the same
//!   fork results, detected the same way. Garage lists consistently.
//! - **A crashed holder**: its last lease object goes stale after
//!   `ttl + skew`; until then other writers wait (they say so).

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;

use super::stats::Stats;

/// How long a lease lives without refresh, and how much clock skew between
/// machines is tolerated before a lease is judged stale.
#[derive(Debug, Clone, Copy)]
pub struct LeaseConfig {
    pub ttl: Duration,
    pub skew: Duration,
}

impl Default for LeaseConfig {
    fn default() -> Self {
        LeaseConfig {
            ttl: Duration::from_secs(120),
            skew: Duration::from_secs(300),
        }
    }
}

pub(super) const PREFIX: &str = "locks";

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A random token: blake3 of the time, the process and a counter.
fn token() -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = blake3::Hasher::new();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(&N.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.update(&(&h as *const _ as usize).to_le_bytes());
    h.finalize().to_hex()[..20].to_owned()
}

pub(super) fn key(ms: u64, token: &str) -> String {
    format!("{PREFIX}/{ms:016}-{token}")
}

/// `(time, token)` of a lease object's key.
fn parse(key: &str) -> Option<(u64, &str)> {
    let name = key.strip_prefix(PREFIX)?.strip_prefix('/')?;
    let (ms, token) = name.split_once('-')?;
    Some((ms.parse().ok()?, token))
}

/// What the holder knows of its lease (shared with the refresh thread and
/// checked before every pack upload).
#[derive(Debug)]
pub struct Held {
    confirmed: Mutex<Instant>,
    lost: AtomicBool,
    /// The lease was given up: uploads are no longer fenced by it.
    released: AtomicBool,
    ttl: Duration,
}

impl Held {
    /// Whether uploads may go on: the lease was released (no write under it
    /// is in progress), or it is certainly still this writer's.
    pub fn may_upload(&self) -> bool {
        self.released.load(Ordering::SeqCst)
            || (!self.lost.load(Ordering::SeqCst)
                && self.confirmed.lock().is_ok_and(|t| t.elapsed() < self.ttl))
    }
}

/// The lease, held until dropped.
pub struct Lease {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    held: Arc<Held>,
}

impl Drop for Lease {
    fn drop(&mut self) {
        self.held.released.store(true, Ordering::SeqCst);
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub(super) struct Locker {
    pub store: Arc<dyn ObjectStore>,
    pub config: LeaseConfig,
    pub stats: Arc<Stats>,
}

impl Locker {
    async fn put(&self, key: &str) -> object_store::Result<()> {
        self.stats.put();
        let body = format!(
            "{{\"host\":{:?},\"pid\":{}}}",
            std::env::var("HOSTNAME").unwrap_or_default(),
            std::process::id()
        );
        self.store
            .put(&ObjPath::from(key), body.into_bytes().into())
            .await
            .map(drop)
    }

    async fn delete(&self, key: &str) {
        self.stats.delete();
        let _ = self.store.delete(&ObjPath::from(key)).await;
    }

    /// The tokens of others' live leases; stale ones are deleted on the way.
    async fn others(&self, mine: &str) -> object_store::Result<HashSet<String>> {
        self.stats.list();
        let listed: Vec<_> = self
            .store
            .list(Some(&ObjPath::from(PREFIX)))
            .try_collect()
            .await?;
        let now = now_ms();
        let life = (self.config.ttl + self.config.skew).as_millis() as u64;
        let mut live = HashSet::new();
        for meta in listed {
            let k = meta.location.to_string();
            let Some((ms, token)) = parse(&k) else {
                continue;
            };
            if token == mine {
                continue;
            }
            if ms.saturating_add(life) < now {
                self.delete(&k).await;
            } else {
                live.insert(token.to_owned());
            }
        }
        Ok(live)
    }

    /// Whether another writer holds a lease beside this one's (`None`: a
    /// listing failed). A waiting writer's probe (step 1) is listed only
    /// for the moment it takes to list and delete it, and each of its tries
    /// has a new token: so a token still listed a moment later is a writer
    /// that judged this lease stale and took over. Until that second
    /// listing nothing is confirmed, so no window opens in which both
    /// would upload.
    async fn taken_over(&self, mine: &str) -> object_store::Result<Option<bool>> {
        let first = self.others(mine).await?;
        if first.is_empty() {
            return Ok(Some(false));
        }
        let wait = (self.config.ttl / 6).min(Duration::from_secs(2));
        tokio::time::sleep(wait).await;
        let again = self.others(mine).await?;
        Ok(Some(first.iter().any(|t| again.contains(t))))
    }

    /// One attempt: `Some` when this writer now holds the lease.
    pub async fn try_acquire(&self) -> object_store::Result<Option<(String, String)>> {
        let token = token();
        let k = key(now_ms(), &token);
        self.put(&k).await?;
        match self.others(&token).await {
            Ok(others) if others.is_empty() => Ok(Some((token, k))),
            Ok(_) => {
                self.delete(&k).await;
                Ok(None)
            }
            Err(e) => {
                self.delete(&k).await;
                Err(e)
            }
        }
    }
}

/// Starts the refresh thread for a lease just acquired.
pub(super) fn hold(locker: Locker, token: String, first: String, held: Arc<Held>) -> Lease {
    let (stop, stopped) = mpsc::channel::<()>();
    let kept = held.clone();
    let thread = std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            held.lost.store(true, Ordering::SeqCst);
            return;
        };
        let mut current = first;
        let every = locker.config.ttl / 3;
        // Wakes every third of the lease time until the lease is dropped.
        while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
            let next = key(now_ms(), &token);
            let put = rt.block_on(locker.put(&next)).is_ok();
            if put {
                rt.block_on(locker.delete(&current));
                current = next;
            }
            // A failed listing confirms nothing: `may_upload` runs out
            // after `ttl`.
            if let Ok(Some(lost)) = rt.block_on(locker.taken_over(&token)) {
                if lost {
                    held.lost.store(true, Ordering::SeqCst);
                } else if put && let Ok(mut t) = held.confirmed.lock() {
                    *t = Instant::now();
                }
            }
        }
        rt.block_on(locker.delete(&current));
    });
    Lease {
        stop: Some(stop),
        thread: Some(thread),
        held: kept,
    }
}

pub(super) fn new_held(ttl: Duration) -> Arc<Held> {
    Arc::new(Held {
        confirmed: Mutex::new(Instant::now()),
        lost: AtomicBool::new(false),
        released: AtomicBool::new(false),
        ttl,
    })
}

/// A random wait before the next attempt, 200 ms to 1 s.
pub(super) fn backoff() -> Duration {
    let t = token();
    let r = u64::from_str_radix(&t[..4], 16).unwrap_or(0) % 800;
    Duration::from_millis(200 + r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let k = key(1234, "abc");
        assert_eq!(k, "locks/0000000000001234-abc");
        assert_eq!(parse(&k), Some((1234, "abc")));
        assert_eq!(parse("locks/x-y"), None);
        assert_ne!(token(), token());
    }
}
