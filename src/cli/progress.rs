//! Progress on stderr for work that takes more than about a second (batch
//! imports, verify, reindex). Only on a terminal, never with `--quiet`, and
//! only once a second has passed, so quick commands stay silent. The line is
//! redrawn in place and erased when the work ends.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::env::Env;

/// Work shorter than this shows no progress at all.
const QUIET_FOR: Duration = Duration::from_secs(1);
/// Redraws at most this often.
const REDRAW: Duration = Duration::from_millis(100);

/// Draws `vellum: TEXT` over the progress line (empty: erases it).
fn draw(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = match text {
        "" => write!(err, "\r\x1b[2K"),
        _ => write!(err, "\r\x1b[2Kvellum: {text}"),
    };
    let _ = err.flush();
}

/// A counter of known work: `vellum: LABEL DONE/TOTAL`; it draws only when
/// `env` allows progress (stderr is a terminal and `--quiet` is off).
pub struct Progress {
    on: bool,
    label: String,
    start: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub fn new(env: &Env, label: impl Into<String>) -> Progress {
        let (on, label, start) = (env.progress, label.into(), Instant::now());
        Progress {
            on,
            label,
            start,
            last: None,
        }
    }

    /// `done` of `total` units are done (`total` 0: unknown).
    pub fn update(&mut self, done: usize, total: usize) {
        let now = Instant::now();
        let early = self.last.is_some_and(|l| now - l < REDRAW) && done != total;
        if !self.on || self.start.elapsed() < QUIET_FOR || early {
            return;
        }
        self.last = Some(now);
        match total {
            0 => draw(&format!("{} {done}", self.label)),
            _ => draw(&format!("{} {done}/{total}", self.label)),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.last.is_some() {
            draw("");
        }
    }
}

/// Work in named steps: a [`Progress`] for each step in turn.
pub struct Steps<'a> {
    env: &'a Env,
    current: Option<(String, Progress)>,
}

impl<'a> Steps<'a> {
    pub fn new(env: &'a Env) -> Steps<'a> {
        Steps { env, current: None }
    }

    /// `done` of `total` units of `step` are done.
    pub fn update(&mut self, step: &str, done: usize, total: usize) {
        if self.current.as_ref().is_none_or(|(s, _)| s != step) {
            self.current = Some((step.to_owned(), Progress::new(self.env, step)));
        }
        if let Some((_, p)) = self.current.as_mut() {
            p.update(done, total);
        }
    }
}

/// Work of unknown length (the store gives no callbacks): a thread shows
/// `vellum: LABEL… Ns` from the first second until the spinner is dropped.
pub struct Spinner {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<bool>>,
}

impl Spinner {
    pub fn start(env: &Env, label: impl Into<String>) -> Spinner {
        let stop = Arc::new(AtomicBool::new(false));
        let (label, flag) = (label.into(), Arc::clone(&stop));
        let spin = move || {
            let (start, mut frame) = (Instant::now(), 0);
            while !flag.load(Ordering::Acquire) {
                std::thread::park_timeout(REDRAW);
                let elapsed = start.elapsed();
                if !flag.load(Ordering::Acquire) && elapsed >= QUIET_FOR {
                    let (f, secs) = (['|', '/', '-', '\\'][frame % 4], elapsed.as_secs());
                    draw(&format!("{label}… {f} {secs}s"));
                    frame += 1;
                }
            }
            frame > 0
        };
        let thread = env.progress.then(|| std::thread::spawn(spin));
        Spinner { stop, thread }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            t.thread().unpark();
            if t.join().unwrap_or(false) {
                draw("");
            }
        }
    }
}
