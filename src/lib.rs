//! vellum: a versioned archive for documents that change and get republished.
pub mod capture;
pub mod custody;
pub mod diff;
pub mod error;
pub mod feed;
pub mod fetch;
pub mod id;
pub mod ingest;
pub mod query;
pub mod render;
pub mod republish;
pub mod schema;
pub mod search;
pub mod store;
pub mod warc;
pub mod web;
pub mod when;
