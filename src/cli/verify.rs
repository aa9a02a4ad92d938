//! `vellum verify`

use std::io::Write;

use vellum::store::verify::{Report, VerifyReport, verify};

use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Re-reads every pack, re-decodes and re-hashes every object, parses every
capture record and checks every reference and delta base, then compares the catalog with the
objects. Each problem is one line naming the damaged object and every DOC@N whose text or raw
bytes it makes unreadable; then, per damaged capture, what is lost (evidence, text, record, log
entry), what can be rebuilt, and which of show, diff, show --raw, export still work. Exit 0 when all is well, 1 when anything is damaged, 2 when verify could not run."
)]
pub struct VerifyArgs {
    /// One JSON object: packs, objects, captures, problems, damaged_captures, notes, ok,
    /// reindex_repairs
    #[arg(long)]
    json: bool,
}

pub fn run_verify(env: &Env, args: VerifyArgs) -> Result<Exit, CliError> {
    let archive = vellum::store::Archive::open_for_verify(&env.store)?;
    let mut progress = Progress::new(env, "checking packs");
    let report = verify(&archive, &mut |done, total| progress.update(done, total));
    drop(progress);
    let mut out = std::io::stdout().lock();
    let ok = report.ok();
    if args.json {
        serde_json::to_writer(&mut out, &VerifyReport::from(report))
            .map_err(std::io::Error::other)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report)?;
    }
    Ok(if ok { Exit::Ok } else { Exit::Found })
}

fn print_report(out: &mut dyn Write, report: &Report) -> std::io::Result<()> {
    for p in &report.problems {
        let mut line = serde_json::to_value(p.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        if let Some(id) = p.object {
            line.push_str(&format!(" object {id}"));
        }
        if let Some(pack) = &p.pack {
            line.push_str(&format!(" in pack {}", &pack[..pack.len().min(16)]));
        }
        line.push_str(&format!(": {}", p.detail));
        if !p.unreadable.is_empty() {
            line.push_str(&format!("; unreadable: {}", p.unreadable.join(", ")));
        }
        if !p.evidence_lost.is_empty() {
            line.push_str(&format!(
                "; raw bytes unreadable: {}",
                p.evidence_lost.join(", ")
            ));
        }
        if !p.stored.is_empty() {
            // Readable means its text and its raw bytes both read back.
            let readable = p
                .stored
                .iter()
                .filter(|v| !p.unreadable.contains(v) && !p.evidence_lost.contains(v))
                .count();
            line.push_str(&format!(
                "; versions stored in it: {} ({readable} still wholly readable)",
                p.stored.join(", ")
            ));
        }
        if !p.records_lost.is_empty() {
            line.push_str(&format!(
                "; capture records lost: {}",
                p.records_lost.join(", ")
            ));
        }
        writeln!(out, "{line}")?;
    }
    if !report.damaged_captures.is_empty() {
        writeln!(out, "per capture:")?;
        for c in &report.damaged_captures {
            writeln!(out, "  {}", c.describe())?;
        }
    }
    for n in &report.notes {
        writeln!(out, "note: {n}")?;
    }
    if report.ok() {
        writeln!(
            out,
            "ok: {} pack(s), {} object(s), {} capture(s) verified",
            report.packs, report.objects, report.captures
        )?;
    } else {
        let hint = if report.reindex_repairs() {
            "; the objects are intact: `vellum reindex` rebuilds the catalog"
        } else {
            "; `vellum repair --from OTHER` heals it from a copy of the archive, \
             `vellum repair --rebuild` rebuilds what can be rebuilt without one"
        };
        writeln!(
            out,
            "DAMAGED: {} problem(s) found{hint}",
            report.problems.len()
        )?;
    }
    Ok(())
}
