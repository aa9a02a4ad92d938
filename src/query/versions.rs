//! A document's versions with their word statistics.

use crate::store::StoreError;
use crate::store::{Archive, History, Version};

use super::log::{Boilerplate, VersionQuery, versions_matching};

type Result<T> = std::result::Result<T, StoreError>;

/// One version with its statistics.
#[derive(Debug, Clone)]
pub struct VersionStats {
    pub version: Version,
    pub words: Option<u64>,
    /// Words added and removed against the version before (none for the first).
    pub change: Option<(u64, u64)>,
}

/// A document's versions, oldest first, with their statistics. Empty for
/// an unknown document.
pub fn versions(archive: &Archive, doc: &str) -> Result<Vec<VersionStats>> {
    let history = archive.history(doc)?;
    versions_of(archive, &history)
}

/// The versions of a history already read, with their statistics (the
/// unfiltered [`versions_matching`]).
pub fn versions_of(archive: &Archive, history: &History) -> Result<Vec<VersionStats>> {
    let rows = versions_matching(archive, history, &VersionQuery::new(), &Boilerplate::none())?;
    Ok(rows
        .into_iter()
        .map(|r| VersionStats {
            version: r.version,
            words: r.words,
            change: r.change,
        })
        .collect())
}
