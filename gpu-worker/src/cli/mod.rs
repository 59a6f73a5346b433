//! The commands, a file each: their arguments and what they do with the libraries. What several share
//! (the node, the key, the kernel and its inputs) is here.

pub(crate) mod bench;
pub(crate) mod delegate;
pub(crate) mod earnings;
pub(crate) mod exec;
pub(crate) mod fetch;
pub(crate) mod logger;
pub(crate) mod rewards;
pub(crate) mod run;
pub(crate) mod status;
pub(crate) mod submit;

use std::path::PathBuf;
use std::time::Duration;

use crate::commands::{self, KernelSource};
use anyhow::{anyhow, Context as _};
use clap::Args;
use compute_client::keys::Identity;

#[derive(Args)]
pub(crate) struct NodeArgs {
    /// The node's WebSocket RPC endpoint.
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    pub(crate) node: String,
}

#[derive(Args)]
pub(crate) struct KeyArgs {
    /// The account's secret URI (`//Alice`, a mnemonic, `0x` seed).
    #[arg(long, conflicts_with = "key_file")]
    pub(crate) suri: Option<String>,
    /// A file holding the secret URI (mode 600).
    #[arg(long)]
    pub(crate) key_file: Option<PathBuf>,
}

impl KeyArgs {
    pub(crate) fn identity(&self) -> anyhow::Result<Identity> {
        match (&self.suri, &self.key_file) {
            (Some(uri), _) => Ok(Identity::from_uri(uri)?),
            (None, Some(path)) => Ok(Identity::from_file(path)?),
            (None, None) => Err(anyhow!("give the account's key with --suri or --key-file")),
        }
    }
}

#[derive(Args)]
pub(crate) struct ProviderArgs {
    #[command(flatten)]
    pub(crate) node: NodeArgs,
    #[command(flatten)]
    pub(crate) key: KeyArgs,
    /// The provider (SS58, 0x hex, or a dev URI such as //Bob).
    pub(crate) provider: String,
}

#[derive(Args)]
pub(crate) struct KernelArgs {
    /// A WGSL file, or `builtin:NAME` (see `gpu-worker kernels`).
    #[arg(long)]
    pub(crate) kernel: KernelSource,
    /// Entry point (WGSL files).
    #[arg(long, default_value = "main")]
    pub(crate) entry: String,
    /// An input, in binding order: `inline:HEX`, `file:PATH` or `gen:SEED:LEN`; repeat for more (`submit`
    /// sends file contents inline, at most 8 KiB).
    #[arg(long = "input")]
    pub(crate) inputs: Vec<String>,
    /// Workgroups `X,Y,Z` (WGSL files).
    #[arg(long)]
    pub(crate) dispatch: Option<String>,
    /// Output length in bytes (WGSL files).
    #[arg(long)]
    pub(crate) output_len: Option<u64>,
    /// Uniform parameters as hex (WGSL files that declare them).
    #[arg(long)]
    pub(crate) params: Option<String>,
    /// A size argument `NAME=VALUE` of a built-in kernel; repeat for more.
    #[arg(long = "arg")]
    pub(crate) args: Vec<String>,
}

impl KernelArgs {
    /// The library's description of the program (`exact`: floating point refused).
    pub(crate) fn program(self, exact: bool) -> anyhow::Result<commands::ProgramRequest> {
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

pub(crate) fn seconds(s: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(s).map_err(|e| anyhow!("bad timeout {s}: {e}"))
}

/// The async runtime of the chain commands.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
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
