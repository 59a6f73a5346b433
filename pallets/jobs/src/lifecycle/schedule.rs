//! The deadline buckets.
//!
//! Every open job is in exactly one bucket of `Deadlines`: the block from whose `on_initialize` on it is
//! handled next. Scheduling never fails and never moves a deadline earlier. The hook works the buckets off
//! in block order from `DeadlineCursor`, at most `MaxDeadlinesPerBlock` jobs per block: a block with more
//! deadlines (say, an attacker's burst of jobs) makes the windows of some jobs a few blocks longer, and never
//! ends a job without its outcome. (Before, a full run of buckets aborted a job with nobody slashed.)

use crate::pallet::*;
use compute_primitives::JobId;
use frame_system::pallet_prelude::BlockNumberFor;

impl<T: Config> Pallet<T> {
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
}
