//! `vellum repair`: verify, heal what is damaged from a copy of the archive
//! or by rebuilding it, rebuild the catalog when it is all that still
//! disagrees, and verify again.

use std::path::Path;

use crate::store::repair::{RepairReport, Sources};
use crate::store::verify::{Report, verify};
use crate::store::{Archive, StoreError};

/// What a repair did, and verify's account of what is left.
pub struct Healed {
    /// Verify found no damage: nothing was done.
    pub nothing_to_do: bool,
    pub done: RepairReport,
    /// The catalog was rebuilt from the objects.
    pub reindexed: bool,
    pub after: Report,
}

/// Repairs the store at `dir`, with what is lost fetched from `replica`,
/// or with `rebuild` made again from intact raw bytes (and the rest
/// accepted as lost). `progress` hears each step's label and counts.
pub fn repair_store(
    dir: &Path,
    replica: Option<&Archive>,
    rebuild: bool,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Healed, StoreError> {
    let archive = Archive::open_writable(dir)?.0;
    let before = verify(&archive, &mut |d, t| progress("checking packs", d, t));
    if before.ok() {
        let (done, reindexed) = (RepairReport::default(), false);
        return Ok(Healed {
            nothing_to_do: true,
            done,
            reindexed,
            after: before,
        });
    }
    let done = match before.reindex_repairs() {
        true => RepairReport::default(),
        false => {
            let mut texts = match rebuild {
                true => super::reextract::rebuild_texts(&archive, &before),
                false => Default::default(),
            };
            let mut rebuild_one = |id: &crate::id::ObjectId| texts.remove(id);
            let sources = Sources {
                replica,
                rebuild: Some(&mut rebuild_one),
                accept_losses: rebuild,
            };
            archive.repair(&before, sources, &mut |d, t| {
                progress("fetching objects", d, t)
            })?
        }
    };
    drop(archive);
    // What is derived (the catalog) is rebuilt from the objects once they
    // are whole, when it is all that still disagrees.
    let mut after = verify(&Archive::open(dir)?, &mut |_, _| {});
    let reindexed = after.reindex_repairs();
    if reindexed {
        crate::store::reindex(dir)?;
        after = verify(&Archive::open(dir)?, &mut |_, _| {});
    }
    Ok(Healed {
        nothing_to_do: false,
        done,
        reindexed,
        after,
    })
}
