//! The compute pallets' calls as the worker sends them.
//!
//! Arguments are SCALE-encoded with the types of `compute-primitives` (shared with the runtime), and the
//! call is then checked against the connected runtime's metadata before it is signed (see
//! [`super::Chain::call_payload`]), so a worker built for another runtime version gets a clear error, never a
//! wrongly encoded call.

use codec::{Compact, Decode, Encode};
use compute_primitives::{Commitment, DeterminismClass, JobId, ResultRoot, Salt};

use super::{AccountId, Balance, JobSpec};

/// The graphics API a provider declares (the staking pallet's `GpuBackend`, same variant order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub enum GpuBackend {
    /// Vulkan, including Mesa's lavapipe.
    Vulkan,
    /// Apple Metal.
    Metal,
    /// Direct3D 12.
    Dx12,
    /// OpenGL / OpenGL ES.
    Gl,
    /// WebGPU in a browser.
    BrowserWebGpu,
}

/// A provider's hardware profile and terms (the staking pallet's `ProviderProfile`, same field order).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ProviderProfile {
    /// GPU model as the driver reports it.
    pub gpu_name: Vec<u8>,
    /// GPU vendor.
    pub vendor: Vec<u8>,
    /// The graphics API.
    pub backend: GpuBackend,
    /// GPU memory in MiB.
    pub vram_mib: u32,
    /// The `bench` score.
    pub benchmark_score: u64,
    /// Which floating-point results this machine reproduces bit for bit.
    pub determinism_class: DeterminismClass,
    /// Jobs run at once.
    pub max_concurrent_jobs: u32,
    /// Least reward per replica accepted.
    pub ask: Balance,
    /// Where outputs are served by result root.
    pub endpoint: Vec<u8>,
}

/// A call of the compute pallets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    /// `ComputeStaking::register_provider`.
    RegisterProvider {
        /// Hardware and terms.
        profile: ProviderProfile,
        /// Commission in parts per billion.
        commission_ppb: u32,
        /// Self-bond.
        bond: Balance,
    },
    /// `ComputeStaking::update_profile`.
    UpdateProfile(ProviderProfile),
    /// `ComputeStaking::delegate`.
    Delegate {
        /// The provider.
        provider: AccountId,
        /// Tokens to stake behind it.
        amount: Balance,
    },
    /// `ComputeStaking::undelegate`.
    Undelegate {
        /// The provider.
        provider: AccountId,
        /// Tokens to unbond.
        amount: Balance,
    },
    /// `ComputeStaking::withdraw_delegation`.
    WithdrawDelegation {
        /// The provider.
        provider: AccountId,
    },
    /// `ComputeStaking::cancel_pending_delegation`.
    CancelPendingDelegation {
        /// The provider.
        provider: AccountId,
    },
    /// `ComputeJobs::register_kernel`.
    RegisterKernel {
        /// The WGSL source.
        wgsl: Vec<u8>,
    },
    /// `ComputeJobs::submit_job`.
    SubmitJob(Box<JobSpec>),
    /// `ComputeJobs::commit_result`.
    CommitResult {
        /// The job.
        job_id: JobId,
        /// The sealed claim.
        commitment: Commitment,
    },
    /// `ComputeJobs::reveal_result`.
    RevealResult {
        /// The job.
        job_id: JobId,
        /// The result root.
        root: ResultRoot,
        /// The salt of the commitment.
        salt: Salt,
    },
}

impl Call {
    /// The pallet and call names, as in the metadata.
    pub fn name(&self) -> (&'static str, &'static str) {
        match self {
            Call::RegisterProvider { .. } => ("ComputeStaking", "register_provider"),
            Call::UpdateProfile(_) => ("ComputeStaking", "update_profile"),
            Call::Delegate { .. } => ("ComputeStaking", "delegate"),
            Call::Undelegate { .. } => ("ComputeStaking", "undelegate"),
            Call::WithdrawDelegation { .. } => ("ComputeStaking", "withdraw_delegation"),
            Call::CancelPendingDelegation { .. } => ("ComputeStaking", "cancel_pending_delegation"),
            Call::RegisterKernel { .. } => ("ComputeJobs", "register_kernel"),
            Call::SubmitJob(_) => ("ComputeJobs", "submit_job"),
            Call::CommitResult { .. } => ("ComputeJobs", "commit_result"),
            Call::RevealResult { .. } => ("ComputeJobs", "reveal_result"),
        }
    }

    /// The SCALE encoding of the arguments, in declaration order.
    pub fn encode_args(&self) -> Vec<u8> {
        match self {
            Call::RegisterProvider { profile, commission_ppb, bond } => {
                (profile, commission_ppb, Compact(*bond)).encode()
            }
            Call::UpdateProfile(profile) => profile.encode(),
            Call::Delegate { provider, amount } | Call::Undelegate { provider, amount } => {
                (provider, Compact(*amount)).encode()
            }
            Call::WithdrawDelegation { provider } | Call::CancelPendingDelegation { provider } => {
                provider.encode()
            }
            Call::RegisterKernel { wgsl } => wgsl.encode(),
            Call::SubmitJob(spec) => spec.encode(),
            Call::CommitResult { job_id, commitment } => (job_id, commitment).encode(),
            Call::RevealResult { job_id, root, salt } => (job_id, root, salt).encode(),
        }
    }
}
