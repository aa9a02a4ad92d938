//! What kind of failure an error is. Each module owns its error type
//! (`store::StoreError`, `warc::WarcError`, `fetch::FetchError`, …) and
//! says which kind each of its errors is; a front end maps the kind to a
//! status (an exit code, an HTTP status) and adds its own advice. This
//! module imports nothing of the crate, so every module can use it.

/// What kind of failure an error is, for a front end to map to a status
/// (an exit code, an HTTP status: see each variant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No such store, document, version or capture (HTTP 404).
    NotFound,
    /// An address matches several captures (HTTP 300 or 409).
    Ambiguous,
    /// The store is damaged or unreadable as it is: a missing or corrupt
    /// object, a catalog that cannot serve, an unsupported format (HTTP 500).
    Damaged,
    /// Another process holds what this needs; retry later (HTTP 503).
    Busy,
    /// The request itself is wrong: a bad address, time or size, a path
    /// that is not a store (HTTP 400 or 413).
    InvalidInput,
    /// The operating system or the storage failed (HTTP 500 or 507).
    Io,
}
