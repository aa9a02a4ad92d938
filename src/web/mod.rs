//! `vellum serve`: a read-only, server-rendered web view of an archive,
//! built on [`crate::query`]. Usable without JavaScript; one small
//! same-origin script adds the n/p keys on diff pages.
//!
//! - [`page`]: the frame and the escaping every page goes through.
//! - [`pages`]: documents, a document's timeline, a version.
//! - [`diff_page`]: the diff of two addresses, inline or side by side.
//! - [`chart`]: the inline-SVG chart of change size over time.
//! - [`search_page`]: full-text search over every version ([`crate::search`]).
//! - [`api`]: the JSON API under `/api/v1/`, with its OpenAPI document.
//! - [`http`]: routing, headers (CSP, caching, ETags), errors as statuses.
//!
//! Safety: only GET and HEAD are answered (anything else is 405); every
//! archived character is escaped; raw evidence is served as an attachment
//! in `text/plain` with `nosniff`, never as HTML on this origin. The
//! library never prints: [`http::serve`] returns when the listener fails.
//!
//! An [`crate::store::Archive`] is `Send` but not `Sync`: requests run on
//! tokio's blocking threads and borrow an open archive from [`Pool`]
//! (opening one per request costs a catalog open each time).

pub mod api;
mod app;
mod atom;
pub mod chart;
pub mod diff_page;
mod error;
mod headers;
pub mod http;
pub mod memento;
pub mod page;
pub mod pages;
mod run;
pub mod search_page;

pub use app::{App, DIFF_DEADLINE, KindMemo, Pool, TitleMemo};
pub use error::WebError;
pub use http::{router, serve};
pub use run::{Listening, ServeError, exposes, serve_store};
