//! The search index's small row formats: its `meta` table and the texts
//! holding a paragraph (`paras.tns`), shared by the index and its build.

use rusqlite::{Connection, OptionalExtension, params};

pub(super) fn meta(conn: &Connection, key: &str) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT value FROM meta WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub(super) fn set_meta(conn: &Connection, key: &str, value: i64) -> rusqlite::Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?
        .execute(params![key, value])?;
    Ok(())
}

/// Ascending text numbers as delta varints.
pub(super) fn encode_tns(tns: &[i64]) -> Vec<u8> {
    let mut out = Vec::with_capacity(tns.len() * 2);
    let mut prev = 0i64;
    for &t in tns {
        let mut d = (t - prev) as u64;
        prev = t;
        loop {
            let b = (d & 0x7f) as u8;
            d >>= 7;
            if d == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }
    out
}

pub(super) fn decode_tns(blob: &[u8]) -> Vec<i64> {
    let mut out = Vec::new();
    let (mut prev, mut cur, mut shift) = (0i64, 0u64, 0u32);
    for &b in blob {
        if shift < 64 {
            cur |= u64::from(b & 0x7f) << shift;
        }
        shift += 7;
        if b & 0x80 == 0 {
            prev = prev.wrapping_add(cur as i64);
            out.push(prev);
            cur = 0;
            shift = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_numbers_round_trip() {
        let tns = vec![1, 2, 3, 200, 70_000, 70_001];
        assert_eq!(decode_tns(&encode_tns(&tns)), tns);
        assert_eq!(encode_tns(&[1, 2, 3]).len(), 3);
    }
}
