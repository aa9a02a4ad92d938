//! Stories: documents grouped by shared content (never by URL). Two
//! documents belong together when most of the smaller one (boilerplate
//! left out) is in the other; a story is a connected group, named after its
//! earliest document.

use std::collections::{HashMap, HashSet, VecDeque};

use super::error::IndexError;
use super::index::{Index, IndexedDoc};
use super::minhash;
use super::score::{Prepared, overlap};
use super::text::{TextSource, prepare};

/// Two documents are linked when at least this share of the smaller's
/// shingles is in the other...
pub const LINK_CONTAINMENT: f64 = 0.5;
/// ...and they share at least this many shingles (a headline is no story).
pub const LINK_SHINGLES: usize = 8;
/// Pairs whose signatures estimate less containment than this are not
/// scored exactly.
const ESTIMATE_FLOOR: f64 = 0.2;
/// A band shared by more documents than this says nothing (empty texts,
/// a boilerplate not learned yet): its pairs are skipped.
const MAX_BUCKET: usize = 2_000;

/// A group of documents carrying the same text.
#[derive(Debug, Clone)]
pub struct Story {
    /// Stable: from the first capture of its earliest document.
    pub id: String,
    /// Its earliest document's title.
    pub title: Option<String>,
    /// Ordered by first capture.
    pub docs: Vec<IndexedDoc>,
}

/// A story's id from its earliest document's first capture id.
pub fn story_id(capture: &str) -> String {
    format!("s-{}", &capture[..capture.len().min(12)])
}

/// Decides links, scoring pairs exactly once each.
struct Linker<'a, 'b> {
    index: &'a Index,
    texts: &'a mut TextSource<'b>,
    prepared: HashMap<i64, Prepared>,
    /// Every source's boilerplate (see [`super::prepare_text`]).
    bp: Option<HashSet<u64>>,
}

impl Linker<'_, '_> {
    fn prepared(&mut self, d: &IndexedDoc) -> Result<&Prepared, IndexError> {
        if !self.prepared.contains_key(&d.id) {
            if self.bp.is_none() {
                self.bp = Some(self.index.any_boilerplate()?);
            }
            let text = (self.texts)(&d.entry.key).unwrap_or_default();
            let p = Prepared::new(prepare(&text), self.bp.as_ref().expect("just set"));
            if self.prepared.len() > 20_000 {
                self.prepared.clear();
            }
            self.prepared.insert(d.id, p);
        }
        Ok(&self.prepared[&d.id])
    }

    fn linked(&mut self, a: &IndexedDoc, b: &IndexedDoc) -> Result<bool, IndexError> {
        let small = a.shingles.min(b.shingles);
        if small < LINK_SHINGLES {
            return Ok(false);
        }
        let j = minhash::jaccard(&a.sig, &b.sig);
        let inter = j * (a.shingles + b.shingles) as f64 / (1.0 + j);
        if inter / (small as f64) < ESTIMATE_FLOOR {
            return Ok(false);
        }
        let pa = self.prepared(a)?.clone();
        let pb = self.prepared(b)?;
        let o = overlap(&pa, pb);
        Ok(o.shared >= LINK_SHINGLES && o.containment() >= LINK_CONTAINMENT)
    }
}

fn union_find_root(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Every story of the index, the largest first (then by first capture).
pub fn stories(index: &Index, texts: &mut TextSource) -> Result<Vec<Story>, IndexError> {
    let docs = index.docs()?;
    let mut buckets: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, d) in docs.iter().enumerate() {
        if d.shingles >= LINK_SHINGLES {
            for b in minhash::bands(&d.sig) {
                buckets.entry(b).or_default().push(i);
            }
        }
    }
    let mut pairs: HashSet<(usize, usize)> = HashSet::new();
    for members in buckets
        .values()
        .filter(|m| m.len() > 1 && m.len() <= MAX_BUCKET)
    {
        for (x, &a) in members.iter().enumerate() {
            for &b in &members[x + 1..] {
                pairs.insert((a.min(b), a.max(b)));
            }
        }
    }
    let mut pairs: Vec<(usize, usize)> = pairs.into_iter().collect();
    pairs.sort_unstable();
    let mut linker = Linker {
        index,
        texts,
        prepared: HashMap::new(),
        bp: None,
    };
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    for (a, b) in pairs {
        let (ra, rb) = (
            union_find_root(&mut parent, a),
            union_find_root(&mut parent, b),
        );
        if ra != rb && linker.linked(&docs[a], &docs[b])? {
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    let mut groups: HashMap<usize, Vec<IndexedDoc>> = HashMap::new();
    for (i, d) in docs.into_iter().enumerate() {
        let r = union_find_root(&mut parent, i);
        groups.entry(r).or_default().push(d);
    }
    let mut out: Vec<Story> = groups.into_values().map(story).collect();
    out.sort_by(|a, b| {
        b.docs
            .len()
            .cmp(&a.docs.len())
            .then(a.docs[0].entry.first_at.cmp(&b.docs[0].entry.first_at))
            .then(a.id.cmp(&b.id))
    });
    Ok(out)
}

/// The story whose id is `id` (from [`story_id`]), if any: found from the
/// document whose first capture names it, not by grouping every document.
pub fn story_by_id(
    index: &Index,
    id: &str,
    texts: &mut TextSource,
) -> Result<Option<Story>, IndexError> {
    let Some(prefix) = id.strip_prefix("s-").filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    for d in index.docs()? {
        if d.entry.capture.starts_with(prefix) {
            let story = story_of(index, &d, texts)?;
            if story.id == id {
                return Ok(Some(story));
            }
        }
    }
    Ok(None)
}

/// The story of one document: its group, found from it link by link.
pub fn story_of(
    index: &Index,
    doc: &IndexedDoc,
    texts: &mut TextSource,
) -> Result<Story, IndexError> {
    let mut linker = Linker {
        index,
        texts,
        prepared: HashMap::new(),
        bp: None,
    };
    let mut seen: HashSet<i64> = [doc.id].into();
    let mut members = vec![doc.clone()];
    let mut queue: VecDeque<IndexedDoc> = [doc.clone()].into();
    while let Some(d) = queue.pop_front() {
        if d.shingles < LINK_SHINGLES || members.len() >= 10_000 {
            continue;
        }
        let cands = index.candidates(&d.sig)?;
        for (id, _) in cands {
            if seen.contains(&id) {
                continue;
            }
            let Some(c) = index.doc_by_id(id)? else {
                continue;
            };
            if linker.linked(&d, &c)? {
                seen.insert(id);
                members.push(c.clone());
                queue.push_back(c);
            }
        }
    }
    Ok(story(members))
}

fn story(mut docs: Vec<IndexedDoc>) -> Story {
    docs.sort_by(|a, b| {
        a.entry
            .first_at
            .cmp(&b.entry.first_at)
            .then(a.entry.doc.cmp(&b.entry.doc))
    });
    Story {
        id: story_id(&docs[0].entry.capture),
        title: docs[0].entry.title.clone(),
        docs,
    }
}
