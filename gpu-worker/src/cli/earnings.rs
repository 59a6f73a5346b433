//! `gpu-worker earnings`: an account's payments, rewards, slashes and stake movements from the chain's events.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context as _};
use clap::Args;
use compute_client::chain::Chain;

use super::{runtime, NodeArgs};

#[derive(Args)]
pub(crate) struct EarningsArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    /// The account (SS58, 0x hex, or a dev URI such as //Alice).
    pub(crate) account: String,
    /// First block scanned (default: the 255 blocks up to --to, whose parents a node keeping 256 blocks of
    /// state still has).
    #[arg(long)]
    pub(crate) from: Option<u64>,
    /// Last block scanned (default: the latest finalized block).
    #[arg(long)]
    pub(crate) to: Option<u64>,
    /// Print CSV (block, timestamp, kind, job, counterparty, amount in planck and in GPUC, detail).
    #[arg(long)]
    pub(crate) csv: bool,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
}

/// Prints (or writes) the rows of blocks `--from ..= --to`.
pub(crate) fn run(args: EarningsArgs) -> anyhow::Result<ExitCode> {
    let account = compute_client::keys::parse_account(&args.account)?;
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let to = match args.to {
            Some(to) => to,
            None => chain.at_finalized().await?.block_number(),
        };
        let from = args.from.unwrap_or(to.saturating_sub(254)).max(1);
        if from > to {
            return Err(anyhow!("--from {from} is after --to {to}"));
        }
        let rows = compute_client::earnings::earnings(&chain, &account, from, to).await?;
        let text = if args.csv {
            compute_client::earnings::to_csv(&rows)
        } else {
            compute_client::earnings::summary(&account, from, to, &rows)
        };
        match &args.out {
            Some(path) => {
                std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
                eprintln!("{} rows for blocks #{from}..=#{to} written to {}", rows.len(), path.display());
            }
            None => print!("{text}"),
        }
        Ok(ExitCode::SUCCESS)
    })
}
