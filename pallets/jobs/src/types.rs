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
pub type JobRecordOf<T> =
    JobRecord<<T as frame_system::Config>::AccountId, BlockNumberFor<T>, ParticipantsOf<T>>;
/// A job as the runtime API returns it.
pub type JobDetailsOf<T> =
    JobDetails<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

/// Most replicas of one job, referees included: `MaxReplicas + DisputeReferees`.
pub struct ParticipantsOf<T>(core::marker::PhantomData<T>);
impl<T: Config> frame_support::traits::Get<u32> for ParticipantsOf<T> {
    fn get() -> u32 {
        T::MaxReplicas::get().saturating_add(T::DisputeReferees::get())
    }
}

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
    /// Held for the providers: `(replicas + referees) × reward_per_replica`, where `referees` is
    /// `DisputeReferees` for a job of two replicas or more (a dispute pays them), zero for one replica.
    pub escrow: BalanceOf<T>,
    /// Held for the fee (`JobFee` at submission).
    pub fee: BalanceOf<T>,
    /// Held as the storage deposit (reason `JobDeposit`) while the job is open; released when it ends.
    pub deposit: BalanceOf<T>,
    /// Where the job is.
    pub phase: JobPhase,
    /// When it was submitted.
    pub submitted_at: BlockNumberFor<T>,
    /// The block whose `on_initialize` handles the job next (the end of its queue, commit or reveal
    /// window, or its resolution). The job is in exactly that bucket of `Deadlines`.
    pub deadline: BlockNumberFor<T>,
    /// The assigned providers, one per replica, then the referees of a dispute; empty while queued.
    pub replicas: BoundedVec<Replica<T::AccountId>, ParticipantsOf<T>>,
    /// The stake at risk of each replica (in the order of `replicas`), taken when it was assigned: its
    /// slashes are shares of this, whatever it unbonds or its delegators withdraw afterwards.
    pub at_risk: BoundedVec<AtRisk<BalanceOf<T>, BlockNumberFor<T>>, ParticipantsOf<T>>,
    /// Who issued it: a requester, or the chain itself (a canary, the only work the emission pays).
    pub origin: JobOrigin,
}

/// What a replica put at risk for a job, snapshotted when it was assigned.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub struct AtRisk<Balance, BlockNumber> {
    /// Its stake (`ComputeProviders::stake_of`): slashes are shares of this.
    pub stake: Balance,
    /// The block it was assigned in: tokens that began unbonding before it are not slashed for the job.
    pub since: BlockNumber,
}

/// Who issued a job.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum JobOrigin {
    /// A requester submitted it and pays for it from its escrow. Its size is the requester's word, so its
    /// winners are credited no work for the emission.
    Requester,
    /// The chain issued it (see [`crate::CanaryJobs`]): no escrow, no fee; each winner is credited
    /// `work_units` of verified work in the emission.
    Canary {
        /// Credited to each provider that reveals the winning root.
        work_units: u64,
    },
}

impl<T: Config> Job<T> {
    /// Whether the chain issued the job itself.
    pub fn is_canary(&self) -> bool {
        matches!(self.origin, JobOrigin::Canary { .. })
    }

    /// Whether any replica has committed.
    pub fn any_committed(&self) -> bool {
        self.replicas.iter().any(|r| r.commitment.is_some())
    }

    /// Whether referees were drawn: the replicas past `spec.replicas`.
    pub fn is_disputed(&self) -> bool {
        self.replicas.len() > usize::from(self.spec.replicas)
    }
}

/// Why no canary was issued when one was due.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum CanarySkip {
    /// The runtime has no canary to give.
    NoCanary,
    /// The runtime's canary breaks the protocol's limits (or its kernel is not registered).
    InvalidSpec,
    /// Fewer than two providers could be drawn.
    NotEnoughProviders,
}

/// Why a provider was slashed.
#[derive(
    Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo, MaxEncodedLen,
)]
pub enum SlashReason {
    /// It revealed a root other than the winning one.
    WrongResult,
    /// It did not commit in time.
    MissedDeadline,
    /// It committed and did not reveal: as costly as a wrong result, so that a provider who sees it would
    /// lose cannot shrink its slash by keeping quiet.
    RevealWithheld,
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

    /// The WGSL source of the kernel that `Config::Canaries` runs: the benchmark registers it when
    /// genesis did not.
    fn canary_kernel() -> alloc::vec::Vec<u8>;

    /// Gives each of `providers` the costliest stake a payment or slash can meet at the current block
    /// (everything slashable unbonding, delegations due to activate), for jobs assigned up to now.
    fn fill_pools(_providers: &[T::AccountId]) {}
}
