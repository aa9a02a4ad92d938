//! `vellum serve`: the read-only web view (library: `vellum::web`).

use std::io::Write;
use std::net::SocketAddr;

use vellum::render::reports;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/serve.txt")
)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback unless --allow-remote)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Allow a non-loopback --addr: anyone who can reach it can read the whole archive
    #[arg(long)]
    allow_remote: bool,
    /// Print the address served as one JSON object (first line of stdout)
    #[arg(long)]
    json: bool,
    /// Answer the JSON API's GET requests with Access-Control-Allow-Origin: * (any web page may read the archive through it)
    #[arg(long)]
    cors: bool,
}

pub fn run_serve(env: &Env, args: ServeArgs) -> Result<Exit, CliError> {
    if vellum::web::exposes(args.addr, args.allow_remote)? {
        eprintln!("vellum: {}", reports::exposed(args.addr, &env.store));
    }
    vellum::web::serve_store(
        &env.store,
        args.addr,
        args.cors,
        |l| -> Result<(), CliError> {
            let mut out = std::io::stdout().lock();
            vellum::render::json::or_text(&mut out, args.json, l, |o, l| writeln!(o, "{}", l.url))?;
            out.flush()?;
            if env.notes {
                eprintln!("vellum: {}", reports::serving(&env.store, &l.url));
            }
            Ok(())
        },
    )?;
    Ok(Exit::Ok)
}
