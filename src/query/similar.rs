//! What `similar` compares: a target (an archived version, an archived
//! URL's document, or a text given directly) against every archived
//! document.

use crate::error::ErrorKind;

use crate::republish::{self, Index, Prepared, Similar};
use crate::store::{Address, Archive};
use crate::store::{AddressError, StoreError};

use super::items::{SimilarAnswer, SimilarItem, SimilarQuery};
use super::read;

/// Why a target cannot be compared.
#[derive(Debug, thiserror::Error)]
pub enum SimilarError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0} (TARGET is an address, a file path or an archived URL)")]
    BadTarget(AddressError),
    #[error("{0} has no UTF-8 text to compare")]
    NoText(String),
    /// A file given that holds no text.
    #[error("{0} is not text; vellum compares text only")]
    FileNotText(String),
    #[error(transparent)]
    File(super::compare::CompareError),
}

impl SimilarError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            SimilarError::Store(e) => e.kind(),
            SimilarError::BadTarget(e) => e.kind(),
            SimilarError::NoText(_) | SimilarError::FileNotText(_) => ErrorKind::InvalidInput,
            SimilarError::File(e) => e.kind(),
        }
    }
}

/// What a `similar` query compares.
#[derive(Debug, Clone)]
pub struct SimilarTarget {
    pub label: String,
    /// The archived document (left out of the results).
    pub doc: Option<String>,
    pub text: String,
    /// Its source key (empty for a text given directly).
    pub source: String,
}

impl SimilarTarget {
    /// A text given directly (a file, standard input).
    pub fn given(label: &str, text: String) -> SimilarTarget {
        SimilarTarget {
            label: label.to_owned(),
            doc: None,
            text,
            source: String::new(),
        }
    }

    /// What `target` names: a file (read as `add` reads it: an HTML page's
    /// article extracted), or an archived URL or address (a relative time
    /// after its `@` counted back from `now`).
    pub fn named(
        archive: &Archive,
        target: &str,
        now: time::OffsetDateTime,
    ) -> Result<SimilarTarget, SimilarError> {
        if super::compare::names_file(target) {
            let text =
                super::compare::given_file(target, Default::default()).map_err(|e| match e {
                    super::compare::CompareError::NotText { .. } => {
                        SimilarError::FileNotText(target.into())
                    }
                    e => SimilarError::File(e),
                })?;
            return Ok(SimilarTarget::given(target, text.text));
        }
        // A relative time after an address's `@` (DOC@1d), never in a file's name.
        match std::path::Path::new(target).exists() {
            true => Self::archived(archive, target),
            false => Self::archived(archive, &crate::when::anchor_address(target, now)),
        }
    }

    /// What `target` names: the document of an archived URL (any case of
    /// its scheme) or an address.
    pub fn archived(archive: &Archive, target: &str) -> Result<SimilarTarget, SimilarError> {
        // A URL (any case of its scheme) is an address like any other.
        let addr: Address = target.trim().parse().map_err(SimilarError::BadTarget)?;
        let v = read::version(archive, &addr)?;
        let text = v
            .text
            .and_then(|t| String::from_utf8(t.to_vec()).ok())
            .ok_or_else(|| SimilarError::NoText(v.resolved.label.clone()))?;
        Ok(SimilarTarget {
            label: v.resolved.label,
            doc: Some(v.resolved.doc),
            text,
            source: republish::text::source_key(
                v.record.source.as_deref(),
                v.record.url.as_deref(),
            ),
        })
    }
}

/// The target prepared for comparison, and the `n` documents sharing most
/// of its text (its own document left out).
pub fn similar_to(
    archive: &Archive,
    index: &Index,
    target: &SimilarTarget,
    n: usize,
) -> Result<(Prepared, Vec<Similar>), StoreError> {
    let err = |e: republish::IndexError| StoreError::Catalog {
        path: archive.dir().join(republish::index::FILE),
        source: e.0,
    };
    // One read transaction of the index and of the catalog for every
    // candidate looked up.
    let _view = archive.read_view();
    index.reading(|| {
        let query = republish::prepare_text(index, &target.text).map_err(err)?;
        let exclude = match &target.doc {
            Some(d) => index.doc(d).map_err(err)?.map(|d| d.id),
            None => None,
        };
        let mut texts = republish::store_texts(archive);
        let results = republish::similar(index, &query, exclude, n, &mut texts).map_err(err)?;
        Ok((query, results))
    })
}

impl SimilarAnswer {
    /// The answer to `target`, prepared as `query`.
    pub fn new(target: &SimilarTarget, query: &Prepared, results: &[Similar]) -> SimilarAnswer {
        SimilarAnswer {
            query: SimilarQuery {
                target: target.label.clone(),
                doc: target.doc.clone(),
                source: target.source.clone(),
                shingles: query.set.len(),
            },
            results: results
                .iter()
                .map(|s| SimilarItem::new(s, query, &target.text))
                .collect(),
        }
    }
}

impl super::items::StoriesAnswer {
    /// The answer for `stories`, each with its lineage (texts read through
    /// `texts`).
    pub fn new(
        index: &Index,
        stories: &[republish::Story],
        texts: &mut republish::TextSource,
    ) -> Result<Self, republish::IndexError> {
        let mut items = Vec::with_capacity(stories.len());
        for s in stories {
            let lineage = republish::lineage::of_story(index, s, texts)?;
            items.push(super::items::StoryItem::new(s, lineage));
        }
        Ok(Self { stories: items })
    }
}

/// The story of `doc` (the documents that carry its text), when the
/// similarity index can say: a listing is shown whatever becomes of the
/// index, so an index that cannot be read answers `None`.
pub fn story_of(archive: &Archive, doc: &str) -> Option<republish::Story> {
    republish::read_index(archive)
        .and_then(|index| republish::story_for_doc(archive, &index, doc))
        .ok()
        .flatten()
}
