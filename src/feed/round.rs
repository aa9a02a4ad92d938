//! A round of `vellum watch` over its feeds, as any front end can run it:
//! each feed read (a conditional GET), each new or retried item page
//! fetched, judged and archived with the next watch state in one durable
//! write. The caller hears what happens through [`Event`]s and prints; the
//! library never does.

use std::sync::atomic::{AtomicBool, Ordering};

use time::OffsetDateTime;

use crate::capture::{AddedItem, Capture, Warning};
use crate::store::{Archive, StoreError};

use super::watcher::{FeedFailure, ItemOutcome, Rejection, Watcher};

/// What a feed round tells its caller as it goes.
#[derive(Debug)]
pub enum Event<'a> {
    /// A feed could not be read or parsed: nothing is archived from it
    /// this round.
    FeedFailed {
        feed: &'a str,
        error: &'a FeedFailure,
    },
    /// The item pages of `feed` about to be fetched.
    Items { feed: &'a str, total: usize },
    /// `done` of the feed's `total` item pages handled.
    Progress { done: usize, total: usize },
    /// An item page not archived; `retried` says whether the next round
    /// tries it again.
    Rejected {
        link: &'a str,
        why: &'a Rejection,
        retried: bool,
    },
    /// Something to know about a capture archived anyway.
    Warning(&'a Warning),
    /// Done with `feed` (its items and its state stored).
    FeedDone { feed: &'a str },
    /// Captures acknowledged (each with its `url` and `feed`).
    Archived(&'a [AddedItem]),
    /// Another writer holds the store: the round waits for it.
    Waiting,
}

/// What a feed round did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// The feeds that could not be read or parsed.
    pub failed: Vec<String>,
    /// The captures archived.
    pub archived: Vec<AddedItem>,
    /// The item pages not archived.
    pub rejected: usize,
}

/// A feed round's surroundings: the store (opened when something is first
/// archived, so a round that archives nothing creates no store), the stop
/// flag and the clock.
pub struct Round<'a> {
    pub archive: Option<Archive>,
    /// Set to stop after the current item (everything archived is kept).
    pub stop: &'a AtomicBool,
    /// The fetch time of each item page (the library reads no clock).
    pub clock: &'a dyn Fn() -> OffsetDateTime,
}

impl Round<'_> {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// One round of `w` over `feeds`. `open` opens (or creates) the store
    /// the first time something is to be written; its errors, and the
    /// store's, end the round. A feed that fails is reported and skipped.
    pub fn run<E: From<StoreError>>(
        &mut self,
        w: &mut Watcher<'_>,
        feeds: &[String],
        open: &mut dyn FnMut() -> Result<Archive, E>,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<Report, E> {
        let mut report = Report::default();
        for feed in feeds {
            if self.stopped() {
                break;
            }
            let items = match w.read_feed(feed, self.stop) {
                Ok(items) => items,
                Err(error) => {
                    on(Event::FeedFailed {
                        feed,
                        error: &error,
                    });
                    report.failed.push(feed.clone());
                    continue;
                }
            };
            on(Event::Items {
                feed,
                total: items.len(),
            });
            for (i, link) in items.iter().enumerate() {
                if self.stopped() {
                    break;
                }
                match w.item(feed, link, (self.clock)(), self.stop) {
                    ItemOutcome::Accepted(c) => {
                        let added = self.save(w, Some((feed, link, *c)), open, on)?;
                        report.archived.extend(added);
                    }
                    ItemOutcome::Rejected { why, retried } => {
                        report.rejected += 1;
                        on(Event::Rejected {
                            link,
                            why: &why,
                            retried,
                        });
                    }
                }
                on(Event::Progress {
                    done: i + 1,
                    total: items.len(),
                });
            }
            if w.state_changed() {
                self.save(w, None, open, on)?;
            }
            on(Event::FeedDone { feed });
        }
        Ok(report)
    }

    /// One durable write: the item page (if any) and the new watch state.
    fn save<E: From<StoreError>>(
        &mut self,
        w: &mut Watcher<'_>,
        item: Option<(&str, &str, Capture)>,
        open: &mut dyn FnMut() -> Result<Archive, E>,
        on: &mut dyn FnMut(Event<'_>),
    ) -> Result<Vec<AddedItem>, E> {
        if self.archive.is_none() {
            self.archive = Some(open()?);
        }
        let archive = self.archive.as_ref().expect("opened");
        let writer = archive.writer(&mut || on(Event::Waiting))?;
        let (items, warnings) = w.save(writer, item)?;
        for warning in &warnings {
            on(Event::Warning(warning));
        }
        if !items.is_empty() {
            on(Event::Archived(&items));
        }
        Ok(items)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use time::macros::datetime;

    use super::*;
    use crate::capture::{MemFetcher, Options};

    const FEED: &str = "https://news.example/feed.xml";

    use crate::capture::test_page as page;

    /// A round creates no store until it has something to write, tells a
    /// failed feed, a rejected item and an archived one, and reports them.
    #[test]
    fn a_round_opens_the_store_only_to_write_and_tells_what_happened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("s");
        let rss = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>N</title>\
                   <item><link>https://news.example/gone</link></item>\
                   <item><link>https://news.example/ok</link></item></channel></rss>";
        let mut f = MemFetcher::default();
        f.answer(FEED, 200, "application/rss+xml", rss.as_bytes());
        f.answer(
            "https://news.example/bad.xml",
            200,
            "text/html",
            b"<p>no feed</p>",
        );
        f.answer(
            "https://news.example/gone",
            404,
            "text/html",
            b"<p>gone</p>",
        );
        f.answer("https://news.example/ok", 200, "text/html", &page("ok"));
        let stop = AtomicBool::new(false);
        let clock = || datetime!(2026-12-01 0:00 UTC);
        let mut w =
            Watcher::new(&mut f, Options::default(), std::time::Duration::ZERO, None).unwrap();
        let mut round = Round {
            archive: None,
            stop: &stop,
            clock: &clock,
        };
        let mut opened = 0;
        let mut open = || -> Result<Archive, StoreError> {
            opened += 1;
            Ok(Archive::init(&dir)?.0)
        };
        let bad = ["https://news.example/bad.xml".to_owned()];
        let mut heard = Vec::new();
        let r = round
            .run(&mut w, &bad, &mut open, &mut |e| {
                heard.push(format!("{e:?}"))
            })
            .unwrap();
        assert_eq!(r.failed, bad);
        assert!(r.archived.is_empty());
        assert_eq!(heard.len(), 1, "{heard:?}");
        assert!(heard[0].starts_with("FeedFailed"), "{heard:?}");
        assert!(round.archive.is_none() && !dir.exists(), "nothing written");
        let mut heard = Vec::new();
        let r = round
            .run(&mut w, &[FEED.to_owned()], &mut open, &mut |e| {
                heard.push(match e {
                    Event::Items { total, .. } => format!("items {total}"),
                    Event::Progress { done, total } => format!("{done}/{total}"),
                    Event::Rejected { link, retried, .. } => format!("rejected {link} {retried}"),
                    Event::Archived(items) => format!("archived {}", items[0].doc),
                    other => format!("{other:?}"),
                })
            })
            .unwrap();
        assert_eq!(
            heard,
            [
                "items 2",
                "rejected https://news.example/gone true",
                "1/2",
                "archived news.example_ok",
                "2/2",
                "FeedDone { feed: \"https://news.example/feed.xml\" }"
            ]
        );
        assert!(r.failed.is_empty());
        assert_eq!((r.archived.len(), r.rejected), (1, 1));
        assert_eq!(r.archived[0].feed.as_deref(), Some(FEED));
        assert_eq!(opened, 1);
        assert!(round.archive.is_some());
    }
}
