//! `gpu-worker bench`: the built-in kernels on the GPU against their CPU references, and the score.

use std::process::ExitCode;

use crate::commands;
use clap::Args;
use compute_executor::gpu::context::AdapterSelector;
use compute_kernels::bench::BenchConfig;

use super::seconds;

#[derive(Args)]
pub(crate) struct BenchArgs {
    /// Small sizes (a smoke test, not the published figures).
    #[arg(long)]
    pub(crate) quick: bool,
    /// Timed runs per kernel and side (the median is reported).
    #[arg(long, default_value_t = 3)]
    pub(crate) repeats: u32,
    /// GPU time limit per job in seconds.
    #[arg(long, default_value_t = 120.0)]
    pub(crate) timeout: f64,
    /// Only this kernel (repeat for more); the score then covers only those.
    #[arg(long)]
    pub(crate) only: Vec<String>,
}

/// Runs the benchmark and prints its report.
pub(crate) fn run(adapter: &AdapterSelector, args: BenchArgs) -> anyhow::Result<ExitCode> {
    let config =
        BenchConfig { quick: args.quick, repeats: args.repeats, only: args.only, ..BenchConfig::default() };
    let report = commands::bench(adapter, &config, seconds(args.timeout)?)?;
    println!("{report}");
    Ok(ExitCode::SUCCESS)
}
