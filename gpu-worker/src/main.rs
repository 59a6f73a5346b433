// `gpu-worker`: the command line's types and their dispatch; each command is a file of [`cli`]. The
// provider daemon is [`daemon`]; [`commands`] holds the local commands (devices, kernels, exec, bench),
// [`chain_job`] turns a program into a chain job's spec and back, [`image`] writes outputs as files.
// GPU execution is `compute-executor`'s, chain access `compute-client`'s.
// (Plain comments, not `//!`: `bin/gpu-worker-faulty.rs` includes this file, where inner attributes cannot be.)

mod chain_job;
mod cli;
mod commands;
mod daemon;
mod error;
mod image;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use cli::bench::BenchArgs;
use cli::delegate::{DelegateArgs, Release};
use cli::earnings::EarningsArgs;
use cli::exec::ExecArgs;
use cli::fetch::FetchArgs;
use cli::rewards::RewardsArgs;
use cli::run::RunArgs;
use cli::status::StatusArgs;
use cli::submit::SubmitArgs;
use cli::ProviderArgs;
use compute_executor::gpu::context::AdapterSelector;

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
    /// The provider daemon: register (when needed), run assigned jobs, commit, reveal, serve outputs.
    Run(RunArgs),
    /// Submit a job (registering its kernel when missing) and follow it to its end.
    Submit(SubmitArgs),
    /// Show a job as the chain has it.
    Status(StatusArgs),
    /// Download a finished job's output and verify it against the result root on chain.
    Fetch(FetchArgs),
    /// Stake tokens behind a provider (delegators share its rewards and its slashes).
    Delegate(DelegateArgs),
    /// Start unbonding tokens delegated to a provider.
    Undelegate(DelegateArgs),
    /// Release delegated tokens whose unbonding period has passed.
    WithdrawDelegation(ProviderArgs),
    /// Take back at once delegated tokens still warming up (never at risk, never earning).
    CancelDelegation(ProviderArgs),
    /// A provider's stake, terms, earnings, record and estimated yield; with --delegator, that account's
    /// position in the provider's pool.
    Rewards(RewardsArgs),
    /// An account's payments, rewards, slashes and stake movements from the chain's events (--csv for
    /// accounting).
    Earnings(EarningsArgs),
}

/// Parses the command line and runs the command (also the entry point of `gpu-worker-faulty`).
fn main() -> anyhow::Result<ExitCode> {
    let parsed = Cli::parse();
    if matches!(parsed.command, Command::Run(_) | Command::Submit(_)) {
        cli::logger::init();
    }
    match parsed.command {
        Command::Devices => {
            print!("{}", commands::devices());
            Ok(ExitCode::SUCCESS)
        }
        Command::Kernels => {
            print!("{}", commands::kernels());
            Ok(ExitCode::SUCCESS)
        }
        Command::Exec(args) => cli::exec::run(parsed.adapter, args),
        Command::Bench(args) => cli::bench::run(&parsed.adapter, args),
        Command::Run(args) => cli::run::run(parsed.adapter, args),
        Command::Submit(args) => cli::submit::run(args),
        Command::Status(args) => cli::status::run(args),
        Command::Fetch(args) => cli::fetch::run(args),
        Command::Delegate(args) => cli::delegate::delegation(args, true),
        Command::Undelegate(args) => cli::delegate::delegation(args, false),
        Command::WithdrawDelegation(args) => cli::delegate::release(args, Release::Unlocked),
        Command::CancelDelegation(args) => cli::delegate::release(args, Release::WarmingUp),
        Command::Rewards(args) => cli::rewards::run(args),
        Command::Earnings(args) => cli::earnings::run(args),
    }
}
