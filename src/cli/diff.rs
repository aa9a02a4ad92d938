//! `vellum diff A [B]`

use std::io::Write;

use clap::ValueEnum;

use vellum::diff::DiffOptions;
use vellum::query;
use vellum::render::{self, RenderOptions, View};

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
#[command(after_help = concat!(
    "A and B are addresses or files. Addresses:\n",
    include_str!("../../docs/manual/addresses.txt"),
    include_str!("../../docs/manual/diff.txt")
))]
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

impl DiffArgs {
    /// `diff A [B]` with flags that take no value and do not conflict
    /// ([`super::parse::Plain`]).
    pub(super) fn plain(line: &super::parse::Plain) -> Option<DiffArgs> {
        let [
            json,
            stat,
            full,
            case,
            whitespace,
            typography,
            markup,
            boilerplate,
        ] = line.flags([
            "--json",
            "--stat",
            "--full",
            "--ignore-case",
            "--ignore-whitespace",
            "--ignore-typography",
            "--ignore-markup",
            "--ignore-boilerplate",
        ])?;
        let (a, b) = match line.operands[..] {
            [a] => (a, None),
            [a, b] => (a, Some(b.to_owned())),
            _ => return None,
        };
        (!(json && stat)).then(|| DiffArgs {
            a: a.to_owned(),
            b,
            format: Format::Inline,
            json,
            stat,
            context: 1,
            full,
            kind: None,
            encoding: None,
            ignore: IgnoreArgs {
                ignore_case: case,
                ignore_whitespace: whitespace,
                ignore_typography: typography,
                ignore_markup: markup,
                ignore_boilerplate: boilerplate,
            },
        })
    }
}

pub fn run_diff(env: &Env, args: DiffArgs) -> Result<Exit, CliError> {
    let needs_store = !query::names_file(&args.a)
        || args.b.as_deref().is_none_or(|b| !query::names_file(b))
        || args.ignore.ignore_boilerplate;
    let archive = if needs_store { Some(env.open()) } else { None };
    let opened = || match archive.as_ref().expect("opened for addresses") {
        Ok(a) => Ok(a),
        Err(e) => Err(CliError::new(e.to_string())),
    };
    let how = web::read_as(args.kind, args.encoding.as_deref())?;
    let now = super::env::clock();
    let (old, new) = query::diff_sides(opened, &args.a, args.b.as_deref(), now, how)?;
    let bp = args
        .ignore
        .boilerplate(archive.as_ref().and_then(|a| a.as_ref().ok()))?;
    let view = match (args.stat, args.json, args.format) {
        (true, _, _) => View::Stat,
        (_, true, _) | (_, _, Format::Json) => View::Json,
        (_, _, Format::Inline) => View::Inline,
        (_, _, Format::SideBySide) => View::SideBySide,
        (_, _, Format::Html) => View::Html,
    };
    let opts = DiffOptions {
        no_word_totals: !view.shows_word_totals(),
        ..args.ignore.options()
    };
    let d = query::diff_texts(&old, &new, &opts, &bp)?;
    // Scored as given: the texts, without the source's boilerplate context.
    let scored = view
        .scores()
        .then(|| vellum::significance::score(&old.text, &new.text, &Default::default()));
    let (old, new) = (old.rendered(), new.rendered());
    let ropts = RenderOptions {
        color: env.color,
        context: args.context,
        full: args.full,
        width: env.width,
    };
    let mut out = pager::output(env);
    render::diff_view(&mut out, view, &d, (&old, &new), scored.as_ref(), &ropts)?;
    out.flush()?;
    if let Some(Ok(archive)) = archive {
        super::env::done_reading(archive);
    }
    let byline = render::BylineChange::between(&old, &new);
    Ok(Exit::found(!d.is_unchanged() || byline.is_some()))
}
