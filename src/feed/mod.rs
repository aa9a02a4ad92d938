//! Feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed (parsed by `feed-rs`),
//! bounded, reduced to what `vellum watch` needs: the pages the items link
//! to. Pure: the caller fetches the feed and archives the pages.

mod parser;
pub mod round;
pub mod state;
mod watch;
pub mod watcher;

pub use parser::{Feed, FeedError, Item, MAX_FEED_BYTES, MAX_ITEMS, MAX_LINK_LEN, parse};
pub use round::{Event as RoundEvent, Report as RoundReport, Round as WatchRound};
pub use watch::{Watch, WatchEvent, WatchReport};
pub use watcher::{FeedFailure, ItemOutcome, NotWatched, Rejection, Watcher, checked_urls};
