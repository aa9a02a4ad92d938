//! Word-diff timings that need no corpus: `cargo bench --bench diff`.
//!
//! A plain `harness = false` bench (no dependency): each case runs for a
//! warm-up, then for about a second, and prints the fastest, median and mean
//! time per iteration. `cargo bench --bench diff -- WORD` runs only the cases
//! whose name holds WORD. For the comparison with git, wdiff and dwdiff on
//! the real corpus, see `scripts/bench-diff.sh`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use vellum::diff::{DiffOptions, count_words, diff};

const BLOG: &str = include_str!("../tests/fixtures/articles/blog-repost-2019-02-12.txt");
const GLOBAL: &str = include_str!("../tests/fixtures/articles/globalresearch-2019-02-12.md");
const RAQQAH: &str = include_str!("../tests/fixtures/articles/globalresearch-2017-10-12.md");
const DEIR: &str = include_str!("../tests/fixtures/articles/globalresearch-2018-11-24.md");
const ZAMAN: &str = include_str!("../tests/fixtures/articles/zamanalwasl-france-deal.txt");
/// Two revisions of a Wikipedia article (diff-match-patch's speed test).
const WIKI_OLD: &str = include_str!("../tests/fixtures/revisions/dmp-speedtest1.txt");
const WIKI_NEW: &str = include_str!("../tests/fixtures/revisions/dmp-speedtest2.txt");

/// Small deterministic PRNG (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Generated prose of about `bytes` bytes from the fixtures' words, in
/// paragraphs of 40 to 120 words.
fn prose(seed: u64, bytes: usize) -> String {
    let words: Vec<&str> = [BLOG, GLOBAL, RAQQAH, DEIR, ZAMAN]
        .iter()
        .flat_map(|t| t.split_whitespace())
        .collect();
    let mut rng = Rng(seed);
    let mut out = String::with_capacity(bytes + 1024);
    while out.len() < bytes {
        for _ in 0..40 + rng.below(80) {
            out.push_str(words[rng.below(words.len())]);
            out.push(' ');
        }
        out.push_str("end.\n\n");
    }
    out
}

/// A copy of `text` with a light edit every `every` paragraphs: one word
/// replaced, as in consecutive captures of a long document.
fn lightly_edited(text: &str, every: usize) -> String {
    text.split_inclusive("\n\n")
        .enumerate()
        .map(|(i, p)| {
            if i % every == every / 2 {
                p.replacen(' ', " edited ", 1)
            } else {
                p.to_owned()
            }
        })
        .collect()
}

struct Case {
    name: &'static str,
    run: Box<dyn Fn() -> usize>,
}

fn measure(case: &Case) {
    let warm_up = Instant::now();
    while warm_up.elapsed() < Duration::from_millis(200) {
        black_box((case.run)());
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while times.len() < 10 || (start.elapsed() < Duration::from_secs(1) && times.len() < 100_000) {
        let t = Instant::now();
        black_box((case.run)());
        times.push(t.elapsed());
    }
    times.sort_unstable();
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{:<44} fastest {:>11.3?}  median {:>11.3?}  mean {:>11.3?}  ({} runs)",
        case.name,
        times[0],
        times[times.len() / 2],
        mean,
        times.len()
    );
}

// Without `harness = false` in Cargo.toml the file builds as a test-harness
// bench, whose own `main` is unused.
#[cfg_attr(test, allow(dead_code))]
fn main() {
    // `cargo bench` passes `--bench`; any other argument filters cases.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all_ignored = DiffOptions {
        ignore_case: true,
        ignore_whitespace: true,
        ignore_typography: true,
        ignore_markup: true,
        ..DiffOptions::default()
    };
    let big_a = prose(7, 1 << 20);
    let big_b = prose(8, 1 << 20);
    let big_edited = lightly_edited(&big_a, 50);
    println!(
        "inputs: sample pair {} / {} bytes; synthetic 1 MB texts {} / {} bytes",
        BLOG.len(),
        GLOBAL.len(),
        big_a.len(),
        big_b.len()
    );
    let cases = vec![
        Case {
            name: "sample pair (blog repost -> globalresearch)",
            run: Box::new(|| diff(BLOG, GLOBAL, &DiffOptions::default()).ops.len()),
        },
        Case {
            name: "sample pair, every --ignore-* option",
            run: Box::new(move || diff(BLOG, GLOBAL, &all_ignored).ops.len()),
        },
        Case {
            name: "sample pair, identical texts",
            run: Box::new(|| diff(GLOBAL, GLOBAL, &DiffOptions::default()).ops.len()),
        },
        Case {
            name: "Wikipedia revisions (diff-match-patch speed test)",
            run: Box::new(|| diff(WIKI_OLD, WIKI_NEW, &DiffOptions::default()).ops.len()),
        },
        Case {
            name: "moved and edited paragraph (sample article)",
            run: Box::new({
                let mut paras: Vec<String> = GLOBAL.split("\n\n").map(str::to_owned).collect();
                let moved = paras.remove(8).replace("ISIS", "Daesh");
                paras.push(moved);
                let edited = paras.join("\n\n");
                move || diff(GLOBAL, &edited, &DiffOptions::default()).ops.len()
            }),
        },
        Case {
            name: "count_words (globalresearch article)",
            run: Box::new(|| count_words(GLOBAL)),
        },
        Case {
            name: "1 MB unrelated pair",
            run: Box::new({
                let (a, b) = (big_a.clone(), big_b.clone());
                move || diff(&a, &b, &DiffOptions::default()).ops.len()
            }),
        },
        Case {
            name: "1 MB lightly edited copy",
            run: Box::new({
                let (a, b) = (big_a.clone(), big_edited);
                move || diff(&a, &b, &DiffOptions::default()).ops.len()
            }),
        },
        Case {
            name: "count_words (1 MB)",
            run: Box::new(move || count_words(&big_a)),
        },
    ];
    for case in &cases {
        if filters.is_empty() || filters.iter().any(|f| case.name.contains(f.as_str())) {
            measure(case);
        }
    }
}
