//! `vellum export --warc OUT.warc.gz [DOC|ADDR...]`, `vellum export --pywb DIR`

use std::path::PathBuf;

use vellum::warc::exporter::{Request, export};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/export.txt"))]
#[command(group(clap::ArgGroup::new("out").required(true).multiple(true).args(["warc", "pywb"])))]
pub struct ExportArgs {
    /// Output file (WARC/1.1, gzip per record)
    #[arg(long, value_name = "OUT.warc.gz")]
    warc: Option<PathBuf>,
    /// Also (or instead) write a pywb collection into DIR (archive/ and indexes/)
    #[arg(long, value_name = "DIR")]
    pywb: Option<PathBuf>,
    /// Documents (every capture), versions (DOC@N) or capture ids [default: all]
    addrs: Vec<String>,
    /// Write every intact capture and list the damaged ones (exit 1) instead of refusing
    #[arg(long)]
    skip_damaged: bool,
}

pub fn run_export(env: &Env, args: ExportArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let addrs: Vec<String> = args.addrs.iter().map(|a| super::env::anchored(a)).collect();
    let request = Request {
        addrs: &addrs,
        warc: args.warc.as_deref(),
        pywb: args.pywb.as_deref(),
        skip_damaged: args.skip_damaged,
        now: time::OffsetDateTime::now_utc(),
    };
    let done = export(&archive, &request)?;
    let (notes, skipped) = vellum::render::reports::exported(&done, args.warc.as_deref());
    let notes = notes.iter().filter(|_| env.notes);
    notes.chain(&skipped).for_each(|n| eprintln!("vellum: {n}"));
    Ok(Exit::found(done.skipped > 0))
}
