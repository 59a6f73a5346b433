//! `gpu-worker rewards`: a provider's stake, terms, earnings, record and yield; a delegator's position.

use std::process::ExitCode;

use clap::Args;
use compute_client::chain::Chain;

use super::{runtime, NodeArgs};

#[derive(Args)]
pub(crate) struct RewardsArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    pub(crate) provider: String,
    /// Also show this delegator's position: shares, value, unbonding claims, withdrawable.
    #[arg(long)]
    pub(crate) delegator: Option<String>,
}

/// Prints the provider (and the delegator's position).
pub(crate) fn run(args: RewardsArgs) -> anyhow::Result<ExitCode> {
    let provider = compute_client::keys::parse_account(&args.provider)?;
    let delegator = args.delegator.as_deref().map(compute_client::keys::parse_account).transpose()?;
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        print!("{}", compute_client::delegator::rewards(&chain, provider, delegator).await?);
        Ok(ExitCode::SUCCESS)
    })
}
