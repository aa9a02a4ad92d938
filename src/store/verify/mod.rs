//! `verify` trusts nothing: it re-reads every pack, re-decodes and re-hashes
//! every object (resolving delta bases itself, not through the catalog),
//! parses every capture record, checks every reference, then compares the
//! catalog with what it found. Each problem names the damaged object and
//! every `DOC@N` whose text it makes unreadable.

use super::archive::Archive;

pub use account::{CaptureAccount, Part};
pub use report::{Problem, ProblemKind, Progress, Report, VerifyReport};

mod account;
mod checker;
mod compare;
mod losses;
mod pass;
mod report;

/// Checks the whole store. Never fails: whatever cannot be read is a problem
/// in the report.
pub fn verify(archive: &Archive, progress: Progress<'_>) -> Report {
    // A writer merging small packs deletes them once its merge is committed:
    // a pack listed here can vanish before it is read. That is not damage;
    // start again from a fresh snapshot (merges are rare: every 32 adds).
    let mut attempt = 0;
    loop {
        let (report, vanished) = pass::verify_once(archive, progress);
        attempt += 1;
        if !vanished || attempt == 3 {
            return report;
        }
    }
}

/// A damaged-pack problem for `name`, as verify reports one (for callers
/// that found a pack damaged by other means and hand it to a repair).
pub fn damaged_pack(name: &str) -> Problem {
    report::problem(
        ProblemKind::DamagedPack,
        None,
        Some(name),
        "pack checksum mismatch".into(),
    )
}
