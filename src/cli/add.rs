//! `vellum add PATH... | --batch FILE`

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use vellum::error::StoreError;
use vellum::ingest::batch::{self, BatchLine, Problem, default_doc};
use vellum::ingest::detect::Kind;
use vellum::ingest::extract::extractor_id;
use vellum::ingest::{DocName, PrepareHints, canon, prepare};
use vellum::store::object::MAX_OBJECT_SIZE;
use vellum::store::{Added, Archive, CaptureExtra, CaptureText, NewCapture, Writer};
use vellum::when::{parse_time, to_second};

use super::progress::{Progress, Spinner};
use super::web::{self, TypeArg};
use super::{CliError, Env, Exit, fmt_time};

/// Bad batch lines shown before the rest are only counted.
const MAX_BAD_LINES_SHOWN: usize = 20;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum add capture.md --doc south-front --url https://example.org/a --at 2019-02-12T12:56:00Z
  curl -s https://example.org/a | vellum add - --doc south-front
  vellum add https://example.org/news/a            (fetched; document named from its canonical URL)
  vellum add saved-page.html --url https://example.org/news/a
  vellum add --batch imports.jsonl

Each capture prints `DOC@N CAPTURE_ID new`, or `DOC@N CAPTURE_ID unchanged` when its text
equals version N already archived (a new sighting is recorded, no new version).
Lines are printed only once the captures are durable.

A batch line: {\"path\": \"a.md\", \"doc\": \"south-front\", \"captured_at\": \"2019-02-12T12:56\",
\"url\": ..., \"source\": ..., \"title\": ..., \"meta\": {\"job\": \"42\"}}. Only path is required;
doc defaults as for a single add; meta (up to 32 string values) is kept in the capture record
(`vellum show DOC --meta`). Every bad line is reported, and then nothing is archived.")]
pub struct AddArgs {
    /// Files to archive (`-` reads standard input), or http(s) URLs to fetch
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    paths: Vec<PathBuf>,
    /// JSON Lines file (`-` for stdin), one capture per line (see below); relative paths
    /// are relative to the current directory. The whole batch is one durable commit.
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
    /// Capture time: 2019-02-12, 2019-02-12T12:56, 2019-02-12 12:56:00+01:00 or RFC 3339;
    /// a time without a zone is UTC [default: now, to the second]
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

impl AddArgs {
    /// `add URL` with its defaults, for archiving a feed's items (`watch`).
    pub(super) fn for_url(timeout: u64) -> AddArgs {
        AddArgs {
            paths: Vec::new(),
            batch: None,
            doc: None,
            url: None,
            source: None,
            at: None,
            title: None,
            json: false,
            kind: None,
            encoding: None,
            keep_errors: false,
            timeout,
        }
    }
}

/// Reads one input whole, refusing directories and anything over the limit.
/// The message names the input and says what is wrong with it.
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let limit = MAX_OBJECT_SIZE as u64;
    let too_big = |size: u64| {
        format!(
            "{}: {size} bytes is over the {limit}-byte limit per capture",
            path.display()
        )
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        if buf.len() as u64 > limit {
            return Err(too_big(buf.len() as u64));
        }
        return Ok(buf);
    }
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    check_input(path)?;
    let f = std::fs::File::open(path).map_err(cannot)?;
    f.take(limit + 1).read_to_end(&mut buf).map_err(cannot)?;
    if buf.len() as u64 > limit {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

/// Whether a file can be archived, as far as its metadata tells.
fn check_input(path: &Path) -> Result<(), String> {
    let limit = MAX_OBJECT_SIZE as u64;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_dir() {
        return Err(format!(
            "{} is a directory; give the files inside it (or a --batch list)",
            path.display()
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "{}: {} bytes is over the {limit}-byte limit per capture",
            path.display(),
            meta.len()
        ));
    }
    Ok(())
}

fn doc_for(doc: Option<&str>, url: Option<&str>, path: &Path) -> Result<DocName, CliError> {
    if let Some(d) = doc {
        return DocName::normalized(d).map_err(|e| CliError::new(format!("{e}")));
    }
    if url.is_none() && path.as_os_str() == "-" {
        return Err(CliError::new(
            "reading standard input needs --doc (or --url) to name the document",
        ));
    }
    default_doc(url, Some(path)).ok_or_else(|| {
        let from = url.map_or_else(|| path.display().to_string(), |u| format!("{u:?}"));
        CliError::new(format!(
            "cannot make a document name from {from}; give --doc"
        ))
    })
}

pub(super) fn open_or_create(env: &Env) -> Result<Archive, CliError> {
    match Archive::open_writable(&env.store) {
        Ok((a, upgraded)) => {
            if upgraded {
                eprintln!(
                    "vellum: rebuilt the catalog of {} written by an older vellum",
                    env.store.display()
                );
            }
            Ok(a)
        }
        Err(StoreError::NoStore(_)) => {
            let (a, _) = Archive::init(&env.store)?;
            if env.notes {
                eprintln!("vellum: created a new store in {}", env.store.display());
            }
            Ok(a)
        }
        Err(e) => Err(e.into()),
    }
}

pub fn run_add(env: &Env, args: AddArgs) -> Result<Exit, CliError> {
    let now = to_second(OffsetDateTime::now_utc());
    let captures = match &args.batch {
        Some(batch) => read_batch(batch, now)?,
        None => read_paths(&args, now)?,
    };
    if captures.is_empty() {
        if env.notes {
            eprintln!("vellum: the batch holds no captures; nothing to archive");
        }
        return Ok(Exit::Ok);
    }
    // Everything was read and checked before the store is opened (or
    // created): bad input leaves no trace. The writer rolls back on any
    // later error, and nothing is archived.
    let archive = open_or_create(env)?;
    let notes = env.notes;
    let mut writer = archive.writer(&mut || {
        if notes {
            eprintln!("vellum: waiting for another writer to finish…");
        }
    })?;
    let total = captures.len();
    let mut progress = Progress::new(env, "archiving captures");
    for (i, c) in captures.into_iter().enumerate() {
        stage(&args, &mut writer, c)?;
        progress.update(i + 1, total);
    }
    drop(progress);
    let spinner = Spinner::start(env, format!("committing {total} capture(s)"));
    let added = writer.prepare()?;
    vellum::query::cache_stats(writer.archive(), &added)?;
    writer.commit()?;
    drop(spinner);
    // Acknowledged as soon as archived; the derived indexes (caches that
    // catch up by themselves when queried) follow.
    let mut out = std::io::stdout().lock();
    for a in &added {
        print_added(&mut out, a, args.json)?;
    }
    out.flush()?;
    drop(out);
    super::similar::update_index(env);
    super::search::refresh_index(env, false);
    Ok(Exit::Ok)
}

/// Stages one capture read and checked (a file, a batch line or a fetched
/// URL): its text, the document of its canonical URL, warnings. `watch`
/// archives feed items through this too.
pub(super) fn stage(args: &AddArgs, writer: &mut Writer<'_>, c: Pending) -> Result<(), CliError> {
    let (line, path) = (c.line, c.path);
    let bytes = match c.bytes {
        Some(b) => b,
        None => read_input(&path).map_err(|e| c_err(line, "path", e))?,
    };
    let mut capture = c.capture;
    let got = match c.ingested {
        Some(fetched) => fetched,
        None => {
            let mut got = ingest(
                args,
                &bytes,
                c.name.as_deref(),
                None,
                capture.url.as_deref(),
            )
            .map_err(|e| c_err(line, "path", e.to_string()))?;
            saved_page_canonical(&mut got, &mut capture, c.auto_doc);
            got
        }
    };
    let extra = got.extra;
    // A web page (fetched, or saved with the URL it came from) whose
    // canonical URL already has a document lands in it.
    let web = extra.http.is_some() || capture.url.is_some();
    if let Some(canonical) = extra.canonical_url.as_deref().filter(|_| web) {
        if c.auto_doc
            && let Some(doc) = writer.archive().doc_for_canonical_url(canonical)?
        {
            capture.doc = doc;
        }
        warn_other_canonical(writer, &capture.doc, canonical)?;
    }
    warn_flag(&capture.doc, &extra);
    let title = capture.title.clone().or(got.title);
    writer
        .add_with(
            NewCapture {
                bytes,
                title,
                media_type: got.media_type,
                text: got.text,
                ..capture
            },
            extra,
        )
        .map_err(|e| match line {
            Some(n) => CliError::new(format!(
                "batch line {n}: {}; nothing was archived",
                super::store_message(&e)
            )),
            None => CliError::new(format!(
                "{}: {}; nothing was archived",
                path.display(),
                super::store_message(&e)
            )),
        })?;
    Ok(())
}

/// An error reading one input: names the batch line and field, or the path.
fn c_err(line: Option<usize>, field: &str, e: String) -> CliError {
    match line {
        Some(n) => CliError::new(format!(
            "batch line {n}: {field}: {e}; nothing was archived"
        )),
        None => CliError::new(format!("{e}; nothing was archived")),
    }
}

/// A capture read and checked, waiting for the writer.
pub(super) struct Pending {
    /// Its batch line, if it comes from a batch.
    line: Option<usize>,
    path: PathBuf,
    /// Read up front for single files and stdin; batch files are read while
    /// staging, one at a time, so a large import is never all in memory.
    bytes: Option<Vec<u8>>,
    /// Everything else (its `bytes` are filled in when staged).
    pub(super) capture: NewCapture,
    /// A file name or URL: hints the media type.
    name: Option<String>,
    /// For a fetched URL: what ingest made of the answer.
    pub(super) ingested: Option<Ingested>,
    /// The document is derived (no `--doc`): a web page's canonical URL
    /// may name an existing one instead.
    auto_doc: bool,
}

fn read_paths(args: &AddArgs, now: OffsetDateTime) -> Result<Vec<Pending>, CliError> {
    let mut out = Vec::new();
    for path in &args.paths {
        let arg = path.to_string_lossy();
        if web::is_url(&arg) {
            out.push(fetch_url(args, &arg)?);
            continue;
        }
        let doc = doc_for(args.doc.as_deref(), args.url.as_deref(), path)?;
        let bytes = read_input(path).map_err(|e| c_err(None, "path", e))?;
        if bytes.is_empty() && path.as_os_str() == "-" {
            eprintln!(
                "vellum: warning: standard input was empty (did the command before the pipe fail?); \
                 archiving an empty capture of {doc}"
            );
        }
        out.push(Pending {
            line: None,
            path: path.clone(),
            bytes: Some(bytes),
            capture: NewCapture {
                doc,
                captured_at: args.at.unwrap_or(now),
                bytes: Vec::new(),
                media_type: String::new(), // set once the bytes are read
                text: CaptureText::None,
                url: args.url.clone(),
                source: args.source.clone(),
                title: args.title.clone(),
                meta: Default::default(),
            },
            name: Some(path.to_string_lossy().into_owned()),
            ingested: None,
            auto_doc: args.doc.is_none(),
        });
    }
    Ok(out)
}

/// Reads and checks a whole batch. Every bad line is reported (the first
/// [`MAX_BAD_LINES_SHOWN`], then a count); then the batch fails.
fn read_batch(batch: &Path, now: OffsetDateTime) -> Result<Vec<Pending>, CliError> {
    let text = if batch.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| CliError::new(format!("reading the batch from standard input: {e}")))?;
        buf
    } else {
        std::fs::read(batch).map_err(|e| {
            CliError::new(format!("cannot read batch file {}: {e}", batch.display()))
        })?
    };
    let mut good = Vec::new();
    let mut bad: Vec<(usize, Vec<Problem>)> = Vec::new();
    let mut lines = 0;
    for (i, raw) in text.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        let Ok(line) = std::str::from_utf8(raw) else {
            bad.push((n, vec![Problem::new(None, "not UTF-8 text")]));
            continue;
        };
        let line = line.strip_suffix('\r').unwrap_or(line);
        match batch::parse_line(line) {
            Ok(None) => {}
            Ok(Some(b)) => {
                lines += 1;
                if b.path.as_os_str() == "-" {
                    bad.push((
                        n,
                        vec![Problem::new(
                            Some("path"),
                            "\"-\" (standard input) cannot be used in a batch; name a file",
                        )],
                    ));
                } else if let Err(e) = check_input(&b.path) {
                    bad.push((n, vec![Problem::new(Some("path"), e)]));
                } else {
                    good.push(pending(n, b, now));
                }
            }
            Err(problems) => {
                lines += 1;
                bad.push((n, problems));
            }
        }
    }
    if bad.is_empty() {
        return Ok(good);
    }
    for (n, problems) in bad.iter().take(MAX_BAD_LINES_SHOWN) {
        for p in problems {
            eprintln!("vellum: batch line {n}: {p}");
        }
    }
    if bad.len() > MAX_BAD_LINES_SHOWN {
        eprintln!(
            "vellum: … and {} more bad line(s)",
            bad.len() - MAX_BAD_LINES_SHOWN
        );
    }
    Err(CliError::new(format!(
        "nothing was archived: {} of {lines} line(s) in {} {} bad; fix {} and run the batch again",
        bad.len(),
        if batch.as_os_str() == "-" {
            "the batch".to_owned()
        } else {
            batch.display().to_string()
        },
        if bad.len() == 1 { "is" } else { "are" },
        if bad.len() == 1 { "it" } else { "them" },
    )))
}

fn pending(n: usize, b: BatchLine, now: OffsetDateTime) -> Pending {
    Pending {
        line: Some(n),
        bytes: None,
        capture: NewCapture {
            doc: b.doc.clone(),
            captured_at: b.time(now),
            bytes: Vec::new(),
            media_type: String::new(), // set once the bytes are read
            text: CaptureText::None,
            url: b.url,
            source: b.source,
            title: b.title,
            meta: b.meta,
        },
        name: Some(b.path.to_string_lossy().into_owned()),
        path: b.path,
        ingested: None,
        auto_doc: false,
    }
}

/// Reads one capture's bytes for the store: its text (decoded, or extracted
/// from HTML) and web metadata, plus the page's title.
fn ingest(
    args: &AddArgs,
    bytes: &[u8],
    name: Option<&str>,
    content_type: Option<&str>,
    page_url: Option<&str>,
) -> Result<Ingested, CliError> {
    Ok(ingest_with(
        bytes,
        PrepareHints {
            forced_type: args.kind.map(Into::into),
            forced_encoding: web::encoding_arg(args.encoding.as_deref())?,
            name,
            content_type,
            page_url: page_url.or(args.url.as_deref()),
        },
    ))
}

/// What ingest made of a capture's bytes.
pub(super) struct Ingested {
    pub media_type: String,
    pub text: CaptureText,
    /// Web metadata for the record.
    pub extra: CaptureExtra,
    /// The page's title, when it has one.
    pub title: Option<String>,
}

/// What ingest makes of a capture's bytes (its text, decoded or extracted
/// from HTML, its media type and web metadata), and the page's title: the
/// same for `add` and `import`.
pub(super) fn ingest_with(bytes: &[u8], hints: PrepareHints<'_>) -> Ingested {
    let name = hints.name;
    let p = prepare(bytes, hints);
    let mut extra = CaptureExtra::default();
    let text_of = |t: Option<String>| t.map_or(CaptureText::None, CaptureText::Extracted);
    let (media_type, text, title) = match p.kind {
        // UTF-8 text: exactly what vellum always stored (and so the same
        // records and capture ids).
        Kind::Text if p.text_is_content && p.encoding.is_none() => {
            let (media_type, text) = vellum::ingest::describe(name, bytes);
            (media_type, text, None)
        }
        Kind::Text => {
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            (p.media_type, text_of(p.text), None)
        }
        Kind::Binary => (p.media_type, CaptureText::None, None),
        Kind::Html => {
            let article = p.article.unwrap_or_default();
            extra.encoding = p.encoding.map(|e| e.name().to_owned());
            extra.extractor = Some(extractor_id());
            extra.flag = article.flag.clone();
            extra.canonical_url = article
                .canonical_url
                .as_deref()
                .and_then(|c| canon::canonicalize(c).ok())
                .map(|c| c.to_string());
            (p.media_type, text_of(p.text), article.title)
        }
    };
    Ingested {
        media_type,
        text,
        extra,
        title,
    }
}

/// A saved HTML page with the URL it came from (`add page.html --url URL`):
/// its canonical URL is chosen as for a fetched page, and names its document
/// unless `--doc` did.
fn saved_page_canonical(got: &mut Ingested, capture: &mut NewCapture, auto_doc: bool) {
    let extra = &mut got.extra;
    let Some(given) = extra
        .extractor
        .as_ref()
        .and(capture.url.as_deref())
        .and_then(|u| canon::canonicalize(u).ok())
    else {
        return;
    };
    let canonical = canon::choose_canonical(&given, extra.canonical_url.as_deref());
    if auto_doc {
        capture.doc = canon::doc_name_for_url(&canonical);
    }
    extra.canonical_url = Some(canonical.to_string());
}

fn warn_flag(doc: &DocName, extra: &CaptureExtra) {
    if let Some(flag) = &extra.flag {
        eprintln!("vellum: warning: {doc}: {flag}; archived, flagged in its capture record");
    }
    let mixed = doc.confusable_parts();
    if !mixed.is_empty() {
        eprintln!(
            "vellum: warning: the document name {doc} mixes scripts in {} (it may be mistaken for another name)",
            mixed.join(", ")
        );
    }
}

/// Fetches a URL before anything is archived (a failed fetch leaves no
/// trace). A non-2xx answer fails the whole command unless `--keep-errors`,
/// which archives it flagged.
pub(super) fn fetch_url(args: &AddArgs, arg: &str) -> Result<Pending, CliError> {
    let fetched_at = to_second(OffsetDateTime::now_utc());
    let f = web::fetch(arg, args.timeout)?;
    if !f.is_success() && !args.keep_errors {
        return Err(web::status_error(
            &f,
            "nothing was archived (--keep-errors archives such answers, flagged)",
        ));
    }
    let final_url = f.final_url.to_string();
    let mut got = ingest(
        args,
        &f.body,
        Some(&final_url),
        f.header("content-type"),
        Some(&final_url),
    )?;
    let extra = &mut got.extra;
    let canonical = canon::choose_canonical(&f.final_url, extra.canonical_url.as_deref());
    let doc = match &args.doc {
        Some(d) => DocName::normalized(d).map_err(|e| CliError::new(format!("{e}")))?,
        None => canon::doc_name_for_url(&canonical),
    };
    if !f.is_success() {
        extra.flag = Some(
            format!("HTTP {} {}", f.status, f.reason)
                .trim_end()
                .to_owned(),
        );
    }
    extra.canonical_url = Some(canonical.to_string());
    extra.http = Some(web::http_record(&f, fetched_at));
    got.title = args.title.clone().or(got.title);
    Ok(Pending {
        line: None,
        path: PathBuf::from(arg),
        bytes: Some(f.body),
        capture: NewCapture {
            doc,
            captured_at: args.at.unwrap_or(fetched_at),
            bytes: Vec::new(),
            media_type: String::new(), // from `ingested`
            text: CaptureText::None,
            url: Some(arg.trim().to_owned()),
            source: args.source.clone(),
            title: args.title.clone(),
            meta: Default::default(),
        },
        name: Some(final_url),
        ingested: Some(got),
        auto_doc: args.doc.is_none(),
    })
}

/// Warns when a fetched page lands in a document whose latest version came
/// from another canonical URL (only `--doc` can do that).
fn warn_other_canonical(
    writer: &Writer<'_>,
    doc: &DocName,
    canonical: &str,
) -> Result<(), CliError> {
    if let Some(prev) = web::document_canonical_url(writer.archive(), doc)?
        && prev != canonical
    {
        eprintln!(
            "vellum: warning: {doc} is the document of {prev}, this page's canonical URL is {canonical}; \
             check --doc (without it, each canonical URL gets its own document)"
        );
    }
    Ok(())
}

pub(super) fn print_added(out: &mut dyn Write, a: &Added, json: bool) -> std::io::Result<()> {
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
        let (version, status) = match a.status {
            vellum::store::Status::New => (a.version.to_string(), "new"),
            vellum::store::Status::Unchanged => (a.version.to_string(), "unchanged"),
            // Listed among the captures, no version's.
            vellum::store::Status::Flagged => ("-".to_owned(), "flagged"),
        };
        writeln!(out, "{}@{version} {} {status}", a.doc, a.capture)
    }
}
