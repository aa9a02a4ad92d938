//! What every writing command does around the library's write protocol
//! (`vellum::capture::commit`): take the writer lock (saying when it
//! waits), and after the acknowledgement let the derived indexes catch up,
//! with progress and a warning when one cannot.

use std::io::Write;

use vellum::capture::{AddedItem, Committed};
use vellum::store::{Added, Archive, Writer};

use super::env::{CliError, Env};
use super::progress::Progress;

/// The store's writer, with a note when another writer holds it.
pub fn writer<'a>(env: &Env, archive: &'a Archive) -> Result<Writer<'a>, CliError> {
    let notes = env.notes;
    Ok(archive.writer(&mut || {
        if notes {
            eprintln!("vellum: waiting for another writer to finish…");
        }
    })?)
}

/// Brings every derived index up to date after a write (or rebuilds them:
/// `reindex`). A failure is a warning: the archive is written, and the
/// next read catches up.
pub fn catch_up(env: &Env, archive: &Archive, rebuild: bool) {
    let mut progress: Option<(String, Progress)> = None;
    let lags = vellum::capture::catch_up(archive, rebuild, &mut |name, done, total| {
        if progress.as_ref().is_none_or(|(n, _)| n != name) {
            let what = format!("catching up the {name} index");
            progress = Some((name.to_owned(), Progress::new(env, &what)));
        }
        if let Some((_, p)) = progress.as_mut() {
            p.update(done, total);
        }
    });
    drop(progress);
    if rebuild && env.notes {
        for index in vellum::capture::derived_indexes() {
            let name = index.name();
            if !lags.iter().any(|l| l.index == name) {
                eprintln!("vellum: rebuilt the {name} index");
            }
        }
    }
    for lag in lags {
        eprintln!(
            "vellum: warning: the {} index was not updated ({}); the captures are archived, and \
             it catches up when next used (or run `vellum reindex`)",
            lag.index, lag.error
        );
    }
}

/// One added capture: `DOC@N CAPTURE_ID STATUS`, or the JSON item.
pub(super) fn print_item(out: &mut dyn Write, a: &AddedItem, json: bool) -> Result<(), CliError> {
    match json {
        true => super::common::json_line(out, a),
        false => Ok(vellum::render::listing::added(out, a)?),
    }
}

/// `import`'s captures, printed as `add` prints its own.
pub(super) fn print_added(out: &mut dyn Write, a: &Added, json: bool) -> Result<(), CliError> {
    let c = Committed {
        added: a.clone(),
        renumbered: Vec::new(),
        words: None,
        change: None,
    };
    print_item(out, &AddedItem::new(&c), json)
}
