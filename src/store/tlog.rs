//! The archive log: every capture id, once, in the order it was archived.
//!
//! Versions follow captured-at time, but two captures of one document in the
//! same instant are ordered by when they were archived, and that order must
//! survive `reindex`, which sees only objects. So the order is itself an
//! object: each write that archives new captures appends one *segment*
//! holding their ids, in the same pack as their records (so a crash keeps
//! both or neither). Segments chain to their predecessor by id and say where
//! they start, so the whole log is a hash chain that `verify` can check and
//! that a Merkle tree (proofs of custody) can be built on.
//!
//! Captures archived by a vellum that had no log (store format 1) are
//! appended by the first write that finds them, in captured-at order, ties by
//! capture id; until then readers order them that way after the logged ones.
//!
//! Segment layout (integers little-endian):
//!
//! ```text
//! offset  size  field
//!      0     8  magic     "vlm-log1"
//!      8     8  start     position in the log of the first id here
//!     16     1  has_prev  0 for the first segment (start 0), else 1
//!     17  0|32  prev      id of the segment before this one
//!      P     4  count     number of ids that follow (>= 1)
//!  P + 4  32*n  ids       capture ids in archiving order
//! ```
//!
//! A *merge segment* (store format 6, `vellum push`/`pull` of diverged
//! stores, `store/merge.rs`) starts with one entry that is not a capture:
//! the record of another store's log (its size and Merkle root) at the
//! moment its captures were merged in, followed by those captures. Its leaf
//! in the Merkle tree is [`MergeEntry::leaf_data`]. It keeps the other
//! log's entries (leaf data, 32 bytes each) so that a proof of a merged
//! capture against that root can be made later:
//!
//! ```text
//! offset  size  field
//!      0     8  magic     "vlm-mrg1"
//!      8     8  start     position of the merge entry; captures follow it
//!     16     1  has_prev  always 1 (a merge follows the store's own log)
//!     17    32  prev      id of the segment before this one
//!     49     8  size      entries in the other store's log at the merge
//!     57    32  root      that log's Merkle root
//!     89  32*s  leaves    that log's entries (leaf data), s = size
//!      Q     4  count     number of capture ids that follow (>= 1)
//!  Q + 4  32*n  ids       merged capture ids, in the other log's order
//! ```

use crate::id::ObjectId;

use super::record::CaptureId;

const MAGIC: &[u8; 8] = b"vlm-log1";
const MERGE_MAGIC: &[u8; 8] = b"vlm-mrg1";
/// Prefix of the bytes whose blake3 is a merge entry's leaf data.
const MERGE_LEAF: &[u8] = b"vellum merge entry v1\0";
/// A segment never holds more ids than fit in one object.
const MAX_IDS: usize = super::object::MAX_OBJECT_SIZE / 32;

/// The record, in a merge segment, of another store's log when its
/// captures were merged in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeEntry {
    /// That log's Merkle root over `leaves`.
    pub root: ObjectId,
    /// That log's entries (leaf data: capture ids and its own merge
    /// entries), in order: its size is their number.
    pub leaves: Vec<ObjectId>,
}

impl MergeEntry {
    /// Entries in the other log at the merge.
    pub fn size(&self) -> u64 {
        self.leaves.len() as u64
    }

    /// The data of this entry's leaf in the Merkle tree: what it commits
    /// to is the other log's size and root (the leaves are checked against
    /// the root by whoever uses them).
    pub fn leaf_data(&self) -> ObjectId {
        merge_leaf_data(self.size(), &self.root)
    }
}

/// The leaf data of a merge entry recording a log of `size` entries with
/// `root` (`vellum check-proof` recomputes it offline).
pub fn merge_leaf_data(size: u64, root: &ObjectId) -> ObjectId {
    let mut bytes = MERGE_LEAF.to_vec();
    bytes.extend_from_slice(&size.to_le_bytes());
    bytes.extend_from_slice(root.as_bytes());
    ObjectId::of(&bytes)
}

/// One entry of the archive log: a capture, or the record of a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Entry {
    Capture(CaptureId),
    /// A merge entry, by its leaf data.
    Merge(ObjectId),
}

impl Entry {
    /// The entry's leaf data in the Merkle tree.
    pub fn data(&self) -> &ObjectId {
        match self {
            Entry::Capture(c) => &c.0,
            Entry::Merge(m) => m,
        }
    }
}

/// One segment of the archive log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start: u64,
    pub prev: Option<ObjectId>,
    /// Set in a merge segment: its first entry, before the captures.
    pub merge: Option<MergeEntry>,
    pub captures: Vec<CaptureId>,
}

impl Segment {
    pub fn encode(&self) -> Vec<u8> {
        let leaves = self.merge.as_ref().map_or(0, |m| 40 + 32 * m.leaves.len());
        let mut out = Vec::with_capacity(8 + 8 + 1 + 32 + leaves + 4 + 32 * self.captures.len());
        out.extend_from_slice(if self.merge.is_some() {
            MERGE_MAGIC
        } else {
            MAGIC
        });
        out.extend_from_slice(&self.start.to_le_bytes());
        match &self.prev {
            Some(p) => {
                out.push(1);
                out.extend_from_slice(p.as_bytes());
            }
            None => out.push(0),
        }
        if let Some(m) = &self.merge {
            out.extend_from_slice(&m.size().to_le_bytes());
            out.extend_from_slice(m.root.as_bytes());
            for l in &m.leaves {
                out.extend_from_slice(l.as_bytes());
            }
        }
        out.extend_from_slice(&(self.captures.len() as u32).to_le_bytes());
        for c in &self.captures {
            out.extend_from_slice(c.0.as_bytes());
        }
        out
    }

    /// Parses a segment; anything but the exact layout is an error.
    pub fn decode(bytes: &[u8]) -> Result<Segment, String> {
        let mut r = Reader(bytes);
        let merged = match r.take(8)? {
            m if m == MAGIC => false,
            m if m == MERGE_MAGIC => true,
            _ => return Err("not an archive log segment (bad magic)".into()),
        };
        let start = u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
        let prev = match r.take(1)?[0] {
            0 => None,
            1 => Some(r.id()?),
            b => return Err(format!("bad has_prev byte {b}")),
        };
        if prev.is_none() != (start == 0) {
            return Err("only the first segment (start 0) has no predecessor".into());
        }
        if merged && prev.is_none() {
            return Err("a merge segment follows the store's own log".into());
        }
        let merge = if merged {
            let size = u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
            let root = r.id()?;
            if size > MAX_IDS as u64 || r.0.len() < size as usize * 32 {
                return Err(format!("merge entry says {size} leaves but is shorter"));
            }
            let leaves = (0..size).map(|_| r.id()).collect::<Result<Vec<_>, _>>()?;
            Some(MergeEntry { root, leaves })
        } else {
            None
        };
        let count = u32::from_le_bytes(r.take(4)?.try_into().expect("4 bytes")) as usize;
        if count == 0 || count > MAX_IDS || r.0.len() != count * 32 {
            return Err(format!(
                "segment says {count} ids but holds {} bytes",
                r.0.len()
            ));
        }
        let mut captures = Vec::with_capacity(count);
        for _ in 0..count {
            captures.push(CaptureId(r.id()?));
        }
        start
            .checked_add(count as u64 + u64::from(merged))
            .ok_or("segment runs past the end of the log")?;
        Ok(Segment {
            start,
            prev,
            merge,
            captures,
        })
    }

    /// Entries in this segment (a merge entry counts as one).
    pub fn len(&self) -> u64 {
        self.captures.len() as u64 + u64::from(self.merge.is_some())
    }

    /// Never: a segment holds at least one capture.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Position just after this segment's last entry.
    pub fn end(&self) -> u64 {
        self.start + self.len()
    }

    /// Position of the first capture (after the merge entry, if any).
    pub fn first_capture(&self) -> u64 {
        self.start + u64::from(self.merge.is_some())
    }

    /// Each capture with its position in the log.
    pub fn capture_positions(&self) -> impl Iterator<Item = (u64, CaptureId)> + '_ {
        let first = self.first_capture();
        self.captures
            .iter()
            .enumerate()
            .map(move |(i, c)| (first + i as u64, *c))
    }

    /// The entries, in log order.
    pub fn entries(&self) -> Vec<Entry> {
        let merge = self.merge.as_ref().map(|m| Entry::Merge(m.leaf_data()));
        merge
            .into_iter()
            .chain(self.captures.iter().map(|c| Entry::Capture(*c)))
            .collect()
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("archive log segment is truncated".into());
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn id(&mut self) -> Result<ObjectId, String> {
        Ok(ObjectId::from_bytes(
            self.take(32)?.try_into().expect("32 bytes"),
        ))
    }
}

/// Problems with a set of segments as a whole: gaps, forks, broken chaining
/// and ids logged twice. Empty when they form one log from position 0.
pub fn check_chain(segments: &[(ObjectId, Segment)]) -> Vec<(ObjectId, String)> {
    let mut sorted: Vec<&(ObjectId, Segment)> = segments.iter().collect();
    sorted.sort_by_key(|(id, s)| (s.start, *id));
    let mut problems = Vec::new();
    let mut expect_start = 0u64;
    let mut prev: Option<ObjectId> = None;
    let mut seen = std::collections::HashSet::new();
    for (id, s) in sorted {
        if s.start != expect_start {
            let what = if s.start < expect_start {
                "overlaps an earlier segment (a forked log)"
            } else {
                "leaves a gap after the segment before it (a segment is missing)"
            };
            problems.push((*id, format!("log segment at {} {what}", s.start)));
        } else if s.prev != prev {
            problems.push((
                *id,
                format!(
                    "log segment at {} does not chain to the segment before it",
                    s.start
                ),
            ));
        }
        for c in &s.captures {
            if !seen.insert(*c) {
                problems.push((*id, format!("capture {} is logged twice", c.0.short())));
            }
        }
        expect_start = expect_start.max(s.end());
        prev = Some(*id);
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cap(n: u8) -> CaptureId {
        CaptureId(ObjectId::of(&[n]))
    }

    #[test]
    fn round_trip_and_strict_parsing() {
        let first = Segment {
            start: 0,
            prev: None,
            merge: None,
            captures: vec![cap(1), cap(2)],
        };
        let bytes = first.encode();
        assert_eq!(Segment::decode(&bytes).unwrap(), first);
        let second = Segment {
            start: 2,
            prev: Some(ObjectId::of(&bytes)),
            merge: None,
            captures: vec![cap(3)],
        };
        assert_eq!(Segment::decode(&second.encode()).unwrap(), second);
        for cut in 0..bytes.len() {
            assert!(Segment::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(Segment::decode(&longer).is_err());
        let orphan = Segment {
            start: 5,
            prev: None,
            merge: None,
            captures: vec![cap(1)],
        };
        assert!(Segment::decode(&orphan.encode()).is_err());
    }

    #[test]
    fn chain_problems() {
        let a = Segment {
            start: 0,
            prev: None,
            merge: None,
            captures: vec![cap(1), cap(2)],
        };
        let a_id = ObjectId::of(&a.encode());
        let b = Segment {
            start: 2,
            prev: Some(a_id),
            merge: None,
            captures: vec![cap(3)],
        };
        let b_id = ObjectId::of(&b.encode());
        assert!(check_chain(&[(b_id, b.clone()), (a_id, a.clone())]).is_empty());
        // A gap: the first segment is missing.
        assert_eq!(check_chain(&[(b_id, b.clone())]).len(), 1);
        // A fork: two segments at the same place.
        let fork = Segment {
            start: 2,
            prev: Some(a_id),
            merge: None,
            captures: vec![cap(4)],
        };
        let fork_id = ObjectId::of(&fork.encode());
        let p = check_chain(&[(a_id, a.clone()), (b_id, b), (fork_id, fork)]);
        assert_eq!(p.len(), 1, "{p:?}");
        // An id logged twice.
        let twice = Segment {
            start: 2,
            prev: Some(a_id),
            merge: None,
            captures: vec![cap(1)],
        };
        let t_id = ObjectId::of(&twice.encode());
        assert_eq!(check_chain(&[(a_id, a), (t_id, twice)]).len(), 1);
    }

    #[test]
    fn merge_segments_round_trip_and_chain() {
        let a = Segment {
            start: 0,
            prev: None,
            merge: None,
            captures: vec![cap(1)],
        };
        let a_id = ObjectId::of(&a.encode());
        let m = Segment {
            start: 1,
            prev: Some(a_id),
            merge: Some(MergeEntry {
                root: ObjectId::of(b"their root"),
                leaves: vec![cap(7).0, cap(8).0],
            }),
            captures: vec![cap(8)],
        };
        let bytes = m.encode();
        assert_eq!(&bytes[..8], MERGE_MAGIC);
        assert_eq!(Segment::decode(&bytes).unwrap(), m);
        for cut in 0..bytes.len() {
            assert!(Segment::decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert_eq!((m.len(), m.end(), m.first_capture()), (2, 3, 2));
        assert_eq!(m.capture_positions().collect::<Vec<_>>(), vec![(2, cap(8))]);
        let leaf = merge_leaf_data(2, &ObjectId::of(b"their root"));
        assert_eq!(
            m.entries(),
            vec![Entry::Merge(leaf), Entry::Capture(cap(8))]
        );
        let m_id = ObjectId::of(&bytes);
        let after = Segment {
            start: 3,
            prev: Some(m_id),
            merge: None,
            captures: vec![cap(9)],
        };
        let after_id = ObjectId::of(&after.encode());
        assert!(check_chain(&[(a_id, a), (m_id, m.clone()), (after_id, after)]).is_empty());
        // A merge segment never starts a log.
        let mut first = m;
        first.start = 0;
        first.prev = None;
        assert!(Segment::decode(&first.encode()).is_err());
    }
}
