//! `show --batch`: addresses read one a line, each answered before the
//! next is read (as `git cat-file --batch`), so a program can ask, wait
//! for the answer, then ask again.

use std::io::{BufRead, BufReader, Write};

use time::OffsetDateTime;

use crate::store::{Address, Archive, StoreError};

use super::read::{Content, Shown, read_shown};

/// Why a batch stopped.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("reading standard input: {0}")]
    Input(std::io::Error),
    #[error(transparent)]
    Output(#[from] std::io::Error),
}

/// What `addr` (as typed: a relative time after `@` counts back from
/// `now`) names: its text, or its captured bytes.
pub fn read_typed(
    archive: &Archive,
    addr: &str,
    content: Content,
    now: OffsetDateTime,
) -> Result<Shown, StoreError> {
    let addr: Address = crate::when::anchor_address(addr, now).parse()?;
    read_shown(archive, &addr, content)
}

/// Answers each address of `input` with a header line `CAPTURE_ID DOC@N
/// SIZE`, the text (or bytes) and a newline, or `ADDR missing: REASON`.
pub fn answer<R: std::io::Read>(
    archive: &Archive,
    input: &mut BufReader<R>,
    out: &mut dyn Write,
    content: Content,
    now: OffsetDateTime,
) -> Result<(), BatchError> {
    let mut line = String::new();
    let mut view = None;
    loop {
        // One catalog view serves the addresses already waiting in the
        // input (one lock and one freshness check for all of them); it is
        // let go before waiting for more, so a reader idling on its input
        // never keeps a writer out.
        if input.buffer().is_empty() {
            view = None;
        }
        line.clear();
        if input.read_line(&mut line).map_err(BatchError::Input)? == 0 {
            break;
        }
        let addr = line.trim();
        if addr.is_empty() {
            continue;
        }
        view.get_or_insert_with(|| archive.read_view());
        match read_typed(archive, addr, content, now) {
            Ok(Shown {
                resolved: r, bytes, ..
            }) => {
                writeln!(out, "{} {} {}", r.capture, r.label, bytes.len())?;
                out.write_all(&bytes)?;
                writeln!(out)?;
            }
            Err(e) => {
                let why = format!("{e}{}", e.advice()).replace('\n', " ");
                writeln!(out, "{addr} missing: {why}")?
            }
        }
        // Each answer goes out whole before the next address is read.
        out.flush()?;
    }
    Ok(out.flush()?)
}
