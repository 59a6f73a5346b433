#![doc = include_str!("../README.md")]

pub mod bench;
pub mod chain;
pub mod chain_job;
pub mod commands;
pub mod daemon;
pub mod delegator;
pub mod earnings;
pub mod error;
pub mod image;
pub mod kernels;
pub mod keys;
pub mod metrics;
pub mod reference;
pub mod requester;
pub mod server;
pub mod store;
pub mod units;

pub use compute_executor::{exec, gpu, program, root, validate};
pub use error::Error;
pub use exec::{Completed, ExecConfig, ExecError, Executor, Failure, Outcome, Timings};
pub use gpu::context::{AdapterSelector, AdapterSummary, GpuContext};
pub use gpu::limits::ProtocolLimits;
pub use kernels::Builtin;
pub use program::{Input, Job, Pass, Program};
