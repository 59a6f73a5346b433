//! The pallet's invariants, checked by `try_state` and after every test.

use crate::{pallet::*, types::*};
use alloc::collections::{btree_map::BTreeMap, btree_set::BTreeSet};
use compute_primitives::{JobId, JobPhase};
use frame_support::{ensure, traits::fungible::InspectHold};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{Saturating, Zero},
    TryRuntimeError,
};

impl<T: Config> Pallet<T> {
    /// Checks every invariant of the pallet's storage against itself and against the currency:
    ///
    /// - canaries: requested by the canary account (nothing else is), no escrow or fee, assigned, at least
    ///   two replicas;
    /// - escrow: for every requester of an open job or of a retained record, the `JobEscrow` hold equals
    ///   the sum of `escrow + fee` of its open jobs, and `escrow = (replicas + referees) × reward`; its
    ///   `JobDeposit` hold the sum of their deposits (as taken at submission: a later change of the deposit
    ///   rates does not break it);
    /// - deposits: for every kernel owner, the `KernelDeposit` hold equals the sum of its kernels' deposits;
    ///   every kernel has its code, of its recorded length, and vice versa;
    /// - phases: a queued job has no replicas; an assigned one has `replicas` distinct providers (and up to
    ///   `DisputeReferees` more once disputed, which needs reveals among the first), each with its stake at
    ///   risk and an `Assignments` entry, and every entry belongs to such a job; reveals only after
    ///   commitments, none while committing but those of a disputed job's first replicas;
    /// - the queue holds exactly the queued jobs past their first assignment attempt, once each;
    /// - every open job is in the deadline bucket of its `deadline` exactly once, and buckets hold nothing
    ///   else; no bucket lies behind `DeadlineCursor`;
    /// - `open_jobs` of each kernel is the number of open jobs that run it;
    /// - the prune queue holds exactly the retained records, once each, in the order they finished; no job
    ///   is both open and finished; job ids are below `NextJobId`.
    pub fn do_try_state() -> Result<(), TryRuntimeError> {
        let next_id = NextJobId::<T>::get();
        let mut escrows: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let mut job_deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let mut kernel_jobs: BTreeMap<compute_primitives::KernelId, u32> = BTreeMap::new();
        let mut assigned: BTreeSet<(T::AccountId, JobId)> = BTreeSet::new();
        let mut queued: BTreeSet<JobId> = BTreeSet::new();
        let mut deadlines: BTreeMap<JobId, BlockNumberFor<T>> = BTreeMap::new();
        for (job_id, job) in Jobs::<T>::iter() {
            ensure!(job_id < next_id, "an open job id at or above NextJobId");
            ensure!(!Results::<T>::contains_key(job_id), "a job both open and finished");
            ensure!(Self::escrow_of(&job.spec) == Some(job.escrow), "escrow differs from replicas × reward");
            if job.is_canary() {
                ensure!(job.requester == Self::canary_account(), "a canary with a requester");
                ensure!(
                    job.escrow.is_zero() && job.fee.is_zero() && job.deposit.is_zero(),
                    "a canary holds an escrow, a fee or a deposit"
                );
                ensure!(job.phase != JobPhase::Queued, "a canary waits for providers");
                ensure!(job.spec.replicas >= 2, "an unverified canary");
            } else {
                ensure!(job.requester != Self::canary_account(), "the canary account submitted a job");
            }
            let held = escrows.entry(job.requester.clone()).or_default();
            *held = held.saturating_add(job.escrow).saturating_add(job.fee);
            let held = job_deposits.entry(job.requester.clone()).or_default();
            *held = held.saturating_add(job.deposit);
            let uses = kernel_jobs.entry(job.spec.kernel).or_default();
            *uses = uses.saturating_add(1);
            deadlines.insert(job_id, job.deadline);
            match job.phase {
                JobPhase::Queued => {
                    ensure!(job.replicas.is_empty(), "a queued job has replicas");
                    ensure!(job.at_risk.is_empty(), "a queued job has stake at risk");
                    // Until its first attempt (due the block after its submission) a job is not in the
                    // queue; after it, until its queue window ends, it is.
                    if job.deadline != job.submitted_at.saturating_add(1u32.into()) {
                        queued.insert(job_id);
                    }
                }
                JobPhase::Committing | JobPhase::Revealing => {
                    let originals = usize::from(job.spec.replicas);
                    let most = originals.saturating_add(Self::referees_for(job.spec.replicas) as usize);
                    ensure!(
                        (originals..=most).contains(&job.replicas.len()),
                        "an assigned job has the wrong number of replicas"
                    );
                    ensure!(job.at_risk.len() == job.replicas.len(), "a replica without its stake at risk");
                    ensure!(
                        job.at_risk.iter().all(|r| r.since >= job.submitted_at && r.since <= Self::now()),
                        "a replica assigned outside the job's life"
                    );
                    if job.is_disputed() {
                        let first = job.replicas.get(..originals).unwrap_or_default();
                        ensure!(
                            first.iter().any(|r| r.revealed.is_some()),
                            "a dispute without reveals to dispute"
                        );
                    }
                    for replica in job.replicas.iter() {
                        ensure!(
                            assigned.insert((replica.provider.clone(), job_id)),
                            "a provider holds two replicas of one job"
                        );
                        ensure!(
                            Assignments::<T>::contains_key(&replica.provider, job_id),
                            "a replica without its assignment entry"
                        );
                        ensure!(
                            replica.revealed.is_none() || replica.commitment.is_some(),
                            "a reveal without a commitment"
                        );
                        if job.phase == JobPhase::Committing && !job.is_disputed() {
                            ensure!(replica.revealed.is_none(), "a reveal during the commit phase");
                        }
                    }
                }
            }
        }
        ensure!(
            Assignments::<T>::iter_keys().count() == assigned.len(),
            "an assignment entry without its replica"
        );

        let queue = Queue::<T>::get();
        let in_queue: BTreeSet<JobId> = queue.iter().copied().collect();
        ensure!(in_queue.len() == queue.len(), "a job is queued twice");
        ensure!(in_queue == queued, "the queue differs from the queued jobs");

        let mut scheduled = 0usize;
        let cursor = DeadlineCursor::<T>::get();
        for (at, job_id, ()) in Deadlines::<T>::iter() {
            scheduled += 1;
            ensure!(deadlines.get(&job_id) == Some(&at), "a bucket entry that is not an open job due then");
            ensure!(at >= cursor, "a deadline behind the hook's cursor would never be handled");
        }
        ensure!(scheduled == deadlines.len(), "an open job is not scheduled exactly once");

        let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let mut kernels = 0usize;
        for (kernel, info) in Kernels::<T>::iter() {
            kernels += 1;
            let code = KernelCode::<T>::get(kernel).ok_or("a kernel without its code")?;
            ensure!(code.len() as u32 == info.len, "a kernel's length differs from its code");
            ensure!(
                compute_primitives::kernel_id(&code) == kernel,
                "a kernel under another id than its hash"
            );
            ensure!(
                info.open_jobs == kernel_jobs.remove(&kernel).unwrap_or_default(),
                "a kernel's open_jobs differs from its open jobs"
            );
            let held = deposits.entry(info.owner.clone()).or_default();
            *held = held.saturating_add(info.deposit);
        }
        ensure!(KernelCode::<T>::iter_keys().count() == kernels, "kernel code without its kernel");
        ensure!(kernel_jobs.is_empty(), "an open job runs an unregistered kernel");
        for (owner, deposit) in deposits {
            ensure!(
                T::Currency::balance_on_hold(&HoldReason::KernelDeposit.into(), &owner) == deposit,
                "a KernelDeposit hold differs from the owner's deposits"
            );
        }

        let head = PruneHead::<T>::get();
        let tail = PruneTail::<T>::get();
        ensure!(head <= tail, "the prune queue's head is past its tail");
        let mut last = BlockNumberFor::<T>::zero();
        let mut retained: BTreeSet<JobId> = BTreeSet::new();
        for position in head..tail {
            let (job_id, finished_at) = PruneQueue::<T>::get(position).ok_or("a hole in the prune queue")?;
            let record = Results::<T>::get(job_id).ok_or("a prune queue entry without its record")?;
            ensure!(record.finished_at == finished_at, "a prune queue entry disagrees with its record");
            ensure!(finished_at >= last, "the prune queue is out of order");
            ensure!(job_id < next_id, "a finished job id at or above NextJobId");
            ensure!(retained.insert(job_id), "a record is queued for pruning twice");
            last = finished_at;
            job_deposits.entry(record.requester.clone()).or_default();
            escrows.entry(record.requester).or_default();
        }
        ensure!(
            PruneQueue::<T>::iter_keys().count() as u64 == tail - head,
            "prune queue entries outside its range"
        );
        ensure!(Results::<T>::iter_keys().count() == retained.len(), "a record that will never be pruned");

        for (requester, deposit) in job_deposits {
            ensure!(
                T::Currency::balance_on_hold(&HoldReason::JobDeposit.into(), &requester) == deposit,
                "a JobDeposit hold differs from the requester's open jobs' deposits"
            );
        }
        for (requester, escrow) in escrows {
            ensure!(
                T::Currency::balance_on_hold(&HoldReason::JobEscrow.into(), &requester) == escrow,
                "a JobEscrow hold differs from the requester's open escrows and fees"
            );
        }
        Ok(())
    }
}
