//! Reading what the command line names: a file or standard input, whole,
//! within the per-capture size limit; durations (`watch --every 15m`).

use std::io::Read;
use std::path::Path;
use std::time::Duration;

use vellum::store::object::MAX_OBJECT_SIZE;

/// Reads one input whole, refusing directories and anything over the limit.
/// The message names the input and says what is wrong with it.
pub(super) fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let limit = MAX_OBJECT_SIZE as u64;
    let too_big = |size: u64| {
        format!(
            "{}: {size} bytes is over the {limit}-byte limit per capture",
            path.display()
        )
    };
    let mut buf = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(limit + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("reading standard input: {e}"))?;
        if buf.len() as u64 > limit {
            return Err(too_big(buf.len() as u64));
        }
        return Ok(buf);
    }
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    check_input(path)?;
    let f = std::fs::File::open(path).map_err(cannot)?;
    f.take(limit + 1).read_to_end(&mut buf).map_err(cannot)?;
    if buf.len() as u64 > limit {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

/// Whether a file can be archived, as far as its metadata tells.
pub(super) fn check_input(path: &Path) -> Result<(), String> {
    let limit = MAX_OBJECT_SIZE as u64;
    let meta =
        std::fs::metadata(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if meta.is_dir() {
        return Err(format!(
            "{} is a directory; give the files inside it (or a --batch list)",
            path.display()
        ));
    }
    if meta.len() > limit {
        return Err(format!(
            "{}: {} bytes is over the {limit}-byte limit per capture",
            path.display(),
            meta.len()
        ));
    }
    Ok(())
}

/// `30s`, `15m`, `1h`, `1d`, or plain seconds.
pub(super) fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (num, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?} is not a duration: use 30s, 15m, 1h or 1d")),
    };
    Ok(Duration::from_secs(secs))
}
