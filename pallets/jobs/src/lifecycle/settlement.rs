//! The reveal phase, the verdict, disputes, and the money at resolution and expiry.
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

use super::{abstention_root, counted_root, Verdict, DISPUTE_SUBJECT, MAX_SLASH_PER_JOB};
use crate::{pallet::*, types::*, weights::WeightInfo, LOG_TARGET};
use alloc::vec::Vec;
use compute_primitives::{
    ComputeProviders, JobId, JobOutcome, JobPhase, JobRecord, JobResult, Replica, ResultRoot,
};
use frame_support::{
    defensive,
    storage::with_storage_layer,
    traits::{
        fungible::{self, MutateHold},
        tokens::Precision,
        Get, Imbalance, OnUnbalanced,
    },
    weights::Weight,
    BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{Saturating, Zero},
    DispatchError, Perbill,
};

impl<T: Config> Pallet<T> {
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
}
