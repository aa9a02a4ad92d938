//! Diffs of any two texts a front end is given: archived versions and
//! texts given directly (a file, standard input), which are read exactly as
//! `add` reads them (decoded, an HTML page's article extracted).

use std::path::Path;

use time::OffsetDateTime;

pub use crate::capture::input::ReadAs;
use crate::capture::input::{self, InputError};
use crate::diff::{Diff, DiffOptions, diff};
use crate::error::ErrorKind;
use crate::ingest::{PrepareHints, prepare};
use crate::store::StoreError;
use crate::store::{Address, Archive, Resolved, is_url};

use super::log::Boilerplate;
use super::read::{Side, side};

/// Why a side cannot be diffed.
#[derive(Debug, thiserror::Error)]
pub enum CompareError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A file or standard input that could not be read.
    #[error(transparent)]
    Input(#[from] InputError),
    /// An argument that is neither a file nor an archived address.
    #[error("cannot read {0}: no such file (and no archived document or capture by that name)")]
    NoFile(String),
    /// The side has no text (binary bytes, or an archived text that is
    /// not UTF-8).
    #[error("{label} is not text; vellum diffs text only")]
    NotText {
        label: String,
        /// The capture, when the side is archived.
        capture: Option<crate::store::CaptureId>,
    },
    /// `diff - -`: standard input can be read once.
    #[error("only one side can be read from standard input; give a file or address for the other")]
    TwoStdin,
    /// `diff FILE` alone: a file has no version before it.
    #[error("diffing a file needs two arguments: vellum diff OLD NEW")]
    OneFile,
    /// `diff DOC@1` alone: nothing before it.
    #[error(
        "{label} is the first version of {doc}: nothing to diff it against; give two addresses"
    )]
    FirstVersion { label: String, doc: String },
}

impl CompareError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CompareError::Store(e) => e.kind(),
            CompareError::Input(e) => e.kind(),
            CompareError::NotText { .. }
            | CompareError::NoFile(_)
            | CompareError::OneFile
            | CompareError::TwoStdin
            | CompareError::FirstVersion { .. } => ErrorKind::InvalidInput,
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
    /// The byline extraction took out of the text (an archived side's is
    /// its record's; absent from records written before bylines were kept).
    pub byline: Option<String>,
    pub text: String,
}

impl SideText {
    /// The side as the renderers show it.
    pub fn rendered(&self) -> crate::render::Side {
        let side = match &self.archived {
            Some(a) => a.rendered(),
            None => crate::render::Side {
                title: self.title.clone(),
                ..crate::render::Side::named(&self.label)
            },
        };
        crate::render::Side {
            byline: self.byline.clone(),
            ..side
        }
    }
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
    let (title, byline) = p.article.map_or((None, None), |a| (a.title, a.byline));
    Ok(SideText {
        label: label.to_owned(),
        archived: None,
        title,
        byline,
        text,
    })
}

/// Whether an argument names a file (`-`: standard input) rather than an
/// address: it contains '/' or names an existing file. A URL is always an
/// address (its document), never a file.
pub fn names_file(arg: &str) -> bool {
    arg == "-" || !is_url(arg) && (arg.contains('/') || Path::new(arg).is_file())
}

/// An argument that names no file but looks like a file name (`a.txt`):
/// when it is no address either, the missing file is what to report.
fn looks_like_file(arg: &str) -> bool {
    let ext = Path::new(arg).extension().and_then(|e| e.to_str());
    ext.is_some_and(|e| e.chars().any(|c| c.is_ascii_alphabetic()))
}

/// The sides of `diff A [B]`, each a file or an address (`archive`: the
/// store, opened once an address needs it); with A alone (an address),
/// the version before it, then it.
pub fn diff_sides<'a, E: From<CompareError>>(
    archive: impl Fn() -> Result<&'a Archive, E>,
    a: &str,
    b: Option<&str>,
    now: OffsetDateTime,
    how: ReadAs,
) -> Result<(SideText, SideText), E> {
    if let Some(b) = b {
        if a == "-" && b == "-" {
            return Err(CompareError::TwoStdin.into());
        }
        let load = |arg: &str| named_side(&archive, arg, now, how);
        return Ok((load(a)?, load(b)?));
    }
    if names_file(a) {
        return Err(CompareError::OneFile.into());
    }
    let archive = archive()?;
    let addr = crate::when::anchor_address(a, now).parse::<Address>();
    let addr = addr.map_err(|e| CompareError::Store(e.into()))?;
    let r = archive.resolve(&addr).map_err(CompareError::from)?;
    let Some(prev) = super::read::previous(&r) else {
        return Err(CompareError::FirstVersion {
            label: r.label,
            doc: r.doc,
        }
        .into());
    };
    Ok((archived_text(archive, prev)?, archived_text(archive, r)?))
}

/// A file (`-`: standard input) read as `add` reads it, within its size
/// limit; labelled with `arg`.
pub fn given_file(arg: &str, how: ReadAs) -> Result<SideText, CompareError> {
    let bytes = input::read(Path::new(arg))?;
    let (label, name) = match arg {
        "-" => ("standard input", None),
        _ => (arg, Some(arg)),
    };
    let mut side = given_text(label, name, &bytes, how)?;
    side.label = arg.to_owned();
    Ok(side)
}

/// One side as a front end names it: a file ([`names_file`]) read as `add`
/// reads it, else an address of the store `archive` opens (only then; a
/// relative time after the `@` counted back from `now`). When there is no
/// store, that error is returned, unless the argument looks like a file
/// name, whose absence is then what is reported (as when no address
/// matches).
pub fn named_side<'a, E: From<CompareError>>(
    archive: impl FnOnce() -> Result<&'a Archive, E>,
    arg: &str,
    now: OffsetDateTime,
    how: ReadAs,
) -> Result<SideText, E> {
    if names_file(arg) {
        return Ok(given_file(arg, how)?);
    }
    let no_file = || CompareError::NoFile(arg.to_owned()).into();
    let archive = match archive() {
        Ok(a) => a,
        Err(_) if looks_like_file(arg) => return Err(no_file()),
        Err(e) => return Err(e),
    };
    let address = crate::when::anchor_address(arg, now).parse::<Address>();
    let resolved = address
        .map_err(StoreError::from)
        .and_then(|a| archive.resolve(&a));
    match resolved {
        Ok(r) => Ok(archived_text(archive, r)?),
        Err(_) if looks_like_file(arg) => Err(no_file()),
        Err(e) => Err(CompareError::Store(e).into()),
    }
}

/// An archived version's (or capture's) text, with its metadata.
pub fn archived_text(archive: &Archive, resolved: Resolved) -> Result<SideText, CompareError> {
    let (side, bytes) = side(archive, resolved)?;
    let byline = archive.record(&side.capture)?.byline;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| CompareError::NotText {
        label: side.label.clone(),
        capture: Some(side.capture),
    })?;
    Ok(SideText {
        label: side.label.clone(),
        title: side.title.clone(),
        byline,
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

    #[test]
    fn without_a_store_a_missing_file_name_is_what_is_reported() {
        assert!(names_file("-") && names_file("dir/page.html"));
        assert!(!names_file("https://example.org/a/b") && !names_file("south-front@2"));
        let now = OffsetDateTime::UNIX_EPOCH;
        let no_store = || Err(CompareError::Store(StoreError::NoStore("/s".into())));
        let file = named_side(no_store, "page.txt", now, ReadAs::default()).unwrap_err();
        assert!(
            matches!(&file, CompareError::NoFile(f) if f == "page.txt"),
            "{file}"
        );
        let doc = named_side(no_store, "south-front", now, ReadAs::default()).unwrap_err();
        assert!(
            matches!(doc, CompareError::Store(StoreError::NoStore(_))),
            "{doc}"
        );
        let missing = given_file("/no/such/vellum-page.html", ReadAs::default()).unwrap_err();
        assert_eq!(missing.kind(), ErrorKind::NotFound, "{missing}");
    }
}
