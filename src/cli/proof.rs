//! `vellum proof ADDR [--size N]` and `vellum proof --consistency OLD [NEW]`.

use vellum::custody::{self, proof::ProofFile};
use vellum::query;

use super::env::{CliError, Env, Exit};

#[derive(clap::Args, Debug)]
#[command(
    after_help = include_str!("../../docs/manual/proof.txt")
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
            ProofFile::consistency(&tree, old, new)?
        }
        (None, Some(addr)) => {
            let addr = super::env::anchored(addr).parse()?;
            query::inclusion_proof(&archive, &addr, args.size)?
        }
        (None, None) => unreachable!("clap requires ADDR or --consistency"),
    };
    let mut out = std::io::stdout().lock();
    vellum::render::json::pretty(&mut out, &proof)?;
    Ok(Exit::Ok)
}
