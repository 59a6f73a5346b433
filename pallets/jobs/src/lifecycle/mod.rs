//! Phase changes shared by the calls and the block hook (DESIGN §3.7), one concern per module: the
//! deadline buckets ([`schedule`]), drawing providers and the queue ([`assignment`]), the reveal phase,
//! verdicts, disputes, payments, slashes and expiry ([`settlement`]), and the block hook that works the
//! deadlines off and prunes records ([`hooks`]). Here: the seeds, what a provider must offer and stake, and
//! the configuration check.

mod assignment;
mod hooks;
mod schedule;
mod settlement;

use crate::{pallet::*, types::*};
use codec::Encode;
use compute_primitives::{
    failure::{failure_root, FailureReason},
    JobId, Replica, Requirements, ResultRoot, FUEL_CEILING,
};
use frame_support::traits::{Get, Randomness};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{Saturating, Zero},
    Perbill,
};

/// Empty blocks the hook may step over per block, besides one per job handled, when its cursor has fallen
/// behind (after a crowded block): it catches up with `now` at this rate.
pub const DEADLINE_STEPS: u32 = 8;

/// The root a provider that ran out of the job's window reveals: the root of the `Timeout` failure. How
/// long a job takes depends on the machine, so it is never a result: an abstention, neither paid nor
/// slashed, and left out of the verdict.
pub fn abstention_root() -> ResultRoot {
    failure_root(FailureReason::Timeout)
}

/// The root a replica revealed, unless it abstained.
fn counted_root<AccountId>(replica: &Replica<AccountId>, abstention: &ResultRoot) -> Option<ResultRoot> {
    replica.revealed.filter(|root| root != abstention)
}

/// The subject under which the pallet asks `Randomness` for the assignment seed.
pub const ASSIGNMENT_SUBJECT: &[u8] = b"compute-jobs assignment v1";

/// The subject under which the pallet asks `Randomness` for the seed that draws a dispute's referees.
pub const DISPUTE_SUBJECT: &[u8] = b"compute-jobs dispute v1";

/// The largest slash of one provider for one job, as a share of its stake at risk in that job. The
/// configured rates may not exceed it (`integrity_test`).
pub const MAX_SLASH_PER_JOB: Perbill = Perbill::from_percent(10);

/// How the replicas of a job settle.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Verdict {
    /// This root won: undisputed with a quorum, or by the dispute's rule.
    Root(ResultRoot),
    /// Too few reveals of the one root revealed (or none at all): the job failed, nobody is paid.
    NoQuorum,
    /// The reveals disagreed and no root won: nobody is slashed for its result, every revealer is paid.
    NoConsensus,
}

impl<T: Config> Pallet<T> {
    /// The sampling seed of `job_id` in block `now`: `blake2_256(SCALE(random, job_id, now))`, where `random`
    /// is the runtime's randomness (the parent block hash when it has none).
    pub fn assignment_seed(job_id: JobId, now: BlockNumberFor<T>) -> [u8; 32] {
        Self::seed(ASSIGNMENT_SUBJECT, job_id, now)
    }

    /// `blake2_256(SCALE(random(subject), job_id, now))`, the parent block hash standing in for missing
    /// randomness.
    pub(crate) fn seed(subject: &[u8], job_id: JobId, now: BlockNumberFor<T>) -> [u8; 32] {
        let (random, _) = T::Randomness::random(subject);
        let random = random.unwrap_or_else(frame_system::Pallet::<T>::parent_hash);
        sp_io::hashing::blake2_256(&(random, job_id, now).encode())
    }

    /// The least stake a provider must have to be given a job paying `reward` per replica: its
    /// wrong-result slash must be at least `SlashRewardMultiple` rewards.
    pub fn min_stake_for(reward: BalanceOf<T>) -> BalanceOf<T> {
        let bar = reward.saturating_mul(T::SlashRewardMultiple::get().into());
        T::WrongResultSlash::get().saturating_reciprocal_mul_ceil(bar)
    }

    /// The referees a dispute of a job with `replicas` replicas draws: none for a single replica, which
    /// nothing can contradict.
    pub fn referees_for(replicas: u8) -> u32 {
        if replicas >= 2 {
            T::DisputeReferees::get()
        } else {
            0
        }
    }

    /// What a provider must offer to be drawn for `job`: a requester's job needs an ask within its reward
    /// and the stake that makes cheating on that reward cost `SlashRewardMultiple` times what it earns. A
    /// canary pays no reward and risks no requester's money: any stake qualifies (the draw is by stake all
    /// the same), and a full provider too, so that filling others' slots with jobs (cancelled before anyone
    /// commits) cannot steer the canaries, and the emission, to oneself. Its offer is `MaxCanaryAsk`: the
    /// emission pays stake that serves the market, not stake that asks more than anyone pays.
    pub fn requirements_of(job: &Job<T>) -> Requirements<BalanceOf<T>> {
        match job.origin {
            JobOrigin::Requester => job.spec.requirements(Self::min_stake_for(job.spec.reward_per_replica)),
            JobOrigin::Canary { .. } => Requirements {
                offer: T::MaxCanaryAsk::get(),
                min_stake: Zero::zero(),
                beyond_capacity: true,
                ..job.spec.requirements(Zero::zero())
            },
        }
    }

    /// Checks the configuration (`integrity_test`).
    pub(crate) fn check_config() {
        let replicas = T::MaxReplicas::get();
        assert!(replicas > 0 && replicas <= u32::from(u8::MAX), "MaxReplicas must be in 1 ..= 255");
        assert!(T::MinCommitWindow::get() > 0, "MinCommitWindow must be positive");
        assert!(T::MinCommitWindow::get() <= T::MaxCommitWindow::get(), "commit window bounds are inverted");
        assert!(
            T::MaxFuel::get() <= FUEL_CEILING,
            "MaxFuel above FUEL_CEILING: loops would meet lavapipe's cap"
        );
        assert!(T::ByteStepsPerBlock::get() > 0, "ByteStepsPerBlock must be positive");
        assert!(T::MinRevealWindow::get() > 0, "MinRevealWindow must be positive");
        assert!(T::MinRevealWindow::get() <= T::MaxRevealWindow::get(), "reveal window bounds are inverted");
        assert!(T::MaxQueueWindow::get() > 0, "MaxQueueWindow must be positive");
        assert!(T::MaxDeadlinesPerBlock::get() > 0, "MaxDeadlinesPerBlock must be positive");
        assert!(T::MaxOutputLength::get() >= 4, "MaxOutputLength must allow one word");
        assert!(T::MaxWorkgroupsPerDimension::get() > 0, "MaxWorkgroupsPerDimension must be positive");
        assert!(T::MaxKernelLength::get() > 0, "MaxKernelLength must be positive");
        assert!(T::SlashRewardMultiple::get() > 0, "SlashRewardMultiple must be positive");
        assert!(!T::WrongResultSlash::get().is_zero(), "WrongResultSlash must be positive");
        assert!(T::WrongResultSlash::get() <= MAX_SLASH_PER_JOB, "WrongResultSlash above MAX_SLASH_PER_JOB");
        assert!(
            T::LivenessSlash::get() <= T::WrongResultSlash::get(),
            "LivenessSlash must not exceed WrongResultSlash: withholding a reveal costs what a wrong one does"
        );
    }
}
