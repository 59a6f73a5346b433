#![doc = include_str!("../README.md")]

pub mod bench;
pub mod chain;
pub mod chain_job;
pub mod commands;
pub mod daemon;
pub mod delegator;
pub mod earnings;
pub mod error;
pub mod exec;
pub mod gpu;
pub mod image;
pub mod job;
pub mod kernels;
pub mod keys;
pub mod metrics;
pub mod reference;
pub mod requester;
pub mod root;
pub mod server;
pub mod store;
pub mod units;
pub mod validate;

pub use error::Error;
pub use exec::{Completed, ExecConfig, ExecError, Executor, Failure, Outcome, Timings};
pub use gpu::context::{AdapterSelector, AdapterSummary, GpuContext};
pub use gpu::limits::ProtocolLimits;
pub use job::{Input, Job, Pass, Program};
pub use kernels::Builtin;
