//! `vellum import FILE...`: captures out of WARC files, in one durable commit.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use vellum::id::ObjectId;
use vellum::ingest::PrepareHints;
use vellum::ingest::{DocName, canon, slug};
use vellum::store::object::MAX_OBJECT_SIZE;
use vellum::store::{CaptureRecord, NewCapture, Status, Writer};
use vellum::warc::Digest;
use vellum::warc::WarcError;
use vellum::warc::import::{Found, Item, Revisit, Skip, interpret, name_hint};
use vellum::warc::read::{Options, Position, Reader, record_at};

use super::add::print_added;
use super::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum import crawl.warc.gz
  vellum import --partial damaged.warc
  vellum import --json a.warc b.warc.gz | jq .

Reads WARC 1.0 and 1.1 (.warc, .warc.gz with a gzip member per record or one for the
whole file). `response` records with a 2xx status and `resource` records become captures
(document named from WARC-Target-URI, time from WARC-Date); `revisit` records become
captures of the payload they point to (earlier in the files, or already archived);
request, metadata and warcinfo records are skipped and counted. Payload and block
digests are checked: a record whose digest does not match is not archived.

All files are one durable commit: a broken record (truncated file, wrong
Content-Length, bad chunked encoding, bad gzip) stops the import and nothing is
archived, unless --partial is given. Each capture then prints `DOC@N CAPTURE_ID new`
(or `unchanged`), then a summary. Exit 1 when a record was refused for a bad digest.")]
pub struct ImportArgs {
    /// WARC files (.warc, .warc.gz)
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// On broken input, archive every good record before it (never half a
    /// record) instead of nothing
    #[arg(long)]
    partial: bool,
    /// Archive records whose digests do not match, flagged, listed among DOC's captures, never a version
    /// (never as a version of DOC)
    #[arg(long)]
    accept_bad_digests: bool,
    /// One JSON object per capture, then {"summary": …}
    #[arg(long)]
    json: bool,
}

/// Payload bytes kept in memory for revisits within the import; past this,
/// a revisited record is read again from its file.
const KEPT_FOR_REVISITS: usize = 128 << 20;

/// Payload bytes and media type.
type Payload = (Arc<Vec<u8>>, Option<String>);

/// A payload seen in this import, for revisits that point to it.
struct Seen {
    content: ObjectId,
    media_type: Option<String>,
    bytes: Option<Arc<Vec<u8>>>,
    file: PathBuf,
    at: Position,
}

#[derive(Default)]
struct Seens {
    list: Vec<Seen>,
    by_record: HashMap<String, usize>,
    by_digest: HashMap<Digest, usize>,
    kept: usize,
}

/// A capture read but not yet staged: vellum's own metadata record about it
/// may follow.
struct Pending {
    file: PathBuf,
    at: Position,
    record_id: Option<String>,
    url: Option<String>,
    date: time::OffsetDateTime,
    media_type: Option<String>,
    payload: Arc<Vec<u8>>,
    bad: Vec<String>,
    vellum: Option<CaptureRecord>,
}

#[derive(Default, serde::Serialize)]
struct Summary {
    records: u64,
    new: u64,
    unchanged: u64,
    flagged: u64,
    skipped: BTreeMap<String, u64>,
    bad_digests: u64,
}

struct Import<'a, 'w> {
    writer: &'a mut Writer<'w>,
    accept_bad: bool,
    seen: Seens,
    summary: Summary,
    staged: usize,
}

fn open_reader(path: &Path) -> Result<Reader<BufReader<std::fs::File>>, CliError> {
    let cannot = |e: std::io::Error| {
        CliError::new(format!(
            "cannot read {}: {e}; nothing was archived",
            path.display()
        ))
    };
    let f = std::fs::File::open(path).map_err(cannot)?;
    if f.metadata().map_err(cannot)?.is_dir() {
        return Err(CliError::new(format!(
            "{} is a directory; give the WARC files inside it; nothing was archived",
            path.display()
        )));
    }
    Reader::new(BufReader::with_capacity(256 << 10, f), Options::default()).map_err(cannot)
}

pub fn run_import(env: &Env, args: ImportArgs) -> Result<Exit, CliError> {
    let archive = env.open_or_create()?;
    let mut writer = archive.writer(&mut || {
        eprintln!("vellum: waiting for another writer to finish…");
    })?;
    let mut imp = Import {
        writer: &mut writer,
        accept_bad: args.accept_bad_digests,
        seen: Seens::default(),
        summary: Summary::default(),
        staged: 0,
    };
    let mut broken: Option<String> = None;
    for file in &args.files {
        match imp.file(file, env)? {
            Ok(()) => {}
            Err(e) => {
                let staged = imp.staged;
                if !args.partial {
                    return Err(CliError::new(format!(
                        "{}: {e}\nnothing was archived; --partial archives the {staged} good captures before this record",
                        file.display()
                    )));
                }
                broken = Some(format!(
                    "{}: {e}\nthe {staged} good captures before this record were archived, nothing after it",
                    file.display()
                ));
                break;
            }
        }
    }
    let mut summary = std::mem::take(&mut imp.summary);
    let added = writer.prepare()?;
    vellum::query::cache_stats(writer.archive(), &added)?;
    writer.commit()?;
    super::similar::update_index(env);
    let mut out = std::io::stdout().lock();
    for a in &added {
        match a.status {
            Status::New => summary.new += 1,
            Status::Unchanged => summary.unchanged += 1,
            // Counted as flagged when staged.
            Status::Flagged => {}
        }
        print_added(&mut out, a, args.json)?;
    }
    print_summary(&mut out, &summary, args.json)?;
    drop(out);
    super::search::refresh_index(env, false);
    if let Some(b) = broken {
        return Err(CliError::new(b));
    }
    Ok(if summary.bad_digests > summary.flagged {
        Exit::Found
    } else {
        Exit::Ok
    })
}

fn print_summary(out: &mut dyn Write, s: &Summary, json: bool) -> std::io::Result<()> {
    if json {
        return writeln!(out, "{}", serde_json::json!({ "summary": s }));
    }
    let skipped: Vec<String> = s.skipped.iter().map(|(k, n)| format!("{n} {k}")).collect();
    writeln!(
        out,
        "{} records: captures {} new, {} unchanged{}; skipped {}; bad digests {}",
        s.records,
        s.new,
        s.unchanged,
        if s.flagged > 0 {
            format!(" ({} flagged)", s.flagged)
        } else {
            String::new()
        },
        if skipped.is_empty() {
            "none".to_owned()
        } else {
            skipped.join(", ")
        },
        s.bad_digests
    )
}

impl Import<'_, '_> {
    /// Reads one file. The outer error is the store's; the inner one is
    /// broken input (the caller decides between nothing and --partial).
    fn file(&mut self, path: &Path, env: &Env) -> Result<Result<(), WarcError>, CliError> {
        let mut reader = open_reader(path)?;
        let mut pending: Option<Pending> = None;
        loop {
            let rec = match reader.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => break,
                Err(e) => {
                    // The pending capture's record was read whole.
                    self.stage(pending.take())?;
                    return Ok(Err(e));
                }
            };
            self.summary.records += 1;
            let item = match interpret(rec, MAX_OBJECT_SIZE) {
                Ok(i) => i,
                Err(e) => {
                    self.stage(pending.take())?;
                    return Ok(Err(e));
                }
            };
            match item {
                Item::Capture(found) => {
                    self.stage(pending.take())?;
                    pending = Some(self.found(path, found));
                }
                Item::Revisit(rv) => {
                    self.stage(pending.take())?;
                    pending = self.revisit(path, rv)?;
                }
                Item::Vellum { refers_to, record } => match pending.as_mut() {
                    Some(p) if refers_to.is_some() && p.record_id == refers_to => {
                        p.vellum = Some(*record);
                    }
                    _ => self.skip("metadata"),
                },
                Item::Skipped { why, at } => {
                    // Pages that are not archived, say so as they are met.
                    match &why {
                        Skip::TooLarge(n) => eprintln!(
                            "vellum: {}: {at}: {n} bytes is over the {MAX_OBJECT_SIZE}-byte limit per capture; skipped",
                            path.display()
                        ),
                        Skip::Encoding(e) => eprintln!(
                            "vellum: {}: {at}: content-encoding {e:?} cannot be decoded; skipped",
                            path.display()
                        ),
                        _ => {}
                    }
                    self.skip(&match why {
                        Skip::Type(t) => t,
                        Skip::Status(s) => format!("status {s}"),
                        Skip::TooLarge(_) => "over the size limit".into(),
                        Skip::Encoding(e) => format!("content-encoding {e}"),
                    })
                }
            }
            if env.progress && self.summary.records.is_multiple_of(1000) {
                eprint!("\rvellum: {} records read…", self.summary.records);
            }
        }
        self.stage(pending.take())?;
        Ok(Ok(()))
    }

    fn skip(&mut self, what: &str) {
        *self.summary.skipped.entry(what.to_owned()).or_default() += 1;
    }

    fn found(&mut self, path: &Path, f: Found) -> Pending {
        let payload = Arc::new(f.payload);
        let content = ObjectId::of(&payload);
        let keep = self.seen.kept + payload.len() <= KEPT_FOR_REVISITS;
        if keep {
            self.seen.kept += payload.len();
        }
        let i = self.seen.list.len();
        self.seen.list.push(Seen {
            content,
            media_type: f.media_type.clone(),
            bytes: keep.then(|| Arc::clone(&payload)),
            file: path.to_owned(),
            at: f.at,
        });
        if let Some(id) = &f.record_id {
            self.seen.by_record.insert(id.clone(), i);
        }
        if let Some(d) = f.payload_digest {
            self.seen.by_digest.insert(d, i);
        }
        // Revisits name the payload by the digest the crawler declared (over
        // the body as sent) or, from other tools, by sha1 of the entity.
        self.seen
            .by_digest
            .insert(Digest::of(vellum::warc::Algorithm::Sha1, &payload), i);
        Pending {
            file: path.to_owned(),
            at: f.at,
            record_id: f.record_id,
            url: f.url,
            date: f.date,
            media_type: f.media_type,
            payload,
            bad: f.bad_digests,
            vellum: None,
        }
    }

    /// The payload a revisit points to: earlier in this import, or archived.
    fn revisit(&mut self, path: &Path, rv: Revisit) -> Result<Option<Pending>, CliError> {
        let hit = rv
            .refers_to
            .as_ref()
            .and_then(|id| self.seen.by_record.get(id))
            .or_else(|| {
                rv.payload_digest
                    .as_ref()
                    .and_then(|d| self.seen.by_digest.get(d))
            })
            .copied();
        let (payload, media_type) = match hit {
            Some(i) => {
                let seen = &self.seen.list[i];
                let bytes = match &seen.bytes {
                    Some(b) => Arc::clone(b),
                    None => Arc::new(reread(&seen.file, seen.at)?),
                };
                if ObjectId::of(&bytes) != seen.content {
                    return Err(CliError::new(format!(
                        "{} changed while it was being imported; nothing was archived",
                        seen.file.display()
                    )));
                }
                (bytes, seen.media_type.clone())
            }
            None => match self.archived(&rv)? {
                Some(found) => found,
                None => {
                    self.skip("revisit of a payload not found");
                    return Ok(None);
                }
            },
        };
        Ok(Some(Pending {
            file: path.to_owned(),
            at: rv.at,
            record_id: rv.record_id,
            url: rv.url,
            date: rv.date,
            media_type,
            payload,
            bad: rv.bad_digests,
            vellum: None,
        }))
    }

    /// A revisited payload already in the store: a version of the document
    /// its URL names, captured at WARC-Refers-To-Date, or whose bytes have the
    /// revisit's payload digest. (A crawler's payload digest is over the body
    /// as sent, often gzip-compressed, while vellum keeps the decoded body:
    /// the date is then what identifies it.)
    fn archived(&self, rv: &Revisit) -> Result<Option<Payload>, CliError> {
        let a = self.writer.archive();
        let mut docs: Vec<DocName> = Vec::new();
        for uri in [&rv.refers_to_uri, &rv.url].into_iter().flatten() {
            // A page's document (by its canonical URL), or a slug of its URL.
            if let Ok(c) = canon::canonicalize(uri) {
                docs.extend(a.doc_for_canonical_url(c.as_str())?);
            }
            docs.extend(slug(uri));
        }
        docs.dedup();
        for doc in docs {
            for row in a.captures(doc.as_str())? {
                let Ok(rec) = a.record(&row.id) else {
                    continue;
                };
                let at_date = rv.refers_to_date.is_some_and(|d| d == rec.captured_at);
                if !at_date && rv.payload_digest.is_none() {
                    continue;
                }
                let Ok(bytes) = a.read_object(&rec.content) else {
                    continue;
                };
                let same_digest = rv
                    .payload_digest
                    .as_ref()
                    .is_some_and(|d| Digest::of(d.algorithm, &bytes) == *d);
                if at_date || same_digest {
                    return Ok(Some((bytes, Some(rec.media_type))));
                }
            }
        }
        Ok(None)
    }

    fn stage(&mut self, p: Option<Pending>) -> Result<(), CliError> {
        let Some(p) = p else { return Ok(()) };
        let where_ = format!("{}: {}", p.file.display(), p.at);
        let content = ObjectId::of(&p.payload);
        // vellum's own metadata names the document, source and title.
        let ours = p.vellum.filter(|r| r.content == content);
        let restored = ours.clone();
        let (doc, url, date, source, title, media, old_flag) = match ours {
            Some(r) => (
                r.doc,
                r.url,
                r.captured_at,
                r.source,
                r.title,
                Some(r.media_type),
                r.flag,
            ),
            None => {
                let doc = match p.url.as_deref().and_then(slug) {
                    Some(d) => d,
                    None => slug(&format!(
                        "{}-{}",
                        p.file.file_stem().unwrap_or_default().to_string_lossy(),
                        p.at.file_offset()
                    ))
                    .unwrap_or_else(|| "warc".parse().expect("valid name")),
                };
                (doc, p.url, p.date, None, None, p.media_type, None)
            }
        };
        let (doc, flag) = if p.bad.is_empty() {
            // A capture flagged when it was first archived (exported by
            // vellum) stays flagged, under the name it had.
            (doc, old_flag)
        } else {
            self.summary.bad_digests += 1;
            let why = p.bad.join("; ");
            if !self.accept_bad {
                eprintln!(
                    "vellum: {where_}: {why}; not archived (--accept-bad-digests archives it flagged)"
                );
                return Ok(());
            }
            eprintln!("vellum: {where_}: {why}; archived flagged");
            self.summary.flagged += 1;
            (doc, Some(format!("WARC digest mismatch: {why}")))
        };
        let bytes = Arc::unwrap_or_clone(p.payload);
        let hint = name_hint(media.as_deref()).to_owned();
        // The same ingest as `add` (HTML through article extraction, any
        // encoding decoded), hinted by the HTTP Content-Type.
        let got = super::add::ingest_with(
            &bytes,
            PrepareHints {
                forced_type: None,
                forced_encoding: None,
                name: Some(&hint),
                content_type: media.as_deref(),
                page_url: url.as_deref(),
            },
        );
        let (mut extra, mut media_type) = (got.extra, got.media_type);
        let mut meta = Default::default();
        let mut doc = doc;
        // A crawled page: one document per canonical URL, as for `add URL`
        // (a new one keeps the name import always gave it, a slug of its URL).
        if restored.is_none()
            && extra.extractor.is_some()
            && let Some(given) = url.as_deref().and_then(|u| canon::canonicalize(u).ok())
        {
            let canonical = canon::choose_canonical(&given, extra.canonical_url.as_deref());
            let a = self.writer.archive();
            if let Some(d) = a.doc_for_canonical_url(canonical.as_str())? {
                doc = d;
            }
            extra.canonical_url = Some(canonical.to_string());
        }
        if let Some(r) = restored {
            // What vellum recorded when it first archived the capture, so
            // the record (and the capture id) come back the same.
            media_type = r.media_type;
            extra.extractor = r.extractor;
            extra.encoding = r.encoding;
            extra.canonical_url = r.canonical_url;
            extra.http = r.http;
            meta = r.meta;
        }
        extra.flag = flag.or(extra.flag);
        if let Some(f) = &extra.flag {
            eprintln!("vellum: {where_}: {f}; archived, flagged (listed, never a version)");
        }
        let page_title = got.title;
        let text = got.text;
        let c = NewCapture {
            doc,
            captured_at: date,
            bytes,
            media_type,
            text,
            url,
            source,
            title: title.or(page_title),
            meta,
        };
        let staged = self.writer.add_with(c, extra);
        staged.map_err(|e| {
            CliError::new(format!(
                "{where_}: {}; nothing was archived",
                super::store_message(&e)
            ))
        })?;
        self.staged += 1;
        Ok(())
    }
}

/// Reads one record's payload again from its file (when it was not kept in
/// memory for revisits).
fn reread(file: &Path, at: Position) -> Result<Vec<u8>, CliError> {
    let fail = |e: String| {
        CliError::new(format!(
            "{}: rereading the {at} for a revisit: {e}; nothing was archived",
            file.display()
        ))
    };
    let f = std::fs::File::open(file).map_err(|e| fail(e.to_string()))?;
    let rec =
        record_at(BufReader::new(f), at, Options::default()).map_err(|e| fail(e.to_string()))?;
    match interpret(rec, MAX_OBJECT_SIZE).map_err(|e| fail(e.to_string()))? {
        Item::Capture(found) => Ok(found.payload),
        _ => Err(fail("it is no longer a capture".into())),
    }
}
