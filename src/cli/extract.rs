//! `vellum extract FILE|URL|-`: what vellum would keep as a page's text,
//! without archiving anything.

use std::io::Write;

use vellum::capture::{self, HttpFetcher};

use super::env::{CliError, Env, Exit};
use super::web::{self, TypeArg};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/extract.txt"))]
pub struct ExtractArgs {
    /// An HTML or text file, an http(s) URL, or `-` for standard input
    input: String,
    /// One JSON object: title, byline, date, language, canonical_url, encoding, text…
    #[arg(long)]
    json: bool,
    /// Treat the input as this type instead of detecting it
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<TypeArg>,
    /// Decode with this encoding (e.g. windows-1256) instead of detecting it
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// The page's URL, for a saved file or standard input
    #[arg(long)]
    url: Option<String>,
    /// Seconds allowed for fetching a URL
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
}

pub fn run_extract(_env: &Env, args: ExtractArgs) -> Result<Exit, CliError> {
    let how = web::read_as(args.kind, args.encoding.as_deref())?;
    let cfg = vellum::fetch::FetchConfig::with_timeout(args.timeout);
    let got = capture::extract(
        &mut HttpFetcher,
        &args.input,
        args.url.as_deref(),
        how,
        &cfg,
    );
    let item = got?;
    let mut out = std::io::stdout().lock();
    if args.json {
        vellum::render::json::line(&mut out, &item)?;
        return Ok(Exit::Ok);
    }
    out.write_all(item.text.as_bytes())?;
    if let Some(flag) = &item.flag {
        eprintln!("vellum: warning: {flag}; `vellum add` would archive it flagged");
    }
    Ok(Exit::Ok)
}
