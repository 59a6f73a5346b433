//! The block hook: the deadlines due, the queue, and the pruning of old records.

use super::DEADLINE_STEPS;
use crate::{pallet::*, weights::WeightInfo};
use alloc::vec::Vec;
use compute_primitives::{JobId, JobPhase};
use frame_support::{defensive, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
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
}
