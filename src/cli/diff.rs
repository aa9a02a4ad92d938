//! `vellum diff A [B]`

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;

use vellum::diff::diff;
use vellum::render::{self, RenderOptions, Side};
use vellum::store::{Address, Archive};

use super::common::IgnoreArgs;
use super::{CliError, Env, Exit};

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
#[command(
    after_help = "A and B are addresses (DOC, DOC@N, a capture id or 8+ hex digit prefix) or
file paths (anything containing '/' or naming an existing file). With only A = DOC (or DOC@N),
the version before it is diffed against it.

Examples:
  vellum diff south-front                     previous version -> latest
  vellum diff south-front@1 south-front@2
  vellum diff south-front@1 ./new-capture.md  an archived version against a file
  vellum diff south-front --ignore-typography --ignore-markup --stat

Exit codes: 0 no differences (after the --ignore-* options), 1 differences, 2 error."
)]
pub struct DiffArgs {
    /// Old side
    a: String,
    /// New side [default: the version A names, with A its predecessor]
    b: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Inline)]
    format: Format,
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
    arg.contains('/') || Path::new(arg).is_file()
}

fn load_file(arg: &str) -> Result<Loaded, CliError> {
    let bytes = std::fs::read(arg).map_err(|e| CliError::new(format!("cannot read {arg}: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::new(format!("{arg} is not UTF-8 text; vellum diffs text only")))?;
    Ok(Loaded {
        side: Side {
            label: arg.to_owned(),
            id: None,
        },
        text,
    })
}

fn load_capture(
    archive: &Archive,
    label: String,
    capture: vellum::store::CaptureId,
) -> Result<Loaded, CliError> {
    let row = archive.capture_row(&capture)?.ok_or_else(|| {
        CliError::new(format!(
            "capture {capture} is not in the catalog; run `vellum reindex`"
        ))
    })?;
    let bytes = archive.read_object(&row.vkey)?;
    let text = String::from_utf8(bytes.to_vec()).map_err(|_| {
        CliError::new(format!(
            "{label} is not UTF-8 text; vellum diffs text only (`vellum show --raw {}` prints its bytes)",
            capture.0.short()
        ))
    })?;
    Ok(Loaded {
        side: Side {
            label,
            id: Some(capture.to_string()),
        },
        text,
    })
}

fn parse_addr(s: &str) -> Result<Address, CliError> {
    s.parse().map_err(|e| CliError::new(format!("{e}")))
}

pub fn run_diff(env: &Env, args: DiffArgs) -> Result<Exit, CliError> {
    let needs_store = !is_path(&args.a) || args.b.as_deref().is_none_or(|b| !is_path(b));
    let archive = if needs_store { Some(env.open()?) } else { None };
    let load = |arg: &str| -> Result<Loaded, CliError> {
        if is_path(arg) {
            return load_file(arg);
        }
        let archive = archive.as_ref().expect("opened for addresses");
        let r = archive.resolve(&parse_addr(arg)?)?;
        load_capture(archive, r.label, r.capture)
    };
    let (old, new) = match &args.b {
        Some(b) => (load(&args.a)?, load(b)?),
        None => {
            if is_path(&args.a) {
                return Err(CliError::new(
                    "diffing a file needs two arguments: vellum diff OLD NEW",
                ));
            }
            let archive = archive.as_ref().expect("opened for addresses");
            let r = archive.resolve(&parse_addr(&args.a)?)?;
            if r.version < 2 {
                return Err(CliError::new(format!(
                    "{} is the first version of {}: nothing to diff it against; give two addresses",
                    r.label, r.doc
                )));
            }
            let prev = &r.history.versions[r.version as usize - 2];
            let old = load_capture(archive, format!("{}@{}", r.doc, prev.number), prev.capture)?;
            (old, load_capture(archive, r.label.clone(), r.capture)?)
        }
    };
    let opts = args.ignore.options();
    let d = diff(&old.text, &new.text, &opts);
    let ropts = RenderOptions {
        color: env.color,
        context: args.context,
        full: args.full,
        width: env.width,
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if args.stat {
        render::stat(&mut out, &d, &ropts)?;
    } else {
        match args.format {
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
