//! The logic of the dispatchables: each call in `lib.rs` checks its origin and calls one function here. The
//! phase changes they share with the block hook are in `lifecycle/` (schedule, assignment, settlement, hooks).
//!
//! Every function validates before it writes; dispatch is transactional besides, so a refused call changes
//! no balance, hold or storage item.

use crate::{pallet::*, types::*, CanaryJobs};
use alloc::vec::Vec;
use codec::Encode;
use compute_primitives::{
    commitment, kernel_id, Commitment, ComputeProviders, JobDetails, JobId, JobInput, JobPhase, JobResult,
    KernelId, OpenJob, ResultRoot, Salt,
};
use frame_support::{
    ensure,
    traits::{
        fungible::{InspectHold, MutateHold},
        tokens::Precision,
        Get,
    },
    BoundedVec,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{CheckedAdd, CheckedMul, Saturating, Zero},
    DispatchError, DispatchResult,
};

impl<T: Config> Pallet<T> {
    pub(crate) fn now() -> BlockNumberFor<T> {
        frame_system::Pallet::<T>::block_number()
    }

    /// Checks a job spec against the protocol's limits, as `submit_job` does before anything is written.
    ///
    /// The kernel must be registered; the entry point an ASCII identifier (`[A-Za-z_][A-Za-z0-9_]*`, not
    /// `_`); inputs not empty, inline ones at most `MaxInlineInput` bytes, generated ones at most
    /// `MaxGeneratedInput`; `output_len` in `1 ..= MaxOutputLength` and a multiple of 4; each workgroup count
    /// in `1 ..= MaxWorkgroupsPerDimension`; `replicas` in `1 ..= MaxReplicas`; `replicas / 2 < quorum <=
    /// replicas`; the commit and reveal windows within their bounds; `queue_window` in
    /// `1 ..= MaxQueueWindow`; `reward_per_replica >= MinRewardPerReplica`.
    pub fn validate_spec(spec: &JobSpecOf<T>) -> Result<(), Error<T>> {
        Self::validate_shape(spec)?;
        ensure!(spec.reward_per_replica >= T::MinRewardPerReplica::get(), Error::<T>::RewardTooLow);
        Ok(())
    }

    /// Everything [`Pallet::validate_spec`] checks but the reward (which a canary does not pay).
    pub(crate) fn validate_shape(spec: &JobSpecOf<T>) -> Result<(), Error<T>> {
        let kernel = Kernels::<T>::get(spec.kernel).ok_or(Error::<T>::KernelNotFound)?;
        ensure!(is_identifier(&spec.entry_point), Error::<T>::InvalidEntryPoint);
        for input in spec.inputs.iter() {
            ensure!(!input.is_empty(), Error::<T>::EmptyInput);
            match input {
                JobInput::Inline(bytes) => {
                    ensure!(bytes.len() as u32 <= T::MaxInlineInput::get(), Error::<T>::InlineInputTooLarge)
                }
                JobInput::Generated { len, .. } => {
                    ensure!(*len <= T::MaxGeneratedInput::get(), Error::<T>::GeneratedInputTooLarge)
                }
            }
        }
        ensure!(
            spec.output_len > 0
                && spec.output_len <= T::MaxOutputLength::get()
                && spec.output_len.is_multiple_of(4),
            Error::<T>::InvalidOutputLength
        );
        ensure!(
            spec.workgroups.iter().all(|n| *n > 0 && *n <= T::MaxWorkgroupsPerDimension::get()),
            Error::<T>::InvalidWorkgroups
        );
        ensure!(
            spec.replicas > 0 && u32::from(spec.replicas) <= T::MaxReplicas::get(),
            Error::<T>::InvalidReplicas
        );
        ensure!(spec.quorum > spec.replicas / 2 && spec.quorum <= spec.replicas, Error::<T>::InvalidQuorum);
        ensure!(spec.fuel <= T::MaxFuel::get(), Error::<T>::InvalidFuel);
        ensure!(
            (T::MinCommitWindow::get()..=T::MaxCommitWindow::get()).contains(&spec.commit_window)
                && (T::MinRevealWindow::get()..=T::MaxRevealWindow::get()).contains(&spec.reveal_window)
                && (1..=T::MaxQueueWindow::get()).contains(&spec.queue_window),
            Error::<T>::WindowOutOfBounds
        );
        let needed = Self::commit_window_for(spec, kernel.len).ok_or(Error::<T>::BudgetTooLarge)?;
        ensure!(spec.commit_window >= needed, Error::<T>::CommitWindowTooShort);
        Ok(())
    }

    /// The shortest commit window `spec` may ask for: `MinCommitWindow` (inclusion time) plus the blocks
    /// its whole budget takes at `ByteStepsPerBlock`, rounded up. `None` when the kernel is unknown or that
    /// exceeds `MaxCommitWindow`: no provider the network admits is sure to finish such a job in time, so
    /// it is refused (`BudgetTooLarge`).
    pub fn min_commit_window(spec: &JobSpecOf<T>) -> Option<u32> {
        Self::commit_window_for(spec, Kernels::<T>::get(spec.kernel)?.len)
    }

    /// [`Self::min_commit_window`] of `spec` on a kernel of `kernel_len` bytes.
    pub(crate) fn commit_window_for(spec: &JobSpecOf<T>, kernel_len: u32) -> Option<u32> {
        spec.commit_window_needed(kernel_len, T::MinCommitWindow::get(), T::ByteStepsPerBlock::get())
            .filter(|window| *window <= T::MaxCommitWindow::get())
    }

    /// What `submit_job` holds for `spec`: the escrow, `JobFee` and the storage deposit; `None` on
    /// overflow.
    pub fn escrow_for(spec: &JobSpecOf<T>) -> Option<BalanceOf<T>> {
        Self::escrow_of(spec)?.checked_add(&T::JobFee::get())?.checked_add(&Self::deposit_for(spec)?)
    }

    /// The storage deposit of an open job: `JobDepositBase + JobDepositPerByte × the spec's encoded
    /// length`. The job's other fields are bounded and small; its spec, with inline inputs, is what grows.
    pub fn deposit_for(spec: &JobSpecOf<T>) -> Option<BalanceOf<T>> {
        let len = BalanceOf::<T>::from(spec.encoded_size() as u32);
        T::JobDepositPerByte::get().checked_mul(&len)?.checked_add(&T::JobDepositBase::get())
    }

    /// The escrow proper: `(replicas + referees) × reward_per_replica`, enough to pay every replica and
    /// every referee of a dispute.
    pub(crate) fn escrow_of(spec: &JobSpecOf<T>) -> Option<BalanceOf<T>> {
        let paid = u32::from(spec.replicas).checked_add(Self::referees_for(spec.replicas))?;
        spec.reward_per_replica.checked_mul(&BalanceOf::<T>::from(paid))
    }

    /// An open job (spec, phase, deadline, replicas) or the record of a finished one; `None` when unknown
    /// or pruned. For the runtime API.
    pub fn job_details(job_id: JobId) -> Option<JobDetailsOf<T>> {
        if let Some(job) = Jobs::<T>::get(job_id) {
            return Some(JobDetails::Open(OpenJob {
                requester: job.requester,
                spec: job.spec.rebound(),
                escrow: job.escrow,
                fee: job.fee,
                deposit: job.deposit,
                phase: job.phase,
                submitted_at: job.submitted_at,
                deadline: job.deadline,
                replicas: job.replicas.into_inner(),
            }));
        }
        Results::<T>::get(job_id).map(|record| JobDetails::Finished(record.rebound()))
    }

    /// The open jobs assigned to `provider`, in id order. Iterates the provider's assignments (at most its
    /// capacity): for the runtime API, not for calls.
    pub fn assignments_of(provider: &T::AccountId) -> Vec<JobId> {
        let mut jobs: Vec<JobId> = Assignments::<T>::iter_key_prefix(provider).collect();
        jobs.sort_unstable();
        jobs
    }

    pub(crate) fn do_register_kernel(
        owner: T::AccountId,
        wgsl: BoundedVec<u8, T::MaxKernelLength>,
    ) -> DispatchResult {
        ensure!(!wgsl.is_empty(), Error::<T>::EmptyKernel);
        ensure!(core::str::from_utf8(&wgsl).is_ok(), Error::<T>::InvalidUtf8);
        let kernel = kernel_id(&wgsl);
        ensure!(!Kernels::<T>::contains_key(kernel), Error::<T>::KernelAlreadyRegistered);
        let len = wgsl.len() as u32;
        let deposit = T::KernelDepositPerByte::get()
            .checked_mul(&BalanceOf::<T>::from(len))
            .and_then(|bytes| bytes.checked_add(&T::KernelDepositBase::get()))
            .ok_or(Error::<T>::Overflow)?;
        let reason = HoldReason::KernelDeposit.into();
        ensure!(T::Currency::can_hold(&reason, &owner, deposit), Error::<T>::InsufficientBalance);

        T::Currency::hold(&reason, &owner, deposit).map_err(|_| Error::<T>::InsufficientBalance)?;
        Kernels::<T>::insert(kernel, KernelInfo { owner: owner.clone(), deposit, len, open_jobs: 0 });
        KernelCode::<T>::insert(kernel, wgsl);
        Self::deposit_event(Event::KernelRegistered { kernel, owner, deposit });
        Ok(())
    }

    pub(crate) fn do_remove_kernel(who: T::AccountId, kernel: KernelId) -> DispatchResult {
        let info = Kernels::<T>::get(kernel).ok_or(Error::<T>::KernelNotFound)?;
        ensure!(info.owner == who, Error::<T>::NotKernelOwner);
        ensure!(info.open_jobs == 0, Error::<T>::KernelInUse);
        // The emission's canaries run it.
        ensure!(!T::Canaries::uses_kernel(&kernel), Error::<T>::KernelInUse);

        T::Currency::release(&HoldReason::KernelDeposit.into(), &who, info.deposit, Precision::BestEffort)?;
        Kernels::<T>::remove(kernel);
        KernelCode::<T>::remove(kernel);
        Self::deposit_event(Event::KernelRemoved { kernel, owner: who, deposit: info.deposit });
        Ok(())
    }

    /// Submits a job (see `submit_job`) and returns its id.
    pub(crate) fn do_submit_job(requester: T::AccountId, spec: JobSpecOf<T>) -> Result<JobId, DispatchError> {
        Self::validate_spec(&spec)?;
        let escrow = Self::escrow_of(&spec).ok_or(Error::<T>::Overflow)?;
        let fee = T::JobFee::get();
        let deposit = Self::deposit_for(&spec).ok_or(Error::<T>::Overflow)?;
        let total = escrow.checked_add(&fee).ok_or(Error::<T>::Overflow)?;
        let reason = HoldReason::JobEscrow.into();
        let deposit_reason = HoldReason::JobDeposit.into();
        let held = total.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
        ensure!(T::Currency::can_hold(&reason, &requester, held), Error::<T>::InsufficientBalance);
        let job_id = NextJobId::<T>::get();
        let next_id = job_id.checked_add(1).ok_or(Error::<T>::Overflow)?;
        let mut kernel = Kernels::<T>::get(spec.kernel).ok_or(Error::<T>::KernelNotFound)?;
        kernel.open_jobs = kernel.open_jobs.checked_add(1).ok_or(Error::<T>::Overflow)?;
        ensure!(
            Queue::<T>::decode_len().unwrap_or_default() < T::MaxQueuedJobs::get() as usize,
            Error::<T>::QueueFull
        );

        let now = Self::now();
        let kernel_key = spec.kernel;
        let job = Job::<T> {
            requester: requester.clone(),
            spec,
            escrow,
            fee,
            deposit,
            phase: JobPhase::Queued,
            submitted_at: now,
            // Assigned in the next block, with randomness nobody knew when this transaction was signed.
            deadline: Self::schedule(job_id, now.saturating_add(1u32.into())),
            replicas: Default::default(),
            at_risk: Default::default(),
            origin: JobOrigin::Requester,
        };

        T::Currency::hold(&reason, &requester, total).map_err(|_| Error::<T>::InsufficientBalance)?;
        T::Currency::hold(&deposit_reason, &requester, deposit)
            .map_err(|_| Error::<T>::InsufficientBalance)?;
        Kernels::<T>::insert(kernel_key, kernel);
        NextJobId::<T>::put(next_id);
        Self::deposit_event(Event::JobSubmitted {
            job_id,
            requester,
            kernel: kernel_key,
            escrow,
            fee,
            deposit,
        });
        Jobs::<T>::insert(job_id, job);
        Ok(job_id)
    }

    pub(crate) fn do_commit_result(
        who: T::AccountId,
        job_id: JobId,
        commitment: Commitment,
    ) -> DispatchResult {
        let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
        ensure!(job.phase == JobPhase::Committing, Error::<T>::NotCommitPhase);
        let replica = job.replicas.iter_mut().find(|r| r.provider == who).ok_or(Error::<T>::NotAssigned)?;
        ensure!(replica.commitment.is_none(), Error::<T>::AlreadyCommitted);

        replica.commitment = Some(commitment);
        Self::deposit_event(Event::ResultCommitted { job_id, provider: who });
        if job.replicas.iter().all(|r| r.commitment.is_some()) {
            // Every replica committed: reveal now.
            Self::start_reveal(job_id, &mut job, Self::now());
        }
        Jobs::<T>::insert(job_id, job);
        Ok(())
    }

    pub(crate) fn do_reveal_result(
        who: T::AccountId,
        job_id: JobId,
        result_root: ResultRoot,
        salt: Salt,
    ) -> DispatchResult {
        let mut job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
        ensure!(job.phase == JobPhase::Revealing, Error::<T>::NotRevealPhase);
        let replica = job.replicas.iter_mut().find(|r| r.provider == who).ok_or(Error::<T>::NotAssigned)?;
        let committed = replica.commitment.ok_or(Error::<T>::NotCommitted)?;
        ensure!(replica.revealed.is_none(), Error::<T>::AlreadyRevealed);
        ensure!(
            commitment(job_id, &who.encode(), &result_root, &salt) == committed,
            Error::<T>::CommitmentMismatch
        );
        replica.revealed = Some(result_root);
        Self::deposit_event(Event::ResultRevealed { job_id, provider: who, result_root });
        if job.replicas.iter().all(|r| r.commitment.is_none() || r.revealed.is_some()) {
            // Nothing left to wait for: resolve at the start of the next block (in the hook, so that this
            // call stays constant-time).
            let next = Self::now().saturating_add(1u32.into());
            if next < job.deadline {
                job.deadline = Self::reschedule(job_id, job.deadline, next);
                Self::deposit_event(Event::ResolutionScheduled { job_id, at: job.deadline });
            }
        }
        Jobs::<T>::insert(job_id, job);
        Ok(())
    }

    pub(crate) fn do_cancel_job(who: T::AccountId, job_id: JobId) -> DispatchResult {
        let job = Jobs::<T>::get(job_id).ok_or(Error::<T>::JobNotFound)?;
        // Nobody holds the canary account's key; should anyone sign as it, a canary is still the chain's.
        ensure!(job.requester == who && !job.is_canary(), Error::<T>::NotRequester);
        let cancellable = match job.phase {
            JobPhase::Queued => true,
            JobPhase::Committing => !job.any_committed(),
            JobPhase::Revealing => false,
        };
        ensure!(cancellable, Error::<T>::AlreadyStarted);

        if job.phase == JobPhase::Queued {
            Queue::<T>::mutate(|queue| queue.retain(|id| *id != job_id));
        }
        Self::unschedule(job_id, job.deadline);
        Self::release_escrow(job_id, &job, job.escrow);
        // The assigned providers set a slot aside: a cancellation compensates them, so that cancelling
        // and submitting again (to draw other providers) is not free.
        let compensation = T::CancelCompensation::get().mul_floor(job.spec.reward_per_replica);
        let mut paid = BalanceOf::<T>::zero();
        for replica in job.replicas.iter() {
            if T::Providers::reward(&replica.provider, &job.requester, compensation, job_id).is_ok() {
                paid = paid.saturating_add(compensation);
            }
        }
        Self::pay_fee(&job);
        Self::finish(job_id, &job, JobResult::Cancelled, Vec::new(), Self::now());
        let refunded = job.escrow.saturating_sub(paid);
        Self::deposit_event(Event::JobCancelled { job_id, refunded, fee: job.fee });
        Ok(())
    }
}

/// Whether `name` is an ASCII identifier usable as a WGSL entry point: `[A-Za-z_][A-Za-z0-9_]*`, not `_`
/// alone and not starting with `__` (both reserved by WGSL).
pub(crate) fn is_identifier(name: &[u8]) -> bool {
    match name {
        [] | [b'_'] | [b'_', b'_', ..] => false,
        [first, rest @ ..] => {
            (first.is_ascii_alphabetic() || *first == b'_')
                && rest.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_identifier;

    #[test]
    fn identifiers() {
        for good in [&b"main"[..], b"_main", b"a", b"cs_main2", b"A_1_b"] {
            assert!(is_identifier(good), "{good:?}");
        }
        for bad in [&b""[..], b"_", b"__x", b"1main", b"ma in", b"m-n", "n\u{e4}me".as_bytes(), b"main\0"] {
            assert!(!is_identifier(bad), "{bad:?}");
        }
    }
}
