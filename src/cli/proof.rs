//! `vellum proof ADDR [--size N]` and `vellum proof --consistency OLD [NEW]`.

use std::io::Write;

use vellum::custody::{self, proof::ProofFile};
use vellum::store::Address;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = "Prints a proof as JSON, for `vellum check-proof` (which needs no store).

An inclusion proof shows that a capture (its record: document, time, URL and the hash of its \
bytes) is an entry of the archive log of a given size, whose root `vellum root` printed then. \
A consistency proof shows that the log of OLD entries is the beginning of the log of NEW \
entries: nothing archived before was removed or changed.

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
    let (tree, ids, _) = custody::tree(&archive)?;
    let proof = match (&args.consistency, &args.addr) {
        (Some(sizes), _) => {
            let old = sizes[0];
            let new = sizes.get(1).copied().unwrap_or(tree.len());
            ProofFile::consistency(&tree, old, new).map_err(|e| CliError::new(e.to_string()))?
        }
        (None, Some(addr)) => {
            let addr: Address = addr.parse().map_err(|e| CliError::new(format!("{e}")))?;
            let r = archive.resolve(&addr)?;
            let index = ids.iter().position(|c| *c == r.capture).ok_or_else(|| {
                CliError::new(format!(
                    "capture {} is not in the archive log yet (archived by an older vellum): \
                     the next `vellum add` logs it",
                    r.capture
                ))
            })? as u64;
            let size = args.size.unwrap_or(tree.len());
            if index >= size {
                return Err(CliError::new(format!(
                    "capture {} is entry {index} of the log, archived after the log had {size} \
                     entries: no root of that size includes it",
                    r.capture
                )));
            }
            let record = archive.read_object(&r.capture.0)?;
            ProofFile::inclusion(&tree, index, size, r.capture.0, Some(&record))
                .map_err(|e| CliError::new(e.to_string()))?
        }
        (None, None) => unreachable!("clap requires ADDR or --consistency"),
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &proof).map_err(std::io::Error::other)?;
    writeln!(out)?;
    Ok(Exit::Ok)
}
