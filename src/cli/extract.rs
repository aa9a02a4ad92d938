//! `vellum extract FILE|URL|-`: what vellum would keep as a page's text,
//! without archiving anything.

use std::io::Write;
use std::path::Path;

use vellum::capture::{self, HttpFetcher};
use vellum::ingest::detect::Kind;
use vellum::ingest::{PrepareHints, prepare};

use super::env::{CliError, Env, Exit};
use super::web::{self, TypeArg};

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum extract saved-page.html
  vellum extract https://example.org/news/a --json
  curl -s https://example.org/a | vellum extract - --type html --url https://example.org/a

Prints the text `vellum add` would archive for the same input: for an HTML page, its title
on the first line, then the article's paragraphs separated by blank lines. Nothing is
archived; no store is needed.")]
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
    let forced_encoding = web::encoding_arg(args.encoding.as_deref())?;
    let (bytes, page_url, content_type, name, fetched) = if web::is_url(&args.input) {
        let cfg = web::fetch_config(args.timeout);
        let f = capture::fetch(&mut HttpFetcher, &args.input, &cfg)
            .map_err(|e| CliError::new(e.to_string()))?;
        if !f.is_success() {
            let e = capture::status_error(&f);
            return Err(CliError::new(format!("{e}; nothing to extract")));
        }
        let ct = f.header("content-type").map(str::to_owned);
        let url = f.final_url.to_string();
        let body = f.body.clone();
        (body, Some(url.clone()), ct, Some(url), Some(f))
    } else {
        let path = Path::new(&args.input);
        let bytes = super::input::read_input(path).map_err(CliError::new)?;
        let name = (args.input != "-").then(|| args.input.clone());
        (bytes, args.url.clone(), None, name, None)
    };
    let p = prepare(
        &bytes,
        PrepareHints {
            forced_type: args.kind.map(Into::into),
            forced_encoding,
            name: name.as_deref(),
            content_type: content_type.as_deref(),
            page_url: page_url.as_deref(),
        },
    );
    if p.kind == Kind::Binary {
        return Err(CliError::new(format!(
            "{} is binary ({} bytes, {}); there is no text to extract",
            args.input,
            bytes.len(),
            p.media_type
        )));
    }
    let text = p.text.clone().ok_or_else(|| {
        CliError::new(format!(
            "{}: its decoded text is over the size limit; nothing to print",
            args.input
        ))
    })?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let item = capture::Extracted::new(&p, text, page_url.as_deref(), fetched.as_ref());
        super::common::json_line(&mut out, &item)?;
    } else {
        out.write_all(text.as_bytes())?;
        if let Some(flag) = p.article.as_ref().and_then(|a| a.flag.as_deref()) {
            eprintln!("vellum: warning: {flag}; `vellum add` would archive it flagged");
        }
    }
    Ok(Exit::Ok)
}
