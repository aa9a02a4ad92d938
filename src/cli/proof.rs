//! `vellum proof ADDR [--size N]` and `vellum proof --consistency OLD [NEW]`.

use std::io::Write;

use vellum::custody::{self, proof::ProofFile};
use vellum::query::{self, ProofQueryError};

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Prints a proof as JSON, for `vellum check-proof` (which needs no store).

An inclusion proof shows that a capture (its record: document, time, URL and the hash of its \
bytes) is an entry of the archive log of a given size, whose root `vellum root` printed then. \
A consistency proof shows that the log of OLD entries is the beginning of the log of NEW \
entries: nothing archived before was removed or changed. A capture merged in from another \
store (push/pull of diverged stores) proves from both logs: the proof also carries its place \
in that store's log and the entry where this log recorded that log's size and root.

Examples:
  vellum proof us-coalition-isis-deal@2 > proof.json
  vellum proof 3f2a9c01 --size 2556 > proof.json     (against a root published at size 2556)
  vellum proof --consistency 2000 > consistency.json
  vellum check-proof proof.json --root 2556:9f3c…e1 article.md"
)]
pub struct ProofArgs {
    /// The capture to prove (DOC, DOC@N, DOC@-K, DOC@TIME, a capture id or prefix, URL, URL@N…)
    #[arg(required_unless_present = "consistency")]
    addr: Option<String>,
    /// Prove against the log of this many entries (a size whose root was published)
    #[arg(long, value_name = "N", conflicts_with = "consistency")]
    size: Option<u64>,
    /// A consistency proof from the log of OLD entries to NEW [default: the whole log]
    #[arg(long, value_name = "OLD", num_args = 1..=2, value_names = ["OLD", "NEW"])]
    consistency: Option<Vec<u64>>,
}

pub fn run_proof(env: &Env, args: ProofArgs) -> Result<Exit, CliError> {
    let archive = env.open()?;
    let proof = match (&args.consistency, &args.addr) {
        (Some(sizes), _) => {
            let (tree, _, _) = custody::tree(&archive)?;
            let old = sizes[0];
            let new = sizes.get(1).copied().unwrap_or(tree.len());
            ProofFile::consistency(&tree, old, new).map_err(|e| CliError::new(e.to_string()))?
        }
        (None, Some(addr)) => {
            let addr = super::env::address(addr)?;
            query::inclusion_proof(&archive, &addr, args.size).map_err(|e| match e {
                ProofQueryError::Store(e) => e.into(),
                e @ ProofQueryError::NotLogged(_) => {
                    CliError::new(format!("{e}: the next `vellum add` logs it"))
                }
                e => CliError::new(e.to_string()),
            })?
        }
        (None, None) => unreachable!("clap requires ADDR or --consistency"),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &proof).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(Exit::Ok)
}
