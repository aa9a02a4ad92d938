//! Proofs as JSON files anyone can check offline, without the archive.
//!
//! An inclusion proof (`"type": "inclusion"`):
//!
//! ```json
//! {
//!   "vellum_proof": 1,
//!   "hash": "blake3",
//!   "type": "inclusion",
//!   "tree_size": 6,
//!   "root": "64 hex digits: the root of the log of that size",
//!   "leaf_index": 3,
//!   "capture": "64 hex digits: the capture id (the leaf's data)",
//!   "record": "{\"vellum\":1,\"doc\":…}  (the capture record's exact bytes, optional)",
//!   "path": ["64 hex digits", …]
//! }
//! ```
//!
//! The leaf is `blake3(0x00 || capture id)`; `path` is RFC 9162's
//! inclusion path from that leaf up to `root`. When `record` is present,
//! `blake3(record) == capture` ties the proof to what the record says:
//! document, captured-at time, URL, and the blake3 id of the bytes
//! (`content`), which a file can then be checked against.
//!
//! A consistency proof (`"type": "consistency"`) has `old_size`,
//! `old_root`, `new_size`, `new_root` and `path` (RFC 9162's consistency
//! proof): the log of `old_size` entries is the beginning of the log of
//! `new_size` entries, so nothing archived before was removed or changed.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::id::ObjectId;
use crate::store::CaptureRecord;

use super::error::ProofError;
use super::merkle::{self, Hash, Tree};

/// Proof format written by this vellum.
pub const PROOF_FORMAT: u32 = 1;

/// A proof file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProofFile {
    pub vellum_proof: u32,
    pub hash: String,
    #[serde(flatten)]
    pub proof: Proof,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Proof {
    Inclusion(Inclusion),
    Consistency(Consistency),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Inclusion {
    pub tree_size: u64,
    pub root: ObjectId,
    pub leaf_index: u64,
    pub capture: ObjectId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    pub path: Vec<ObjectId>,
    /// For a capture merged in from another store (`vellum push`/`pull`):
    /// its place in that store's log, and the merge entry of this log that
    /// recorded that log's root. (A checker that predates it checks the
    /// rest.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<Merged>,
}

/// Where a merged capture was before the merge, and the merge entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Merged {
    /// The merge entry's position in this log (before the capture's), and
    /// its inclusion path to the same root as the capture's.
    pub entry_index: u64,
    pub entry_path: Vec<ObjectId>,
    /// The other store's log at the merge, as the merge entry records it.
    pub source_size: u64,
    pub source_root: ObjectId,
    /// The capture's position in that log and its inclusion path there.
    pub source_index: u64,
    pub source_path: Vec<ObjectId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Consistency {
    pub old_size: u64,
    pub old_root: ObjectId,
    pub new_size: u64,
    pub new_root: ObjectId,
    pub path: Vec<ObjectId>,
}

/// What `check-proof --json` prints: whether the proof holds, what it
/// showed, or why it does not hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ProofCheck {
    pub holds: bool,
    /// What the proof showed, one statement each (empty when it fails).
    pub statements: Vec<String>,
    /// Why the proof does not hold (absent when it holds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

impl From<Result<Statements, ProofError>> for ProofCheck {
    fn from(r: Result<Statements, ProofError>) -> ProofCheck {
        match r {
            Ok(statements) => ProofCheck {
                holds: true,
                statements,
                failure: None,
            },
            Err(e) => ProofCheck {
                holds: false,
                statements: Vec::new(),
                failure: Some(e.to_string()),
            },
        }
    }
}

/// What a proof showed, one statement per line.
pub type Statements = Vec<String>;

fn h(id: &ObjectId) -> Hash {
    *id.as_bytes()
}

fn ids(path: &[ObjectId]) -> Vec<Hash> {
    path.iter().map(h).collect()
}

impl ProofFile {
    /// An inclusion proof of leaf `index` (capture `capture`, whose record
    /// bytes are `record`) in the first `size` entries of `tree`.
    pub fn inclusion(
        tree: &Tree,
        index: u64,
        size: u64,
        capture: ObjectId,
        record: Option<&[u8]>,
    ) -> Result<ProofFile, ProofError> {
        let head = tree.head(size)?;
        let path = tree.inclusion_proof(index, size)?;
        Ok(ProofFile {
            vellum_proof: PROOF_FORMAT,
            hash: "blake3".into(),
            proof: Proof::Inclusion(Inclusion {
                tree_size: size,
                root: ObjectId::from_bytes(head.root),
                leaf_index: index,
                capture,
                record: record.map(|r| String::from_utf8_lossy(r).into_owned()),
                path: path.into_iter().map(ObjectId::from_bytes).collect(),
                merged: None,
            }),
        })
    }

    /// A consistency proof between the first `old` and `new` entries.
    pub fn consistency(tree: &Tree, old: u64, new: u64) -> Result<ProofFile, ProofError> {
        let path = tree.consistency_proof(old, new)?;
        Ok(ProofFile {
            vellum_proof: PROOF_FORMAT,
            hash: "blake3".into(),
            proof: Proof::Consistency(Consistency {
                old_size: old,
                old_root: ObjectId::from_bytes(tree.head(old)?.root),
                new_size: new,
                new_root: ObjectId::from_bytes(tree.head(new)?.root),
                path: path.into_iter().map(ObjectId::from_bytes).collect(),
            }),
        })
    }

    /// Checks the proof; each of `roots` (published roots the user trusts,
    /// with the tree size when it was published with it) must be a root the
    /// proof is about; `file` is the blake3 id of a file's bytes, to be
    /// checked against the capture's bytes.
    pub fn check(
        &self,
        roots: &[(Option<u64>, ObjectId)],
        file: Option<ObjectId>,
    ) -> Result<Statements, ProofError> {
        if self.vellum_proof != PROOF_FORMAT || self.hash != "blake3" {
            return Err(ProofError::Unsupported(
                self.vellum_proof,
                self.hash.clone(),
            ));
        }
        let mut out = Vec::new();
        match &self.proof {
            Proof::Inclusion(p) => {
                let record = match &p.record {
                    Some(r) => {
                        if ObjectId::of(r.as_bytes()) != p.capture {
                            return Err(ProofError::RecordMismatch(p.capture));
                        }
                        let rec = CaptureRecord::parse(r.as_bytes())
                            .map_err(|e| ProofError::BadRecord(e.to_string()))?;
                        Some(rec)
                    }
                    None => None,
                };
                let leaf = merkle::leaf_hash(p.capture.as_bytes());
                if !merkle::verify_inclusion(
                    p.leaf_index,
                    p.tree_size,
                    &leaf,
                    &ids(&p.path),
                    &h(&p.root),
                ) {
                    return Err(ProofError::NotIncluded {
                        capture: p.capture,
                        root: p.root,
                    });
                }
                let merged = match &p.merged {
                    Some(m) => Some(check_merged(p, m)?),
                    None => None,
                };
                for (size, r) in roots {
                    let source = p.merged.as_ref().is_some_and(|m| {
                        *r == m.source_root && size.is_none_or(|s| s == m.source_size)
                    });
                    if !source && (*r != p.root || size.is_some_and(|s| s != p.tree_size)) {
                        return Err(ProofError::OtherRoot(
                            *r,
                            format!("{}:{}", p.tree_size, p.root),
                        ));
                    }
                }
                out.push(format!(
                    "capture {} is entry {} of the log of {} entries with root {}",
                    p.capture, p.leaf_index, p.tree_size, p.root
                ));
                out.extend(merged);
                if let Some(rec) = &record {
                    out.push(format!(
                        "its record: document {}, captured at {}{}, bytes {} ({} bytes)",
                        rec.doc,
                        crate::warc::write::warc_date(rec.captured_at),
                        rec.url
                            .as_deref()
                            .map(|u| format!(", URL {u}"))
                            .unwrap_or_default(),
                        rec.content,
                        rec.size
                    ));
                }
                if let Some(f) = file {
                    let rec = record.as_ref().ok_or(ProofError::NoRecord)?;
                    if f != rec.content {
                        return Err(ProofError::OtherFile {
                            file: f,
                            content: rec.content,
                        });
                    }
                    out.push(format!("the file's bytes are the capture's bytes ({f})"));
                }
                if roots.is_empty() {
                    out.push(format!(
                        "compare root {} with a root the archive published (--root) before trusting this",
                        p.root
                    ));
                } else {
                    for (_, r) in roots {
                        out.push(format!("root {r} is the published root given"));
                    }
                }
            }
            Proof::Consistency(p) => {
                if !merkle::verify_consistency(
                    p.old_size,
                    p.new_size,
                    &h(&p.old_root),
                    &h(&p.new_root),
                    &ids(&p.path),
                ) {
                    return Err(ProofError::NotConsistent {
                        old: p.old_root,
                        old_size: p.old_size,
                        new: p.new_root,
                        new_size: p.new_size,
                    });
                }
                for (size, r) in roots {
                    let old = *r == p.old_root && size.is_none_or(|s| s == p.old_size);
                    let new = *r == p.new_root && size.is_none_or(|s| s == p.new_size);
                    if !old && !new {
                        return Err(ProofError::OtherRoot(
                            *r,
                            format!(
                                "{}:{} and {}:{}",
                                p.old_size, p.old_root, p.new_size, p.new_root
                            ),
                        ));
                    }
                }
                if file.is_some() {
                    return Err(ProofError::NoRecord);
                }
                out.push(format!(
                    "the log of {} entries with root {} is the beginning of the log of {} entries with root {}: nothing in it was removed or changed",
                    p.old_size, p.old_root, p.new_size, p.new_root
                ));
                if roots.is_empty() {
                    out.push(
                        "compare the roots with roots the archive published (--root) before trusting this"
                            .into(),
                    );
                }
            }
        }
        Ok(out)
    }
}

/// Checks the merge part of an inclusion proof: the merge entry is in the
/// same log before the capture, and the capture is in the log it records.
fn check_merged(p: &Inclusion, m: &Merged) -> Result<String, ProofError> {
    let entry = crate::store::tlog::merge_leaf_data(m.source_size, &m.source_root);
    if m.entry_index >= p.leaf_index {
        return Err(ProofError::NotMerged(format!(
            "the merge entry ({}) must come before the capture ({})",
            m.entry_index, p.leaf_index
        )));
    }
    if !merkle::verify_inclusion(
        m.entry_index,
        p.tree_size,
        &merkle::leaf_hash(entry.as_bytes()),
        &ids(&m.entry_path),
        &h(&p.root),
    ) {
        return Err(ProofError::NotMerged(format!(
            "no merge entry recording {}:{} at entry {} of the log with root {}",
            m.source_size, m.source_root, m.entry_index, p.root
        )));
    }
    if !merkle::verify_inclusion(
        m.source_index,
        m.source_size,
        &merkle::leaf_hash(p.capture.as_bytes()),
        &ids(&m.source_path),
        &h(&m.source_root),
    ) {
        return Err(ProofError::NotMerged(format!(
            "the path does not lead from capture {} to the other log's root {}",
            p.capture, m.source_root
        )));
    }
    Ok(format!(
        "it was merged in from another store: entry {} of that store's log of {} entries with \
         root {}, which this log recorded at entry {}",
        m.source_index, m.source_size, m.source_root, m.entry_index
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(doc: &str, bytes: &[u8]) -> Vec<u8> {
        CaptureRecord {
            vellum: 1,
            doc: doc.parse().unwrap(),
            captured_at: time::macros::datetime!(2019-02-12 12:56 UTC),
            content: ObjectId::of(bytes),
            size: bytes.len() as u64,
            text: Some(ObjectId::of(bytes)),
            media_type: "text/plain".into(),
            url: Some("https://example.org/a".into()),
            source: None,
            title: None,
            flag: None,
            supersedes: None,
            extractor: None,
            encoding: None,
            encoding_confidence: None,
            byline: None,
            canonical_url: None,
            http: None,
            meta: Default::default(),
        }
        .to_canonical()
    }

    #[test]
    fn json_round_trip_and_checks() {
        let recs: Vec<Vec<u8>> = (0..5)
            .map(|i| record(&format!("d{i}"), format!("text {i}").as_bytes()))
            .collect();
        let mut tree = Tree::new();
        for r in &recs {
            tree.push(ObjectId::of(r).as_bytes());
        }
        let id = ObjectId::of(&recs[2]);
        let p = ProofFile::inclusion(&tree, 2, 5, id, Some(&recs[2])).unwrap();
        let json = serde_json::to_string_pretty(&p).unwrap();
        assert!(json.contains("\"type\": \"inclusion\""), "{json}");
        let back: ProofFile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, p);
        let root = ObjectId::from_bytes(tree.head(5).unwrap().root);
        let ok = back
            .check(&[(Some(5), root)], Some(ObjectId::of(b"text 2")))
            .unwrap();
        assert!(back.check(&[(Some(4), root)], None).is_err());
        assert!(ok[0].contains("entry 2 of the log of 5"), "{ok:?}");
        assert!(matches!(
            back.check(&[], Some(ObjectId::of(b"text 3"))),
            Err(ProofError::OtherFile { .. })
        ));
        assert!(matches!(
            back.check(&[(None, ObjectId::of(b"other root"))], None),
            Err(ProofError::OtherRoot(..))
        ));
        // An altered record (another document name, same capture id claimed).
        let mut forged = back.clone();
        if let Proof::Inclusion(i) = &mut forged.proof {
            i.record = Some(i.record.clone().unwrap().replace("\"d2\"", "\"d9\""));
        }
        assert!(matches!(
            forged.check(&[], None),
            Err(ProofError::RecordMismatch(_))
        ));
        // Another capture claimed at that position.
        let mut forged = back.clone();
        if let Proof::Inclusion(i) = &mut forged.proof {
            i.capture = ObjectId::of(&recs[3]);
            i.record = Some(String::from_utf8(recs[3].clone()).unwrap());
        }
        assert!(matches!(
            forged.check(&[], None),
            Err(ProofError::NotIncluded { .. })
        ));

        let c = ProofFile::consistency(&tree, 3, 5).unwrap();
        let back: ProofFile = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert!(back.check(&[(None, root)], None).is_ok());
        let mut forged = back.clone();
        if let Proof::Consistency(c) = &mut forged.proof {
            c.old_root = ObjectId::of(b"a root of another history");
        }
        assert!(matches!(
            forged.check(&[], None),
            Err(ProofError::NotConsistent { .. })
        ));
        let mut other = back;
        other.vellum_proof = 2;
        assert!(matches!(
            other.check(&[], None),
            Err(ProofError::Unsupported(..))
        ));
    }
}
