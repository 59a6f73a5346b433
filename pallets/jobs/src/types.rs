//! Types that the pallet stores, takes as call arguments or emits in events. The job types shared with the
//! worker (spec, phase, replica, record, details) are in [`compute_primitives::job`].

use crate::Config;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use compute_primitives::{JobDetails, JobPhase, JobRecord, JobSpec, Replica};
use frame_support::{traits::fungible, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

/// Token amounts of the configured currency.
pub type BalanceOf<T> =
    <<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
/// Funds taken from an account (a fee, a slash): dropping them burns them.
pub type CreditOf<T> = fungible::Credit<<T as frame_system::Config>::AccountId, <T as Config>::Currency>;
/// A job spec with the runtime's bounds.
pub type JobSpecOf<T> = JobSpec<BalanceOf<T>, <T as Config>::MaxInputs, <T as Config>::MaxInlineInput>;
/// The record of a finished job.
pub type JobRecordOf<T> = JobRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
/// A job as the runtime API returns it.
pub type JobDetailsOf<T> =
    JobDetails<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// A registered kernel (its source is stored apart, in `KernelCode`).
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen)]
pub struct KernelInfo<AccountId, Balance> {
    /// Who registered it and may remove it.
    pub owner: AccountId,
    /// The deposit held from the owner.
    pub deposit: Balance,
    /// Length of the source, in bytes.
    pub len: u32,
    /// Open jobs that run it; it cannot be removed while there are any.
    pub open_jobs: u32,
}

/// An open job.
#[derive(
    CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, Encode, Decode, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(T))]
#[codec(mel_bound())]
pub struct Job<T: Config> {
    /// Who submitted it and pays for it.
    pub requester: T::AccountId,
    /// What to run.
    pub spec: JobSpecOf<T>,
    /// Held for the providers: `replicas × reward_per_replica`.
    pub escrow: BalanceOf<T>,
    /// Held for the fee (`JobFee` at submission).
    pub fee: BalanceOf<T>,
    /// Where the job is.
    pub phase: JobPhase,
    /// When it was submitted.
    pub submitted_at: BlockNumberFor<T>,
    /// The block whose `on_initialize` handles the job next (the end of its queue, commit or reveal
    /// window, or its resolution). The job is in exactly that bucket of `Deadlines`.
    pub deadline: BlockNumberFor<T>,
    /// The assigned providers, one per replica; empty while queued.
    pub replicas: BoundedVec<Replica<T::AccountId>, T::MaxReplicas>,
}

impl<T: Config> Job<T> {
    /// Whether any replica has committed.
    pub fn any_committed(&self) -> bool {
        self.replicas.iter().any(|r| r.commitment.is_some())
    }
}

/// Why a provider was slashed.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum SlashReason {
    /// It revealed a root other than the winning one.
    WrongResult,
    /// It did not commit, or did not reveal, in time.
    MissedDeadline,
}

/// Sets up the state the benchmarks need; the runtime implements it with the staking pallet.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<T: Config> {
    /// How many providers the assignment benchmarks register (the runtime's expected population, at least
    /// `MaxReplicas`). The sampler's cost does not grow with it; the depth of the storage tries does.
    fn provider_population() -> u32;

    /// Registers `count` active providers eligible for jobs with these `needs` and an offer of at least
    /// `ask`, each with stake (so that it can be slashed), free balance, and free capacity for at least two
    /// jobs. Returns their accounts.
    fn register_providers(
        count: u32,
        needs: &compute_primitives::HardwareNeeds,
        ask: BalanceOf<T>,
    ) -> alloc::vec::Vec<T::AccountId>;
}
