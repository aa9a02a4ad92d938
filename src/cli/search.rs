//! `vellum search QUERY`

use std::time::{Duration, Instant};

use vellum::query::items::{SearchItem, SearchStatsItem};
use vellum::render::listing;
use vellum::search::{self, Index, SearchError, SearchQuery};
use vellum::store::Archive;

use super::common::json_line;
use super::env::{CliError, Env, Exit};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/search.txt")
)]
pub struct SearchArgs {
    /// Words, "exact phrases" and prefix* (every term in one paragraph)
    #[arg(required_unless_present = "stats")]
    query: Option<String>,
    /// Only this document (its name or URL)
    #[arg(long, value_name = "DOC")]
    doc: Option<String>,
    /// Also search the text of older versions (find what was removed, and when)
    #[arg(long)]
    all_versions: bool,
    /// At most N hits
    #[arg(short = 'n', long = "max-count", value_name = "N", default_value_t = search::DEFAULT_LIMIT)]
    max_count: usize,
    /// One JSON object per hit (with --stats: one object)
    #[arg(long)]
    json: bool,
    /// Print the index's size and the size of the text it indexes
    #[arg(long)]
    stats: bool,
    /// Run the query N times in this process and print p50/p99 latency on stderr (benchmarks)
    #[arg(long, hide = true, value_name = "N")]
    repeat: Option<usize>,
}

/// Opens the store's search index, with progress and a note on what it took.
fn open_index(env: &Env, archive: &Archive) -> Result<Index, CliError> {
    let mut progress = Progress::new(env, "indexing texts for search");
    let index = Index::open(archive, &mut |done, total| progress.update(done, total))?;
    drop(progress);
    note_index(env, &index);
    Ok(index)
}

fn note_index(env: &Env, index: &Index) {
    if !env.notes {
        return;
    }
    if let Some(why) = &index.discarded {
        eprintln!("vellum: the search index was unusable ({why}); it was deleted and rebuilt");
    }
    if let Some(c) = index.caught_up {
        eprintln!(
            "vellum: {} the search index: {} text(s), {} new paragraph(s) in {:.2} s",
            if c.rebuilt { "built" } else { "updated" },
            c.texts,
            c.paragraphs,
            c.elapsed.as_secs_f64()
        );
    }
    if let Some(why) = &index.memory_reason {
        eprintln!(
            "vellum: the search index was built in memory and not kept, as the store's cannot \
             be written ({why})"
        );
    }
}

pub fn run_search(env: &Env, args: SearchArgs) -> Result<Exit, CliError> {
    let mut q = SearchQuery {
        text: args.query.clone().unwrap_or_default(),
        doc: args.doc.clone(),
        all_versions: args.all_versions,
        limit: args.max_count,
    };
    if !args.stats {
        // A bad query is reported before the store is even opened.
        search::query::parse(&q.text).map_err(SearchError::from)?;
    }
    let archive = env.open()?;
    if let Some(d) = &args.doc {
        // A name or a URL; an unknown one gets "did you mean".
        q.doc = Some(archive.document(d)?.to_string());
    }
    let index = open_index(env, &archive)?;
    if args.stats {
        return print_stats(&index, args.json);
    }
    let hits = index.search(&archive, &q)?;
    if let Some(n) = args.repeat {
        repeat(&index, &archive, &q, n)?;
    }
    let mut out = std::io::stdout().lock();
    for h in &hits {
        if args.json {
            json_line(&mut out, &SearchItem::from(h))?;
        } else {
            listing::search_hit(&mut out, h, env.color)?;
        }
    }
    if hits.is_empty() && env.notes && !args.json {
        eprintln!(
            "vellum: no paragraph holds every term{}",
            if q.all_versions {
                ""
            } else {
                " in the current texts; --all-versions also searches older versions"
            }
        );
    }
    Ok(Exit::Ok)
}

fn print_stats(index: &Index, json: bool) -> Result<Exit, CliError> {
    let s = index.stats()?;
    let mut out = std::io::stdout().lock();
    if json {
        json_line(&mut out, &SearchStatsItem::from(s))?;
    } else {
        listing::search_stats(&mut out, &s)?;
    }
    Ok(Exit::Ok)
}

/// `--repeat N`: the query's latency with the index open, as a server sees it.
fn repeat(index: &Index, archive: &Archive, q: &SearchQuery, n: usize) -> Result<(), CliError> {
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        index.search(archive, q)?;
        times.push(t.elapsed());
    }
    times.sort();
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    eprintln!("repeat {n} p50_us {:.0} p99_us {:.0}", pct(0.50), pct(0.99));
    Ok(())
}
