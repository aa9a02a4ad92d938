//! The outbox: notifications waiting to be delivered, kept on this machine
//! (`outbox/` beside the catalog, never in the pushed store), one file per
//! message and target, written to a temporary file, fsynced and renamed
//! into place. A message is queued *before* the write that archives its
//! check is acknowledged, and names that check: a message whose check never
//! reached the store (a crash before the commit) is dropped when it comes
//! up, and one whose check did is delivered, however the process ended
//! (at least once; receivers drop duplicates by the message id). Failed
//! deliveries are retried with backoff; after `max_attempts` the message is
//! moved to `outbox/failed/` and reported.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

use crate::id::ObjectId;

use super::error::MonitorError;

/// Where a message goes. Targets come from local configuration (flags,
/// environment, a config file), never from the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Destination {
    /// POST the JSON to this URL.
    Webhook(String),
    /// Run this command (through `sh -c`) with the JSON on standard input.
    Command(String),
}

impl Destination {
    /// A webhook at `url`, which must be an http(s) URL.
    pub fn webhook(url: String) -> Result<Destination, MonitorError> {
        match url::Url::parse(&url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Destination::Webhook(url)),
            _ => Err(MonitorError::Input(format!(
                "{url:?} is not an http(s) URL: give the webhook's address"
            ))),
        }
    }

    fn key(&self) -> String {
        let h = blake3::hash(serde_json::to_string(self).expect("serializes").as_bytes());
        h.to_hex()[..16].to_owned()
    }
}

/// One pending message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pending {
    /// The message id receivers deduplicate by: the check record's id.
    pub id: ObjectId,
    pub destination: Destination,
    /// Deliveries tried so far.
    pub attempts: u32,
    /// Not before this time (unix seconds).
    pub not_before: i64,
    /// The last failure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The outbox directory.
pub struct Outbox {
    dir: PathBuf,
    /// Attempts before a message is given up (10).
    pub max_attempts: u32,
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> MonitorError + '_ {
    move |source| MonitorError::Outbox {
        path: path.to_owned(),
        source,
    }
}

impl Outbox {
    /// The outbox of the store whose local directory is `store_dir`.
    pub fn open(store_dir: &Path) -> Result<Outbox, MonitorError> {
        let dir = store_dir.join("outbox");
        std::fs::create_dir_all(dir.join("failed")).map_err(io(&dir))?;
        Ok(Outbox {
            dir,
            max_attempts: 10,
        })
    }

    fn path(&self, p: &Pending) -> PathBuf {
        self.dir
            .join(format!("{}-{}.json", p.id, p.destination.key()))
    }

    /// Queues a message for each destination, durably.
    pub fn queue(
        &self,
        id: ObjectId,
        to: &[Destination],
        now: OffsetDateTime,
    ) -> Result<(), MonitorError> {
        for d in to {
            let p = Pending {
                id,
                destination: d.clone(),
                attempts: 0,
                not_before: now.unix_timestamp(),
                error: None,
            };
            self.write(&self.path(&p), &p)?;
        }
        if !to.is_empty() {
            sync_dir(&self.dir).map_err(io(&self.dir))?;
        }
        Ok(())
    }

    fn write(&self, path: &Path, p: &Pending) -> Result<(), MonitorError> {
        use std::io::Write;
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(&serde_json::to_vec(p).expect("serializes"))
            .map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io(path))
    }

    /// Every pending message (not the failed ones), oldest id first.
    pub fn pending(&self) -> Result<Vec<Pending>, MonitorError> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(&self.dir).map_err(io(&self.dir))? {
            let e = e.map_err(io(&self.dir))?;
            let name = e.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(".tmp-") {
                let _ = std::fs::remove_file(e.path());
                continue;
            }
            if !name.ends_with(".json") {
                continue;
            }
            let bytes = std::fs::read(e.path()).map_err(io(&e.path()))?;
            if let Ok(p) = serde_json::from_slice::<Pending>(&bytes) {
                out.push(p);
            }
        }
        out.sort_by_key(|a| (a.not_before, a.id));
        Ok(out)
    }

    /// How many messages were given up.
    pub fn failed_count(&self) -> usize {
        std::fs::read_dir(self.dir.join("failed")).map_or(0, |d| d.count())
    }

    /// A message delivered (or moot: its check never reached the store).
    pub fn done(&self, p: &Pending) -> Result<(), MonitorError> {
        let path = self.path(p);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&path)(e)),
            _ => Ok(()),
        }
    }

    /// A delivery failed: retried after a backoff (30 s doubling, at most
    /// an hour), or moved to `failed/` after `max_attempts`. Returns
    /// whether it was given up.
    pub fn failed(
        &self,
        mut p: Pending,
        error: String,
        now: OffsetDateTime,
    ) -> Result<bool, MonitorError> {
        p.attempts += 1;
        p.error = Some(error);
        let path = self.path(&p);
        if p.attempts >= self.max_attempts {
            let to = self
                .dir
                .join("failed")
                .join(path.file_name().expect("named"));
            self.write(&path, &p)?;
            std::fs::rename(&path, &to).map_err(io(&to))?;
            return Ok(true);
        }
        let wait = Duration::seconds(30) * 2i32.pow(p.attempts.min(7) - 1);
        p.not_before = (now + wait.min(Duration::hours(1))).unix_timestamp();
        self.write(&path, &p)?;
        Ok(false)
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queued_messages_survive_retry_with_backoff_then_fail() {
        let tmp = tempfile::tempdir().unwrap();
        let mut ob = Outbox::open(tmp.path()).unwrap();
        ob.max_attempts = 3;
        let now = time::macros::datetime!(2026-12-01 0:00 UTC);
        let id = ObjectId::of(b"check");
        let to = [
            Destination::Webhook("http://127.0.0.1:1/".into()),
            Destination::Command("true".into()),
        ];
        ob.queue(id, &to, now).unwrap();
        let p = ob.pending().unwrap();
        assert_eq!(p.len(), 2);
        assert!(!ob.failed(p[0].clone(), "refused".into(), now).unwrap());
        let again = Outbox::open(tmp.path()).unwrap().pending().unwrap();
        let retried = again.iter().find(|q| q.attempts == 1).unwrap();
        assert_eq!(
            retried.not_before,
            (now + Duration::seconds(30)).unix_timestamp()
        );
        ob.done(&p[1]).unwrap();
        let mut last = retried.clone();
        assert!(!ob.failed(last.clone(), "refused".into(), now).unwrap());
        last.attempts = 2;
        assert!(ob.failed(last, "refused".into(), now).unwrap());
        assert!(ob.pending().unwrap().is_empty());
        assert_eq!(ob.failed_count(), 1);
    }
}
