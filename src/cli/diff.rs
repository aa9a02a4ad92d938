//! `vellum diff A [B]`

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;

use vellum::diff::diff;
use vellum::query;
use vellum::render::{self, RenderOptions, Side};
use vellum::store::{Address, Archive, Resolved};

use super::common::IgnoreArgs;
use super::{CliError, Env, Exit, pager};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Words inline: colored on a terminal, [-deleted-]{+inserted+} otherwise
    Inline,
    /// Old and new in two columns fitted to the terminal
    SideBySide,
    /// Machine-readable: labels, stats, and ops that rebuild both texts
    Json,
    /// One self-contained HTML page
    Html,
}

#[derive(clap::Args, Debug)]
#[command(after_help = "A and B are addresses or files. Addresses:
  DOC            the latest version of a document
  DOC@N          version N, counted from 1 in captured-at order
  DOC@-K         K versions before the latest (DOC@-1 is the one before it)
  DOC@TIME       the version current at TIME (2019-02-12, 2019-02-12T18:00Z, …)
  CAPTURE        a capture id, or a unique prefix of 8+ hex digits (stable, citable)
  URL            http(s)://…: the document whose canonical or fetched URL it is
  URL@N, URL@-K, URL@TIME   a version, as for DOC (chosen by what follows the last '@',
                 unless the whole text is itself an archived URL)
Files: a path (anything else containing '/', or naming an existing file); `-` reads
standard input. A URL is always an address, never a file.
With only A = DOC (or DOC@N), the version before it is diffed against it.

Examples:
  vellum diff south-front                     previous version -> latest
  vellum diff south-front@1 south-front@2
  vellum diff https://example.org/a@1 https://example.org/a@2
  vellum diff south-front@1 ./new-capture.md  an archived version against a file
  curl -s https://example.org/a | vellum diff south-front -   the latest version against the live page
  vellum diff south-front --ignore-typography --ignore-markup --stat
  vellum diff blog-copy gr-copy --ignore-boilerplate   without each site's recurring footers

Exit codes: 0 no differences (after the --ignore-* options), 1 differences, 2 error.")]
pub struct DiffArgs {
    /// Old side: an address (DOC, DOC@N, DOC@-K, DOC@TIME, capture id, URL, URL@N…) or a file
    a: String,
    /// New side [default: the version A names, with A its predecessor]
    b: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Inline)]
    format: Format,
    /// The same as --format json
    #[arg(long, conflicts_with_all = ["format", "stat"])]
    json: bool,
    /// Print a summary of the changes instead of the diff
    #[arg(long)]
    stat: bool,
    /// Unchanged paragraphs shown around each change
    #[arg(long, default_value_t = 1, value_name = "N")]
    context: usize,
    /// Show every paragraph (no folding)
    #[arg(long)]
    full: bool,
    #[command(flatten)]
    ignore: IgnoreArgs,
}

/// One side of the diff, loaded.
struct Loaded {
    side: Side,
    text: String,
}

fn is_path(arg: &str) -> bool {
    // A URL is an address (its document), never a file.
    arg == "-" || !vellum::store::is_url(arg) && (arg.contains('/') || Path::new(arg).is_file())
}

/// An argument that names no file but looks like a file name (`a.txt`):
/// when it is no address either, the missing file is what to report.
fn looks_like_file(arg: &str) -> bool {
    Path::new(arg).extension().is_some_and(|e| {
        e.to_str()
            .is_some_and(|e| e.chars().any(|c| c.is_ascii_alphabetic()))
    })
}

fn load_file(arg: &str) -> Result<Loaded, CliError> {
    let bytes = if arg == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf)
            .map_err(|e| CliError::new(format!("reading standard input: {e}")))?;
        buf
    } else {
        std::fs::read(arg).map_err(|e| CliError::new(format!("cannot read {arg}: {e}")))?
    };
    let shown = if arg == "-" { "standard input" } else { arg };
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{shown} is not UTF-8 text; vellum diffs text only")))?;
    Ok(Loaded {
        side: Side::named(arg),
        text,
    })
}

/// An archived version, through the query layer.
fn load_capture(archive: &Archive, resolved: Resolved) -> Result<Loaded, CliError> {
    let (side, bytes) = query::side(archive, resolved)?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        CliError::new(format!(
            "{} is not UTF-8 text; vellum diffs text only (`vellum show --raw {}` prints its bytes)",
            side.label,
            side.capture.0.short()
        ))
    })?;
    Ok(Loaded {
        side: Side {
            label: side.label,
            id: Some(side.capture.to_string()),
            doc: Some(side.doc),
            captured_at: Some(super::fmt_time(side.captured_at)),
            url: side.url,
            source: side.source,
            title: side.title,
        },
        text,
    })
}

fn parse_addr(s: &str) -> Result<Address, CliError> {
    s.parse().map_err(|e| CliError::new(format!("{e}")))
}

pub fn run_diff(env: &Env, args: DiffArgs) -> Result<Exit, CliError> {
    if args.a == "-" && args.b.as_deref() == Some("-") {
        return Err(CliError::new(
            "only one side can be read from standard input; give a file or address for the other",
        ));
    }
    let needs_store = !is_path(&args.a)
        || args.b.as_deref().is_none_or(|b| !is_path(b))
        || args.ignore.ignore_boilerplate;
    let archive = if needs_store { Some(env.open()) } else { None };
    let load = |arg: &str| -> Result<Loaded, CliError> {
        if is_path(arg) {
            return load_file(arg);
        }
        let no_file = || {
            CliError::new(format!(
                "cannot read {arg}: no such file (and no archived document or capture by that name)"
            ))
        };
        let archive = match archive.as_ref().expect("opened for addresses") {
            Ok(a) => a,
            Err(_) if looks_like_file(arg) => return Err(no_file()),
            Err(e) => return Err(CliError::new(e.to_string())),
        };
        let r = match parse_addr(arg).and_then(|a| Ok(query::resolve(archive, &a)?)) {
            Ok(r) => r,
            Err(_) if looks_like_file(arg) => return Err(no_file()),
            Err(e) => return Err(e),
        };
        load_capture(archive, r)
    };
    let (old, new) = match &args.b {
        Some(b) => (load(&args.a)?, load(b)?),
        None => {
            if is_path(&args.a) {
                return Err(CliError::new(
                    "diffing a file needs two arguments: vellum diff OLD NEW",
                ));
            }
            let archive = match archive.as_ref().expect("opened for addresses") {
                Ok(a) => a,
                Err(e) => return Err(CliError::new(e.to_string())),
            };
            let r = query::resolve(archive, &parse_addr(&args.a)?)?;
            let Some(prev) = query::previous(&r) else {
                return Err(CliError::new(format!(
                    "{} is the first version of {}: nothing to diff it against; give two addresses",
                    r.label, r.doc
                )));
            };
            (load_capture(archive, prev)?, load_capture(archive, r)?)
        }
    };
    let opts = args.ignore.options();
    let (old, new) = if args.ignore.ignore_boilerplate {
        let archive = match &archive {
            Some(Ok(a)) => Some(a),
            _ => None,
        };
        let bp = args.ignore.boilerplate(archive)?;
        let strip = |l: Loaded| -> Result<Loaded, CliError> {
            let text = bp.strip(l.text, l.side.source.as_deref(), l.side.url.as_deref())?;
            Ok(Loaded { text, ..l })
        };
        (strip(old)?, strip(new)?)
    } else {
        (old, new)
    };
    let d = diff(&old.text, &new.text, &opts);
    let ropts = RenderOptions {
        color: env.color,
        context: args.context,
        full: args.full,
        width: env.width,
    };
    let mut out = pager::output(env);
    let format = if args.json { Format::Json } else { args.format };
    if args.stat {
        render::stat(&mut out, &d, &ropts)?;
    } else {
        match format {
            Format::Inline => render::inline(&mut out, &d, &old.side, &new.side, &ropts)?,
            Format::SideBySide => render::side_by_side(&mut out, &d, &old.side, &new.side, &ropts)?,
            Format::Json => render::json(&mut out, &d, &old.side, &new.side)?,
            Format::Html => render::html(&mut out, &d, &old.side, &new.side, &ropts)?,
        }
    }
    out.flush()?;
    Ok(if d.is_unchanged() {
        Exit::Ok
    } else {
        Exit::Found
    })
}
