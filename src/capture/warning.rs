//! What the user should know about a capture archived anyway.

use std::fmt;

/// A version that an older capture, added later, moved up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct Moved {
    /// Its number before the write.
    pub from: u64,
    /// Its number now.
    pub to: u64,
}

/// Something the user should know about a capture that was archived anyway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(tag = "warning", rename_all = "snake_case")]
pub enum Warning {
    /// Archived flagged (an error page, almost no text): never a version.
    Flagged { doc: String, flag: String },
    /// Put in a document (by `--doc`) whose canonical URL is another.
    OtherCanonical {
        doc: String,
        document_url: String,
        canonical_url: String,
    },
    /// Standard input was empty: an empty capture was archived.
    EmptyInput { doc: String },
    /// An older capture added later moved versions printed before.
    Renumbered { doc: String, moved: Vec<Moved> },
    /// The document's name mixes scripts inside a word (UTS #39), so it may
    /// be mistaken for another name.
    MixedScripts { doc: String, parts: Vec<String> },
    /// The text's encoding was guessed (no declaration) without much
    /// confidence (0-100): the text may be mojibake.
    UnsureEncoding {
        doc: String,
        encoding: String,
        confidence: u8,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::Flagged { doc, flag } => {
                write!(f, "{doc}: {flag}; archived, flagged in its capture record")
            }
            Warning::OtherCanonical {
                doc,
                document_url,
                canonical_url,
            } => write!(
                f,
                "{doc} is the document of {document_url}, this page's canonical URL is \
                 {canonical_url}; check --doc (without it, each canonical URL gets its own document)"
            ),
            Warning::EmptyInput { doc } => write!(
                f,
                "standard input was empty (did the command before the pipe fail?); archived an \
                 empty capture of {doc}"
            ),
            Warning::MixedScripts { doc, parts } => write!(
                f,
                "the document name {doc} mixes scripts in {} (it may be mistaken for another name)",
                parts.join(", ")
            ),
            Warning::UnsureEncoding {
                doc,
                encoding,
                confidence,
            } => write!(
                f,
                "{doc}: the text declares no encoding and was decoded as {encoding}, a guess \
                 of low confidence ({confidence}/100); check it with `vellum show {doc}` and \
                 add it again with --encoding if it is wrong"
            ),
            Warning::Renumbered { doc, moved } => {
                let list: Vec<String> = moved
                    .iter()
                    .map(|m| format!("@{} is now @{}", m.from, m.to))
                    .collect();
                write!(
                    f,
                    "{doc}: an older capture was added, so later versions moved: {} (capture ids \
                     do not change)",
                    list.join(", ")
                )
            }
        }
    }
}
