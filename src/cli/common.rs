//! Pieces several subcommands share: the `--ignore-*` options and the
//! layout of listings.

use vellum::diff::DiffOptions;
use vellum::query::Boilerplate;
use vellum::render::TableOptions;
use vellum::store::Archive;

use super::env::{CliError, Env};

/// The normalizations a diff (or a log's counts) can ignore.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct IgnoreArgs {
    /// Ignore changes of letter case
    #[arg(long)]
    pub ignore_case: bool,
    /// Ignore whitespace changes (reflowed lines, double spaces, a byte-order mark)
    #[arg(long)]
    pub ignore_whitespace: bool,
    /// Ignore typography: curly vs straight quotes, dashes, ellipses, non-breaking spaces
    #[arg(long)]
    pub ignore_typography: bool,
    /// Ignore markup: Markdown/HTML emphasis, heading and list markers, link syntax and targets
    /// (inline and reference), HTML tags, and a site name after the title (`Headline – Site`)
    #[arg(long)]
    pub ignore_markup: bool,
    /// Hide boilerplate: paragraphs the capture's source repeats in 3+ archived documents
    /// (learned per `--source`, else per URL host; see `vellum similar --help`)
    #[arg(long)]
    pub ignore_boilerplate: bool,
}

impl IgnoreArgs {
    pub fn options(&self) -> DiffOptions {
        DiffOptions {
            ignore_case: self.ignore_case,
            ignore_whitespace: self.ignore_whitespace,
            ignore_typography: self.ignore_typography,
            ignore_markup: self.ignore_markup,
            deadline: None,
            no_word_totals: false,
        }
    }

    /// What hides boilerplate, when `--ignore-boilerplate` asks for it.
    pub fn boilerplate(&self, archive: Option<&Archive>) -> Result<Boilerplate, CliError> {
        if !self.ignore_boilerplate {
            return Ok(Boilerplate::none());
        }
        let archive = archive.ok_or_else(|| {
            CliError::new(
                "--ignore-boilerplate learns boilerplate from a store: give an archived side, \
                 or point --store at a store",
            )
        })?;
        Ok(Boilerplate::learned(archive)?)
    }
}

/// How listings are laid out on this output: long cells cut only on a
/// terminal.
pub fn table(env: &Env) -> TableOptions {
    TableOptions {
        color: env.color,
        width: env.width,
        cut: env.stdout_is_terminal,
    }
}
