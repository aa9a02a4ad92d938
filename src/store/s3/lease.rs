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
//!
//! The same mechanism, under another prefix, gives the store's *named*
//! leases (`Locker::try_named`): the monitor's (`monitor-locks/`), held for a
//! whole `watch --every` run so that one monitor runs per store however
//! many machines share it. A named lease is not waited for: a process that
//! finds another's lease listed twice (a holder's token outlives a probe's)
//! is refused, and told the holder's host, process and age, which each
//! lease object carries (`{"host":…,"pid":…,"since":unix-ms}`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::TryStreamExt;
use object_store::ObjectStore;
use object_store::path::Path as ObjPath;

use super::stats::Stats;
use crate::store::backend::Holder;

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

/// The key of a writer lease object.
#[cfg(test)]
pub(super) fn key(ms: u64, token: &str) -> String {
    key_in(PREFIX, ms, token)
}

fn key_in(prefix: &str, ms: u64, token: &str) -> String {
    format!("{prefix}/{ms:016}-{token}")
}

/// `(time, token)` of a lease object's key under `prefix`.
fn parse<'k>(prefix: &str, key: &'k str) -> Option<(u64, &'k str)> {
    let name = key.strip_prefix(prefix)?.strip_prefix('/')?;
    let (ms, token) = name.split_once('-')?;
    Some((ms.parse().ok()?, token))
}

/// This machine's name, for the lease objects (`$HOSTNAME`, else the
/// kernel's).
fn host_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            ["/proc/sys/kernel/hostname", "/etc/hostname"]
                .iter()
                .find_map(|p| std::fs::read_to_string(p).ok())
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_default()
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
        self.released.load(Ordering::SeqCst) || self.still_held()
    }

    /// Whether the lease is certainly still this process's: refreshed
    /// within its time, and no one took it over.
    pub fn still_held(&self) -> bool {
        !self.lost.load(Ordering::SeqCst)
            && self.confirmed.lock().is_ok_and(|t| t.elapsed() < self.ttl)
    }
}

/// The lease, held until dropped.
pub struct Lease {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    held: Arc<Held>,
}

impl crate::store::backend::NamedLease for Lease {
    fn still_held(&self) -> bool {
        self.held.still_held()
    }
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

#[derive(Clone)]
pub(super) struct Locker {
    pub store: Arc<dyn ObjectStore>,
    pub config: LeaseConfig,
    pub stats: Arc<Stats>,
    /// Where its lease objects live: [`PREFIX`] for the writer lease.
    pub prefix: String,
    /// When this lease was first tried (unix milliseconds).
    pub since: u64,
}

impl Locker {
    async fn put(&self, key: &str) -> object_store::Result<()> {
        self.stats.put();
        let body = serde_json::json!({
            "host": host_name(),
            "pid": std::process::id(),
            "since": self.since,
        })
        .to_string();
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
        Ok(self.live(mine).await?.into_keys().collect())
    }

    /// Others' live lease objects: token -> (time, key), the newest of
    /// each token. Stale ones are deleted on the way.
    async fn live(&self, mine: &str) -> object_store::Result<HashMap<String, (u64, String)>> {
        self.stats.list();
        let listed: Vec<_> = self
            .store
            .list(Some(&ObjPath::from(self.prefix.as_str())))
            .try_collect()
            .await?;
        let now = now_ms();
        let life = (self.config.ttl + self.config.skew).as_millis() as u64;
        let mut live: HashMap<String, (u64, String)> = HashMap::new();
        for meta in listed {
            let k = meta.location.to_string();
            let Some((ms, token)) = parse(&self.prefix, &k) else {
                continue;
            };
            if token == mine {
                continue;
            }
            if ms.saturating_add(life) < now {
                self.delete(&k).await;
            } else if live.get(token).is_none_or(|(t, _)| *t < ms) {
                live.insert(token.to_owned(), (ms, k.clone()));
            }
        }
        Ok(live)
    }

    /// What the lease object of `token` says of its holder: the one at
    /// `key`, or its newer one when a refresh just replaced it.
    async fn holder(&self, token: &str, ms: u64, key: &str) -> Holder {
        let get = |key: String| async move {
            self.stats
                .gets
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            match self.store.get(&ObjPath::from(key.as_str())).await {
                Ok(got) => got.bytes().await.ok().map(|b| b.to_vec()),
                Err(_) => None,
            }
        };
        if let Some(body) = get(key.to_owned()).await {
            return Holder::from_body(&body, ms);
        }
        if let Ok(live) = self.live("").await
            && let Some((ms, key)) = live.get(token)
            && let Some(body) = get(key.clone()).await
        {
            return Holder::from_body(&body, *ms);
        }
        Holder::from_body(b"", ms)
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
        let k = key_in(&self.prefix, now_ms(), &token);
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

/// Tries before a named lease is refused although no holder was listed
/// twice (probes colliding again and again).
const NAMED_TRIES: usize = 6;

impl Locker {
    /// One process's attempt at a named lease, which it does not wait for:
    /// `Ok(Err(holder))` when another process holds it. Another token
    /// listed beside this one's may be a probe like this one (gone a moment
    /// later; each try has a new token) or a holder (whose token stays): so
    /// a token listed by two tries is a holder, and the attempt is refused.
    /// Probes that collide back off at random and try again.
    pub async fn try_named(&self) -> object_store::Result<Result<(String, String), Holder>> {
        let mut seen: HashSet<String> = HashSet::new();
        for attempt in 1..=NAMED_TRIES {
            let token = token();
            let k = key_in(&self.prefix, now_ms(), &token);
            self.put(&k).await?;
            let live = match self.live(&token).await {
                Ok(live) => live,
                Err(e) => {
                    self.delete(&k).await;
                    return Err(e);
                }
            };
            if live.is_empty() {
                return Ok(Ok((token, k)));
            }
            self.delete(&k).await;
            let holder = live
                .iter()
                .find(|(t, _)| seen.contains(*t))
                .or_else(|| live.iter().next().filter(|_| attempt == NAMED_TRIES));
            if let Some((t, (ms, key))) = holder {
                return Ok(Err(self.holder(t, *ms, key).await));
            }
            seen.extend(live.into_keys());
            tokio::time::sleep(backoff()).await;
        }
        unreachable!("the last try returns")
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
            let next = key_in(&locker.prefix, now_ms(), &token);
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
        assert_eq!(parse(PREFIX, &k), Some((1234, "abc")));
        assert_eq!(parse(PREFIX, "locks/x-y"), None);
        assert_eq!(parse("monitor-locks", &k), None);
        assert_ne!(token(), token());
    }

    #[test]
    fn a_named_lease_is_one_per_store_refreshed_released_and_taken_over_once_stale() {
        use crate::store::backend::{Backend, Leased};
        use object_store::memory::InMemory;
        let bucket: Arc<dyn ObjectStore> = Arc::new(InMemory::new());
        // Stale 1.8 s after its last refresh: longer than a refused try
        // takes (two listings, a random wait of up to 1 s).
        let cfg = LeaseConfig {
            ttl: Duration::from_millis(300),
            skew: Duration::from_millis(1500),
        };
        let machine = || {
            super::super::S3Backend::new(bucket.clone(), None)
                .unwrap()
                .with_lease(cfg)
        };
        let (a, b) = (machine(), machine());
        let busy = |m: &super::super::S3Backend| match m.try_named_lease("monitor").unwrap() {
            Some(Leased::Busy(h)) => h,
            Some(Leased::Held(_)) => panic!("taken while held"),
            None => panic!("object storage keeps named leases"),
        };
        let Some(Leased::Held(held)) = a.try_named_lease("monitor").unwrap() else {
            panic!("free");
        };
        // Another lease than the writer's: writers go on.
        drop(b.try_lock().unwrap().expect("the writer lease is free"));
        let h = busy(&b);
        assert_eq!(h.pid, Some(std::process::id()));
        assert!(h.since_ms.is_some_and(|s| s <= now_ms()));
        assert!(
            h.describe(now_ms())
                .contains(&format!("process {}", std::process::id()))
        );
        // Refreshed while held: still refused after several lease times.
        std::thread::sleep(Duration::from_millis(900));
        busy(&b);
        assert!(held.still_held());
        // Released on drop: the next one takes it.
        drop(held);
        let Some(Leased::Held(held_b)) = b.try_named_lease("monitor").unwrap() else {
            panic!("released");
        };
        // One that judged it stale and took it over keeps its token: the
        // holder's next refreshes list it twice, and it is no longer held.
        let taker = key_in("monitor-locks", now_ms(), "taker");
        let body = br#"{"host":"elsewhere","pid":7,"since":1}"#.to_vec();
        futures::executor::block_on(bucket.put(&ObjPath::from(taker.as_str()), body.into()))
            .unwrap();
        let put_at = Instant::now();
        std::thread::sleep(Duration::from_millis(350));
        assert!(!held_b.still_held());
        drop(held_b);
        // A crashed holder's lease object: refused, naming it, until stale.
        let h = busy(&a);
        assert_eq!((h.host.as_deref(), h.pid), (Some("elsewhere"), Some(7)));
        std::thread::sleep(
            (put_at + Duration::from_millis(1900)).saturating_duration_since(Instant::now()),
        );
        assert!(matches!(
            a.try_named_lease("monitor").unwrap(),
            Some(Leased::Held(_))
        ));
        assert!(a.try_named_lease("Bad/name").is_err());
    }
}
