//! `feed::parse` (the bounded wrapper around feed-rs that `vellum watch`
//! reads every feed through) and the watch state it keeps, on arbitrary
//! bytes. Nothing may panic; every item stays within the documented bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vellum::feed::state::WatchState;
use vellum::feed::{MAX_ITEMS, MAX_LINK_LEN, parse};

fuzz_target!(|data: &[u8]| {
    if let Ok(feed) = parse(data, "https://example.org/feed.xml") {
        assert!(feed.items.len() <= MAX_ITEMS);
        for item in &feed.items {
            assert!(item.link.starts_with("http://") || item.link.starts_with("https://"));
            assert!(item.link.len() <= MAX_LINK_LEN + 64);
        }
    }
    // A state object read back from a store (it may be damaged or hostile).
    if let Ok(state) = WatchState::parse(data) {
        let _ = WatchState::parse(&state.to_bytes()).expect("round trip");
    }
});
