//! `gpu-worker run`: the provider daemon.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use clap::Args;
use compute_client::units::parse_amount;
use compute_executor::gpu::context::AdapterSelector;

use super::{runtime, seconds, KeyArgs, NodeArgs};

#[derive(Args)]
pub(crate) struct RunArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// Where outputs and job records are kept.
    #[arg(long, default_value = "gpu-worker-data")]
    pub(crate) data_dir: PathBuf,
    /// The most disk space for outputs, in MiB (least recently used outputs go first).
    #[arg(long, default_value_t = 4096)]
    pub(crate) store_mib: u64,
    /// Where the public output server (and /health) listens.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub(crate) listen: std::net::SocketAddr,
    /// Where the operator's server (/metrics and /health) listens; none when not given. Keep it off the
    /// public network.
    #[arg(long)]
    pub(crate) metrics_listen: Option<std::net::SocketAddr>,
    /// The URL published for downloads (default: http:// + the listen address).
    #[arg(long)]
    pub(crate) public_url: Option<String>,
    /// Self-bond at registration, in GPUC.
    #[arg(long, default_value = "1000")]
    pub(crate) bond: String,
    /// Least reward per replica accepted, in GPUC. The chain rounds it up to the price of its ask tier
    /// (four per doubling from 0.001: 0.001, 0.00119, 0.00142, 0.00169, 0.002, ...).
    #[arg(long, default_value = "0.001")]
    pub(crate) ask: String,
    /// Commission on rewards, in percent.
    #[arg(long, default_value_t = 10.0)]
    pub(crate) commission: f64,
    /// Jobs accepted at once.
    #[arg(long, default_value_t = 4)]
    pub(crate) max_jobs: u32,
    /// GPU memory to declare, in MiB (wgpu does not report it).
    #[arg(long, default_value_t = 4096)]
    pub(crate) vram_mib: u32,
    /// Benchmark score to publish (default: measure with the quick benchmark).
    #[arg(long)]
    pub(crate) benchmark_score: Option<u64>,
    /// The most GPU time one job may take, in seconds. Each job also gets no more than the time left before
    /// its commit deadline; a job that runs out of it is an abstention (neither paid nor slashed), so a
    /// lower limit only forgoes rewards.
    #[arg(long, default_value_t = 86_400.0)]
    pub(crate) timeout: f64,
    /// Test-only fault: reveal wrong results.
    #[cfg(feature = "fault-injection")]
    #[arg(long)]
    pub(crate) fault_wrong_results: bool,
}

/// Runs the daemon until it fails or Ctrl-C.
pub(crate) fn run(adapter: AdapterSelector, args: RunArgs) -> anyhow::Result<ExitCode> {
    let identity = args.key.identity()?;
    if !(0.0..=100.0).contains(&args.commission) {
        return Err(anyhow!("--commission is a percentage, got {}", args.commission));
    }
    let config = crate::daemon::DaemonConfig {
        node_url: args.node.node,
        identity,
        store_dir: args.data_dir,
        store_max_bytes: args.store_mib.saturating_mul(1 << 20),
        listen: args.listen,
        metrics_listen: args.metrics_listen,
        exec: compute_executor::exec::ExecConfig {
            adapter,
            timeout: seconds(args.timeout)?,
            ..Default::default()
        },
        profile: crate::daemon::ProfileOptions {
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
        let daemon = crate::daemon::run(config, |running| {
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
