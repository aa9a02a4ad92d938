//! The signals: each change of the word diff sorted into formatting, chrome,
//! a date line, or the document's own text, whose changes are then read for
//! numbers, names, quotes, negations, notices and where they sit.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::diff::{self, ChangeKind, DiffOptions, Op, OpTag, ParagraphKeys};

use super::model::{Context, Excerpt, Reason, Signal, Significance};

/// The points each signal adds (tuned on the tuning half only; see
/// `docs/significance.md`).
mod weight {
    /// Any change of the text's own words, plus `PER_WORD * ln(1 + words)`.
    pub const WORDS_BASE: f64 = 0.3;
    pub const PER_WORD: f64 = 0.25;
    /// Times the share of words changed.
    pub const SHARE: f64 = 2.0;
    pub const NUMBERS: f64 = 0.3;
    pub const NAMES: f64 = 0.2;
    pub const QUOTES: f64 = 0.3;
    pub const NEGATION: f64 = 0.4;
    pub const LEAD: f64 = 0.3;
    pub const NOTICE: f64 = 0.8;
    /// Per whole paragraph added or removed, up to `PARAGRAPHS_MAX` of them.
    pub const PARAGRAPH: f64 = 0.15;
    pub const PARAGRAPHS_MAX: usize = 4;
    pub const VANISHED: f64 = 2.0;
    pub const CHROME: f64 = 0.03;
    pub const DATE_LINE: f64 = 0.05;
    pub const FORMATTING: f64 = 0.01;
    pub const MOVED: f64 = 0.02;
}

/// Phrases of a page's chrome rather than its document.
const CHROME: &[&str] = &[
    "related articles",
    "other ways to get help",
    "tell us how we",
    "take survey",
    "copy link",
    "all rights reserved",
    "©",
    "sign up",
    "log in",
    "skip to",
    "cookie settings",
    "was this helpful",
    "share this",
];

/// Words that make a line a date line.
const DATE_WORDS: &[&str] = &[
    "updated",
    "effective",
    "modified",
    "revised",
    "revision",
    "published",
    "posted",
    "date",
];

const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const NEGATIONS: &[&str] = &[
    "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "cannot", "without",
    "don't", "doesn't", "didn't", "won't", "isn't", "aren't", "wasn't", "weren't", "can't",
];

/// What an update or correction notice says.
const NOTICES: &[&str] = &[
    "correction",
    "corrected",
    "clarification",
    "editor's note",
    "editor’s note",
    "an earlier version",
    "this article has been updated",
    "this story has been updated",
    "update:",
    "we're updating",
    "we’re updating",
    "we are updating",
    "comes into effect",
    "come into effect",
    "go into effect",
    "goes into effect",
    "with effect from",
    "will take effect",
];

#[derive(Default)]
struct Acc<'t> {
    /// The line the last change was in, and what [`line_facts`] found in
    /// it: a line holding several changes is read once.
    line: Option<(&'t str, LineFacts)>,
    added: String,
    removed: String,
    words: usize,
    names_added: BTreeSet<String>,
    names_removed: BTreeSet<String>,
    lead: bool,
    paragraphs: usize,
    chrome_words: usize,
    date_lines: usize,
    formatting: usize,
    moved: usize,
    first_removed: Option<String>,
    first_added: Option<String>,
}

/// Scores the change from `old` to `new`.
pub fn score(old: &str, new: &str, ctx: &Context) -> Significance {
    if old == new {
        return Significance::none();
    }
    if ctx.boilerplate.is_empty() {
        return score_kept(old, new, &mut ParagraphKeys::default());
    }
    let old_kept = crate::republish::boilerplate::strip(old, &ctx.boilerplate);
    let new_kept = crate::republish::boilerplate::strip(new, &ctx.boilerplate);
    score_stripped(&old_kept, &new_kept, &mut ParagraphKeys::default())
}

/// [`score`] without boilerplate, keeping the diff's paragraph keys in
/// `keys` for the next pair (a catch-up scores a document's versions in
/// order: each text is then keyed once).
pub(super) fn score_plain<'a>(
    old: &'a str,
    new: &'a str,
    keys: &mut ParagraphKeys<'a>,
) -> Significance {
    if old == new {
        return Significance::none();
    }
    score_kept(old, new, keys)
}

/// [`score`] of two different texts, given them with their boilerplate
/// already stripped (a catch-up strips each text once, not once per pair
/// it is in).
pub(super) fn score_stripped<'a>(
    old_kept: &'a str,
    new_kept: &'a str,
    keys: &mut ParagraphKeys<'a>,
) -> Significance {
    if old_kept == new_kept {
        return Significance {
            value: 0.0,
            reasons: vec![Reason {
                signal: Signal::Boilerplate,
                points: 0.0,
                detail: String::new(),
            }],
            excerpt: None,
        };
    }
    score_kept(old_kept, new_kept, keys)
}

/// The score of what is left of the two texts.
fn score_kept<'a>(old: &'a str, new: &'a str, keys: &mut ParagraphKeys<'a>) -> Significance {
    let (mut reasons, excerpt) = find(old, new, keys);
    reasons.sort_by(|a, b| b.points.total_cmp(&a.points));
    let points: f64 = reasons.iter().map(|r| r.points).sum();
    Significance {
        value: round3(1.0 - (-points).exp()),
        reasons,
        excerpt,
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The signals found in the change from `old` to `new`, and an excerpt.
pub(super) fn find<'a>(
    old: &'a str,
    new: &'a str,
    keys: &mut ParagraphKeys<'a>,
) -> (Vec<Reason>, Option<Excerpt>) {
    let opts = DiffOptions {
        ignore_whitespace: true,
        ignore_typography: true,
        ignore_markup: true,
        ignore_case: false,
        deadline: Some(Duration::from_millis(300)),
        // The reasons weigh the change against both texts' totals.
        no_word_totals: false,
    };
    let d = diff::diff_keyed(old, new, &opts, keys);
    let mut acc = Acc::default();
    let (lead_old, lead_new) = (lead_end(old), lead_end(new));
    let (mut at_old, mut at_new) = (0, 0);
    for op in &d.ops {
        match op.op {
            OpTag::Equal => {
                at_old += op.text.len();
                at_new += op.text.len();
            }
            OpTag::Delete => {
                if !op.moved {
                    acc.take(op, old, at_old, lead_old);
                }
                at_old += op.text.len();
            }
            OpTag::Insert => {
                if !op.moved {
                    acc.take(op, new, at_new, lead_new);
                }
                at_new += op.text.len();
            }
        }
    }
    for m in &d.moves {
        if m.is_pure() {
            acc.moved += 1;
            continue;
        }
        for op in m.ops.iter().filter(|o| o.op != OpTag::Equal) {
            // Inside a moved paragraph: the paragraph is its own context.
            acc.take(op, &op.text, 0, 0);
        }
    }
    let excerpt = (acc.first_removed.is_some() || acc.first_added.is_some()).then(|| Excerpt {
        removed: acc.first_removed.clone().unwrap_or_default(),
        added: acc.first_added.clone().unwrap_or_default(),
    });
    // The diff counted both texts' words already (`count_words` of each,
    // summed over paragraphs where that is exact).
    (acc.reasons(d.stats.words_old, d.stats.words_new), excerpt)
}

/// `s` with its whitespace runs collapsed, cut to about 100 characters.
fn short(s: &str) -> String {
    let mut out = String::new();
    for w in s.split_whitespace() {
        if out.chars().count() > 100 {
            out.push('…');
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

impl<'t> Acc<'t> {
    /// What [`line_facts`] finds in `line`, from the last change's when it
    /// is the same line.
    fn facts(&mut self, line: &'t str) -> LineFacts {
        match self.line {
            Some((l, f)) if l == line => f,
            _ => {
                let f = line_facts(line);
                self.line = Some((line, f));
                f
            }
        }
    }

    fn take(&mut self, op: &Op, text: &'t str, at: usize, lead_end: usize) {
        use ChangeKind::*;
        let cosmetic = matches!(
            op.kind,
            Some(Punctuation | Whitespace | Typography | Markup | Link | Case | TitleSuffix)
        );
        let words = diff::count_words(&op.text);
        if op.ignored || cosmetic || words == 0 {
            self.formatting += 1;
            return;
        }
        let line = self.facts(line_around(text, at, op.text.len()));
        if is_chrome(&op.text, &line) {
            self.chrome_words += words;
            return;
        }
        if is_date_line(&op.text, &line) {
            self.date_lines += 1;
            return;
        }
        self.words += words;
        self.lead |= at < lead_end;
        if matches!(op.kind, Some(ParagraphAdded | ParagraphRemoved)) {
            self.paragraphs += 1;
        }
        let (into, names, first) = match op.op {
            OpTag::Insert => (
                &mut self.added,
                &mut self.names_added,
                &mut self.first_added,
            ),
            _ => (
                &mut self.removed,
                &mut self.names_removed,
                &mut self.first_removed,
            ),
        };
        if first.is_none() {
            *first = Some(short(&op.text));
        }
        into.push_str(&op.text);
        into.push(' ');
        names.extend(names_in(text, at, &op.text));
    }

    fn reasons(self, words_old: usize, words_new: usize) -> Vec<Reason> {
        let mut out = Vec::new();
        let mut push = |signal, points: f64, detail: String| {
            out.push(Reason {
                signal,
                points: (points * 1000.0).round() / 1000.0,
                detail,
            })
        };
        if words_old >= 100 && words_new * 5 < words_old {
            push(
                Signal::Vanished,
                weight::VANISHED,
                format!("{words_old} -> {words_new} words"),
            );
        }
        if self.words > 0 {
            let n = self.words as f64;
            push(
                Signal::Words,
                weight::WORDS_BASE + weight::PER_WORD * n.ln_1p(),
                format!("{} words", self.words),
            );
            let share = n / (words_old + words_new).max(1) as f64;
            push(
                Signal::Share,
                weight::SHARE * share.min(1.0),
                format!("{:.0}%", share * 100.0),
            );
        }
        let (nums_old, nums_new) = (numbers(&self.removed), numbers(&self.added));
        if nums_old != nums_new {
            let first = |s: &BTreeSet<String>, o: &BTreeSet<String>| {
                s.difference(o)
                    .next()
                    .cloned()
                    .unwrap_or_else(|| "-".into())
            };
            let detail = format!(
                "{} -> {}",
                first(&nums_old, &nums_new),
                first(&nums_new, &nums_old)
            );
            push(Signal::Numbers, weight::NUMBERS, detail);
        }
        let names: Vec<&String> = self
            .names_added
            .symmetric_difference(&self.names_removed)
            .collect();
        if !names.is_empty() {
            let detail = names.iter().take(3).map(|s| s.as_str()).collect::<Vec<_>>();
            push(Signal::Names, weight::NAMES, detail.join(", "));
        }
        if has_quote(&self.added) || has_quote(&self.removed) {
            push(Signal::Quotes, weight::QUOTES, String::new());
        }
        if negations(&self.added) != negations(&self.removed) {
            push(Signal::Negation, weight::NEGATION, String::new());
        }
        if self.lead {
            push(Signal::Lead, weight::LEAD, String::new());
        }
        let added = self.added.to_lowercase();
        if let Some(n) = NOTICES.iter().find(|n| added.contains(*n)) {
            push(Signal::Notice, weight::NOTICE, format!("\"{n}\""));
        }
        if self.paragraphs > 0 {
            let n = self.paragraphs.min(weight::PARAGRAPHS_MAX) as f64;
            push(
                Signal::Paragraphs,
                weight::PARAGRAPH * n,
                self.paragraphs.to_string(),
            );
        }
        if self.chrome_words > 0 {
            let detail = format!("{} words", self.chrome_words);
            push(Signal::Chrome, weight::CHROME, detail);
        }
        if self.date_lines > 0 {
            push(Signal::DateLine, weight::DATE_LINE, String::new());
        }
        if self.formatting > 0 {
            push(Signal::Formatting, weight::FORMATTING, String::new());
        }
        if self.moved > 0 {
            push(Signal::Moved, weight::MOVED, self.moved.to_string());
        }
        out
    }
}

/// Where the title and first paragraph end: the end of the second line
/// holding words.
fn lead_end(text: &str) -> usize {
    let mut seen = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        at += line.len();
        if diff::count_words(line) > 0 {
            seen += 1;
            if seen == 2 {
                return at;
            }
        }
    }
    at
}

/// The line(s) of `text` holding `text[at..at + len]`.
fn line_around(text: &str, at: usize, len: usize) -> &str {
    let end = (at + len).min(text.len());
    let start = text[..at.min(end)].rfind('\n').map_or(0, |i| i + 1);
    let stop = text[end..].find('\n').map_or(text.len(), |i| end + i);
    &text[start..stop]
}

fn lower_words(s: &str) -> impl Iterator<Item = String> + '_ {
    raw_words(s).map(str::to_lowercase)
}

/// The words of [`lower_words`], not yet lowercased.
fn raw_words(s: &str) -> impl Iterator<Item = &str> + '_ {
    s.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’' || c == '.'))
        .map(|w| w.trim_matches(|c| c == '.' || c == '\'' || c == '’'))
        .filter(|w| !w.is_empty())
}

/// What the chrome and date-line tests need of the line a change is in.
#[derive(Debug, Clone, Copy)]
struct LineFacts {
    /// It holds a phrase of [`CHROME`] (case folded).
    chrome_phrase: bool,
    /// Mostly links: three `[` or more, two words or fewer outside them.
    links: bool,
    /// It says `views` (case folded).
    views: bool,
    /// A byline: its first word is `by`, and it has ten words or fewer.
    byline: bool,
    /// It holds one of [`DATE_WORDS`].
    dated: bool,
}

/// The facts of one line (see [`LineFacts`]).
fn line_facts(line: &str) -> LineFacts {
    let lower = line.to_lowercase();
    let (mut words, mut by, mut dated) = (0, false, false);
    for w in raw_words(line) {
        // `lower_words`' word, compared without making it where it is
        // ASCII (then its lowercase is its ASCII lowercase).
        let folded = (!w.is_ascii()).then(|| w.to_lowercase());
        let is = |d: &str| match &folded {
            None => w.eq_ignore_ascii_case(d),
            Some(f) => f == d,
        };
        by |= words == 0 && is("by");
        dated |= DATE_WORDS.iter().any(|d| is(d));
        words += 1;
    }
    LineFacts {
        chrome_phrase: CHROME.iter().any(|c| lower.contains(c)),
        links: line.matches('[').count() >= 3 && diff::count_words(&outside_brackets(line)) <= 2,
        views: lower.contains("views"),
        byline: by && words <= 10,
        dated,
    }
}

/// Navigation, widgets, counters and footers.
fn is_chrome(changed: &str, line: &LineFacts) -> bool {
    if line.chrome_phrase {
        return true;
    }
    // Only link texts changed: `[Prev …] [Next …]`, a site menu.
    if changed.contains('[') && diff::count_words(&outside_brackets(changed)) <= 1 {
        return true;
    }
    if line.links {
        return true;
    }
    // A view counter: `1.2M views`.
    line.views
        && lower_words(changed).all(|w| {
            let w = w.trim_end_matches(['k', 'm', 'b']);
            !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.')
        })
}

/// `s` without its `[…]` and `(…)` spans.
fn outside_brackets(s: &str) -> String {
    let mut depth = 0i32;
    s.chars()
        .filter(|&c| {
            match c {
                '[' | '(' => depth += 1,
                ']' | ')' => {
                    depth = (depth - 1).max(0);
                    return false;
                }
                _ => {}
            }
            depth == 0
        })
        .collect()
}

/// A "Last updated: …" line whose date changed, or a byline.
fn is_date_line(changed: &str, line: &LineFacts) -> bool {
    if line.byline {
        return true;
    }
    line.dated
        && lower_words(changed).all(|w| {
            MONTHS.contains(&w.as_str())
                || w.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h'])
                    .parse::<u32>()
                    .is_ok()
        })
}

/// Capitalised words inside a sentence (not its first word).
fn names_in(text: &str, at: usize, changed: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut offset = 0;
    for w in changed.split_inclusive(char::is_whitespace) {
        let start = at + offset;
        offset += w.len();
        if is_link_target(w) {
            continue;
        }
        let word = w.trim().trim_matches(|c: char| !c.is_alphanumeric());
        let mut chars = word.chars();
        let (Some(first), Some(_)) = (chars.next(), chars.next()) else {
            continue;
        };
        if !first.is_uppercase() || word.chars().all(char::is_uppercase) {
            continue;
        }
        let before = text[..start.min(text.len())].trim_end().chars().next_back();
        let initial = match before {
            None => true,
            Some(c) => ".!?:*#>-|\n[(\"“".contains(c) || c.is_ascii_digit(),
        };
        if !initial {
            out.push(word.to_owned());
        }
    }
    out
}

fn numbers(s: &str) -> BTreeSet<String> {
    s.split(|c: char| c.is_whitespace() || "()[],;".contains(c))
        .filter(|w| !is_link_target(w))
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().any(|c| c.is_ascii_digit()))
        .map(str::to_owned)
        .collect()
}

/// A piece of a link's target (`](https://…)`), not of its text.
fn is_link_target(w: &str) -> bool {
    w.contains("](") || w.contains("://") || w.starts_with("(/")
}

/// A quotation of three words or more.
fn has_quote(s: &str) -> bool {
    let opens = ['"', '“', '«', '„'];
    let closes = ['"', '”', '»', '“'];
    let Some((start, open)) = s.char_indices().find(|(_, c)| opens.contains(c)) else {
        return false;
    };
    let rest = &s[start + open.len_utf8()..];
    rest.find(closes)
        .is_some_and(|end| diff::count_words(&rest[..end]) >= 3)
}

fn negations(s: &str) -> usize {
    raw_words(s)
        .filter(|w| match w.is_ascii() {
            // Its lowercase is its ASCII lowercase, and it has no `’`.
            true => NEGATIONS.iter().any(|n| w.eq_ignore_ascii_case(n)),
            false => NEGATIONS.contains(&w.to_lowercase().replace('’', "'").as_str()),
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::significance::model::Context;

    fn signals(old: &str, new: &str) -> Vec<Signal> {
        score(old, new, &Context::default())
            .reasons
            .into_iter()
            .map(|r| r.signal)
            .collect()
    }

    #[test]
    fn formatting_alone_scores_near_zero() {
        let old = "Title\n\nThe minister said it was \"fine\" -- really.\n";
        let new = "Title\n\nThe  minister said it was \u{201c}fine\u{201d} \u{2014} really.\n";
        let s = score(old, new, &Context::default());
        assert!(s.value < 0.05, "{s:?}");
    }

    #[test]
    fn a_link_target_alone_scores_near_zero() {
        let old = "Read [our terms](https://x.test/a?h=AT1) now.\n";
        let new = "Read [our terms](https://x.test/a?h=AT2) now.\n";
        assert!(score(old, new, &Context::default()).value < 0.05);
    }

    #[test]
    fn numbers_negation_and_names_are_signals() {
        let base = "Intro line here.\n\nSecond line here.\n\nThe council will approve the budget of 4 million on Monday, officials said.\n";
        let numbers = base.replace("4 million", "9 million");
        assert!(signals(base, &numbers).contains(&Signal::Numbers));
        let negation = base.replace("will approve", "will not approve");
        assert!(signals(base, &negation).contains(&Signal::Negation));
        let name = base.replace("officials said", "officials told Reuters");
        assert!(signals(base, &name).contains(&Signal::Names));
    }

    #[test]
    fn date_lines_and_chrome_are_not_words() {
        let base = "Policy\n\nLast updated: June 26, 2026\n\nWe keep your data for 30 days.\n\nRelated Articles\n";
        let date = base.replace("June 26", "June 29");
        assert_eq!(signals(base, &date), vec![Signal::DateLine]);
        let chrome = base.replace("Related Articles", "Related Articles [About us] [Help]");
        assert_eq!(signals(base, &chrome), vec![Signal::Chrome]);
        let content = base.replace("30 days", "90 days");
        assert!(signals(base, &content).contains(&Signal::Words));
    }

    #[test]
    fn notices_quotes_lead_and_vanishing() {
        let base =
            "Headline\n\nFirst paragraph of the story.\n\nBody text that goes on for a while.\n";
        let notice = format!("{base}\nCorrection: an earlier version misnamed the town.\n");
        assert!(signals(base, &notice).contains(&Signal::Notice));
        let quote = format!("{base}\nShe said: \u{201c}we will not stop now\u{201d}.\n");
        assert!(signals(base, &quote).contains(&Signal::Quotes));
        let lead = base.replace("Headline", "Another headline entirely");
        assert!(signals(base, &lead).contains(&Signal::Lead));
        let long = "word ".repeat(200);
        assert!(signals(&long, "Page not found").contains(&Signal::Vanished));
    }

    #[test]
    fn negations_are_counted_whatever_their_case_and_apostrophe() {
        assert_eq!(
            negations("Not now, NO. It isn’t; we Can't. Nothing! knot note"),
            5
        );
        assert_eq!(negations("WITHOUT doesn’t"), 2);
        assert_eq!(negations("Ñot nö"), 0);
    }

    #[test]
    fn boilerplate_changes_count_for_nothing() {
        let old = "Body of the story.\n\nDonate now to keep us going 2024\n";
        let new = "Body of the story.\n\nDonate now to keep us going 2025\n";
        let bp = crate::republish::text::prepare("Donate now to keep us going 2024")[0].hash;
        let ctx = Context {
            boilerplate: [bp].into(),
        };
        let s = score(old, new, &ctx);
        assert_eq!(s.value, 0.0);
        assert_eq!(s.reasons[0].signal, Signal::Boilerplate);
    }
}
