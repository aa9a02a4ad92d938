//! Collation: the copies of a text side by side, one row per paragraph of
//! their union, each cell present, absent or a variant of the row's
//! majority reading (word-diffed against it).

use std::collections::HashSet;

use super::text::{Para, prepare};
use crate::diff::{Diff, DiffOptions, diff};

/// A paragraph joins a row when at least this share of its shingles is in
/// the row's.
const JOIN: f64 = 0.5;

/// One cell of the table.
#[derive(Debug, Clone)]
pub enum Cell {
    Absent,
    /// The majority reading (give or take case, typography and markup).
    Present(String),
    /// Another reading, with its word diff from the majority reading.
    Variant(String, Box<Diff>),
}

/// A cell as JSON: `{"state": "absent"}`, `{"state": "present", "text"}`
/// or `{"state": "variant", "text", "ops"}`.
impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        match self {
            Cell::Absent => m.serialize_entry("state", "absent")?,
            Cell::Present(t) => {
                m.serialize_entry("state", "present")?;
                m.serialize_entry("text", t)?;
            }
            Cell::Variant(t, d) => {
                m.serialize_entry("state", "variant")?;
                m.serialize_entry("text", t)?;
                m.serialize_entry("ops", &d.ops)?;
            }
        }
        m.end()
    }
}

/// One row: a paragraph across the copies.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Row {
    pub reading: String,
    /// One per copy: `state` (absent, present, variant), `text`, and for a
    /// variant its diff `ops` from the reading.
    #[schemars(with = "Vec<std::collections::BTreeMap<String, serde_json::Value>>")]
    pub cells: Vec<Cell>,
}

struct Building {
    shingles: HashSet<u64>,
    cells: Vec<Option<(String, u64)>>,
}

/// Collates `texts` (in column order). Paragraphs whose hash is in
/// `hidden` (boilerplate, when asked) are left out.
pub fn collate(texts: &[&str], hidden: &HashSet<u64>) -> Vec<Row> {
    let mut rows: Vec<Building> = Vec::new();
    for (c, text) in texts.iter().enumerate() {
        let paras: Vec<Para> = prepare(text)
            .into_iter()
            .filter(|p| !hidden.contains(&p.hash))
            .collect();
        let mut after: Option<usize> = None;
        for p in paras {
            let body = text[p.range.clone()].to_owned();
            let own: HashSet<u64> = p.shingles.iter().copied().collect();
            let best = rows
                .iter()
                .enumerate()
                .filter(|(_, r)| r.cells[c].is_none())
                .map(|(i, r)| {
                    let n = own.iter().filter(|s| r.shingles.contains(s)).count();
                    (i, n as f64 / own.len().max(1) as f64, r)
                })
                .filter(|(_, share, r)| {
                    *share >= JOIN
                        || (own.is_empty() && r.cells.iter().flatten().any(|x| x.1 == p.hash))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|(i, _, _)| i);
            let i = match best {
                Some(i) => i,
                None => {
                    let at = after.map_or(0, |a| a + 1);
                    rows.insert(
                        at,
                        Building {
                            shingles: HashSet::new(),
                            cells: vec![None; texts.len()],
                        },
                    );
                    at
                }
            };
            rows[i].shingles.extend(own);
            rows[i].cells[c] = Some((body, p.hash));
            after = Some(i);
        }
    }
    rows.into_iter().map(finish).collect()
}

fn finish(b: Building) -> Row {
    // The majority reading: the most common hash, the earliest on ties.
    let hashes: Vec<u64> = b.cells.iter().flatten().map(|x| x.1).collect();
    let (majority, _) = hashes
        .iter()
        .enumerate()
        .map(|(i, h)| {
            (
                *h,
                (
                    hashes.iter().filter(|x| *x == h).count(),
                    std::cmp::Reverse(i),
                ),
            )
        })
        .max_by_key(|x| x.1)
        .expect("a row has a cell");
    let reading = b
        .cells
        .iter()
        .flatten()
        .find(|x| x.1 == majority)
        .map(|x| x.0.clone())
        .unwrap_or_default();
    let cells = b
        .cells
        .into_iter()
        .map(|cell| match cell {
            None => Cell::Absent,
            Some((text, h)) if h == majority => Cell::Present(text),
            Some((text, _)) => {
                let d = diff(&reading, &text, &DiffOptions::default());
                Cell::Variant(text, Box::new(d))
            }
        })
        .collect();
    Row { reading, cells }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::OpTag;

    #[test]
    fn rows_line_up_present_absent_and_variant_cells() {
        let a = "First paragraph has enough words here.\n\nSecond paragraph is about the outskirt of town where the army found a large base of the group last week.\n\nThird one only here in the first copy.";
        let b = "Intro added by the blog before the text.\n\nFirst paragraph has enough words here.\n\nSecond paragraph is about the outskirts of town where the army found a large base of the group last week.";
        let c = "First paragraph has enough words here.\n\nSecond paragraph is about the outskirt of town where the army found a large base of the group last week.";
        let rows = collate(&[a, b, c], &HashSet::new());
        assert_eq!(rows.len(), 4, "{rows:#?}");
        assert!(rows[0].reading.starts_with("Intro"));
        assert!(matches!(
            rows[0].cells[..],
            [Cell::Absent, Cell::Present(_), Cell::Absent]
        ));
        assert!(matches!(
            rows[1].cells[..],
            [Cell::Present(_), Cell::Present(_), Cell::Present(_)]
        ));
        // Two copies say "outskirt": that is the majority reading.
        assert!(rows[2].reading.contains("outskirt of"));
        match &rows[2].cells[1] {
            Cell::Variant(t, d) => {
                assert!(t.contains("outskirts"));
                assert!(
                    d.ops
                        .iter()
                        .any(|o| o.op == OpTag::Insert || o.op == OpTag::Delete)
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            rows[3].cells[..],
            [Cell::Present(_), Cell::Absent, Cell::Absent]
        ));
    }
}
