//! `gpu-worker`: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::{Args, Parser, Subcommand};
use gpu_worker::bench::BenchConfig;
use gpu_worker::commands::{self, ExecRequest, KernelSource};
use gpu_worker::AdapterSelector;

/// The compute chain's GPU worker.
#[derive(Parser)]
#[command(name = "gpu-worker", version, about)]
struct Cli {
    /// Adapter: its index in `gpu-worker devices`, a substring of its name, or `auto` (a discrete GPU first).
    #[arg(long, global = true, default_value = "auto")]
    adapter: AdapterSelector,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the adapters wgpu finds: backend, type, driver, and whether they can serve jobs.
    Devices,
    /// List the built-in kernels, their kernel ids and size arguments.
    Kernels,
    /// Run a kernel locally and print its result root (hex) on stdout.
    Exec(ExecArgs),
    /// Benchmark the built-in kernels: GPU path vs multithreaded CPU reference, and the registration score.
    Bench(BenchArgs),
}

#[derive(Args)]
struct ExecArgs {
    /// A WGSL file, or `builtin:NAME` (see `gpu-worker kernels`).
    #[arg(long)]
    kernel: KernelSource,
    /// Entry point (WGSL files).
    #[arg(long, default_value = "main")]
    entry: String,
    /// An input, in binding order: `inline:HEX`, `file:PATH` or `gen:SEED:LEN`; repeat for more.
    #[arg(long = "input")]
    inputs: Vec<String>,
    /// Workgroups `X,Y,Z` (WGSL files).
    #[arg(long)]
    dispatch: Option<String>,
    /// Output length in bytes (WGSL files).
    #[arg(long)]
    output_len: Option<u64>,
    /// Uniform parameters as hex (WGSL files that declare them).
    #[arg(long)]
    params: Option<String>,
    /// A size argument `NAME=VALUE` of a built-in kernel; repeat for more.
    #[arg(long = "arg")]
    args: Vec<String>,
    /// Write the output to this file.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write the output as a `WxH` PNG (to --out) instead of raw bytes.
    #[arg(long, requires = "out")]
    png: Option<String>,
    /// Refuse floating point (the default).
    #[arg(long, conflicts_with = "allow_float")]
    exact: bool,
    /// Allow floating point (the result is only reproducible on the same backend, vendor and driver).
    #[arg(long)]
    allow_float: bool,
    /// GPU time limit in seconds.
    #[arg(long, default_value_t = 60.0)]
    timeout: f64,
    /// Also run the CPU reference of a built-in kernel and compare the bytes.
    #[arg(long)]
    verify: bool,
}

#[derive(Args)]
struct BenchArgs {
    /// Small sizes (a smoke test, not the published figures).
    #[arg(long)]
    quick: bool,
    /// Timed runs per kernel and side (the median is reported).
    #[arg(long, default_value_t = 3)]
    repeats: u32,
    /// GPU time limit per job in seconds.
    #[arg(long, default_value_t = 120.0)]
    timeout: f64,
    /// Only this kernel (repeat for more); the score then covers only those.
    #[arg(long)]
    only: Vec<String>,
}

fn seconds(s: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|e| anyhow!("bad timeout {s}: {e}"))
}

fn exec(adapter: AdapterSelector, args: ExecArgs) -> anyhow::Result<ExitCode> {
    let request = ExecRequest {
        adapter,
        kernel: args.kernel,
        entry: args.entry,
        inputs: args.inputs,
        dispatch: args
            .dispatch
            .map(|d| commands::parse_dispatch(&d).ok_or_else(|| anyhow!("--dispatch takes X,Y,Z, got `{d}`")))
            .transpose()?,
        output_len: args.output_len,
        params: args.params.map(hex::decode).transpose().context("--params takes hex")?.unwrap_or_default(),
        args: args
            .args
            .iter()
            .map(|a| {
                a.split_once('=')
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .ok_or_else(|| anyhow!("--arg takes NAME=VALUE, got `{a}`"))
            })
            .collect::<anyhow::Result<_>>()?,
        exact: !args.allow_float,
        timeout: seconds(args.timeout)?,
        verify: args.verify,
        out: args.out,
        png: args
            .png
            .map(|p| gpu_worker::image::parse_size(&p).ok_or_else(|| anyhow!("--png takes WxH, got `{p}`")))
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

fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Devices => {
            print!("{}", commands::devices());
            Ok(ExitCode::SUCCESS)
        }
        Command::Kernels => {
            print!("{}", commands::kernels());
            Ok(ExitCode::SUCCESS)
        }
        Command::Exec(args) => exec(cli.adapter, args),
        Command::Bench(args) => {
            let config = BenchConfig {
                quick: args.quick,
                repeats: args.repeats,
                only: args.only,
                ..BenchConfig::default()
            };
            let report = commands::bench(&cli.adapter, &config, seconds(args.timeout)?)?;
            println!("{report}");
            Ok(ExitCode::SUCCESS)
        }
    }
}
