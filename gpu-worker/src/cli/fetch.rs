//! `gpu-worker fetch`: download a finished job's output and verify it against the root on chain.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use compute_client::chain::Chain;

use super::{runtime, NodeArgs};

#[derive(Args)]
pub(crate) struct FetchArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    /// The job id.
    pub(crate) job: u64,
    /// Where to write the output.
    #[arg(long)]
    pub(crate) out: PathBuf,
    /// Write a `WxH` PNG of 32-bit pixels instead of raw bytes.
    #[arg(long)]
    pub(crate) png: Option<String>,
    /// Download from this output server instead of the providers that revealed the root; repeatable.
    #[arg(long = "from")]
    pub(crate) sources: Vec<String>,
}

/// Downloads, verifies, writes, and prints the root.
pub(crate) fn run(args: FetchArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let fetched = compute_client::requester::fetch(&chain, args.job, &args.sources).await?;
        for refused in &fetched.refused {
            eprintln!("{refused}");
        }
        let png = args
            .png
            .map(|p| crate::image::parse_size(&p).ok_or_else(|| anyhow!("--png takes WxH, got `{p}`")))
            .transpose()?
            .map(|(w, h)| (w, h, None));
        let wrote = crate::image::write_output(&args.out, &fetched.output, png)?;
        eprintln!("verified against the root on chain ({}); {wrote}", fetched.source);
        println!("{}", hex::encode(fetched.root.0));
        Ok(ExitCode::SUCCESS)
    })
}
