//! The runtime's types as the client uses them: the shared `compute-primitives` types with the runtime's
//! concrete account, balance and block number, and the staking pallet's own types as subxt generates them
//! from the metadata (no hand-written mirrors).

use super::generated::runtime::runtime_types::pallet_compute_staking as staking;

/// An account: 32 bytes (sr25519 public key).
pub type AccountId = [u8; 32];
/// The runtime's balance type.
pub type Balance = u128;
/// The runtime's block number type.
pub type BlockNumber = u32;
/// A job spec with the worker's (unbounded) limits.
pub type JobSpec = compute_primitives::UnboundedJobSpec<Balance>;
/// What `ComputeApi::job` returns.
pub type JobDetails = compute_primitives::JobDetails<AccountId, Balance, BlockNumber>;
/// An open job.
pub type OpenJob = compute_primitives::OpenJob<AccountId, Balance, BlockNumber>;
/// A finished job's record.
pub type JobRecord = compute_primitives::JobRecord<AccountId, BlockNumber, compute_primitives::Unbounded>;

pub use staking::types::{ChillReason, GpuBackend};

/// A provider's hardware profile and terms (`ComputeStaking::Providers`' `profile`).
pub type ProviderProfile = staking::types::ProviderProfile;
/// What `ComputeApi::provider_stats` returns.
pub type ProviderStats = staking::views::ProviderStats<Balance, BlockNumber>;
/// What `ComputeApi::delegation` returns.
pub type DelegationStats = staking::views::DelegationStats<Balance, BlockNumber>;

impl DelegationStats {
    /// Everything the position is worth: active stake, every unbonding claim and what warms up.
    pub fn total(&self) -> Balance {
        let unbonding = self.unbonding.iter().fold(self.active, |sum, claim| sum.saturating_add(claim.value));
        self.warming_up.iter().fold(unbonding, |sum, claim| sum.saturating_add(claim.value))
    }
}
