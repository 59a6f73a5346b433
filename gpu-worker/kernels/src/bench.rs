//! The benchmark (`gpu-worker bench`): each built-in kernel at a meaningful size, on the GPU path and on its multithreaded
//! CPU reference, in the same run, and the benchmark score that provider registration publishes.
//!
//! # Method
//!
//! For each kernel the inputs are generated once (not timed). The GPU path is run once to warm up
//! (pipeline compilation, buffer allocation), then `repeats` times; its time is the median of upload +
//! execution + readback ([`Timings::gpu_path`](compute_executor::exec::Timings::gpu_path)), on the device's fastest
//! variant of the kernel ([`BuiltinJob::program_for_device`]).
//! The root (blake3 of the output, hashed as it is copied out) is timed separately; its *share* is
//! root ÷ (GPU path + root). The CPU reference is run once to warm up, then `repeats` times (median;
//! converting bytes to words before and after is not timed). The GPU output must equal the CPU output byte
//! for byte, or the benchmark fails.
//!
//! # Units and score
//!
//! Throughput is work per second in each kernel's unit: multiply-adds (matmul, conv2d), iterations actually
//! run (mandelbrot: the sum of the output), elements (prefix_sum), keys (bitonic_sort), 64-byte SHA-256
//! compression blocks (sha256). The **score** is the geometric mean over the six kernels of the GPU
//! throughputs in millions of units per second, rounded to an integer: doubling every throughput doubles
//! the score, and no single kernel dominates it.

use std::fmt;
use std::time::{Duration, Instant};

use compute_executor::exec::{Executor, Outcome};
use compute_executor::program::Input;

use crate::{
    validation_of, BitonicSort, BuiltinJob, Conv2d, Error, Mandelbrot, Matmul, PrefixSum, Sha256Batch,
};

/// How to benchmark.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// Small sizes (seconds in total), for smoke tests.
    pub quick: bool,
    /// Timed runs per kernel and side.
    pub repeats: u32,
    /// Seed of the generated inputs.
    pub seed: u64,
    /// Only these kernels (by name); all when empty. The score is only published for a full run.
    pub only: Vec<String>,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig { quick: false, repeats: 3, seed: 1, only: Vec::new() }
    }
}

/// The jobs of the benchmark.
pub fn bench_jobs(quick: bool) -> Vec<BuiltinJob> {
    if quick {
        vec![
            BuiltinJob::Matmul(Matmul { m: 256, k: 256, n: 256 }),
            BuiltinJob::Mandelbrot(Mandelbrot::view(512, 512, 256)),
            BuiltinJob::Conv2d(Conv2d::blur(512, 512, 2)),
            BuiltinJob::PrefixSum(PrefixSum { n: 1 << 20 }),
            BuiltinJob::BitonicSort(BitonicSort { n: 1 << 16 }),
            BuiltinJob::Sha256(Sha256Batch { count: 1 << 16, len: 80 }),
        ]
    } else {
        vec![
            BuiltinJob::Matmul(Matmul { m: 1024, k: 1024, n: 1024 }),
            // 4096 × 4096 u32: a 64 MiB output.
            BuiltinJob::Mandelbrot(Mandelbrot::view(4096, 4096, 256)),
            BuiltinJob::Conv2d(Conv2d::blur(2048, 2048, 2)),
            // 16 Mi u32: a 64 MiB output.
            BuiltinJob::PrefixSum(PrefixSum { n: 1 << 24 }),
            BuiltinJob::BitonicSort(BitonicSort { n: 1 << 20 }),
            BuiltinJob::Sha256(Sha256Batch { count: 1 << 20, len: 80 }),
        ]
    }
}

/// One kernel's figures.
#[derive(Clone, Debug)]
pub struct KernelResult {
    /// The kernel's name.
    pub name: &'static str,
    /// Its size.
    pub size: String,
    /// Unit of `work`.
    pub unit: &'static str,
    /// Work of one run.
    pub work: f64,
    /// Output bytes.
    pub output_len: u64,
    /// Median GPU path time.
    pub gpu: Duration,
    /// Median CPU reference time.
    pub cpu: Duration,
    /// Median root time.
    pub root: Duration,
}

impl KernelResult {
    /// GPU throughput, units per second.
    pub fn gpu_throughput(&self) -> f64 {
        self.work / self.gpu.as_secs_f64().max(1e-9)
    }

    /// CPU throughput, units per second.
    pub fn cpu_throughput(&self) -> f64 {
        self.work / self.cpu.as_secs_f64().max(1e-9)
    }

    /// GPU throughput ÷ CPU throughput.
    pub fn ratio(&self) -> f64 {
        self.gpu_throughput() / self.cpu_throughput()
    }

    /// Root time ÷ (GPU path + root).
    pub fn root_share(&self) -> f64 {
        self.root.as_secs_f64() / (self.gpu + self.root).as_secs_f64().max(1e-9)
    }
}

/// The benchmark's result.
#[derive(Clone, Debug)]
pub struct BenchReport {
    /// Adapter name, backend, driver.
    pub adapter: String,
    /// Threads of the CPU reference.
    pub cpu_threads: usize,
    /// Timed runs per kernel and side.
    pub repeats: u32,
    /// Per kernel.
    pub kernels: Vec<KernelResult>,
}

impl BenchReport {
    /// The published score: the geometric mean of the GPU throughputs in millions of units per second.
    pub fn score(&self) -> u64 {
        if self.kernels.is_empty() {
            return 0;
        }
        let mean_log = self.kernels.iter().map(|k| (k.gpu_throughput() / 1e6).max(1e-9).ln()).sum::<f64>()
            / self.kernels.len() as f64;
        mean_log.exp().round() as u64
    }
}

fn mega(x: f64) -> String {
    format!("{:.1}", x / 1e6)
}

fn millis(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

impl fmt::Display for BenchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "adapter: {}", self.adapter)?;
        writeln!(
            f,
            "CPU reference: rayon, {} threads; median of {} runs each",
            self.cpu_threads, self.repeats
        )?;
        writeln!(
            f,
            "{:<13} {:<22} {:>9} {:>9} {:>12} {:>12} {:>7} {:>8} {:>7}  unit",
            "kernel", "size", "GPU ms", "CPU ms", "GPU M/s", "CPU M/s", "GPU/CPU", "root ms", "root %"
        )?;
        for k in &self.kernels {
            writeln!(
                f,
                "{:<13} {:<22} {:>9} {:>9} {:>12} {:>12} {:>6.2}x {:>8} {:>6.2}%  {}",
                k.name,
                k.size,
                millis(k.gpu),
                millis(k.cpu),
                mega(k.gpu_throughput()),
                mega(k.cpu_throughput()),
                k.ratio(),
                millis(k.root),
                100.0 * k.root_share(),
                k.unit
            )?;
        }
        write!(f, "score: {} (geometric mean of the GPU throughputs, M units/s)", self.score())
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// What [`run`] reports as it goes, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchProgress<'a> {
    /// Sent first: how many runs follow (kernels × (1 + repeats) × 2).
    Runs(u64),
    /// A kernel starts.
    Kernel {
        /// Its name.
        name: &'static str,
        /// Its size.
        size: &'a str,
    },
    /// One run (GPU or CPU, warm-up or timed) ended.
    RunDone,
}

/// Runs the benchmark, telling `progress` where it is.
pub fn run(
    executor: &mut Executor,
    config: &BenchConfig,
    progress: &mut dyn FnMut(BenchProgress<'_>),
) -> Result<BenchReport, Error> {
    let jobs: Vec<BuiltinJob> = bench_jobs(config.quick)
        .into_iter()
        .filter(|j| config.only.is_empty() || config.only.iter().any(|n| n == j.builtin().name()))
        .collect();
    let repeats = config.repeats.max(1);
    progress(BenchProgress::Runs(jobs.len() as u64 * (1 + u64::from(repeats)) * 2));
    let mut kernels = Vec::new();
    for job in jobs {
        let name = job.builtin().name();
        progress(BenchProgress::Kernel { name, size: &job.describe() });
        // Inputs generated once, held inline: generation is not part of either side's time.
        let raw: Vec<Vec<u8>> = job
            .default_inputs(config.seed)
            .iter()
            .map(|i| i.materialize().map(|b| b.into_owned()))
            .collect::<Result<_, _>>()?;
        let gpu = time_gpu(executor, &job, &raw, repeats, progress)?;
        let (cpu_output, cpu_times) = time_cpu(&job, &raw, repeats, progress);
        if compute_executor::root::result_root(&cpu_output) != gpu.root {
            return Err(Error::Mismatch { kernel: name });
        }
        kernels.push(KernelResult {
            name,
            size: job.describe(),
            unit: job.unit(),
            work: job.work(&gpu.output),
            output_len: job.output_len(),
            gpu: median(gpu.times),
            cpu: median(cpu_times),
            root: median(gpu.root_times),
        });
    }
    let adapter = executor
        .adapter_info()
        .map(|i| format!("{} ({:?}, {:?}, {} {})", i.name, i.backend, i.device_type, i.driver, i.driver_info))
        .unwrap_or_default();
    Ok(BenchReport { adapter, cpu_threads: rayon::current_num_threads(), repeats, kernels })
}

/// The GPU runs of a kernel.
struct GpuRuns {
    /// The output of the runs (all equal).
    output: Vec<u8>,
    /// Its root.
    root: compute_primitives::ResultRoot,
    /// The timed runs' GPU path times.
    times: Vec<Duration>,
    /// The timed runs' root times.
    root_times: Vec<Duration>,
}

/// A warm-up run and `repeats` timed runs of the device's fastest program; every run must give one root.
fn time_gpu(
    executor: &mut Executor,
    job: &BuiltinJob,
    raw: &[Vec<u8>],
    repeats: u32,
    progress: &mut dyn FnMut(BenchProgress<'_>),
) -> Result<GpuRuns, Error> {
    let kernel = job.builtin().name();
    let inputs = raw.iter().map(|bytes| Input::inline(bytes.clone())).collect();
    let program = job.program_for_device(inputs, executor.device_traits()?)?;
    let mut timed: Option<GpuRuns> = None;
    for _ in 0..=repeats {
        let completed = match executor.run_with(&program, validation_of(&program))? {
            Outcome::Completed(c) => c,
            Outcome::Failed(failure) => return Err(Error::Failed { kernel, failure }),
        };
        match &mut timed {
            None => {
                let (output, root) = (completed.output, completed.root);
                timed = Some(GpuRuns { output, root, times: Vec::new(), root_times: Vec::new() });
            }
            Some(t) if t.root != completed.root => return Err(Error::Unstable { kernel }),
            Some(t) => {
                t.times.push(completed.timings.gpu_path());
                t.root_times.push(completed.timings.root);
            }
        }
        progress(BenchProgress::RunDone);
    }
    timed.ok_or(Error::Unstable { kernel })
}

/// A warm-up run and `repeats` timed runs of the CPU reference (converting bytes is not timed): the output
/// and the times.
fn time_cpu(
    job: &BuiltinJob,
    raw: &[Vec<u8>],
    repeats: u32,
    progress: &mut dyn FnMut(BenchProgress<'_>),
) -> (Vec<u8>, Vec<Duration>) {
    let slices: Vec<&[u8]> = raw.iter().map(Vec::as_slice).collect();
    let ref_inputs = job.reference_inputs(&slices);
    let mut times = Vec::new();
    let mut output = None;
    for run in 0..=repeats {
        let start = Instant::now();
        let result = job.run_reference(&ref_inputs);
        if run > 0 {
            times.push(start.elapsed());
        }
        output = Some(result);
        progress(BenchProgress::RunDone);
    }
    (output.map(|o| o.into_bytes()).unwrap_or_default(), times)
}
