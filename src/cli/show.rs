//! `vellum show ADDR`

use std::io::Write;

use vellum::store::Address;

use super::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum show south-front          the latest version
  vellum show south-front@1        version 1
  vellum show 3f2a9c01             a capture, by a unique prefix of its id
  vellum show south-front --meta   the capture record as JSON")]
pub struct ShowArgs {
    /// DOC, DOC@N, or a capture id (8+ hex digits)
    addr: String,
    /// Print the capture record (JSON) instead of the text
    #[arg(long, conflicts_with = "raw")]
    meta: bool,
    /// Print the captured bytes exactly, even when they are not UTF-8 text
    #[arg(long)]
    raw: bool,
}

pub fn run_show(env: &Env, args: ShowArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let addr: Address = args
        .addr
        .parse()
        .map_err(|e| CliError::new(format!("{e}")))?;
    let r = archive.resolve(&addr)?;
    let mut out = std::io::stdout().lock();
    if args.meta {
        let rec = archive.record(&r.capture)?;
        let mut v = serde_json::to_value(&rec).map_err(|e| CliError::new(e.to_string()))?;
        v["capture"] = serde_json::json!(r.capture);
        v["version"] = serde_json::json!(r.version);
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| CliError::new(e.to_string()))?
        )?;
        return Ok(Exit::Ok);
    }
    let row = archive.capture_row(&r.capture)?.ok_or_else(|| {
        CliError::new(format!(
            "capture {} is not in the catalog; run `vellum reindex`",
            r.capture
        ))
    })?;
    let bytes = archive.read_object(if args.raw { &row.content } else { &row.vkey })?;
    if !args.raw && std::str::from_utf8(&bytes).is_err() {
        return Err(CliError::new(format!(
            "{} is not UTF-8 text ({} bytes); `vellum show --raw {}` prints the bytes exactly",
            r.label,
            bytes.len(),
            args.addr
        )));
    }
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(Exit::Ok)
}
