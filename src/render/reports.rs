//! The text reports of the maintenance commands (`verify`, `repair`, `push`
//! and `pull`, `check-proof`, `reextract`), of `import`, `export` and of `log --checks`: what a
//! front end prints for a person, from the library's report types.

use std::io::{self, Write};
use std::path::Path;

use crate::capture::heal::Healed;
use crate::capture::reextract::{DueItem, Found};
use crate::capture::{AddedItem, IndexLag};
use crate::custody::LogRoot;
use crate::custody::proof::ProofCheck;
use crate::query::checks::CheckItem;
use crate::store::sync::SyncReport;
use crate::store::verify::Report;
use crate::store::{Initialized, Reindexed};
use crate::warc::exporter::Exported;
use crate::warc::importer::{FileError, FileFailure, SummaryLine, Warning as ImportWarning};

/// `verify`: one line per problem, then per damaged capture, notes, and the
/// verdict with what to do next.
pub fn verify(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    for p in &report.problems {
        let kind = serde_json::to_value(p.kind).ok();
        write!(
            out,
            "{}",
            kind.as_ref().and_then(|v| v.as_str()).unwrap_or("")
        )?;
        if let Some(id) = p.object {
            write!(out, " object {id}")?;
        }
        if let Some(pack) = &p.pack {
            write!(out, " in pack {}", &pack[..pack.len().min(16)])?;
        }
        write!(out, ": {}", p.detail)?;
        let list = |what: &str, v: &[String]| match v.is_empty() {
            true => String::new(),
            false => format!("; {what}: {}", v.join(", ")),
        };
        write!(out, "{}", list("unreadable", &p.unreadable))?;
        write!(out, "{}", list("raw bytes unreadable", &p.evidence_lost))?;
        if !p.stored.is_empty() {
            // Readable means its text and its raw bytes both read back.
            let readable = p
                .stored
                .iter()
                .filter(|v| !p.unreadable.contains(v) && !p.evidence_lost.contains(v));
            let (stored, n) = (p.stored.join(", "), readable.count());
            write!(
                out,
                "; versions stored in it: {stored} ({n} still wholly readable)"
            )?;
        }
        writeln!(out, "{}", list("capture records lost", &p.records_lost))?;
    }
    if !report.damaged_captures.is_empty() {
        writeln!(out, "per capture:")?;
    }
    for c in &report.damaged_captures {
        writeln!(out, "  {}", c.describe())?;
    }
    for n in &report.notes {
        writeln!(out, "note: {n}")?;
    }
    if report.ok() {
        let (p, o, c) = (report.packs, report.objects, report.captures);
        return writeln!(
            out,
            "ok: {p} pack(s), {o} object(s), {c} capture(s) verified"
        );
    }
    let hint = if report.reindex_repairs() {
        "; the objects are intact: `vellum reindex` rebuilds the catalog"
    } else {
        "; `vellum repair --from OTHER` heals it from a copy of the archive, \
         `vellum repair --rebuild` rebuilds what can be rebuilt without one"
    };
    let n = report.problems.len();
    writeln!(out, "DAMAGED: {n} problem(s) found{hint}")
}

/// `repair`: what was done, what is lost, and verify's verdict afterwards
/// (or that there was nothing to repair).
pub fn repair(out: &mut dyn Write, healed: &Healed) -> io::Result<()> {
    let Healed {
        nothing_to_do,
        done,
        reindexed,
        after,
    } = healed;
    if *nothing_to_do {
        return writeln!(out, "nothing to repair: verify found no damage");
    }
    let (w, r) = (done.packs_written.len(), done.packs_retired.len());
    writeln!(
        out,
        "rewrote {} intact object(s), fetched {}, rebuilt {}; wrote {w} pack(s), retired {r} \
         damaged pack(s)",
        done.rewritten, done.fetched, done.rebuilt
    )?;
    if *reindexed {
        writeln!(out, "rebuilt the catalog from the objects")?;
    }
    for id in &done.lost {
        writeln!(
            out,
            "lost: object {id} (no copy had it, nothing rebuilds it)"
        )?;
    }
    for p in &done.packs_kept {
        writeln!(
            out,
            "kept damaged pack {p}: it holds an object still lost (heal it with another \
             copy, or accept the loss with --rebuild)"
        )?;
    }
    if after.ok() {
        return writeln!(out, "verify: ok, nothing is damaged");
    }
    writeln!(out, "verify: {} problem(s) remain", after.problems.len())?;
    for c in &after.damaged_captures {
        writeln!(out, "  {}", c.describe())?;
    }
    Ok(())
}

/// `push` and `pull`: what was copied from one store to the other, and what
/// damage the copy healed.
pub fn sync(out: &mut dyn Write, from: &Path, to: &Path, r: &SyncReport) -> io::Result<()> {
    let (from, to) = (from.display(), to.display());
    if let Some(m) = &r.merged {
        return merge(out, &from, &to, m, r.dry_run);
    }
    let (p, b, present) = (r.packs, r.bytes, r.present);
    let copied = if r.dry_run { "would copy" } else { "copied" };
    writeln!(
        out,
        "{copied} {p} pack(s) ({b} bytes) from {from} to {to}; {present} already there"
    )?;
    let Some(h) = &r.repaired else {
        return Ok(());
    };
    writeln!(
        out,
        "healed {} damaged pack(s) of {to} from {from}: rewrote {} intact object(s), fetched {}",
        h.packs_retired.len(),
        h.rewritten,
        h.fetched
    )?;
    for p in &h.packs_kept {
        writeln!(
            out,
            "damaged pack {p} of {to} is not whole in {from} either: run `vellum verify`"
        )?;
    }
    Ok(())
}

/// `push`/`pull` of diverged stores: what the merge did or would do.
fn merge(
    out: &mut dyn Write,
    from: &dyn std::fmt::Display,
    to: &dyn std::fmt::Display,
    m: &crate::store::merge::MergeReport,
    dry_run: bool,
) -> io::Result<()> {
    let (c, k, b) = (m.captures, m.checks, m.bytes);
    let verb = if dry_run { "would merge" } else { "merged" };
    writeln!(
        out,
        "the logs had diverged: {verb} {c} capture(s) and {k} check record(s) ({b} bytes) \
         from {from} into {to}"
    )?;
    if let Some(e) = m.entry {
        writeln!(
            out,
            "{to} logged {from}'s log ({}:{}) at entry {e}, its captures after it",
            m.source_size, m.source_root
        )?;
    }
    for c in &m.conflicts {
        use crate::store::merge::NameConflict;
        match c {
            NameConflict::TwoNames { url, here, there } => writeln!(
                out,
                "name conflict: {url} is {here} in {to} but {there} in {from} (kept apart)"
            )?,
            NameConflict::TwoUrls { doc, here, there } => writeln!(
                out,
                "name conflict: {doc} is {here} in {to} but {there} in {from} (kept apart)"
            )?,
        }
    }
    Ok(())
}

/// `check-proof`: whether the proof holds, and what it showed.
pub fn proof_check(out: &mut dyn Write, check: &ProofCheck) -> io::Result<()> {
    if let Some(failure) = &check.failure {
        return writeln!(out, "proof FAILS: {failure}");
    }
    writeln!(out, "proof holds")?;
    for s in &check.statements {
        writeln!(out, "  {s}")?;
    }
    Ok(())
}

/// `log DOC --checks`: one check, `ID  TIME  OUTCOME  DETAIL`.
pub fn check(out: &mut dyn Write, c: &CheckItem) -> io::Result<()> {
    let detail: Vec<String> = [
        c.status.map(|s| format!("HTTP {s}")),
        c.location.as_ref().map(|l| format!("to {l}")),
        c.error.clone(),
        c.version.map(|v| format!("@{v}")),
        c.returns_to.map(|v| format!("returns to @{v}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let (id, at, outcome) = (&c.id[..12], &c.checked_at, c.outcome.as_str());
    writeln!(out, "{id}  {at}  {outcome:<12}  {}", detail.join("  "))
}

/// `reextract --dry-run`: a capture the current extractor reads otherwise.
pub fn due(out: &mut dyn Write, d: &DueItem) -> io::Result<()> {
    let what = match d.text_changed {
        true => "new text",
        false => "same text, new flag",
    };
    let (doc, id, at, was) = (&d.doc, &d.capture, &d.captured_at, &d.extractor);
    writeln!(out, "{doc} {id} {at}: {what} (was {was})")
}

/// `reextract`: the record that supersedes an older one, once durable.
pub fn reextracted(out: &mut dyn Write, a: &AddedItem) -> io::Result<()> {
    let version = match a.version {
        0 => "-".to_owned(),
        n => n.to_string(),
    };
    let old = a.supersedes.as_deref().unwrap_or_default();
    writeln!(
        out,
        "{}@{version} {} reextracted (supersedes {old})",
        a.doc, a.capture
    )
}

/// `import`: a warning about a record, with the option that would archive
/// a record refused for its digest.
pub fn import_warning(w: &ImportWarning) -> String {
    match w {
        ImportWarning::BadDigest {
            archived: false, ..
        } => format!("{w} (--accept-bad-digests archives it flagged)"),
        _ => w.to_string(),
    }
}

/// `import`: a failed file in words: what broke, and what of it was
/// archived (`strict`: with --strict).
pub fn import_failure(f: &FileFailure, strict: bool) -> String {
    let (file, n) = (f.file.display(), f.captures_before);
    match (&f.error, f.archived) {
        (FileError::Broken(e), _) if !strict => {
            format!("{file}: {e}; nothing was archived from it")
        }
        (FileError::Broken(e), true) => format!(
            "{file}: {e}\nthe {n} good captures before this record were archived, nothing after it"
        ),
        (FileError::Broken(e), false) => format!(
            "{file}: {e}\nnothing was archived from it (--strict); --strict --partial archives \
             the {n} good captures before this record, and without --strict every good record \
             is archived"
        ),
        (e, _) => format!("{file}: {e}; nothing was archived from it"),
    }
}

/// `import` of `files` files: each failed one in words, then (when others
/// were archived) how many failed.
pub fn import_failures(failed: &[FileFailure], files: usize, strict: bool) -> Vec<String> {
    let mut lines: Vec<String> = failed.iter().map(|f| import_failure(f, strict)).collect();
    if !failed.is_empty() && failed.len() < files {
        let n = failed.len();
        lines.push(format!(
            "{n} of {files} files failed (listed above); the others were archived"
        ));
    }
    lines
}

/// `reextract`: what it found but will not archive, one note a line: the
/// damaged texts `repair --rebuild` makes again, then (warnings) the
/// captures whose bytes could not be read.
pub fn reextract_notes(found: &Found) -> Vec<String> {
    let mut notes = Vec::new();
    if !found.rebuildable.is_empty() {
        let list: Vec<String> = (found.rebuildable.iter())
            .map(|r| format!("{} capture {}", r.doc, r.capture.0.short()))
            .collect();
        notes.push(format!(
            "{} capture(s) have a damaged text whose raw bytes are intact: {}; \
             `vellum repair --rebuild` makes the same text again from them",
            list.len(),
            list.join(", ")
        ));
    }
    for s in &found.skipped {
        let (doc, id, e) = (&s.doc, s.capture.0.short(), &s.error);
        notes.push(format!(
            "warning: {doc} capture {id}: {e}; skipped (run `vellum verify`)"
        ));
    }
    notes
}

/// `init`: whether a store was made.
pub fn initialized(out: &mut dyn Write, i: &Initialized) -> io::Result<()> {
    let store = i.store.display();
    match i.created {
        true => writeln!(out, "initialized an empty vellum store in {store}"),
        false => writeln!(out, "{store} is already a vellum store; nothing changed"),
    }
}

/// `root`: the log's size and root, `SIZE:ROOT`, as it is published.
pub fn log_root(out: &mut dyn Write, r: &LogRoot) -> io::Result<()> {
    writeln!(out, "{}:{}", r.size, r.root)
}

/// `root`'s note when captures of an older vellum are not in the log yet.
pub fn unlogged(r: &LogRoot) -> Option<String> {
    let n = r.unlogged;
    (n > 0).then(|| {
        format!(
            "{n} capture(s) archived by an older vellum are not in the log yet; the next \
             `vellum add` logs them"
        )
    })
}

/// `serve`'s warning when it listens beyond loopback (`--allow-remote`).
pub fn exposed(addr: std::net::SocketAddr, store: &Path) -> String {
    format!(
        "warning: serving on {addr} — anyone who can reach this address can read every capture \
         in {}",
        store.display()
    )
}

/// `serve`'s note once it listens: where, and how it stops.
pub fn serving(store: &Path, url: &str) -> String {
    let store = store.display();
    format!("serving {store} read-only at {url}; Ctrl-C stops")
}

/// `import`'s last line: what the files held and what was archived.
pub fn import_summary(out: &mut dyn Write, s: &SummaryLine<'_>) -> io::Result<()> {
    writeln!(out, "{}", s.summary)
}

/// `reindex`: what the catalog was rebuilt from.
pub fn reindexed(out: &mut dyn Write, r: &Reindexed) -> io::Result<()> {
    let (store, packs, captures) = (r.store.display(), r.packs, r.captures);
    writeln!(
        out,
        "rebuilt the catalog of {store} from {packs} pack(s): {captures} capture(s)"
    )
}

/// A derived index a writer could not bring up to date (a warning).
pub fn lag(lag: &IndexLag) -> String {
    format!(
        "the {} index was not updated ({}); the captures are archived, and it catches up when \
         next used (or run `vellum reindex`)",
        lag.index, lag.error
    )
}

/// `reextract` when it archives nothing: how many captures a dry run
/// found, or that every HTML capture has the current extractor's text.
pub fn reextract_nothing(due: usize, dry_run: bool) -> String {
    match dry_run {
        true => format!("{due} capture(s) would get a new record (dry run: nothing archived)"),
        false => format!(
            "every HTML capture already has the text {} makes; nothing to archive",
            crate::ingest::extract::extractor_id()
        ),
    }
}

/// `export`: what was written to the WARC file asked for (`warc`) and to
/// the pywb collection, as notes, and the damaged captures left out, as a
/// warning.
pub fn exported(done: &Exported, warc: Option<&Path>) -> (Vec<String>, Option<String>) {
    let mut notes = Vec::new();
    if let Some(warc) = warc {
        let (n, warc) = (done.captures, warc.display());
        notes.push(format!("wrote {n} captures to {warc}"));
    }
    if let Some(p) = &done.pywb {
        let (n, warc, lines, index) = (p.captures, p.warc.display(), p.lines, p.index.display());
        notes.push(format!(
            "wrote {n} captures to {warc} and {lines} index lines to {index}"
        ));
    }
    let skipped = (done.skipped > 0).then(|| {
        format!(
            "skipped {} damaged capture(s): {} (`vellum verify` says more)",
            done.skipped, done.skipped_words
        )
    });
    (notes, skipped)
}

/// Inputs not archived that `add` lists one by one before the rest are
/// only counted.
pub const MAX_FAILED_SHOWN: usize = 20;

/// `add`: the inputs not archived (`failed`, one message each, of `total`),
/// one note a line: the first [`MAX_FAILED_SHOWN`], then a count of the
/// rest, then (for several inputs) how many were archived.
pub fn not_archived_notes(failed: &[String], total: usize) -> Vec<String> {
    let shown = failed.iter().take(MAX_FAILED_SHOWN).flat_map(|f| f.lines());
    let mut notes: Vec<String> = shown.map(|l| format!("not archived: {l}")).collect();
    if failed.len() > MAX_FAILED_SHOWN {
        let more = failed.len() - MAX_FAILED_SHOWN;
        notes.push(format!("… and {more} more input(s) not archived"));
    }
    if !failed.is_empty() && total > 1 {
        let rest = match failed.len() == total {
            true => "nothing was archived",
            false => "the others are archived",
        };
        notes.push(format!(
            "{} of {total} input(s) not archived; {rest}",
            failed.len()
        ));
    }
    notes
}

#[cfg(test)]
mod tests {

    #[test]
    fn an_export_notes_each_output_and_warns_of_what_it_skipped() {
        use crate::warc::exporter::Exported;
        let mut done = Exported {
            captures: 3,
            pywb: None,
            skipped: 0,
            skipped_words: String::new(),
        };
        let out = std::path::Path::new("out.warc.gz");
        let (notes, skipped) = super::exported(&done, Some(out));
        assert_eq!(
            (notes, skipped),
            (vec!["wrote 3 captures to out.warc.gz".into()], None)
        );
        done.skipped = 1;
        done.skipped_words = "bridge capture 0123abcd (bad hash)".into();
        let (notes, skipped) = super::exported(&done, None);
        assert!(notes.is_empty());
        assert_eq!(
            skipped.as_deref(),
            Some(
                "skipped 1 damaged capture(s): bridge capture 0123abcd (bad hash) (`vellum verify` says more)"
            )
        );
    }
    #[test]
    fn not_archived_notes_list_twenty_then_count() {
        let failed: Vec<String> = (0..23).map(|i| format!("f{i}: bad\nsecond line")).collect();
        let notes = super::not_archived_notes(&failed, 30);
        assert_eq!(notes.len(), 2 * 20 + 2, "{notes:?}");
        assert_eq!(notes[0], "not archived: f0: bad");
        assert_eq!(notes[1], "not archived: second line");
        assert_eq!(notes[40], "… and 3 more input(s) not archived");
        assert_eq!(
            notes[41],
            "23 of 30 input(s) not archived; the others are archived"
        );
        let one = super::not_archived_notes(&failed[..1], 1);
        assert_eq!(one, ["not archived: f0: bad", "not archived: second line"]);
        let all = super::not_archived_notes(&failed[..2], 2);
        assert_eq!(all[4], "2 of 2 input(s) not archived; nothing was archived");
    }
}
