//! State objects: what a tool keeps between runs (the feeds `vellum watch`
//! follows, the items it has seen, what to retry), stored like everything
//! else as immutable, content-addressed objects (kind 4). Each write makes a
//! new object that names its predecessor and counts one round more; the
//! newest of a name (highest round) wins. The catalog's `states` table is
//! rebuilt from the objects by `reindex`, so state works on any backend and
//! survives a lost catalog.
//!
//! A state object is a JSON object with at least `state` (its name),
//! `round` and `prev`; the store reads only those, the rest is the tool's.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::archive::Archive;
use super::error::Result;
use super::error::StoreError;
use super::layout::{STATE_FORMAT, write_marker};
use super::object::Kind;
use super::write::Writer;
use crate::id::ObjectId;

/// Largest state object accepted.
pub const MAX_STATE_SIZE: usize = 16 << 20;

/// What the store reads of a state object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateHeader {
    /// Whose state it is (`"watch"`).
    pub state: String,
    /// 1 for the first, then one more than its predecessor's.
    pub round: u64,
    /// The state it follows.
    #[serde(default)]
    pub prev: Option<ObjectId>,
}

impl StateHeader {
    /// Reads the header of a state object's bytes.
    pub fn parse(bytes: &[u8]) -> std::result::Result<StateHeader, serde_json::Error> {
        serde_json::from_slice(bytes)
    }
}

impl Archive {
    /// The newest state object named `name`: its id and bytes.
    pub fn latest_state(&self, name: &str) -> Result<Option<(ObjectId, Arc<Vec<u8>>)>> {
        let _snapshot = self.catalog.read_snapshot();
        let found = match self.catalog.latest_state(name) {
            // A store from before state objects has none, and its catalog,
            // opened read-only, may have no table for them.
            Err(_) if self.format < STATE_FORMAT => return Ok(None),
            r => self.cat(r)?,
        };
        let Some(id) = found else {
            return Ok(None);
        };
        Ok(Some((id, self.read_object(&id)?)))
    }
}

impl Writer<'_> {
    /// Stages a state object (see the module docs), compressed against its
    /// predecessor. It is acknowledged with the write's captures.
    pub fn put_state(&mut self, bytes: &[u8]) -> Result<ObjectId> {
        if bytes.len() > MAX_STATE_SIZE {
            return Err(StoreError::TooLarge {
                size: bytes.len() as u64,
                limit: MAX_STATE_SIZE as u64,
            });
        }
        let header = StateHeader::parse(bytes).map_err(|e| StoreError::Io {
            context: "storing a state object".into(),
            source: std::io::Error::other(format!("not a state object: {e}")),
        })?;
        let a = self.archive();
        if a.format < STATE_FORMAT {
            write_marker(&*a.backend, STATE_FORMAT)?;
        }
        let id = self.put_object(Kind::State, bytes, header.prev)?;
        let a = self.archive();
        a.cat(a.catalog.add_state(&id, &header.state, header.round))?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{reindex, verify};

    #[test]
    fn states_chain_and_the_newest_wins() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let (a, _) = Archive::init(&dir).unwrap();
        assert_eq!(a.latest_state("watch").unwrap(), None);
        let mut w = a.writer(&mut || {}).unwrap();
        let first = w
            .put_state(br#"{"state":"watch","round":1,"prev":null,"feeds":{}}"#)
            .unwrap();
        assert!(w.put_state(b"not json").is_err());
        w.commit().unwrap();
        let second = format!(r#"{{"state":"watch","round":2,"prev":"{first}","feeds":{{"a":1}}}}"#);
        let mut w = a.writer(&mut || {}).unwrap();
        let id = w.put_state(second.as_bytes()).unwrap();
        w.commit().unwrap();
        let (got, bytes) = a.latest_state("watch").unwrap().unwrap();
        assert_eq!((got, bytes.as_slice()), (id, second.as_bytes()));
        assert_eq!(a.latest_state("other").unwrap(), None);
        drop(a);
        // Rebuilt from the objects alone.
        reindex(&dir).unwrap();
        let a = Archive::open(&dir).unwrap();
        assert_eq!(a.latest_state("watch").unwrap().unwrap().0, id);
        let marker = std::fs::read_to_string(dir.join("VELLUM")).unwrap();
        // Raised to 3 by the state object, then to 5 by the compact pack
        // that holds it.
        assert!(marker.contains("format 5"), "{marker}");
        let report = verify::verify(&a, &mut |_, _| {});
        assert!(report.ok(), "{:?}", report.problems);
    }
}
