//! `vellum recheck DOC|URL... | --all | --due`, and the check round that
//! `watch` runs after its feeds.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use vellum::capture::{HttpFetcher, Options};
use vellum::monitor::notify::{self, NotifyConfig};
use vellum::monitor::outbox::{Destination, Outbox};
use vellum::monitor::{
    Batch, CheckReport, Lease, Monitor, MonitorError, Outcome, Policy, Politeness, Schedule,
    Settings, Target,
};
use vellum::store::Archive;

use super::env::{CliError, Env, Exit, store_message};
use super::progress::Progress;

#[derive(clap::Args, Debug)]
#[command(after_help = "Examples:
  vellum recheck south-front https://example.org/news/a   (these, now, whatever the schedule)
  vellum recheck --due                                     (what the schedule says is due)
  vellum recheck --all --notify https://hooks.example/vellum

Each check fetches the document's URL (a conditional GET with the validators of its latest
capture) and is kept in the store as a check record, whatever it found: unchanged (a sighting
is archived), changed (a new version is archived, exactly as `vellum add URL` would), 304 not
modified, redirected elsewhere, gone (404/410), another status, a failed fetch, text vanished
(an error page or paywall), or blocked by robots.txt. Prints one line per check:
`DOC OUTCOME DETAIL`. The next check of each document backs off while its page stays the same
(15 minutes doubling up to 30 days) and returns to 15 minutes after a change (`vellum schedule`
shows and sets it). A text equal to one of the document's last 5 texts is a flip-flop: archived
as a version, marked `returns to @N`, not notified unless --notify-flip-flops.

Exits 0 when the checks ran, whatever the pages answered; 2 for bad input, a store error, or
another monitor running on the store.")]
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

pub fn run_recheck(env: &Env, args: RecheckArgs) -> Result<Exit, CliError> {
    let cfg = notify_config(&args.check)?;
    let archive = env.open()?;
    let lease = Lease::take(&archive).map_err(monitor_error)?;
    let schedule = Schedule::open(&archive, Policy::default()).map_err(monitor_error)?;
    let (_, settings) = Settings::load(&archive)?;
    let now = super::env::clock();
    let targets = if args.all {
        let all = schedule.all(&settings).map_err(monitor_error)?;
        all.iter()
            .map(vellum::monitor::target_of)
            .collect::<Result<Vec<_>, _>>()
    } else if args.due {
        let due = schedule
            .due(now, &settings, usize::MAX)
            .map_err(monitor_error)?;
        due.iter().map(vellum::monitor::target_of).collect()
    } else {
        vellum::monitor::targets(&archive, &schedule, &settings, &args.docs)
    }
    .map_err(monitor_error)?;
    drop(schedule);
    let stop = AtomicBool::new(false);
    run_checks(
        env,
        &archive,
        &targets,
        &args.check,
        &cfg,
        &stop,
        Some(&lease),
    )?;
    Ok(Exit::Ok)
}

pub fn monitor_error(e: MonitorError) -> CliError {
    let message = match &e {
        MonitorError::Store(s) => store_message(s),
        MonitorError::Busy(_) => format!("{e}; wait for it to finish, or stop it"),
        MonitorError::Held(_) => format!(
            "{e}; wait for it to finish, or stop it (the lease of a monitor that crashed \
             lapses once not refreshed for the lease time, VELLUM_LEASE_SECS or 120 s, \
             plus 5 minutes)"
        ),
        MonitorError::Index { .. } => {
            format!("{e}; it is a cache: delete it and it is rebuilt from the store")
        }
        _ => e.to_string(),
    };
    CliError::with_kind(e.kind(), message)
}

/// The notification targets: flags, then the environment.
pub fn notify_config(a: &CheckArgs) -> Result<NotifyConfig, CliError> {
    let mut hooks = a.notify.clone();
    if let Ok(u) = std::env::var("VELLUM_NOTIFY_URL")
        && !u.is_empty()
    {
        hooks.push(u);
    }
    let mut destinations = Vec::new();
    for h in hooks {
        match url::Url::parse(&h) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {
                destinations.push(Destination::Webhook(h))
            }
            _ => {
                return Err(CliError::new(format!(
                    "--notify {h:?} is not an http(s) URL: give the webhook's address"
                )));
            }
        }
    }
    destinations.extend(a.notify_command.iter().cloned().map(Destination::Command));
    if let Some(m) = a.min_score
        && !(0.0..=1.0).contains(&m)
    {
        return Err(CliError::new(format!(
            "--min-score {m} is not between 0 and 1"
        )));
    }
    Ok(NotifyConfig {
        destinations,
        secret: std::env::var("VELLUM_NOTIFY_SECRET")
            .ok()
            .filter(|s| !s.is_empty()),
        base_url: a.base_url.clone(),
        min_score: a.min_score,
        timeout: a.timeout,
    })
}

/// Checks `targets` one after another, printing each, then delivers the
/// notifications queued (and any left from earlier runs). Stops, after
/// committing the checks taken, if the monitor's `lease` is lost.
pub fn run_checks(
    env: &Env,
    archive: &Archive,
    targets: &[Target],
    a: &CheckArgs,
    cfg: &NotifyConfig,
    stop: &AtomicBool,
    lease: Option<&Lease>,
) -> Result<(), CliError> {
    let mut fetcher = HttpFetcher;
    let options = Options {
        fetch: super::web::fetch_config(a.timeout),
        ..Options::default()
    };
    let mut m = Monitor::new(&mut fetcher, options);
    m.politeness = Politeness {
        delay: a.delay,
        jitter: a.delay / 2,
        robots: !a.ignore_robots,
    };
    m.notify_flip_flops = a.notify_flip_flops;
    let outbox = Outbox::open(archive.dir()).map_err(monitor_error)?;
    if !cfg.destinations.is_empty() {
        m.outbox = Some((
            Outbox::open(archive.dir()).map_err(monitor_error)?,
            cfg.destinations.clone(),
        ));
    }
    let mut progress = Progress::new(env, "checking documents");
    let notes = env.notes;
    let mut out = std::io::stdout().lock();
    // Checks are committed in batches (`Monitor::batch_checks`,
    // `batch_time`); each is printed once acknowledged.
    let mut batch = Batch::default();
    for (i, t) in targets.iter().enumerate() {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        if let Some(lost) = lease.and_then(|l| l.ensure_held().err()) {
            for r in &m.commit(&mut batch).map_err(monitor_error)? {
                print_check(&mut out, r, a.json)?;
            }
            return Err(monitor_error(lost));
        }
        let done = m
            .stage(
                &mut batch,
                archive,
                t,
                super::env::clock(),
                stop,
                &mut || {
                    if notes {
                        eprintln!("vellum: waiting for another writer to finish…");
                    }
                },
            )
            .map_err(monitor_error)?;
        for r in &done {
            print_check(&mut out, r, a.json)?;
        }
        progress.update(i + 1, targets.len());
    }
    for r in &m.commit(&mut batch).map_err(monitor_error)? {
        print_check(&mut out, r, a.json)?;
    }
    drop(progress);
    drop(out);
    if targets.iter().len() > 0 {
        super::write::catch_up(env, archive, false);
    }
    deliver(env, archive, &outbox, cfg)
}

/// Delivers what the outbox holds; failures are reported, never fatal.
pub fn deliver(
    env: &Env,
    archive: &Archive,
    outbox: &Outbox,
    cfg: &NotifyConfig,
) -> Result<(), CliError> {
    if outbox.pending().map_err(monitor_error)?.is_empty() {
        return Ok(());
    }
    let d =
        notify::deliver(archive, outbox, cfg, None, super::env::clock()).map_err(monitor_error)?;
    if env.notes && (d.sent > 0 || d.retried > 0) {
        eprintln!(
            "vellum: notifications: {} sent, {} to retry{}",
            d.sent,
            d.retried,
            if d.dropped > 0 {
                format!(", {} below --min-score", d.dropped)
            } else {
                String::new()
            }
        );
    }
    for g in &d.given_up {
        eprintln!("vellum: warning: notification {g}; given up (kept in outbox/failed/)");
    }
    Ok(())
}

/// `DOC OUTCOME DETAIL`, or the JSON report.
fn print_check(out: &mut dyn Write, r: &CheckReport, json: bool) -> Result<(), CliError> {
    if json {
        return super::common::json_line(out, r);
    }
    let detail = match r.outcome {
        Outcome::Changed | Outcome::Unchanged => r.capture.as_ref().map(|c| {
            let mut s = format!("@{} {}", c.version, &c.capture[..12]);
            if let (Some(a), Some(d)) = (c.added, c.removed) {
                s.push_str(&format!(" +{a} -{d} words"));
            }
            if let Some(n) = r.returns_to {
                s.push_str(&format!(" (returns to @{n})"));
            }
            s
        }),
        Outcome::Redirected => r.location.as_ref().map(|l| format!("to {l}")),
        Outcome::Gone | Outcome::Status | Outcome::NotModified => {
            r.status.map(|s| format!("HTTP {s}"))
        }
        Outcome::Failed | Outcome::Vanished | Outcome::Blocked => r.error.clone(),
    };
    writeln!(
        out,
        "{} {} {}",
        r.doc,
        r.outcome,
        detail.unwrap_or_default().trim_end()
    )?;
    Ok(())
}
