//! Collations: the copies a front end names (a story id, documents,
//! addresses) lined up paragraph by paragraph, with a lineage suggestion.

use std::collections::HashSet;

use schemars::JsonSchema;
use serde::Serialize;
use time::OffsetDateTime;

use crate::error::ErrorKind;

use crate::republish::collate::{Row, collate};
use crate::republish::lineage::{self, Lineage};
use crate::republish::{self, Index};
use crate::store::{Address, Archive};
use crate::store::{AddressError, StoreError};
use crate::when::format_time;

use super::read;

/// Why copies cannot be collated.
#[derive(Debug, thiserror::Error)]
pub enum CollateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A target is no story id, document or address.
    #[error("{0} (give a story id from `vellum stories`, a document or an address)")]
    BadTarget(AddressError),
    /// A copy has no UTF-8 text.
    #[error("{0} has no UTF-8 text to collate")]
    NoText(String),
    #[error(
        "collating needs two copies or more: give a story with several documents, or several addresses"
    )]
    TooFew,
}

impl CollateError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            CollateError::Store(e) => e.kind(),
            CollateError::BadTarget(e) => e.kind(),
            CollateError::NoText(_) | CollateError::TooFew => ErrorKind::InvalidInput,
        }
    }
}

/// One copy: a column of the collation.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct CollatedCopy {
    pub label: String,
    pub doc: String,
    pub capture: String,
    pub captured_at: String,
    /// Its source, else its URL.
    pub source: Option<String>,
    #[serde(skip)]
    pub at: OffsetDateTime,
    #[serde(skip)]
    pub text: String,
}

impl CollatedCopy {
    /// The copy as a collation table's column head names it.
    pub fn head(&self) -> crate::render::tables::CopyHead<'_> {
        crate::render::tables::CopyHead {
            label: &self.label,
            at: self.at,
            source: self.source.as_deref(),
        }
    }
}

/// Copies side by side (`collate --json`).
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct Collation {
    pub lineage: Option<Lineage>,
    /// In first-capture order.
    pub copies: Vec<CollatedCopy>,
    pub rows: Vec<Row>,
}

fn copy(archive: &Archive, target: &str) -> Result<CollatedCopy, CollateError> {
    let a: Address = target.parse().map_err(CollateError::BadTarget)?;
    let v = read::version(archive, &a)?;
    let label = v.resolved.label;
    let text = v
        .text
        .and_then(|t| String::from_utf8(t.to_vec()).ok())
        .ok_or_else(|| CollateError::NoText(label.clone()))?;
    Ok(CollatedCopy {
        label,
        doc: v.resolved.doc,
        capture: v.resolved.capture.to_string(),
        captured_at: format_time(v.record.captured_at),
        at: v.record.captured_at,
        source: v.record.source.or(v.record.url),
        text,
    })
}

fn index_error(archive: &Archive) -> impl Fn(republish::IndexError) -> StoreError + '_ {
    move |e| StoreError::Catalog {
        path: archive.dir().join(republish::index::FILE),
        source: e.0,
    }
}

/// Collates the copies `targets` name (a story id stands for its
/// documents), without boilerplate paragraphs when `hide_boilerplate`.
pub fn collation(
    archive: &Archive,
    index: &Index,
    targets: &[String],
    hide_boilerplate: bool,
) -> Result<Collation, CollateError> {
    let err = index_error(archive);
    let mut copies = Vec::new();
    let mut texts = republish::store_texts(archive);
    for t in targets {
        if t.starts_with("s-") && !t.contains('@') {
            let story = republish::stories::story_by_id(index, t, &mut texts).map_err(&err)?;
            if let Some(s) = story {
                for d in &s.docs {
                    copies.push(copy(archive, &d.entry.doc)?);
                }
                continue;
            }
        }
        copies.push(copy(archive, t)?);
    }
    copies.sort_by(|a, b| a.at.cmp(&b.at).then(a.label.cmp(&b.label)));
    copies.dedup_by(|a, b| a.capture == b.capture);
    if copies.len() < 2 {
        return Err(CollateError::TooFew);
    }
    let hidden: HashSet<u64> = if hide_boilerplate {
        index.any_boilerplate().map_err(&err)?
    } else {
        HashSet::new()
    };
    let bodies: Vec<&str> = copies.iter().map(|c| c.text.as_str()).collect();
    let rows = collate(&bodies, &hidden);
    let named: Vec<(&str, &str)> = copies
        .iter()
        .map(|c| (c.label.as_str(), c.text.as_str()))
        .collect();
    let lineage = lineage::of_texts(index, &named).map_err(&err)?;
    Ok(Collation {
        lineage,
        copies,
        rows,
    })
}
