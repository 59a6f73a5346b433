//! The executor: validates a program, runs it on the GPU, reads the output back and computes its root.
//!
//! [`Executor::run`] returns an [`Outcome`]: the output and its root, or the canonical [`Failure`] of the
//! job (DESIGN §3.8) when the job cannot run: invalid kernel, limits. Those are properties of the job, and
//! every honest provider reports the same root for them. An `Err(Error)` is a problem of this machine
//! (no adapter, a device lost twice in a row, out of memory, an unreadable input file, a job that ran past
//! the time limit): it has no canonical root and the provider should not commit.
//!
//! # Execution
//!
//! 1. [`validate`](crate::validate) checks the job (cached per kernel id: parse and interface).
//! 2. The inputs are materialized (inline, generated with the blake3 XOF, or read from a file).
//! 3. Pipelines come from the per-device [`KernelCache`], buffers from the [`BufferPool`]. Inputs are written
//!    (zero-padded to 4 bytes), the output range is cleared, every pass's parameters are written at a
//!    256-byte aligned offset of one uniform buffer; each pass gets its own bind group.
//! 4. One command buffer: the passes, in order, then a copy of the output to a readback buffer.
//! 5. The wait for the readback has a deadline ([`ExecConfig::timeout`]). Past it, the device is abandoned
//!    (see [`GpuContext::abandon`]), a fresh one is created for the next job, and the run ends with
//!    [`Error::TimedOut`]: how long a job takes depends on the machine, so a timeout is never a result.
//! 6. A device lost during a job is recreated and the job retried once.
//!
//! Every wgpu call of a job runs inside error scopes (validation, out-of-memory, internal); wgpu errors are
//! never panics.

mod bindings;
mod pipelines;
mod scopes;
mod wait;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use compute_primitives::failure::{failure_root, FailureReason};
use compute_primitives::{KernelId, ResultRoot};

use crate::gpu::context::{AdapterSelector, DeviceTraits, GpuContext};
use crate::gpu::kernel::KernelCache;
use crate::gpu::limits::ProtocolLimits;
use crate::gpu::pool::{BufferPool, PoolStats};
use crate::program::{Input, Program};
use crate::validate::{self, KernelInterface, Rejection};
use crate::Error;
use bindings::Bindings;
use scopes::{ErrorScopes, Stage};

/// How the executor works.
#[derive(Clone, Debug)]
pub struct ExecConfig {
    /// Which adapter to use.
    pub adapter: AdapterSelector,
    /// The longest a job's GPU work may take, from submission to the output being readable.
    pub timeout: Duration,
    /// The protocol's limits (keep [`ProtocolLimits::CANONICAL`] for chain jobs).
    pub limits: ProtocolLimits,
    /// The most bytes of free buffers kept for reuse.
    pub max_pooled_bytes: u64,
}

impl Default for ExecConfig {
    fn default() -> Self {
        ExecConfig {
            adapter: AdapterSelector::Auto,
            timeout: Duration::from_secs(60),
            limits: ProtocolLimits::CANONICAL,
            max_pooled_bytes: 1 << 30,
        }
    }
}

/// Where the time of a job went.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Timings {
    /// Validation and materializing the inputs (generation, file reads).
    pub prepare: Duration,
    /// Pipelines, buffers, uploads, command recording and submission.
    pub upload: Duration,
    /// From submission until the output is mapped (the GPU work and the copy back).
    pub execute: Duration,
    /// Copying the mapped output out (not counting the hashing done in the same pass).
    pub readback: Duration,
    /// Computing the result root: the hashing done while copying the output out, per thread (see
    /// [`crate::root::copy_with_root`]).
    pub root: Duration,
}

impl Timings {
    /// Time on the GPU path: upload, execution and readback (not preparation, not the root).
    pub fn gpu_path(&self) -> Duration {
        self.upload + self.execute + self.readback
    }
}

/// A job that ran.
#[derive(Clone, Debug, PartialEq)]
pub struct Completed {
    /// The output bytes.
    pub output: Vec<u8>,
    /// `blake3(output)`.
    pub root: ResultRoot,
    /// Where the time went.
    pub timings: Timings,
}

/// A job that cannot run: its canonical failure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The reason.
    pub reason: FailureReason,
    /// Details for people (not part of the root).
    pub message: String,
    /// [`failure_root`] of the reason.
    pub root: ResultRoot,
}

impl Failure {
    /// The failure of `reason`.
    pub fn new(reason: FailureReason, message: impl Into<String>) -> Self {
        Failure { reason, message: message.into(), root: failure_root(reason) }
    }
}

impl From<Rejection> for Failure {
    fn from(rejection: Rejection) -> Self {
        Failure::new(rejection.reason, rejection.message)
    }
}

/// The result of a job.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// It ran.
    Completed(Completed),
    /// It cannot run.
    Failed(Failure),
}

impl Outcome {
    /// The result root to commit to.
    pub fn root(&self) -> ResultRoot {
        match self {
            Outcome::Completed(c) => c.root,
            Outcome::Failed(f) => f.root,
        }
    }

    /// The output, if the job ran.
    pub fn output(&self) -> Option<&[u8]> {
        match self {
            Outcome::Completed(c) => Some(&c.output),
            Outcome::Failed(_) => None,
        }
    }

    /// The failure, if the job did not run.
    pub fn failure(&self) -> Option<&Failure> {
        match self {
            Outcome::Completed(_) => None,
            Outcome::Failed(f) => Some(f),
        }
    }
}

/// Counters, for tests and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExecStats {
    /// Jobs run (completed or failed).
    pub jobs: u64,
    /// Devices created after the first (lost or abandoned).
    pub device_recreations: u64,
    /// Jobs that timed out.
    pub timeouts: u64,
}

/// The output of a job, its root if it was asked for, and the timings.
type RunOutput = (Vec<u8>, Option<ResultRoot>, Timings);

/// How the GPU part of a job ended.
enum GpuEnd {
    Output(Vec<u8>, Option<ResultRoot>),
    Rejected(Rejection),
    TimedOut(Duration),
    Lost(String),
}

/// Runs jobs on one device, reusing pipelines and buffers across them.
pub struct Executor {
    config: ExecConfig,
    ctx: Option<GpuContext>,
    adapter_name: String,
    /// By kernel id and whether it was validated as a device variant.
    interfaces: BTreeMap<(KernelId, bool), Result<Arc<KernelInterface>, Rejection>>,
    kernels: KernelCache,
    pool: BufferPool,
    stats: ExecStats,
    wait_hook: Option<Box<dyn FnMut(Duration) + Send>>,
}

impl std::fmt::Debug for Executor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Executor")
            .field("adapter", &self.adapter_name)
            .field("config", &self.config)
            .field("stats", &self.stats)
            .finish()
    }
}

impl Executor {
    /// An executor on the adapter the configuration selects.
    pub fn new(config: ExecConfig) -> Result<Self, Error> {
        let ctx = GpuContext::new(&config.adapter)?;
        let adapter_name = ctx.info().name.clone();
        Ok(Executor {
            pool: BufferPool::new(config.max_pooled_bytes),
            config,
            ctx: Some(ctx),
            adapter_name,
            interfaces: BTreeMap::new(),
            kernels: KernelCache::default(),
            stats: ExecStats::default(),
            wait_hook: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ExecConfig {
        &self.config
    }

    /// Changes the GPU time limit of the next jobs.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.config.timeout = timeout;
    }

    /// Calls `hook` with the time waited so far, about every 100 ms while waiting for the GPU.
    pub fn set_wait_hook(&mut self, hook: impl FnMut(Duration) + Send + 'static) {
        self.wait_hook = Some(Box::new(hook));
    }

    /// What the device offers beyond the baseline (creating the device if there is none), for choosing
    /// device-specific variants of a kernel.
    pub fn device_traits(&mut self) -> Result<DeviceTraits, Error> {
        self.ensure_device()?;
        Ok(self.ctx.as_ref().map(GpuContext::traits).unwrap_or_default())
    }

    /// The adapter's description (of the current device).
    pub fn adapter_info(&self) -> Option<&wgpu::AdapterInfo> {
        self.ctx.as_ref().map(GpuContext::info)
    }

    /// Counters.
    pub fn stats(&self) -> ExecStats {
        self.stats
    }

    /// Buffer pool counters.
    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Runs `program` and computes its root (while copying the output out: [`crate::root::copy_with_root`]),
    /// validated as every provider validates a job ([`Validation::Portable`]): how to run a program from
    /// anyone (the chain, a requester's file).
    pub fn run(&mut self, program: &Program) -> Result<Outcome, Error> {
        self.run_with(program, Validation::Portable)
    }

    /// Runs `program` as [`Self::run`] does, validated as `validation` says.
    pub fn run_with(&mut self, program: &Program, validation: Validation) -> Result<Outcome, Error> {
        Ok(match self.run_inner(program, true, validation)? {
            Ok((output, Some(root), timings)) => Outcome::Completed(Completed { output, root, timings }),
            Ok((output, None, mut timings)) => {
                let start = Instant::now();
                let root = crate::root::result_root(&output);
                timings.root = start.elapsed();
                Outcome::Completed(Completed { output, root, timings })
            }
            Err(failure) => Outcome::Failed(failure),
        })
    }

    /// Runs `program` without computing the root: the output and the timings, or the job's failure.
    pub fn run_unhashed(
        &mut self,
        program: &Program,
        validation: Validation,
    ) -> Result<Result<(Vec<u8>, Timings), Failure>, Error> {
        Ok(self.run_inner(program, false, validation)?.map(|(output, _, timings)| (output, timings)))
    }

    /// Runs `program`: the output, its root when `hash`, and the timings; or the job's failure.
    fn run_inner(
        &mut self,
        program: &Program,
        hash: bool,
        validation: Validation,
    ) -> Result<Result<RunOutput, Failure>, Error> {
        self.stats.jobs += 1;
        let start = Instant::now();
        let limits = &self.config.limits;
        let input_lens = program.inputs.iter().map(Input::len).collect::<Result<Vec<u64>, Error>>()?;
        if let Err(rejection) = validate::check_shape(program, &input_lens, limits) {
            return Ok(Err(rejection.into()));
        }
        let kernel_id = compute_primitives::kernel_id(program.wgsl.as_bytes());
        let device_variant = validation == Validation::DeviceVariant;
        let iface = self
            .interfaces
            .entry((kernel_id, device_variant))
            .or_insert_with(|| {
                if device_variant {
                    validate::validate_device_variant(&program.wgsl)
                } else {
                    validate::validate_wgsl(&program.wgsl)
                }
                .map(Arc::new)
            })
            .clone();
        let iface = match iface {
            Ok(iface) => iface,
            Err(rejection) => return Ok(Err(rejection.into())),
        };
        if let Err(rejection) = validate::check_program(&iface, program, &input_lens, limits) {
            return Ok(Err(rejection.into()));
        }
        let inputs =
            program.inputs.iter().map(Input::materialize).collect::<Result<Vec<Cow<'_, [u8]>>, _>>()?;
        let mut timings = Timings { prepare: start.elapsed(), ..Timings::default() };

        let mut lost = String::new();
        for _attempt in 0..2 {
            self.ensure_device()?;
            if device_variant && !self.ctx.as_ref().is_some_and(|c| c.traits().has_extensions()) {
                return Ok(Err(Failure::new(
                    FailureReason::UnsupportedFeature,
                    "a device variant needs 64-bit integers and subgroups of one fixed size",
                )));
            }
            match self.execute(&iface, program, &inputs, hash, &mut timings)? {
                GpuEnd::Output(output, root) => return Ok(Ok((output, root, timings))),
                GpuEnd::Rejected(rejection) => return Ok(Err(rejection.into())),
                GpuEnd::TimedOut(waited) => {
                    self.stats.timeouts += 1;
                    self.abandon_device();
                    return Err(Error::TimedOut(waited));
                }
                GpuEnd::Lost(message) => {
                    log::warn!("device lost during a job ({message}); recreating it and retrying once");
                    lost = message;
                    self.abandon_device();
                }
            }
        }
        Err(Error::DeviceLost(lost))
    }

    fn ensure_device(&mut self) -> Result<(), Error> {
        if self.ctx.as_ref().is_some_and(GpuContext::is_lost) {
            self.abandon_device();
        }
        if self.ctx.is_none() {
            let ctx = GpuContext::new(&self.config.adapter)?;
            log::info!("created a new device on {}", ctx.info().name);
            self.adapter_name = ctx.info().name.clone();
            self.ctx = Some(ctx);
            self.stats.device_recreations += 1;
        }
        Ok(())
    }

    /// Destroys the device as a driver reset would, to test recovery: the next job must notice the loss,
    /// create a new device and run normally.
    #[doc(hidden)]
    pub fn destroy_device_for_tests(&mut self) {
        if let Some(ctx) = &self.ctx {
            ctx.device().destroy();
        }
    }

    /// Drops the device without waiting for it, and everything that belongs to it.
    fn abandon_device(&mut self) {
        self.kernels.clear();
        self.pool.clear();
        if let Some(ctx) = self.ctx.take() {
            ctx.abandon();
        }
    }

    /// The GPU part of a job, in stages: pipelines ([`pipelines`]), buffers, bind groups and commands
    /// ([`bindings`], inside error scopes: [`scopes`]), the wait with its deadline ([`wait`]), the readback.
    fn execute(
        &mut self,
        iface: &KernelInterface,
        program: &Program,
        inputs: &[Cow<'_, [u8]>],
        hash: bool,
        timings: &mut Timings,
    ) -> Result<GpuEnd, Error> {
        let Executor { ctx, kernels, pool, config, wait_hook, .. } = self;
        let Some(ctx) = ctx.as_ref() else {
            return Err(Error::Internal("no device".into()));
        };
        let start = Instant::now();
        let pipelines = match pipelines::create(ctx, kernels, iface, program)? {
            Ok(pipelines) => pipelines,
            Err(end) => return Ok(end),
        };
        let scopes = ErrorScopes::push(ctx.device());
        let bindings = Bindings::create(ctx, pool, iface, program, inputs, &pipelines.layout);
        let commands = bindings.record(ctx.device(), program, &pipelines);
        if let Some(end) = scopes::judge(ctx, Stage::Bindings, scopes.pop())? {
            return Ok(end);
        }
        let submission = ctx.queue().submit([commands]);
        timings.upload = start.elapsed();

        let start = Instant::now();
        let hook = wait_hook.as_deref_mut();
        if let Err(end) =
            wait::for_readback(ctx, &bindings.readback, bindings.out_size, submission, config.timeout, hook)?
        {
            return Ok(end);
        }
        timings.execute = start.elapsed();

        let start = Instant::now();
        let (bytes, root) =
            wait::read_output(&bindings.readback, bindings.out_size, program.output_len, hash, timings)?;
        timings.readback = start.elapsed().saturating_sub(timings.root);
        for error in ctx.take_uncaptured_errors() {
            log::warn!("uncaptured GPU error during a job: {error}");
        }
        bindings.release(pool);
        Ok(GpuEnd::Output(bytes, root))
    }
}

/// How a program is validated before it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Validation {
    /// As every provider validates a job: the protocol's baseline, no extension. Results are the same on
    /// every device, so this is the only validation for programs from anyone else.
    #[default]
    Portable,
    /// With the device extensions a kernel written for one kind of device may use (subgroup operations,
    /// 64-bit integers, texel inputs: [`validate::validate_device_variant`]), on a device that has them.
    /// Results can then depend on the device (a subgroup's size), so only for programs the caller built
    /// from sources it trusts to compute the portable program's bytes on this device; never for a job
    /// received from someone else (a provider on a device with the extensions would run it while every
    /// other provider refuses it).
    DeviceVariant,
}
