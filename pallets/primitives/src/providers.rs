//! How the jobs pallet sees compute providers: the staking pallet implements [`ComputeProviders`], the runtime
//! wires the two, and tests use a mock. Neither pallet depends on the other.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Which floating-point results a provider reproduces bit for bit: a digest of its backend, vendor and driver,
/// computed by the worker. Integer (exact) jobs ignore it.
#[derive(
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Encode,
    Decode,
    DecodeWithMemTracking,
    TypeInfo,
    MaxEncodedLen,
    Debug,
)]
pub struct DeterminismClass(pub [u8; 16]);

/// What a job asks of the providers that may run it.
#[derive(Clone, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug)]
pub struct Requirements<Balance> {
    /// Least GPU memory, in MiB.
    pub min_vram_mib: u32,
    /// `Some` for floating-point jobs: every replica must be of this class. `None` for exact jobs.
    pub determinism_class: Option<DeterminismClass>,
    /// The reward offered per replica: providers that ask more are not eligible.
    pub offer: Balance,
    /// Least stake behind an eligible provider: a job whose reward would make cheating pay (its slash, a
    /// fraction of the stake, below a multiple of the reward) is not given to a provider with less.
    pub min_stake: Balance,
    /// Whether providers without a free slot are eligible too (the chain's canaries: a provider's share of
    /// them must be its share of the stake, however busy others keep it).
    pub beyond_capacity: bool,
}

/// How a provider's part in a job ended, for its reputation counters and the emission schedule.
#[derive(
    Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub enum JobOutcome {
    /// Revealed the winning result; `work_units` is the job's size (output bytes × replicas' agreement).
    Completed {
        /// Verified work, the unit in which emission is shared.
        work_units: u64,
    },
    /// Revealed a result other than the winning one.
    WrongResult,
    /// Did not commit or reveal in time.
    MissedDeadline,
}

/// Why a provider operation was refused.
#[derive(
    Clone, Copy, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen, Debug,
)]
pub enum ProviderError {
    /// Fewer eligible providers than replicas; `eligible` is how many the sampler found.
    NotEnoughEligible {
        /// Eligible providers found.
        eligible: u32,
    },
    /// The account is not a registered provider.
    NotAProvider,
    /// The provider has no free capacity slot.
    NoFreeSlot,
    /// The payer cannot pay the reward.
    InsufficientFunds,
    /// An arithmetic overflow; a defensive failure.
    Overflow,
}

/// The staking side of the compute market, as the jobs pallet uses it.
pub trait ComputeProviders<AccountId> {
    /// Token amounts.
    type Balance;
    /// Funds removed by a slash, for the caller to share out; dropping them burns them.
    type SlashedFunds;
    /// Block numbers.
    type BlockNumber;

    /// Picks `count` distinct eligible providers, weighted by stake, deterministically from `seed`.
    ///
    /// Eligible: active (not chilled), meets `requirements`, asks no more than the offer, has a free slot.
    /// The cost must not grow with the number of registered providers.
    fn sample(
        seed: &[u8; 32],
        count: u32,
        requirements: &Requirements<Self::Balance>,
    ) -> Result<Vec<AccountId>, ProviderError>;

    /// Occupies one of the provider's capacity slots (one per assigned job); `NoFreeSlot` when all are
    /// taken, unless `beyond_capacity` (a canary: small, issued at a bounded rate, it may take one more).
    fn take_slot(provider: &AccountId, beyond_capacity: bool) -> Result<(), ProviderError>;

    /// Frees a slot taken by [`Self::take_slot`].
    fn free_slot(provider: &AccountId);

    /// Pays `amount` from `payer`'s free balance for the provider's work on `job`: its commission to the
    /// provider, the rest to its delegation pool.
    fn reward(
        provider: &AccountId,
        payer: &AccountId,
        amount: Self::Balance,
        job: crate::JobId,
    ) -> Result<(), ProviderError>;

    /// Slashes up to `amount` from the provider's pool (its bond and its delegators, pro rata) for a fault
    /// in `job`, and returns the funds with the amount actually slashed. `since` is the block the provider
    /// was assigned the job: tokens that had begun unbonding before it were not at risk for the job and
    /// are not slashed; tokens that began unbonding since are.
    fn slash(
        provider: &AccountId,
        amount: Self::Balance,
        job: crate::JobId,
        since: Self::BlockNumber,
    ) -> (Self::SlashedFunds, Self::Balance);

    /// Records how `job` ended for the provider (reputation, fault window, emission share).
    fn record_outcome(provider: &AccountId, outcome: JobOutcome, job: crate::JobId);

    /// The stake at risk behind a provider (bond plus delegations, excluding unbonding).
    fn stake_of(provider: &AccountId) -> Self::Balance;
}
