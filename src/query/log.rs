//! Filtered listings, as `log` shows them and any front end may ask for
//! them: documents, a document's versions and its captures, each within a
//! time window and row limits; versions also by pickaxe, by whether their
//! change survives the diff's normalizations, and without boilerplate.

use time::OffsetDateTime;

use crate::diff::{Diff, DiffOptions, diff};
use crate::republish;
use crate::store::StoreError;
use crate::store::catalog::CaptureRow;
use crate::store::{Archive, DocSummary, History, Version};

use super::read;

type Result<T> = std::result::Result<T, StoreError>;

/// A time window and row limits: which rows of a listing are kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Window {
    /// Rows captured at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Rows captured at or before this time.
    pub until: Option<OffsetDateTime>,
    /// Only the `max` most recent rows (after the other filters).
    pub max: Option<usize>,
    /// Newest first.
    pub reverse: bool,
}

impl Window {
    /// Whether `t` is inside the time window.
    pub fn contains(&self, t: OffsetDateTime) -> bool {
        self.since.is_none_or(|s| t >= s) && self.until.is_none_or(|u| t <= u)
    }

    /// Whether the span `first..=last` reaches into the time window.
    pub fn overlaps(&self, first: OffsetDateTime, last: OffsetDateTime) -> bool {
        self.since.is_none_or(|s| last >= s) && self.until.is_none_or(|u| first <= u)
    }

    /// Keeps the `max` last of `items` (oldest first), newest first when
    /// reversed.
    pub fn finish<T>(&self, mut items: Vec<T>) -> Vec<T> {
        if let Some(max) = self.max {
            items.drain(..items.len().saturating_sub(max));
        }
        if self.reverse {
            items.reverse();
        }
        items
    }
}

/// Hides each source's boilerplate, or nothing.
pub struct Boilerplate(Option<(republish::Index, std::path::PathBuf)>);

impl Boilerplate {
    /// Hides nothing.
    pub fn none() -> Boilerplate {
        Boilerplate(None)
    }

    /// Hides the boilerplate learned from `archive` (its similarity index,
    /// caught up as a reader does).
    pub fn learned(archive: &Archive) -> Result<Boilerplate> {
        let path = archive.dir().join(republish::index::FILE);
        Ok(Boilerplate(Some((republish::read_index(archive)?, path))))
    }

    /// Whether anything is hidden.
    pub fn is_active(&self) -> bool {
        self.0.is_some()
    }

    /// `text` without the boilerplate of its source (by `--source`, else its
    /// URL's host; every source's when it names none, as for a file).
    pub fn strip(&self, text: String, source: Option<&str>, url: Option<&str>) -> Result<String> {
        let Some((index, path)) = &self.0 else {
            return Ok(text);
        };
        let bp =
            republish::boilerplate::of(index, source, url).map_err(|e| StoreError::Catalog {
                path: path.clone(),
                source: e.0,
            })?;
        Ok(republish::boilerplate::strip(&text, &bp))
    }
}

/// Which versions of a document to list, and what to work out for each.
/// Built with [`VersionQuery::new`] and its setters.
#[derive(Debug, Clone, Default)]
pub struct VersionQuery {
    window: Window,
    opts: DiffOptions,
    pickaxe: Option<String>,
    changes_only: bool,
    diffs: bool,
}

impl VersionQuery {
    /// Every version, with its cached statistics.
    pub fn new() -> VersionQuery {
        VersionQuery::default()
    }

    /// Only versions inside `window`, within its limits.
    pub fn window(mut self, window: Window) -> Self {
        self.window = window;
        self
    }

    /// Compares versions under these normalizations (each row then carries
    /// its diff against the version before).
    pub fn options(mut self, opts: DiffOptions) -> Self {
        self.opts = opts;
        self
    }

    /// Only versions where `phrase` appears or disappears (its number of
    /// occurrences changes; case folded under `ignore_case`).
    pub fn pickaxe(mut self, phrase: Option<String>) -> Self {
        self.pickaxe = phrase;
        self
    }

    /// Skips versions whose change vanishes under the normalizations.
    pub fn changes_only(mut self, on: bool) -> Self {
        self.changes_only = on;
        self
    }

    /// Each row carries its diff against the version before.
    pub fn diffs(mut self, on: bool) -> Self {
        self.diffs = on;
        self
    }

    fn needs_diff(&self, bp: &Boilerplate) -> bool {
        let o = &self.opts;
        self.diffs
            || self.changes_only
            || bp.is_active()
            || o.ignore_case
            || o.ignore_whitespace
            || o.ignore_typography
            || o.ignore_markup
    }

    /// Occurrences of the pickaxe phrase in `text`.
    fn occurrences(&self, text: Option<&str>) -> Option<usize> {
        let p = self.pickaxe.as_deref().filter(|p| !p.is_empty())?;
        let t = text?;
        Some(if self.opts.ignore_case {
            t.to_lowercase().matches(&p.to_lowercase()).count()
        } else {
            t.matches(p).count()
        })
    }
}

/// One version as a filtered listing gives it.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub version: Version,
    pub words: Option<u64>,
    /// Words added and removed against the version before (under the
    /// query's normalizations when it has any).
    pub change: Option<(u64, u64)>,
    /// The diff against the version before, when the query needs it.
    pub diff: Option<Diff>,
}

/// The significance of version `v`'s change from the version before it in
/// `history` (`None` for a first version).
pub fn significance_of(
    index: &mut crate::significance::Index,
    archive: &Archive,
    history: &History,
    v: &Version,
) -> std::result::Result<
    Option<crate::significance::Significance>,
    crate::significance::SignificanceError,
> {
    let prev = (v.number as usize)
        .checked_sub(2)
        .and_then(|i| history.versions.get(i));
    prev.map(|p| index.score_versions(archive, p, v))
        .transpose()
}

/// The versions of `history` that `q` keeps, oldest first (newest first
/// when its window is reversed). Texts are read only when the query needs
/// them; the plain listing uses the cached statistics.
pub fn versions_matching(
    archive: &Archive,
    history: &History,
    q: &VersionQuery,
    bp: &Boilerplate,
) -> Result<Vec<VersionRow>> {
    // One read of the catalog for every row's statistics: each lookup on
    // its own took the file's lock and checked for a hot journal.
    let _view = archive.read_view();
    let needs_diff = q.needs_diff(bp);
    let needs_text = needs_diff || q.pickaxe.is_some();
    let mut rows = Vec::new();
    let mut prev_text: Option<String> = None;
    let mut prev_count: Option<usize> = None;
    for (i, v) in history.versions.iter().enumerate() {
        let prev = i.checked_sub(1).map(|p| &history.versions[p]);
        // A version outside the window still serves as the "before" of the
        // next one, so its text is read when the next one needs it.
        let shown = q.window.contains(v.captured_at);
        let next_shown = history
            .versions
            .get(i + 1)
            .is_some_and(|n| q.window.contains(n.captured_at));
        let text = if needs_text && (shown || next_shown) {
            match read::text(archive, &v.key)? {
                Some(t) => Some(bp.strip(t, v.source.as_deref(), v.url.as_deref())?),
                None => None,
            }
        } else {
            None
        };
        let count = q.occurrences(text.as_deref());
        if shown {
            let mut row = VersionRow {
                version: v.clone(),
                words: read::words(archive, &v.key)?,
                change: None,
                diff: None,
            };
            if needs_diff {
                if let (Some(_), Some(old), Some(new)) = (prev, &prev_text, &text) {
                    let d = diff(old, new, &q.opts);
                    row.change = Some((d.stats.words_added as u64, d.stats.words_removed as u64));
                    row.diff = Some(d);
                }
            } else if let Some(p) = prev {
                row.change = read::change(archive, &p.key, &v.key)?;
            }
            let vanished = prev.is_some() && row.diff.as_ref().is_some_and(|d| d.is_unchanged());
            let pickaxe_hit = q.pickaxe.is_none() || count.unwrap_or(0) != prev_count.unwrap_or(0);
            if !(q.changes_only && vanished) && pickaxe_hit {
                rows.push(row);
            }
        }
        prev_text = text;
        prev_count = count;
    }
    Ok(q.window.finish(rows))
}

/// Each row with the significance of its change from the version before
/// it (`None` for a first version), from the significance index.
pub fn scored(
    archive: &Archive,
    history: &History,
    rows: Vec<VersionRow>,
) -> std::result::Result<
    Vec<(VersionRow, Option<crate::significance::Significance>)>,
    crate::significance::SignificanceError,
> {
    let mut index = crate::significance::Index::read(archive)?;
    // One read transaction of the index and one of the catalog for every
    // row, as for the listing itself.
    let _view = archive.read_view();
    index.reading(|index| {
        let mut score = |r: VersionRow| {
            let s = significance_of(index, archive, history, &r.version)?;
            Ok((r, s))
        };
        rows.into_iter().map(&mut score).collect()
    })
}

/// The flagged captures of `doc` in `window` (archived as evidence, never
/// a version), each with its flag (`HTTP 404 Not Found`).
pub fn flagged_in(
    archive: &Archive,
    history: &History,
    doc: &str,
    window: &Window,
) -> Result<Vec<(CaptureRow, OffsetDateTime, String)>> {
    let _view = archive.read_view();
    let mut flagged = Vec::new();
    for c in captures_in(archive, history, doc, window)? {
        if c.row.flagged {
            let flag = c.flag(archive)?.unwrap_or_default();
            flagged.push((c.row, c.captured_at, flag));
        }
    }
    Ok(flagged)
}

impl VersionRow {
    /// The row as `log` shows it, with its change's significance.
    pub fn line<'a>(
        &'a self,
        significance: Option<&'a crate::significance::Significance>,
    ) -> crate::render::listing::VersionLine<'a> {
        crate::render::listing::VersionLine {
            version: &self.version,
            words: self.words,
            change: self.change,
            diff: self.diff.as_ref(),
            significance,
        }
    }
}

/// One capture (sighting) of a document, with the version it saw.
#[derive(Debug, Clone)]
pub struct CaptureSighting {
    pub row: CaptureRow,
    pub captured_at: OffsetDateTime,
    /// The version the capture saw (`None` for a flagged or superseded one).
    pub version: Option<u64>,
}

impl CaptureSighting {
    /// Why a flagged capture is no version (its record's flag, as `HTTP 404
    /// Not Found`); `None` for any other.
    pub fn flag(&self, archive: &Archive) -> Result<Option<String>> {
        Ok(match self.row.flagged {
            true => archive.record(&self.row.id)?.flag,
            false => None,
        })
    }
}

/// The captures of `doc` (whose history is `history`) inside `window`.
pub fn captures_in(
    archive: &Archive,
    history: &History,
    doc: &str,
    window: &Window,
) -> Result<Vec<CaptureSighting>> {
    let seen: std::collections::HashMap<_, u64> =
        history.captures.iter().map(|(c, _, v)| (*c, *v)).collect();
    let rows = archive
        .captures(doc)?
        .into_iter()
        .map(|row| CaptureSighting {
            captured_at: row.captured_at,
            version: seen.get(&row.id).copied().filter(|&v| v > 0),
            row,
        })
        .filter(|c| window.contains(c.captured_at))
        .collect();
    Ok(window.finish(rows))
}

/// The documents whose captures reach into `window`, by name; `max` keeps
/// the most recently captured ones, `reverse` lists them backwards.
pub fn documents_in(archive: &Archive, window: &Window) -> Result<Vec<DocSummary>> {
    let mut docs: Vec<DocSummary> = read::documents(archive)?
        .into_iter()
        .filter(|d| window.overlaps(d.first, d.last))
        .collect();
    if let Some(max) = window.max
        && docs.len() > max
    {
        let mut by_last: Vec<usize> = (0..docs.len()).collect();
        by_last.sort_by_key(|&i| (docs[i].last, std::cmp::Reverse(i)));
        let keep: std::collections::HashSet<usize> =
            by_last[docs.len() - max..].iter().copied().collect();
        let mut i = 0;
        docs.retain(|_| {
            i += 1;
            keep.contains(&(i - 1))
        });
    }
    if window.reverse {
        docs.reverse();
    }
    Ok(docs)
}
