//! The command-line commands, as library functions (the binary only parses arguments and prints).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use compute_primitives::failure::FailureReason;
use indicatif::{ProgressBar, ProgressStyle};

use crate::error::Error;
use compute_executor::exec::{ExecConfig, Executor, Outcome, Timings, Validation};
use compute_executor::gpu::context::{enumerate_adapters, AdapterSelector, NO_ADAPTER_HINT};
use compute_executor::program::{Input, Job, Program};
use compute_kernels::bench::{BenchConfig, BenchProgress, BenchReport};
use compute_kernels::{validation_of, Builtin, BuiltinJob};

/// `gpu-worker devices`: every adapter wgpu finds, one per line.
pub fn devices() -> String {
    let adapters = enumerate_adapters();
    if adapters.is_empty() {
        return format!("no adapter found; {NO_ADAPTER_HINT}");
    }
    adapters.iter().map(|a| format!("{a}\n")).collect()
}

/// `gpu-worker kernels`: the built-in kernels and their ids.
pub fn kernels() -> String {
    let mut out = String::new();
    for b in Builtin::ALL {
        let _ =
            writeln!(out, "builtin:{:<13} {}  --arg {}", b.name(), hex::encode(b.kernel_id().0), b.takes());
    }
    out
}

/// The kernel of `gpu-worker exec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KernelSource {
    /// A WGSL file.
    File(PathBuf),
    /// A built-in kernel.
    Builtin(Builtin),
}

impl std::str::FromStr for KernelSource {
    type Err = compute_kernels::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("builtin:") {
            Some(name) => Builtin::from_name(name).map(KernelSource::Builtin),
            None => Ok(KernelSource::File(PathBuf::from(s))),
        }
    }
}

/// What `gpu-worker exec` is asked to do.
#[derive(Clone, Debug)]
pub struct ExecRequest {
    /// Adapter.
    pub adapter: AdapterSelector,
    /// What to run.
    pub program: ProgramRequest,
    /// GPU time limit.
    pub timeout: Duration,
    /// Also run the CPU reference (built-in kernels) and compare.
    pub verify: bool,
    /// Where to write the output.
    pub out: Option<PathBuf>,
    /// Write the output as a PNG of this size instead of raw bytes.
    pub png: Option<(u32, u32)>,
}

/// What `gpu-worker exec` did.
#[derive(Clone, Debug)]
pub struct ExecReport {
    /// The adapter.
    pub adapter: String,
    /// The outcome.
    pub outcome: Outcome,
    /// The CPU reference's verdict, when asked.
    pub verified: Option<bool>,
    /// What was written where.
    pub wrote: Option<String>,
}

impl ExecReport {
    /// The root as hex: the line `exec` prints on stdout.
    pub fn root_hex(&self) -> String {
        hex::encode(self.outcome.root().0)
    }

    /// The failure reason, if the job failed.
    pub fn failure(&self) -> Option<FailureReason> {
        self.outcome.failure().map(|f| f.reason)
    }

    /// Human-readable details (stderr).
    pub fn details(&self) -> String {
        let mut out = format!("adapter: {}\n", self.adapter);
        match &self.outcome {
            Outcome::Completed(c) => {
                let Timings { prepare, upload, execute, readback, root } = c.timings;
                let _ = writeln!(
                    out,
                    "completed: {} output bytes; prepare {prepare:.2?}, upload {upload:.2?}, execute {execute:.2?}, \
                     readback {readback:.2?}, root {root:.2?}",
                    c.output.len()
                );
            }
            Outcome::Failed(f) => {
                let _ =
                    writeln!(out, "failed: {} (code {}): {}", f.reason.name(), f.reason.code(), f.message);
                out.push_str("the root is the canonical failure root of that reason\n");
            }
        }
        match self.verified {
            Some(true) => out.push_str("verified: the CPU reference gives the same bytes\n"),
            Some(false) => out.push_str("MISMATCH: the CPU reference gives different bytes\n"),
            None => {}
        }
        if let Some(w) = &self.wrote {
            let _ = writeln!(out, "{w}");
        }
        out
    }
}

fn spinner() -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        bar.set_style(style);
    }
    bar
}

/// What to run, as the command line describes it: a kernel (file or built-in) with inputs and sizes.
#[derive(Clone, Debug, Default)]
pub struct ProgramRequest {
    /// A WGSL file or a built-in kernel.
    pub kernel: Option<KernelSource>,
    /// Entry point (WGSL files).
    pub entry: String,
    /// Inputs as `inline:HEX`, `file:PATH`, `gen:SEED:LEN`.
    pub inputs: Vec<String>,
    /// Workgroups (WGSL files).
    pub dispatch: Option<[u32; 3]>,
    /// Output length (WGSL files).
    pub output_len: Option<u64>,
    /// Uniform parameters (WGSL files).
    pub params: Vec<u8>,
    /// Size arguments of a built-in kernel.
    pub args: Vec<(String, String)>,
    /// Whether floating point is refused.
    pub exact: bool,
}

/// The program a command line describes, and the built-in job it is (for CPU checks and images).
pub fn build_program(request: &ProgramRequest) -> Result<(Program, Option<BuiltinJob>), Error> {
    let inputs = request.inputs.iter().map(|s| s.parse::<Input>()).collect::<Result<Vec<_>, _>>()?;
    let kernel = request
        .kernel
        .as_ref()
        .ok_or_else(|| Error::Usage { arg: "--kernel".into(), why: "required".into() })?;
    Ok(match kernel {
        KernelSource::Builtin(builtin) => {
            if request.dispatch.is_some() || request.output_len.is_some() || !request.params.is_empty() {
                return Err(Error::Usage {
                    arg: "--dispatch/--output-len/--params".into(),
                    why: "a built-in kernel derives them from its --arg sizes".into(),
                });
            }
            let job = BuiltinJob::from_args(*builtin, &request.args)?;
            let inputs = job.complete_inputs(inputs, 1);
            (job.program(inputs)?, Some(job))
        }
        KernelSource::File(path) => {
            if !request.args.is_empty() {
                return Err(Error::Usage {
                    arg: "--arg".into(),
                    why: "only built-in kernels take size arguments".into(),
                });
            }
            let wgsl = std::fs::read_to_string(path)
                .map_err(|source| Error::ReadKernel { path: path.clone(), source })?;
            let missing =
                |what: &str| Error::Usage { arg: what.into(), why: "required for a WGSL file".into() };
            let job = Job {
                wgsl: Arc::from(wgsl),
                entry_point: request.entry.clone(),
                inputs,
                output_len: request.output_len.ok_or_else(|| missing("--output-len"))?,
                workgroups: request.dispatch.ok_or_else(|| missing("--dispatch"))?,
                params: request.params.clone(),
                exact: request.exact,
            };
            (Program::from(job), None)
        }
    })
}

/// `gpu-worker exec`.
pub fn exec(request: &ExecRequest) -> Result<ExecReport, Error> {
    let (program, builtin_job) = build_program(&request.program)?;

    let mut executor = Executor::new(ExecConfig {
        adapter: request.adapter.clone(),
        timeout: request.timeout,
        ..ExecConfig::default()
    })?;
    // A built-in kernel runs as the device's fastest variant (the same bytes; see `program_for_device`).
    let program = match &builtin_job {
        Some(job) => job.program_for_device(program.inputs.clone(), executor.device_traits()?)?,
        None => program,
    };
    let adapter =
        executor.adapter_info().map(|i| format!("{} ({:?})", i.name, i.backend)).unwrap_or_default();
    let bar = spinner();
    bar.set_message("running on the GPU");
    let hook_bar = bar.clone();
    executor.set_wait_hook(move |_| hook_bar.tick());
    // A WGSL file is a job as the chain would carry it; only the library's own programs use variants.
    let validation = if builtin_job.is_some() { validation_of(&program) } else { Validation::Portable };
    let outcome = executor.run_with(&program, validation)?;
    bar.finish_and_clear();

    let mut verified = None;
    if let (true, Some(job), Outcome::Completed(c)) = (request.verify, &builtin_job, &outcome) {
        let raw = program.inputs.iter().map(|i| i.materialize()).collect::<Result<Vec<_>, _>>()?;
        let slices: Vec<&[u8]> = raw.iter().map(|b| b.as_ref()).collect();
        verified = Some(compute_executor::root::result_root(&job.reference(&slices)) == c.root);
    }

    let mut wrote = None;
    if let (Some(path), Some(output)) = (&request.out, outcome.output()) {
        let builtin_image = builtin_job.and_then(|j| j.image());
        let png = match request.png {
            Some((w, h)) => Some((w, h, builtin_image.map(|(_, _, format)| format))),
            None => builtin_image.filter(|_| is_png(path)).map(|(w, h, format)| (w, h, Some(format))),
        };
        match png {
            Some((w, h, format)) => {
                crate::image::write_png(path, output, w, h, format)?;
                wrote = Some(format!("wrote a {w}x{h} PNG to {}", path.display()));
            }
            None => {
                std::fs::write(path, output)
                    .map_err(|source| Error::Write { path: path.display().to_string(), source })?;
                wrote = Some(format!("wrote {} bytes to {}", output.len(), path.display()));
            }
        }
    }
    Ok(ExecReport { adapter, outcome, verified, wrote })
}

fn is_png(path: &std::path::Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"))
}

/// `gpu-worker bench`.
pub fn bench(
    adapter: &AdapterSelector,
    config: &BenchConfig,
    timeout: Duration,
) -> Result<BenchReport, Error> {
    let mut executor =
        Executor::new(ExecConfig { adapter: adapter.clone(), timeout, ..ExecConfig::default() })?;
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} {elapsed}") {
        bar.set_style(style);
    }
    let report = compute_kernels::bench::run(&mut executor, config, &mut |progress| match progress {
        BenchProgress::Runs(runs) => bar.set_length(runs),
        BenchProgress::Kernel { name, size } => bar.set_message(format!("{name} {size}")),
        BenchProgress::RunDone => bar.inc(1),
    })?;
    bar.finish_and_clear();
    Ok(report)
}

/// Parses `X,Y,Z` (missing trailing dimensions are 1).
pub fn parse_dispatch(s: &str) -> Option<[u32; 3]> {
    let mut dims = [1u32; 3];
    let parts: Vec<&str> = s.split(',').collect();
    if parts.is_empty() || parts.len() > 3 {
        return None;
    }
    for (d, p) in dims.iter_mut().zip(parts) {
        *d = p.trim().parse().ok()?;
    }
    Some(dims)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dispatch_and_kernels() {
        assert_eq!(parse_dispatch("4,2,1"), Some([4, 2, 1]));
        assert_eq!(parse_dispatch("7"), Some([7, 1, 1]));
        assert_eq!(parse_dispatch("1,2,3,4"), None);
        assert_eq!(
            "builtin:sha256".parse::<KernelSource>().ok(),
            Some(KernelSource::Builtin(Builtin::Sha256))
        );
        assert!("builtin:nope".parse::<KernelSource>().is_err());
        assert_eq!("k.wgsl".parse::<KernelSource>().ok(), Some(KernelSource::File("k.wgsl".into())));
    }
}
