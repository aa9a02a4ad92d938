//! What users set about the schedule (`vellum schedule DOC --every 1h`,
//! `--pause`, `--resume`, `--auto`), kept in the store as a state object
//! named `schedule` (`store/state.rs`), so it is pushed and pulled with the
//! archive. Notification targets are never kept here (they are local).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::id::ObjectId;
use crate::store::{Archive, StoreError, Writer};

/// The state object's name.
pub const NAME: &str = "schedule";

/// Every document's settings, by document name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub state: String,
    pub round: u64,
    pub prev: Option<ObjectId>,
    #[serde(default)]
    pub docs: BTreeMap<String, DocSettings>,
}

/// One document's settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocSettings {
    /// A fixed interval in seconds instead of the backoff (`--every`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub every: Option<i64>,
    /// Not checked until resumed (`--pause`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub paused: bool,
}

impl Settings {
    /// The newest settings stored in `archive`, and their id.
    pub fn load(archive: &Archive) -> Result<(Option<ObjectId>, Settings), StoreError> {
        match archive.latest_state(NAME)? {
            None => Ok((None, Settings::default())),
            Some((id, bytes)) => serde_json::from_slice(&bytes)
                .map(|s| (Some(id), s))
                .map_err(|e| StoreError::Damaged {
                    id,
                    reason: format!("the schedule settings do not parse ({e})"),
                }),
        }
    }

    /// The settings of `doc` (the defaults when none were set).
    pub fn of(&self, doc: &str) -> DocSettings {
        self.docs.get(doc).cloned().unwrap_or_default()
    }

    /// Sets `doc`'s settings (dropping them when they are the defaults).
    pub fn set(&mut self, doc: &str, s: DocSettings) {
        match s == DocSettings::default() {
            true => self.docs.remove(doc),
            false => self.docs.insert(doc.to_owned(), s),
        };
    }

    /// Stages these settings as the next state object after `prev`.
    pub fn save(
        &self,
        writer: &mut Writer<'_>,
        prev: Option<ObjectId>,
    ) -> Result<ObjectId, StoreError> {
        let next = Settings {
            state: NAME.into(),
            round: self.round + 1,
            prev,
            docs: self.docs.clone(),
        };
        writer.put_state(&serde_json::to_vec(&next).expect("settings serialize"))
    }
}
