//! Reading what the command line names ([`vellum::capture::input`]), its
//! errors as the messages `add` and `extract` print.

use std::path::Path;

use vellum::capture::input;

/// Reads one input whole, refusing directories and anything over the limit.
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    input::read(path).map_err(|e| e.to_string())
}
