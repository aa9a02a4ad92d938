//! Reading an input a front end names: a file, or standard input (`-`),
//! whole and within the per-capture size limit, before it is captured.

use std::io::Read;
use std::path::Path;

use crate::error::ErrorKind;
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
