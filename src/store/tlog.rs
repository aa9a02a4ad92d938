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

use crate::id::ObjectId;

use super::record::CaptureId;

const MAGIC: &[u8; 8] = b"vlm-log1";
/// A segment never holds more ids than fit in one object.
const MAX_IDS: usize = super::object::MAX_OBJECT_SIZE / 32;

/// One segment of the archive log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start: u64,
    pub prev: Option<ObjectId>,
    pub captures: Vec<CaptureId>,
}

impl Segment {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 8 + 1 + 32 + 4 + 32 * self.captures.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&self.start.to_le_bytes());
        match &self.prev {
            Some(p) => {
                out.push(1);
                out.extend_from_slice(p.as_bytes());
            }
            None => out.push(0),
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
        if r.take(8)? != MAGIC {
            return Err("not an archive log segment (bad magic)".into());
        }
        let start = u64::from_le_bytes(r.take(8)?.try_into().expect("8 bytes"));
        let prev = match r.take(1)?[0] {
            0 => None,
            1 => Some(r.id()?),
            b => return Err(format!("bad has_prev byte {b}")),
        };
        if prev.is_none() != (start == 0) {
            return Err("only the first segment (start 0) has no predecessor".into());
        }
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
            .checked_add(count as u64)
            .ok_or("segment runs past the end of the log")?;
        Ok(Segment {
            start,
            prev,
            captures,
        })
    }

    /// Position just after this segment's last id.
    pub fn end(&self) -> u64 {
        self.start + self.captures.len() as u64
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
            captures: vec![cap(1), cap(2)],
        };
        let bytes = first.encode();
        assert_eq!(Segment::decode(&bytes).unwrap(), first);
        let second = Segment {
            start: 2,
            prev: Some(ObjectId::of(&bytes)),
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
            captures: vec![cap(1)],
        };
        assert!(Segment::decode(&orphan.encode()).is_err());
    }

    #[test]
    fn chain_problems() {
        let a = Segment {
            start: 0,
            prev: None,
            captures: vec![cap(1), cap(2)],
        };
        let a_id = ObjectId::of(&a.encode());
        let b = Segment {
            start: 2,
            prev: Some(a_id),
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
            captures: vec![cap(4)],
        };
        let fork_id = ObjectId::of(&fork.encode());
        let p = check_chain(&[(a_id, a.clone()), (b_id, b), (fork_id, fork)]);
        assert_eq!(p.len(), 1, "{p:?}");
        // An id logged twice.
        let twice = Segment {
            start: 2,
            prev: Some(a_id),
            captures: vec![cap(1)],
        };
        let t_id = ObjectId::of(&twice.encode());
        assert_eq!(check_chain(&[(a_id, a), (t_id, twice)]).len(), 1);
    }
}
