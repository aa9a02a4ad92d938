//! Listings served in pieces: a bounded limit and an opaque cursor that
//! says where the next piece starts. A front end (the JSON API) asks for
//! a [`PageRequest`], gets a [`Page`] of items and, when more follow, the
//! cursor of the next page.
//!
//! A cursor is the listing's name and an offset, base64url-encoded: opaque
//! to clients (they pass it back as given), checked when read back (a
//! cursor of another listing, or one that is not ours, is invalid input).

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::ErrorKind;
use crate::store::{Archive, History, StoreError};

use super::log::VersionRow;
use super::read;

/// Items per page when no limit is given.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest limit accepted.
pub const MAX_LIMIT: usize = 1000;
/// The furthest a cursor may point (a bound on what a request may skip).
pub const MAX_OFFSET: usize = 1_000_000;

/// One page of a listing: its items and the cursor of the next page
/// (`null` on the last).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[schemars(rename = "{T}Page")]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    /// The items a page holds, converted.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next: self.next,
        }
    }
}

/// Why a page cannot be served.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    #[error("limit={0:?} is not a number from 1 to {MAX_LIMIT}; leave it out for {DEFAULT_LIMIT}")]
    BadLimit(String),
    #[error(
        "cursor {0:?} is not a cursor of this listing; pass the `next` value of the page before as it is, or leave the cursor out for the first page"
    )]
    BadCursor(String),
}

impl PagingError {
    /// Always the request's fault.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::InvalidInput
    }
}

/// Which page of which listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// The listing's name, part of its cursors.
    pub listing: &'static str,
    /// Items before this page.
    pub offset: usize,
    /// Items on this page (1 to [`MAX_LIMIT`]).
    pub limit: usize,
}

impl PageRequest {
    /// The first page of `listing`, with `limit` items.
    pub fn first(listing: &'static str, limit: usize) -> PageRequest {
        PageRequest {
            listing,
            offset: 0,
            limit: limit.clamp(1, MAX_LIMIT),
        }
    }

    /// The page `cursor` and `limit` (as a client gave them, either
    /// absent) name in `listing`.
    pub fn parse(
        listing: &'static str,
        cursor: Option<&str>,
        limit: Option<&str>,
    ) -> Result<PageRequest, PagingError> {
        let limit = match limit.map(str::trim) {
            None | Some("") => DEFAULT_LIMIT,
            Some(l) => l
                .parse::<usize>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| PagingError::BadLimit(clip(l)))?,
        };
        let offset = match cursor.map(str::trim) {
            None | Some("") => 0,
            Some(c) => decode(listing, c).ok_or_else(|| PagingError::BadCursor(clip(c)))?,
        };
        Ok(PageRequest {
            listing,
            offset,
            limit,
        })
    }

    /// How many items a source must yield for this page to know whether
    /// another follows.
    pub fn wanted(&self) -> usize {
        self.offset + self.limit + 1
    }

    /// This page of `items` (the whole listing, or at least its first
    /// [`PageRequest::wanted`] items).
    pub fn page<T>(&self, items: impl IntoIterator<Item = T>) -> Page<T> {
        let mut items: Vec<T> = items
            .into_iter()
            .skip(self.offset)
            .take(self.limit + 1)
            .collect();
        let more = items.len() > self.limit;
        items.truncate(self.limit);
        Page {
            items,
            next: more.then(|| encode(self.listing, self.offset + self.limit)),
        }
    }
}

/// A page of `history`'s versions, oldest first, with their cached
/// statistics: the rows the plain [`super::versions_matching`] gives, for
/// only the versions on the page (a 100-row page of a 400-version
/// document reads 100 versions' statistics, not 400).
pub fn version_page(
    archive: &Archive,
    history: &History,
    req: &PageRequest,
) -> Result<Page<VersionRow>, StoreError> {
    let all = &history.versions;
    let end = (req.offset + req.limit).min(all.len());
    let mut items = Vec::new();
    for i in req.offset.min(end)..end {
        let v = &all[i];
        let change = match i.checked_sub(1) {
            Some(p) => read::change(archive, &all[p].key, &v.key)?,
            None => None,
        };
        items.push(VersionRow {
            version: v.clone(),
            words: read::words(archive, &v.key)?,
            change,
            diff: None,
        });
    }
    Ok(Page {
        items,
        next: (end < all.len()).then(|| encode(req.listing, end)),
    })
}

fn clip(s: &str) -> String {
    s.chars().take(80).collect()
}

/// The cursor of `listing` at `offset`.
pub fn encode(listing: &str, offset: usize) -> String {
    data_encoding::BASE64URL_NOPAD.encode(format!("{listing}:{offset}").as_bytes())
}

fn decode(listing: &str, cursor: &str) -> Option<usize> {
    let bytes = data_encoding::BASE64URL_NOPAD
        .decode(cursor.as_bytes())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (name, digits) = text.split_once(':')?;
    let offset: usize = digits.parse().ok()?;
    // One spelling per offset (no `+5`, no `05`): a cursor is only ever ours.
    (name == listing && offset <= MAX_OFFSET && offset.to_string() == digits).then_some(offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_each_other_to_the_end() {
        let all: Vec<u32> = (0..7).collect();
        let mut req = PageRequest::parse("n", None, Some("3")).unwrap();
        let mut seen = Vec::new();
        loop {
            let page = req.page(all.iter().copied());
            seen.extend(page.items);
            let Some(next) = page.next else { break };
            req = PageRequest::parse("n", Some(&next), Some("3")).unwrap();
        }
        assert_eq!(seen, all);
        // An exact multiple has no empty last page.
        let six = PageRequest::parse("n", Some(&encode("n", 3)), Some("3")).unwrap();
        assert_eq!(six.page(0..6).next, None);
    }

    #[test]
    fn a_version_page_is_its_slice_of_the_whole_listing() {
        use crate::store::NewCapture;
        use crate::store::backend::MemBackend;
        let tmp = tempfile::tempdir().unwrap();
        let (archive, _) =
            Archive::init_with_backend(tmp.path(), Box::new(MemBackend::default())).unwrap();
        let mut w = archive.writer(&mut || {}).unwrap();
        for (n, text) in ["one", "one two", "one", "three four five", "six"]
            .iter()
            .enumerate()
        {
            let at = time::macros::datetime!(2020-01-01 0:00 UTC) + time::Duration::hours(n as i64);
            w.add(NewCapture::plain_text("a".parse().unwrap(), at, text))
                .unwrap();
        }
        let added = w.prepare().unwrap();
        crate::capture::cache_stats(w.archive(), &added).unwrap();
        w.commit().unwrap();
        let history = archive.history("a").unwrap();
        let whole = super::super::versions_matching(
            &archive,
            &history,
            &super::super::VersionQuery::new(),
            &super::super::Boilerplate::none(),
        )
        .unwrap();
        let key = |r: &VersionRow| (r.version.number, r.words, r.change);
        let mut req = PageRequest::first("versions", 2);
        let mut paged = Vec::new();
        loop {
            let page = version_page(&archive, &history, &req).unwrap();
            paged.extend(page.items.iter().map(key));
            let Some(next) = page.next else { break };
            req = PageRequest::parse("versions", Some(&next), Some("2")).unwrap();
        }
        assert_eq!(paged, whole.iter().map(key).collect::<Vec<_>>());
        assert_eq!(paged.len(), 5);
        assert!(paged[1].2.is_some(), "{paged:?}");
        let past = PageRequest::parse("versions", Some(&encode("versions", 9)), None).unwrap();
        let empty = version_page(&archive, &history, &past).unwrap();
        assert!(empty.items.is_empty() && empty.next.is_none());
    }

    #[test]
    fn limits_and_cursors_are_checked() {
        assert_eq!(
            PageRequest::parse("n", None, None).unwrap().limit,
            DEFAULT_LIMIT
        );
        for bad in ["0", "1001", "-1", "x", "1e3"] {
            assert!(matches!(
                PageRequest::parse("n", None, Some(bad)),
                Err(PagingError::BadLimit(_))
            ));
        }
        let other = encode("m", 5);
        let far = encode("n", MAX_OFFSET + 1);
        let padded = data_encoding::BASE64URL_NOPAD.encode(b"n:05");
        for bad in [other.as_str(), far.as_str(), padded.as_str(), "!!", "bjo"] {
            assert!(
                matches!(
                    PageRequest::parse("n", Some(bad), None),
                    Err(PagingError::BadCursor(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            PageRequest::parse("n", Some(&encode("n", 5)), None)
                .unwrap()
                .offset,
            5
        );
    }
}
