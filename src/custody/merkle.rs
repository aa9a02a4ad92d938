//! A Merkle tree over capture ids in the manner of RFC 9162 (Certificate
//! Transparency 2.0), section 2.1, with blake3 as the hash:
//!
//! ```text
//! MTH({})        = blake3()                          the empty tree
//! MTH({d0})      = blake3(0x00 || d0)                a leaf (d = 32-byte capture id)
//! MTH(D[n])      = blake3(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
//!                  with k the largest power of two smaller than n
//! ```
//!
//! The 0x00/0x01 prefixes keep a leaf from ever passing for an inner node
//! (second-preimage attacks). Inclusion and consistency proofs are the
//! RFC's PATH and PROOF, checked with the RFC's verification algorithms
//! (sections 2.1.3.2 and 2.1.4.2), which need only the proof and the roots.

use super::error::ProofError;

/// A 32-byte blake3 hash.
pub type Hash = [u8; 32];

/// Hash of a leaf: blake3(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x00]);
    h.update(data);
    *h.finalize().as_bytes()
}

/// Hash of an inner node: blake3(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = blake3::Hasher::new();
    h.update(&[0x01]);
    h.update(left);
    h.update(right);
    *h.finalize().as_bytes()
}

/// Root of the empty tree: blake3 of nothing.
pub fn empty_root() -> Hash {
    *blake3::hash(b"").as_bytes()
}

/// Largest power of two strictly smaller than `n` (n >= 2).
fn split(n: usize) -> usize {
    debug_assert!(n >= 2);
    let mut k = 1;
    while k << 1 < n {
        k <<= 1;
    }
    k
}

/// A tree's size and root: what gets published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeHead {
    pub size: u64,
    pub root: Hash,
}

/// An append-only log of leaves, kept as leaf hashes.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    leaves: Vec<Hash>,
}

impl Tree {
    pub fn new() -> Tree {
        Tree::default()
    }

    /// Appends a leaf (its data: a capture id's bytes).
    pub fn push(&mut self, data: &[u8]) {
        self.leaves.push(leaf_hash(data));
    }

    pub fn len(&self) -> u64 {
        self.leaves.len() as u64
    }

    pub fn is_empty(&self) -> bool {
        self.leaves.is_empty()
    }

    fn check_size(&self, size: u64) -> Result<usize, ProofError> {
        if size > self.len() {
            return Err(ProofError::TooLarge {
                size,
                len: self.len(),
            });
        }
        Ok(size as usize)
    }

    /// The head of the first `size` leaves.
    pub fn head(&self, size: u64) -> Result<TreeHead, ProofError> {
        let n = self.check_size(size)?;
        Ok(TreeHead {
            size,
            root: mth(&self.leaves[..n]),
        })
    }

    /// Inclusion proof of leaf `index` in the tree of the first `size` leaves.
    pub fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ProofError> {
        let n = self.check_size(size)?;
        if index >= size {
            return Err(ProofError::NoSuchLeaf { index, size });
        }
        let mut out = Vec::new();
        path(index as usize, &self.leaves[..n], &mut out);
        Ok(out)
    }

    /// Consistency proof between the trees of the first `old` and `new` leaves.
    pub fn consistency_proof(&self, old: u64, new: u64) -> Result<Vec<Hash>, ProofError> {
        let n = self.check_size(new)?;
        if old == 0 || old > new {
            return Err(ProofError::BadSizes { old, new });
        }
        let mut out = Vec::new();
        subproof(old as usize, &self.leaves[..n], true, &mut out);
        Ok(out)
    }
}

/// MTH over leaf hashes.
fn mth(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split(n);
            node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
        }
    }
}

/// RFC 9162 2.1.3.1 PATH(m, D[n]), bottom-up.
fn path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, &leaves[..k], out);
        out.push(mth(&leaves[k..]));
    } else {
        path(m - k, &leaves[k..], out);
        out.push(mth(&leaves[..k]));
    }
}

/// RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b).
fn subproof(m: usize, leaves: &[Hash], b: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !b {
            out.push(mth(leaves));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, &leaves[..k], b, out);
        out.push(mth(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(mth(&leaves[..k]));
    }
}

/// RFC 9162 2.1.3.2: does `proof` show that `leaf` (a leaf hash) is entry
/// `index` of the tree with head (`size`, `root`)?
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    snode == 0 && r == *root
}

/// RFC 9162 2.1.4.2: does `proof` show that the tree (`old`, `old_root`) is
/// a prefix of the tree (`new`, `new_root`)?
pub fn verify_consistency(
    old: u64,
    new: u64,
    old_root: &Hash,
    new_root: &Hash,
    proof: &[Hash],
) -> bool {
    if old == 0 || old > new {
        return false;
    }
    if old == new {
        return proof.is_empty() && old_root == new_root;
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if old.is_power_of_two() {
        path.push(*old_root);
    }
    path.extend_from_slice(proof);
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let (mut fnode, mut snode) = (old - 1, new - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (*first, *first);
    for c in rest {
        if snode == 0 {
            return false;
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            if fnode & 1 == 0 {
                while fnode & 1 == 0 && fnode != 0 {
                    fnode >>= 1;
                    snode >>= 1;
                }
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    fr == *old_root && sr == *new_root && snode == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tree(n: usize) -> Tree {
        let mut t = Tree::new();
        for i in 0..n {
            t.push(blake3::hash(&i.to_le_bytes()).as_bytes());
        }
        t
    }

    #[test]
    fn small_trees_by_hand() {
        let t = tree(3);
        let l: Vec<Hash> = t.leaves.clone();
        assert_eq!(t.head(0).unwrap().root, empty_root());
        assert_eq!(t.head(1).unwrap().root, l[0]);
        assert_eq!(t.head(2).unwrap().root, node_hash(&l[0], &l[1]));
        assert_eq!(
            t.head(3).unwrap().root,
            node_hash(&node_hash(&l[0], &l[1]), &l[2])
        );
        assert_eq!(
            t.inclusion_proof(2, 3).unwrap(),
            vec![node_hash(&l[0], &l[1])]
        );
        assert_eq!(t.inclusion_proof(0, 3).unwrap(), vec![l[1], l[2]]);
        // A leaf hash is never an inner node hash of the same bytes.
        assert_ne!(leaf_hash(&[l[0], l[1]].concat()), node_hash(&l[0], &l[1]));
        assert!(t.inclusion_proof(3, 3).is_err());
        assert!(t.head(4).is_err());
        assert!(t.consistency_proof(0, 3).is_err());
        assert!(t.consistency_proof(3, 2).is_err());
    }

    /// Every inclusion proof of every leaf of trees of size 1..=N verifies,
    /// and fails against the wrong leaf, index, size, or root.
    #[test]
    fn every_inclusion_proof_verifies() {
        let full = tree(40);
        for size in 1..=40u64 {
            let root = full.head(size).unwrap().root;
            for i in 0..size {
                let leaf = full.leaves[i as usize];
                let p = full.inclusion_proof(i, size).unwrap();
                assert!(verify_inclusion(i, size, &leaf, &p, &root), "{i} in {size}");
                let other = full.leaves[((i + 1) % 40) as usize];
                assert!(!verify_inclusion(i, size, &other, &p, &root));
                if size > 1 {
                    assert!(!verify_inclusion((i + 1) % size, size, &leaf, &p, &root));
                }
                // (The size is not committed by the root alone: the same
                // path can verify for a larger claimed size, which is why a
                // tree head is published as size *and* root.)
                assert!(!verify_inclusion(i, size, &leaf, &p, &leaf_hash(b"x")));
                assert!(!verify_inclusion(size, size, &leaf, &p, &root));
            }
        }
    }

    /// Consistency between every pair of sizes verifies, and fails against
    /// another old root or new root.
    #[test]
    fn every_consistency_proof_verifies() {
        let full = tree(33);
        for new in 1..=33u64 {
            let nr = full.head(new).unwrap().root;
            for old in 1..=new {
                let or = full.head(old).unwrap().root;
                let p = full.consistency_proof(old, new).unwrap();
                assert!(verify_consistency(old, new, &or, &nr, &p), "{old}->{new}");
                let wrong = leaf_hash(b"forged");
                assert!(!verify_consistency(old, new, &wrong, &nr, &p));
                assert!(!verify_consistency(old, new, &or, &wrong, &p));
                if old < new {
                    // A log that rewrote history: same sizes, one leaf changed.
                    let mut forked = full.clone();
                    forked.leaves[(old - 1) as usize] = leaf_hash(b"replaced");
                    let fr = forked.head(new).unwrap().root;
                    let fp = forked.consistency_proof(old, new).unwrap();
                    assert!(!verify_consistency(old, new, &or, &fr, &fp), "{old}->{new}");
                }
            }
        }
    }

    proptest! {
        /// Any change to any proof hash, or a proof cut short or made
        /// longer, fails.
        #[test]
        fn tampered_proofs_fail(
            size in 1u64..200,
            a in any::<u64>(),
            b in any::<u64>(),
            byte in 0usize..32,
            bit in 0u8..8,
            which in any::<prop::sample::Index>(),
        ) {
            let t = tree(size as usize);
            let root = t.head(size).unwrap().root;
            let i = a % size;
            let leaf = t.leaves[i as usize];
            let p = t.inclusion_proof(i, size).unwrap();
            prop_assert!(verify_inclusion(i, size, &leaf, &p, &root));
            if !p.is_empty() {
                let mut bad = p.clone();
                bad[which.index(p.len())][byte] ^= 1 << bit;
                prop_assert!(!verify_inclusion(i, size, &leaf, &bad, &root));
                prop_assert!(!verify_inclusion(i, size, &leaf, &p[..p.len() - 1], &root));
            }
            let mut longer = p.clone();
            longer.push(leaf);
            prop_assert!(!verify_inclusion(i, size, &leaf, &longer, &root));

            let old = 1 + b % size;
            let or = t.head(old).unwrap().root;
            let c = t.consistency_proof(old, size).unwrap();
            prop_assert!(verify_consistency(old, size, &or, &root, &c));
            if !c.is_empty() {
                let mut bad = c.clone();
                bad[which.index(c.len())][byte] ^= 1 << bit;
                prop_assert!(!verify_consistency(old, size, &or, &root, &bad));
                prop_assert!(!verify_consistency(old, size, &or, &root, &c[..c.len() - 1]));
            }
            let mut longer = c.clone();
            longer.push(root);
            prop_assert!(!verify_consistency(old, size, &or, &root, &longer));
        }
    }
}
