//! `vellum show ADDR`

use std::io::Write;

use vellum::advice::NotText;
use vellum::query::items::{RecordItem, TextItem};
use vellum::query::{self, Content, batch};
use vellum::render::json;

use super::env::{CliError, Env, Exit};
use super::pager;

#[derive(clap::Args, Debug)]
#[command(after_help = concat!(
    "ADDR is one of:\n",
    include_str!("../../docs/manual/addresses.txt"),
    include_str!("../../docs/manual/show.txt")
))]
pub struct ShowArgs {
    /// DOC, DOC@N, DOC@-K, DOC@TIME, a capture id (8+ hex digits), URL or URL@N, URL@-K, URL@TIME
    #[arg(required_unless_present = "batch")]
    addr: Option<String>,
    /// Read addresses from stdin, one per line (one process for many reads)
    #[arg(long, conflicts_with_all = ["addr", "meta"])]
    batch: bool,
    /// Print the capture record (JSON) instead of the text
    #[arg(long, conflicts_with = "raw")]
    meta: bool,
    /// Print the captured bytes exactly, even when they are not UTF-8 text
    #[arg(long)]
    raw: bool,
    /// One JSON object: capture, doc, version, label and text (with --meta: the record)
    #[arg(long, conflicts_with_all = ["raw", "batch"])]
    json: bool,
}

impl ShowArgs {
    /// `show ADDR` with `--meta`, `--raw` or `--json` that do not conflict
    /// ([`super::parse::Plain`]).
    pub(super) fn plain(line: &super::parse::Plain) -> Option<ShowArgs> {
        let [meta, raw, json] = line.flags(["--meta", "--raw", "--json"])?;
        let [addr] = line.operands[..] else {
            return None;
        };
        (!(raw && (meta || json))).then(|| ShowArgs {
            addr: Some(addr.to_owned()),
            batch: false,
            meta,
            raw,
            json,
        })
    }
}

pub fn run_show(env: &Env, args: ShowArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let content = if args.raw {
        Content::Raw
    } else {
        Content::Text
    };
    let now = super::env::clock();
    if args.batch {
        let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin().lock());
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        batch::answer(&archive, &mut input, &mut out, content, now)?;
        return Ok(Exit::Ok);
    }
    let addr_text = args
        .addr
        .as_deref()
        .expect("clap requires ADDR without --batch");
    let mut out = pager::output(env);
    if args.meta {
        let addr = super::env::anchored(addr_text).parse()?;
        let (r, rec) = query::record(&archive, &addr)?;
        let story = query::story_of(&archive, &r.doc);
        let mut item = RecordItem::new(&r, rec, story.as_ref());
        item.warc_notes = vellum::warc::importer::capture_notes(&archive, &r.capture)?;
        vellum::render::json::pretty(&mut out, &item)?;
        return Ok(Exit::Ok);
    }
    let query::Shown {
        resolved: r, bytes, ..
    } = batch::read_typed(&archive, addr_text, content, now)?;
    let Ok(text) = std::str::from_utf8(&bytes) else {
        if args.raw {
            out.write_all(&bytes)?;
            out.flush()?;
            return Ok(Exit::Ok);
        }
        let (label, bytes, addr) = (r.label.as_str(), bytes.len(), addr_text);
        return Err(NotText { label, bytes, addr }.into());
    };
    if args.json {
        json::line(&mut out, &TextItem::new(&r, text))?;
    } else {
        out.write_all(&bytes)?;
    }
    out.flush()?;
    super::env::done_reading(archive);
    Ok(Exit::Ok)
}
