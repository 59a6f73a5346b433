//! The library's one error type.

use thiserror::Error;

/// Errors naming or sizing a built-in job.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum BuiltinError {
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
}

impl BuiltinError {
    /// A [`BuiltinError::BadArg`].
    pub(crate) fn bad_arg(arg: &str, why: impl Into<String>) -> Self {
        BuiltinError::BadArg { arg: arg.to_owned(), why: why.into() }
    }
}
