//! Progress on stderr for work that takes more than about a second (batch
//! imports, verify, reindex). Only on a terminal, never with `--quiet`, and
//! only once a second has passed, so quick commands stay silent. The line is
//! redrawn in place and erased when the work ends; what it says and when is
//! [`vellum::render::progress`]'s.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use vellum::render::progress::{self, Meter, REDRAW};

use super::env::Env;

/// Draws `vellum: TEXT` over the progress line on stderr (empty: erases it).
fn draw(text: &str) {
    let _ = progress::draw(&mut std::io::stderr().lock(), text);
}

/// A counter of known work: `vellum: LABEL DONE/TOTAL`; it draws only when
/// `env` allows progress (stderr is a terminal and `--quiet` is off).
pub struct Progress {
    on: bool,
    meter: Meter,
}

impl Progress {
    pub fn new(env: &Env, label: impl Into<String>) -> Progress {
        let meter = Meter::new(label, Instant::now());
        Progress {
            on: env.progress,
            meter,
        }
    }

    /// `done` of `total` units are done (`total` 0: unknown).
    pub fn update(&mut self, done: usize, total: usize) {
        if self.on
            && let Some(line) = self.meter.tick(Instant::now(), done, total)
        {
            draw(&line);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.meter.drawn() {
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
                let line = progress::spinner(&label, frame, start.elapsed());
                if let Some(line) = line.filter(|_| !flag.load(Ordering::Acquire)) {
                    draw(&line);
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
