//! `vellum diff A [B]`

use std::io::Write;
use std::path::Path;

use clap::ValueEnum;

use vellum::query::{self, CompareError, ReadAs, SideText};
use vellum::render::{self, RenderOptions, Side};
use vellum::store::{Address, Archive, Resolved};

use super::common::IgnoreArgs;
use super::env::{CliError, Env, Exit};
use super::pager;
use super::web::{self, TypeArg};

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
#[command(after_help = concat!("A and B are addresses or files. Addresses:\n", super::env::address_forms!(), "Files: a path (anything else containing '/', or naming an existing file); `-` reads
standard input. A URL is always an address, never a file. Files and standard input are
read as `add` reads them: decoded, and an HTML page's article text extracted, so a saved
page compares with its archived text (--type, --encoding as for add).
With only A = DOC (or DOC@N), the version before it is diffed against it.

Examples:
  vellum diff south-front                     previous version -> latest
  vellum diff south-front@1 south-front@2
  vellum diff south-front@1 ./new-capture.md  an archived version against a file
  curl -s https://example.org/a | vellum diff south-front -   the latest version against the live page
  vellum diff south-front --ignore-typography --ignore-markup --stat
  vellum diff blog-copy gr-copy --ignore-boilerplate   without each site's recurring footers

Exit codes: 0 no differences (after the --ignore-* options), 1 differences, 2 error."))]
pub struct DiffArgs {
    /// Old side
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
    /// Read files and standard input as this type instead of detecting it (as `add --type`)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    kind: Option<TypeArg>,
    /// Decode files and standard input with this encoding (as `add --encoding`)
    #[arg(long, value_name = "NAME")]
    encoding: Option<String>,
    #[command(flatten)]
    ignore: IgnoreArgs,
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

fn compare_error(e: CompareError) -> CliError {
    match e {
        CompareError::Store(e) => e.into(),
        CompareError::NotText {
            label,
            capture: Some(c),
        } => CliError::new(format!(
            "{label} is not UTF-8 text; vellum diffs text only (`vellum show --raw {}` prints its bytes)",
            c.0.short()
        )),
        CompareError::NotText { label, .. } => CliError::new(format!(
            "{label} is not text (binary bytes); vellum diffs text only (--type text reads it as text)"
        )),
    }
}

/// A file or standard input, read as `add` reads it (within its size limit).
fn load_file(arg: &str, how: ReadAs) -> Result<SideText, CliError> {
    let bytes = super::input::read_input(Path::new(arg)).map_err(CliError::new)?;
    let (label, name) = if arg == "-" {
        ("standard input", None)
    } else {
        (arg, Some(arg))
    };
    let mut side = query::given_text(label, name, &bytes, how).map_err(compare_error)?;
    side.label = arg.to_owned();
    Ok(side)
}

fn load_capture(archive: &Archive, resolved: Resolved) -> Result<SideText, CliError> {
    query::archived_text(archive, resolved).map_err(compare_error)
}

/// How a side is shown.
fn render_side(s: &SideText) -> Side {
    match &s.archived {
        Some(a) => a.rendered(),
        None => Side {
            title: s.title.clone(),
            ..Side::named(&s.label)
        },
    }
}

fn parse_addr(s: &str) -> Result<Address, CliError> {
    super::env::anchored(s)
        .parse()
        .map_err(|e| CliError::new(format!("{e}")))
}

/// The two sides the arguments name.
fn sides(
    args: &DiffArgs,
    archive: Option<&Result<Archive, CliError>>,
) -> Result<(SideText, SideText), CliError> {
    let how = ReadAs {
        forced_type: args.kind.map(Into::into),
        forced_encoding: web::encoding_arg(args.encoding.as_deref())?,
    };
    let opened = || match archive.expect("opened for addresses") {
        Ok(a) => Ok(a),
        Err(e) => Err(CliError::new(e.to_string())),
    };
    let load = |arg: &str| -> Result<SideText, CliError> {
        if is_path(arg) {
            return load_file(arg, how);
        }
        let no_file = || {
            CliError::new(format!(
                "cannot read {arg}: no such file (and no archived document or capture by that name)"
            ))
        };
        let archive = match opened() {
            Ok(a) => a,
            Err(_) if looks_like_file(arg) => return Err(no_file()),
            Err(e) => return Err(e),
        };
        let r = match parse_addr(arg).and_then(|a| Ok(query::resolve(archive, &a)?)) {
            Ok(r) => r,
            Err(_) if looks_like_file(arg) => return Err(no_file()),
            Err(e) => return Err(e),
        };
        load_capture(archive, r)
    };
    if let Some(b) = &args.b {
        return Ok((load(&args.a)?, load(b)?));
    }
    if is_path(&args.a) {
        return Err(CliError::new(
            "diffing a file needs two arguments: vellum diff OLD NEW",
        ));
    }
    let archive = opened()?;
    let r = query::resolve(archive, &parse_addr(&args.a)?)?;
    let Some(prev) = query::previous(&r) else {
        return Err(CliError::new(format!(
            "{} is the first version of {}: nothing to diff it against; give two addresses",
            r.label, r.doc
        )));
    };
    Ok((load_capture(archive, prev)?, load_capture(archive, r)?))
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
    let (old, new) = sides(&args, archive.as_ref())?;
    let bp = args
        .ignore
        .boilerplate(archive.as_ref().and_then(|a| a.as_ref().ok()))?;
    let d = query::diff_texts(&old, &new, &args.ignore.options(), &bp)?;
    // Scored as given: the texts, without the source's boilerplate context.
    let scored = (args.stat || args.json || matches!(args.format, Format::Json))
        .then(|| vellum::significance::score(&old.text, &new.text, &Default::default()));
    let (old, new) = (render_side(&old), render_side(&new));
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
        if let Some(s) = &scored {
            render::significance(&mut out, s)?;
        }
    } else {
        match format {
            Format::Inline => render::inline(&mut out, &d, &old, &new, &ropts)?,
            Format::SideBySide => render::side_by_side(&mut out, &d, &old, &new, &ropts)?,
            Format::Json => {
                let mut doc = render::json::Document::new(&d, &old, &new);
                doc.significance = scored.as_ref();
                super::common::json_line(&mut out, &doc)?;
            }
            Format::Html => render::html(&mut out, &d, &old, &new, &ropts)?,
        }
    }
    out.flush()?;
    Ok(if d.is_unchanged() {
        Exit::Ok
    } else {
        Exit::Found
    })
}
