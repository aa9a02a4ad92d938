//! Reading an input a front end names: a file, or standard input (`-`),
//! whole and within the per-capture size limit, before it is captured.

use std::io::Read;
use std::path::{Path, PathBuf};

use time::OffsetDateTime;

use crate::error::ErrorKind;
use crate::ingest::batch::{self, BatchLine};
use crate::store::is_url;
use crate::store::object::MAX_OBJECT_SIZE;

use super::error::CaptureError;
use super::fetcher::Fetcher;
use super::pipeline::{Capture, Options, check_time, fetch_page, from_bytes};

/// Why an input could not be read. The message names the input and says
/// what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{path}: {size} bytes is over the {limit}-byte limit per capture")]
    TooBig { path: String, size: u64, limit: u64 },
    #[error("{path} is a directory; give the files inside it (or a --batch list)")]
    Directory { path: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("reading standard input: {0}")]
    Stdin(std::io::Error),
}

impl InputError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            InputError::TooBig { .. } | InputError::Directory { .. } => ErrorKind::InvalidInput,
            InputError::Read { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::NotFound
            }
            InputError::Read { .. } | InputError::Stdin(_) => ErrorKind::Io,
        }
    }
}

/// How to read a given text (a file compared, extracted or searched for):
/// `add`'s `--type` and `--encoding`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadAs {
    pub forced_type: Option<crate::ingest::detect::TypeOverride>,
    pub forced_encoding: Option<crate::ingest::charset::Charset>,
}

/// Reads one input whole (`-` is standard input), refusing directories and
/// anything over [`MAX_OBJECT_SIZE`].
pub fn read(path: &Path) -> Result<Vec<u8>, InputError> {
    let limit = MAX_OBJECT_SIZE as u64;
    let too_big = |size: u64| InputError::TooBig {
        path: path.display().to_string(),
        size,
        limit,
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(InputError::Stdin)?;
        if buf.len() as u64 > limit {
            return Err(too_big(buf.len() as u64));
        }
        return Ok(buf);
    }
    let cannot = |source| InputError::Read {
        path: path.display().to_string(),
        source,
    };
    let f = std::fs::File::open(path).map_err(cannot)?;
    let meta = f.metadata().map_err(cannot)?;
    check_meta(path, &meta)?;
    // Room for the whole file and the read that finds its end: two reads,
    // where growing from nothing took eleven for 30 kB (#29).
    buf.reserve_exact(meta.len() as usize + 1);
    f.take(limit + 1).read_to_end(&mut buf).map_err(cannot)?;
    if buf.len() as u64 > limit {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

/// Whether a file can be archived, as far as its metadata tells.
pub fn check(path: &Path) -> Result<(), InputError> {
    let meta = std::fs::metadata(path).map_err(|source| InputError::Read {
        path: path.display().to_string(),
        source,
    })?;
    check_meta(path, &meta)
}

/// [`check`] of metadata already read.
fn check_meta(path: &Path, meta: &std::fs::Metadata) -> Result<(), InputError> {
    if meta.is_dir() {
        return Err(InputError::Directory {
            path: path.display().to_string(),
        });
    }
    let limit = MAX_OBJECT_SIZE as u64;
    if meta.len() > limit {
        return Err(InputError::TooBig {
            path: path.display().to_string(),
            size: meta.len(),
            limit,
        });
    }
    Ok(())
}

/// A batch's lines, numbered from 1: each a capture to make, or what is
/// wrong with it.
pub type BatchLines = Vec<(usize, Result<BatchLine, String>)>;

/// The lines of a batch (JSON Lines), numbered from 1, each checked on
/// its own: in place of a bad line comes what is wrong with it (its
/// problems one a line, or `path: …`), so the other lines are still
/// archived.
pub fn batch_lines(text: &[u8]) -> BatchLines {
    let line = |line: Result<BatchLine, Vec<batch::Problem>>| {
        let b = line.map_err(|problems| {
            let p: Vec<String> = problems.iter().map(ToString::to_string).collect();
            p.join("\n")
        })?;
        check(&b.path).map_err(|e| format!("path: {e}"))?;
        Ok(b)
    };
    batch::parse_lines(text)
        .into_iter()
        .map(|(n, l)| (n, line(l)))
        .collect()
}

/// A batch (`-`: standard input) read whole, its lines as
/// [`batch_lines`] gives them.
pub fn read_batch(path: &Path) -> Result<BatchLines, InputError> {
    let mut text = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .read_to_end(&mut text)
            .map_err(InputError::Stdin)?;
    } else {
        text = std::fs::read(path).map_err(|source| InputError::Read {
            path: path.display().to_string(),
            source,
        })?;
    }
    Ok(batch_lines(&text))
}

/// One input of `add`: a file (`-`: standard input) or an http(s) URL, or
/// a line of a batch (numbered from 1; a bad one is what is wrong with it).
#[derive(Debug)]
pub enum Input {
    Path(PathBuf),
    Line(usize, Result<BatchLine, String>),
}

/// Why an input was not archived (nothing of it was).
#[derive(Debug, thiserror::Error)]
pub enum NotArchived {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Input(#[from] InputError),
    /// A batch line's `path` that cannot be read.
    #[error("path: {0}")]
    Path(InputError),
    /// A batch line that is no capture: its problems, one a line.
    #[error("{0}")]
    Problems(String),
    /// What kept batch line N out.
    #[error("batch line {0}: {1}")]
    Line(usize, Box<NotArchived>),
}

impl NotArchived {
    pub fn kind(&self) -> ErrorKind {
        match self {
            NotArchived::Capture(e) => e.kind(),
            NotArchived::Input(e) | NotArchived::Path(e) => e.kind(),
            NotArchived::Problems(_) => ErrorKind::InvalidInput,
            NotArchived::Line(_, e) => e.kind(),
        }
    }
}

impl Input {
    /// The inputs a command line names: the lines of `batch` (each checked
    /// on its own, so a bad one is reported in its turn), else `paths`.
    pub fn all(paths: &[PathBuf], batch: Option<&Path>) -> Result<Vec<Input>, InputError> {
        Ok(match batch {
            Some(b) => read_batch(b)?
                .into_iter()
                .map(|(n, line)| Input::Line(n, line))
                .collect(),
            None => paths.iter().cloned().map(Input::Path).collect(),
        })
    }

    /// Reads (or fetches, through `fetcher`) the input and prepares its
    /// capture; a batch line's capture time is checked as `--at` is.
    pub fn prepare(
        self,
        fetcher: &mut dyn Fetcher,
        opts: &Options,
        allow_future: bool,
        now: OffsetDateTime,
    ) -> Result<Capture, NotArchived> {
        let (n, line) = match self {
            Input::Path(path) => {
                let arg = path.to_string_lossy();
                if is_url(&arg) {
                    let fetched_at = crate::when::to_second(OffsetDateTime::now_utc());
                    return Ok(fetch_page(fetcher, &arg, opts, fetched_at)?);
                }
                return Ok(from_bytes(read(&path)?, &path, opts, now)?);
            }
            Input::Line(n, line) => (n, line),
        };
        let one = || {
            let b = line.map_err(NotArchived::Problems)?;
            check_time(b.time(now), now, allow_future)?;
            let bytes = read(&b.path).map_err(NotArchived::Path)?;
            Ok(from_bytes(
                bytes,
                &b.path,
                &opts.for_batch_line(&b, now),
                now,
            )?)
        };
        one().map_err(|e| NotArchived::Line(n, Box::new(e)))
    }
}

/// Inputs prepared one at a time ([`Input::prepare`]), as an iterator of
/// their captures: an input that fails is kept in [`Preparing::failed`]
/// and skipped, never stopping the others (`add URL1 URL2` archives URL1
/// when URL2 is gone). `progress` hears each input as it is taken.
pub struct Preparing<'a> {
    inputs: std::iter::Enumerate<std::vec::IntoIter<Input>>,
    total: usize,
    fetcher: &'a mut dyn Fetcher,
    opts: &'a Options,
    allow_future: bool,
    now: OffsetDateTime,
    progress: &'a mut dyn FnMut(usize, usize),
    /// The inputs not archived, in their order.
    pub failed: Vec<NotArchived>,
}

impl<'a> Preparing<'a> {
    pub fn new(
        inputs: Vec<Input>,
        fetcher: &'a mut dyn Fetcher,
        (opts, allow_future): (&'a Options, bool),
        now: OffsetDateTime,
        progress: &'a mut dyn FnMut(usize, usize),
    ) -> Self {
        Preparing {
            total: inputs.len(),
            inputs: inputs.into_iter().enumerate(),
            fetcher,
            opts,
            allow_future,
            now,
            progress,
            failed: Vec::new(),
        }
    }
}

impl Iterator for Preparing<'_> {
    type Item = Capture;

    fn next(&mut self) -> Option<Capture> {
        for (i, input) in self.inputs.by_ref() {
            (self.progress)(i + 1, self.total);
            match input.prepare(self.fetcher, self.opts, self.allow_future, self.now) {
                Ok(c) => return Some(c),
                Err(e) => self.failed.push(e),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_directory_is_refused_with_what_to_give_instead() {
        let dir = std::env::temp_dir();
        let e = read(&dir).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput);
        assert!(
            e.to_string()
                .ends_with("is a directory; give the files inside it (or a --batch list)"),
            "{e}"
        );
    }

    #[test]
    fn a_batch_line_naming_a_missing_file_says_so_in_its_place() {
        let text = b"{\"path\": \"/no/such/vellum-input.md\"}\n{\"doc\": \"x\"}\n";
        let lines = batch_lines(text);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let (n, first) = &lines[0];
        assert_eq!(*n, 1);
        let e = first.as_ref().unwrap_err();
        assert!(
            e.starts_with("path: cannot read /no/such/vellum-input.md: "),
            "{e}"
        );
        assert!(
            lines[1].1.is_err(),
            "a line without a path is refused: {lines:?}"
        );
    }

    #[test]
    fn an_input_that_fails_is_kept_and_the_others_are_prepared() {
        let mut fetcher = crate::capture::MemFetcher::default();
        let page = crate::capture::test_page("word");
        fetcher.answer("https://example.org/a", 200, "text/html", &page);
        let urls = ["https://example.org/gone", "https://example.org/a"];
        let inputs = urls.iter().map(|u| Input::Path(u.into())).collect();
        let (opts, mut heard) = (Options::default(), Vec::new());
        let mut progress = |done, total| heard.push((done, total));
        let now = OffsetDateTime::UNIX_EPOCH;
        let mut p = Preparing::new(inputs, &mut fetcher, (&opts, false), now, &mut progress);
        let captures: Vec<Capture> = p.by_ref().collect();
        assert_eq!(captures.len(), 1);
        assert_eq!(p.failed.len(), 1, "{:?}", p.failed);
        assert!(
            p.failed[0].to_string().contains("example.org/gone"),
            "{}",
            p.failed[0]
        );
        drop(p);
        assert_eq!(heard, [(1, 2), (2, 2)]);
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let e = check(Path::new("/no/such/vellum-input.md")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string()
                .starts_with("cannot read /no/such/vellum-input.md: "),
            "{e}"
        );
    }
}
