//! The compute chain's validator node.

// `sc_cli::Error` and `sc_service::Error` are upstream types returned through upstream APIs; their size is
// not ours to change.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
    command::run()
}
