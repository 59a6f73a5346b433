//! `gpu-worker`: parses the command line and calls the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{anyhow, Context as _};
use clap::{Args, Parser, Subcommand};
use gpu_worker::bench::BenchConfig;
use gpu_worker::chain::Chain;
use gpu_worker::chain_job::JobTerms;
use gpu_worker::commands::{self, ExecRequest, KernelSource};
use gpu_worker::keys::Identity;
use gpu_worker::units::parse_amount;
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

#[derive(Args)]
struct RewardsArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    provider: String,
    /// Also show this delegator's position: shares, value, unbonding claims, withdrawable.
    #[arg(long)]
    delegator: Option<String>,
}

#[derive(Args)]
struct EarningsArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// The account (SS58, 0x hex, or a dev URI such as //Alice).
    account: String,
    /// First block scanned (default: the 255 blocks up to --to, whose parents a node keeping 256 blocks of
    /// state still has).
    #[arg(long)]
    from: Option<u64>,
    /// Last block scanned (default: the latest finalized block).
    #[arg(long)]
    to: Option<u64>,
    /// Print CSV (block, timestamp, kind, job, counterparty, amount in planck and in GPUC, detail).
    #[arg(long)]
    csv: bool,
    /// Write to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Args)]
struct DelegateArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    provider: String,
    /// Amount in GPUC.
    amount: String,
}

#[derive(Args)]
struct ProviderArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    provider: String,
}

#[derive(Args)]
struct NodeArgs {
    /// The node's WebSocket RPC endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    node: String,
}

#[derive(Args)]
struct KeyArgs {
    /// The account's secret URI (`//Alice`, a mnemonic, `0x` seed).
    #[arg(long, conflicts_with = "key_file")]
    suri: Option<String>,
    /// A file holding the secret URI (mode 600).
    #[arg(long)]
    key_file: Option<PathBuf>,
}

impl KeyArgs {
    fn identity(&self) -> anyhow::Result<Identity> {
        match (&self.suri, &self.key_file) {
            (Some(uri), _) => Ok(Identity::from_uri(uri)?),
            (None, Some(path)) => Ok(Identity::from_file(path)?),
            (None, None) => Err(anyhow!("give the account's key with --suri or --key-file")),
        }
    }
}

#[derive(Args)]
struct RunArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    key: KeyArgs,
    /// Where outputs and job records are kept.
    #[arg(long, default_value = "gpu-worker-data")]
    data_dir: PathBuf,
    /// The most disk space for outputs, in MiB (least recently used outputs go first).
    #[arg(long, default_value_t = 4096)]
    store_mib: u64,
    /// Where the output server (and /health, /metrics) listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: std::net::SocketAddr,
    /// The URL published for downloads (default: http:// + the listen address).
    #[arg(long)]
    public_url: Option<String>,
    /// Self-bond at registration, in GPUC.
    #[arg(long, default_value = "1000")]
    bond: String,
    /// Least reward per replica accepted, in GPUC. The chain rounds it up to the price of its ask tier
    /// (four per doubling from 0.001: 0.001, 0.00119, 0.00142, 0.00169, 0.002, ...).
    #[arg(long, default_value = "0.001")]
    ask: String,
    /// Commission on rewards, in percent.
    #[arg(long, default_value_t = 10.0)]
    commission: f64,
    /// Jobs accepted at once.
    #[arg(long, default_value_t = 4)]
    max_jobs: u32,
    /// GPU memory to declare, in MiB (wgpu does not report it).
    #[arg(long, default_value_t = 4096)]
    vram_mib: u32,
    /// Benchmark score to publish (default: measure with the quick benchmark).
    #[arg(long)]
    benchmark_score: Option<u64>,
    /// The most GPU time one job may take, in seconds. Each job also gets no more than the time left before
    /// its commit deadline; a job that runs out of it is an abstention (neither paid nor slashed), so a
    /// lower limit only forgoes rewards.
    #[arg(long, default_value_t = 86_400.0)]
    timeout: f64,
    /// Test-only fault: reveal wrong results.
    #[cfg(feature = "fault-injection")]
    #[arg(long)]
    fault_wrong_results: bool,
}

#[derive(Args)]
struct SubmitArgs {
    #[command(flatten)]
    node: NodeArgs,
    #[command(flatten)]
    key: KeyArgs,
    #[command(flatten)]
    job: KernelArgs,
    /// Providers that run the job. Two or more are verified (a disagreement goes to a dispute); one is
    /// unverified: any root it reveals is the result.
    #[arg(long, default_value_t = 2)]
    replicas: u8,
    /// Matching results needed (default: a majority).
    #[arg(long)]
    quorum: Option<u8>,
    /// Reward per replica, in GPUC.
    #[arg(long, default_value = "0.01")]
    reward: String,
    /// The job's compute budget: the most loop iterations one invocation may run, all its loops
    /// together (at most 65 000). A kernel that needs more ends with the canonical out-of-fuel failure,
    /// on every provider alike; the chain sizes the shortest commit window from it.
    #[arg(long, default_value_t = 1024)]
    fuel: u32,
    /// Blocks to commit (default: the shortest the chain allows for the job's budget).
    #[arg(long)]
    commit_window: Option<u32>,
    /// Blocks to reveal.
    #[arg(long, default_value_t = 10)]
    reveal_window: u32,
    /// Blocks to wait for providers.
    #[arg(long, default_value_t = 100)]
    queue_window: u32,
    /// Least GPU memory of the providers, in MiB.
    #[arg(long, default_value_t = 0)]
    min_vram_mib: u32,
    /// Return once submitted instead of following the job.
    #[arg(long)]
    no_wait: bool,
    /// Fetch the verified output to this file once completed (a PNG for image kernels and `.png` names).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Give up following after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout: u64,
}

#[derive(Args)]
struct StatusArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// The job id.
    job: u64,
}

#[derive(Args)]
struct FetchArgs {
    #[command(flatten)]
    node: NodeArgs,
    /// The job id.
    job: u64,
    /// Where to write the output.
    #[arg(long)]
    out: PathBuf,
    /// Write a `WxH` PNG of 32-bit pixels instead of raw bytes.
    #[arg(long)]
    png: Option<String>,
    /// Download from this output server instead of the providers that revealed the root; repeatable.
    #[arg(long = "from")]
    sources: Vec<String>,
}

/// What to run: a kernel and its inputs and sizes (`exec` and `submit`).
#[derive(Args)]
struct KernelArgs {
    /// A WGSL file, or `builtin:NAME` (see `gpu-worker kernels`).
    #[arg(long)]
    kernel: KernelSource,
    /// Entry point (WGSL files).
    #[arg(long, default_value = "main")]
    entry: String,
    /// An input, in binding order: `inline:HEX`, `file:PATH` or `gen:SEED:LEN`; repeat for more (`submit`
    /// sends file contents inline, at most 8 KiB).
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
}

impl KernelArgs {
    /// The library's description of the program (`exact`: floating point refused).
    fn program(self, exact: bool) -> anyhow::Result<commands::ProgramRequest> {
        Ok(commands::ProgramRequest {
            kernel: Some(self.kernel),
            entry: self.entry,
            inputs: self.inputs,
            dispatch: self
                .dispatch
                .map(|d| {
                    commands::parse_dispatch(&d).ok_or_else(|| anyhow!("--dispatch takes X,Y,Z, got `{d}`"))
                })
                .transpose()?,
            output_len: self.output_len,
            params: self
                .params
                .map(hex::decode)
                .transpose()
                .context("--params takes hex")?
                .unwrap_or_default(),
            args: parse_size_args(&self.args)?,
            exact,
        })
    }
}

#[derive(Args)]
struct ExecArgs {
    #[command(flatten)]
    job: KernelArgs,
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
        program: args.job.program(!args.allow_float)?,
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

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn run(adapter: AdapterSelector, args: RunArgs) -> anyhow::Result<ExitCode> {
    let identity = args.key.identity()?;
    if !(0.0..=100.0).contains(&args.commission) {
        return Err(anyhow!("--commission is a percentage, got {}", args.commission));
    }
    let config = gpu_worker::daemon::DaemonConfig {
        node_url: args.node.node,
        identity,
        store_dir: args.data_dir,
        store_max_bytes: args.store_mib.saturating_mul(1 << 20),
        listen: args.listen,
        exec: gpu_worker::ExecConfig { adapter, timeout: seconds(args.timeout)?, ..Default::default() },
        profile: gpu_worker::daemon::ProfileOptions {
            vram_mib: args.vram_mib,
            max_concurrent_jobs: args.max_jobs,
            ask: parse_amount(&args.ask).map_err(|e| anyhow!("--ask: {e}"))?,
            commission_ppb: (args.commission * 10_000_000.0).round() as u32,
            bond: parse_amount(&args.bond).map_err(|e| anyhow!("--bond: {e}"))?,
            benchmark_score: args.benchmark_score,
            public_url: args.public_url,
        },
        #[cfg(feature = "fault-injection")]
        wrong_results: args.fault_wrong_results,
    };
    runtime()?.block_on(async {
        let daemon = gpu_worker::daemon::run(config, |running| {
            log::info!("provider {} ready; outputs on http://{}", running.account, running.http);
        });
        tokio::select! {
            result = daemon => result.map_err(anyhow::Error::from),
            _ = tokio::signal::ctrl_c() => {
                log::info!("stopping");
                Ok(())
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

fn submit(args: SubmitArgs) -> anyhow::Result<ExitCode> {
    let identity = args.key.identity()?;
    let replicas = args.replicas;
    let request = gpu_worker::requester::SubmitRequest {
        program: args.job.program(true)?,
        terms: JobTerms {
            replicas,
            quorum: args.quorum.unwrap_or(replicas / 2 + 1),
            reward_per_replica: parse_amount(&args.reward).map_err(|e| anyhow!("--reward: {e}"))?,
            fuel: args.fuel,
            commit_window: args.commit_window,
            reveal_window: args.reveal_window,
            queue_window: args.queue_window,
            min_vram_mib: args.min_vram_mib,
        },
    };
    let say = |line: String| eprintln!("{line}");
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let submitted = gpu_worker::requester::submit(&chain, &identity, &request, say).await?;
        println!("{}", submitted.job_id);
        if args.no_wait {
            return Ok(ExitCode::SUCCESS);
        }
        let finished =
            gpu_worker::requester::follow(&chain, submitted.job_id, Duration::from_secs(args.timeout), say)
                .await?;
        eprintln!("finished {:.1} s after submission", submitted.at.elapsed().as_secs_f64());
        let completed = matches!(finished.record.outcome, compute_primitives::JobResult::Completed { .. });
        if let (Some(out), true) = (&args.out, completed) {
            let fetched = gpu_worker::requester::fetch(&chain, submitted.job_id, &[]).await?;
            for refused in &fetched.refused {
                eprintln!("{refused}");
            }
            let (_, builtin) = commands::build_program(&request.program)?;
            let png = builtin
                .and_then(|job| job.image())
                .filter(|_| out.extension().is_some_and(|e| e.eq_ignore_ascii_case("png")))
                .map(|(w, h, format)| (w, h, Some(format)));
            let wrote = gpu_worker::requester::write_output(out, &fetched.output, png)?;
            eprintln!("verified against the root on chain ({}); {wrote}", fetched.source);
        }
        Ok(if completed { ExitCode::SUCCESS } else { ExitCode::from(3) })
    })
}

fn delegation(args: DelegateArgs, delegate: bool) -> anyhow::Result<ExitCode> {
    let who = args.key.identity()?;
    let provider = gpu_worker::keys::parse_account(&args.provider)?;
    let amount = parse_amount(&args.amount).map_err(|e| anyhow!("amount: {e}"))?;
    runtime()?.block_on(async {
        let chain = Chain::connect(&args.node.node).await?;
        let done = if delegate {
            gpu_worker::delegator::delegate(&chain, &who, provider, amount).await?
        } else {
            gpu_worker::delegator::undelegate(&chain, &who, provider, amount).await?
        };
        println!("{done}");
        Ok(ExitCode::SUCCESS)
    })
}

fn parse_size_args(args: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    args.iter()
        .map(|a| {
            a.split_once('=')
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .ok_or_else(|| anyhow!("--arg takes NAME=VALUE, got `{a}`"))
        })
        .collect()
}

/// Log lines to stderr: `LEVEL target: message`, at `info` unless `GPU_WORKER_LOG` says otherwise
/// (`error`, `warn`, `info`, `debug`, `trace`). Only this crate's records; dependencies stay quiet.
struct StderrLogger(log::LevelFilter);

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= self.0 && metadata.target().starts_with("gpu_worker")
    }

    fn log(&self, record: &log::Record) {
        if self.enabled(record.metadata()) {
            let since_epoch =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            eprintln!("{:.3} {:5} {}", since_epoch.as_secs_f64(), record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

fn env_logger_init() {
    let level =
        std::env::var("GPU_WORKER_LOG").ok().and_then(|l| l.parse().ok()).unwrap_or(log::LevelFilter::Info);
    if log::set_boxed_logger(Box::new(StderrLogger(level))).is_ok() {
        log::set_max_level(level);
    }
}

/// Parses the command line and runs the command (also the entry point of `gpu-worker-faulty`).
pub fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    if matches!(cli.command, Command::Run(_) | Command::Submit(_)) {
        env_logger_init();
    }
    match cli.command {
        Command::Run(args) => run(cli.adapter, args),
        Command::Submit(args) => submit(args),
        Command::Status(args) => runtime()?.block_on(async {
            let chain = Chain::connect(&args.node.node).await?;
            print!("{}", gpu_worker::requester::status(&chain, args.job).await?);
            Ok(ExitCode::SUCCESS)
        }),
        Command::Delegate(args) => delegation(args, true),
        Command::Undelegate(args) => delegation(args, false),
        Command::WithdrawDelegation(args) => {
            let who = args.key.identity()?;
            let provider = gpu_worker::keys::parse_account(&args.provider)?;
            runtime()?.block_on(async {
                let chain = Chain::connect(&args.node.node).await?;
                println!("{}", gpu_worker::delegator::withdraw(&chain, &who, provider).await?);
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::CancelDelegation(args) => {
            let who = args.key.identity()?;
            let provider = gpu_worker::keys::parse_account(&args.provider)?;
            runtime()?.block_on(async {
                let chain = Chain::connect(&args.node.node).await?;
                println!("{}", gpu_worker::delegator::cancel(&chain, &who, provider).await?);
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Rewards(args) => {
            let provider = gpu_worker::keys::parse_account(&args.provider)?;
            let delegator = args.delegator.as_deref().map(gpu_worker::keys::parse_account).transpose()?;
            runtime()?.block_on(async {
                let chain = Chain::connect(&args.node.node).await?;
                print!("{}", gpu_worker::delegator::rewards(&chain, provider, delegator).await?);
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Earnings(args) => {
            let account = gpu_worker::keys::parse_account(&args.account)?;
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
                let rows = gpu_worker::earnings::earnings(&chain, &account, from, to).await?;
                let text = if args.csv {
                    gpu_worker::earnings::to_csv(&rows)
                } else {
                    gpu_worker::earnings::summary(&account, from, to, &rows)
                };
                match &args.out {
                    Some(path) => {
                        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
                        eprintln!(
                            "{} rows for blocks #{from}..=#{to} written to {}",
                            rows.len(),
                            path.display()
                        );
                    }
                    None => print!("{text}"),
                }
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Fetch(args) => runtime()?.block_on(async {
            let chain = Chain::connect(&args.node.node).await?;
            let fetched = gpu_worker::requester::fetch(&chain, args.job, &args.sources).await?;
            for refused in &fetched.refused {
                eprintln!("{refused}");
            }
            let png = args
                .png
                .map(|p| {
                    gpu_worker::image::parse_size(&p).ok_or_else(|| anyhow!("--png takes WxH, got `{p}`"))
                })
                .transpose()?
                .map(|(w, h)| (w, h, None));
            let wrote = gpu_worker::requester::write_output(&args.out, &fetched.output, png)?;
            eprintln!("verified against the root on chain ({}); {wrote}", fetched.source);
            println!("{}", hex::encode(fetched.root.0));
            Ok(ExitCode::SUCCESS)
        }),
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
