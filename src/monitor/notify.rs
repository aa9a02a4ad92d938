//! Telling people: the JSON a notification carries, built from the store
//! when it is delivered (so a queued message needs nothing but its check's
//! id), and its delivery to a webhook (POST, signed with HMAC-SHA256 when a
//! secret is configured) or a command (the JSON on its standard input).

use std::io::Write;

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::id::ObjectId;
use crate::store::catalog::CaptureRow;
use crate::store::{Archive, StoreError};

use super::error::MonitorError;
use super::outbox::{Destination, Outbox, Pending};
use super::record::{CheckRecord, Outcome};

/// How a change is scored: 0 to 1 and its reasons. Without one, the
/// significance score `log` and `changes` show ([`crate::significance`]).
pub type Scorer<'a> = &'a dyn Fn(&str, &str) -> (f64, Vec<String>);

/// The local configuration of notifications (flags, environment, a config
/// file): never stored in the archive.
#[derive(Debug, Clone, Default)]
pub struct NotifyConfig {
    pub destinations: Vec<Destination>,
    /// Signs webhook bodies (`X-Vellum-Signature: sha256=HEX`).
    pub secret: Option<String>,
    /// The web view's address, for a link to the diff.
    pub base_url: Option<String>,
    /// Changes scored below this are not sent.
    pub min_score: Option<f64>,
    /// Seconds allowed for one delivery.
    pub timeout: u64,
}

/// Word counts of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct WordStat {
    pub added: u64,
    pub removed: u64,
}

/// What a notification carries (the JSON posted or piped).
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Notification {
    /// Receivers drop a message whose id they have seen (the check's id).
    pub id: String,
    pub event: Outcome,
    pub doc: String,
    pub url: String,
    pub checked_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The new version's capture, and the one it changed from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_capture: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_captured_at: Option<String>,
    pub score: f64,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub words: Option<WordStat>,
    /// The changed words in context: `[-removed-]{+added+}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excerpt: Option<String>,
    /// The diff in the web view (with `--base-url`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff_url: Option<String>,
}

/// What a delivery round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Delivered {
    pub sent: usize,
    /// Below `--min-score`, or their check never reached the store.
    pub dropped: usize,
    /// Failed this time, tried again later.
    pub retried: usize,
    /// Given up after the outbox's attempts (errors, by message).
    pub given_up: Vec<String>,
}

/// Builds the notification of a check from the store.
pub fn build(
    archive: &Archive,
    id: ObjectId,
    c: &CheckRecord,
    base_url: Option<&str>,
    scorer: Option<Scorer<'_>>,
) -> Result<Notification, StoreError> {
    let mut n = Notification {
        id: id.to_string(),
        event: c.outcome,
        doc: c.doc.to_string(),
        url: c.url.clone(),
        checked_at: crate::when::format_time(c.checked_at),
        status: c.status,
        location: c.location.clone(),
        capture: None,
        version: None,
        previous_capture: None,
        previous_captured_at: None,
        score: 1.0,
        reasons: vec![format!("page {}", c.outcome)],
        words: None,
        excerpt: None,
        diff_url: None,
    };
    if c.outcome != Outcome::Changed {
        return Ok(n);
    }
    let rows = archive.captures(c.doc.as_str())?;
    let Some(new) = rows
        .iter()
        .find(|r| r.captured_at == c.checked_at && Some(r.vkey) == c.text)
    else {
        return Ok(n);
    };
    let history = archive.history(c.doc.as_str())?;
    let version = history.version_of(&new.id);
    n.capture = Some(new.id.to_string());
    n.version = version;
    let prev: Option<&CaptureRow> = version
        .filter(|v| *v > 1)
        .and_then(|v| history.versions.get(v as usize - 2))
        .and_then(|pv| rows.iter().find(|r| r.id == pv.capture));
    if let Some(p) = prev {
        n.previous_capture = Some(p.id.to_string());
        n.previous_captured_at = Some(crate::when::format_time(p.captured_at));
        let old = archive.read_object(&p.vkey)?;
        let newt = archive.read_object(&new.vkey)?;
        let (old, newt) = (
            String::from_utf8_lossy(&old),
            String::from_utf8_lossy(&newt),
        );
        let d = crate::diff::diff(&old, &newt, &Default::default());
        n.words = Some(WordStat {
            added: d.stats.words_added as u64,
            removed: d.stats.words_removed as u64,
        });
        n.excerpt = Some(excerpt(&d, 400));
        (n.score, n.reasons) = match (scorer, version) {
            (Some(s), _) => s(&old, &newt),
            (None, Some(v)) => significance(archive, &history.versions, v as usize, &old, &newt),
            (None, None) => score_texts(&old, &newt),
        };
        if let Some(base) = base_url {
            n.diff_url = Some(format!(
                "{}/diff?a={}&b={}",
                base.trim_end_matches('/'),
                p.id,
                new.id
            ));
        }
    }
    if let Some(c) = &c.returns_to {
        n.reasons.push(format!("returns to version {c}"));
    }
    Ok(n)
}

/// The changed words with a little context, at most `max` characters.
fn excerpt(d: &crate::diff::Diff, max: usize) -> String {
    use crate::diff::OpTag;
    let mut out = String::new();
    let ops = &d.ops;
    for (i, op) in ops.iter().enumerate() {
        if out.chars().count() >= max {
            out.push('…');
            break;
        }
        let mut text = op.text.replace('\n', " ");
        if op.op != OpTag::Equal && text.chars().count() > max / 4 {
            text = text.chars().take(max / 4).collect::<String>() + "…";
        }
        match op.op {
            OpTag::Delete => out.push_str(&format!("[-{text}-]")),
            OpTag::Insert => out.push_str(&format!("{{+{text}+}}")),
            OpTag::Equal => {
                let near_next = ops.get(i + 1).is_some_and(|o| o.op != OpTag::Equal);
                let near_prev = i > 0 && ops[i - 1].op != OpTag::Equal;
                let words: Vec<&str> = text.split_whitespace().collect();
                let keep = 6;
                if near_prev && !out.is_empty() {
                    out.push(' ');
                    out.push_str(&words[..words.len().min(keep)].join(" "));
                }
                if near_next {
                    if !out.is_empty() {
                        out.push_str(" … ");
                    }
                    out.push_str(&words[words.len().saturating_sub(keep)..].join(" "));
                    out.push(' ');
                }
            }
        }
    }
    out.trim().to_owned()
}

/// The significance of the change to version `v` (1-based) as `log` and
/// `changes` show it: from the significance index, which knows the source's
/// boilerplate; from the two texts alone when the index cannot answer.
fn significance(
    archive: &Archive,
    versions: &[crate::store::Version],
    v: usize,
    old: &str,
    new: &str,
) -> (f64, Vec<String>) {
    let indexed = match (versions.get(v.wrapping_sub(2)), versions.get(v - 1)) {
        (Some(a), Some(b)) => crate::significance::Index::read(archive)
            .and_then(|mut index| index.score_versions(archive, a, b))
            .ok(),
        _ => None,
    };
    match indexed {
        Some(s) => (s.value, s.reason_lines()),
        None => score_texts(old, new),
    }
}

/// Scores two texts with the significance scorer, without the source's
/// boilerplate (what the index adds).
pub fn score_texts(old: &str, new: &str) -> (f64, Vec<String>) {
    let s = crate::significance::score(old, new, &Default::default());
    (s.value, s.reason_lines())
}

/// HMAC-SHA256 of `body` under `key`, in hex (RFC 2104).
pub fn sign(key: &[u8], body: &[u8]) -> String {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |b: u8| k.iter().map(|x| x ^ b).collect::<Vec<u8>>();
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(body)
        .finalize();
    let outer = Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize();
    data_encoding::HEXLOWER.encode(&outer)
}

/// Sends one notification to one destination.
pub fn send(to: &Destination, n: &Notification, cfg: &NotifyConfig) -> Result<(), String> {
    let body = serde_json::to_vec(n).expect("notifications serialize");
    match to {
        Destination::Webhook(url) => {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(std::time::Duration::from_secs(cfg.timeout.max(1))))
                .http_status_as_error(false)
                .user_agent(crate::fetch::user_agent())
                .build()
                .into();
            let mut req = agent
                .post(url.as_str())
                .header("Content-Type", "application/json")
                .header("X-Vellum-Id", n.id.as_str());
            if let Some(secret) = &cfg.secret {
                let sig = format!("sha256={}", sign(secret.as_bytes(), &body));
                req = req.header("X-Vellum-Signature", sig.as_str());
            }
            let resp = req.send(&body[..]).map_err(|e| format!("{url}: {e}"))?;
            match resp.status().as_u16() {
                200..=299 => Ok(()),
                s => Err(format!("{url} answered HTTP {s}")),
            }
        }
        Destination::Command(cmd) => {
            let mut child = std::process::Command::new("sh")
                .args(["-c", cmd])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::null())
                .spawn()
                .map_err(|e| format!("{cmd}: {e}"))?;
            let mut stdin = child.stdin.take().expect("piped");
            let wrote = stdin.write_all(&body);
            drop(stdin);
            let status = child.wait().map_err(|e| format!("{cmd}: {e}"))?;
            wrote.map_err(|e| format!("{cmd}: {e}"))?;
            match status.success() {
                true => Ok(()),
                false => Err(format!("{cmd} exited with {status}")),
            }
        }
    }
}

/// Delivers every pending message that is due at `now`: builds each from
/// the store (dropping one whose check never reached the store, or scored
/// below `min_score`), sends it, and removes it or schedules a retry.
pub fn deliver(
    archive: &Archive,
    outbox: &Outbox,
    cfg: &NotifyConfig,
    scorer: Option<Scorer<'_>>,
    now: OffsetDateTime,
) -> Result<Delivered, MonitorError> {
    let mut out = Delivered::default();
    for p in outbox.pending()? {
        if p.not_before > now.unix_timestamp() {
            continue;
        }
        let Some(n) = notification(archive, &p, cfg, scorer)? else {
            outbox.done(&p)?;
            out.dropped += 1;
            continue;
        };
        match send(&p.destination, &n, cfg) {
            Ok(()) => {
                outbox.done(&p)?;
                out.sent += 1;
            }
            Err(e) => match outbox.failed(p, e.clone(), now)? {
                true => out.given_up.push(format!("{}: {e}", n.id)),
                false => out.retried += 1,
            },
        }
    }
    Ok(out)
}

fn notification(
    archive: &Archive,
    p: &Pending,
    cfg: &NotifyConfig,
    scorer: Option<Scorer<'_>>,
) -> Result<Option<Notification>, MonitorError> {
    // The check is in the store once its write was acknowledged; a message
    // queued by a write that never completed is moot.
    let bytes = match archive.read_object(&p.id) {
        Ok(b) => b,
        Err(StoreError::Missing { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let Ok(c) = CheckRecord::parse(&bytes) else {
        return Ok(None);
    };
    let n = build(archive, p.id, &c, cfg.base_url.as_deref(), scorer)?;
    Ok(cfg.min_score.is_none_or(|m| n.score >= m).then_some(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            sign(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
