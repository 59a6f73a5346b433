//! `gpu-worker exec`: run a kernel locally and print its result root.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::commands::{self, ExecRequest};
use anyhow::anyhow;
use clap::Args;
use compute_executor::gpu::context::AdapterSelector;

use super::{seconds, KernelArgs};

#[derive(Args)]
pub(crate) struct ExecArgs {
    #[command(flatten)]
    pub(crate) job: KernelArgs,
    /// Write the output to this file.
    #[arg(long)]
    pub(crate) out: Option<PathBuf>,
    /// Write the output as a `WxH` PNG (to --out) instead of raw bytes.
    #[arg(long, requires = "out")]
    pub(crate) png: Option<String>,
    /// Refuse floating point (the default).
    #[arg(long, conflicts_with = "allow_float")]
    pub(crate) exact: bool,
    /// Allow floating point (the result is only reproducible on the same backend, vendor and driver).
    #[arg(long)]
    pub(crate) allow_float: bool,
    /// GPU time limit in seconds.
    #[arg(long, default_value_t = 60.0)]
    pub(crate) timeout: f64,
    /// Also run the CPU reference of a built-in kernel and compare the bytes.
    #[arg(long)]
    pub(crate) verify: bool,
}

/// Runs the command: exit status 0 when the job ran, 3 for a failure result, 4 when `--verify` found a
/// difference.
pub(crate) fn run(adapter: AdapterSelector, args: ExecArgs) -> anyhow::Result<ExitCode> {
    let request = ExecRequest {
        adapter,
        program: args.job.program(!args.allow_float)?,
        timeout: seconds(args.timeout)?,
        verify: args.verify,
        out: args.out,
        png: args
            .png
            .map(|p| crate::image::parse_size(&p).ok_or_else(|| anyhow!("--png takes WxH, got `{p}`")))
            .transpose()?,
    };
    let report = commands::exec(&request)?;
    eprint!("{}", report.details());
    println!("{}", report.root_hex());
    Ok(if report.verified == Some(false) {
        ExitCode::from(4)
    } else if report.failure().is_some() {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
