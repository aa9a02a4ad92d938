//! The WARC import engine: captures out of WARC files, each file one durable
//! commit. Revisits become captures of the payload they point to (earlier in
//! the import, or already archived); records vellum exported come back with
//! the capture records (and so the capture ids) they had; crawled pages are
//! named as `add URL` names them.
//!
//! The importer never prints: progress goes through a callback
//! ([`Event`]), warnings and per-file failures come back as data
//! ([`ImportReport`]). What it shares with `add` (ingest, the write
//! protocol) it reaches through [`Pipeline`], which the caller provides.

mod notes;
mod report;
mod revisits;

pub use notes::{CaptureNotes, capture_notes, notes_name};
pub use report::{
    FileError, FileFailure, ImportError, ImportReport, ImportSummary, SkippedRecord, SummaryLine,
    Warning,
};

use std::collections::HashMap;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::id::ObjectId;
use crate::ingest::{DocName, PrepareHints, canon, slug};
use crate::store::StoreError;
use crate::store::object::MAX_OBJECT_SIZE;
use crate::store::{Added, Archive, CaptureExtra, CaptureRecord, NewCapture, Status, Writer};

use super::import::{Found, Item, Revisit, Skip, interpret, name_hint};
use super::read::{Options as ReadOptions, Position, Reader};
use super::{Algorithm, Deviation, Digest, WarcError};

/// How an import treats bad input.
///
/// By default every record that can be read is archived; a record that
/// cannot (truncated, garbage, a damaged gzip member, an HTTP message that
/// is none) is listed in [`ImportSummary::unreadable`] with its offset and
/// skipped, and the records after it are read where the format allows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// All or nothing per file: a record that cannot be read fails its
    /// file (nothing of it archived, but see `partial`).
    pub strict: bool,
    /// With `strict`: on a broken record, archive the good records of the
    /// file before it (never half a record) instead of nothing from that
    /// file. Without `strict` every good record is archived anyway.
    pub partial: bool,
    /// Archive records whose digests do not match, flagged (listed among
    /// the document's captures, never a version), instead of refusing them.
    pub accept_bad_digests: bool,
}

/// What ingest made of a capture's bytes: the capture pipeline's type, the
/// same for `add` and `import`.
pub use crate::capture::Ingested;

/// What the importer shares with every other way of archiving: the capture
/// pipeline's ingest, and the one write protocol. The caller provides it so
/// that `import` archives exactly as `add` does.
pub trait Pipeline {
    /// The text, media type, web metadata and title of a capture's bytes.
    fn ingest(&self, bytes: &[u8], hints: PrepareHints<'_>) -> Ingested;
    /// Makes the captures staged in `writer` durable (the write protocol:
    /// prepare, word statistics, commit) and says what each one was.
    fn commit(&mut self, writer: Writer<'_>) -> Result<Vec<Added>, StoreError>;
}

/// The pipeline every front end imports with: the capture pipeline's ingest
/// and its one write protocol ([`crate::capture::commit`]), so that a WARC
/// record is archived exactly as `add` archives the same bytes.
pub struct CapturePipeline;

impl Pipeline for CapturePipeline {
    fn ingest(&self, bytes: &[u8], hints: PrepareHints<'_>) -> Ingested {
        crate::capture::ingest_with(bytes, hints)
    }

    fn commit(&mut self, writer: Writer<'_>) -> Result<Vec<Added>, StoreError> {
        let committed = crate::capture::commit(writer)?;
        Ok(committed.into_iter().map(|c| c.added).collect())
    }
}

/// Progress of an import, as it happens.
#[derive(Debug)]
pub enum Event<'a> {
    /// Another process is writing to the store; the import waits for it.
    Waiting,
    /// Records read so far in the whole import (every 1,000 records).
    Records(u64),
    /// A file's captures are durable.
    Archived { file: &'a Path, added: &'a [Added] },
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

impl Seens {
    /// Forgets the payloads seen from the `n`th on (a file rolled back).
    fn truncate(&mut self, n: usize) {
        for s in self.list.drain(n..) {
            if let Some(b) = s.bytes {
                self.kept -= b.len();
            }
        }
        self.by_record.retain(|_, i| *i < n);
        self.by_digest.retain(|_, i| *i < n);
    }
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
    deviations: Vec<Deviation>,
}

/// Reads WARC files into a store through a [`Pipeline`].
pub struct Importer<'p, P: Pipeline + ?Sized> {
    pipeline: &'p mut P,
    options: Options,
    seen: Seens,
    report: ImportReport,
    /// Captures staged in the file being read.
    staged: u64,
    /// Captures staged (or, in a dry run, that would be) in files kept.
    kept: u64,
    /// Revisits whose payload was not found yet: a later file of the same
    /// import may hold it (crawls are split across files in any order).
    deferred: Vec<(PathBuf, Revisit)>,
    /// Whether revisits wait for later files ([`Importer::import_files`]).
    defer: bool,
}

impl<'p, P: Pipeline + ?Sized> Importer<'p, P> {
    pub fn new(pipeline: &'p mut P, options: Options) -> Self {
        Importer {
            pipeline,
            options,
            seen: Seens::default(),
            report: ImportReport::default(),
            staged: 0,
            kept: 0,
            deferred: Vec::new(),
            defer: false,
        }
    }

    /// Captures archived so far (in a dry run: that would be).
    pub fn archived(&self) -> u64 {
        self.kept
    }

    /// The report of the files imported so far.
    pub fn finish(self) -> ImportReport {
        self.report
    }

    /// Imports one WARC file (`.warc`, `.warc.gz`) into `archive`, as one
    /// durable commit. Without an archive it is a dry run: everything is
    /// read and counted, nothing ingested or staged (to learn whether an
    /// import into a store not yet created would archive anything).
    ///
    /// A file that cannot be read whole is recorded in the summary's
    /// `failed`: nothing of it is archived, or with [`Options::partial`] the
    /// good captures before the break. Only a store failure is an error.
    pub fn import_file(
        &mut self,
        archive: Option<&Archive>,
        path: &Path,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), ImportError> {
        let store_err = |what: &str| {
            let what = what.to_owned();
            move |source| ImportError {
                file: path.to_owned(),
                where_: what,
                source: Box::new(source),
            }
        };
        let mut writer = match archive {
            Some(a) => Some(
                a.writer(&mut || on(Event::Waiting))
                    .map_err(store_err("starting a write"))?,
            ),
            None => None,
        };
        let before = self.report.summary.clone();
        let (warnings, seen) = (self.report.warnings.len(), self.seen.list.len());
        let deferred = self.deferred.len();
        self.staged = 0;
        let broken = match open_reader(path) {
            Ok(reader) => self.read(reader, path, writer.as_mut(), on)?,
            Err(e) => Some(e),
        };
        let keep = broken.is_none() || self.options.partial;
        let captures_before = self.staged;
        if !keep {
            // Nothing of the file: as if it had not been read, but for its
            // records being counted.
            let records = self.report.summary.records;
            self.report.summary = before;
            self.report.summary.records = records;
            self.report.warnings.truncate(warnings);
            self.seen.truncate(seen);
            self.deferred.truncate(deferred);
            self.staged = 0;
        }
        self.report.summary.files += 1;
        let mut archived = 0;
        if let Some(w) = writer.filter(|_| keep && self.staged > 0) {
            let added = self.pipeline.commit(w).map_err(store_err("committing"))?;
            for a in &added {
                match a.status {
                    Status::New => self.report.summary.new += 1,
                    Status::Unchanged => self.report.summary.unchanged += 1,
                    // Counted as flagged when staged.
                    Status::Flagged => {}
                }
            }
            archived = added.len() as u64;
            on(Event::Archived {
                file: path,
                added: &added,
            });
        } else if keep {
            archived = self.staged;
        }
        self.kept += archived;
        if let Some(error) = broken {
            self.report.summary.failed.push(FileFailure {
                file: path.to_owned(),
                error,
                captures_before,
                archived: keep,
            });
        }
        Ok(())
    }

    /// Imports `files` in order, each as [`Importer::import_file`] does.
    pub fn import_files(
        &mut self,
        archive: Option<&Archive>,
        files: &[PathBuf],
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), ImportError> {
        self.defer = true;
        for file in files {
            self.import_file(archive, file, on)?;
        }
        self.defer = false;
        self.resolve_deferred(archive, on)
    }

    /// Reads the records of one file, staging captures. `Some` when the
    /// file broke before its end.
    fn read(
        &mut self,
        mut reader: Reader<BufReader<std::fs::File>>,
        path: &Path,
        mut writer: Option<&mut Writer<'_>>,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<Option<FileError>, ImportError> {
        let mut pending: Option<Pending> = None;
        let mut first = true;
        let broken = loop {
            let next = reader.next_record();
            let first_record = std::mem::replace(&mut first, false);
            let rec = match next {
                Ok(Some(r)) => r,
                Ok(None) => break None,
                // After an error that ends reading, the reader gives `None`.
                Err(e) => match self.unreadable(path, e, first_record) {
                    Some(broken) => break Some(broken),
                    None => continue,
                },
            };
            self.report.summary.records += 1;
            let item = match interpret(rec, MAX_OBJECT_SIZE) {
                Ok(i) => i,
                Err(e) => match self.unreadable(path, e, false) {
                    Some(broken) => break Some(broken),
                    None => continue,
                },
            };
            match item {
                Item::Capture(found) => {
                    self.stage(writer.as_deref_mut(), pending.take())?;
                    pending = Some(self.found(path, found));
                }
                Item::Revisit(rv) => {
                    self.stage(writer.as_deref_mut(), pending.take())?;
                    let archive = writer.as_deref().map(Writer::archive);
                    match self.revisit(archive, path, rv) {
                        Ok(p) => pending = p,
                        Err(e) => return Ok(Some(e)),
                    }
                }
                Item::Vellum { refers_to, record } => match pending.as_mut() {
                    Some(p) if refers_to.is_some() && p.record_id == refers_to => {
                        p.vellum = Some(*record);
                    }
                    _ => self.skip("metadata"),
                },
                Item::Skipped { why, at } => self.skipped(path, at, why),
            }
            if self.report.summary.records.is_multiple_of(1000) {
                on(Event::Records(self.report.summary.records));
            }
        };
        self.stage(writer, pending.take())?;
        Ok(broken)
    }

    /// A record that cannot be read: `Some` when that fails the file (the
    /// file is no WARC at all, or the import is strict), else it is listed
    /// and skipped.
    fn unreadable(&mut self, path: &Path, e: WarcError, first: bool) -> Option<FileError> {
        if self.options.strict || (first && e.ends_reading()) {
            return Some(FileError::Broken(Arc::new(e)));
        }
        let at = e.at();
        self.report.summary.unreadable.push(SkippedRecord {
            file: path.to_owned(),
            offset: at.file_offset(),
            error: e.to_string(),
        });
        None
    }

    fn skipped(&mut self, path: &Path, at: Position, why: Skip) {
        let file = path.to_owned();
        match &why {
            Skip::TooLarge(size) => self.report.warnings.push(Warning::TooLarge {
                file,
                at,
                size: *size,
            }),
            Skip::Encoding(e) => self.report.warnings.push(Warning::Encoding {
                file,
                at,
                encoding: e.clone(),
            }),
            _ => {}
        }
        self.skip(&match why {
            Skip::Type(t) => t,
            Skip::Status(s) => format!("status {s}"),
            Skip::TooLarge(_) => "over the size limit".into(),
            Skip::Encoding(e) => format!("content-encoding {e}"),
        })
    }

    fn skip(&mut self, what: &str) {
        *self
            .report
            .summary
            .skipped
            .entry(what.to_owned())
            .or_default() += 1;
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
            .insert(Digest::of(Algorithm::Sha1, &payload), i);
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
            deviations: f.deviations,
        }
    }

    /// Stages a capture read whole (in a dry run, counts it).
    fn stage(
        &mut self,
        writer: Option<&mut Writer<'_>>,
        p: Option<Pending>,
    ) -> Result<(), ImportError> {
        let Some(p) = p else { return Ok(()) };
        let content = ObjectId::of(&p.payload);
        // vellum's own metadata names the document, source and title.
        let restored = p.vellum.clone().filter(|r| r.content == content);
        // A capture flagged when it was first archived (exported by vellum)
        // stays flagged, under the name it had.
        let mut flag = restored.as_ref().and_then(|r| r.flag.clone());
        if !p.bad.is_empty() {
            self.report.summary.bad_digests += 1;
            let why = p.bad.join("; ");
            let archived = self.options.accept_bad_digests;
            self.report.warnings.push(Warning::BadDigest {
                file: p.file.clone(),
                at: p.at,
                why: why.clone(),
                archived,
            });
            if !archived {
                return Ok(());
            }
            self.report.summary.flagged += 1;
            flag = Some(format!("WARC digest mismatch: {why}"));
        }
        self.staged += 1;
        let Some(writer) = writer else {
            return Ok(());
        };
        let (file, at, deviations) = (p.file.clone(), p.at, p.deviations.clone());
        let store_err = |source| ImportError {
            file: file.clone(),
            where_: at.to_string(),
            source: Box::new(source),
        };
        let (capture, extra) = match restored {
            Some(r) => self.restore(p, r),
            None => self.crawled(writer.archive(), p).map_err(store_err)?,
        };
        let mut extra = extra;
        extra.flag = flag.or(extra.flag);
        if let Some(f) = &extra.flag {
            self.report.warnings.push(Warning::Flagged {
                file: file.clone(),
                at,
                flag: f.clone(),
            });
        }
        writer.add_with(capture, extra).map_err(store_err)?;
        if !deviations.is_empty() {
            self.report.summary.tolerated += 1;
            let id = writer.last_staged().expect("a capture was staged");
            notes::stage_notes(writer, &id, &file, at.file_offset(), &deviations)
                .map_err(store_err)?;
        }
        Ok(())
    }

    /// A record vellum exported: the capture record it had, so the record
    /// (and the capture id) come back the same.
    fn restore(&self, p: Pending, r: CaptureRecord) -> (NewCapture, CaptureExtra) {
        let bytes = Arc::unwrap_or_clone(p.payload);
        let got = self.ingest(&bytes, Some(&r.media_type), r.url.as_deref());
        let extra = CaptureExtra {
            extractor: r.extractor,
            encoding: r.encoding,
            encoding_confidence: r.encoding_confidence,
            byline: r.byline,
            canonical_url: r.canonical_url,
            http: r.http,
            flag: got.extra.flag,
            supersedes: None,
        };
        let capture = NewCapture {
            doc: r.doc,
            captured_at: r.captured_at,
            bytes,
            media_type: r.media_type,
            text: got.text,
            url: r.url,
            source: r.source,
            title: r.title.or(got.title),
            meta: r.meta,
        };
        (capture, extra)
    }

    /// A crawled capture: ingested as `add` ingests, in the document of its
    /// canonical URL, named as `add URL` names it.
    fn crawled(
        &self,
        archive: &Archive,
        p: Pending,
    ) -> Result<(NewCapture, CaptureExtra), StoreError> {
        let bytes = Arc::unwrap_or_clone(p.payload);
        let got = self.ingest(&bytes, p.media_type.as_deref(), p.url.as_deref());
        let mut extra = got.extra;
        let (doc, canonical) = name(archive, p.url.as_deref(), &extra, &p.file, p.at)?;
        extra.canonical_url = canonical.or(extra.canonical_url);
        let capture = NewCapture {
            doc,
            captured_at: p.date,
            bytes,
            media_type: got.media_type,
            text: got.text,
            url: p.url,
            source: None,
            title: got.title,
            meta: Default::default(),
        };
        Ok((capture, extra))
    }

    /// The same ingest as `add` (HTML through article extraction, any
    /// encoding decoded), hinted by the HTTP Content-Type.
    fn ingest(&self, bytes: &[u8], media: Option<&str>, url: Option<&str>) -> Ingested {
        self.pipeline.ingest(
            bytes,
            PrepareHints {
                forced_type: None,
                forced_encoding: None,
                name: Some(name_hint(media)),
                content_type: media,
                page_url: url,
            },
        )
    }
}

/// Whether importing `files` into a store not made yet would archive
/// nothing: reads them in a dry run (nothing ingested or staged) and gives
/// its report when no file would archive a capture, `None` as soon as one
/// would. A front end uses it to create a store only for an import that
/// fills it.
pub fn nothing_to_archive<P: Pipeline + ?Sized>(
    pipeline: &mut P,
    options: Options,
    files: &[PathBuf],
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Option<ImportReport>, ImportError> {
    let mut dry = Importer::new(pipeline, options);
    for file in files {
        dry.import_file(None, file, on)?;
        if dry.archived() > 0 {
            return Ok(None);
        }
    }
    Ok(Some(dry.finish()))
}

/// The document of a crawled capture and its canonical URL, as `add URL`
/// chooses them: the page's declared canonical URL when on the same site,
/// else its URL; the document that canonical URL already has, else one
/// named from it. A record without a usable URL is named from its file and
/// offset.
fn name(
    archive: &Archive,
    url: Option<&str>,
    extra: &CaptureExtra,
    file: &Path,
    at: Position,
) -> Result<(DocName, Option<String>), StoreError> {
    if let Some(given) = url.and_then(|u| canon::canonicalize(u).ok()) {
        let declared = extra.extractor.as_ref().and(extra.canonical_url.as_deref());
        let canonical = canon::choose_canonical(&given, declared);
        let doc = match archive.doc_for_canonical_url(canonical.as_str())? {
            Some(d) => d,
            None => canon::doc_name_for_url(&canonical),
        };
        return Ok((doc, Some(canonical.to_string())));
    }
    let doc = url.and_then(slug).or_else(|| {
        slug(&format!(
            "{}-{}",
            file.file_stem().unwrap_or_default().to_string_lossy(),
            at.file_offset()
        ))
    });
    Ok((
        doc.unwrap_or_else(|| "warc".parse().expect("valid name")),
        None,
    ))
}

fn open_reader(path: &Path) -> Result<Reader<BufReader<std::fs::File>>, FileError> {
    let cannot = |e: std::io::Error| FileError::Unreadable(e.to_string());
    let f = std::fs::File::open(path).map_err(cannot)?;
    if f.metadata().map_err(cannot)?.is_dir() {
        return Err(FileError::Directory);
    }
    Reader::new(
        BufReader::with_capacity(256 << 10, f),
        ReadOptions::default(),
    )
    .map_err(cannot)
}

#[cfg(test)]
mod tests;
