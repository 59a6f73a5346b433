//! Drawing a job's providers by stake with the assignment seed, and the queue of jobs that found too few.

use crate::{pallet::*, types::*, weights::WeightInfo};
use alloc::vec::Vec;
use compute_primitives::{ComputeProviders, JobId, JobPhase, ProviderError, Replica};
use frame_support::{defensive, storage::with_storage_layer, traits::Get, weights::Weight, BoundedVec};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{traits::Saturating, DispatchError};

impl<T: Config> Pallet<T> {
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
}
