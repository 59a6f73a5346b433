#![doc = include_str!("../README.md")]

pub mod chain_job;
pub mod commands;
pub mod daemon;
pub mod error;
pub mod image;

pub use compute_executor::{exec, gpu, program, root, validate};
pub use compute_kernels::Builtin;
pub use error::Error;
pub use exec::{Completed, ExecConfig, ExecError, Executor, Failure, Outcome, Timings};
pub use gpu::context::{AdapterSelector, AdapterSummary, GpuContext};
pub use gpu::limits::ProtocolLimits;
pub use program::{Input, Job, Pass, Program};
