//! Diffs of any two texts a front end is given: archived versions and
//! texts given directly (a file, standard input), which are read exactly as
//! `add` reads them (decoded, an HTML page's article extracted).

use crate::diff::{Diff, DiffOptions, diff};
use crate::error::ErrorKind;
use crate::ingest::{PrepareHints, detect, prepare};
use crate::store::StoreError;
use crate::store::{Archive, Resolved};

use super::log::Boilerplate;
use super::read::{Side, side};

/// Why a side cannot be diffed.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The side has no text (binary bytes, or an archived text that is
    /// not UTF-8).
    #[error("{label} is not text; vellum diffs text only")]
    NotText {
        label: String,
        /// The capture, when the side is archived.
        capture: Option<crate::store::CaptureId>,
    },
}

impl CompareError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CompareError::Store(e) => e.kind(),
            CompareError::NotText { .. } => ErrorKind::InvalidInput,
        }
    }
}

/// One side of a diff with its text.
#[derive(Debug, Clone)]
pub struct SideText {
    /// The address or file name it was given as.
    pub label: String,
    /// Where an archived side came from (`None` for a given text).
    pub archived: Option<Side>,
    /// A given HTML page's title.
    pub title: Option<String>,
    pub text: String,
}

/// How to read a given text: `add`'s `--type` and `--encoding`.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadAs {
    pub forced_type: Option<detect::TypeOverride>,
    pub forced_encoding: Option<crate::ingest::charset::Charset>,
}

/// A given text (`name` is its file name, `None` for standard input) read
/// as `add` reads it.
pub fn given_text(
    label: &str,
    name: Option<&str>,
    bytes: &[u8],
    how: ReadAs,
) -> Result<SideText, CompareError> {
    let p = prepare(
        bytes,
        PrepareHints {
            forced_type: how.forced_type,
            forced_encoding: how.forced_encoding,
            name,
            ..PrepareHints::default()
        },
    );
    let Some(text) = p.text else {
        return Err(CompareError::NotText {
            label: label.to_owned(),
            capture: None,
        });
    };
    Ok(SideText {
        label: label.to_owned(),
        archived: None,
        title: p.article.and_then(|a| a.title),
        text,
    })
}

/// An archived version's (or capture's) text, with its metadata.
pub fn archived_text(archive: &Archive, resolved: Resolved) -> Result<SideText, CompareError> {
    let (side, bytes) = side(archive, resolved)?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| CompareError::NotText {
        label: side.label.clone(),
        capture: Some(side.capture),
    })?;
    Ok(SideText {
        label: side.label.clone(),
        title: side.title.clone(),
        archived: Some(side),
        text,
    })
}

/// The diff of two sides, each without its source's boilerplate when `bp`
/// hides it.
pub fn diff_texts(
    old: &SideText,
    new: &SideText,
    opts: &DiffOptions,
    bp: &Boilerplate,
) -> Result<Diff, StoreError> {
    let strip = |s: &SideText| {
        let a = s.archived.as_ref();
        bp.strip(
            s.text.clone(),
            a.and_then(|a| a.source.as_deref()),
            a.and_then(|a| a.url.as_deref()),
        )
    };
    if bp.is_active() {
        Ok(diff(&strip(old)?, &strip(new)?, opts))
    } else {
        Ok(diff(&old.text, &new.text, opts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_page_is_read_as_add_reads_it() {
        let page = "<html><head><title>T</title></head><body><article><h1>T</h1>\
                    <p>One two three four five six seven eight nine ten eleven twelve.</p>\
                    </article></body></html>";
        let s = given_text(
            "page.html",
            Some("page.html"),
            page.as_bytes(),
            ReadAs::default(),
        )
        .unwrap();
        assert!(!s.text.contains('<'), "{}", s.text);
        assert!(s.text.contains("One two three"), "{}", s.text);
        let latin1 = given_text("l.txt", Some("l.txt"), b"caf\xe9\n", ReadAs::default()).unwrap();
        assert_eq!(latin1.text, "caf\u{e9}\n");
        let bin = given_text("b", None, &[0, 1, 2, 0, 0xff, 0], ReadAs::default());
        assert!(matches!(bin, Err(CompareError::NotText { .. })));
    }
}
