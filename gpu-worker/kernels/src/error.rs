//! The library's one error type.

use compute_executor::exec::Failure;
use thiserror::Error;

/// What can go wrong naming, sizing or benchmarking a built-in job.
#[derive(Debug, Error)]
pub enum Error {
    // --- Naming and sizing a job. ---
    /// No built-in kernel has this name.
    #[error("no built-in kernel `{0}`; the built-ins are matmul, mandelbrot, conv2d, prefix_sum, bitonic_sort, sha256")]
    Unknown(String),
    /// An argument the kernel does not take.
    #[error("`{builtin}` takes no argument `{arg}` (it takes: {takes})")]
    UnknownArg {
        /// The kernel.
        builtin: &'static str,
        /// The argument.
        arg: String,
        /// What it takes.
        takes: &'static str,
    },
    /// An argument that does not parse or is out of range.
    #[error("bad value for `{arg}`: {why}")]
    BadArg {
        /// The argument.
        arg: String,
        /// Why.
        why: String,
    },
    /// The inputs do not match the kernel.
    #[error("`{builtin}` expects {expected}; got {got}")]
    Inputs {
        /// The kernel.
        builtin: &'static str,
        /// What it expects.
        expected: String,
        /// What it got.
        got: String,
    },

    // --- The benchmark. ---
    /// The executor failed.
    #[error(transparent)]
    Exec(#[from] compute_executor::Error),
    /// A kernel did not run.
    #[error("{kernel} failed on the GPU: {} ({})", failure.reason.name(), failure.message)]
    Failed {
        /// The kernel.
        kernel: &'static str,
        /// Its failure.
        failure: Failure,
    },
    /// The GPU output differs from the CPU reference.
    #[error("{kernel}: the GPU output differs from the CPU reference")]
    Mismatch {
        /// The kernel.
        kernel: &'static str,
    },
    /// The same job gave two different outputs.
    #[error("{kernel}: two GPU runs of the same job gave different roots")]
    Unstable {
        /// The kernel.
        kernel: &'static str,
    },
}

impl Error {
    /// A [`Error::BadArg`].
    pub(crate) fn bad_arg(arg: &str, why: impl Into<String>) -> Self {
        Error::BadArg { arg: arg.to_owned(), why: why.into() }
    }
}
