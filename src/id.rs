//! Object ids: the blake3 hash of an object's uncompressed bytes.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The blake3 hash of an object's uncompressed bytes. Shown as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectId([u8; 32]);

impl std::hash::Hash for ObjectId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from_le_bytes(self.0[..8].try_into().expect("8 bytes")));
    }
}

/// Hashes an [`ObjectId`] by its first 8 bytes: ids are blake3 outputs,
/// already uniform, so hashing them again (SipHash) is wasted work, and
/// crafting colliding ids would take a 64-bit blake3 preimage search.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by object ids (see [`IdHasher`]).
pub type IdMap<V> = std::collections::HashMap<ObjectId, V, std::hash::BuildHasherDefault<IdHasher>>;
/// A set of object ids (see [`IdHasher`]).
pub type IdSet = std::collections::HashSet<ObjectId, std::hash::BuildHasherDefault<IdHasher>>;

impl ObjectId {
    /// The id of `bytes`.
    pub fn of(bytes: &[u8]) -> ObjectId {
        ObjectId(*blake3::hash(bytes).as_bytes())
    }

    pub const fn from_bytes(bytes: [u8; 32]) -> ObjectId {
        ObjectId(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Full 64-digit hex form.
    pub fn to_hex(&self) -> String {
        self.to_string()
    }

    /// The first 12 hex digits, as `log` shows them.
    pub fn short(&self) -> String {
        let mut s = self.to_string();
        s.truncate(12);
        s
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ObjectId({})", self.short())
    }
}

/// Why a string is not an object id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an object id (expected 64 hex digits): {0:?}")]
pub struct ParseIdError(pub String);

impl ParseIdError {
    /// The kind of this error: always a bad input.
    pub fn kind(&self) -> crate::error::ErrorKind {
        crate::error::ErrorKind::InvalidInput
    }
}

impl FromStr for ObjectId {
    type Err = ParseIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let b = s.as_bytes();
        if b.len() != 64 {
            return Err(ParseIdError(s.chars().take(80).collect()));
        }
        let mut out = [0u8; 32];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            let hi = hex_val(pair[0]);
            let lo = hex_val(pair[1]);
            match (hi, lo) {
                (Some(h), Some(l)) => out[i] = (h << 4) | l,
                _ => return Err(ParseIdError(s.chars().take(80).collect())),
            }
        }
        Ok(ObjectId(out))
    }
}

/// Value of one hex digit (either case).
pub(crate) fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// In the JSON schema (`vellum::schema`): 64 lowercase hex digits, as
/// [`Serialize`] writes them.
impl schemars::JsonSchema for ObjectId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ObjectId".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A blake3 hash: 64 lowercase hex digits.",
            "type": "string",
            "pattern": "^[0-9a-f]{64}$"
        })
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_hash() {
        // blake3("") from the reference test vectors.
        assert_eq!(
            ObjectId::of(b"").to_string(),
            "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262"
        );
    }

    #[test]
    fn rejects_bad_hex() {
        assert!("zz".parse::<ObjectId>().is_err());
        assert!("g".repeat(64).parse::<ObjectId>().is_err());
        assert!("a".repeat(63).parse::<ObjectId>().is_err());
    }

    proptest! {
        #[test]
        fn hex_round_trip(bytes in proptest::array::uniform32(any::<u8>())) {
            let id = ObjectId::from_bytes(bytes);
            prop_assert_eq!(id.to_string().parse::<ObjectId>().unwrap(), id);
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<ObjectId>(&json).unwrap(), id);
        }

        #[test]
        fn stable_ids(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            prop_assert_eq!(ObjectId::of(&data), ObjectId::of(&data.clone()));
        }
    }

    #[test]
    fn a_bad_id_is_invalid_input() {
        let e = "xyz".parse::<ObjectId>().unwrap_err();
        assert_eq!(e.kind(), crate::error::ErrorKind::InvalidInput);
    }
}
