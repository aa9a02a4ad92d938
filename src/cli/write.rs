//! What every writing command does around the library's write protocol
//! (`vellum::capture::commit`): take the writer lock (saying when it
//! waits), and after the acknowledgement let the derived indexes catch up,
//! with progress and a warning when one cannot.

use vellum::store::{Archive, Writer};

use super::env::{CliError, Env};
use super::progress::Steps;

/// The store's writer, with a note when another writer holds it.
pub fn writer<'a>(env: &Env, archive: &'a Archive) -> Result<Writer<'a>, CliError> {
    Ok(archive.writer(&mut || waiting(env))?)
}

/// The note that another writer holds the store.
pub fn waiting(env: &Env) {
    if env.notes {
        eprintln!("vellum: waiting for another writer to finish…");
    }
}

/// Brings every derived index up to date after a write (or rebuilds them:
/// `reindex`). A failure is a warning: the archive is written, and the
/// next read catches up.
pub fn catch_up(env: &Env, archive: &Archive, rebuild: bool) {
    let mut steps = Steps::new(env);
    let lags = vellum::capture::catch_up(archive, rebuild, &mut |name, done, total| {
        steps.update(&format!("catching up the {name} index"), done, total)
    });
    drop(steps);
    if rebuild && env.notes {
        for index in vellum::capture::derived_indexes() {
            let name = index.name();
            if !lags.iter().any(|l| l.index == name) {
                eprintln!("vellum: rebuilt the {name} index");
            }
        }
    }
    for lag in &lags {
        eprintln!("vellum: warning: {}", vellum::render::reports::lag(lag));
    }
}
