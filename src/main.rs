//! The `vellum` binary: parse arguments, resolve the environment once, call
//! the library, map errors to exit codes (0 ok, 1 differences/damage, 2 error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
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
