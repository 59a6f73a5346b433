//! The executor's error: what goes wrong on this machine or with the caller's request, as opposed to a job's
//! canonical [`Failure`](crate::exec::Failure), which is a result every honest provider agrees on. None of
//! these is a result: a provider commits nothing for them.

use std::path::PathBuf;
use std::time::Duration;

use thiserror::Error;

use crate::gpu::context::NO_ADAPTER_HINT;
use crate::gpu::limits::Shortfall;

/// What can go wrong in the executor.
#[derive(Debug, Error)]
pub enum Error {
    // --- The adapter and the device. ---
    /// wgpu found no adapter that can serve jobs.
    #[error("no usable GPU adapter: wgpu found {found} adapter(s){details}; {NO_ADAPTER_HINT}")]
    NoAdapter {
        /// Adapters wgpu enumerated.
        found: usize,
        /// Why each was refused.
        details: String,
    },
    /// No adapter matches the selector.
    #[error("no adapter matches `{selector}`; `gpu-worker devices` lists them")]
    NoMatch {
        /// The selector.
        selector: String,
    },
    /// The selected adapter cannot serve jobs.
    #[error("adapter `{name}` cannot serve jobs: {shortfall}")]
    Unusable {
        /// Adapter name.
        name: String,
        /// What it lacks.
        shortfall: Shortfall,
    },
    /// The device request failed.
    #[error("creating a device on `{name}` failed: {source}")]
    RequestDevice {
        /// Adapter name.
        name: String,
        /// wgpu's error.
        #[source]
        source: wgpu::RequestDeviceError,
    },

    // --- Inputs. ---
    /// An input specification did not parse.
    #[error("invalid input `{spec}`: {why} (expected inline:HEX, file:PATH or gen:SEED:LEN)")]
    InvalidInputSpec {
        /// The specification as given.
        spec: String,
        /// What is wrong with it.
        why: String,
    },
    /// An input file could not be read.
    #[error("cannot read input file {path}: {source}")]
    InputFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A generated input is larger than this machine can address.
    #[error("generated input of {len} bytes does not fit in memory")]
    InputTooLarge {
        /// The requested length.
        len: u64,
    },

    // --- Running a job. ---
    /// The device was lost, and lost again on the retry.
    #[error("the GPU device was lost while running the job, twice: {0}")]
    DeviceLost(String),
    /// The GPU ran out of memory.
    #[error("the GPU ran out of memory: {0}")]
    OutOfMemory(String),
    /// wgpu reported an internal error outside pipeline creation.
    #[error("internal GPU error: {0}")]
    Internal(String),
    /// The output could not be read back.
    #[error("reading the output back failed: {0}")]
    Readback(String),
    /// The GPU work ran past the time limit. How long a job takes depends on the machine, so this is not a
    /// result: the provider commits nothing (the job's deterministic budget is its `fuel`).
    #[error(
        "the GPU work did not finish within {0:.1?} (the device was abandoned); a timeout is not a result"
    )]
    TimedOut(Duration),
}
