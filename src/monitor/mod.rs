//! The monitor: re-checks archived documents on a schedule, keeps every
//! check as history, and tells people about the changes that matter.
//!
//! - Every check of a URL is a [`CheckRecord`] in the store (object kind 5,
//!   written in the same durable write as the capture it made, if any), so
//!   checks are pushed, pulled and merged like captures.
//! - The [`Schedule`] is derived from the captures and check records
//!   (`monitor.sqlite`, rebuildable): the interval backs off while a page
//!   stays the same ([`Policy`]: 15 minutes doubling up to 30 days) and
//!   returns to short after a change; [`Settings`] (a state object) pause a
//!   document or fix its interval.
//! - [`Monitor::check`] checks one document: a conditional GET, politely
//!   ([`Politeness`]: a delay and jitter per host, `robots.txt`).
//! - Notifications go through a local, crash-safe [`outbox::Outbox`].
//! - A round ([`select`], [`Checks`]) is what `vellum recheck` and
//!   `vellum watch` run, and what any other front end can run: settings
//!   in, events and serializable [`CheckReport`]s out.
//!
//! The library never reads the clock: every function takes `now`.

mod asked;
mod check;
mod error;
mod index;
mod lease;
pub mod notify;
pub mod outbox;
mod policy;
mod polite;
mod record;
mod round;
mod settings;

pub use asked::Asked;
pub use check::{Batch, CheckReport, Monitor, Target};
pub use error::MonitorError;
pub use index::{FILE as INDEX_FILE, Schedule, ScheduleIndex, Scheduled};
pub use lease::Lease;
pub use policy::{Policy, Standing};
pub use polite::{Hosts, Politeness, Robots};
pub use record::{CHECK_RECORD_FORMAT, CheckRecord, Outcome};
pub use round::{
    Checks, RoundEvent, RoundSettings, ScheduleChange, Selection, resolve_doc, schedule, scheduled,
    select, target_of, targets,
};
pub use settings::{DocSettings, Settings};

#[cfg(test)]
mod tests;
