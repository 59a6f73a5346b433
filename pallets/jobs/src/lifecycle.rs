//! Phase changes shared by the calls and the block hook: assignment, scheduling of deadlines, the start of the
//! reveal phase, resolution (DESIGN §3.7), expiry, cancellation's bookkeeping, and the pruning of records.
//!
//! # Deadlines
//!
//! Every open job is in exactly one bucket of `Deadlines`: the block from whose `on_initialize` on it is
//! handled next. Scheduling never fails and never moves a deadline earlier. The hook works the buckets off
//! in block order from `DeadlineCursor`, at most `MaxDeadlinesPerBlock` jobs per block: a block with more
//! deadlines (say, an attacker's burst of jobs) makes the windows of some jobs a few blocks longer, and never
//! ends a job without its outcome. (Before, a full run of buckets aborted a job with nobody slashed.)
//!
//! # Money at resolution
//!
//! The escrow is released to the requester, and each replica that earned it is paid `reward_per_replica`
//! from it through `Providers::reward` (commission and pool split); the fee is slashed from the hold to
//! `FeeDestination`. Slashes are shares of the stake each replica had at risk when it was assigned; of the
//! slashed funds the requester gets back at most what it paid the referees, the rest goes to
//! `SlashDestination` (burned). Nobody else receives any of it, so nobody profits from a slash.
//!
//! # Disputes
//!
//! Replicas whose reveals disagree are not settled by majority: `DisputeReferees` more providers are drawn
//! with randomness of the block that ends the reveal phase (after every reveal) and appended to the job as
//! replicas; the job goes back to its commit phase for them. A root wins the dispute when a strict majority
//! of the referees drawn revealed it and it has at least two thirds of all the reveals. Its revealers are
//! paid; the others are slashed. Without such a root (a non-deterministic kernel, or no referee to be had)
//! nobody is slashed for its result and every replica that revealed is paid.

use crate::{pallet::*, types::*, weights::WeightInfo, LOG_TARGET};
use alloc::vec::Vec;
use codec::Encode;
use compute_primitives::{
    failure::{failure_root, FailureReason},
    ComputeProviders, JobId, JobOutcome, JobPhase, JobRecord, JobResult, ProviderError, Replica,
    Requirements, ResultRoot, FUEL_CEILING,
};
use frame_support::{
    defensive,
    storage::with_storage_layer,
    traits::{
        fungible::{self, MutateHold},
        tokens::Precision,
        Get, Imbalance, OnUnbalanced, Randomness,
    },
    weights::Weight,
    BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{Saturating, Zero},
    DispatchError, Perbill,
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

    /// Puts `job_id` in the bucket of block `at`. Never fails: a block with more deadlines than
    /// `MaxDeadlinesPerBlock` is worked off in the blocks after it.
    pub(crate) fn schedule(job_id: JobId, at: BlockNumberFor<T>) -> BlockNumberFor<T> {
        Deadlines::<T>::insert(at, job_id, ());
        at
    }

    /// Takes `job_id` out of the bucket of block `at`.
    pub(crate) fn unschedule(job_id: JobId, at: BlockNumberFor<T>) {
        Deadlines::<T>::remove(at, job_id);
    }

    /// Moves `job_id` from the bucket of `old` to the bucket of `at`.
    pub(crate) fn reschedule(
        job_id: JobId,
        old: BlockNumberFor<T>,
        at: BlockNumberFor<T>,
    ) -> BlockNumberFor<T> {
        Self::unschedule(job_id, old);
        Self::schedule(job_id, at)
    }

    /// Samples and takes the slots of `replicas` providers for a queued job (a canary: at least two of
    /// them, its replicas and quorum then follow the number drawn) and schedules its commit deadline, all
    /// or nothing (in a storage layer). On success the job is `Committing`; the caller removes
    /// it from its old deadline bucket and from the queue, and stores it.
    pub(crate) fn try_assign(
        job_id: JobId,
        job: &mut Job<T>,
        now: BlockNumberFor<T>,
    ) -> Result<(), DispatchError> {
        let seed = Self::assignment_seed(job_id, now);
        let count = u32::from(job.spec.replicas);
        // A requester's job needs every replica it paid for; a canary makes do with two (a majority of
        // those drawn is its quorum).
        let least = if job.is_canary() { count.min(2) } else { count };
        let commit_deadline = now.saturating_add(job.spec.commit_window.into());
        let mut assigned = job.clone();
        let deadline = with_storage_layer(|| -> Result<_, DispatchError> {
            let providers = Self::draw(&seed, count, &assigned)?;
            frame_support::ensure!(providers.len() as u32 >= least, Error::<T>::NoProviders);
            Self::enlist(job_id, &mut assigned, &providers)?;
            Ok(Self::schedule(job_id, commit_deadline))
        })?;
        if assigned.is_canary() {
            // `draw` returned at most `count` providers (at most 255) and at least 2.
            assigned.spec.replicas = assigned.replicas.len() as u8;
            assigned.spec.quorum = assigned.spec.replicas / 2 + 1;
        }
        assigned.phase = JobPhase::Committing;
        assigned.deadline = deadline;
        *job = assigned;
        Ok(())
    }

    /// Samples `count` distinct eligible providers for `job` that are not yet among its replicas (fewer
    /// when fewer can be found; `NoProviders` when none). Each has the stake the job's reward requires
    /// (see [`Pallet::requirements_of`]).
    pub(crate) fn draw(
        seed: &[u8; 32],
        count: u32,
        job: &Job<T>,
    ) -> Result<Vec<T::AccountId>, DispatchError> {
        let requirements = Self::requirements_of(job);
        let ask = count.saturating_add(job.replicas.len() as u32);
        let drawn = match T::Providers::sample(seed, ask, &requirements) {
            Ok(drawn) => drawn,
            // The sampler is deterministic: asking for the number it found returns them.
            Err(ProviderError::NotEnoughEligible { eligible }) if eligible > 0 => {
                T::Providers::sample(seed, eligible, &requirements).map_err(|_| Error::<T>::NoProviders)?
            }
            Err(_) => return Err(Error::<T>::NoProviders.into()),
        };
        let mut chosen: Vec<T::AccountId> = Vec::new();
        for provider in drawn {
            // Distinct providers, whatever the sampler returns.
            if chosen.len() as u32 == count
                || chosen.contains(&provider)
                || job.replicas.iter().any(|r| r.provider == provider)
            {
                continue;
            }
            chosen.push(provider);
        }
        frame_support::ensure!(!chosen.is_empty(), Error::<T>::NoProviders);
        Ok(chosen)
    }

    /// Appends `providers` to the job's replicas: takes a capacity slot of each, indexes the assignment and
    /// snapshots the stake each has at risk. Not transactional by itself: callers run it in a storage layer.
    pub(crate) fn enlist(
        job_id: JobId,
        job: &mut Job<T>,
        providers: &[T::AccountId],
    ) -> Result<(), DispatchError> {
        for provider in providers {
            T::Providers::take_slot(provider, job.is_canary()).map_err(|_| Error::<T>::NoProviders)?;
            Assignments::<T>::insert(provider, job_id, ());
            job.replicas
                .try_push(Replica { provider: provider.clone(), commitment: None, revealed: None })
                .map_err(|_| Error::<T>::InvalidReplicas)?;
            job.at_risk
                .try_push(AtRisk { stake: T::Providers::stake_of(provider), since: Self::now() })
                .map_err(|_| Error::<T>::InvalidReplicas)?;
        }
        Ok(())
    }

    pub(crate) fn deposit_assigned_event(job_id: JobId, job: &Job<T>) {
        let providers = job.replicas.iter().map(|r| r.provider.clone()).collect::<Vec<_>>();
        Self::deposit_event(Event::JobAssigned {
            job_id,
            providers: BoundedVec::truncate_from(providers),
            commit_deadline: job.deadline,
        });
    }

    /// Moves a committing job to its reveal phase, with its deadline `reveal_window` blocks after `now`.
    pub(crate) fn start_reveal(job_id: JobId, job: &mut Job<T>, now: BlockNumberFor<T>) {
        let at = Self::reschedule(job_id, job.deadline, now.saturating_add(job.spec.reveal_window.into()));
        job.phase = JobPhase::Revealing;
        job.deadline = at;
        Self::deposit_event(Event::RevealPhaseStarted { job_id, reveal_deadline: at });
    }

    /// Releases up to `amount` of the job's escrow hold to the requester's free balance.
    pub(crate) fn release_escrow(job_id: JobId, job: &Job<T>, amount: BalanceOf<T>) {
        if amount.is_zero() {
            return;
        }
        match T::Currency::release(
            &HoldReason::JobEscrow.into(),
            &job.requester,
            amount,
            Precision::BestEffort,
        ) {
            Ok(released) if released == amount => {}
            other => {
                defensive!("the escrow hold of a job is short");
                log::error!(target: LOG_TARGET, "job {job_id}: releasing {amount:?} of escrow gave {other:?}");
            }
        }
    }

    /// Takes the job's fee from the requester's escrow hold to `FeeDestination`.
    pub(crate) fn pay_fee(job: &Job<T>) {
        if job.fee.is_zero() {
            return;
        }
        let (credit, _) = <T::Currency as fungible::hold::Balanced<T::AccountId>>::slash(
            &HoldReason::JobEscrow.into(),
            &job.requester,
            job.fee,
        );
        T::FeeDestination::on_unbalanced(credit);
    }

    /// The end of every job: frees the providers' slots and assignments, releases the deposit, closes the
    /// kernel's use, stores the record (naming `winners`, the providers paid) and queues it for pruning,
    /// and removes the job. Queue and deadline buckets are the caller's.
    pub(crate) fn finish(
        job_id: JobId,
        job: &Job<T>,
        outcome: JobResult,
        winners: Vec<T::AccountId>,
        now: BlockNumberFor<T>,
    ) {
        if !job.deposit.is_zero() {
            let released = T::Currency::release(
                &HoldReason::JobDeposit.into(),
                &job.requester,
                job.deposit,
                Precision::BestEffort,
            );
            if released != Ok(job.deposit) {
                defensive!("the deposit hold of a job is short");
            }
        }
        for replica in job.replicas.iter() {
            T::Providers::free_slot(&replica.provider);
            Assignments::<T>::remove(&replica.provider, job_id);
        }
        Kernels::<T>::mutate(job.spec.kernel, |maybe| match maybe {
            Some(kernel) => kernel.open_jobs = kernel.open_jobs.saturating_sub(1),
            None => {
                defensive!("an open job's kernel is not registered");
            }
        });
        Results::<T>::insert(
            job_id,
            JobRecord {
                requester: job.requester.clone(),
                kernel: job.spec.kernel,
                outcome,
                finished_at: now,
                // At most one per replica: within the bound.
                winners: BoundedVec::truncate_from(winners),
            },
        );
        let tail = PruneTail::<T>::get();
        PruneQueue::<T>::insert(tail, (job_id, now));
        PruneTail::<T>::put(tail.saturating_add(1));
        Jobs::<T>::remove(job_id);
    }

    /// How the replicas of `job` settle (see the module docs).
    pub(crate) fn verdict(job: &Job<T>) -> Verdict {
        let abstention = abstention_root();
        let revealed: Vec<ResultRoot> =
            job.replicas.iter().filter_map(|r| counted_root(r, &abstention)).collect();
        let count = |root: &ResultRoot, among: &[Replica<T::AccountId>]| {
            among.iter().filter(|r| counted_root(r, &abstention).as_ref() == Some(root)).count()
        };
        let Some(first) = revealed.first() else { return Verdict::NoQuorum };
        if revealed.iter().all(|root| root == first) {
            return if revealed.len() >= usize::from(job.spec.quorum) {
                Verdict::Root(*first)
            } else {
                Verdict::NoQuorum
            };
        }
        let panel = job.replicas.get(usize::from(job.spec.replicas)..).unwrap_or_default();
        revealed
            .iter()
            .find(|root| {
                !panel.is_empty()
                    && count(root, panel) * 2 > panel.len()
                    && count(root, &job.replicas) * 3 >= revealed.len() * 2
            })
            .map_or(Verdict::NoConsensus, |root| Verdict::Root(*root))
    }

    /// Whether the revealed roots of `job` (abstentions aside) differ.
    fn disagrees(job: &Job<T>) -> bool {
        let abstention = abstention_root();
        let mut revealed = job.replicas.iter().filter_map(|r| counted_root(r, &abstention));
        revealed.next().is_some_and(|first| revealed.any(|root| root != first))
    }

    /// Draws the referees of a job whose reveals disagree and sends the job back to its commit phase for
    /// them, all or nothing. `Err` when no referee can be had (or `DisputeReferees` is zero).
    pub(crate) fn open_dispute(
        job_id: JobId,
        job: &mut Job<T>,
        now: BlockNumberFor<T>,
    ) -> Result<(), DispatchError> {
        let wanted = Self::referees_for(job.spec.replicas);
        frame_support::ensure!(wanted > 0, Error::<T>::NoProviders);
        let seed = Self::seed(DISPUTE_SUBJECT, job_id, now);
        let commit_deadline = now.saturating_add(job.spec.commit_window.into());
        let mut disputed = job.clone();
        let (referees, deadline) = with_storage_layer(|| -> Result<_, DispatchError> {
            let referees = Self::draw(&seed, wanted, &disputed)?;
            Self::enlist(job_id, &mut disputed, &referees)?;
            Ok((referees, Self::schedule(job_id, commit_deadline)))
        })?;
        disputed.phase = JobPhase::Committing;
        disputed.deadline = deadline;
        *job = disputed;
        Self::deposit_event(Event::DisputeOpened {
            job_id,
            referees: BoundedVec::truncate_from(referees),
            commit_deadline: deadline,
        });
        Ok(())
    }

    /// Slashes `rate` of the stake `at_risk` from `provider` and returns the funds.
    fn slash_provider(
        job_id: JobId,
        provider: &T::AccountId,
        rate: Perbill,
        at_risk: AtRisk<BalanceOf<T>, BlockNumberFor<T>>,
        reason: SlashReason,
    ) -> CreditOf<T> {
        let amount = rate.min(MAX_SLASH_PER_JOB).mul_floor(at_risk.stake);
        let (credit, slashed) = T::Providers::slash(provider, amount, job_id, at_risk.since);
        Self::deposit_event(Event::ProviderSlashed {
            job_id,
            provider: provider.clone(),
            amount: slashed,
            reason,
        });
        credit
    }

    /// Pays `provider` the job's reward from the requester; returns what was paid.
    fn pay_replica(job_id: JobId, job: &Job<T>, provider: &T::AccountId) -> BalanceOf<T> {
        let reward = job.spec.reward_per_replica;
        if reward.is_zero() {
            return reward;
        }
        match T::Providers::reward(provider, &job.requester, reward, job_id) {
            Ok(()) => reward,
            Err(error) => {
                log::warn!(target: LOG_TARGET, "job {job_id}: reward failed: {error:?}");
                Self::deposit_event(Event::RewardFailed {
                    job_id,
                    provider: provider.clone(),
                    amount: reward,
                    error,
                });
                Zero::zero()
            }
        }
    }

    /// Resolves a job whose reveal phase ended (or whose commit window closed without any commitment).
    /// Reveals that disagree open a dispute, once; otherwise the job settles. Returns the weight used.
    pub(crate) fn resolve(job_id: JobId, mut job: Job<T>, now: BlockNumberFor<T>) -> Weight {
        let replicas = job.replicas.len() as u32;
        if !job.is_disputed() && Self::disagrees(&job) && Self::open_dispute(job_id, &mut job, now).is_ok() {
            Jobs::<T>::insert(job_id, job);
            return T::WeightInfo::resolve(replicas).saturating_add(T::WeightInfo::assign_queued());
        }
        Self::settle(job_id, job, now);
        T::WeightInfo::resolve(replicas)
    }

    /// Settles a job by its verdict: pays the replicas that earned it, slashes wrong, withheld and missing
    /// results (shares of their stake at risk), refunds the rest, takes the fee, settles the slashed funds
    /// and finishes the job.
    pub(crate) fn settle(job_id: JobId, job: Job<T>, now: BlockNumberFor<T>) {
        let verdict = Self::verdict(&job);
        // A single replica is not verified: it earns no reputation. Only canaries, the work the chain
        // issues itself, earn emission.
        let verified = job.spec.replicas >= 2;
        let work_units = match job.origin {
            JobOrigin::Canary { work_units } => work_units,
            JobOrigin::Requester => 0,
        };
        let originals = usize::from(job.spec.replicas);
        let abstention = abstention_root();
        Self::release_escrow(job_id, &job, job.escrow);
        let mut paid = BalanceOf::<T>::zero();
        let mut paid_to_referees = BalanceOf::<T>::zero();
        let mut winners: Vec<T::AccountId> = Vec::new();
        let mut slashed = CreditOf::<T>::zero();
        for (i, replica) in job.replicas.iter().enumerate() {
            let provider = &replica.provider;
            let at_risk = job.at_risk.get(i).copied().unwrap_or_default();
            // What the replica earned: paid, nothing, or a slash of `rate` of its stake at risk.
            let (earned, fault) = match (replica.commitment, replica.revealed, verdict) {
                // It ran out of the job's window: no result, so neither paid nor slashed, whatever won.
                (_, Some(root), _) if root == abstention => (false, None),
                (_, Some(root), Verdict::Root(win)) if root == win => {
                    if verified {
                        T::Providers::record_outcome(provider, JobOutcome::Completed { work_units }, job_id);
                    }
                    (true, None)
                }
                (_, Some(_), Verdict::Root(_)) => (
                    false,
                    Some((T::WrongResultSlash::get(), SlashReason::WrongResult, JobOutcome::WrongResult)),
                ),
                // Without a verdict a revealed root is neither right nor wrong; the work was done.
                (_, Some(_), Verdict::NoConsensus) => (true, None),
                (_, Some(_), Verdict::NoQuorum) => (false, None),
                (Some(_), None, _) => (
                    false,
                    Some((
                        T::WrongResultSlash::get(),
                        SlashReason::RevealWithheld,
                        JobOutcome::MissedDeadline,
                    )),
                ),
                (None, None, _) => (
                    false,
                    Some((T::LivenessSlash::get(), SlashReason::MissedDeadline, JobOutcome::MissedDeadline)),
                ),
            };
            if let Some((rate, reason, outcome)) = fault {
                slashed.subsume(Self::slash_provider(job_id, provider, rate, at_risk, reason));
                T::Providers::record_outcome(provider, outcome, job_id);
            }
            if earned {
                winners.push(provider.clone());
                let amount = Self::pay_replica(job_id, &job, provider);
                paid = paid.saturating_add(amount);
                if i >= originals {
                    paid_to_referees = paid_to_referees.saturating_add(amount);
                }
            }
        }
        Self::pay_fee(&job);
        Self::settle_slashed(job_id, &job.requester, paid_to_referees, slashed);

        let outcome = match verdict {
            Verdict::Root(root) => JobResult::Completed { root },
            Verdict::NoQuorum => JobResult::Failed,
            Verdict::NoConsensus => JobResult::NoConsensus,
        };
        let count = winners.len() as u32;
        Self::finish(job_id, &job, outcome, winners, now);
        match verdict {
            Verdict::Root(result_root) => {
                Self::deposit_event(Event::JobCompleted { job_id, result_root, winners: count, paid })
            }
            Verdict::NoQuorum => Self::deposit_event(Event::JobFailed { job_id, refunded: job.escrow }),
            Verdict::NoConsensus => Self::deposit_event(Event::JobInconclusive { job_id, paid }),
        }
    }

    /// Settles a job's slashed funds: back to the requester up to what it paid the referees, the rest to
    /// `SlashDestination`.
    fn settle_slashed(
        job_id: JobId,
        requester: &T::AccountId,
        paid_to_referees: BalanceOf<T>,
        funds: CreditOf<T>,
    ) {
        let slashed = funds.peek();
        if slashed.is_zero() {
            return;
        }
        let (refund, rest) = funds.split(paid_to_referees);
        let reimbursed = match <T::Currency as fungible::Balanced<T::AccountId>>::resolve(requester, refund) {
            Ok(()) => slashed.min(paid_to_referees),
            Err(unpaid) => {
                T::SlashDestination::on_unbalanced(unpaid);
                Zero::zero()
            }
        };
        T::SlashDestination::on_unbalanced(rest);
        let burned = slashed.saturating_sub(reimbursed);
        Self::deposit_event(Event::SlashedFundsSettled { job_id, slashed, reimbursed, burned });
    }

    /// A queued job that found no providers within its queue window: the escrow goes back, the fee is
    /// taken (a queue slot is not free).
    pub(crate) fn expire(job_id: JobId, job: Job<T>, now: BlockNumberFor<T>) {
        Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
        Self::release_escrow(job_id, &job, job.escrow);
        Self::pay_fee(&job);
        Self::finish(job_id, &job, JobResult::Expired, Vec::new(), now);
        Self::deposit_event(Event::JobExpired { job_id, refunded: job.escrow });
    }

    /// The block hook: the jobs due (at most `MaxDeadlinesPerBlock`, oldest deadlines first, so a crowded
    /// block only makes some windows a little longer), then the queue, then a canary when one is due, then
    /// pruning. Returns the weight used.
    pub(crate) fn on_initialize_jobs(now: BlockNumberFor<T>) -> Weight {
        let mut weight = T::WeightInfo::on_initialize_idle();
        weight.saturating_accrue(Self::handle_deadlines(now));
        weight.saturating_accrue(Self::assign_queued(now));
        weight.saturating_accrue(Self::maybe_issue_canary(now));
        weight.saturating_accrue(Self::prune(now));
        weight
    }

    /// Works off the deadline buckets from `DeadlineCursor` up to `now`: at most `MaxDeadlinesPerBlock`
    /// jobs, and a bounded number of (empty) blocks stepped over. The cursor stays at the first bucket not
    /// yet emptied, so nothing due is ever skipped.
    pub(crate) fn handle_deadlines(now: BlockNumberFor<T>) -> Weight {
        let mut budget = T::MaxDeadlinesPerBlock::get();
        let mut steps = budget.saturating_add(DEADLINE_STEPS);
        let mut at = DeadlineCursor::<T>::get();
        let mut weight = Weight::zero();
        let mut first = true;
        while at <= now && steps > 0 {
            steps -= 1;
            if !first {
                // The idle hook's benchmark covers the first bucket it looks at, not the others.
                weight.saturating_accrue(T::DbWeight::get().reads(1));
            }
            first = false;
            let due: Vec<JobId> = Deadlines::<T>::iter_key_prefix(at).take(budget as usize).collect();
            for job_id in due.iter() {
                Deadlines::<T>::remove(at, job_id);
                weight.saturating_accrue(Self::handle_deadline(*job_id, at, now));
            }
            budget = budget.saturating_sub(due.len() as u32);
            if budget == 0 && Deadlines::<T>::iter_key_prefix(at).next().is_some() {
                break;
            }
            at = at.saturating_add(1u32.into());
        }
        DeadlineCursor::<T>::put(at);
        weight
    }

    /// Handles one job whose deadline was `due` (its bucket entry already taken), at block `now`. Returns
    /// the weight used.
    pub(crate) fn handle_deadline(job_id: JobId, due: BlockNumberFor<T>, now: BlockNumberFor<T>) -> Weight {
        let Some(mut job) = Jobs::<T>::get(job_id) else {
            defensive!("a deadline bucket names a job that is not open");
            return T::DbWeight::get().reads(1);
        };
        if job.deadline != due {
            defensive!("a job is in the bucket of another block than its deadline");
            return T::DbWeight::get().reads(1);
        }
        match job.phase {
            JobPhase::Queued => Self::assign_or_queue(job_id, job, now),
            JobPhase::Committing if job.any_committed() => {
                Self::start_reveal(job_id, &mut job, now);
                Jobs::<T>::insert(job_id, job);
                T::WeightInfo::start_reveal()
            }
            JobPhase::Committing | JobPhase::Revealing => Self::resolve(job_id, job, now),
        }
    }

    /// A queued job's deadline: the block after its submission (its first assignment attempt) or the end
    /// of its queue window. It is tried once more; failing that it waits in the queue until its window
    /// ends (or expires at once when the window is over or the queue is full). Returns the weight used.
    pub(crate) fn assign_or_queue(job_id: JobId, mut job: Job<T>, now: BlockNumberFor<T>) -> Weight {
        let weight = T::WeightInfo::assign_queued().saturating_add(T::WeightInfo::expire_queued());
        if Self::try_assign(job_id, &mut job, now).is_ok() {
            Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
            Self::deposit_assigned_event(job_id, &job);
            Jobs::<T>::insert(job_id, job);
            return weight;
        }
        let expiry = job.submitted_at.saturating_add(job.spec.queue_window.into());
        let queued = now < expiry
            && Queue::<T>::mutate(|queue| queue.contains(&job_id) || queue.try_push(job_id).is_ok());
        if queued {
            job.deadline = Self::schedule(job_id, expiry);
            Self::deposit_event(Event::JobQueued { job_id, until: expiry });
            Jobs::<T>::insert(job_id, job);
        } else {
            Self::expire(job_id, job, now);
        }
        weight
    }

    /// Tries to assign the jobs at the front of the queue: at most `MaxAssignmentsPerBlock` attempts, each
    /// job at most once; a job that still finds no providers goes to the back.
    pub(crate) fn assign_queued(now: BlockNumberFor<T>) -> Weight {
        let mut queue = Queue::<T>::get();
        let attempts = T::MaxAssignmentsPerBlock::get().min(queue.len() as u32);
        if attempts == 0 {
            return Weight::zero();
        }
        let mut weight = Weight::zero();
        for _ in 0..attempts {
            weight.saturating_accrue(T::WeightInfo::assign_queued());
            Self::assign_next(&mut queue, now);
        }
        Queue::<T>::put(queue);
        weight
    }

    /// One assignment attempt for the job at the front of `queue`. Returns whether it was assigned.
    pub(crate) fn assign_next(
        queue: &mut BoundedVec<JobId, T::MaxQueuedJobs>,
        now: BlockNumberFor<T>,
    ) -> bool {
        if queue.is_empty() {
            return false;
        }
        let job_id = queue.remove(0);
        let Some(mut job) = Jobs::<T>::get(job_id) else {
            defensive!("a queued job is not open");
            return false;
        };
        if job.phase != JobPhase::Queued {
            defensive!("a job in the queue is not queued");
            return false;
        }
        let queue_deadline = job.deadline;
        // Out of its expiry bucket first: the commit deadline may fall in the same block.
        Self::unschedule(job_id, queue_deadline);
        if Self::try_assign(job_id, &mut job, now).is_ok() {
            Self::deposit_assigned_event(job_id, &job);
            Jobs::<T>::insert(job_id, job);
            true
        } else {
            Self::schedule(job_id, queue_deadline);
            // There is room: the job was just taken out.
            let _ = queue.try_push(job_id);
            false
        }
    }

    /// Prunes up to `MaxPrunedPerBlock` records that finished `RetentionPeriod` blocks ago or more.
    pub(crate) fn prune(now: BlockNumberFor<T>) -> Weight {
        let mut head = PruneHead::<T>::get();
        let tail = PruneTail::<T>::get();
        let retention = T::RetentionPeriod::get();
        let mut weight = Weight::zero();
        let mut pruned = 0u32;
        while head < tail && pruned < T::MaxPrunedPerBlock::get() {
            match PruneQueue::<T>::get(head) {
                Some((_, finished_at)) if finished_at.saturating_add(retention) > now => break,
                Some((job_id, _)) => {
                    Results::<T>::remove(job_id);
                    Self::deposit_event(Event::JobPruned { job_id });
                }
                None => {
                    defensive!("a hole in the prune queue");
                }
            }
            PruneQueue::<T>::remove(head);
            head = head.saturating_add(1);
            pruned = pruned.saturating_add(1);
            weight.saturating_accrue(T::WeightInfo::prune_record());
        }
        if pruned > 0 {
            PruneHead::<T>::put(head);
        }
        weight
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
