//! `gpu-worker status`: a job as the chain has it.

use std::process::ExitCode;

use clap::Args;
use compute_client::chain::Chain;

use super::{runtime, NodeArgs};

#[derive(Args)]
pub(crate) struct StatusArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    /// The job id.
    pub(crate) job: u64,
}

/// Prints the job.
pub(crate) fn run(args: StatusArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        print!("{}", compute_client::requester::status(&chain, args.job).await?);
        Ok(ExitCode::SUCCESS)
    })
}
