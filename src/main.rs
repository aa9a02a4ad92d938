//! The `vellum` binary: parse arguments, resolve the environment once, call
//! the library, map errors to exit codes (0 ok, 1 differences/damage, 2 error).

mod cli;

use std::process::ExitCode;

// The unwinder from libgcc_eh.a, linked in, instead of libgcc_s.so.1 loaded
// at every start (#29; see build.rs). Named here, by the binary, it comes on
// the link line before the standard library's `-lgcc_s`, which then resolves
// nothing and is dropped (`--as-needed`). A static build (`+crt-static`)
// links it already.
#[cfg(all(vellum_static_unwinder, not(target_feature = "crt-static")))]
#[link(name = "gcc_eh", kind = "static")]
unsafe extern "C" {}

fn main() -> ExitCode {
    small_sqlite_start();
    // Help, the version and clap's errors print and exit as clap does.
    let args = cli::try_parse(std::env::args_os().collect()).unwrap_or_else(|e| e.exit());
    let result = cli::run(args);
    // Requests made to object storage, for benchmarks and the curious.
    if std::env::var_os("VELLUM_S3_STATS").is_some_and(|v| v == "1")
        && let Some(stats) = vellum::store::s3::process_stats()
    {
        eprintln!("vellum: s3 {stats}");
    }
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // A closed pipe (`vellum show … | head`) is not an error worth a message.
            if e.is_broken_pipe() {
                return ExitCode::SUCCESS;
            }
            eprintln!("vellum: {e}");
            ExitCode::from(e.exit() as u8)
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
