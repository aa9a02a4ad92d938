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
//!
//! Which colors: a [`Palette`], chosen once per process by the binary with
//! [`set_palette`] (the renderers take only `color: bool`). Both palettes the
//! binary offers also strike deleted text through and underline inserted
//! text, so the two are told apart without telling colors apart;
//! [`Palette::BlueOrange`] is for readers who cannot tell red from green.
//! Until a palette is set, renderers use [`Palette::Classic`] (colors alone).

use std::sync::atomic::{AtomicU8, Ordering};

/// The colors (and text attributes) of deletions and insertions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Palette {
    /// Red and green alone: the renderers' default until a palette is set.
    Classic = 0,
    /// Red struck through, green underlined: what `vellum` shows by default.
    RedGreen = 1,
    /// Orange struck through, blue underlined, for red-green color blindness.
    BlueOrange = 2,
}

impl Palette {
    /// The palette `$VELLUM_PALETTE` names (its `value`; unset or empty:
    /// red-green), in any case: `red-green`, or `colorblind` (also
    /// `blue-orange`), the names `--palette` takes. The error says which
    /// names there are.
    pub fn from_env(value: Option<&str>) -> Result<Palette, String> {
        match value.map(str::to_ascii_lowercase).as_deref() {
            None | Some("" | "red-green") => Ok(Palette::RedGreen),
            Some("colorblind" | "blue-orange") => Ok(Palette::BlueOrange),
            Some(_) => Err(format!(
                "VELLUM_PALETTE={:?} is not a palette: use red-green or colorblind",
                value.unwrap_or_default()
            )),
        }
    }
}

static PALETTE: AtomicU8 = AtomicU8::new(Palette::Classic as u8);

/// Chooses the palette of every later rendering in this process.
pub fn set_palette(p: Palette) {
    PALETTE.store(p as u8, Ordering::Relaxed);
}

/// The palette in use.
pub fn palette() -> Palette {
    match PALETTE.load(Ordering::Relaxed) {
        1 => Palette::RedGreen,
        2 => Palette::BlueOrange,
        _ => Palette::Classic,
    }
}

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
    /// Text written before a run, in the process's [`palette`].
    pub fn open(self, color: bool) -> &'static str {
        self.open_in(color, palette())
    }

    /// Text written before a run, in `palette`.
    pub fn open_in(self, color: bool, palette: Palette) -> &'static str {
        match (self, color) {
            (Style::Plain, _) | (Style::Dim, false) => "",
            (Style::Deleted, true) => match palette {
                Palette::Classic => "\x1b[31m",
                Palette::RedGreen => "\x1b[31m\x1b[9m",
                Palette::BlueOrange => "\x1b[38;5;208m\x1b[9m",
            },
            (Style::Inserted, true) => match palette {
                Palette::Classic => "\x1b[32m",
                Palette::RedGreen => "\x1b[32m\x1b[4m",
                Palette::BlueOrange => "\x1b[38;5;33m\x1b[4m",
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    // `set_palette` is process-wide and other renderer tests run in
    // parallel, so these look at each palette through `open_in`.
    #[test]
    fn palettes_mark_changes_by_more_than_color() {
        let (del, ins) = (Style::Deleted, Style::Inserted);
        assert_eq!(palette(), Palette::Classic);
        assert_eq!(del.open_in(true, Palette::Classic), "\x1b[31m");
        assert_eq!(del.open_in(true, Palette::RedGreen), "\x1b[31m\x1b[9m");
        assert_eq!(ins.open_in(true, Palette::RedGreen), "\x1b[32m\x1b[4m");
        let (d, i) = (
            del.open_in(true, Palette::BlueOrange),
            ins.open_in(true, Palette::BlueOrange),
        );
        assert!(d.ends_with("\x1b[9m") && i.ends_with("\x1b[4m"));
        assert!(!d.contains("[31m") && !i.contains("[32m"));
        // Without color the markers are the same in every palette.
        for p in [Palette::Classic, Palette::RedGreen, Palette::BlueOrange] {
            assert_eq!(del.open_in(false, p), "[-");
            assert_eq!(ins.open_in(false, p), "{+");
        }
    }

    #[test]
    fn the_palette_variable_takes_the_option_s_names_in_any_case() {
        let from = |v| Palette::from_env(v);
        assert_eq!(from(None), Ok(Palette::RedGreen));
        assert_eq!(from(Some("")), Ok(Palette::RedGreen));
        assert_eq!(from(Some("Red-Green")), Ok(Palette::RedGreen));
        assert_eq!(from(Some("colorblind")), Ok(Palette::BlueOrange));
        assert_eq!(from(Some("BLUE-ORANGE")), Ok(Palette::BlueOrange));
        assert_eq!(
            from(Some("mauve")),
            Err("VELLUM_PALETTE=\"mauve\" is not a palette: use red-green or colorblind".into())
        );
    }
}
