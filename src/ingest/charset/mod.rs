//! Character sets and the detection of undeclared legacy encodings (pure).
//!
//! [`Charset`] is what vellum decodes with: an encoding of the WHATWG
//! Encoding Standard (encoding_rs) or one of a few DOS and Mac code pages it
//! lacks (IBM852, IBM855, ...; their tables are generated from Python's
//! codecs by `scripts/gen-charset-model.py`).
//!
//! [`detect`] guesses the encoding of bytes that are not UTF-8 and declare
//! none. chardetng (a browser's detector) is kept for what it is strong at:
//! the multi-byte CJK encodings. Single-byte text is scored instead with
//! language statistics, as uchardet and chardet do: each candidate
//! (language, code page) decodes the bytes >= 0x80, and the decoded
//! characters and the letter pairs they form with their neighbours are
//! priced by the language's frequencies ([`model_data`], counted from the
//! Universal Declaration of Human Rights by the same script). The cheapest
//! decoding wins; how far ahead it is of the next decoding that gives a
//! different text is the guess's confidence.

mod model_data;
mod tables;

use std::collections::HashMap;
use std::sync::OnceLock;

use encoding_rs::Encoding;

/// An encoding vellum can decode.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// One of the WHATWG Encoding Standard's.
    Whatwg(&'static Encoding),
    /// A single-byte code page the standard lacks (an index into the tables).
    CodePage(u8),
}

impl std::fmt::Debug for Charset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl From<&'static Encoding> for Charset {
    fn from(e: &'static Encoding) -> Charset {
        Charset::Whatwg(e)
    }
}

/// Other names of the code pages in [`tables`] (lowercase).
const CODE_PAGE_ALIASES: &[(&str, &str)] = &[
    ("cp852", "ibm852"),
    ("852", "ibm852"),
    ("cspcp852", "ibm852"),
    ("cp855", "ibm855"),
    ("855", "ibm855"),
    ("cp865", "ibm865"),
    ("865", "ibm865"),
    ("cp862", "ibm862"),
    ("862", "ibm862"),
    ("cp737", "ibm737"),
    ("mac-centraleurope", "x-mac-ce"),
    ("maccentraleurope", "x-mac-ce"),
    ("x-mac-centraleurope", "x-mac-ce"),
    ("mac_latin2", "x-mac-ce"),
];

/// The upper halves of the code pages in [`tables`].
fn code_pages() -> &'static [(&'static str, [char; 128])] {
    static PAGES: OnceLock<Vec<(&'static str, [char; 128])>> = OnceLock::new();
    PAGES.get_or_init(|| {
        tables::TABLES
            .iter()
            .map(|(name, chars)| {
                let mut high = ['\u{fffd}'; 128];
                for (slot, c) in high.iter_mut().zip(chars.chars()) {
                    *slot = c;
                }
                (*name, high)
            })
            .collect()
    })
}

impl Charset {
    pub const UTF_8: Charset = Charset::Whatwg(encoding_rs::UTF_8);

    /// Its name: the WHATWG name, or the code page's (`IBM852`).
    pub fn name(self) -> &'static str {
        match self {
            Charset::Whatwg(e) => e.name(),
            Charset::CodePage(i) => match tables::TABLES[usize::from(i)].0 {
                "ibm852" => "IBM852",
                "ibm855" => "IBM855",
                "ibm865" => "IBM865",
                "ibm862" => "IBM862",
                "ibm737" => "IBM737",
                "x-mac-ce" => "x-mac-ce",
                other => other,
            },
        }
    }

    /// Looks an encoding up by label: WHATWG labels, then the code pages'.
    pub fn for_label(label: &str) -> Option<Charset> {
        let label = label.trim();
        if let Some(e) = Encoding::for_label(label.as_bytes()) {
            return Some(Charset::Whatwg(e));
        }
        let lower = label.to_ascii_lowercase();
        let name = CODE_PAGE_ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower.as_str(), |(_, name)| name);
        tables::TABLES
            .iter()
            .position(|(n, _)| *n == name)
            .and_then(|i| u8::try_from(i).ok())
            .map(Charset::CodePage)
    }

    /// The encoding_rs encoding, for a WHATWG one.
    pub fn whatwg(self) -> Option<&'static Encoding> {
        match self {
            Charset::Whatwg(e) => Some(e),
            Charset::CodePage(_) => None,
        }
    }

    /// Decodes `bytes` (a BOM of this encoding is removed); `true`: some
    /// bytes were malformed and became U+FFFD.
    pub fn decode(self, bytes: &[u8]) -> (String, bool) {
        match self {
            Charset::Whatwg(e) => {
                let (text, had_errors) = e.decode_with_bom_removal(bytes);
                (text.into_owned(), had_errors)
            }
            Charset::CodePage(i) => {
                let high = &code_pages()[usize::from(i)].1;
                let mut errors = false;
                let text = bytes
                    .iter()
                    .map(|&b| {
                        if b < 0x80 {
                            char::from(b)
                        } else {
                            let c = high[usize::from(b - 0x80)];
                            errors |= c == '\u{fffd}';
                            c
                        }
                    })
                    .collect();
                (text, errors)
            }
        }
    }

    /// The character of one byte >= 0x80 in a single-byte encoding.
    fn high_table(self) -> [char; 128] {
        match self {
            Charset::CodePage(i) => code_pages()[usize::from(i)].1,
            Charset::Whatwg(e) => {
                let mut high = ['\u{fffd}'; 128];
                for (b, slot) in (0x80u8..=0xff).zip(high.iter_mut()) {
                    let byte = [b];
                    let (s, _) = e.decode_without_bom_handling(&byte);
                    let mut chars = s.chars();
                    if let (Some(c), None) = (chars.next(), chars.next()) {
                        *slot = c;
                    }
                }
                high
            }
        }
    }
}

/// One language's statistics (generated into [`model_data`]): its letters
/// and its letter pairs that involve a non-ASCII letter (' ' is a word
/// boundary), most frequent first, each with its cost: -ln(frequency) in
/// quarter nats.
pub(crate) struct LangData {
    pub code: &'static str,
    pub letters: &'static str,
    pub letter_q: &'static [u8],
    pub pairs: &'static str,
    pub pair_q: &'static [u8],
}

/// The languages the detector knows, and the single-byte encodings each is
/// found in (most likely first: a tie goes to the earlier one).
const LANG_CHARSETS: &[(&str, &[&str])] = &[
    ("cs", CENTRAL),
    ("sk", CENTRAL),
    ("pl", CENTRAL_16),
    ("hu", CENTRAL_16),
    ("sl", CENTRAL_16),
    ("hr", CENTRAL_16),
    ("ro", CENTRAL_16),
    ("et", BALTIC_ET),
    ("lv", BALTIC),
    ("lt", BALTIC),
    ("mt", &["iso-8859-3"]),
    ("eo", &["iso-8859-3"]),
    ("tr", &["windows-1254", "iso-8859-3"]),
    ("ga", WESTERN),
    ("da", NORDIC),
    ("no", NORDIC),
    ("sv", WESTERN),
    ("fi", WESTERN),
    ("is", WESTERN),
    ("de", WESTERN),
    ("nl", WESTERN),
    ("fr", WESTERN),
    ("es", WESTERN),
    ("ca", WESTERN),
    ("it", WESTERN),
    ("pt", WESTERN),
    ("en", WESTERN),
    ("ru", CYRILLIC),
    ("uk", CYRILLIC),
    ("be", CYRILLIC),
    ("bg", CYRILLIC),
    ("mk", CYRILLIC),
    ("sr", CYRILLIC),
    ("el", &["windows-1253", "iso-8859-7", "ibm737"]),
    ("he", &["windows-1255", "iso-8859-8", "ibm862"]),
    ("ar", &["windows-1256", "iso-8859-6"]),
    ("th", &["windows-874"]),
    ("vi", &["windows-1258"]),
];
const WESTERN: &[&str] = &["windows-1252", "iso-8859-15", "macintosh"];
const NORDIC: &[&str] = &["windows-1252", "iso-8859-15", "macintosh", "ibm865"];
const CENTRAL: &[&str] = &["windows-1250", "iso-8859-2", "ibm852", "x-mac-ce"];
const CENTRAL_16: &[&str] = &[
    "windows-1250",
    "iso-8859-2",
    "ibm852",
    "x-mac-ce",
    "iso-8859-16",
    "iso-8859-13",
];
const BALTIC: &[&str] = &["windows-1257", "iso-8859-13", "iso-8859-4", "iso-8859-10"];
const BALTIC_ET: &[&str] = &[
    "windows-1257",
    "iso-8859-13",
    "iso-8859-4",
    "iso-8859-10",
    "windows-1252",
    "iso-8859-15",
];
const CYRILLIC: &[&str] = &[
    "windows-1251",
    "koi8-r",
    "koi8-u",
    "iso-8859-5",
    "ibm866",
    "ibm855",
    "x-mac-cyrillic",
];

/// A language's statistics, ready to look up.
struct LangModel {
    letters: HashMap<char, i32>,
    pairs: HashMap<(char, char), i32>,
    /// The cost of a letter being non-ASCII at all: letters are priced
    /// given that they are (only bytes >= 0x80 are scored).
    non_ascii: i32,
    /// Indexes into [`Model::charsets`].
    charsets: Vec<usize>,
}

/// Every candidate encoding and language.
struct Model {
    charsets: Vec<(Charset, [char; 128])>,
    langs: Vec<LangModel>,
}

fn model() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| {
        let mut charsets: Vec<(Charset, [char; 128])> = Vec::new();
        let mut langs = Vec::new();
        for (code, names) in LANG_CHARSETS {
            let data = model_data::LANG_DATA
                .iter()
                .find(|d| d.code == *code)
                .expect("every language has statistics");
            let mut idx = Vec::new();
            for name in *names {
                let cs = Charset::for_label(name).expect("candidate labels are known");
                let i = charsets
                    .iter()
                    .position(|(c, _)| *c == cs)
                    .unwrap_or_else(|| {
                        charsets.push((cs, cs.high_table()));
                        charsets.len() - 1
                    });
                idx.push(i);
            }
            let letters: HashMap<char, i32> = data
                .letters
                .chars()
                .zip(data.letter_q.iter().map(|&q| i32::from(q)))
                .collect();
            let chars: Vec<char> = data.pairs.chars().collect();
            let pairs = chars
                .chunks_exact(2)
                .map(|p| (p[0], p[1]))
                .zip(data.pair_q.iter().map(|&q| i32::from(q)))
                .collect();
            let share: f64 = letters
                .iter()
                .filter(|(c, _)| !c.is_ascii())
                .map(|(_, &q)| (-f64::from(q) / 4.0).exp())
                .sum();
            let non_ascii = if share > 0.0 {
                (-share.ln() * 4.0).round() as i32
            } else {
                0
            };
            langs.push(LangModel {
                letters,
                pairs,
                non_ascii,
                charsets: idx,
            });
        }
        Model { charsets, langs }
    })
}

// Costs, in quarter nats (tuned on nothing but their meaning; the test
// suites of scripts/bench-encoding.sh measure them).
/// A letter the language does not use.
const UNSEEN_LETTER: i32 = 60;
/// A word boundary, as a "letter" of a pair.
const BOUNDARY: i32 = 8;
/// A pair the table lacks costs its two letters and this.
const UNSEEN_PAIR: i32 = 10;
/// Punctuation and signs common in running text (quotes, dashes, currency).
const COMMON_SIGN: i32 = 28;
/// Other symbols (box drawing, mathematics, fractions).
const RARE_SIGN: i32 = 40;
/// Control characters and bytes the encoding does not map.
const CONTROL: i32 = 100;

fn sign_cost(c: char) -> i32 {
    match c {
        '\u{a0}' | '\u{ad}' | '«' | '»' | '„' | '“' | '”' | '‘' | '’' | '‚' | '–' | '—' | '…'
        | '•' | '·' | '€' | '£' | '§' | '°' | '©' | '®' | '™' | '¡' | '¿' => {
            COMMON_SIGN
        }
        c if c.is_control() || c == '\u{fffd}' => CONTROL,
        _ => RARE_SIGN,
    }
}

/// The prior cost of an encoding, once per text: the Windows code pages
/// are the most used, ISO 8859 and KOI8 next, DOS and Mac ones rare.
fn prior(cs: Charset) -> i64 {
    match cs.name() {
        n if n.starts_with("windows-") => 0,
        n if n.starts_with("ISO-8859-") || n.starts_with("KOI8") => 4,
        _ => 40,
    }
}

/// Letters, and the combining marks some scripts write as letters (Thai
/// vowels and tones, windows-1258's Vietnamese tones).
fn is_letter(c: char) -> bool {
    c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c)
}

/// A byte seen around a byte >= 0x80: ASCII letters lowercased, other ASCII
/// a word boundary (' '), upper bytes kept.
fn context_byte(b: u8) -> u8 {
    match b {
        b'A'..=b'Z' => b.to_ascii_lowercase(),
        b'a'..=b'z' | 0x80..=0xff => b,
        _ => b' ',
    }
}

/// Each byte >= 0x80 with its neighbours, counted.
fn contexts(bytes: &[u8]) -> HashMap<[u8; 3], u32> {
    let mut out = HashMap::new();
    for (i, &b) in bytes.iter().enumerate() {
        if b < 0x80 {
            continue;
        }
        let prev = if i == 0 {
            b' '
        } else {
            context_byte(bytes[i - 1])
        };
        let next = bytes.get(i + 1).map_or(b' ', |&n| context_byte(n));
        *out.entry([prev, b, next]).or_insert(0) += 1;
    }
    out
}

/// A decoded neighbour: a lowercase letter, or ' ' for anything else.
fn as_letter(b: u8, high: &[char; 128]) -> char {
    if b < 0x80 {
        return char::from(b);
    }
    lower(high[usize::from(b - 0x80)])
}

fn lower(c: char) -> char {
    if !is_letter(c) {
        return ' ';
    }
    c.to_lowercase().next().unwrap_or(c)
}

impl LangModel {
    fn letter(&self, c: char) -> i32 {
        if c == ' ' {
            return BOUNDARY;
        }
        self.letters.get(&c).copied().unwrap_or(UNSEEN_LETTER)
    }

    /// How much cheaper (negative: dearer) the pair is than its letters
    /// apart.
    fn affinity(&self, a: char, b: char) -> i32 {
        self.pairs
            .get(&(a, b))
            .map_or(-UNSEEN_PAIR, |&q| self.letter(a) + self.letter(b) - q)
    }

    /// The cost of one upper byte in its context, decoded with `high`.
    fn cost(&self, ctx: [u8; 3], high: &[char; 128]) -> i32 {
        let raw = high[usize::from(ctx[1] - 0x80)];
        if !is_letter(raw) {
            return sign_cost(raw);
        }
        let c = lower(raw);
        let (p, n) = (as_letter(ctx[0], high), as_letter(ctx[2], high));
        self.letter(c) - self.non_ascii - self.affinity(p, c) - self.affinity(c, n)
    }
}

/// A guessed encoding and how sure the guess is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guess {
    pub charset: Charset,
    /// 0-100: below [`LOW_CONFIDENCE`] the guess is shown as unsure.
    pub confidence: u8,
}

/// Guesses below this are flagged as unsure.
pub const LOW_CONFIDENCE: u8 = 50;

/// How many bytes are read.
const DETECT_LEN: usize = 256 << 10;

/// Guesses the encoding of bytes that declare none (and are not UTF-8).
pub fn detect(bytes: &[u8], tld: Option<&str>) -> Guess {
    let sample = &bytes[..bytes.len().min(DETECT_LEN)];
    let mut det = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    det.feed(sample, true);
    let browser = det.guess(tld.map(str::as_bytes), chardetng::Utf8Detection::Allow);
    let multibyte = [
        encoding_rs::SHIFT_JIS,
        encoding_rs::EUC_JP,
        encoding_rs::EUC_KR,
        encoding_rs::BIG5,
        encoding_rs::GBK,
        encoding_rs::GB18030,
        encoding_rs::UTF_8,
    ];
    if multibyte.contains(&browser) {
        let (_, _, errors) = browser.decode(sample);
        if !errors {
            return Guess {
                charset: Charset::Whatwg(browser),
                confidence: 90,
            };
        }
    }
    single_byte(sample).unwrap_or(Guess {
        charset: Charset::Whatwg(browser),
        confidence: 0,
    })
}

/// The best single-byte decoding by the language statistics, or `None`
/// when no byte is >= 0x80.
fn single_byte(sample: &[u8]) -> Option<Guess> {
    let ctx = contexts(sample);
    let upper: u64 = ctx.values().map(|&n| u64::from(n)).sum();
    if upper == 0 {
        return None;
    }
    let m = model();
    // The cheapest cost of each charset over the languages that use it.
    let mut best = vec![i64::MAX; m.charsets.len()];
    for lang in &m.langs {
        for &ci in &lang.charsets {
            let (cs, high) = &m.charsets[ci];
            let cost: i64 = ctx
                .iter()
                .map(|(k, &n)| i64::from(lang.cost(*k, high)) * i64::from(n))
                .sum::<i64>()
                + prior(*cs);
            best[ci] = best[ci].min(cost);
        }
    }
    let (win, &win_cost) = best
        .iter()
        .enumerate()
        .min_by_key(|&(i, c)| (*c, i))
        .expect("there are candidates");
    // The runner-up: the cheapest charset that decodes these bytes differently.
    let win_high = &m.charsets[win].1;
    let differs = |high: &[char; 128]| {
        ctx.keys()
            .any(|k| high[usize::from(k[1] - 0x80)] != win_high[usize::from(k[1] - 0x80)])
    };
    let runner_up = best
        .iter()
        .enumerate()
        .filter(|&(i, _)| differs(&m.charsets[i].1))
        .map(|(_, &c)| c)
        .min()
        .unwrap_or(i64::MAX);
    Some(Guess {
        charset: m.charsets[win].0,
        confidence: confidence(win_cost, runner_up, upper),
    })
}

/// How sure a guess is, from its lead over the runner-up (in quarter nats)
/// and how well the winner fits at all (its cost per upper byte).
///
/// On the detectors' test suites (scripts/bench-encoding.sh) every wrong
/// guess led by less than 5 nats, and right ones that fit cost at most 7
/// nats per upper byte; a lead of 5 nats is a confidence of 50.
fn confidence(win: i64, runner_up: i64, upper: u64) -> u8 {
    let lead = runner_up.saturating_sub(win) as f64 / 4.0;
    let sure = 1.0 - (-lead / 7.0).exp();
    let per_byte = win as f64 / 4.0 / upper as f64;
    // Far more than that per byte: no known language fits, a poor guess.
    let fit = if per_byte <= 10.0 {
        1.0
    } else {
        (10.0 / per_byte).powi(2)
    };
    (sure * fit * 100.0).round().clamp(0.0, 100.0) as u8
}

#[cfg(test)]
mod tests;
