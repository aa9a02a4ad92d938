//! What a person can do about a store error, in vellum's commands: what
//! every front end adds after the error's message.

use super::error::{AddressError, StoreError};

impl StoreError {
    /// The advice to put after the message (`: …` or `; …`), or nothing.
    pub fn advice(&self) -> String {
        match self {
            StoreError::NoStore(dir) => format!(
                ": create one with `vellum init {}` or point --store / VELLUM_STORE at one",
                dir.display()
            ),
            StoreError::NotAStore(_) => ": choose another directory with --store".into(),
            StoreError::Format { .. } => "; upgrade vellum".into(),
            StoreError::Catalog { .. } => {
                "; rebuild it from the objects with `vellum reindex`".into()
            }
            StoreError::Missing { .. } | StoreError::Damaged { .. } => {
                "; run `vellum verify` for a full report".into()
            }
            StoreError::ChainTooDeep { .. } => "; run `vellum verify`".into(),
            StoreError::Unindexed(_) => "; run `vellum reindex`".into(),
            StoreError::Address(AddressError::OnlyFlagged { doc }) => {
                format!("; `vellum log {doc} --captures` lists them")
            }
            _ => String::new(),
        }
    }
}
