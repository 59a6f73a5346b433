//! The `benchmark` subcommand: pallet weights, block and extrinsic execution times, machine checks.
//!
//! Only in nodes built with `--features runtime-benchmarks`.

use std::sync::Arc;

use codec::Encode;
use compute_primitives::{JobDetails, JobId, JobPhase};
use compute_runtime::{extrinsic, job_benchmarks, opaque::Block, RuntimeCall, SLOT_DURATION};
use frame_benchmarking_cli::{
    BenchmarkCmd, ExtrinsicBuilder, ExtrinsicFactory, SUBSTRATE_REFERENCE_HARDWARE,
};
use sc_cli::SubstrateCli;
use sc_client_api::{BlockBackend, UsageProvider};
use sc_service::PartialComponents;
use sp_api::{Core, ProvideRuntimeApi};
use sp_consensus_babe::digests::{PreDigest, SecondaryPlainPreDigest};
use sp_keyring::Sr25519Keyring;
use sp_runtime::{traits::HashingFor, DigestItem, OpaqueExtrinsic};

use crate::{
    cli::Cli,
    service::{self, FullClient},
};

/// Signs calls from Alice for the chain `client` follows.
pub struct Signer {
    client: Arc<FullClient>,
    /// Alice's account nonce at the best block: the `n`-th extrinsic of a benchmark block uses `first + n`.
    first_nonce: u32,
}

impl Signer {
    /// A signer for the chain of `client`, from Alice's nonce at the best block.
    pub fn new(client: Arc<FullClient>) -> Self {
        use frame_system_rpc_runtime_api::AccountNonceApi;
        let best = client.usage_info().chain.best_hash;
        let first_nonce = client
            .runtime_api()
            .account_nonce(best, Sr25519Keyring::Alice.to_account_id())
            .unwrap_or_default();
        Self { client, first_nonce }
    }

    /// Alice's open jobs in `phase` at the best block, in id order.
    fn alice_jobs(&self, phase: JobPhase) -> Vec<JobId> {
        use compute_runtime_api::ComputeApi;
        let best = self.client.usage_info().chain.best_hash;
        let api = self.client.runtime_api();
        let ids = api.assignments(best, Sr25519Keyring::Alice.to_account_id()).unwrap_or_default();
        ids.into_iter()
            .filter(|id| matches!(api.job(best, *id), Ok(Some(JobDetails::Open(job))) if job.phase == phase))
            .collect()
    }

    /// `call` signed by Alice as her `index`-th transaction in the benchmark block, for the best block's
    /// runtime.
    pub fn sign(&self, call: RuntimeCall, index: u32) -> Result<OpaqueExtrinsic, &'static str> {
        let nonce = self.first_nonce.checked_add(index).ok_or("nonce overflow")?;
        let genesis_hash = self
            .client
            .block_hash(0)
            .ok()
            .flatten()
            .ok_or("the genesis block is missing from the database")?;
        let best = self.client.usage_info().chain.best_hash;
        let version =
            self.client.runtime_api().version(best).map_err(|_| "cannot read the runtime version")?;
        let context = extrinsic::SigningContext {
            genesis_hash,
            spec_version: version.spec_version,
            transaction_version: version.transaction_version,
        };
        let signed = extrinsic::signed_extrinsic(call, &Sr25519Keyring::Alice.pair(), nonce, context);
        OpaqueExtrinsic::try_from_encoded_extrinsic(&signed.encode())
            .map_err(|_| "a signed extrinsic encodes as an opaque one")
    }
}

/// `system.remark` with an empty remark: the baseline transaction.
pub struct RemarkBuilder(pub Signer);

impl ExtrinsicBuilder for RemarkBuilder {
    fn pallet(&self) -> &str {
        "system"
    }

    fn extrinsic(&self) -> &str {
        "remark"
    }

    fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
        self.0.sign(RuntimeCall::System(frame_system::Call::remark { remark: vec![] }), nonce)
    }
}

/// `balances.transfer_keep_alive` from Alice to Bob: the reference transaction of the jobs pallet's targets.
pub struct TransferKeepAliveBuilder(pub Signer);

impl ExtrinsicBuilder for TransferKeepAliveBuilder {
    fn pallet(&self) -> &str {
        "balances"
    }

    fn extrinsic(&self) -> &str {
        "transfer_keep_alive"
    }

    fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
        let dest = Sr25519Keyring::Bob.to_account_id().into();
        let value = compute_runtime::EXISTENTIAL_DEPOSIT;
        self.0.sign(RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest, value }), nonce)
    }
}

/// `compute_jobs.submit_job` of a 3-replica job sampled among every provider (on the `benchmark` chain,
/// 1 000 of them).
pub struct SubmitJobBuilder(pub Signer);

impl ExtrinsicBuilder for SubmitJobBuilder {
    fn pallet(&self) -> &str {
        "compute_jobs"
    }

    fn extrinsic(&self) -> &str {
        "submit_job"
    }

    fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
        let spec = Box::new(job_benchmarks::sampled_job(nonce));
        self.0.sign(RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job { spec }), nonce)
    }
}

/// `compute_jobs.commit_result` by Alice, the last commitment of a job prepared on the `benchmark` chain
/// (`scripts/benchmark-jobs.sh` prepares them).
pub struct CommitResultBuilder {
    signer: Signer,
    jobs: Vec<JobId>,
}

impl CommitResultBuilder {
    /// Finds Alice's jobs waiting for her commitment.
    pub fn new(signer: Signer) -> Self {
        let jobs = signer.alice_jobs(JobPhase::Committing);
        Self { signer, jobs }
    }
}

impl ExtrinsicBuilder for CommitResultBuilder {
    fn pallet(&self) -> &str {
        "compute_jobs"
    }

    fn extrinsic(&self) -> &str {
        "commit_result"
    }

    fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
        let job_id = *self.jobs.get(nonce as usize).ok_or(
            "no more jobs waiting for Alice's commitment: prepare them with scripts/benchmark-jobs.sh",
        )?;
        let (root, salt) = job_benchmarks::alice_result(job_id);
        let alice = Sr25519Keyring::Alice.to_account_id();
        let commitment = compute_primitives::commitment(job_id, &alice.encode(), &root, &salt);
        self.signer.sign(
            RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::commit_result { job_id, commitment }),
            nonce,
        )
    }
}

/// `compute_jobs.reveal_result` by Alice, the last reveal of a job prepared on the `benchmark` chain.
pub struct RevealResultBuilder {
    signer: Signer,
    jobs: Vec<JobId>,
}

impl RevealResultBuilder {
    /// Finds Alice's jobs waiting for her reveal.
    pub fn new(signer: Signer) -> Self {
        let jobs = signer.alice_jobs(JobPhase::Revealing);
        Self { signer, jobs }
    }
}

impl ExtrinsicBuilder for RevealResultBuilder {
    fn pallet(&self) -> &str {
        "compute_jobs"
    }

    fn extrinsic(&self) -> &str {
        "reveal_result"
    }

    fn build(&self, nonce: u32) -> Result<OpaqueExtrinsic, &'static str> {
        let job_id = *self
            .jobs
            .get(nonce as usize)
            .ok_or("no more jobs waiting for Alice's reveal: prepare them with scripts/benchmark-jobs.sh")?;
        let (result_root, salt) = job_benchmarks::alice_result(job_id);
        self.signer.sign(
            RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::reveal_result { job_id, result_root, salt }),
            nonce,
        )
    }
}

/// The inherent data and BABE pre-digest of a benchmark block authored now.
pub fn benchmark_block_inputs() -> sc_cli::Result<(sp_inherents::InherentData, Vec<DigestItem>)> {
    use sp_inherents::InherentDataProvider;

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|error| sc_cli::Error::Application(Box::new(error)))?
        .as_millis() as u64;
    let slot = now / SLOT_DURATION;
    let mut inherent_data = sp_inherents::InherentData::new();
    let timestamp = sp_timestamp::InherentDataProvider::new((slot * SLOT_DURATION).into());
    futures::executor::block_on(timestamp.provide_inherent_data(&mut inherent_data))
        .map_err(|error| format!("creating the timestamp inherent: {error:?}"))?;
    let pre_digest =
        PreDigest::SecondaryPlain(SecondaryPlainPreDigest { authority_index: 0, slot: slot.into() });
    let digest = vec![DigestItem::PreRuntime(sp_consensus_babe::BABE_ENGINE_ID, pre_digest.encode())];
    Ok((inherent_data, digest))
}

/// Runs a `benchmark` subcommand.
pub fn run(cli: &Cli, cmd: &BenchmarkCmd) -> sc_cli::Result<()> {
    let runner = cli.create_runner(cmd)?;
    runner.sync_run(|config| match cmd {
        BenchmarkCmd::Pallet(cmd) => {
            cmd.run_with_spec::<HashingFor<Block>, service::HostFunctions>(Some(config.chain_spec))
        }
        BenchmarkCmd::Block(cmd) => {
            let PartialComponents { client, .. } = service::new_partial(&config)?;
            cmd.run(client)
        }
        BenchmarkCmd::Extrinsic(cmd) => {
            let PartialComponents { client, .. } = service::new_partial(&config)?;
            let factory = ExtrinsicFactory(vec![
                Box::new(RemarkBuilder(Signer::new(client.clone()))),
                Box::new(TransferKeepAliveBuilder(Signer::new(client.clone()))),
                Box::new(SubmitJobBuilder(Signer::new(client.clone()))),
                Box::new(CommitResultBuilder::new(Signer::new(client.clone()))),
                Box::new(RevealResultBuilder::new(Signer::new(client.clone()))),
            ]);
            let (inherent_data, digest) = benchmark_block_inputs()?;
            cmd.run(client, inherent_data, digest, &factory)
        }
        BenchmarkCmd::Overhead(_) | BenchmarkCmd::Storage(_) => Err(sc_cli::Error::Input(
            "the overhead and storage benchmarks are not wired in this node; use `benchmark extrinsic` \
             (per-transaction times) and `benchmark pallet` (weights)"
                .into(),
        )),
        BenchmarkCmd::Machine(cmd) => cmd.run(&config, SUBSTRATE_REFERENCE_HARDWARE.clone()),
    })
}
