//! Revisits: a payload found earlier in the import, in the archive, or (the
//! crawl split across files in any order) in a later file of the import.

use std::path::Path;
use std::sync::Arc;

use crate::id::ObjectId;
use crate::ingest::{DocName, canon, slug};
use crate::store::{Archive, Status, StoreError, Writer};

use super::super::Digest;
use super::super::import::Revisit;
use super::super::import::{Item, interpret};
use super::super::read::{Options as ReadOptions, Position, record_at};
use super::{
    Event, FileError, FileFailure, ImportError, Importer, Payload, Pending, Pipeline, Warning,
};
use crate::store::object::MAX_OBJECT_SIZE;
use std::io::BufReader;

impl<P: Pipeline + ?Sized> Importer<'_, P> {
    /// The revisits whose payload no file before them held, tried again
    /// once every file is read (a later file may hold it), as one more
    /// commit; those still unresolved are listed and skipped.
    pub(super) fn resolve_deferred(
        &mut self,
        archive: Option<&Archive>,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<(), ImportError> {
        let deferred = std::mem::take(&mut self.deferred);
        let Some(first) = deferred.first().map(|(f, _)| f.clone()) else {
            return Ok(());
        };
        let store_err = |file: &Path| {
            let file = file.to_owned();
            move |source| ImportError {
                file,
                where_: "committing revisits resolved in later files".to_owned(),
                source: Box::new(source),
            }
        };
        let mut writer = match archive {
            Some(a) => Some(
                a.writer(&mut || on(Event::Waiting))
                    .map_err(store_err(&first))?,
            ),
            None => None,
        };
        self.staged = 0;
        for (path, rv) in deferred {
            let archive = writer.as_ref().map(Writer::archive);
            match self.lookup_revisit(archive, &path, rv, true) {
                Ok(pending) => self.stage(writer.as_mut(), pending)?,
                Err(e) => {
                    // The earlier record it resolved to changed on disk.
                    self.report.summary.failed.push(FileFailure {
                        file: path,
                        error: e,
                        captures_before: 0,
                        archived: true,
                    });
                }
            }
        }
        let staged = self.staged;
        match writer.filter(|_| staged > 0) {
            Some(w) => {
                let added = self.pipeline.commit(w).map_err(store_err(&first))?;
                for a in &added {
                    match a.status {
                        Status::New => self.report.summary.new += 1,
                        Status::Unchanged => self.report.summary.unchanged += 1,
                        Status::Flagged => {}
                    }
                }
                self.kept += added.len() as u64;
                on(Event::Archived {
                    file: &first,
                    added: &added,
                });
            }
            None => self.kept += staged,
        }
        Ok(())
    }

    /// The payload a revisit points to: earlier in this import, or
    /// archived; else the revisit waits for the import's later files.
    pub(super) fn revisit(
        &mut self,
        archive: Option<&Archive>,
        path: &Path,
        rv: Revisit,
    ) -> Result<Option<Pending>, FileError> {
        self.lookup_revisit(archive, path, rv, false)
    }

    /// [`Importer::revisit`]; on the `last` try, a payload found nowhere is
    /// listed and the revisit skipped.
    fn lookup_revisit(
        &mut self,
        archive: Option<&Archive>,
        path: &Path,
        rv: Revisit,
        last: bool,
    ) -> Result<Option<Pending>, FileError> {
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
                    return Err(FileError::Changed {
                        file: seen.file.clone(),
                    });
                }
                (bytes, seen.media_type.clone())
            }
            None => match archive.map(|a| archived(a, &rv)).transpose() {
                Ok(Some(Some(found))) => found,
                // A store that cannot answer has nothing to offer either.
                Ok(_) | Err(_) if !last && self.defer => {
                    self.deferred.push((path.to_owned(), rv));
                    return Ok(None);
                }
                Ok(_) | Err(_) => {
                    self.skip("revisit of a payload not found");
                    self.report.warnings.push(Warning::RevisitNotFound {
                        file: path.to_owned(),
                        at: rv.at,
                        url: rv.url.unwrap_or_default(),
                    });
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
            deviations: rv.deviations,
        }))
    }
}

/// A revisited payload already in the store: a version of the document
/// its URL names, captured at WARC-Refers-To-Date, or whose bytes have the
/// revisit's payload digest. (A crawler's payload digest is over the body
/// as sent, often gzip-compressed, while vellum keeps the decoded body:
/// the date is then what identifies it.)
fn archived(a: &Archive, rv: &Revisit) -> Result<Option<Payload>, StoreError> {
    let mut docs: Vec<DocName> = Vec::new();
    for uri in [&rv.refers_to_uri, &rv.url].into_iter().flatten() {
        // A page's document (by its canonical URL, or named from it), or
        // the slug of its URL that imports before 0.2 named it by.
        if let Ok(c) = canon::canonicalize(uri) {
            docs.extend(a.doc_for_canonical_url(c.as_str())?);
            docs.push(canon::doc_name_for_url(&c));
        }
        docs.extend(slug(uri));
    }
    let mut unique = std::collections::HashSet::new();
    docs.retain(|d| unique.insert(d.clone()));
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

/// Reads one record's payload again from its file (when it was not kept in
/// memory for revisits).
fn reread(file: &Path, at: Position) -> Result<Vec<u8>, FileError> {
    let fail = |detail: String| FileError::Reread {
        file: file.to_owned(),
        at,
        detail,
    };
    let f = std::fs::File::open(file).map_err(|e| fail(e.to_string()))?;
    let rec = record_at(BufReader::new(f), at, ReadOptions::default())
        .map_err(|e| fail(e.to_string()))?;
    match interpret(rec, MAX_OBJECT_SIZE).map_err(|e| fail(e.to_string()))? {
        Item::Capture(found) => Ok(found.payload),
        _ => Err(fail("it is no longer a capture".into())),
    }
}
