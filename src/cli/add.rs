//! `vellum add PATH... | --batch FILE`

use std::io::Write;
use std::path::PathBuf;

use time::OffsetDateTime;

use vellum::advice::Worded;
use vellum::capture::input::{Input, Preparing};
use vellum::capture::{self, AddedItem, HttpFetcher, Options};
use vellum::fetch::FetchConfig;
use vellum::render::{json, listing, reports};
use vellum::store::StoreError;
use vellum::when::{parse_time_relative, to_second};

use super::env::{CliError, Env, Exit};
use super::progress::{Progress, Spinner};
use super::web::{self, TypeArg};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/add.txt"))]
pub struct AddArgs {
    /// Files to archive (`-` reads standard input), or http(s) URLs to fetch
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    paths: Vec<PathBuf>,
    /// JSON Lines file (`-` for stdin), one capture per line (see below); relative paths
    /// are relative to the current directory. What is archived is one durable commit.
    #[arg(long, value_name = "FILE")]
    batch: Option<PathBuf>,
    /// Document name [default: from the page's canonical URL, else a slug of --url, else
    /// of the file name]
    #[arg(long)]
    doc: Option<String>,
    /// Where the capture came from
    #[arg(long)]
    url: Option<String>,
    /// Who published it (e.g. a site name); captures of one source share boilerplate
    #[arg(long)]
    source: Option<String>,
    /// Capture time: 2019-02-12, 2019-02-12T12:56, 2019-02-12 12:56:00+01:00 or RFC 3339
    /// (a time without a zone is UTC), or a time ago: 30m, 12h, 1d, 2w [default: now, to the
    /// second]. More than 10 minutes in the future is refused unless --allow-future
    #[arg(long, value_name = "TIME", value_parser = capture_time)]
    at: Option<OffsetDateTime>,
    /// Accept capture times more than 10 minutes in the future
    #[arg(long)]
    allow_future: bool,
    /// Title of the document
    #[arg(long)]
    title: Option<String>,
    /// One JSON object per line: doc, version, capture, status, captured_at, words, added,
    /// removed (and renumbered, when older versions moved)
    #[arg(long)]
    json: bool,
    /// Treat inputs as this type instead of detecting it
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<TypeArg>,
    /// Decode text with this encoding (e.g. windows-1256) instead of detecting it
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    /// Archive a URL's answer even when it is not 2xx (flagged)
    #[arg(long)]
    keep_errors: bool,
    /// Seconds allowed for fetching each URL
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    timeout: u64,
}

/// The capture options of `add`.
fn options(args: &AddArgs) -> Result<Options, CliError> {
    Ok(Options {
        doc: args.doc.as_deref().map(parse_doc).transpose()?,
        url: args.url.clone(),
        source: args.source.clone(),
        title: args.title.clone(),
        at: args.at,
        forced_type: args.kind.map(Into::into),
        forced_encoding: web::encoding_arg(args.encoding.as_deref())?,
        keep_errors: args.keep_errors,
        fetch: FetchConfig::with_timeout(args.timeout),
        meta: Default::default(),
    })
}

fn parse_doc(d: &str) -> Result<vellum::ingest::DocName, CliError> {
    Ok(vellum::ingest::DocName::normalized(d)?)
}

pub fn run_add(env: &Env, args: AddArgs) -> Result<Exit, CliError> {
    let now = to_second(OffsetDateTime::now_utc());
    let opts = options(&args)?;
    if let Some(at) = args.at {
        capture::check_time(at, now, args.allow_future)?;
    }
    let inputs = Input::all(&args.paths, args.batch.as_deref())
        .map_err(|e| CliError::new(format!("--batch: {e}")))?;
    if inputs.is_empty() {
        if env.notes {
            eprintln!("vellum: the batch holds no captures; nothing to archive");
        }
        return Ok(Exit::Ok);
    }
    let total = inputs.len();
    let mut progress = Progress::new(env, "archiving captures");
    let (mut fetcher, mut on) = (HttpFetcher, |done, total| progress.update(done, total));
    let how = (&opts, args.allow_future);
    let mut prepared = Preparing::new(inputs, &mut fetcher, how, now, &mut on);
    // The store is opened (or created) only once something is to be archived.
    let Some(first) = prepared.next() else {
        let failed: Vec<String> = prepared.failed.iter().map(Worded::message).collect();
        let notes = reports::not_archived_notes(&failed, total);
        notes.iter().for_each(|n| eprintln!("vellum: {n}"));
        return Ok(Exit::Error);
    };
    let archive = env.open_or_create()?;
    let mut writer = super::write::writer(env, &archive)?;
    let mut warnings = Vec::new();
    for capture in std::iter::once(first).chain(prepared.by_ref()) {
        let doc = capture.capture.doc.clone();
        let staged = capture::stage(&mut writer, capture);
        let nothing = |e: StoreError| format!("{doc}: {}; nothing was archived", e.message());
        warnings.extend(staged.map_err(nothing).map_err(CliError::new)?);
    }
    let failed: Vec<String> = prepared.failed.iter().map(Worded::message).collect();
    drop(progress);
    let committing = format!("committing {} capture(s)", total - failed.len());
    let spinner = Spinner::start(env, committing);
    let committed = capture::commit(writer)?;
    drop(spinner);
    // Acknowledged as soon as archived; the derived indexes (caches that
    // catch up by themselves when queried) follow.
    let mut out = std::io::stdout().lock();
    for c in &committed {
        json::or_text(&mut out, args.json, &AddedItem::new(c), listing::added)?;
    }
    out.flush()?;
    drop(out);
    let renumbered = capture::renumber_warnings(&committed);
    for w in warnings.iter().chain(&renumbered) {
        eprintln!("vellum: warning: {w}");
    }
    super::write::catch_up(env, &archive, false);
    let notes = reports::not_archived_notes(&failed, total);
    notes.iter().for_each(|n| eprintln!("vellum: {n}"));
    Ok(Exit::found(!failed.is_empty()))
}

/// `--at`: a time as typed, or a time ago counted back from now.
fn capture_time(s: &str) -> Result<OffsetDateTime, String> {
    parse_time_relative(s, false, to_second(OffsetDateTime::now_utc()))
}
