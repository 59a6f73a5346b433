//! The delegation commands: `delegate`, `undelegate`, `withdraw-delegation`, `cancel-delegation`.

use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use compute_client::chain::Chain;
use compute_client::units::parse_amount;

use super::{runtime, KeyArgs, NodeArgs, ProviderArgs};

#[derive(Args)]
pub(crate) struct DelegateArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    pub(crate) provider: String,
    /// Amount in GPUC.
    pub(crate) amount: String,
}

/// `delegate` (or, with `delegate` false, `undelegate`).
pub(crate) fn delegation(args: DelegateArgs, delegate: bool) -> anyhow::Result<ExitCode> {
    let who = args.key.identity()?;
    let provider = compute_client::keys::parse_account(&args.provider)?;
    let amount = parse_amount(&args.amount).map_err(|e| anyhow!("amount: {e}"))?;
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let done = if delegate {
            compute_client::delegator::delegate(&chain, &who, provider, amount).await?
        } else {
            compute_client::delegator::undelegate(&chain, &who, provider, amount).await?
        };
        println!("{done}");
        Ok(ExitCode::SUCCESS)
    })
}

/// What `release` gives back.
#[derive(Clone, Copy)]
pub(crate) enum Release {
    /// `withdraw-delegation`: the unbonding claims that have unlocked.
    Unlocked,
    /// `cancel-delegation`: what still warms up.
    WarmingUp,
}

/// `withdraw-delegation` or `cancel-delegation`.
pub(crate) fn release(args: ProviderArgs, what: Release) -> anyhow::Result<ExitCode> {
    let who = args.key.identity()?;
    let provider = compute_client::keys::parse_account(&args.provider)?;
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let done = match what {
            Release::Unlocked => compute_client::delegator::withdraw(&chain, &who, provider).await?,
            Release::WarmingUp => compute_client::delegator::cancel(&chain, &who, provider).await?,
        };
        println!("{done}");
        Ok(ExitCode::SUCCESS)
    })
}
