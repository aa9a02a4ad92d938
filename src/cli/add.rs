//! `vellum add PATH... | --batch FILE`

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use vellum::error::StoreError;
use vellum::ingest::batch::{self, parse_time};
use vellum::ingest::detect::Kind;
use vellum::ingest::extract::extractor_id;
use vellum::ingest::{DocName, PrepareHints, canon, prepare, slug};
use vellum::store::object::MAX_OBJECT_SIZE;
use vellum::store::{Added, Archive, CaptureExtra, NewCapture, Writer};

use super::web::{self, TypeArg};
use super::{CliError, Env, Exit, fmt_time};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum add capture.md --doc south-front --url https://example.org/a --at 2019-02-12T12:56:00Z
  curl -s https://example.org/a | vellum add - --doc south-front
  vellum add --batch imports.jsonl
  vellum add https://example.org/news/a            (fetched; document named from its canonical URL)
  vellum add saved-page.html --url https://example.org/news/a

Each capture prints `DOC@N CAPTURE_ID new`, or `DOC@N CAPTURE_ID unchanged` when its text
equals version N already archived (a new sighting is recorded, no new version).
Lines are printed only once the captures are durable.")]
pub struct AddArgs {
    /// Files to archive (`-` reads standard input), or http(s) URLs to fetch
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    paths: Vec<PathBuf>,
    /// JSON Lines file (`-` for stdin), one capture per line:
    /// {"path": ..., "doc": ..., "captured_at": ..., "url": ..., "source": ..., "title": ...}
    /// (path and doc required; relative paths are relative to the current directory).
    /// The whole batch is one durable commit.
    #[arg(long, value_name = "FILE")]
    batch: Option<PathBuf>,
    /// Document name [default: a slug of --url, else of the file name]
    #[arg(long)]
    doc: Option<String>,
    /// Where the capture came from
    #[arg(long)]
    url: Option<String>,
    /// Who published it (e.g. a site name); captures of one source share boilerplate
    #[arg(long)]
    source: Option<String>,
    /// Capture time, RFC 3339 (e.g. 2019-02-12T12:56:00Z) [default: now]
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<OffsetDateTime>,
    /// Title of the document
    #[arg(long)]
    title: Option<String>,
    /// One JSON object per line: doc, version, capture, status, captured_at
    #[arg(long)]
    json: bool,
    /// Treat inputs as this type instead of detecting it
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<TypeArg>,
    /// Decode text with this encoding (e.g. windows-1256) instead of detecting it
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// Archive a URL's answer even when it is not 2xx (flagged)
    #[arg(long)]
    keep_errors: bool,
    /// Seconds allowed for fetching each URL
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
}

/// Reads one input whole, refusing directories and anything over the limit.
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, CliError> {
    let limit = MAX_OBJECT_SIZE as u64;
    let too_big = |size: u64| {
        CliError::new(format!(
            "{}: {size} bytes is over the {limit}-byte limit per capture; nothing was archived",
            path.display()
        ))
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| CliError::new(format!("reading standard input: {e}")))?;
        if buf.len() as u64 > limit {
            return Err(too_big(buf.len() as u64));
        }
        return Ok(buf);
    }
    let cannot = |e: std::io::Error| {
        CliError::new(format!(
            "cannot read {}: {e}; nothing was archived",
            path.display()
        ))
    };
    let meta = std::fs::metadata(path).map_err(cannot)?;
    if meta.is_dir() {
        return Err(CliError::new(format!(
            "{} is a directory; give the files inside it (or a --batch list); nothing was archived",
            path.display()
        )));
    }
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let f = std::fs::File::open(path).map_err(cannot)?;
    f.take(limit + 1).read_to_end(&mut buf).map_err(cannot)?;
    if buf.len() as u64 > limit {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

fn doc_for(doc: Option<&str>, url: Option<&str>, path: &Path) -> Result<DocName, CliError> {
    if let Some(d) = doc {
        return d.parse().map_err(|e| CliError::new(format!("{e}")));
    }
    if let Some(u) = url {
        return slug(u).ok_or_else(|| {
            CliError::new(format!(
                "cannot make a document name from {u:?}; give --doc"
            ))
        });
    }
    if path.as_os_str() == "-" {
        return Err(CliError::new(
            "reading standard input needs --doc (or --url) to name the document",
        ));
    }
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    slug(&stem).ok_or_else(|| {
        CliError::new(format!(
            "cannot make a document name from {}; give --doc",
            path.display()
        ))
    })
}

fn open_or_create(env: &Env) -> Result<Archive, CliError> {
    match Archive::open(&env.store) {
        Ok(a) => Ok(a),
        Err(StoreError::NoStore(_)) => {
            let (a, _) = Archive::init(&env.store)?;
            eprintln!("vellum: created a new store in {}", env.store.display());
            Ok(a)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run_add(env: &Env, args: AddArgs) -> Result<Exit, CliError> {
    let now = OffsetDateTime::now_utc();
    // Inputs are read while staging: a bad one aborts the whole command, the
    // writer rolls back, and nothing is archived.
    let archive = open_or_create(env)?;
    let mut writer = archive.writer(&mut || {
        eprintln!("vellum: waiting for another writer to finish…");
    })?;
    match &args.batch {
        Some(batch) => stage_batch(env, &args, &mut writer, batch, now)?,
        None => {
            for path in &args.paths {
                let arg = path.to_string_lossy();
                if web::is_url(&arg) {
                    stage_url(&mut writer, &args, &arg)?;
                    continue;
                }
                let doc = doc_for(args.doc.as_deref(), args.url.as_deref(), path)?;
                let bytes = read_input(path)?;
                let name_hint = path.to_string_lossy().into_owned();
                let (extra, page_title) = ingest(&args, &bytes, Some(&name_hint), None, None)?;
                warn_flag(&doc, &extra);
                writer.add_with(
                    NewCapture {
                        doc,
                        captured_at: args.at.unwrap_or(now),
                        bytes,
                        name_hint: Some(name_hint),
                        url: args.url.clone(),
                        source: args.source.clone(),
                        title: args.title.clone().or(page_title),
                    },
                    extra,
                )?;
            }
        }
    }
    let added = writer.prepare()?;
    cache_stats(writer.archive(), &added)?;
    writer.commit()?;
    let mut out = std::io::stdout().lock();
    for a in &added {
        print_added(&mut out, a, args.json)?;
    }
    Ok(Exit::Ok)
}

/// Reads one capture's bytes for the store: its text (decoded, or extracted
/// from HTML) and web metadata, plus the page's title.
fn ingest(
    args: &AddArgs,
    bytes: &[u8],
    name: Option<&str>,
    content_type: Option<&str>,
    page_url: Option<&str>,
) -> Result<(CaptureExtra, Option<String>), CliError> {
    let page_url = page_url.or(args.url.as_deref());
    let p = prepare(
        bytes,
        PrepareHints {
            forced_type: args.kind.map(Into::into),
            forced_encoding: web::encoding_arg(args.encoding.as_deref())?,
            name,
            content_type,
            page_url,
        },
    );
    let mut extra = CaptureExtra::default();
    match p.kind {
        // UTF-8 text: exactly what vellum always stored.
        Kind::Text if p.text_is_content && p.encoding.is_none() => {}
        Kind::Text => {
            extra.media_type = Some(p.media_type);
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            extra.no_text = p.text.is_none();
            extra.text = p.text;
        }
        Kind::Binary => {
            extra.media_type = Some(p.media_type);
            extra.no_text = true;
        }
        Kind::Html => {
            let article = p.article.unwrap_or_default();
            extra.media_type = Some(p.media_type);
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            extra.extractor = Some(extractor_id());
            extra.text = p.text;
            extra.flag = article.flag.clone();
            extra.canonical_url = article
                .canonical_url
                .as_deref()
                .and_then(|c| canon::canonicalize(c).ok())
                .map(|c| c.to_string());
            return Ok((extra, article.title));
        }
    }
    Ok((extra, None))
}

fn warn_flag(doc: &DocName, extra: &CaptureExtra) {
    if let Some(flag) = &extra.flag {
        eprintln!("vellum: warning: {doc}: {flag}; archived, flagged in its capture record");
    }
}

/// Fetches a URL and stages its capture. A non-2xx answer aborts the whole
/// command (nothing archived) unless `--keep-errors`.
fn stage_url(writer: &mut Writer<'_>, args: &AddArgs, arg: &str) -> Result<(), CliError> {
    let fetched_at = OffsetDateTime::now_utc();
    let f = web::fetch(arg, args.timeout)?;
    if !f.is_success() && !args.keep_errors {
        return Err(web::status_error(
            &f,
            "nothing was archived (--keep-errors archives such answers, flagged)",
        ));
    }
    let final_url = f.final_url.to_string();
    let (mut extra, page_title) = ingest(
        args,
        &f.body,
        Some(&final_url),
        f.header("content-type"),
        Some(&final_url),
    )?;
    let canonical = canon::choose_canonical(&f.final_url, extra.canonical_url.as_deref());
    let doc = match &args.doc {
        Some(d) => d.parse().map_err(|e| CliError::new(format!("{e}")))?,
        None => canon::doc_name_for_url(&canonical),
    };
    if !f.is_success() {
        extra.flag = Some(
            format!("HTTP {} {}", f.status, f.reason)
                .trim_end()
                .to_owned(),
        );
    }
    if let Some(prev) = web::document_canonical_url(writer.archive(), &doc)?
        && prev != canonical.as_str()
    {
        eprintln!(
            "vellum: warning: {doc} is the document of {prev}, this page's canonical URL is {canonical}; \
             check --doc (without it, each canonical URL gets its own document)"
        );
    }
    extra.canonical_url = Some(canonical.to_string());
    extra.http = Some(web::http_record(&f, fetched_at));
    warn_flag(&doc, &extra);
    writer.add_with(
        NewCapture {
            doc,
            captured_at: args.at.unwrap_or(fetched_at),
            bytes: f.body,
            name_hint: Some(final_url),
            url: Some(arg.trim().to_owned()),
            source: args.source.clone(),
            title: args.title.clone().or(page_title),
        },
        extra,
    )?;
    Ok(())
}

fn stage_batch(
    env: &Env,
    args: &AddArgs,
    writer: &mut Writer<'_>,
    batch: &Path,
    now: OffsetDateTime,
) -> Result<(), CliError> {
    let reader: Box<dyn BufRead> = if batch.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f = std::fs::File::open(batch).map_err(|e| {
            CliError::new(format!("cannot read batch file {}: {e}", batch.display()))
        })?;
        Box::new(std::io::BufReader::new(f))
    };
    let mut staged = 0usize;
    for (i, line) in reader.lines().enumerate() {
        let n = i + 1;
        let at_line =
            |msg: String| CliError::new(format!("batch line {n}: {msg}; nothing was archived"));
        let line = line.map_err(|e| at_line(format!("unreadable ({e})")))?;
        let Some(b) = batch::parse_line(&line).map_err(|e| at_line(e.to_string()))? else {
            continue;
        };
        let captured_at = b.time(now).map_err(at_line)?;
        let bytes = read_input(&b.path).map_err(|e| at_line(e.to_string()))?;
        let name_hint = b.path.to_string_lossy().into_owned();
        let (extra, page_title) = ingest(args, &bytes, Some(&name_hint), None, b.url.as_deref())
            .map_err(|e| at_line(e.to_string()))?;
        warn_flag(&b.doc, &extra);
        writer
            .add_with(
                NewCapture {
                    doc: b.doc,
                    captured_at,
                    bytes,
                    name_hint: Some(name_hint),
                    url: b.url,
                    source: b.source,
                    title: b.title.or(page_title),
                },
                extra,
            )
            .map_err(|e| at_line(e.to_string()))?;
        staged += 1;
        if env.stderr_is_terminal && staged.is_multiple_of(100) {
            eprint!("\rvellum: {staged} captures staged…");
        }
    }
    if env.stderr_is_terminal && staged >= 100 {
        eprintln!("\rvellum: {staged} captures staged, committing…");
    }
    Ok(())
}

/// Word counts for `log DOC`, cached inside the write so readers never diff history.
fn cache_stats(archive: &Archive, added: &[Added]) -> Result<(), CliError> {
    for a in added {
        let Some(text_id) = a.text else { continue };
        let mut words = archive.cached_words(&text_id)?;
        if let Some(prev) = a.previous_text
            && archive.cached_change(&prev, &text_id)?.is_none()
        {
            let old = archive.read_object(&prev)?;
            let new = archive.read_object(&text_id)?;
            let d = vellum::diff::diff(
                &String::from_utf8_lossy(&old),
                &String::from_utf8_lossy(&new),
                &Default::default(),
            );
            let (added, removed) = (d.stats.words_added as u64, d.stats.words_removed as u64);
            archive.cache_change(&prev, &text_id, added, removed)?;
            if words.is_none() {
                // The diff counted the new text already.
                archive.cache_words(&text_id, d.stats.words_new as u64)?;
                words = Some(d.stats.words_new as u64);
            }
        }
        if words.is_none() {
            let text = archive.read_object(&text_id)?;
            let n = vellum::diff::count_words(&String::from_utf8_lossy(&text));
            archive.cache_words(&text_id, n as u64)?;
        }
    }
    Ok(())
}

fn print_added(out: &mut dyn Write, a: &Added, json: bool) -> std::io::Result<()> {
    if json {
        let v = serde_json::json!({
            "doc": a.doc,
            "version": a.version,
            "capture": a.capture,
            "status": a.status,
            "captured_at": fmt_time(a.captured_at),
        });
        writeln!(out, "{v}")
    } else {
        let status = match a.status {
            vellum::store::Status::New => "new",
            vellum::store::Status::Unchanged => "unchanged",
        };
        writeln!(out, "{}@{} {} {status}", a.doc, a.version, a.capture)
    }
}
