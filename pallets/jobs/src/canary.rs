//! Canary jobs: work the chain issues itself, the only work the emission pays.
//!
//! Every `CanaryInterval` blocks the hook asks [`CanaryJobs`] (the runtime: a built-in kernel) for a job
//! built from that block's randomness, and assigns it at once: as many providers as the canary asks for
//! (at least two), drawn by stake like any job's, whatever their ask, since a canary pays no reward from an
//! escrow. It then runs the lifecycle of every job: commit-reveal, a dispute when the replicas disagree,
//! the same slashes for wrong, withheld and missing results. Each provider that reveals the winning root is
//! credited the canary's work units in the current era, and the era's emission is shared in proportion.
//!
//! Why the emission cannot be farmed this way:
//! - a requester's job credits no work at all, whatever its shape: its size is the requester's word, and a
//!   requester can be its own provider (it could declare 65 535³ workgroups for a few milli-units);
//! - the chain chooses who runs a canary, by stake, with randomness nobody knew before the issuing block:
//!   a provider's expected share of canaries is its share of the stake, however many jobs or accounts it
//!   has, and stake earns it only by being put at risk;
//! - the inputs are generated from the issuing block's randomness: a result cannot be computed before the
//!   canary exists, nor copied from another job;
//! - a canary is verified like any job: a wrong root costs `WrongResultSlash` of the stake at risk (far
//!   more than the emission of one canary), a missed one `LivenessSlash`. So canaries also prove that each
//!   provider is online and runs kernels correctly.

use crate::{pallet::*, types::*, weights::WeightInfo};
use compute_primitives::{JobId, JobPhase, KernelId};
use frame_support::{ensure, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::{AccountIdConversion, Zero};

/// The subject under which the pallet asks `Randomness` for the seed of a canary job.
pub const CANARY_SUBJECT: &[u8] = b"compute-jobs canary v1";

/// A job the chain issues itself.
pub struct Canary<T: Config> {
    /// What to run. `replicas` is how many providers to draw (at least 2; fewer are drawn when fewer are
    /// eligible, never fewer than 2), `quorum` is set by the pallet to a majority of those drawn, and the
    /// reward is ignored (a canary pays none).
    pub spec: JobSpecOf<T>,
    /// Credited to each provider that reveals the winning root (> 0).
    pub work_units: u64,
}

/// The source of canary jobs (the runtime's built-in kernels).
pub trait CanaryJobs<T: Config> {
    /// The canary to issue with `seed`, fresh randomness of the issuing block: its generated inputs should
    /// be derived from it. `None`: no canary this time.
    fn canary(seed: &[u8; 32]) -> Option<Canary<T>>;

    /// Whether canaries run `kernel`: its owner may not remove it.
    fn uses_kernel(kernel: &KernelId) -> bool;
}

/// No canaries: the emission pays nothing.
impl<T: Config> CanaryJobs<T> for () {
    fn canary(_seed: &[u8; 32]) -> Option<Canary<T>> {
        None
    }

    fn uses_kernel(_kernel: &KernelId) -> bool {
        false
    }
}

impl<T: Config> Pallet<T> {
    /// The account named as the requester of canary jobs. It holds nothing and signs nothing.
    pub fn canary_account() -> T::AccountId {
        T::PalletId::get().into_account_truncating()
    }

    /// Issues a canary when `now` is a multiple of `CanaryInterval` (never when it is 0). Returns the
    /// weight used.
    pub(crate) fn maybe_issue_canary(now: BlockNumberFor<T>) -> Weight {
        let interval = CanaryInterval::<T>::get();
        if interval == 0 || !(now % interval.into()).is_zero() {
            return T::DbWeight::get().reads(1);
        }
        if let Err(reason) = Self::issue_canary(now) {
            Self::deposit_event(Event::CanarySkipped { reason });
        }
        T::WeightInfo::issue_canary()
    }

    /// Builds, checks and assigns a canary, all or nothing. Returns its id.
    pub(crate) fn issue_canary(now: BlockNumberFor<T>) -> Result<JobId, CanarySkip> {
        let job_id = NextJobId::<T>::get();
        let next_id = job_id.checked_add(1).ok_or(CanarySkip::InvalidSpec)?;
        let Canary { mut spec, work_units } =
            T::Canaries::canary(&Self::seed(CANARY_SUBJECT, job_id, now)).ok_or(CanarySkip::NoCanary)?;
        spec.reward_per_replica = Zero::zero();
        spec.quorum = spec.replicas / 2 + 1;
        Self::validate_shape(&spec).map_err(|_| CanarySkip::InvalidSpec)?;
        ensure!(spec.replicas >= 2 && work_units > 0, CanarySkip::InvalidSpec);
        let mut kernel = Kernels::<T>::get(spec.kernel).ok_or(CanarySkip::InvalidSpec)?;
        kernel.open_jobs = kernel.open_jobs.checked_add(1).ok_or(CanarySkip::InvalidSpec)?;

        let mut job = Job::<T> {
            requester: Self::canary_account(),
            spec,
            escrow: Zero::zero(),
            fee: Zero::zero(),
            deposit: Zero::zero(),
            phase: JobPhase::Queued,
            submitted_at: now,
            deadline: now,
            replicas: Default::default(),
            at_risk: Default::default(),
            origin: JobOrigin::Canary { work_units },
        };
        Self::try_assign(job_id, &mut job, now).map_err(|_| CanarySkip::NotEnoughProviders)?;
        Kernels::<T>::insert(job.spec.kernel, kernel);
        NextJobId::<T>::put(next_id);
        Self::deposit_event(Event::CanaryIssued { job_id, kernel: job.spec.kernel, work_units });
        Self::deposit_assigned_event(job_id, &job);
        Jobs::<T>::insert(job_id, job);
        Ok(job_id)
    }
}
