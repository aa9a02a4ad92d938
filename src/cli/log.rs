//! `vellum log [DOC]`

use std::io::Write;

use vellum::ingest::DocName;
use vellum::store::{Archive, Version};

use super::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Without DOC: one row per document (name, versions, captures, first and last
capture time, title). With DOC: one row per version in captured-at order: @N, short capture
id, captured-at, source or URL, word count, words added and removed against the previous version."
)]
pub struct LogArgs {
    /// Document to list the versions of
    doc: Option<String>,
    /// One JSON object per line
    #[arg(long)]
    json: bool,
}

pub fn run_log(env: &Env, args: LogArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let mut out = std::io::stdout().lock();
    match args.doc {
        None => log_documents(&archive, &mut out, args.json)?,
        Some(doc) => {
            let doc: DocName = doc.parse().map_err(|e| CliError::new(format!("{e}")))?;
            let versions = archive.versions(doc.as_str())?;
            if versions.is_empty() {
                return Err(CliError::new(format!(
                    "no document named {doc}; `vellum log` lists the documents"
                )));
            }
            log_versions(&archive, &mut out, &versions, args.json)?;
        }
    }
    Ok(Exit::Ok)
}

fn log_documents(archive: &Archive, out: &mut dyn Write, json: bool) -> Result<(), CliError> {
    let docs = archive.documents()?;
    if !json && !docs.is_empty() {
        writeln!(
            out,
            "{:<40} {:>8} {:>8}  {:<20}  {:<20}  TITLE",
            "DOCUMENT", "VERSIONS", "CAPTURES", "FIRST", "LAST"
        )?;
    }
    for d in docs {
        if json {
            let v = serde_json::json!({
                "doc": d.doc, "versions": d.versions, "captures": d.captures,
                "first": fmt_time(d.first), "last": fmt_time(d.last), "title": d.title,
            });
            writeln!(out, "{v}")?;
        } else {
            writeln!(
                out,
                "{:<40} {:>8} {:>8}  {:<20}  {:<20}  {}",
                d.doc,
                d.versions,
                d.captures,
                fmt_time(d.first),
                fmt_time(d.last),
                d.title.as_deref().unwrap_or("")
            )?;
        }
    }
    Ok(())
}

/// Word count of a version, and words (added, removed) against the previous one.
type VersionStats = (Option<u64>, Option<(u64, u64)>);

/// Word count of a version's text and its change against the previous one,
/// from the cache `add` fills; computed on the fly (not stored) when absent.
fn stats(archive: &Archive, prev: Option<&Version>, v: &Version) -> Result<VersionStats, CliError> {
    let text = |id| -> Result<Option<String>, CliError> {
        let bytes = archive.read_object(id)?;
        Ok(std::str::from_utf8(&bytes).ok().map(str::to_owned))
    };
    let words = match archive.cached_words(&v.key)? {
        Some(w) => Some(w),
        None => text(&v.key)?.map(|t| vellum::diff::count_words(&t) as u64),
    };
    let change = match prev {
        None => None,
        Some(p) => match archive.cached_change(&p.key, &v.key)? {
            Some(c) => Some(c),
            None => match (text(&p.key)?, text(&v.key)?) {
                (Some(a), Some(b)) => {
                    let d = vellum::diff::diff(&a, &b, &Default::default());
                    Some((d.stats.words_added as u64, d.stats.words_removed as u64))
                }
                _ => None,
            },
        },
    };
    Ok((words, change))
}

fn log_versions(
    archive: &Archive,
    out: &mut dyn Write,
    versions: &[Version],
    json: bool,
) -> Result<(), CliError> {
    if !json {
        writeln!(
            out,
            "{:<5} {:<12}  {:<20}  {:<40} {:>7} {:>7} {:>7}",
            "@N", "CAPTURE", "CAPTURED", "SOURCE", "WORDS", "ADDED", "REMOVED"
        )?;
    }
    for (i, v) in versions.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &versions[p]);
        let (words, change) = stats(archive, prev, v)?;
        let origin = v
            .source
            .clone()
            .or_else(|| v.url.clone())
            .unwrap_or_default();
        if json {
            let j = serde_json::json!({
                "version": v.number, "capture": v.capture, "captured_at": fmt_time(v.captured_at),
                "source": v.source, "url": v.url, "title": v.title, "sightings": v.sightings,
                "words": words, "words_added": change.map(|c| c.0), "words_removed": change.map(|c| c.1),
            });
            writeln!(out, "{j}")?;
        } else {
            let opt =
                |n: Option<u64>, sign: &str| n.map_or("-".to_owned(), |n| format!("{sign}{n}"));
            writeln!(
                out,
                "{:<5} {:<12}  {:<20}  {:<40} {:>7} {:>7} {:>7}",
                format!("@{}", v.number),
                v.capture.0.short(),
                fmt_time(v.captured_at),
                origin,
                opt(words, ""),
                opt(change.map(|c| c.0), "+"),
                opt(change.map(|c| c.1), "-"),
            )?;
        }
    }
    Ok(())
}
