//! Phase changes shared by the calls and the block hook: assignment, scheduling of deadlines, the start of the
//! reveal phase, resolution (DESIGN §3.7), expiry, cancellation's bookkeeping, and the pruning of records.
//!
//! # Deadlines
//!
//! Every open job is in exactly one bucket of `Deadlines`: the block whose `on_initialize` handles it next.
//! Scheduling into block `b` takes the first of `b, b + 1, … b + DEADLINE_PROBES - 1` with room, so a full
//! block only makes a window slightly longer. If all of them are full, a call is refused with
//! `DeadlinesFull`; the hook, which cannot refuse, keeps a queued job queued, and aborts a job whose reveal
//! phase cannot be scheduled (refunding everything, slashing nobody; a defensive path, logged).
//!
//! # Money at resolution
//!
//! The escrow is released to the requester, and each winner is paid `reward_per_replica` from it through
//! `Providers::reward` (commission and pool split); the fee is slashed from the hold to `FeeDestination`.
//! Slashed funds are merged: `HonestSlashShare` to the winners in equal parts (to the requester if there are
//! none), `RequesterSlashShare` to the requester, the rest (and the rounding remainder) dropped, i.e. burned.

use crate::{pallet::*, types::*, weights::WeightInfo, LOG_TARGET};
use alloc::vec::Vec;
use codec::Encode;
use compute_primitives::{
    ComputeProviders, JobId, JobOutcome, JobPhase, JobRecord, JobResult, Replica, ResultRoot,
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

/// How many consecutive blocks are tried when a job's deadline falls in a full block.
pub const DEADLINE_PROBES: u32 = 8;

/// The subject under which the pallet asks `Randomness` for the assignment seed.
pub const ASSIGNMENT_SUBJECT: &[u8] = b"compute-jobs assignment v1";

impl<T: Config> Pallet<T> {
    /// The sampling seed of `job_id` in block `now`: `blake2_256(SCALE(random, job_id, now))`, where `random`
    /// is the runtime's randomness (the parent block hash when it has none).
    pub fn assignment_seed(job_id: JobId, now: BlockNumberFor<T>) -> [u8; 32] {
        let (random, _) = T::Randomness::random(ASSIGNMENT_SUBJECT);
        let random = random.unwrap_or_else(frame_system::Pallet::<T>::parent_hash);
        sp_io::hashing::blake2_256(&(random, job_id, now).encode())
    }

    /// Puts `job_id` in the first bucket of `from ..= to` with room (at most `DEADLINE_PROBES` tried).
    pub(crate) fn schedule(
        job_id: JobId,
        from: BlockNumberFor<T>,
        to: BlockNumberFor<T>,
    ) -> Option<BlockNumberFor<T>> {
        let mut at = from;
        for _ in 0..DEADLINE_PROBES {
            if at > to {
                break;
            }
            if Deadlines::<T>::try_mutate(at, |bucket| bucket.try_push(job_id)).is_ok() {
                return Some(at);
            }
            at = at.saturating_add(1u32.into());
        }
        None
    }

    /// [`Self::schedule`] in `from .. from + DEADLINE_PROBES`.
    pub(crate) fn schedule_from(job_id: JobId, from: BlockNumberFor<T>) -> Option<BlockNumberFor<T>> {
        Self::schedule(job_id, from, from.saturating_add((DEADLINE_PROBES - 1).into()))
    }

    /// Takes one entry of `job_id` out of the bucket of block `at`.
    pub(crate) fn unschedule(job_id: JobId, at: BlockNumberFor<T>) {
        Deadlines::<T>::mutate_exists(at, |maybe| {
            if let Some(bucket) = maybe {
                if let Some(position) = bucket.iter().position(|id| *id == job_id) {
                    bucket.remove(position);
                }
                if bucket.is_empty() {
                    *maybe = None;
                }
            }
        });
    }

    /// Moves `job_id` from the bucket of `old` to the first bucket of `from ..= to` with room; leaves it
    /// where it is if there is none.
    pub(crate) fn reschedule(
        job_id: JobId,
        old: BlockNumberFor<T>,
        from: BlockNumberFor<T>,
        to: BlockNumberFor<T>,
    ) -> Option<BlockNumberFor<T>> {
        let at = Self::schedule(job_id, from, to)?;
        Self::unschedule(job_id, old);
        Some(at)
    }

    /// Samples and takes the slots of `replicas` providers for a queued job and schedules its commit
    /// deadline, all or nothing (in a storage layer). On success the job is `Committing`; the caller removes
    /// it from its old deadline bucket and from the queue, and stores it.
    pub(crate) fn try_assign(
        job_id: JobId,
        job: &mut Job<T>,
        now: BlockNumberFor<T>,
    ) -> Result<(), DispatchError> {
        let seed = Self::assignment_seed(job_id, now);
        let requirements = job.spec.requirements();
        let count = u32::from(job.spec.replicas);
        let commit_deadline = now.saturating_add(job.spec.commit_window.into());
        let (replicas, deadline) = with_storage_layer(|| -> Result<_, DispatchError> {
            let providers =
                T::Providers::sample(&seed, count, &requirements).map_err(|_| Error::<T>::NoProviders)?;
            frame_support::ensure!(providers.len() as u32 == count, Error::<T>::NoProviders);
            let mut replicas = BoundedVec::<Replica<T::AccountId>, T::MaxReplicas>::new();
            for (i, provider) in providers.iter().enumerate() {
                // Distinct providers, whatever the sampler returns.
                let earlier = providers.get(..i).unwrap_or_default();
                frame_support::ensure!(!earlier.contains(provider), Error::<T>::NoProviders);
                T::Providers::take_slot(provider).map_err(|_| Error::<T>::NoProviders)?;
                Assignments::<T>::insert(provider, job_id, ());
                replicas
                    .try_push(Replica { provider: provider.clone(), commitment: None, revealed: None })
                    .map_err(|_| Error::<T>::InvalidReplicas)?;
            }
            let deadline = Self::schedule_from(job_id, commit_deadline).ok_or(Error::<T>::DeadlinesFull)?;
            Ok((replicas, deadline))
        })?;
        job.replicas = replicas;
        job.phase = JobPhase::Committing;
        job.deadline = deadline;
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

    /// Moves a committing job to its reveal phase, with its deadline `reveal_window` blocks after `now` (or
    /// a little later if those blocks are full). Leaves the job unchanged when no block has room.
    pub(crate) fn start_reveal(
        job_id: JobId,
        job: &mut Job<T>,
        now: BlockNumberFor<T>,
    ) -> Result<(), Error<T>> {
        let from = now.saturating_add(job.spec.reveal_window.into());
        let to = from.saturating_add((DEADLINE_PROBES - 1).into());
        let at = Self::reschedule(job_id, job.deadline, from, to).ok_or(Error::<T>::DeadlinesFull)?;
        job.phase = JobPhase::Revealing;
        job.deadline = at;
        Self::deposit_event(Event::RevealPhaseStarted { job_id, reveal_deadline: at });
        Ok(())
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
        let (credit, _) = <T::Currency as fungible::hold::Balanced<T::AccountId>>::slash(
            &HoldReason::JobEscrow.into(),
            &job.requester,
            job.fee,
        );
        T::FeeDestination::on_unbalanced(credit);
    }

    /// The end of every job: frees the providers' slots and assignments, closes the kernel's use, stores the
    /// record and queues it for pruning, and removes the job. Queue and deadline buckets are the caller's.
    pub(crate) fn finish(job_id: JobId, job: &Job<T>, outcome: JobResult, now: BlockNumberFor<T>) {
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
            },
        );
        let tail = PruneTail::<T>::get();
        PruneQueue::<T>::insert(tail, (job_id, now));
        PruneTail::<T>::put(tail.saturating_add(1));
        Jobs::<T>::remove(job_id);
    }

    /// The root revealed by at least `quorum` replicas, if any (at most one, as `quorum > replicas / 2`).
    pub(crate) fn winning_root(replicas: &[Replica<T::AccountId>], quorum: usize) -> Option<ResultRoot> {
        replicas
            .iter()
            .filter_map(|r| r.revealed)
            .find(|root| replicas.iter().filter(|r| r.revealed.as_ref() == Some(root)).count() >= quorum)
    }

    /// Slashes up to `amount` from `provider` and returns the funds.
    fn slash_provider(
        job_id: JobId,
        provider: &T::AccountId,
        amount: BalanceOf<T>,
        reason: SlashReason,
    ) -> CreditOf<T> {
        let (credit, slashed) = T::Providers::slash(provider, amount);
        Self::deposit_event(Event::ProviderSlashed {
            job_id,
            provider: provider.clone(),
            amount: slashed,
            reason,
        });
        credit
    }

    /// Resolves a job whose reveal phase ended (or whose commit window closed without any commitment): pays
    /// the winners, slashes dissenters and no-shows, refunds the rest, takes the fee, shares out the slashed
    /// funds and finishes the job.
    pub(crate) fn resolve(job_id: JobId, job: Job<T>, now: BlockNumberFor<T>) {
        let reward = job.spec.reward_per_replica;
        let winner = Self::winning_root(&job.replicas, usize::from(job.spec.quorum));
        let work_units = job.spec.work_units();

        Self::release_escrow(job_id, &job, job.escrow);
        let mut paid = BalanceOf::<T>::zero();
        let mut winners = Vec::new();
        let mut slashed = CreditOf::<T>::zero();
        for replica in job.replicas.iter() {
            let provider = &replica.provider;
            match (replica.revealed, winner) {
                (Some(root), Some(win)) if root == win => {
                    match T::Providers::reward(provider, &job.requester, reward) {
                        Ok(()) => paid = paid.saturating_add(reward),
                        Err(error) => {
                            log::warn!(target: LOG_TARGET, "job {job_id}: reward failed: {error:?}");
                            Self::deposit_event(Event::RewardFailed {
                                job_id,
                                provider: provider.clone(),
                                amount: reward,
                                error,
                            });
                        }
                    }
                    T::Providers::record_outcome(provider, JobOutcome::Completed { work_units });
                    winners.push(provider.clone());
                }
                (Some(_), Some(_)) => {
                    let floor = reward.saturating_mul(T::SlashRewardMultiple::get().into());
                    let amount =
                        T::WrongResultSlash::get().mul_floor(T::Providers::stake_of(provider)).max(floor);
                    slashed.subsume(Self::slash_provider(job_id, provider, amount, SlashReason::WrongResult));
                    T::Providers::record_outcome(provider, JobOutcome::WrongResult);
                }
                // No quorum: a revealed root is neither right nor wrong.
                (Some(_), None) => {}
                (None, _) => {
                    let amount =
                        T::LivenessSlash::get().mul_floor(T::Providers::stake_of(provider)).max(reward);
                    slashed.subsume(Self::slash_provider(
                        job_id,
                        provider,
                        amount,
                        SlashReason::MissedDeadline,
                    ));
                    T::Providers::record_outcome(provider, JobOutcome::MissedDeadline);
                }
            }
        }
        Self::pay_fee(&job);
        Self::share_slashed(job_id, &job.requester, &winners, slashed);

        let outcome = match winner {
            Some(root) => JobResult::Completed { root },
            None => JobResult::Failed,
        };
        Self::finish(job_id, &job, outcome, now);
        match winner {
            Some(result_root) => Self::deposit_event(Event::JobCompleted {
                job_id,
                result_root,
                winners: winners.len() as u32,
                paid,
            }),
            None => Self::deposit_event(Event::JobFailed { job_id, refunded: job.escrow }),
        }
    }

    /// Shares out a job's slashed funds (see the module docs).
    fn share_slashed(job_id: JobId, requester: &T::AccountId, winners: &[T::AccountId], funds: CreditOf<T>) {
        let total = funds.peek();
        if total.is_zero() {
            return;
        }
        let (mut honest, rest) = funds.split(T::HonestSlashShare::get().mul_floor(total));
        let (mut for_requester, burned) = rest.split(T::RequesterSlashShare::get().mul_floor(total));
        let mut to_winners = BalanceOf::<T>::zero();
        if winners.is_empty() {
            for_requester.subsume(honest);
            honest = CreditOf::<T>::zero();
        } else {
            let each = honest.peek() / BalanceOf::<T>::from(winners.len() as u32);
            for winner in winners {
                let (part, rest) = honest.split(each);
                honest = rest;
                to_winners = to_winners.saturating_add(Self::pay_credit(winner, part));
            }
        }
        let to_requester = Self::pay_credit(requester, for_requester);
        // The winners' rounding remainder and whatever could not be paid are burned with the rest.
        drop(honest);
        drop(burned);
        let burned = total.saturating_sub(to_winners).saturating_sub(to_requester);
        Self::deposit_event(Event::SlashedFundsShared { job_id, to_winners, to_requester, burned });
    }

    /// Deposits `credit` into `who`'s free balance and returns the amount; burns it if `who` cannot receive.
    fn pay_credit(who: &T::AccountId, credit: CreditOf<T>) -> BalanceOf<T> {
        let amount = credit.peek();
        if amount.is_zero() {
            return amount;
        }
        match <T::Currency as fungible::Balanced<T::AccountId>>::resolve(who, credit) {
            Ok(()) => amount,
            Err(unpaid) => {
                drop(unpaid);
                Zero::zero()
            }
        }
    }

    /// A queued job that found no providers within its queue window: escrow and fee go back.
    pub(crate) fn expire(job_id: JobId, job: Job<T>, now: BlockNumberFor<T>) {
        Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
        let refunded = job.escrow.saturating_add(job.fee);
        Self::release_escrow(job_id, &job, refunded);
        Self::finish(job_id, &job, JobResult::Expired, now);
        Self::deposit_event(Event::JobExpired { job_id, refunded });
    }

    /// Ends a job that cannot be scheduled any more (defensive): no payment, no slash, all refunded.
    fn abort(job_id: JobId, job: Job<T>, now: BlockNumberFor<T>) {
        log::error!(target: LOG_TARGET, "job {job_id}: no block has room for its reveal deadline; aborted");
        let refunded = job.escrow.saturating_add(job.fee);
        Self::release_escrow(job_id, &job, refunded);
        Self::finish(job_id, &job, JobResult::Failed, now);
        Self::deposit_event(Event::JobAborted { job_id, refunded });
    }

    /// The block hook: the jobs due now, then the queue, then pruning. Returns the weight used.
    pub(crate) fn on_initialize_jobs(now: BlockNumberFor<T>) -> Weight {
        let mut weight = T::WeightInfo::on_initialize_idle();
        for job_id in Deadlines::<T>::take(now) {
            weight.saturating_accrue(Self::handle_deadline(job_id, now));
        }
        weight.saturating_accrue(Self::assign_queued(now));
        weight.saturating_accrue(Self::prune(now));
        weight
    }

    /// Handles one job whose deadline is `now` (its bucket already taken). Returns the weight used.
    pub(crate) fn handle_deadline(job_id: JobId, now: BlockNumberFor<T>) -> Weight {
        let Some(mut job) = Jobs::<T>::get(job_id) else {
            defensive!("a deadline bucket names a job that is not open");
            return T::DbWeight::get().reads(1);
        };
        if job.deadline != now {
            defensive!("a job is in the bucket of another block than its deadline");
            return T::DbWeight::get().reads(1);
        }
        match job.phase {
            JobPhase::Queued => {
                Self::expire(job_id, job, now);
                T::WeightInfo::expire_queued()
            }
            JobPhase::Committing if job.any_committed() => {
                if Self::start_reveal(job_id, &mut job, now).is_ok() {
                    Jobs::<T>::insert(job_id, job);
                } else {
                    Self::abort(job_id, job, now);
                }
                T::WeightInfo::start_reveal()
            }
            JobPhase::Committing | JobPhase::Revealing => {
                let replicas = job.replicas.len() as u32;
                Self::resolve(job_id, job, now);
                T::WeightInfo::resolve(replicas)
            }
        }
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
        if Self::try_assign(job_id, &mut job, now).is_ok() {
            Self::unschedule(job_id, queue_deadline);
            Self::deposit_assigned_event(job_id, &job);
            Jobs::<T>::insert(job_id, job);
            true
        } else {
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
        assert!(T::MinRevealWindow::get() > 0, "MinRevealWindow must be positive");
        assert!(T::MinRevealWindow::get() <= T::MaxRevealWindow::get(), "reveal window bounds are inverted");
        assert!(T::MaxQueueWindow::get() > 0, "MaxQueueWindow must be positive");
        assert!(T::MaxDeadlinesPerBlock::get() > 0, "MaxDeadlinesPerBlock must be positive");
        assert!(T::MaxOutputLength::get() >= 4, "MaxOutputLength must allow one word");
        assert!(T::MaxWorkgroupsPerDimension::get() > 0, "MaxWorkgroupsPerDimension must be positive");
        assert!(T::MaxKernelLength::get() > 0, "MaxKernelLength must be positive");
        let shares = T::HonestSlashShare::get().deconstruct() as u64
            + T::RequesterSlashShare::get().deconstruct() as u64;
        assert!(
            shares <= Perbill::one().deconstruct() as u64,
            "HonestSlashShare + RequesterSlashShare must not exceed 100%"
        );
    }
}
