//! `gpu-worker run`: the provider daemon.
//!
//! It serves its outputs over HTTP, connects to a node, registers its account as a provider when it is not
//! one (profile from the adapter, bond and terms from the command line), then follows best blocks. For each
//! job assigned to it (`ComputeApi::assignments`), it runs the kernel (source from chain storage, inputs from
//! the spec) and commits while the job is in its commit phase, and reveals once the reveal phase opens.
//!
//! Restarts are safe: the salt of a commitment is derived from the key and the job id, the root of every
//! job it computed is recorded in the output store, and an output or record that is gone is recomputed
//! (kernels are deterministic), so a worker restarted between commit and reveal still reveals in time.

mod gpu;
pub mod metrics;
mod profile;
pub mod server;
pub mod store;

pub use gpu::GpuService;
pub use profile::ProfileOptions;

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use compute_primitives::{JobDetails, JobId, JobPhase, KernelId, ResultRoot, Salt};

use compute_client::chain::{api, AccountId, AtBlock, Chain, OpenJob, Static};
use compute_client::keys::Identity;
use compute_client::Error as ClientError;
use compute_executor::exec::{ExecConfig, Failure, Outcome};

use crate::error::Error;
use compute_primitives::failure::FailureReason;
use metrics::Metrics;
use server::{Routes, ServerLimits, ServerState};
use store::OutputStore;

/// Blocks after which an action whose transaction left no trace on chain is tried again.
const RETRY_AFTER_BLOCKS: u64 = 4;
/// Blocks before a job's deadline by which its commitment should be submitted (inclusion takes one or two).
const DEADLINE_MARGIN_BLOCKS: u64 = 2;
/// The block time assumed when the runtime does not declare one (BABE's `ExpectedBlockTime`).
const DEFAULT_BLOCK_MS: u64 = 3_000;
/// The least time a job is given, however close its deadline.
const MIN_JOB_TIME: Duration = Duration::from_secs(1);

/// How the daemon runs.
#[derive(Clone, Debug)]
pub struct DaemonConfig {
    /// The node's WebSocket endpoint.
    pub node_url: String,
    /// The provider's key.
    pub identity: Identity,
    /// Where outputs are kept.
    pub store_dir: PathBuf,
    /// The most bytes of outputs kept.
    pub store_max_bytes: u64,
    /// Where the public HTTP server (outputs, health) listens.
    pub listen: SocketAddr,
    /// Where the operator's HTTP server (health, metrics) listens, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// The executor.
    pub exec: ExecConfig,
    /// Profile and registration terms.
    pub profile: ProfileOptions,
    /// Test-only: reveal a wrong result (the output with its first byte flipped).
    #[cfg(feature = "fault-injection")]
    pub wrong_results: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Action {
    Commit,
    Reveal,
}

/// The time from block `now` to `DEADLINE_MARGIN_BLOCKS` before block `deadline`, at `block_ms` a block;
/// at least `MIN_JOB_TIME`.
fn time_before(deadline: u64, now: u64, block_ms: u64) -> Duration {
    let blocks = deadline.saturating_sub(now.saturating_add(DEADLINE_MARGIN_BLOCKS));
    Duration::from_millis(blocks.saturating_mul(block_ms)).max(MIN_JOB_TIME)
}

/// The running daemon's shared state.
#[derive(Debug)]
struct Worker {
    config: DaemonConfig,
    account: AccountId,
    chain: Chain,
    /// The chain's genesis hash, which every commitment salt includes.
    genesis: [u8; 32],
    gpu: GpuService,
    store: Arc<OutputStore>,
    metrics: Metrics,
    kernels: Mutex<BTreeMap<KernelId, Arc<Vec<u8>>>>,
    /// Actions under way or submitted: the block at which they started, and when they were first seen.
    in_flight: Mutex<HashMap<(JobId, Action), (u64, Instant)>>,
}

/// A daemon that is serving: its HTTP address and account.
#[derive(Clone, Debug)]
pub struct Running {
    /// Where the outputs and `/health` are served.
    pub http: SocketAddr,
    /// The provider account (SS58).
    pub account: String,
}

/// Whether a failure is the verdict of this machine's driver rather than of the protocol's rules: a kernel
/// that passed validation and that one GPU API rejects may run on every other, so committing the rejection
/// as a result would have an honest minority out-voted and slashed. Such a job gets the abstention root.
fn is_machine_verdict(reason: FailureReason) -> bool {
    matches!(reason, FailureReason::PipelineRejected)
}

/// The source the node served for `kernel`, if it is that kernel's: the node is not trusted with it, and a
/// kernel's id is the hash of its source.
fn verified_kernel(kernel: &KernelId, code: Vec<u8>) -> Result<Vec<u8>, Error> {
    if compute_primitives::kernel_id(&code) == *kernel {
        Ok(code)
    } else {
        Err(Error::KernelHashMismatch(hex::encode(kernel.0)))
    }
}

/// Runs the daemon until the process is stopped. `on_ready` is called once it serves and is registered.
pub async fn run(config: DaemonConfig, on_ready: impl FnOnce(&Running)) -> Result<(), Error> {
    let store = Arc::new(OutputStore::open(&config.store_dir, config.store_max_bytes)?);
    let metrics = Metrics::new()?;
    metrics.store_bytes.set(store.total_bytes() as i64);
    let executor_alive = Arc::new(AtomicBool::new(false));
    let state = ServerState {
        store: store.clone(),
        metrics: metrics.clone(),
        executor_alive: executor_alive.clone(),
    };
    let (http, _server) =
        server::serve(config.listen, state.clone(), Routes::Public, ServerLimits::default())
            .await
            .map_err(|source| Error::Listen { addr: config.listen, source })?;
    log::info!("serving outputs and /health on http://{http}");
    let _operator = match config.metrics_listen {
        Some(addr) => {
            let (bound, task) = server::serve(addr, state, Routes::Operator, ServerLimits::default())
                .await
                .map_err(|source| Error::Listen { addr, source })?;
            log::info!("serving /metrics and /health on http://{bound}");
            Some(task)
        }
        None => None,
    };

    let gpu = GpuService::start(config.exec.clone(), executor_alive)?;
    let adapter = gpu.adapter();
    log::info!(
        "GPU: {} ({:?}, driver {} {})",
        adapter.name,
        adapter.backend,
        adapter.driver,
        adapter.driver_info
    );

    let chain = connect_until_up(&config.node_url).await;
    let account = config.identity.account();
    profile::ensure_registered(&chain, &config.identity, &config.profile, &gpu, http)
        .await
        .map_err(Error::Register)?;
    let running = Running { http, account: config.identity.ss58() };
    on_ready(&running);

    let genesis = chain.client().genesis_hash().0;
    let worker = Arc::new(Worker {
        config,
        account,
        chain,
        genesis,
        gpu,
        store,
        metrics,
        kernels: Mutex::default(),
        in_flight: Mutex::default(),
    });
    worker.follow_blocks().await;
    Ok(())
}

async fn connect_until_up(url: &str) -> Chain {
    let mut delay = Duration::from_millis(500);
    loop {
        match Chain::connect(url).await {
            Ok(chain) => {
                log::info!("connected to {url}");
                return chain;
            }
            Err(e) => {
                log::warn!("{e}; retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
        }
    }
}

impl Worker {
    /// Handles every new best block, resubscribing when the stream ends (the connection dropped).
    async fn follow_blocks(self: &Arc<Self>) {
        loop {
            let mut blocks = match self.chain.client().stream_best_blocks().await {
                Ok(blocks) => blocks,
                Err(e) => {
                    log::warn!("cannot follow blocks: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            // A new subscription first replays the blocks the node still has pinned (from the last
            // finalized one): acting on their stale state would send transactions that can only fail.
            let mut newest = match self.chain.best_number().await {
                Ok(best) => best.saturating_sub(1),
                Err(e) => {
                    log::warn!("cannot read the best block: {e}; retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            log::debug!("following best blocks from #{}", newest + 1);
            while let Some(block) = blocks.next().await {
                let at = match block {
                    Ok(block) if block.number() <= newest => {
                        log::debug!("skipping block #{} (not newer than #{newest})", block.number());
                        continue;
                    }
                    Ok(block) => {
                        newest = block.number();
                        block.at().await
                    }
                    Err(e) => {
                        log::warn!("block stream: {e}");
                        break;
                    }
                };
                match at {
                    Ok(at) => {
                        if let Err(e) = self.on_block(&at).await {
                            self.metrics.chain_errors.inc();
                            log::warn!("block #{}: {e}", at.block_number());
                        }
                    }
                    Err(e) => log::warn!("cannot read a new block: {e}"),
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    async fn on_block(self: &Arc<Self>, at: &AtBlock) -> Result<(), ClientError> {
        let number = at.block_number();
        let assigned = self.chain.assignments(at, &self.account).await?;
        log::debug!("block #{number}: assigned {assigned:?}");
        self.forget_finished(at, &assigned).await?;
        for job_id in assigned {
            let Some(JobDetails::Open(job)) = self.chain.job(at, job_id).await? else { continue };
            let Some(replica) = job.replicas.iter().find(|r| r.provider == self.account) else { continue };
            let action = match (job.phase, replica.commitment, replica.revealed) {
                (JobPhase::Committing, None, _) => Action::Commit,
                (JobPhase::Revealing, Some(_), None) => Action::Reveal,
                _ => continue,
            };
            let Some(seen) = self.claim(job_id, action, number) else { continue };
            let worker = self.clone();
            let at = at.clone();
            tokio::spawn(async move {
                let result = match action {
                    Action::Commit => worker.commit(&at, job_id, &job, seen).await,
                    Action::Reveal => worker.reveal(&at, job_id, &job).await,
                };
                match result {
                    Ok(()) => {}
                    // Retried only after `RETRY_AFTER_BLOCKS`: recomputing at once would give the same root.
                    Err(Error::CommitmentMismatch) => {}
                    Err(e) => {
                        worker.metrics.chain_errors.inc();
                        log::warn!("job {job_id}: {action:?} failed: {e}; will retry");
                        worker.release(job_id, action);
                    }
                }
            });
        }
        Ok(())
    }

    /// Marks an action as started unless it is under way; returns when it was first seen.
    fn claim(&self, job_id: JobId, action: Action, block: u64) -> Option<Instant> {
        let mut in_flight = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
        match in_flight.get(&(job_id, action)) {
            Some((started, _)) if block < started + RETRY_AFTER_BLOCKS => None,
            Some((_, seen)) => {
                let seen = *seen;
                in_flight.insert((job_id, action), (block, seen));
                Some(seen)
            }
            None => {
                let seen = Instant::now();
                in_flight.insert((job_id, action), (block, seen));
                Some(seen)
            }
        }
    }

    fn release(&self, job_id: JobId, action: Action) {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).remove(&(job_id, action));
    }

    /// Drops the state of jobs that ended.
    async fn forget_finished(&self, at: &AtBlock, assigned: &[JobId]) -> Result<(), ClientError> {
        self.in_flight.lock().unwrap_or_else(|p| p.into_inner()).retain(|(job, _), _| assigned.contains(job));
        for job_id in self.store.recorded_jobs() {
            if !assigned.contains(&job_id)
                && !matches!(self.chain.job(at, job_id).await?, Some(JobDetails::Open(_)))
            {
                self.store.forget_job(job_id);
            }
        }
        Ok(())
    }

    async fn kernel(&self, at: &AtBlock, kernel: &KernelId) -> Result<Arc<Vec<u8>>, Error> {
        if let Some(code) = self.kernels.lock().unwrap_or_else(|p| p.into_inner()).get(kernel) {
            return Ok(code.clone());
        }
        let code = self
            .chain
            .kernel_code(at, kernel)
            .await?
            .ok_or_else(|| Error::MissingKernel(hex::encode(kernel.0)))?;
        let code = Arc::new(verified_kernel(kernel, code)?);
        self.kernels.lock().unwrap_or_else(|p| p.into_inner()).insert(*kernel, code.clone());
        Ok(code)
    }

    /// How long the job's GPU work may take: until `DEADLINE_MARGIN_BLOCKS` before its deadline, when the
    /// commitment must be on its way. Past it a result would be too late to count.
    fn time_left(&self, at: &AtBlock, job: &OpenJob) -> Duration {
        let block_ms = self
            .chain
            .constant(at, api::constants().babe().expected_block_time())
            .unwrap_or(DEFAULT_BLOCK_MS);
        time_before(job.deadline.into(), at.block_number(), block_ms)
    }

    /// The job's result root: recorded, or computed now (and its output stored).
    async fn result(&self, at: &AtBlock, job_id: JobId, job: &OpenJob) -> Result<ResultRoot, Error> {
        let spec_hash = *blake3::hash(&codec::Encode::encode(&job.spec)).as_bytes();
        if let Some(root) = self.store.job_root(job_id, &spec_hash) {
            let failure = compute_primitives::failure::failure_reason_of(&root).is_some();
            if failure || self.store.get(&root).is_some() {
                return Ok(root);
            }
            log::info!("job {job_id}: output gone from the store, recomputing");
        }
        let code = self.kernel(at, &job.spec.kernel).await?;
        // The GPU work must end in time for the commitment to land, however long it waits for the executor.
        let deadline = Instant::now() + self.time_left(at, job);
        let outcome = match crate::chain_job::program_of(&job.spec, &code) {
            Ok(program) => match self.gpu.run(program, deadline).await {
                Ok(outcome) => outcome,
                // How long a job takes depends on the machine: no result, but an abstention, which the chain
                // neither pays nor slashes (a runaway kernel must not cost honest providers stake).
                Err(Error::Executor(compute_executor::Error::TimedOut(limit))) => {
                    log::warn!(
                        "job {job_id}: the GPU work did not end within the {limit:.1?} left in its window; \
                         abstaining (neither paid nor slashed)"
                    );
                    Outcome::Failed(Failure::new(FailureReason::Timeout, "ran out of the job's window"))
                }
                Err(e) => return Err(e),
            },
            Err(failure) => Outcome::Failed(failure),
        };
        self.metrics.jobs_executed.inc();
        let root = match outcome {
            Outcome::Completed(completed) => {
                self.metrics.gpu_time.observe(completed.timings.gpu_path().as_secs_f64());
                #[allow(unused_mut)]
                let (mut output, mut root) = (completed.output, completed.root);
                #[cfg(feature = "fault-injection")]
                if self.config.wrong_results {
                    if let Some(first) = output.first_mut() {
                        *first ^= 0xff;
                    }
                    root = compute_primitives::result_root(&output);
                    log::warn!("job {job_id}: fault injection: lying about the result");
                }
                match self.store.put(&root, &output) {
                    Ok(_) => self.metrics.store_bytes.set(self.store.total_bytes() as i64),
                    // Still commit: the result is right, it just cannot be downloaded from here.
                    Err(e) => log::warn!("job {job_id}: cannot keep the output: {e}"),
                }
                log::info!(
                    "job {job_id}: ran in {:?} (GPU path), root {}",
                    completed.timings.gpu_path(),
                    hex::encode(root.0)
                );
                root
            }
            Outcome::Failed(failure) => {
                self.metrics.jobs_failed.with_label_values(&[&format!("{:?}", failure.reason)]).inc();
                if is_machine_verdict(failure.reason) {
                    log::warn!(
                        "job {job_id}: {:?} ({}) is this machine's verdict, not the kernel's; abstaining \
                         (neither paid nor slashed)",
                        failure.reason,
                        failure.message
                    );
                    Failure::new(FailureReason::Timeout, "abstained").root
                } else {
                    log::info!("job {job_id}: canonical failure {:?}: {}", failure.reason, failure.message);
                    failure.root
                }
            }
        };
        if let Err(e) = self.store.record_job(job_id, &spec_hash, &root) {
            log::warn!("job {job_id}: cannot record the root (a restart will recompute it): {e}");
        }
        Ok(root)
    }

    async fn commit(&self, at: &AtBlock, job_id: JobId, job: &OpenJob, seen: Instant) -> Result<(), Error> {
        let root = self.result(at, job_id, job).await?;
        let salt = self.config.identity.salt(&self.genesis, job_id);
        let commitment = compute_primitives::commitment(job_id, &self.account, &root, &salt);
        let call = api::tx().compute_jobs().commit_result(job_id, Static(commitment));
        self.chain.submit(self.config.identity.keypair(), &call).await?;
        self.metrics.commits.inc();
        self.metrics.commit_latency.observe(seen.elapsed().as_secs_f64());
        log::info!("job {job_id}: committed");
        Ok(())
    }

    async fn reveal(&self, at: &AtBlock, job_id: JobId, job: &OpenJob) -> Result<(), Error> {
        let root = self.result(at, job_id, job).await?;
        let committed = job.replicas.iter().find(|r| r.provider == self.account).and_then(|r| r.commitment);
        let opens = |salt: &Salt| {
            committed == Some(compute_primitives::commitment(job_id, &self.account, &root, salt))
        };
        let Some(salt) = self.config.identity.salts(&self.genesis, job_id).into_iter().find(opens) else {
            // Revealing would only be refused (and cost a fee); the liveness slash follows either way.
            log::error!("job {job_id}: our result no longer opens our commitment; not revealing");
            return Err(Error::CommitmentMismatch);
        };
        // The reveal phase has begun: every replica has committed (or run out of time), so the output can
        // no longer help one of them skip the work.
        self.store.publish(&root);
        let call = api::tx().compute_jobs().reveal_result(job_id, Static(root), Static(salt));
        self.chain.submit(self.config.identity.keypair(), &call).await?;
        self.metrics.reveals.inc();
        log::info!("job {job_id}: revealed {}", hex::encode(root.0));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_protocols_failures_are_committed_as_results() {
        assert!(is_machine_verdict(FailureReason::PipelineRejected));
        for reason in FailureReason::ALL {
            if reason != FailureReason::PipelineRejected {
                assert!(!is_machine_verdict(reason), "{reason:?}");
            }
        }
    }

    #[test]
    fn a_kernel_the_node_altered_is_refused() {
        let source = b"@compute @workgroup_size(1) fn main() {}".to_vec();
        let kernel = compute_primitives::kernel_id(&source);
        assert_eq!(verified_kernel(&kernel, source.clone()).unwrap(), source);
        let mut altered = source;
        altered[0] ^= 1;
        assert!(matches!(verified_kernel(&kernel, altered), Err(Error::KernelHashMismatch(_))));
    }

    #[test]
    fn a_job_gets_the_time_before_its_deadline_less_the_margin() {
        assert_eq!(time_before(30, 10, 3_000), Duration::from_secs(54), "18 blocks of 3 s");
        assert_eq!(time_before(12, 10, 3_000), MIN_JOB_TIME, "no block left: the least time");
        assert_eq!(time_before(5, 10, 3_000), MIN_JOB_TIME, "past the deadline");
        assert_eq!(time_before(u64::MAX, 0, u64::MAX), Duration::from_millis(u64::MAX), "no overflow");
    }
}
