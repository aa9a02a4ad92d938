//! Long output through a pager, as git does: `$VELLUM_PAGER`, else `$PAGER`,
//! else `less -FRX` (which exits at once when the text fits the screen). Only
//! when stdout is a terminal and `--no-pager` is not given; piped output is
//! never paged. A pager set to the empty string or `cat` means no pager.
//!
//! Commands get their writer from [`output`] and write to it as to stdout.

use std::ffi::OsStr;
use std::io::{self, BufWriter, Write};
use std::process::{Child, ChildStdin, Command, Stdio};

use super::env::Env;

/// The default pager: `-F` quits if one screen holds it all, `-R` passes
/// colors through, `-X` leaves the text on the screen afterwards.
pub const DEFAULT_PAGER: &str = "less -FRX";

/// The pager command to run, from `$VELLUM_PAGER` and `$PAGER` (in that
/// order; a variable set to anything, even empty, wins over the next one).
/// `None` when the chosen one is empty or `cat`.
pub fn pager_command(vellum_pager: Option<&OsStr>, pager: Option<&OsStr>) -> Option<String> {
    let chosen = vellum_pager
        .or(pager)
        .map(|p| p.to_string_lossy().trim().to_owned());
    let chosen = chosen.unwrap_or_else(|| DEFAULT_PAGER.to_owned());
    (!chosen.is_empty() && chosen != "cat").then_some(chosen)
}

/// Where a command writes its output: stdout, or a pager's input.
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    Pager {
        stdin: Option<BufWriter<ChildStdin>>,
        child: Child,
    },
}

/// The writer for a command's output: a pager when `env` says output may be
/// paged (stdout is a terminal, no `--no-pager`) and a pager can be started,
/// buffered stdout otherwise.
pub fn output(env: &Env) -> Output {
    let var = |name: &str| std::env::var_os(name);
    let (vellum_pager, pager) = (var("VELLUM_PAGER"), var("PAGER"));
    let cmd = env
        .page
        .then(|| pager_command(vellum_pager.as_deref(), pager.as_deref()));
    match cmd.flatten().and_then(|cmd| spawn(&cmd)) {
        Some(out) => out,
        None => Output::Stdout(BufWriter::new(io::stdout())),
    }
}

fn spawn(cmd: &str) -> Option<Output> {
    let mut c = if cfg!(windows) {
        let mut parts = cmd.split_whitespace();
        let mut c = Command::new(parts.next()?);
        c.args(parts);
        c
    } else {
        // Through the shell, as git does, so `PAGER='less -S'` works.
        let mut c = Command::new("sh");
        c.arg("-c").arg(cmd);
        c
    };
    // What git sets for less and lv when the user has not.
    for (name, value) in [("LESS", "FRX"), ("LV", "-c")] {
        if std::env::var_os(name).is_none() {
            c.env(name, value);
        }
    }
    let mut child = c.stdin(Stdio::piped()).spawn().ok()?;
    ignore_interrupts();
    let stdin = child.stdin.take().map(BufWriter::new);
    Some(Output::Pager { stdin, child })
}

/// Ctrl-C on a terminal reaches vellum and the pager alike. The pager
/// handles it (less stops what it is doing); vellum must not die under it
/// and hand the terminal back to the shell while the pager still reads it.
/// It ends when the pager closes its input (a broken pipe), as git does.
/// Set after the pager is started, so the pager does not inherit it.
fn ignore_interrupts() {
    #[cfg(unix)]
    // SAFETY: installs the predefined SIG_IGN disposition; no handler code runs.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::Pager { stdin: Some(w), .. } => w.write(buf),
            Output::Pager { stdin: None, .. } => Err(io::ErrorKind::BrokenPipe.into()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::Pager { stdin, .. } => stdin.as_mut().map_or(Ok(()), |w| w.flush()),
        }
    }
}

impl Drop for Output {
    /// Hands the rest to the pager and waits for the reader to quit it, so
    /// the shell prompt does not come back under the pager.
    fn drop(&mut self) {
        match self {
            Output::Stdout(w) => {
                let _ = w.flush();
            }
            Output::Pager { stdin, child } => {
                if let Some(mut w) = stdin.take() {
                    let _ = w.flush();
                }
                let _ = child.wait();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_choice_follows_git() {
        fn s(x: &str) -> Option<&OsStr> {
            Some(OsStr::new(x))
        }
        assert_eq!(pager_command(None, None).as_deref(), Some("less -FRX"));
        assert_eq!(pager_command(None, s("more")).as_deref(), Some("more"));
        assert_eq!(
            pager_command(s("most -s"), s("more")).as_deref(),
            Some("most -s")
        );
        // Set but empty, or cat: no pager, and $PAGER is not consulted.
        assert_eq!(pager_command(s(""), s("more")), None);
        assert_eq!(pager_command(s("cat"), None), None);
        assert_eq!(pager_command(None, s(" cat ")), None);
    }
}
