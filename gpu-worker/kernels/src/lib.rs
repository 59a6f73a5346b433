//! The built-in kernel library: integer and fixed-point WGSL kernels whose outputs are bit-exact on every
//! device, each in its own module with its size, its passes and its multithreaded CPU reference.
//!
//! | name | what | passes |
//! | --- | --- | --- |
//! | `matmul` | tiled u32 matrix multiply, wrapping (workgroup memory, 8 × 8 blocks per invocation) | 1 |
//! | `mandelbrot` | fixed-point (Q19.12) Mandelbrot set, one u32 iteration count per pixel | 1 |
//! | `conv2d` | 2-D integer convolution of an 8-bit image, clamp-to-edge (an image filter) | 1 |
//! | `prefix_sum` | inclusive u32 prefix sum, wrapping | 1 + 2 per level of 1024 |
//! | `bitonic_sort` | u32 sort, ascending, any n | 1 + 2–12 per stage beyond 1024 |
//! | `sha256` | SHA-256 of many fixed-length messages (proof-of-work style) | 1 |
//!
//! Multi-pass kernels are *programs*: one WGSL module with several entry points, and a list of passes
//! (entry point, dispatch, 16-byte uniform parameter block) computed from the job's size by
//! [`BuiltinJob::program`]. Every pass sees the output written by the passes before it. The chain-facing job
//! stays a single entry point and dispatch; a built-in job is named by the kernel and its size arguments.
//!
//! The WGSL sources are the `compute-kernel-sources` crate (`wgsl/`), which the runtime's genesis also reads;
//! [`variants`] holds the faster programs for particular devices; [`bench`] measures every kernel against its
//! CPU reference. The library depends on the executor, never the other way round.

pub mod bench;
mod bitonic_sort;
mod conv2d;
mod error;
mod mandelbrot;
mod matmul;
mod prefix_sum;
mod sha256;
pub mod variants;

use std::sync::Arc;

use compute_executor::gpu::limits::ProtocolLimits;
use compute_executor::program::{Input, Pass, Program};
use compute_primitives::KernelId;

pub use bitonic_sort::{bitonic_passes, BitonicSort};
pub use conv2d::{Conv2d, CONV_MAX_RADIUS};
pub use error::Error;
pub use mandelbrot::{Mandelbrot, MANDELBROT_ONE};
pub use matmul::Matmul;
pub use prefix_sum::{prefix_sum_passes, PrefixSum};
pub use sha256::Sha256Batch;
pub use variants::{
    device_equivalent, runs_cpu_variants, validation_of, CONV2D_CPU_ROWS, CONV2D_CPU_WGSL, MATMUL_CPU_COLS,
    MATMUL_CPU_ROWS, MATMUL_CPU_WGSL,
};

/// Elements per workgroup in the multi-pass kernels (`BLOCK` in their WGSL).
pub const BLOCK: u32 = 1024;

/// A built-in kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Builtin {
    /// Tiled u32 matrix multiply.
    Matmul,
    /// Fixed-point Mandelbrot set.
    Mandelbrot,
    /// 2-D integer convolution.
    Conv2d,
    /// Multi-pass inclusive prefix sum.
    PrefixSum,
    /// Multi-pass bitonic sort.
    BitonicSort,
    /// SHA-256 of many messages.
    Sha256,
}

impl Builtin {
    /// Every built-in kernel.
    pub const ALL: [Builtin; 6] = [
        Builtin::Matmul,
        Builtin::Mandelbrot,
        Builtin::Conv2d,
        Builtin::PrefixSum,
        Builtin::BitonicSort,
        Builtin::Sha256,
    ];

    /// Its name (`builtin:NAME` on the command line).
    pub fn name(self) -> &'static str {
        match self {
            Builtin::Matmul => "matmul",
            Builtin::Mandelbrot => "mandelbrot",
            Builtin::Conv2d => "conv2d",
            Builtin::PrefixSum => "prefix_sum",
            Builtin::BitonicSort => "bitonic_sort",
            Builtin::Sha256 => "sha256",
        }
    }

    /// The kernel with this name.
    pub fn from_name(name: &str) -> Result<Self, Error> {
        Self::ALL.into_iter().find(|b| b.name() == name).ok_or_else(|| Error::Unknown(name.to_owned()))
    }

    /// Its WGSL source.
    pub fn wgsl(self) -> &'static str {
        use compute_kernel_sources as sources;
        match self {
            Builtin::Matmul => sources::MATMUL,
            Builtin::Mandelbrot => sources::MANDELBROT,
            Builtin::Conv2d => sources::CONV2D,
            Builtin::PrefixSum => sources::PREFIX_SUM,
            Builtin::BitonicSort => sources::BITONIC_SORT,
            Builtin::Sha256 => sources::SHA256,
        }
    }

    /// Its kernel id, `blake3(wgsl)`.
    pub fn kernel_id(self) -> KernelId {
        compute_primitives::kernel_id(self.wgsl().as_bytes())
    }

    /// The arguments `--arg` accepts, for messages.
    pub fn takes(self) -> &'static str {
        match self {
            Builtin::Matmul => matmul::TAKES,
            Builtin::Mandelbrot => mandelbrot::TAKES,
            Builtin::Conv2d => conv2d::TAKES,
            Builtin::PrefixSum => prefix_sum::TAKES,
            Builtin::BitonicSort => bitonic_sort::TAKES,
            Builtin::Sha256 => sha256::TAKES,
        }
    }
}

/// What each built-in kernel's module says about a job of a given size.
trait Kernel {
    /// The kernel.
    fn builtin(&self) -> Builtin;
    /// A one-line description of the size.
    fn describe(&self) -> String;
    /// The kernel's own limits on its size (see [`BuiltinJob::check`]).
    fn check(&self) -> Result<(), Error> {
        Ok(())
    }
    /// Lengths in bytes of the inputs it takes.
    fn input_lens(&self) -> Vec<u64>;
    /// Output length in bytes.
    fn output_len(&self) -> u64;
    /// The passes of its portable program, dispatches folded to `max_per_dimension`.
    fn passes(&self, max_per_dimension: u32) -> Vec<Pass>;
    /// Whether the CPU reference reads its inputs as bytes rather than u32 words.
    fn reads_bytes(&self) -> bool {
        false
    }
    /// The multithreaded CPU reference.
    fn reference(&self, inputs: &RefInputs) -> RefOutput;
    /// The work of a run, in [`Kernel::unit`]s.
    fn work(&self, output: &[u8]) -> f64;
    /// The unit of [`Kernel::work`].
    fn unit(&self) -> &'static str;
    /// Size and pixel format of the output, for an image kernel.
    fn image(&self) -> Option<(u32, u32, PixelFormat)> {
        None
    }
}

/// How an output holds an image's pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// One byte per pixel, rows of `stride` bytes.
    Gray8 {
        /// Bytes per row (at least the width).
        stride: usize,
    },
    /// One little-endian u32 per pixel, rows of `width` values.
    U32,
}

impl PixelFormat {
    /// The format of an output of `len` bytes holding a `width × height` image: bytes (rows of `width`, or
    /// padded to 4 bytes), else u32 values.
    pub fn guess(len: usize, width: u32, height: u32) -> Option<Self> {
        let (w, h) = (width as usize, height as usize);
        if len == w * h {
            Some(PixelFormat::Gray8 { stride: w })
        } else if len == w.div_ceil(4) * 4 * h {
            Some(PixelFormat::Gray8 { stride: w.div_ceil(4) * 4 })
        } else if len == 4 * w * h {
            Some(PixelFormat::U32)
        } else {
            None
        }
    }
}

/// Little-endian u32 words of `bytes` (a trailing partial word is ignored).
pub fn words(bytes: &[u8]) -> Vec<u32> {
    bytes.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
}

/// A built-in kernel with its size: what it takes, its program, its CPU reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuiltinJob {
    /// See [`Matmul`].
    Matmul(Matmul),
    /// See [`Mandelbrot`].
    Mandelbrot(Mandelbrot),
    /// See [`Conv2d`].
    Conv2d(Conv2d),
    /// See [`PrefixSum`].
    PrefixSum(PrefixSum),
    /// See [`BitonicSort`].
    BitonicSort(BitonicSort),
    /// See [`Sha256Batch`].
    Sha256(Sha256Batch),
}

/// The output of a CPU reference, before it is turned into bytes (not part of the timed work).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefOutput {
    /// u32 values (little-endian in the output).
    Words(Vec<u32>),
    /// Bytes.
    Bytes(Vec<u8>),
}

impl RefOutput {
    /// The output bytes, as the GPU writes them.
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            RefOutput::Words(words) => words.iter().flat_map(|w| w.to_le_bytes()).collect(),
            RefOutput::Bytes(bytes) => bytes,
        }
    }
}

/// Inputs of a CPU reference, converted from bytes (not part of the timed work).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefInputs {
    /// u32 inputs.
    Words(Vec<Vec<u32>>),
    /// Byte inputs.
    Bytes(Vec<Vec<u8>>),
}

impl RefInputs {
    /// Input `i` as words (empty when absent or held as bytes).
    fn words(&self, i: usize) -> &[u32] {
        match self {
            RefInputs::Words(w) => w.get(i).map(Vec::as_slice).unwrap_or(&[]),
            RefInputs::Bytes(_) => &[],
        }
    }

    /// Input `i` as bytes (empty when absent or held as words).
    fn bytes(&self, i: usize) -> &[u8] {
        match self {
            RefInputs::Bytes(b) => b.get(i).map(Vec::as_slice).unwrap_or(&[]),
            RefInputs::Words(_) => &[],
        }
    }
}

impl BuiltinJob {
    fn kernel(&self) -> &dyn Kernel {
        match self {
            BuiltinJob::Matmul(s) => s,
            BuiltinJob::Mandelbrot(s) => s,
            BuiltinJob::Conv2d(s) => s,
            BuiltinJob::PrefixSum(s) => s,
            BuiltinJob::BitonicSort(s) => s,
            BuiltinJob::Sha256(s) => s,
        }
    }

    /// A job of `builtin` sized by `args` (`name=value` pairs from `--arg`); unspecified sizes default to a
    /// small demonstration size.
    pub fn from_args(builtin: Builtin, args: &[(String, String)]) -> Result<Self, Error> {
        let job = match builtin {
            Builtin::Matmul => BuiltinJob::Matmul(Matmul::from_args(args)?),
            Builtin::Mandelbrot => BuiltinJob::Mandelbrot(Mandelbrot::from_args(args)?),
            Builtin::Conv2d => BuiltinJob::Conv2d(Conv2d::from_args(args)?),
            Builtin::PrefixSum => BuiltinJob::PrefixSum(PrefixSum::from_args(args)?),
            Builtin::BitonicSort => BuiltinJob::BitonicSort(BitonicSort::from_args(args)?),
            Builtin::Sha256 => BuiltinJob::Sha256(Sha256Batch::from_args(args)?),
        };
        job.check()?;
        Ok(job)
    }

    /// Checks the sizes: a non-empty output, and loops short enough for every driver. Mesa's llvmpipe
    /// (lavapipe) silently ends every invocation's loops after 65 535 iterations in total, so the built-ins
    /// keep each invocation well below that: matmul `k` ≤ 32 768 (≈ 1.6 iterations per k), mandelbrot
    /// `max_iter` ≤ 60 000, sha256 `len` ≤ 32 768 bytes (81 iterations per 64-byte block); conv2d's
    /// radius is at most 4 (its kernel holds a 16-pixel window).
    pub fn check(&self) -> Result<(), Error> {
        self.kernel().check()?;
        if self.output_len() == 0 {
            return Err(Error::bad_arg("size", "the output would be empty"));
        }
        Ok(())
    }

    /// The kernel.
    pub fn builtin(&self) -> Builtin {
        self.kernel().builtin()
    }

    /// A one-line description of the job's size.
    pub fn describe(&self) -> String {
        self.kernel().describe()
    }

    /// Lengths in bytes of the inputs it takes.
    pub fn input_lens(&self) -> Vec<u64> {
        self.kernel().input_lens()
    }

    /// Output length in bytes.
    pub fn output_len(&self) -> u64 {
        self.kernel().output_len()
    }

    /// Inputs for a demonstration or a benchmark, generated from `seed`, `seed + 1`, ...
    pub fn default_inputs(&self, seed: u64) -> Vec<Input> {
        self.input_lens().iter().enumerate().map(|(i, len)| Input::generated(seed + i as u64, *len)).collect()
    }

    /// `inputs`, or generated ones when none is given.
    pub fn complete_inputs(&self, inputs: Vec<Input>, seed: u64) -> Vec<Input> {
        if inputs.is_empty() {
            self.default_inputs(seed)
        } else {
            inputs
        }
    }

    /// The program, after checking that the inputs have the lengths the kernel takes: portable (no
    /// device-specific variant), as chain jobs carry it.
    pub fn program(&self, inputs: Vec<Input>) -> Result<Program, Error> {
        self.check()?;
        let expected = self.input_lens();
        let got: Vec<Option<u64>> = inputs.iter().map(|i| i.len().ok()).collect();
        if got.len() != expected.len() || got.iter().zip(&expected).any(|(g, e)| *g != Some(*e)) {
            return Err(Error::Inputs {
                builtin: self.builtin().name(),
                expected: format!("inputs of {expected:?} bytes"),
                got: format!("{got:?}"),
            });
        }
        Ok(Program {
            wgsl: Arc::from(self.builtin().wgsl()),
            inputs,
            output_len: self.output_len(),
            passes: self.kernel().passes(ProtocolLimits::CANONICAL.max_workgroups_per_dimension),
            exact: true,
        })
    }

    /// Converts input bytes for [`Self::run_reference`].
    pub fn reference_inputs(&self, inputs: &[&[u8]]) -> RefInputs {
        if self.kernel().reads_bytes() {
            RefInputs::Bytes(inputs.iter().map(|i| i.to_vec()).collect())
        } else {
            RefInputs::Words(inputs.iter().map(|i| words(i)).collect())
        }
    }

    /// The multithreaded CPU reference.
    pub fn run_reference(&self, inputs: &RefInputs) -> RefOutput {
        self.kernel().reference(inputs)
    }

    /// The reference output bytes of `inputs`.
    pub fn reference(&self, inputs: &[&[u8]]) -> Vec<u8> {
        self.run_reference(&self.reference_inputs(inputs)).into_bytes()
    }

    /// Image size (width, height) and pixel format of an image kernel's output.
    pub fn image(&self) -> Option<(u32, u32, PixelFormat)> {
        self.kernel().image()
    }

    /// The work the job does, in its unit (see [`Self::unit`]): computed from the size, or for the
    /// Mandelbrot set from the output (the iterations actually run).
    pub fn work(&self, output: &[u8]) -> f64 {
        self.kernel().work(output)
    }

    /// The unit of [`Self::work`].
    pub fn unit(&self) -> &'static str {
        self.kernel().unit()
    }
}

/// Parsing of `--arg name=value` pairs, shared by the kernels' modules.
mod args {
    use super::{Builtin, Error};

    /// `value` as a `T`.
    pub(crate) fn parse<T: std::str::FromStr>(arg: &str, value: &str) -> Result<T, Error> {
        value.parse().map_err(|_| Error::bad_arg(arg, format!("`{value}` is not valid")))
    }

    /// The error for an argument `builtin` does not take.
    pub(crate) fn unknown(builtin: Builtin, arg: &str) -> Error {
        Error::UnknownArg { builtin: builtin.name(), arg: arg.to_owned(), takes: builtin.takes() }
    }

    /// The one argument `n` of a kernel over an array (`default` when not given).
    pub(crate) fn length_arg(
        builtin: Builtin,
        default: u32,
        args: &[(String, String)],
    ) -> Result<u32, Error> {
        let mut n = default;
        for (arg, value) in args {
            match arg.as_str() {
                "n" => n = parse(arg, value)?,
                _ => return Err(unknown(builtin, arg)),
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_validate_as_exact_kernels() {
        for builtin in Builtin::ALL {
            let iface = compute_executor::validate::validate_wgsl(builtin.wgsl())
                .unwrap_or_else(|e| panic!("{} does not validate: {e}", builtin.name()));
            assert_eq!(iface.float_use, None, "{} uses floating point", builtin.name());
            assert_eq!(Builtin::from_name(builtin.name()).ok(), Some(builtin));
        }
    }

    #[test]
    fn the_runtime_registers_every_portable_kernel_by_name() {
        let registered: Vec<(&str, &str)> = compute_kernel_sources::PORTABLE.to_vec();
        assert_eq!(registered.len(), Builtin::ALL.len());
        for builtin in Builtin::ALL {
            assert!(registered.contains(&(builtin.name(), builtin.wgsl())), "{}", builtin.name());
        }
    }

    #[test]
    fn args_size_jobs() {
        let args = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        assert_eq!(
            BuiltinJob::from_args(Builtin::Matmul, &args(&[("size", "100")])).ok(),
            Some(BuiltinJob::Matmul(Matmul { m: 100, k: 100, n: 100 }))
        );
        assert!(BuiltinJob::from_args(Builtin::Matmul, &args(&[("width", "1")])).is_err());
        assert!(BuiltinJob::from_args(Builtin::Sha256, &args(&[("len", "5")])).is_err());
        let BuiltinJob::Mandelbrot(m) =
            BuiltinJob::from_args(Builtin::Mandelbrot, &args(&[("x0", "-0.5"), ("step", "0.001")])).unwrap()
        else {
            panic!("not a mandelbrot job")
        };
        assert_eq!((m.x0, m.step), (-2048, 4));
        assert_eq!(
            BuiltinJob::from_args(Builtin::Matmul, &args(&[("k", "40000")])).unwrap_err().to_string(),
            Error::bad_arg("k", "at most 32768").to_string()
        );
        assert_eq!(
            BuiltinJob::from_args(Builtin::PrefixSum, &args(&[("n", "0")])).unwrap_err().to_string(),
            Error::bad_arg("size", "the output would be empty").to_string()
        );
    }

    #[test]
    fn image_outputs_guess_their_format() {
        assert_eq!(PixelFormat::guess(8, 3, 2), Some(PixelFormat::Gray8 { stride: 4 }));
        assert_eq!(PixelFormat::guess(24, 3, 2), Some(PixelFormat::U32));
        assert_eq!(PixelFormat::guess(7, 3, 2), None);
        let conv = BuiltinJob::Conv2d(Conv2d::blur(13, 7, 1));
        assert_eq!(conv.image(), Some((13, 7, PixelFormat::Gray8 { stride: 16 })));
        assert_eq!(BuiltinJob::PrefixSum(PrefixSum { n: 4 }).image(), None);
    }
}
