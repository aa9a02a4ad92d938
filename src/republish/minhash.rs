//! MinHash signatures and their LSH bands.
//!
//! 128 hash functions in 64 bands of 2 rows: two texts whose shingle sets
//! have Jaccard similarity 0.25 share a band with probability 0.98, at 0.1
//! still 0.48, and unrelated texts (Jaccard ~0.001) almost never. Cut copies
//! have low Jaccard but high containment, hence bands this small; exact
//! containment is then computed on the candidates.

use super::text::mix;

pub const PERMS: usize = 128;
pub const ROWS: usize = 2;
pub const BANDS: usize = PERMS / ROWS;

/// The MinHash signature of a shingle set (all `u32::MAX` when empty).
pub fn signature(shingles: &[u64]) -> Vec<u32> {
    let mut sig = vec![u32::MAX; PERMS];
    let params = params();
    for &s in shingles {
        for (slot, (a, b)) in sig.iter_mut().zip(params.iter()) {
            // Multiply-shift hashing: a universal family, one multiply each.
            let h = (a.wrapping_mul(s).wrapping_add(*b) >> 32) as u32;
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

fn params() -> &'static [(u64, u64); PERMS] {
    static P: std::sync::OnceLock<[(u64, u64); PERMS]> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut p = [(0, 0); PERMS];
        for (i, slot) in p.iter_mut().enumerate() {
            *slot = (mix(i as u64 * 2 + 1) | 1, mix(i as u64 * 2 + 2));
        }
        p
    })
}

/// The band keys of a signature: one per band, the band's number mixed in.
pub fn bands(sig: &[u32]) -> Vec<i64> {
    sig.chunks(ROWS)
        .enumerate()
        .map(|(i, rows)| {
            let mut h = mix(i as u64);
            for &r in rows {
                h = mix(h ^ u64::from(r));
            }
            h as i64
        })
        .collect()
}

/// Estimated Jaccard similarity of two signatures.
pub fn jaccard(a: &[u32], b: &[u32]) -> f64 {
    let same = a.iter().zip(b).filter(|(x, y)| x == y).count();
    same as f64 / a.len().max(1) as f64
}

/// Signature bytes (little-endian), as the index stores them.
pub fn to_bytes(sig: &[u32]) -> Vec<u8> {
    sig.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// A signature from its bytes; `None` when they are not one.
pub fn from_bytes(b: &[u8]) -> Option<Vec<u32>> {
    (b.len() == PERMS * 4).then(|| {
        b.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_follow_the_overlap() {
        let a: Vec<u64> = (0..1000).map(mix).collect();
        let b: Vec<u64> = (500..1500).map(mix).collect();
        let c: Vec<u64> = (5000..6000).map(mix).collect();
        let (sa, sb, sc) = (signature(&a), signature(&b), signature(&c));
        let j = jaccard(&sa, &sb);
        assert!((0.2..0.47).contains(&j), "{j}");
        assert!(jaccard(&sa, &sc) < 0.05);
        assert_eq!(jaccard(&sa, &sa), 1.0);
        assert_eq!(from_bytes(&to_bytes(&sa)), Some(sa.clone()));
        let shared = bands(&sa)
            .iter()
            .zip(bands(&sb))
            .filter(|(x, y)| **x == *y)
            .count();
        assert!(shared > 0);
    }
}
