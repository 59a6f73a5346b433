//! The crate's error type: every module's error, for callers that do not need to tell them apart (the binary).

use thiserror::Error;

/// Any error of the GPU worker library.
#[derive(Debug, Error)]
pub enum Error {
    /// Selecting the adapter or creating the device failed.
    #[error(transparent)]
    Context(#[from] compute_executor::gpu::context::ContextError),
    /// Running a job failed for a reason that is not the job's (the device, the machine).
    #[error(transparent)]
    Exec(#[from] compute_executor::exec::ExecError),
    /// A job or an input could not be read.
    #[error(transparent)]
    Job(#[from] compute_executor::program::InputError),
    /// A built-in kernel was asked for with wrong arguments.
    #[error(transparent)]
    Builtin(#[from] compute_kernels::BuiltinError),
    /// The benchmark failed.
    #[error(transparent)]
    Bench(#[from] compute_kernels::bench::BenchError),
    /// Writing an image failed.
    #[error(transparent)]
    Image(#[from] crate::image::ImageError),
}
