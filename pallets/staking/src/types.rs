//! Types that the pallet stores, takes as call arguments or emits in events.

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use compute_primitives::DeterminismClass;
use frame_support::{
    traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, DefaultNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{traits::Saturating, Perbill};

/// Token amounts of the configured currency.
pub type BalanceOf<T> =
    <<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Slashed funds: a credit of the configured currency. Dropping it burns the funds.
pub type CreditOf<T> = fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// Index of an emission era.
pub type EraIndex = u32;
/// A provider registered at genesis (`GenesisConfig::providers`). It registers as `register_provider` would,
/// from its free balance, with no commission, a Vulkan backend, determinism class zero, GPU name `genesis` and
/// endpoint `http://127.0.0.1:8040`. In a chain spec: `{"account", "bond", "vramMib", "maxConcurrentJobs",
/// "ask"}`.
#[derive(
    CloneNoBound,
    DebugNoBound,
    PartialEqNoBound,
    EqNoBound,
    frame_support::Serialize,
    frame_support::Deserialize,
)]
#[serde(bound(serialize = "", deserialize = ""))]
#[serde(crate = "frame_support::__private::serde")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenesisProvider<T: Config> {
    /// The provider's account.
    pub account: T::AccountId,
    /// Its bond, held from its free balance.
    pub bond: BalanceOf<T>,
    /// Its GPU memory in MiB.
    pub vram_mib: u32,
    /// How many jobs it takes at once.
    pub max_concurrent_jobs: u32,
    /// Its ask per replica.
    pub ask: BalanceOf<T>,
}

/// A provider's hardware profile with the runtime's bounds.
pub type ProfileOf<T> = ProviderProfile<T>;

/// The graphics API through which the worker drives the GPU (wgpu's backends).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum GpuBackend {
    /// Vulkan, including software drivers such as Mesa's lavapipe.
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

/// What a provider declares about its machine and its terms. Everything is bounded.
#[derive(
    CloneNoBound,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct ProviderProfile<T: Config> {
    /// GPU model as the driver reports it (UTF-8, at most `MaxNameLength` bytes, not empty).
    pub gpu_name: BoundedVec<u8, T::MaxNameLength>,
    /// GPU vendor (UTF-8, at most `MaxNameLength` bytes).
    pub vendor: BoundedVec<u8, T::MaxNameLength>,
    /// The graphics API the worker uses.
    pub backend: GpuBackend,
    /// GPU memory in MiB.
    pub vram_mib: u32,
    /// Score measured by the worker's `bench` command (higher is faster). Informative only.
    pub benchmark_score: u64,
    /// Which floating-point results this machine reproduces bit for bit.
    pub determinism_class: DeterminismClass,
    /// Most jobs the provider runs at once: its capacity slots (1 ..= `MaxConcurrentJobs`).
    pub max_concurrent_jobs: u32,
    /// Least reward per job (per replica) the provider accepts.
    pub ask: BalanceOf<T>,
    /// URL where the worker serves outputs by result root (at most `MaxUrlLength` bytes, not empty).
    pub endpoint: BoundedVec<u8, T::MaxUrlLength>,
}

/// Why a provider is not taking new jobs.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum ChillReason {
    /// The provider asked (`chill`).
    Requested,
    /// `MaxFaults` wrong results or missed deadlines within `FaultWindow`.
    TooManyFaults,
    /// A slash left its self-bond below `MinProviderBond`.
    BondBelowMinimum,
}

/// Whether a provider may be assigned new jobs.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum ProviderStatus {
    /// In the active set: sampled for new jobs.
    Active,
    /// Out of the active set until it `rejoin`s.
    Chilled(ChillReason),
}

/// Where an active provider sits in the sampler's index: `ActiveSet[(tier, level)][index]`.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct ActivePosition {
    /// The tier of the provider's ask.
    pub tier: u8,
    /// `floor(log2(weight))` of the provider's stake.
    pub level: u8,
    /// Position within the level, `0 .. count`.
    pub index: u32,
}

/// What the sampler needs of an active provider, kept in its `ActiveSet` slot so that one draw is one
/// storage read: who it is, its sampling weight, and the terms a job's requirements are checked against.
/// Rewritten whenever the provider's stake, profile or free capacity changes.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct SamplerEntry<AccountId, Balance> {
    /// The provider.
    pub provider: AccountId,
    /// Its sampling weight: its active stake, capped at `2^(MAX_LEVEL+1) - 1`.
    pub weight: u128,
    /// GPU memory in MiB.
    pub vram_mib: u32,
    /// Its determinism class.
    pub determinism_class: DeterminismClass,
    /// Least reward per replica it accepts.
    pub ask: Balance,
    /// Whether a capacity slot is free.
    pub has_free_slot: bool,
}

/// How many active providers a stake level holds.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct LevelCount {
    /// The level: every provider in it has a sampling weight in `[2^level, 2^(level+1))`.
    pub level: u8,
    /// Number of providers in the level (> 0 in storage).
    pub count: u32,
}

/// The sampling mass of an ask tier: `Σ count × 2^(level+1)` over its stake levels.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct TierMass {
    /// The tier: every provider in it asks exactly the tier's price.
    pub tier: u8,
    /// Its envelope mass (> 0 in storage).
    pub mass: u128,
}

/// A registered provider.
#[derive(
    CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct ProviderInfo<T: Config> {
    /// Hardware profile and terms.
    pub profile: ProviderProfile<T>,
    /// Share of every reward kept by the provider before the rest goes to the pool.
    pub commission: Perbill,
    /// Block of the last commission increase (or of registration): the next increase waits
    /// `CommissionChangeDelay` after it.
    pub commission_raised_at: BlockNumberFor<T>,
    /// Active or chilled.
    pub status: ProviderStatus,
    /// Capacity slots in use (jobs assigned and not yet resolved).
    pub slots_taken: u32,
    /// Position in the sampler's index while active.
    pub position: Option<ActivePosition>,
    /// Blocks of the faults within the current `FaultWindow`, oldest first.
    pub recent_faults: BoundedVec<BlockNumberFor<T>, T::MaxFaults>,
    /// Block of registration: the start of the record behind the estimated yield.
    pub registered_at: BlockNumberFor<T>,
    /// Rewards that went to the pool (self-bond and delegators, after commission) since registration.
    pub pool_earnings: BalanceOf<T>,
    /// The part of `pool_earnings` the emission paid (for the chain's canaries): what no requester, the
    /// provider itself included, can inflate by paying for jobs.
    pub pool_emission: BalanceOf<T>,
}

/// Tokens of a provider's self-bond on their way out.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct UnbondingChunk<BlockNumber, Balance> {
    /// First block at which the chunk may be withdrawn; slashable before it.
    pub unlock: BlockNumber,
    /// Tokens in the chunk.
    pub value: Balance,
}

/// A delegator's claim on one of its provider's unbonding pools.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct UnbondingClaim<BlockNumber, Balance> {
    /// The unbonding pool (its unlock block), withdrawable from this block on.
    pub unlock: BlockNumber,
    /// Points held in that pool.
    pub points: Balance,
}

/// The stake behind one provider: its self-bond and its delegation pool, plus what is unbonding.
///
/// Physically every token counted here sits on the provider's pool account (see
/// [`crate::Pallet::pool_account`]), on hold: `ProviderBond` for `bond` and `bond_unbonding`, `Delegation`
/// for `delegated` and the delegators' unbonding pools.
#[derive(
    CloneNoBound,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
    DefaultNoBound,
    Encode,
    Decode,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Pool<T: Config> {
    /// The provider's active self-bond.
    pub bond: BalanceOf<T>,
    /// The provider's unbonding chunks, by unlock block.
    pub bond_unbonding: BoundedVec<UnbondingChunk<BlockNumberFor<T>, BalanceOf<T>>, T::MaxUnbondingChunks>,
    /// Active delegated tokens: the value of all shares.
    pub delegated: BalanceOf<T>,
    /// Shares outstanding; zero exactly when `delegated` is zero.
    pub shares: BalanceOf<T>,
    /// Unlock blocks of the delegators' unbonding pools that may still be slashable (unlock in the
    /// future when last pruned).
    pub unbonding_keys: BoundedVec<BlockNumberFor<T>, T::MaxUnbondingPools>,
    /// Number of `UnbondingPools` entries of this provider, slashable or not.
    pub unbonding_pool_count: u32,
    /// Delegated tokens still warming up: the sum of the batches of `PendingDelegations` that have not
    /// activated. Neither at risk nor earning, nor weighing in the sampler.
    pub warming_up: BalanceOf<T>,
    /// Activation blocks of those batches.
    pub warm_up_keys: BoundedVec<BlockNumberFor<T>, T::MaxUnbondingPools>,
    /// Number of `PendingDelegations` entries of this provider, activated (with shares left to hand out
    /// to their claims) or not.
    pub pending_batch_count: u32,
    /// Tokens left free on the pool account so that it exists (the existential deposit at creation),
    /// paid by the provider and returned when the pool is dissolved.
    pub deposit: BalanceOf<T>,
}

impl<T: Config> Pool<T> {
    /// Stake at risk and weighing in the sampler: self-bond plus delegations, without unbonding.
    pub fn active_stake(&self) -> BalanceOf<T> {
        self.bond.saturating_add(self.delegated)
    }
}

/// A delegator's position in one provider's pool.
#[derive(
    CloneNoBound,
    PartialEqNoBound,
    EqNoBound,
    DebugNoBound,
    DefaultNoBound,
    Encode,
    Decode,
    TypeInfo,
    MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Delegation<T: Config> {
    /// Shares of the pool's active delegated stake.
    pub shares: BalanceOf<T>,
    /// Claims on unbonding pools, at most `MaxUnbondingChunks`.
    pub unbonding: BoundedVec<UnbondingClaim<BlockNumberFor<T>, BalanceOf<T>>, T::MaxUnbondingChunks>,
    /// Tokens delegated but still warming up, by the batch they joined. A claim on an activated batch
    /// turns into shares on the delegation's next operation (or any view of it).
    pub pending: BoundedVec<PendingClaim<BlockNumberFor<T>, BalanceOf<T>>, T::MaxUnbondingChunks>,
}

impl<T: Config> Delegation<T> {
    /// Nothing left in it: the record can go.
    pub fn is_empty(&self) -> bool {
        use sp_runtime::traits::Zero;
        self.shares.is_zero() && self.unbonding.is_empty() && self.pending.is_empty()
    }
}

/// A delegator's part of a batch of warming-up delegations.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct PendingClaim<BlockNumber, Balance> {
    /// The batch: the block from which its tokens are active.
    pub activation: BlockNumber,
    /// Tokens this delegator put in it.
    pub value: Balance,
}

/// Delegations to one provider that activate at the same block. Until then `shares` is zero and
/// `value` is their sum; at activation the whole batch buys shares at the pool's price of that moment,
/// and each claim then takes its part of them (`shares × claim / value`, the last claim the rest).
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct PendingBatch<Balance> {
    /// Tokens of the claims not yet turned into shares.
    pub value: Balance,
    /// Shares bought at activation and not yet handed to claims (zero before activation).
    pub shares: Balance,
    /// Whether the batch has activated.
    pub active: bool,
}

/// Delegated tokens unbonding together (same provider, same unlock block), shared by points so that a
/// slash lowers every claim at once.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct UnbondingPool<Balance> {
    /// Points outstanding.
    pub points: Balance,
    /// Tokens in the pool; non-zero while points are.
    pub balance: Balance,
}

/// A provider's public record, kept after deregistration so that it cannot be washed.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct Reputation<Balance> {
    /// Jobs whose winning result it revealed (requesters' jobs included, which a provider can pay for
    /// itself: see `canaries_completed`).
    pub jobs_completed: u64,
    /// Jobs where it revealed another result.
    pub wrong_results: u64,
    /// Jobs where it did not commit or reveal in time.
    pub missed_deadlines: u64,
    /// Tokens slashed from its bond, its delegators and their unbonding funds.
    pub total_slashed: Balance,
    /// Rewards paid for its work (job payments and emission), commission and pool share together.
    pub total_earned: Balance,
    /// The chain's canary jobs whose winning result it revealed: work the chain chose and verified, which
    /// no requester can buy.
    pub canaries_completed: u64,
}

/// Emission and verified work of an era.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct EraInfo<BlockNumber, Balance> {
    /// First block of the era.
    pub start: BlockNumber,
    /// Emission accumulated so far (`EmissionPerBlock` for every block of the era).
    pub emission: Balance,
    /// Work units of the era's completed jobs.
    pub work: u128,
    /// Emission paid out so far (after the era closed).
    pub paid: Balance,
}

/// How a reward was split.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct RewardSplit<Balance> {
    /// Paid to the provider's free balance.
    pub commission: Balance,
    /// Added to the provider's self-bond (its pro-rata part of the pool share, plus the commission when
    /// the provider's account could not receive it).
    pub to_bond: Balance,
    /// Added to the delegators' stake: raises the value of every share.
    pub to_delegators: Balance,
}
