//! The runtime's types as the worker decodes them: the shared `compute-primitives` types with the runtime's
//! concrete account, balance and block number, and mirrors of the staking pallet's view types (same field
//! order, so the SCALE bytes are the same).

use codec::Decode;

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

/// Why a provider takes no new jobs (the staking pallet's `ChillReason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Decode)]
pub enum ChillReason {
    /// It asked to.
    Requested,
    /// Too many faults in the fault window.
    TooManyFaults,
    /// A slash left its bond below the minimum.
    BondBelowMinimum,
}

/// A provider's public counters (the staking pallet's `Reputation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Decode)]
pub struct Reputation {
    /// Jobs whose winning root it revealed.
    pub jobs_completed: u64,
    /// Jobs where it revealed another root.
    pub wrong_results: u64,
    /// Jobs it did not commit or reveal in time.
    pub missed_deadlines: u64,
    /// Tokens slashed.
    pub total_slashed: Balance,
    /// Rewards paid for its work.
    pub total_earned: Balance,
    /// The chain's canaries it won: work no requester can buy.
    pub canaries_completed: u64,
}

/// What `ComputeApi::provider_stats` returns (the staking pallet's `ProviderStats`).
#[derive(Clone, Debug, PartialEq, Eq, Decode)]
pub struct ProviderStats {
    /// Whether it takes new jobs.
    pub active: bool,
    /// Why not, when it does not.
    pub chilled_because: Option<ChillReason>,
    /// Active self-bond.
    pub bond: Balance,
    /// Active delegated stake.
    pub delegated: Balance,
    /// Delegated tokens still warming up: not yet earning nor at risk.
    pub warming_up: Balance,
    /// Commission in parts per billion.
    pub commission_ppb: u32,
    /// Least reward per replica it accepts.
    pub ask: Balance,
    /// GPU memory in MiB.
    pub vram_mib: u32,
    /// Capacity slots.
    pub max_concurrent_jobs: u32,
    /// Slots in use.
    pub slots_taken: u32,
    /// Block of registration.
    pub registered_at: BlockNumber,
    /// Rewards that went to the pool since registration.
    pub pool_earnings: Balance,
    /// Counters kept across registrations.
    pub reputation: Reputation,
    /// Estimated annual yield of a staked token, parts per billion.
    pub estimated_annual_yield_ppb: u32,
    /// The same from the emission alone (the chain's canaries), which self-paid jobs cannot inflate.
    pub estimated_emission_yield_ppb: u32,
}

/// An unbonding claim with its value now (the staking pallet's `UnbondingValue`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Decode)]
pub struct UnbondingValue {
    /// First block at which it can be withdrawn.
    pub unlock: BlockNumber,
    /// Its value.
    pub value: Balance,
}

/// What `ComputeApi::delegation` returns (the staking pallet's `DelegationStats`).
#[derive(Clone, Debug, PartialEq, Eq, Decode)]
pub struct DelegationStats {
    /// Shares held.
    pub shares: Balance,
    /// All shares of the pool.
    pub pool_shares: Balance,
    /// Value of the shares.
    pub active: Balance,
    /// Unbonding claims and their values.
    pub unbonding: Vec<UnbondingValue>,
    /// Value of the claims unlocked by now.
    pub withdrawable: Balance,
    /// Tokens still warming up, by activation block.
    pub warming_up: Vec<WarmingUp>,
}

/// Delegated tokens warming up (the staking pallet's `PendingClaim`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Decode)]
pub struct WarmingUp {
    /// First block at which they are active.
    pub activation: BlockNumber,
    /// Tokens.
    pub value: Balance,
}

impl DelegationStats {
    /// Everything the position is worth: active stake, every unbonding claim and what warms up.
    pub fn total(&self) -> Balance {
        let unbonding = self.unbonding.iter().fold(self.active, |sum, claim| sum.saturating_add(claim.value));
        self.warming_up.iter().fold(unbonding, |sum, claim| sum.saturating_add(claim.value))
    }
}
