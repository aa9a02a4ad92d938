//! Reading an input a front end names: a file, or standard input (`-`),
//! whole and within the per-capture size limit, before it is captured.

use std::io::Read;
use std::path::Path;

use crate::error::ErrorKind;
use crate::ingest::batch::{self, BatchLine};
use crate::store::object::MAX_OBJECT_SIZE;

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
    check(path)?;
    let f = std::fs::File::open(path).map_err(cannot)?;
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
