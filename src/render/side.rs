//! One side of a diff, and the titles made from it.

/// One side of a diff as the user named it, with what the archive knows of
/// its capture (evidence needs the time and place of each side).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[schemars(rename = "DiffSide")]
pub struct Side {
    /// What the user typed or what it resolved to, e.g. `south-front@2` or a path.
    pub label: String,
    /// Capture id (hex) when the side comes from the archive; `None` for a file.
    pub id: Option<String>,
    /// The document, for an archived side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    /// Captured-at (`2019-02-12T12:56:00Z`), for an archived side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The byline extraction took out of the text ("By ..."), kept apart
    /// from the word diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
}

impl Side {
    /// A side that is not archived (a file, standard input).
    pub fn named(label: impl Into<String>) -> Side {
        Side {
            label: label.into(),
            ..Side::default()
        }
    }

    /// `captured 2019-02-12T12:56:00Z · source · url · “title”`, when the
    /// archive knows any of it.
    pub fn details(&self) -> Option<String> {
        let parts: Vec<String> = [
            self.captured_at.as_ref().map(|t| format!("captured {t}")),
            self.source.clone(),
            self.url.clone(),
            self.title.as_ref().map(|t| format!("“{t}”")),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

/// How the byline changed between two sides, shown above the word diff
/// (bylines are metadata, never text).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct BylineChange {
    /// The old side's byline (`null`: none).
    pub old: Option<String>,
    /// The new side's byline (`null`: none).
    pub new: Option<String>,
}

impl BylineChange {
    /// The change, when the two sides' bylines differ.
    pub fn between(old: &Side, new: &Side) -> Option<BylineChange> {
        (old.byline != new.byline).then(|| BylineChange {
            old: old.byline.clone(),
            new: new.byline.clone(),
        })
    }

    /// `byline: "By A" -> "By A and B"`: each quoted, control characters
    /// escaped, so a hostile byline cannot drive the terminal.
    pub fn line(&self) -> String {
        let q = |b: &Option<String>| {
            b.as_ref()
                .map_or_else(|| "(none)".to_owned(), |b| format!("{b:?}"))
        };
        format!("byline: {} -> {}", q(&self.old), q(&self.new))
    }
}

/// What a page about the diff of `old` and `new` is titled: the document
/// and both versions (`south-front: @1 → @2`), or both labels.
pub fn heading(old: &Side, new: &Side) -> String {
    match (&old.doc, &new.doc) {
        (Some(a), Some(b)) if a == b => {
            let v = |s: &Side| {
                s.label
                    .strip_prefix(a.as_str())
                    .filter(|r| r.starts_with('@'))
                    .map_or_else(|| s.label.clone(), str::to_owned)
            };
            format!("{a}: {} → {}", v(old), v(new))
        }
        _ => format!("{} → {}", old.label, new.label),
    }
}

/// `label (id)` or just `label`.
pub(super) fn side_title(side: &Side) -> String {
    match &side.id {
        Some(id) => format!("{} ({})", side.label, id.get(..12).unwrap_or(id)),
        None => side.label.clone(),
    }
}
