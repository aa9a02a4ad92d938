//! `vellum recheck DOC|URL... | --all | --due`, and what `watch` shares
//! with it: the check flags, their settings and the printing of checks.

use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use vellum::capture::HttpFetcher;
use vellum::monitor::notify::Delivered;
use vellum::monitor::{Asked, Checks, Lease, RoundEvent, RoundSettings, Selection};

use super::env::{CliError, Env, Exit, clock};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(after_help = include_str!("../../docs/manual/recheck.txt"))]
pub struct RecheckArgs {
    /// Documents (names or URLs) to check now
    #[arg(value_name = "DOC|URL", required_unless_present_any = ["all", "due"])]
    docs: Vec<String>,
    /// Check every document that has a URL
    #[arg(long, conflicts_with_all = ["docs", "due"])]
    all: bool,
    /// Check only the documents the schedule says are due
    #[arg(long, conflicts_with = "docs")]
    due: bool,
    #[command(flatten)]
    pub check: CheckArgs,
}

/// How checks are made and told: shared by `recheck` and `watch`.
#[derive(clap::Args, Debug, Clone)]
pub struct CheckArgs {
    /// Pause between two requests to one host (plus up to half as much jitter)
    #[arg(long, value_name = "DURATION", default_value = "1s", value_parser = vellum::when::parse_duration)]
    pub delay: Duration,
    /// Seconds allowed for fetching each page
    #[arg(long, default_value_t = 60, value_name = "SECS")]
    pub timeout: u64,
    /// Fetch pages that robots.txt forbids (robots.txt and its Crawl-delay are obeyed by default)
    #[arg(long)]
    pub ignore_robots: bool,
    /// POST a JSON message to URL for each new version or page taken down (repeatable;
    /// also $VELLUM_NOTIFY_URL). Signed with HMAC-SHA256 in X-Vellum-Signature when
    /// $VELLUM_NOTIFY_SECRET is set
    #[arg(long, value_name = "URL")]
    pub notify: Vec<String>,
    /// Run CMD (through sh -c) with the same JSON on standard input (repeatable)
    #[arg(long, value_name = "CMD")]
    pub notify_command: Vec<String>,
    /// Only notify changes whose significance score is at least X (0 to 1)
    #[arg(long, value_name = "X")]
    pub min_score: Option<f64>,
    /// The web view's address (`vellum serve`), for a link to each diff in the messages
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Notify a change back to one of the document's last 5 texts too
    #[arg(long)]
    pub notify_flip_flops: bool,
    /// One JSON object per line for each check
    #[arg(long)]
    pub json: bool,
}

/// Checks the documents asked (the library's round), printing each check
/// once acknowledged, lets the derived indexes catch up, then delivers the
/// notifications queued (and any left from earlier runs).
pub fn run_recheck(env: &Env, args: RecheckArgs) -> Result<Exit, CliError> {
    let settings = round_settings(&args.check)?;
    let archive = env.open()?;
    let lease = Lease::take(&archive)?;
    let which = match (args.all, args.due) {
        (true, _) => Selection::All,
        (_, true) => Selection::Due,
        _ => Selection::Docs(&args.docs),
    };
    let targets = vellum::monitor::select(&archive, which, clock())?;
    let stop = AtomicBool::new(false);
    let round = Checks {
        archive: &archive,
        settings: &settings,
        lease: Some(&lease),
        stop: &stop,
        clock: &clock,
    };
    let mut printer = Printer::new(env, args.check.json, &stop);
    let checked = round.run(&mut HttpFetcher, &targets, &mut |e| printer.check(e));
    printer.finish()?;
    checked?;
    if !targets.is_empty() {
        super::write::catch_up(env, &archive, false);
    }
    if let Some(d) = round.deliver()? {
        tell_delivered(env, &d);
    }
    Ok(Exit::Ok)
}

/// The round's settings from the flags, then the environment.
pub fn round_settings(a: &CheckArgs) -> Result<RoundSettings, CliError> {
    let asked = Asked {
        delay: a.delay,
        timeout: a.timeout,
        robots: !a.ignore_robots,
        webhooks: a.notify.clone(),
        commands: a.notify_command.clone(),
        secret: None,
        min_score: a.min_score,
        base_url: a.base_url.clone(),
        notify_flip_flops: a.notify_flip_flops,
    };
    Ok(RoundSettings::asked(
        asked.with_env(|v| std::env::var(v).ok()),
    )?)
}

/// Prints what a round tells as it goes (`recheck`'s checks, `watch`'s
/// items and checks), with a progress line. Output that fails (a closed
/// pipe) stops the round: what it did is committed, then the error is the
/// command's ([`Printer::finish`]).
pub struct Printer<'e> {
    pub env: &'e Env,
    json: bool,
    stop: &'e AtomicBool,
    pub progress: Option<Progress>,
    failed: Option<CliError>,
}

impl<'e> Printer<'e> {
    pub fn new(env: &'e Env, json: bool, stop: &'e AtomicBool) -> Self {
        Printer {
            env,
            json,
            stop,
            progress: None,
            failed: None,
        }
    }

    /// Prints on stdout (`print(out, json)`), unless an earlier print
    /// failed; a failure stops the round.
    pub fn print(&mut self, print: impl FnOnce(&mut dyn Write, bool) -> std::io::Result<()>) {
        if self.failed.is_none()
            && let Err(e) = print(&mut std::io::stdout().lock(), self.json)
        {
            self.failed = Some(e.into());
            self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// A check round's event: `DOC OUTCOME DETAIL` or the JSON report.
    pub fn check(&mut self, e: RoundEvent<'_>) {
        match e {
            RoundEvent::Waiting => super::write::waiting(self.env),
            RoundEvent::Checked(r) => self.print(|out, json| {
                vellum::render::json::or_text(out, json, r, vellum::render::monitor::check)
            }),
            RoundEvent::Progress { done, total } => {
                let env = self.env;
                let p = self
                    .progress
                    .get_or_insert_with(|| Progress::new(env, "checking documents"));
                p.update(done, total);
            }
        }
    }

    /// Erases the progress line; the output's error, if any.
    pub fn finish(&mut self) -> Result<(), CliError> {
        self.progress = None;
        self.failed.take().map_or(Ok(()), Err)
    }
}

/// How the delivery went; failures are reported, never fatal.
pub fn tell_delivered(env: &Env, d: &Delivered) {
    let (note, given_up) = vellum::render::monitor::delivered(d);
    note.filter(|_| env.notes)
        .iter()
        .for_each(|n| eprintln!("vellum: {n}"));
    given_up
        .iter()
        .for_each(|g| eprintln!("vellum: warning: {g}"));
}
