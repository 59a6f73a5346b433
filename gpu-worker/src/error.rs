//! The worker's one error type: its libraries' errors, and what goes wrong in the daemon, the output store,
//! image output and turning a program into a chain job.

use std::net::SocketAddr;
use std::path::PathBuf;

use thiserror::Error;

/// What can go wrong in the worker.
#[derive(Debug, Error)]
pub enum Error {
    // --- The libraries. ---
    /// The executor: the adapter, the device, an input, or this machine while running a job.
    #[error(transparent)]
    Executor(#[from] compute_executor::Error),
    /// The kernel library: a built-in kernel asked for with wrong arguments, or the benchmark.
    #[error(transparent)]
    Kernels(#[from] compute_kernels::Error),
    /// The chain client.
    #[error(transparent)]
    Client(#[from] compute_client::Error),

    // --- The command line. ---
    /// An argument is missing or does not go with the others.
    #[error("bad value for `{arg}`: {why}")]
    Usage {
        /// The argument.
        arg: String,
        /// Why.
        why: String,
    },
    /// A kernel's WGSL file cannot be read.
    #[error("cannot read the kernel {path}: {source}")]
    ReadKernel {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },

    // --- The daemon. ---
    /// The executor thread is gone.
    #[error("the GPU thread stopped")]
    GpuStopped,
    /// The HTTP server cannot listen.
    #[error("cannot serve outputs on {addr}: {source}")]
    Listen {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// Registration failed.
    #[error("cannot register as a provider: {0}")]
    Register(compute_client::Error),
    /// The metrics cannot be set up.
    #[error("metrics: {0}")]
    Metrics(#[from] prometheus::Error),
    /// A job's kernel is not on chain.
    #[error("kernel {0} is not registered on chain")]
    MissingKernel(String),
    /// The node served a kernel whose hash is not its id.
    #[error("the node served a source for kernel {0} that does not hash to it; not running it")]
    KernelHashMismatch(String),
    /// A recomputed result does not open the commitment made for it.
    #[error("the recomputed result does not open our commitment (was the kernel non-deterministic?)")]
    CommitmentMismatch,

    // --- The output store. ---
    /// A file operation of the store failed.
    #[error("output store {path}: {source}")]
    Store {
        /// The file or directory.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output alone is larger than the store.
    #[error("an output of {len} bytes does not fit in a store of {max} bytes")]
    LargerThanStore {
        /// The output's length.
        len: u64,
        /// The store's bound.
        max: u64,
    },

    // --- Image output. ---
    /// The output is not an image of that size.
    #[error("an output of {len} bytes is not a {width}x{height} image of u8 or u32 pixels")]
    ImageSize {
        /// Output length.
        len: usize,
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
    },
    /// PNG encoding failed.
    #[error("writing {path}: {source}")]
    Png {
        /// The file.
        path: String,
        /// The encoder's error.
        #[source]
        source: png::EncodingError,
    },
    /// Writing an output file failed.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },

    // --- A program as a chain job. ---
    /// A chain job is one dispatch.
    #[error("a chain job is one pass; this program has {0} (prefix_sum and bitonic_sort run several)")]
    MultiPass(usize),
    /// Floating-point jobs need a determinism class; the CLI submits exact jobs only.
    #[error("the command line submits exact (integer) jobs only")]
    FloatingPoint,
    /// The output length does not fit the chain's u32.
    #[error("an output of {0} bytes is too large for a chain job")]
    OutputTooLargeForChain(u64),
    /// A generated input is longer than the chain's u32.
    #[error("a generated input of {0} bytes is too large for a chain job")]
    InputTooLargeForChain(u64),
    /// A field is longer than the chain allows.
    #[error("the {what} is {len} bytes; a chain job allows {max}")]
    TooLong {
        /// The field.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The bound.
        max: u32,
    },
}
