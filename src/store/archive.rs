//! The open store: what every part of `store` works on. Its methods live
//! with the part they belong to (reading in `read.rs`, writing in
//! `write.rs`, opening in `mod.rs`); this file holds only the state, so
//! that those parts import it without importing each other.

use std::path::PathBuf;

use super::backend::Backend;
use super::cache::Cache;
use super::catalog::Catalog;

/// An open store.
pub struct Archive {
    pub(super) dir: PathBuf,
    pub(super) backend: Box<dyn Backend>,
    pub(super) catalog: Catalog,
    pub(super) cache: Cache,
    /// Why the catalog could not be opened (only with `open_for_verify`).
    pub(super) catalog_problem: Option<String>,
    /// The store format its marker names.
    pub(super) format: u32,
    /// The catalog on disk is an older vellum's: this one was rebuilt in
    /// memory from the objects.
    pub(super) catalog_outdated: bool,
}
