//! How each kind of run looks: ANSI colors when color is on, plain-text
//! markers otherwise. Kept in one place so every renderer agrees.
//!
//! | run               | color            | plain              |
//! |-------------------|------------------|--------------------|
//! | deleted           | red              | `[-text-]`         |
//! | inserted          | green            | `{+text+}`         |
//! | moved away (old)  | magenta, `↷`     | `[-↷ text…-]`      |
//! | moved here (new)  | magenta, `↶`     | `{+↶ text+}`       |
//! | folded / notes    | dim              | as is              |

/// The look of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Deleted,
    Inserted,
    MovedAway,
    MovedHere,
    Dim,
}

const RESET: &str = "\x1b[0m";

impl Style {
    /// Text written before a run.
    pub fn open(self, color: bool) -> &'static str {
        match (self, color) {
            (Style::Plain, _) | (Style::Dim, false) => "",
            (Style::Deleted, true) => "\x1b[31m",
            (Style::Inserted, true) => "\x1b[32m",
            (Style::MovedAway, true) => "\x1b[35m↷ ",
            (Style::MovedHere, true) => "\x1b[35m↶ ",
            (Style::Dim, true) => "\x1b[2m",
            (Style::Deleted, false) => "[-",
            (Style::Inserted, false) => "{+",
            (Style::MovedAway, false) => "[-↷ ",
            (Style::MovedHere, false) => "{+↶ ",
        }
    }

    /// Text written after a run.
    pub fn close(self, color: bool) -> &'static str {
        match (self, color) {
            (Style::Plain, _) | (Style::Dim, false) => "",
            (_, true) => RESET,
            (Style::Deleted | Style::MovedAway, false) => "-]",
            (Style::Inserted | Style::MovedHere, false) => "+}",
        }
    }
}

/// Makes whitespace-only changes visible: `↵` for a line break, `·` for a
/// space, `→` for a tab.
pub fn visible_whitespace(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\n' => '↵',
            '\t' => '→',
            '\r' => '␍',
            _ => '·',
        })
        .collect()
}

/// The first words of a moved-away paragraph, enough to recognize it.
pub fn stub(text: &str) -> String {
    const MAX: usize = 60;
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX).collect();
    format!("{}…", cut.trim_end())
}
