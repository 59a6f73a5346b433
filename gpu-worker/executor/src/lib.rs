//! The compute chain's executor: runs a [`Program`] (WGSL, inputs, passes) on a wgpu device and returns its
//! output and result root, or the job's canonical [`Failure`], the same on every honest provider.
//!
//! - [`program`]: what runs (a chain job is a one-pass program; inputs inline, generated or from a file).
//! - [`validate`]: the protocol's checks of a kernel and a program, in order, before anything reaches the
//!   device.
//! - [`exec`]: the [`Executor`]: device, pipelines and buffers reused across jobs, a deadline on every GPU
//!   wait, device loss handled.
//! - [`gpu`]: the wgpu side (adapter and device, limits, pipeline cache, buffer pool, texel inputs).
//! - [`root`]: `blake3(output)`, hashed on all cores while the output is copied out.
//!
//! It knows nothing of the chain or of any kernel library: the caller says how a program is validated
//! ([`Validation`]).

mod error;
pub mod exec;
pub mod gpu;
pub mod program;
pub mod root;
pub mod validate;

pub use error::Error;
pub use exec::{Completed, ExecConfig, Executor, Failure, Outcome, Timings, Validation};
pub use gpu::context::{AdapterSelector, AdapterSummary, DeviceTraits, GpuContext};
pub use gpu::limits::ProtocolLimits;
pub use program::{Input, Job, Pass, Program};
