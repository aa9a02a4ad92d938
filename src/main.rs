//! The `vellum` binary: parse arguments, resolve the environment once, call
//! the library, map errors to exit codes (0 ok, 1 differences/damage, 2 error).

// On Linux with glibc the process starts at our own C `main` (below), not
// at the standard library's runtime start (#29): see `main`.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

mod cli;

// The unwinder from libgcc_eh.a, linked in, instead of libgcc_s.so.1 loaded
// at every start (#29; see build.rs). Named here, by the binary, it comes on
// the link line before the standard library's `-lgcc_s`, which then resolves
// nothing and is dropped (`--as-needed`). A static build (`+crt-static`)
// links it already.
#[cfg(all(vellum_static_unwinder, not(target_feature = "crt-static")))]
#[link(name = "gcc_eh", kind = "static")]
unsafe extern "C" {}

/// The process's entry point on Linux with glibc, in place of the standard
/// library's runtime start, which spends about a twentieth of a short
/// command (`show`: 100,000 of 1.84 million instructions, and five system
/// calls) finding the main thread's stack guard: glibc reads and parses
/// `/proc/self/maps` for it. What that start does that vellum needs is done
/// here: standard descriptors that are closed are opened on /dev/null (so
/// that no file vellum opens becomes fd 1 and takes its output), SIGPIPE is
/// ignored (a closed pipe is an error vellum handles), a panic prints its
/// message and exits 101, and `std::process::exit` flushes stdout. The
/// arguments are read as always (glibc hands them to the standard library
/// at load time). Not done: the handler that names a stack overflow, which
/// now ends as a plain segmentation fault.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    standard_start();
    let code = std::panic::catch_unwind(run).unwrap_or(101);
    std::process::exit(code.into())
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}

/// At most two glibc malloc arenas (heaps) instead of up to eight per core.
/// Each thread that allocates otherwise gets a heap of its own, and what
/// one thread's heap freed serves no other: in a corpus ingest the search
/// index's catch-up, on a second thread beside the other indexes', grew a
/// 12 MB heap of its own beside the main heap. Measured on bench.sh's
/// batch (issue #23, static builds, 6 interleaved rounds): peak RSS
/// 38.9-40.1 -> 34.6-35.3 MB; the price, wall time 2.79 -> 3.12 s
/// (medians; the threads then share a heap's lock). One arena cost more
/// (0.3-0.5 s of system time); three saved nothing. Not for `serve`, whose
/// request threads (one per core) would all wait on two heaps' locks.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
fn two_malloc_arenas() {
    // SAFETY: sets a glibc malloc parameter; called before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn two_malloc_arenas() {}

/// What the standard library's start does that vellum relies on (see `main`).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
fn standard_start() {
    // SAFETY: plain system calls on the three standard descriptors, before
    // any thread exists, with a valid array for poll and a NUL-terminated
    // path; as the standard library does (`sys::pal::unix::init`).
    unsafe {
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        let polled = libc::poll(fds.as_mut_ptr(), 3, 0) != -1;
        for p in &fds {
            let closed = if polled {
                p.revents & libc::POLLNVAL != 0
            } else {
                libc::fcntl(p.fd, libc::F_GETFD) == -1
            };
            // The lowest free descriptor: this one, the lower ones being open.
            if closed && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1 {
                // No descriptor can be made safe: stop before opening anything.
                libc::abort();
            }
        }
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// Runs the command line; the exit code (0 ok, 1 found, 2 error).
fn run() -> u8 {
    small_sqlite_start();
    // Help, the version and clap's errors print and exit as clap does.
    let args = cli::try_parse(std::env::args_os().collect()).unwrap_or_else(|e| e.exit());
    if !args.serves() {
        two_malloc_arenas();
    }
    let result = cli::run(args);
    // Requests made to object storage, for benchmarks and the curious.
    if std::env::var_os("VELLUM_S3_STATS").is_some_and(|v| v == "1")
        && let Some(stats) = vellum::store::s3::process_stats()
    {
        eprintln!("vellum: s3 {stats}");
    }
    match result {
        Ok(code) => code as u8,
        Err(e) => {
            // A closed pipe (`vellum show … | head`) is not an error worth a message.
            if e.is_broken_pipe() {
                return 0;
            }
            eprintln!("vellum: {e}");
            e.exit() as u8
        }
    }
}

/// Makes SQLite's per-process set-up small (#29: `show`'s start-up). By
/// default every connection gets a 120 KB lookaside buffer and every page
/// cache a 20-page bulk allocation, both written through (a free list) as
/// soon as they are made: about 50 of `show`'s 270 page faults, for a
/// command that reads a dozen catalog pages. A 16 KB lookaside and page
/// buffers allocated as pages are read cost those commands nothing
/// measurable that do more (`add`, `serve`: the allocator serves the rest).
/// Memory statistics are off: vellum never reads them, and keeping them
/// takes a global mutex around every allocation SQLite makes (80,000 of
/// `show`'s 1.98 million instructions, counted with callgrind).
/// Must run before the first connection; a failure (SQLite already
/// initialized) only leaves the defaults.
fn small_sqlite_start() {
    use rusqlite::ffi;
    use std::ffi::c_int;
    // SAFETY: called first thing in `main`, before any thread or SQLite
    // connection exists; both options take plain integers (and a null
    // buffer) as SQLite documents for `sqlite3_config`.
    let (slot, slots, none): (c_int, c_int, c_int) = (512, 32, 0);
    unsafe {
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_LOOKASIDE, slot, slots);
        ffi::sqlite3_config(
            ffi::SQLITE_CONFIG_PAGECACHE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            none,
            none,
        );
        ffi::sqlite3_config(ffi::SQLITE_CONFIG_MEMSTATUS, none);
    }
}
