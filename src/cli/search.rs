//! `vellum search QUERY`

use vellum::query::items::{SearchItem, SearchStatsItem};
use vellum::render::{json, listing};
use vellum::search::{self, Index, SearchError, SearchQuery};

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
    let mut progress = Progress::new(env, "indexing texts for search");
    let index = Index::open(&archive, &mut |done, total| progress.update(done, total))?;
    drop(progress);
    if env.notes {
        index.notes().iter().for_each(|n| eprintln!("vellum: {n}"));
    }
    let mut out = std::io::stdout().lock();
    if args.stats {
        let s = index.stats()?;
        match args.json {
            true => json::line(&mut out, &SearchStatsItem::from(s))?,
            false => listing::search_stats(&mut out, &s)?,
        }
        return Ok(Exit::Ok);
    }
    let hits = index.search(&archive, &q)?;
    if let Some(n) = args.repeat {
        let (p50, p99) = index.latency(&archive, &q, n)?;
        eprintln!("repeat {n} p50_us {p50:.0} p99_us {p99:.0}");
    }
    for h in &hits {
        match args.json {
            true => json::line(&mut out, &SearchItem::from(h))?,
            false => listing::search_hit(&mut out, h, env.color)?,
        }
    }
    if hits.is_empty() && env.notes && !args.json {
        eprintln!("vellum: {}", listing::no_hits(q.all_versions));
    }
    Ok(Exit::Ok)
}
