//! The built-in kernel library (`gpu-worker/kernels/*.wgsl`): integer and fixed-point kernels whose outputs
//! are bit-exact on every device, each with a multithreaded CPU reference in [`crate::reference`].
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

use std::sync::Arc;

use compute_primitives::KernelId;
use thiserror::Error;

use crate::exec::Validation;
use crate::gpu::context::DeviceTraits;
use crate::gpu::limits::ProtocolLimits;
use crate::program::{fold_dispatch, Input, Pass, Program};
use crate::reference;

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
    pub fn from_name(name: &str) -> Result<Self, BuiltinError> {
        Self::ALL.into_iter().find(|b| b.name() == name).ok_or_else(|| BuiltinError::Unknown(name.to_owned()))
    }

    /// Its WGSL source.
    pub fn wgsl(self) -> &'static str {
        match self {
            Builtin::Matmul => include_str!("../../kernels/matmul.wgsl"),
            Builtin::Mandelbrot => include_str!("../../kernels/mandelbrot.wgsl"),
            Builtin::Conv2d => include_str!("../../kernels/conv2d.wgsl"),
            Builtin::PrefixSum => include_str!("../../kernels/prefix_sum.wgsl"),
            Builtin::BitonicSort => include_str!("../../kernels/bitonic_sort.wgsl"),
            Builtin::Sha256 => include_str!("../../kernels/sha256.wgsl"),
        }
    }

    /// Its kernel id, `blake3(wgsl)`.
    pub fn kernel_id(self) -> KernelId {
        compute_primitives::kernel_id(self.wgsl().as_bytes())
    }

    /// The arguments `--arg` accepts, for messages.
    pub fn takes(self) -> &'static str {
        match self {
            Builtin::Matmul => "m, k, n (or size for all three)",
            Builtin::Mandelbrot => {
                "width, height, max_iter, x0, y0, step (decimal numbers, stored as Q19.12)"
            }
            Builtin::Conv2d => {
                "width, height, radius (at most 4), shift, weights (comma-separated i32, row-major)"
            }
            Builtin::PrefixSum | Builtin::BitonicSort => "n",
            Builtin::Sha256 => "count, len (message length in bytes, a multiple of 4)",
        }
    }
}

fn wgsl_of(builtin: Builtin) -> Arc<str> {
    Arc::from(builtin.wgsl())
}

/// Whether a device with `traits` runs the variants for CPU implementations ([`MATMUL_CPU_WGSL`],
/// [`CONV2D_CPU_WGSL`]): a CPU device with 64-bit integers and subgroups of exactly 8 invocations (lavapipe
/// on a CPU with AVX2).
pub fn runs_cpu_variants(traits: &DeviceTraits) -> bool {
    traits.cpu && traits.int64 && traits.fixed_subgroup_size == Some(8)
}

/// The matrix multiply for CPU devices ([`runs_cpu_variants`]), for k and n multiples of 4
/// (generated by `scripts/generate-matmul-cpu.py`): one subgroup of 8 computes a [`MATMUL_CPU_ROWS`] ×
/// [`MATMUL_CPU_COLS`] tile, reading A and B as texel inputs ([`crate::gpu::texels`], four elements per
/// fetch) and sharing A values through `subgroupBroadcast` instead of workgroup memory. Same function and
/// parameters as [`Builtin::Matmul`], same inputs bound as textures; checked against the same CPU reference.
pub const MATMUL_CPU_WGSL: &str = include_str!("../../kernels/matmul_cpu.wgsl");

/// Rows of C per workgroup of [`MATMUL_CPU_WGSL`] (the generator's first argument).
pub const MATMUL_CPU_ROWS: u32 = 64;

/// Columns of C per workgroup of [`MATMUL_CPU_WGSL`] (the generator's third argument).
pub const MATMUL_CPU_COLS: u32 = 64;

/// The 2-D convolution for CPU devices, for images whose rows are a multiple of 4 words (generated by
/// `scripts/generate-conv2d-cpu.py`): the image read as a texel input ([`crate::gpu::texels`]), 64-bit
/// stores, each invocation walking down a 32-pixel column strip of [`CONV2D_CPU_ROWS`] rows with the output
/// rows in flight in registers. Same function, parameters and entry points as [`Builtin::Conv2d`], the same
/// input bound as a texture.
pub const CONV2D_CPU_WGSL: &str = include_str!("../../kernels/conv2d_cpu.wgsl");

/// Output rows per workgroup of [`CONV2D_CPU_WGSL`] (the generator's argument).
pub const CONV2D_CPU_ROWS: u32 = 64;

/// Image words (u32) per workgroup of [`CONV2D_CPU_WGSL`]: 8 invocations × 4 u64 words.
const CONV2D_CPU_WORDS: u32 = 64;

/// Whether `kernel_id` is one of the built-in kernels' device-specific variants. Only these may use subgroup
/// operations, 64-bit integers and texel inputs, and only on a device they were written for
/// ([`runs_cpu_variants`]): the result of a kernel that uses subgroups can depend on the subgroup size,
/// which differs between devices, so jobs from the chain are validated without them.
pub fn is_device_variant(kernel_id: &KernelId) -> bool {
    static IDS: std::sync::OnceLock<[KernelId; 2]> = std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        [MATMUL_CPU_WGSL, CONV2D_CPU_WGSL].map(|wgsl| compute_primitives::kernel_id(wgsl.as_bytes()))
    })
    .contains(kernel_id)
}

/// How to validate a program the worker built itself from the library ([`BuiltinJob::program`],
/// [`BuiltinJob::program_for_device`], [`device_equivalent`]): its device variants with their extensions,
/// everything else as any job. Never for a program received from someone else.
pub fn validation_of(program: &Program) -> Validation {
    if is_device_variant(&compute_primitives::kernel_id(program.wgsl.as_bytes())) {
        Validation::DeviceVariant
    } else {
        Validation::Portable
    }
}

/// A faster program that computes the same bytes as `program` on a device with `traits`: when `program` is
/// exactly the portable program of a built-in job ([`BuiltinJob::program`]: the same source, entry point,
/// dispatch, parameters, output length and input lengths) and the library has a variant for that job on this
/// device. This is how a provider runs a chain job of a built-in kernel as the device's variant; anything
/// else, including a built-in kernel with any other dispatch, runs as it is.
pub fn device_equivalent(program: &Program, traits: DeviceTraits) -> Option<Program> {
    if !runs_cpu_variants(&traits) {
        return None;
    }
    let [pass] = program.passes.as_slice() else {
        return None;
    };
    let words = reference::words(&pass.params);
    let job = if *program.wgsl == *Builtin::Matmul.wgsl() {
        let [m, k, n, _] = words.as_slice() else {
            return None;
        };
        BuiltinJob::Matmul(Matmul { m: *m, k: *k, n: *n })
    } else if *program.wgsl == *Builtin::Conv2d.wgsl() {
        let radius = pass.entry_point.strip_prefix("main_r")?.parse().ok()?;
        let [width, height, _stride, shift, weights @ ..] = words.as_slice() else {
            return None;
        };
        let mut all = [0i32; 81];
        for (slot, word) in all.iter_mut().zip(weights) {
            *slot = *word as i32;
        }
        BuiltinJob::Conv2d(Conv2d { width: *width, height: *height, radius, shift: *shift, weights: all })
    } else {
        return None;
    };
    let portable = job.program(program.inputs.clone()).ok()?;
    if portable != *program {
        return None;
    }
    let variant = job.program_for_device(program.inputs.clone(), traits).ok()?;
    (variant != portable).then_some(variant)
}

/// `C (m × n) = A (m × k) · B (k × n)`, u32, row-major, wrapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Matmul {
    /// Rows of A and C.
    pub m: u32,
    /// Columns of A, rows of B.
    pub k: u32,
    /// Columns of B and C.
    pub n: u32,
}

/// Fixed-point scale of [`Mandelbrot`] coordinates: Q19.12.
pub const MANDELBROT_ONE: i32 = 1 << 12;

/// The Mandelbrot set over `width × height` pixels; pixel (px, py) is c = (x0 + px·step, y0 + py·step), in
/// Q19.12 fixed point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mandelbrot {
    /// Image width.
    pub width: u32,
    /// Image height.
    pub height: u32,
    /// Iteration limit.
    pub max_iter: u32,
    /// Real part of the top-left pixel (Q19.12).
    pub x0: i32,
    /// Imaginary part of the top-left pixel (Q19.12).
    pub y0: i32,
    /// Distance between pixels (Q19.12).
    pub step: i32,
}

impl Mandelbrot {
    /// The whole set, x ∈ [−2.5, 1.0], centred vertically.
    pub fn view(width: u32, height: u32, max_iter: u32) -> Self {
        let span = 7 * MANDELBROT_ONE / 2; // 3.5
        let step = (span / width.max(1) as i32).max(1);
        Mandelbrot {
            width,
            height,
            max_iter,
            x0: -5 * MANDELBROT_ONE / 2,
            y0: -(height as i32 / 2).saturating_mul(step),
            step,
        }
    }
}

/// Largest radius of [`Conv2d`] (9 × 9 taps).
pub const CONV_MAX_RADIUS: u32 = 4;
/// Number of weight slots in the parameters of [`Conv2d`]: (2 · 4 + 1)² rounded up to vectors of 4.
const CONV_WEIGHT_SLOTS: usize = 84;

/// A 2-D convolution of a `width × height` 8-bit greyscale image (rows padded to 4-byte words) with
/// (2·radius + 1)² i32 weights, shifted right by `shift` and clamped to 0..=255.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2d {
    /// Image width in pixels.
    pub width: u32,
    /// Image height in pixels.
    pub height: u32,
    /// Filter radius, at most [`CONV_MAX_RADIUS`].
    pub radius: u32,
    /// Arithmetic right shift of the sums.
    pub shift: u32,
    /// The weights, row-major; the first (2·radius + 1)² are used.
    pub weights: [i32; 81],
}

impl Conv2d {
    /// A binomial (Gaussian) blur of `radius`: weights C(2r, i)·C(2r, j), which sum to 2^(4r), and shift 4r.
    pub fn blur(width: u32, height: u32, radius: u32) -> Self {
        let side = 2 * radius.min(CONV_MAX_RADIUS) as usize + 1;
        let mut row = vec![1i32; side];
        for i in 1..side {
            row[i] = row[i - 1] * (side - i) as i32 / i as i32;
        }
        let mut weights = [0i32; 81];
        for (i, w) in weights.iter_mut().take(side * side).enumerate() {
            *w = row[i / side] * row[i % side];
        }
        Conv2d { width, height, radius, shift: 4 * radius, weights }
    }

    /// A filter with the given weights ((2·radius + 1)² of them, row-major).
    pub fn with_weights(width: u32, height: u32, radius: u32, shift: u32, weights: &[i32]) -> Self {
        let mut all = [0i32; 81];
        for (slot, w) in all.iter_mut().zip(weights) {
            *slot = *w;
        }
        Conv2d { width, height, radius, shift, weights: all }
    }

    /// Number of weights.
    pub fn taps(&self) -> u64 {
        let side = 2 * u64::from(self.radius) + 1;
        side * side
    }

    /// The used weights.
    pub fn used_weights(&self) -> &[i32] {
        let taps = (self.taps() as usize).min(self.weights.len());
        &self.weights[..taps]
    }

    /// Words per image row: ceil(width / 4).
    pub fn stride(&self) -> u32 {
        self.width.div_ceil(4)
    }

    /// Bytes of an image (input or output): stride · 4 · height.
    pub fn image_len(&self) -> u64 {
        4 * u64::from(self.stride()) * u64::from(self.height)
    }

    /// The uniform parameters: width, height, stride, shift, then the weights in 84 i32 slots.
    pub fn params(&self) -> Vec<u8> {
        let mut words = vec![self.width, self.height, self.stride(), self.shift];
        let mut slots = [0i32; CONV_WEIGHT_SLOTS];
        slots[..self.used_weights().len()].copy_from_slice(self.used_weights());
        words.extend(slots.iter().map(|&w| w as u32));
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
}

/// Inclusive prefix sum of `n` u32 values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PrefixSum {
    /// Number of values.
    pub n: u32,
}

/// Sort of `n` u32 keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BitonicSort {
    /// Number of keys.
    pub n: u32,
}

/// SHA-256 of `count` messages of `len` bytes each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sha256Batch {
    /// Number of messages.
    pub count: u32,
    /// Bytes per message, a multiple of 4.
    pub len: u32,
}

impl Sha256Batch {
    /// Compression-function blocks per message (the message, 0x80, zeros and the 64-bit length).
    pub fn blocks_per_message(&self) -> u64 {
        (u64::from(self.len) + 8) / 64 + 1
    }
}

/// Elements per workgroup in the multi-pass kernels (`BLOCK` in their WGSL).
pub const BLOCK: u32 = 1024;

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

fn parse_arg<T: std::str::FromStr>(arg: &str, value: &str) -> Result<T, BuiltinError> {
    value
        .parse()
        .map_err(|_| BuiltinError::BadArg { arg: arg.to_owned(), why: format!("`{value}` is not valid") })
}

fn fixed(arg: &str, value: &str) -> Result<i32, BuiltinError> {
    let v: f64 = parse_arg(arg, value)?;
    let q = (v * f64::from(MANDELBROT_ONE)).round();
    if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&q) {
        return Err(BuiltinError::BadArg { arg: arg.to_owned(), why: "out of the Q19.12 range".into() });
    }
    Ok(q as i32)
}

impl BuiltinJob {
    /// A job of `builtin` sized by `args` (`name=value` pairs from `--arg`); unspecified sizes default to a
    /// small demonstration size.
    pub fn from_args(builtin: Builtin, args: &[(String, String)]) -> Result<Self, BuiltinError> {
        let unknown = |arg: &str| BuiltinError::UnknownArg {
            builtin: builtin.name(),
            arg: arg.to_owned(),
            takes: builtin.takes(),
        };
        let mut job = match builtin {
            Builtin::Matmul => BuiltinJob::Matmul(Matmul { m: 256, k: 256, n: 256 }),
            Builtin::Mandelbrot => BuiltinJob::Mandelbrot(Mandelbrot::view(1024, 768, 256)),
            Builtin::Conv2d => BuiltinJob::Conv2d(Conv2d::blur(1024, 768, 2)),
            Builtin::PrefixSum => BuiltinJob::PrefixSum(PrefixSum { n: 1 << 20 }),
            Builtin::BitonicSort => BuiltinJob::BitonicSort(BitonicSort { n: 1 << 16 }),
            Builtin::Sha256 => BuiltinJob::Sha256(Sha256Batch { count: 1 << 16, len: 80 }),
        };
        // The view of the Mandelbrot set follows its size unless x0, y0 or step are given.
        let mut mandel_view = true;
        // The convolution is a blur of its radius unless weights are given.
        let mut custom_weights = None;
        for (arg, value) in args {
            match (&mut job, arg.as_str()) {
                (BuiltinJob::Matmul(s), "size") => {
                    let size = parse_arg(arg, value)?;
                    (s.m, s.k, s.n) = (size, size, size);
                }
                (BuiltinJob::Matmul(s), "m") => s.m = parse_arg(arg, value)?,
                (BuiltinJob::Matmul(s), "k") => s.k = parse_arg(arg, value)?,
                (BuiltinJob::Matmul(s), "n") => s.n = parse_arg(arg, value)?,
                (BuiltinJob::Mandelbrot(s), "width") => s.width = parse_arg(arg, value)?,
                (BuiltinJob::Mandelbrot(s), "height") => s.height = parse_arg(arg, value)?,
                (BuiltinJob::Mandelbrot(s), "max_iter") => s.max_iter = parse_arg(arg, value)?,
                (BuiltinJob::Mandelbrot(s), "x0") => (s.x0, mandel_view) = (fixed(arg, value)?, false),
                (BuiltinJob::Mandelbrot(s), "y0") => (s.y0, mandel_view) = (fixed(arg, value)?, false),
                (BuiltinJob::Mandelbrot(s), "step") => (s.step, mandel_view) = (fixed(arg, value)?, false),
                (BuiltinJob::Conv2d(s), "width") => s.width = parse_arg(arg, value)?,
                (BuiltinJob::Conv2d(s), "height") => s.height = parse_arg(arg, value)?,
                (BuiltinJob::Conv2d(s), "radius") => s.radius = parse_arg(arg, value)?,
                (BuiltinJob::Conv2d(s), "shift") => s.shift = parse_arg(arg, value)?,
                (BuiltinJob::Conv2d(s), "weights") => {
                    let weights = value
                        .split(',')
                        .map(|w| parse_arg(arg, w.trim()))
                        .collect::<Result<Vec<i32>, _>>()?;
                    if weights.len() > s.weights.len() {
                        return Err(BuiltinError::BadArg {
                            arg: arg.clone(),
                            why: "at most 81 weights".into(),
                        });
                    }
                    s.weights = [0; 81];
                    s.weights[..weights.len()].copy_from_slice(&weights);
                    custom_weights = Some(weights.len());
                }
                (BuiltinJob::PrefixSum(s), "n") => s.n = parse_arg(arg, value)?,
                (BuiltinJob::BitonicSort(s), "n") => s.n = parse_arg(arg, value)?,
                (BuiltinJob::Sha256(s), "count") => s.count = parse_arg(arg, value)?,
                (BuiltinJob::Sha256(s), "len") => s.len = parse_arg(arg, value)?,
                _ => return Err(unknown(arg)),
            }
        }
        if let BuiltinJob::Mandelbrot(s) = &mut job {
            if mandel_view {
                *s = Mandelbrot::view(s.width, s.height, s.max_iter);
            }
        }
        if let BuiltinJob::Conv2d(s) = &mut job {
            match custom_weights {
                None => {
                    let shift = s.shift;
                    *s = Conv2d::blur(s.width, s.height, s.radius);
                    if args.iter().any(|(a, _)| a == "shift") {
                        s.shift = shift;
                    }
                }
                Some(n) if n as u64 != s.taps() => {
                    return Err(BuiltinError::BadArg {
                        arg: "weights".into(),
                        why: format!("{n} weights for radius {} (which takes {})", s.radius, s.taps()),
                    })
                }
                Some(_) => {}
            }
        }
        job.check()?;
        Ok(job)
    }

    /// Checks the sizes: a non-empty output, and loops short enough for every driver. Mesa's llvmpipe
    /// (lavapipe) silently ends every invocation's loops after 65 535 iterations in total, so the built-ins
    /// keep each invocation well below that: matmul `k` ≤ 32 768 (≈ 1.6 iterations per k), mandelbrot
    /// `max_iter` ≤ 60 000, sha256 `len` ≤ 32 768 bytes (81 iterations per 64-byte block); conv2d's
    /// radius is at most 4 (its kernel holds a 16-pixel window).
    pub fn check(&self) -> Result<(), BuiltinError> {
        let bad = |arg: &str, why: &str| Err(BuiltinError::BadArg { arg: arg.into(), why: why.into() });
        match *self {
            BuiltinJob::Matmul(s) if s.k > 32_768 => return bad("k", "at most 32768"),
            BuiltinJob::Mandelbrot(s) if s.max_iter > 60_000 => return bad("max_iter", "at most 60000"),
            BuiltinJob::Conv2d(s) if s.radius > CONV_MAX_RADIUS => return bad("radius", "at most 4"),
            BuiltinJob::Sha256(s) if s.len % 4 != 0 || s.len > 32_768 => {
                return bad("len", "a multiple of 4, at most 32768")
            }
            _ => {}
        }
        if self.output_len() == 0 {
            return bad("size", "the output would be empty");
        }
        Ok(())
    }

    /// The kernel.
    pub fn builtin(&self) -> Builtin {
        match self {
            BuiltinJob::Matmul(_) => Builtin::Matmul,
            BuiltinJob::Mandelbrot(_) => Builtin::Mandelbrot,
            BuiltinJob::Conv2d(_) => Builtin::Conv2d,
            BuiltinJob::PrefixSum(_) => Builtin::PrefixSum,
            BuiltinJob::BitonicSort(_) => Builtin::BitonicSort,
            BuiltinJob::Sha256(_) => Builtin::Sha256,
        }
    }

    /// A one-line description of the job's size.
    pub fn describe(&self) -> String {
        match self {
            BuiltinJob::Matmul(s) => format!("{}x{}x{}", s.m, s.k, s.n),
            BuiltinJob::Mandelbrot(s) => format!("{}x{} max_iter {}", s.width, s.height, s.max_iter),
            BuiltinJob::Conv2d(s) => {
                format!("{}x{} {}x{} taps", s.width, s.height, 2 * s.radius + 1, 2 * s.radius + 1)
            }
            BuiltinJob::PrefixSum(s) => format!("{} u32", s.n),
            BuiltinJob::BitonicSort(s) => format!("{} u32 keys", s.n),
            BuiltinJob::Sha256(s) => format!("{} msgs x {} B", s.count, s.len),
        }
    }

    /// Lengths in bytes of the inputs it takes.
    pub fn input_lens(&self) -> Vec<u64> {
        match *self {
            BuiltinJob::Matmul(s) => {
                vec![4 * u64::from(s.m) * u64::from(s.k), 4 * u64::from(s.k) * u64::from(s.n)]
            }
            BuiltinJob::Mandelbrot(_) => vec![],
            BuiltinJob::Conv2d(s) => vec![s.image_len()],
            BuiltinJob::PrefixSum(s) => vec![4 * u64::from(s.n)],
            BuiltinJob::BitonicSort(s) => vec![4 * u64::from(s.n)],
            BuiltinJob::Sha256(s) => vec![u64::from(s.count) * u64::from(s.len)],
        }
    }

    /// Output length in bytes.
    pub fn output_len(&self) -> u64 {
        match *self {
            BuiltinJob::Matmul(s) => 4 * u64::from(s.m) * u64::from(s.n),
            BuiltinJob::Mandelbrot(s) => 4 * u64::from(s.width) * u64::from(s.height),
            BuiltinJob::Conv2d(s) => s.image_len(),
            BuiltinJob::PrefixSum(s) => 4 * u64::from(s.n),
            BuiltinJob::BitonicSort(s) => 4 * u64::from(s.n),
            BuiltinJob::Sha256(s) => 32 * u64::from(s.count),
        }
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

    /// The fastest program for a device with `traits`: a device-specific variant where the library has one
    /// for this job, otherwise [`Self::program`]. Both compute the same bytes; only [`Self::program`] may be
    /// sent to the chain.
    pub fn program_for_device(
        &self,
        inputs: Vec<Input>,
        traits: DeviceTraits,
    ) -> Result<Program, BuiltinError> {
        let mut program = self.program(inputs)?;
        if !runs_cpu_variants(&traits) {
            return Ok(program);
        }
        match self {
            BuiltinJob::Matmul(s) if s.k % 4 == 0 && s.n % 4 == 0 => {
                program.wgsl = Arc::from(MATMUL_CPU_WGSL);
                program.passes[0].workgroups =
                    [s.n.div_ceil(MATMUL_CPU_COLS), s.m.div_ceil(MATMUL_CPU_ROWS), 1];
            }
            BuiltinJob::Conv2d(s) if s.stride() % 4 == 0 => {
                program.wgsl = Arc::from(CONV2D_CPU_WGSL);
                program.passes[0].workgroups =
                    [s.stride().div_ceil(CONV2D_CPU_WORDS), s.height.div_ceil(CONV2D_CPU_ROWS), 1];
            }
            _ => {}
        }
        Ok(program)
    }

    /// The program, after checking that the inputs have the lengths the kernel takes: portable (no
    /// device-specific variant), as chain jobs carry it.
    pub fn program(&self, inputs: Vec<Input>) -> Result<Program, BuiltinError> {
        self.check()?;
        let expected = self.input_lens();
        let got: Vec<Option<u64>> = inputs.iter().map(|i| i.len().ok()).collect();
        if got.len() != expected.len() || got.iter().zip(&expected).any(|(g, e)| *g != Some(*e)) {
            return Err(BuiltinError::Inputs {
                builtin: self.builtin().name(),
                expected: format!("inputs of {expected:?} bytes"),
                got: format!("{got:?}"),
            });
        }
        let max = ProtocolLimits::CANONICAL.max_workgroups_per_dimension;
        let passes = match *self {
            BuiltinJob::Matmul(s) => {
                vec![Pass::new("main", [s.n.div_ceil(128), s.m.div_ceil(128), 1], &[s.m, s.k, s.n, 0])]
            }
            BuiltinJob::Mandelbrot(s) => vec![Pass::new(
                "main",
                [s.width.div_ceil(16), s.height.div_ceil(16), 1],
                &[s.width, s.height, s.max_iter, 0, s.x0 as u32, s.y0 as u32, s.step as u32, 0],
            )],
            BuiltinJob::Conv2d(s) => vec![Pass {
                entry_point: format!("main_r{}", s.radius),
                workgroups: [s.width.div_ceil(8).div_ceil(8), s.height.div_ceil(4).div_ceil(8), 1],
                params: s.params(),
            }],
            BuiltinJob::PrefixSum(s) => prefix_sum_passes(s.n, max),
            BuiltinJob::BitonicSort(s) => bitonic_passes(s.n, max),
            BuiltinJob::Sha256(s) => {
                vec![Pass::new(
                    "main",
                    fold_dispatch(u64::from(s.count).div_ceil(64), max),
                    &[s.count, s.len, 0, 0],
                )]
            }
        };
        Ok(Program {
            wgsl: wgsl_of(self.builtin()),
            inputs,
            output_len: self.output_len(),
            passes,
            exact: true,
        })
    }

    /// Converts input bytes for [`Self::run_reference`].
    pub fn reference_inputs(&self, inputs: &[&[u8]]) -> RefInputs {
        match self {
            BuiltinJob::Sha256(_) | BuiltinJob::Conv2d(_) => {
                RefInputs::Bytes(inputs.iter().map(|i| i.to_vec()).collect())
            }
            _ => RefInputs::Words(inputs.iter().map(|i| reference::words(i)).collect()),
        }
    }

    /// The multithreaded CPU reference.
    pub fn run_reference(&self, inputs: &RefInputs) -> RefOutput {
        let words = |i: usize| match inputs {
            RefInputs::Words(w) => w.get(i).map(Vec::as_slice).unwrap_or(&[]),
            RefInputs::Bytes(_) => &[],
        };
        let bytes = |i: usize| match inputs {
            RefInputs::Bytes(b) => b.get(i).map(Vec::as_slice).unwrap_or(&[]),
            RefInputs::Words(_) => &[],
        };
        match *self {
            BuiltinJob::Matmul(s) => RefOutput::Words(reference::matmul(words(0), words(1), s.m, s.k, s.n)),
            BuiltinJob::Mandelbrot(s) => RefOutput::Words(reference::mandelbrot(&s)),
            BuiltinJob::Conv2d(s) => RefOutput::Bytes(reference::conv2d(bytes(0), &s)),
            BuiltinJob::PrefixSum(_) => RefOutput::Words(reference::prefix_sum(words(0))),
            BuiltinJob::BitonicSort(_) => RefOutput::Words(reference::sort(words(0))),
            BuiltinJob::Sha256(s) => RefOutput::Bytes(reference::sha256_batch(bytes(0), s.count, s.len)),
        }
    }

    /// The reference output bytes of `inputs`.
    pub fn reference(&self, inputs: &[&[u8]]) -> Vec<u8> {
        self.run_reference(&self.reference_inputs(inputs)).into_bytes()
    }

    /// Image size (width, height) and pixel format of an image kernel's output.
    pub fn image(&self) -> Option<(u32, u32, crate::image::PixelFormat)> {
        use crate::image::PixelFormat;
        match self {
            BuiltinJob::Mandelbrot(s) => Some((s.width, s.height, PixelFormat::U32)),
            BuiltinJob::Conv2d(s) => {
                Some((s.width, s.height, PixelFormat::Gray8 { stride: 4 * s.stride() as usize }))
            }
            _ => None,
        }
    }

    /// The work the job does, in its unit (see [`Self::unit`]): computed from the size, or for the
    /// Mandelbrot set from the output (the iterations actually run).
    pub fn work(&self, output: &[u8]) -> f64 {
        match *self {
            BuiltinJob::Matmul(s) => f64::from(s.m) * f64::from(s.k) * f64::from(s.n),
            BuiltinJob::Mandelbrot(_) => {
                reference::words(output).iter().map(|&i| f64::from(i)).sum::<f64>().max(1.0)
            }
            BuiltinJob::Conv2d(s) => f64::from(s.width) * f64::from(s.height) * s.taps() as f64,
            BuiltinJob::PrefixSum(s) => f64::from(s.n),
            BuiltinJob::BitonicSort(s) => f64::from(s.n),
            BuiltinJob::Sha256(s) => f64::from(s.count) * s.blocks_per_message() as f64,
        }
    }

    /// The unit of [`Self::work`].
    pub fn unit(&self) -> &'static str {
        match self {
            BuiltinJob::Matmul(_) | BuiltinJob::Conv2d(_) => "multiply-adds",
            BuiltinJob::Mandelbrot(_) => "iterations",
            BuiltinJob::PrefixSum(_) => "elements",
            BuiltinJob::BitonicSort(_) => "keys",
            BuiltinJob::Sha256(_) => "SHA-256 blocks",
        }
    }
}

/// Number of elements at `stride` in an array of `n`: positions (i + 1)·stride − 1 < n.
fn count_at(n: u32, stride: u64) -> u64 {
    u64::from(n) / stride
}

/// The passes of the prefix sum of `n` values (see `kernels/prefix_sum.wgsl`).
pub fn prefix_sum_passes(n: u32, max_per_dimension: u32) -> Vec<Pass> {
    let block = u64::from(BLOCK);
    let mut passes = Vec::new();
    let mut strides = vec![1u64];
    passes.push(Pass::new(
        "scan_blocks",
        fold_dispatch(count_at(n, 1).div_ceil(block), max_per_dimension),
        &[n, 1, 1, 0],
    ));
    let mut stride = 1u64;
    while count_at(n, stride).div_ceil(block) > 1 {
        stride *= block;
        strides.push(stride);
        passes.push(Pass::new(
            "scan_blocks",
            fold_dispatch(count_at(n, stride).div_ceil(block), max_per_dimension),
            &[n, stride as u32, 0, 0],
        ));
    }
    for &stride in strides.iter().rev().skip(1) {
        passes.push(Pass::new(
            "add_block_sums",
            fold_dispatch(count_at(n, stride).div_ceil(block), max_per_dimension),
            &[n, stride as u32, 0, 0],
        ));
    }
    passes
}

/// The passes of the bitonic sort of `n` keys (see `kernels/bitonic_sort.wgsl`).
pub fn bitonic_passes(n: u32, max_per_dimension: u32) -> Vec<Pass> {
    let padded = u64::from(n.max(1)).next_power_of_two();
    let local_groups = fold_dispatch(u64::from(n).div_ceil(u64::from(BLOCK)), max_per_dimension);
    let global_groups = fold_dispatch((padded / 2).div_ceil(256), max_per_dimension);
    let mut passes = vec![Pass::new("local_sort", local_groups, &[n, 0, 0, 0])];
    let mut k = 2 * u64::from(BLOCK);
    while k <= padded {
        passes.push(Pass::new("flip", global_groups, &[n, k as u32, 0, 0]));
        let mut j = k / 4;
        while j >= u64::from(BLOCK) {
            passes.push(Pass::new("disperse", global_groups, &[n, 0, j as u32, 0]));
            j /= 2;
        }
        passes.push(Pass::new("local_disperse", local_groups, &[n, 0, 0, 0]));
        k *= 2;
    }
    passes
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated variants write the texel layout's row length as literals; they must agree with it.
    #[test]
    fn variants_address_texels_with_the_executors_layout() {
        use crate::gpu::texels::TEXELS_PER_ROW;
        let addressing = format!("t & {}u, t >> {}u", TEXELS_PER_ROW - 1, TEXELS_PER_ROW.trailing_zeros());
        assert!(TEXELS_PER_ROW.is_power_of_two());
        for wgsl in [MATMUL_CPU_WGSL, CONV2D_CPU_WGSL] {
            assert!(wgsl.contains(&addressing), "{addressing}");
        }
    }

    #[test]
    fn builtins_validate_as_exact_kernels() {
        for builtin in Builtin::ALL {
            let iface = crate::validate::validate_wgsl(builtin.wgsl())
                .unwrap_or_else(|e| panic!("{} does not validate: {e}", builtin.name()));
            assert_eq!(iface.float_use, None, "{} uses floating point", builtin.name());
            assert_eq!(Builtin::from_name(builtin.name()), Ok(builtin));
        }
    }

    #[test]
    fn device_variants_validate_and_match_their_generators() {
        for (wgsl, generated_by, portable) in [
            (
                MATMUL_CPU_WGSL,
                format!("generate-matmul-cpu.py {MATMUL_CPU_ROWS} 4 {MATMUL_CPU_COLS};"),
                Builtin::Matmul,
            ),
            (CONV2D_CPU_WGSL, format!("generate-conv2d-cpu.py {CONV2D_CPU_ROWS};"), Builtin::Conv2d),
        ] {
            assert!(wgsl.lines().next().unwrap_or_default().contains(&generated_by), "{generated_by}");
            assert!(is_device_variant(&compute_primitives::kernel_id(wgsl.as_bytes())));
            assert!(crate::validate::validate_wgsl(wgsl).is_err(), "jobs may not use subgroups or int64");
            let iface = crate::validate::validate_device_variant(wgsl)
                .unwrap_or_else(|e| panic!("{generated_by} does not validate: {e}"));
            let portable = crate::validate::validate_wgsl(portable.wgsl()).expect("the portable kernel");
            assert_eq!(iface.float_use, None);
            assert_eq!(
                (iface.inputs, iface.has_params),
                (portable.inputs, portable.has_params),
                "{generated_by}"
            );
            let names = |i: &crate::validate::KernelInterface| -> Vec<String> {
                i.entry_points.iter().map(|e| e.name.clone()).collect()
            };
            assert_eq!(names(&iface), names(&portable), "{generated_by}: same entry points");
        }
        assert!(!is_device_variant(&Builtin::Matmul.kernel_id()));
    }

    #[test]
    fn chain_programs_of_builtins_run_as_device_variants_only_when_identical() {
        let lavapipe = DeviceTraits { cpu: true, fixed_subgroup_size: Some(8), int64: true };
        // (Programs are compared with `assert!`: a failing `assert_eq!` would print the generated sources.)
        let matmul = BuiltinJob::Matmul(Matmul { m: 300, k: 40, n: 400 });
        let portable = matmul.program(matmul.default_inputs(1)).unwrap();
        let variant = device_equivalent(&portable, lavapipe).expect("a variant");
        assert!(*variant.wgsl == *MATMUL_CPU_WGSL);
        assert!(variant == matmul.program_for_device(matmul.default_inputs(1), lavapipe).unwrap());
        assert!(device_equivalent(&portable, DeviceTraits::default()).is_none(), "not on other devices");
        let mut partial = portable.clone();
        partial.passes[0].workgroups = [1, 1, 1];
        assert!(device_equivalent(&partial, lavapipe).is_none(), "another dispatch is another function");
        for (k, n) in [(5, 4), (6, 4), (4, 6)] {
            let unaligned = BuiltinJob::Matmul(Matmul { m: 3, k, n });
            let program = unaligned.program(unaligned.default_inputs(1)).unwrap();
            assert!(device_equivalent(&program, lavapipe).is_none(), "k {k}, n {n}: rows not on texels");
        }

        let conv = BuiltinJob::Conv2d(Conv2d::with_weights(64, 20, 1, 2, &[1, 2, 3, 4, 5, 6, 7, 8, 9]));
        let portable = conv.program(conv.default_inputs(1)).unwrap();
        assert!(*device_equivalent(&portable, lavapipe).expect("a variant").wgsl == *CONV2D_CPU_WGSL);
        let mut unused_weight = portable.clone();
        let last = unused_weight.passes[0].params.len() - 1;
        unused_weight.passes[0].params[last] = 1;
        assert!(device_equivalent(&unused_weight, lavapipe).is_none(), "parameters it would not reproduce");
    }

    #[test]
    fn prefix_sum_levels() {
        let entries =
            |n| prefix_sum_passes(n, 65535).iter().map(|p| p.entry_point.clone()).collect::<Vec<_>>();
        assert_eq!(entries(1000), ["scan_blocks"]);
        assert_eq!(entries(1025), ["scan_blocks", "scan_blocks", "add_block_sums"]);
        assert_eq!(entries(1 << 24).len(), 5);
    }

    #[test]
    fn bitonic_pass_counts() {
        assert_eq!(bitonic_passes(1000, 65535).len(), 1);
        assert_eq!(bitonic_passes(1025, 65535).len(), 3); // local sort, flip 2048, local disperse
                                                          // 2^20 keys: 1 + sum over k = 2^11..2^20 of (2 + log2(k) - 11).
        assert_eq!(bitonic_passes(1 << 20, 65535).len(), 1 + 20 + 45);
    }

    #[test]
    fn blur_weights_sum_to_the_shift() {
        for r in 0..=CONV_MAX_RADIUS {
            let spec = Conv2d::blur(8, 8, r);
            assert_eq!(spec.used_weights().iter().sum::<i32>(), 1 << spec.shift);
            assert_eq!(spec.params().len(), 16 + 4 * 84);
        }
    }

    #[test]
    fn args_size_jobs() {
        let args = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
        };
        assert_eq!(
            BuiltinJob::from_args(Builtin::Matmul, &args(&[("size", "100")])),
            Ok(BuiltinJob::Matmul(Matmul { m: 100, k: 100, n: 100 }))
        );
        assert!(BuiltinJob::from_args(Builtin::Matmul, &args(&[("width", "1")])).is_err());
        assert!(BuiltinJob::from_args(Builtin::Sha256, &args(&[("len", "5")])).is_err());
        let BuiltinJob::Mandelbrot(m) =
            BuiltinJob::from_args(Builtin::Mandelbrot, &args(&[("x0", "-0.5"), ("step", "0.001")])).unwrap()
        else {
            panic!("not a mandelbrot job")
        };
        assert_eq!((m.x0, m.step), (-2048, 4));
    }
}
