//! What `add`, `diff` and `extract` share for input: the `--type` and
//! `--encoding` options.

use vellum::ingest::decode::encoding_for_label;
use vellum::ingest::detect::TypeOverride;
use vellum::query::ReadAs;

use super::env::CliError;

#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeArg {
    /// An HTML page: its article text is extracted
    Html,
    /// Plain text or Markdown: kept as text
    Text,
}

impl From<TypeArg> for TypeOverride {
    fn from(t: TypeArg) -> Self {
        match t {
            TypeArg::Html => TypeOverride::Html,
            TypeArg::Text => TypeOverride::Text,
        }
    }
}

/// `--encoding NAME`, checked.
pub fn encoding_arg(
    name: Option<&str>,
) -> Result<Option<vellum::ingest::charset::Charset>, CliError> {
    Ok(name.map(encoding_for_label).transpose()?)
}

/// How `--type` and `--encoding` say to read files and standard input.
pub fn read_as(kind: Option<TypeArg>, encoding: Option<&str>) -> Result<ReadAs, CliError> {
    let forced_type = kind.map(Into::into);
    Ok(ReadAs {
        forced_type,
        forced_encoding: encoding_arg(encoding)?,
    })
}
