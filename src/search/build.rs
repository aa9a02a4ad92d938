//! Building the search index: the paragraphs of the texts a catch-up takes
//! in, cut, normalized and deduplicated, then written to `paras` and FTS5
//! (see [`super::index`]). A large text's paragraphs are prepared on a
//! second thread while the index's thread writes them.

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, params};

use super::rows::{decode_tns, encode_tns, meta, set_meta};
use super::text::{fold_for_index, paragraphs};

/// Collects paragraphs during a catch-up; writes them at the end.
pub(super) struct Builder {
    /// Paragraphs indexed in this catch-up, by the hash of their text (those
    /// indexed before are looked up in `paras`).
    known: HashMap<i64, i64>,
    /// A rebuild from an emptied index: `paras` holds only what `known`
    /// holds, so it is not looked up.
    fresh: bool,
    next_pn: i64,
    /// Raw paragraph chunk hash → paragraph number (None: nothing to
    /// index), so repeated chunks are normalized once.
    chunks: HashMap<[u8; 16], Option<i64>>,
    /// The raw chunk hashes met in this catch-up (the keys of `chunks`, as
    /// the thread that prepares paragraphs knows them).
    seen: HashSet<[u8; 16]>,
    /// Paragraphs touched, by number: new ones with their hash and where to
    /// read them back, and the texts holding each.
    touched: HashMap<i64, Touched>,
    text_bytes: i64,
}

struct Touched {
    /// The hash of a new paragraph (`None`: indexed before).
    new: Option<i64>,
    /// The latest text holding it and its paragraph number there, where a
    /// snippet reads it back (for a current hit: the document's current
    /// text, read once for all its hits).
    at: (i64, i64),
    tns: Vec<i64>,
}

/// Texts from this size (bytes) are prepared on a second thread (below it,
/// starting the thread costs more than it saves).
const PIPELINE_BYTES: usize = 1 << 20;
/// Paragraphs handed from the preparing thread to the index's at a time.
const BLOCK: usize = 512;

fn two_cores() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
}

/// One raw paragraph of a text, as the index takes it in.
enum Chunk {
    /// Met before in this catch-up (its number is known by then).
    Seen([u8; 16]),
    /// Met for the first time: its normalized paragraph (`None`: nothing
    /// searchable in it).
    New([u8; 16], Option<Prepared>),
}

/// A normalized paragraph, ready to index.
struct Prepared {
    /// `hash8` of the normalized text.
    hash: i64,
    /// What FTS5 receives (`fold_for_index`).
    body: String,
    /// Bytes of the normalized text.
    len: usize,
}

/// Cuts `text` into raw paragraphs (at most `MAX_PARAGRAPHS`), numbered from
/// 0, and normalizes each not in `seen` (adding it), handing them on in
/// blocks of `BLOCK`. Pure apart from `seen`: the same on any thread.
fn prepare_chunks(
    text: &str,
    seen: &mut HashSet<[u8; 16]>,
    take: &mut dyn FnMut(Vec<(i64, Chunk)>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let chunks = super::text::raw_paragraphs(text).take(super::text::MAX_PARAGRAPHS);
    let mut block = Vec::with_capacity(BLOCK);
    for (n, chunk) in chunks.enumerate() {
        let key: [u8; 16] = blake3::hash(chunk.trim().as_bytes()).as_bytes()[..16]
            .try_into()
            .expect("16 bytes");
        let c = if seen.insert(key) {
            let para = paragraphs(chunk).next().map(|(_, p)| Prepared {
                hash: hash8(&p),
                body: fold_for_index(&p),
                len: p.len(),
            });
            Chunk::New(key, para)
        } else {
            Chunk::Seen(key)
        };
        block.push((n as i64, c));
        if block.len() == BLOCK {
            take(std::mem::replace(&mut block, Vec::with_capacity(BLOCK)))?;
        }
    }
    if !block.is_empty() {
        take(block)?;
    }
    Ok(())
}

fn hash8(s: &str) -> i64 {
    let h = blake3::hash(s.as_bytes());
    i64::from_le_bytes(h.as_bytes()[..8].try_into().expect("8 bytes"))
}

impl Builder {
    pub(super) fn load(conn: &Connection, fresh: bool) -> rusqlite::Result<Builder> {
        let next_pn = conn.query_row("SELECT COALESCE(MAX(pn), 0) + 1 FROM paras", [], |r| {
            r.get(0)
        })?;
        Ok(Builder {
            known: HashMap::new(),
            fresh,
            next_pn,
            chunks: HashMap::new(),
            seen: HashSet::new(),
            touched: HashMap::new(),
            text_bytes: 0,
        })
    }

    pub(super) fn add_text(
        &mut self,
        conn: &Connection,
        tn: i64,
        text: &str,
    ) -> rusqlite::Result<()> {
        self.add_text_with(conn, tn, text, text.len() >= PIPELINE_BYTES && two_cores())
    }

    /// [`Builder::add_text`], its paragraphs prepared on a second thread or
    /// not (the same result).
    pub(super) fn add_text_with(
        &mut self,
        conn: &Connection,
        tn: i64,
        text: &str,
        pipelined: bool,
    ) -> rusqlite::Result<()> {
        if !pipelined {
            let mut seen = std::mem::take(&mut self.seen);
            let r = prepare_chunks(text, &mut seen, &mut |block| {
                self.take_block(conn, tn, block)
            });
            self.seen = seen;
            return r;
        }
        // A large text: its paragraphs are cut, hashed and normalized on a
        // second thread while this one puts them into the index (FTS5's own
        // tokenizing), in the same order, with the same results.
        let mut seen = std::mem::take(&mut self.seen);
        let r = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<(i64, Chunk)>>(4);
            let seen = &mut seen;
            let producer = s.spawn(move || {
                // A send fails only when the consumer stopped on an error.
                let _ = prepare_chunks(text, seen, &mut |block| {
                    tx.send(block).map_err(|_| rusqlite::Error::InvalidQuery)
                });
            });
            let mut r = Ok(());
            for block in rx.iter() {
                r = self.take_block(conn, tn, block);
                if r.is_err() {
                    break;
                }
            }
            drop(rx);
            let _ = producer.join();
            r
        });
        self.seen = seen;
        r
    }

    /// Takes in one block of prepared paragraphs of text `tn`, in order.
    fn take_block(
        &mut self,
        conn: &Connection,
        tn: i64,
        block: Vec<(i64, Chunk)>,
    ) -> rusqlite::Result<()> {
        for (n, chunk) in block {
            let pn = match chunk {
                Chunk::Seen(key) => self.chunks.get(&key).copied().flatten(),
                Chunk::New(key, para) => {
                    let pn = para.map(|p| self.paragraph(conn, p, tn, n)).transpose()?;
                    self.chunks.insert(key, pn);
                    pn
                }
            };
            if let Some(t) = pn.and_then(|pn| self.touched.get_mut(&pn)) {
                t.at = (tn, n);
                if t.tns.last() != Some(&tn) {
                    t.tns.push(tn);
                }
            }
        }
        Ok(())
    }

    /// A normalized paragraph met for the first time in this catch-up:
    /// indexed unless the index has it already. Returns its number.
    fn paragraph(
        &mut self,
        conn: &Connection,
        p: Prepared,
        tn: i64,
        n: i64,
    ) -> rusqlite::Result<i64> {
        let h = p.hash;
        let found = match self.known.get(&h) {
            Some(&pn) => Some(pn),
            None if self.fresh => None,
            None => conn
                .prepare_cached("SELECT pn FROM paras WHERE h = ?1")?
                .query_row([h], |r| r.get(0))
                .optional()?,
        };
        if let Some(pn) = found {
            if let std::collections::hash_map::Entry::Vacant(e) = self.touched.entry(pn) {
                let blob: Option<Vec<u8>> = conn
                    .prepare_cached("SELECT tns FROM paras WHERE pn = ?1")?
                    .query_row([pn], |r| r.get(0))
                    .optional()?;
                let tns = blob.map(|b| decode_tns(&b)).unwrap_or_default();
                e.insert(Touched {
                    new: None,
                    at: (tn, n),
                    tns,
                });
            }
            return Ok(pn);
        }
        let pn = self.next_pn;
        self.next_pn += 1;
        self.known.insert(h, pn);
        conn.prepare_cached("INSERT INTO fts (rowid, body) VALUES (?1, ?2)")?
            .execute(params![pn, p.body])?;
        self.text_bytes += p.len as i64;
        self.touched.insert(
            pn,
            Touched {
                new: Some(h),
                at: (tn, n),
                tns: Vec::new(),
            },
        );
        Ok(pn)
    }

    /// Writes every touched paragraph. Returns how many are new.
    pub(super) fn finish(self, conn: &Connection, rebuilt: bool) -> rusqlite::Result<usize> {
        let mut new = 0;
        let mut touched: Vec<(&i64, &Touched)> = self.touched.iter().collect();
        touched.sort_unstable_by_key(|(pn, _)| **pn);
        for (pn, t) in touched {
            let blob = encode_tns(&t.tns);
            let (tn, n) = t.at;
            match t.new {
                Some(h) => {
                    new += 1;
                    conn.prepare_cached(
                        "INSERT INTO paras (pn, h, tn, n, tns) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(params![pn, h, tn, n, blob])?;
                }
                None => {
                    conn.prepare_cached(
                        "UPDATE paras SET tns = ?2, tn = ?3, n = ?4 WHERE pn = ?1",
                    )?
                    .execute(params![pn, blob, tn, n])?;
                }
            }
        }
        let bytes = meta(conn, "text_bytes")?.unwrap_or(0) + self.text_bytes;
        set_meta(conn, "text_bytes", bytes)?;
        if new > 0 && (rebuilt || new >= 1000) {
            // One segment: smaller, and one b-tree to search. (Small
            // catch-ups leave it to FTS5's automerge.)
            conn.execute("INSERT INTO fts (fts) VALUES ('optimize')", [])?;
        }
        Ok(new)
    }
}
