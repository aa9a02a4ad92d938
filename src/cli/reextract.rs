//! `vellum reextract [DOC...]`

use vellum::advice::Worded;
use vellum::capture::reextract::{find_due, stage_superseding};
use vellum::capture::{self, AddedItem};
use vellum::render::{json, reports};
use vellum::store::Archive;

use super::env::{CliError, Env, Exit};
use super::progress::{Progress, Spinner};

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/reextract.txt"))]
pub struct ReextractArgs {
    /// Documents (names or URLs) to read again [default: every document]
    #[arg(value_name = "DOC")]
    docs: Vec<String>,
    /// List the captures that would get a new record; archive nothing
    #[arg(long)]
    dry_run: bool,
    /// One JSON object per line
    #[arg(long)]
    json: bool,
}

pub fn run_reextract(env: &Env, args: ReextractArgs) -> Result<Exit, CliError> {
    // A dry run reads only; a real one may first upgrade an older catalog.
    let archive = match args.dry_run {
        true => env.open()?,
        false => Archive::open_writable(&env.store)?.0,
    };
    // Names or URLs; an unknown one gets "did you mean".
    let docs: Vec<_> = args
        .docs
        .iter()
        .map(|d| archive.document(d))
        .collect::<Result<_, _>>()?;
    let mut progress = Progress::new(env, "reading HTML captures again");
    let found = find_due(&archive, &docs, &mut |n, total| progress.update(n, total))?;
    drop(progress);
    reports::reextract_notes(&found)
        .iter()
        .for_each(|n| eprintln!("vellum: {n}"));
    let due = found.due;
    let mut out = std::io::stdout().lock();
    if args.dry_run || due.is_empty() {
        for d in &due {
            json::or_text(&mut out, args.json, &d.item(), reports::due)?;
        }
        if env.notes {
            let said = reports::reextract_nothing(due.len(), args.dry_run);
            eprintln!("vellum: {said}");
        }
        return Ok(Exit::Ok);
    }
    let olds: Vec<_> = due.iter().map(|d| d.old).collect();
    let mut writer = super::write::writer(env, &archive)?;
    stage_superseding(&mut writer, due)
        .map_err(|e| CliError::new(format!("{}; nothing was archived", e.message())))?;
    let spinner = Spinner::start(env, format!("committing {} capture(s)", olds.len()));
    let committed = capture::commit(writer)?;
    drop(spinner);
    for (c, old) in committed.iter().zip(&olds) {
        let item = AddedItem {
            supersedes: Some(old.to_string()),
            ..AddedItem::new(c)
        };
        json::or_text(&mut out, args.json, &item, reports::reextracted)?;
    }
    drop(out);
    super::write::catch_up(env, &archive, false);
    Ok(Exit::Ok)
}
