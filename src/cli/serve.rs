//! `vellum serve`: the read-only web view (library: `vellum::web`).

use std::io::Write;
use std::net::SocketAddr;

use vellum::web::ServeError;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Serves a read-only web view of the store: the documents (/), a document's \
timeline with a chart of change size (/doc/DOC), each version with its text, capture record, \
raw evidence as a download and the verify status of its objects (/doc/DOC/N), and the diff of \
any two addresses, inline or side by side, with the ignore options as toggles \
(/diff?a=ADDR&b=ADDR), and full-text search over every version (/search?q=QUERY). Pages work without JavaScript; on a diff, keys n and p move between \
changes. Nothing is ever written: only GET and HEAD are answered.

Memento (RFC 7089) at the Wayback tools' paths: TimeGate /web/URL (Accept-Datetime), mementos /web/YYYYMMDDhhmmss/URL (add id_ after the timestamp for the captured bytes, as a download), TimeMaps /timemap/link/URL and /timemap/json/URL, and /cdx?url=URL&output=json. URLs match after pywb's SURT normalization, through a cache in the store (memento.sqlite; docs/memento.md).

The same archive is a JSON API under /api/v1/ (documents, versions, captures, diffs, search, \
similar documents, stories, the log's root and proofs), described by the OpenAPI document at \
/api/v1/openapi.json; see docs/api.md. --cors lets scripts on other origins read it.

The first line on stdout is the address being served (useful with port 0). Stop with Ctrl-C.

Examples:
  vellum serve                              http://127.0.0.1:8080/
  vellum serve --addr 127.0.0.1:0           any free port, printed on the first line
  vellum serve --addr 0.0.0.0:8080 --allow-remote
                                            every interface (prints a warning)
  vellum serve --json                       {\"url\":\"http://127.0.0.1:8080/\",...}
  vellum serve --cors                       the API readable from any origin
  curl http://127.0.0.1:8080/api/v1/documents?limit=10"
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

impl From<ServeError> for CliError {
    fn from(e: ServeError) -> CliError {
        match e {
            ServeError::Store(e) => e.into(),
            e @ ServeError::Bind { .. } => CliError::new(format!(
                "{e}; choose another port with --addr 127.0.0.1:PORT (0 picks a free one)"
            )),
            e => CliError::new(e.to_string()),
        }
    }
}

pub fn run_serve(env: &Env, args: ServeArgs) -> Result<Exit, CliError> {
    if !args.addr.ip().is_loopback() {
        if !args.allow_remote {
            return Err(CliError::new(format!(
                "{} is not a loopback address: serving the archive to other machines needs \
--allow-remote (or use --addr 127.0.0.1:PORT)",
                args.addr
            )));
        }
        eprintln!(
            "vellum: warning: serving on {} — anyone who can reach this address can read every \
capture in {}",
            args.addr,
            env.store.display()
        );
    }
    vellum::web::serve_store(
        &env.store,
        args.addr,
        args.cors,
        |l| -> Result<(), CliError> {
            let mut out = std::io::stdout().lock();
            match args.json {
                true => super::common::json_line(&mut out, l)?,
                false => writeln!(out, "{}", l.url)?,
            }
            out.flush()?;
            if env.notes {
                let (store, url) = (env.store.display(), &l.url);
                eprintln!("vellum: serving {store} read-only at {url}; Ctrl-C stops");
            }
            Ok(())
        },
    )?;
    Ok(Exit::Ok)
}
