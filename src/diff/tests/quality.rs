//! Speed on large texts (ignored by default) and precision on seeded edits of real paragraphs.

use super::*;

#[test]
#[ignore = "timing check; run with --release -- --ignored --nocapture"]
fn timings() {
    use std::time::Instant;
    let mut rng = Rng(7);
    let (a, b) = (prose(&mut rng, 1 << 20), prose(&mut rng, 1 << 20));
    let t = Instant::now();
    let d = diff(&a, &b, &DiffOptions::default());
    println!(
        "1 MB unrelated: {:?} fallback={} ops={}",
        t.elapsed(),
        d.fallback,
        d.ops.len()
    );
    let a1 = a.replace("\n\n", " ");
    let b1 = b.replace("\n\n", " ");
    let t = Instant::now();
    let d = diff(&a1, &b1, &DiffOptions::default());
    println!(
        "1 MB unrelated, no paragraphs: {:?} fallback={}",
        t.elapsed(),
        d.fallback
    );
    let big = prose(&mut rng, 10 << 20);
    let mut edited = big.replacen("the ", "a ", 2000);
    edited.insert_str(edited.len() / 2, "A whole new paragraph in the middle.\n\n");
    let t = Instant::now();
    let d = diff(&big, &edited, &DiffOptions::default());
    println!(
        "10 MB edited: {:?} fallback={} ops={} changes={}",
        t.elapsed(),
        d.fallback,
        d.ops.len(),
        changes(&d).len()
    );
    let t = Instant::now();
    let d = diff(
        &big,
        &edited,
        &DiffOptions {
            ignore_typography: true,
            ignore_markup: true,
            ..Default::default()
        },
    );
    println!(
        "10 MB edited, ignoring typography+markup: {:?} fallback={}",
        t.elapsed(),
        d.fallback
    );
    let t = Instant::now();
    for _ in 0..100 {
        diff(BLOG, GLOBAL, &DiffOptions::default());
    }
    println!("sample pair: {:?} per diff", t.elapsed() / 100);
}

/// Byte offsets of the words of `text`, starting at `base`.
fn word_offsets(text: &str, base: usize) -> Vec<usize> {
    let mut at = base;
    let mut out = Vec::new();
    for t in tokenize::tokenize(text) {
        if tokenize::is_word(t) {
            out.push(at);
        }
        at += t.len();
    }
    out
}

/// A token of an edited text, with the (paragraph, token) it was carried
/// over from, if it was.
type Carried = (String, Option<(usize, usize)>);

/// Seeded random edits of real paragraphs; the truth is which words (by
/// offset, old side and new side) were really changed. Moved paragraphs
/// count as unchanged and must come out as moves.
#[test]
fn seeded_edits_are_found_precisely() {
    use std::collections::HashSet;
    let pool = fixture_paragraphs();
    let vocab = [
        "fighters",
        "convoy",
        "ceasefire",
        "officials",
        "reportedly",
        "northern",
        "talks",
        "village",
    ];
    let (mut hits, mut predicted, mut truth, mut moves_expected, mut moves_found) = (0, 0, 0, 0, 0);
    for seed in 1..=40u64 {
        let mut rng = Rng(seed * 0x9e37_79b9);
        // Distinct paragraphs: the old text first, then the spares to insert.
        let mut order: Vec<usize> = (0..pool.len()).collect();
        for k in (1..order.len()).rev() {
            order.swap(k, rng.below(k + 1));
        }
        let n = 6 + rng.below(6);
        let paras: Vec<Vec<&str>> = order[..n]
            .iter()
            .map(|&k| tokenize::tokenize(pool[k]))
            .collect();
        let mut spares = order[n..].iter();
        // Each new paragraph: tokens, each Some(old token id) when carried over.
        let mut out: Vec<Vec<Carried>> = Vec::new();
        for (p, toks) in paras.iter().enumerate() {
            if rng.chance(8) {
                continue; // paragraph deleted
            }
            let mut para: Vec<Carried> = Vec::new();
            let mut i = 0;
            while i < toks.len() {
                let t = toks[i];
                let word = tokenize::is_word(t);
                match rng.below(100) {
                    0..=1 if word => para.push((vocab[rng.below(vocab.len())].to_owned(), None)),
                    2 if word && t.len() > 3 => para.push((format!("{t}s"), None)),
                    3 if word && t.len() > 3 => {
                        para.extend([
                            ("*".to_owned(), None),
                            (t.to_owned(), Some((p, i))),
                            ("*".to_owned(), None),
                        ]);
                    }
                    4 if t == "." => {
                        para.push((t.to_owned(), Some((p, i))));
                        para.extend(
                            [" ", "New", " ", "sentence", " ", "added", " ", "here", "."]
                                .map(|s| (s.to_owned(), None)),
                        );
                    }
                    5 if t == "." && i + 1 < toks.len() => {
                        // Delete the next sentence (the tokens up to and including its full stop).
                        para.push((t.to_owned(), Some((p, i))));
                        let end = toks[i + 1..]
                            .iter()
                            .position(|t| *t == ".")
                            .map_or(toks.len(), |e| i + 2 + e);
                        i = end;
                        continue;
                    }
                    _ if t.contains('\'') && rng.chance(30) => {
                        para.push((t.replace('\'', "’"), None))
                    }
                    _ => para.push((t.to_owned(), Some((p, i)))),
                }
                i += 1;
            }
            out.push(para);
            if rng.chance(8)
                && let Some(&k) = spares.next()
            {
                let extra = tokenize::tokenize(pool[k]);
                out.push(extra.into_iter().map(|t| (t.to_owned(), None)).collect());
            }
        }
        // Move one paragraph from the front to the back.
        let moved = out.len() > 4 && rng.chance(50) && out[0].iter().all(|(_, o)| o.is_some());
        if moved {
            let first = out.remove(0);
            out.push(first);
            moves_expected += 1;
        }
        let old = paras
            .iter()
            .map(|p| p.concat())
            .collect::<Vec<_>>()
            .join("\n\n");
        let new = out
            .iter()
            .map(|p| p.iter().map(|(t, _)| t.as_str()).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n\n");
        // Truth: old words not carried over, new words not carried over.
        let mut old_starts = Vec::new();
        let mut at = 0;
        for toks in &paras {
            let mut starts = Vec::new();
            for t in toks {
                starts.push(at);
                at += t.len();
            }
            old_starts.push(starts);
            at += 2;
        }
        let kept: HashSet<(usize, usize)> = out.iter().flatten().filter_map(|(_, o)| *o).collect();
        let mut want: HashSet<(bool, usize)> = HashSet::new();
        for (p, toks) in paras.iter().enumerate() {
            for (i, t) in toks.iter().enumerate() {
                if tokenize::is_word(t) && !kept.contains(&(p, i)) {
                    want.insert((false, old_starts[p][i]));
                }
            }
        }
        let mut at = 0;
        for para in &out {
            for (t, origin) in para {
                if origin.is_none() && tokenize::is_word(t) {
                    want.insert((true, at));
                }
                at += t.len();
            }
            at += 2;
        }
        let d = check_invariants(&old, &new, &DiffOptions::default());
        moves_found += d.stats.paragraphs_moved;
        let (mut o, mut n) = (0, 0);
        let mut got: HashSet<(bool, usize)> = HashSet::new();
        for op in &d.ops {
            let counted = !op.moved && !op.ignored;
            match op.op {
                OpTag::Equal => (o, n) = (o + op.text.len(), n + op.text.len()),
                OpTag::Delete => {
                    if counted {
                        got.extend(word_offsets(&op.text, o).into_iter().map(|x| (false, x)));
                    }
                    o += op.text.len();
                }
                OpTag::Insert => {
                    if counted {
                        got.extend(word_offsets(&op.text, n).into_iter().map(|x| (true, x)));
                    }
                    n += op.text.len();
                }
            }
        }
        hits += got.intersection(&want).count();
        predicted += got.len();
        truth += want.len();
    }
    let precision = hits as f64 / predicted as f64;
    let recall = hits as f64 / truth as f64;
    println!(
        "changed words: precision {precision:.4}, recall {recall:.4} ({truth} true); moves {moves_found}/{moves_expected}"
    );
    assert!(recall >= 0.99, "recall {recall}");
    assert!(precision >= 0.99, "precision {precision}");
    assert_eq!(moves_found, moves_expected);
}
