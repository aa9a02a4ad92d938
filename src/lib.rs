//! vellum: a versioned archive for documents that change and get republished.
pub mod diff;
pub mod render;
