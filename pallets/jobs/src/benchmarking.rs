//! Benchmarks (v2) of every call and of the pieces of the block hook, each at its worst case: the largest
//! spec (every input inline and full, the longest entry point and parameter block), `MaxReplicas` replicas
//! sampled among `BenchmarkHelper::provider_population()` providers, full queue and full deadline buckets
//! so that every probe is made, and slashes in the resolution.
//!
//! Some set-ups fill the queue and the deadline buckets with ids of jobs that do not exist: only their size
//! matters to the benchmarked code, and no hook runs over them.

#![cfg(feature = "runtime-benchmarks")]

use super::*;
use crate::Pallet as Jobs;
use alloc::{boxed::Box, vec, vec::Vec};
use codec::Encode;
use compute_primitives::{
    commitment, kernel_id, Commitment, HardwareNeeds, JobId, JobInput, JobPhase, KernelId, ResultRoot, Salt,
    MAX_ENTRY_POINT_LEN, MAX_PARAMS_LEN,
};
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{
        fungible::{Inspect, Mutate},
        EnsureOrigin, Get, Hooks,
    },
    BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, Pallet as System, RawOrigin};
use sp_runtime::traits::Saturating;

const SEED: u32 = 0;

fn now<T: Config>() -> BlockNumberFor<T> {
    System::<T>::block_number()
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
    System::<T>::set_block_number(n);
}

/// Gives `who` `amount` plus a margin.
fn fund<T: Config>(who: &T::AccountId, amount: BalanceOf<T>) {
    let margin = T::Currency::minimum_balance().saturating_mul(1_000u32.into());
    T::Currency::set_balance(who, amount.saturating_add(margin));
}

/// A registered kernel of `len` bytes.
fn kernel<T: Config>(len: u32) -> KernelId {
    let owner: T::AccountId = account("owner", 0, SEED);
    let code = vec![b'a'; len.max(1) as usize];
    let deposit =
        T::KernelDepositPerByte::get().saturating_mul(len.into()).saturating_add(T::KernelDepositBase::get());
    fund::<T>(&owner, deposit);
    let id = kernel_id(&code);
    Jobs::<T>::do_register_kernel(owner, BoundedVec::truncate_from(code)).expect("kernel registers");
    id
}

/// The largest valid spec with `replicas` replicas and the longest windows.
fn max_spec<T: Config>(kernel: KernelId, replicas: u32) -> JobSpecOf<T> {
    let inline =
        JobInput::Inline(BoundedVec::truncate_from(vec![7u8; T::MaxInlineInput::get().max(1) as usize]));
    let output = (T::MaxOutputLength::get() / 4).max(1) * 4;
    let replicas = replicas.clamp(1, T::MaxReplicas::get()) as u8;
    JobSpecOf::<T> {
        kernel,
        entry_point: BoundedVec::truncate_from(vec![b'e'; MAX_ENTRY_POINT_LEN as usize]),
        inputs: BoundedVec::truncate_from(vec![inline; T::MaxInputs::get() as usize]),
        params: BoundedVec::truncate_from(vec![1u8; MAX_PARAMS_LEN as usize]),
        output_len: output,
        workgroups: [1, 1, 1],
        fuel: 0,
        replicas,
        quorum: replicas / 2 + 1,
        reward_per_replica: T::MinRewardPerReplica::get(),
        commit_window: T::MaxCommitWindow::get(),
        reveal_window: T::MaxRevealWindow::get(),
        queue_window: T::MaxQueueWindow::get(),
        needs: HardwareNeeds { min_vram_mib: 0, determinism_class: None },
    }
}

/// Registers the benchmark's provider population, eligible for `spec`.
fn providers<T: Config>(spec: &JobSpecOf<T>) -> Vec<T::AccountId> {
    let population = T::BenchmarkHelper::provider_population().max(ParticipantsOf::<T>::get());
    T::BenchmarkHelper::register_providers(population, &spec.needs, spec.reward_per_replica)
}

/// A requester funded for a few jobs of `spec`.
fn requester<T: Config>(spec: &JobSpecOf<T>) -> T::AccountId {
    let who: T::AccountId = whitelisted_caller();
    let total = Jobs::<T>::escrow_for(spec).expect("no overflow");
    fund::<T>(&who, total.saturating_mul(4u32.into()));
    who
}

/// Puts `MaxDeadlinesPerBlock` ids of no job in each deadline bucket of `count` blocks from `from`: the
/// bucket a call writes to is crowded (a deeper trie), as on a busy chain.
fn fill_buckets<T: Config>(from: BlockNumberFor<T>, count: u32) {
    let per_block = T::MaxDeadlinesPerBlock::get();
    for i in 0..count {
        let at = from.saturating_add(i.into());
        for k in 0..per_block {
            Deadlines::<T>::insert(at, JobId::MAX - u64::from(i) * u64::from(per_block) - u64::from(k), ());
        }
    }
}

/// Fills the queue with ids of no job, up to `MaxQueuedJobs - leave` entries.
fn fill_queue<T: Config>(leave: u32) {
    let mut queue = Queue::<T>::get();
    let target = T::MaxQueuedJobs::get().saturating_sub(leave) as usize;
    let mut filler = JobId::MAX / 2;
    while queue.len() < target && queue.try_push(filler).is_ok() {
        filler = filler.saturating_sub(1);
    }
    Queue::<T>::put(queue);
}

/// Submits `spec` for `who`; returns the job id.
/// Submits `spec` for `who` and makes the first assignment attempt at once (the next block's hook would);
/// returns the job id.
fn submit<T: Config>(who: &T::AccountId, spec: JobSpecOf<T>) -> JobId {
    let job_id = Jobs::<T>::do_submit_job(who.clone(), spec).expect("submission succeeds");
    let job = Jobs_::<T>::get(job_id).expect("open");
    Jobs::<T>::unschedule(job_id, job.deadline);
    Jobs::<T>::assign_or_queue(job_id, job, now::<T>());
    job_id
}

fn salt(i: usize) -> Salt {
    Salt([i as u8; 32])
}

fn root(n: u8) -> ResultRoot {
    ResultRoot([n; 32])
}

fn sealed<T: Config>(job_id: JobId, who: &T::AccountId, root: &ResultRoot, i: usize) -> Commitment {
    commitment(job_id, &who.encode(), root, &salt(i))
}

/// Moves a job's deadline to `now` and takes it out of its bucket, as the hook does before handling it.
fn due_now<T: Config>(job_id: JobId) {
    let mut job = Jobs_::<T>::get(job_id).expect("an open job");
    Jobs::<T>::unschedule(job_id, job.deadline);
    job.deadline = now::<T>();
    Jobs_::<T>::insert(job_id, job);
}

/// The `Jobs` storage item (the pallet is `Jobs` here).
type Jobs_<T> = crate::pallet::Jobs<T>;

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn register_kernel(l: Linear<1, { T::MaxKernelLength::get() }>) {
        let caller: T::AccountId = whitelisted_caller();
        let code = vec![b'a'; l as usize];
        let deposit = T::KernelDepositPerByte::get()
            .saturating_mul(l.into())
            .saturating_add(T::KernelDepositBase::get());
        fund::<T>(&caller, deposit);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), BoundedVec::truncate_from(code.clone()));
        assert!(Kernels::<T>::contains_key(kernel_id(&code)));
    }

    #[benchmark]
    fn remove_kernel() {
        let len = T::MaxKernelLength::get();
        let kernel = kernel::<T>(len);
        let owner: T::AccountId = account("owner", 0, SEED);
        #[extrinsic_call]
        _(RawOrigin::Signed(owner), kernel);
        assert!(!Kernels::<T>::contains_key(kernel));
    }

    /// The largest spec, waiting for the next block's assignment; its deadline block crowded. (The
    /// sampling is the hook's, `assign_queued`.)
    #[benchmark]
    fn submit_job() {
        set_block::<T>(10u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        fill_buckets::<T>(now::<T>().saturating_add(1u32.into()), 1);
        let job_id = NextJobId::<T>::get();
        #[extrinsic_call]
        submit_job(RawOrigin::Signed(caller), Box::new(spec));
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Queued));
    }

    /// With the queue almost full (the submission checks its room); its deadline block crowded.
    #[benchmark]
    fn submit_job_queued() {
        set_block::<T>(10u32.into());
        let mut spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        spec.needs.min_vram_mib = u32::MAX;
        let caller = requester::<T>(&spec);
        fill_queue::<T>(1);
        fill_buckets::<T>(now::<T>().saturating_add(1u32.into()), 1);
        let job_id = NextJobId::<T>::get();
        #[extrinsic_call]
        submit_job(RawOrigin::Signed(caller), Box::new(spec));
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Queued));
    }

    /// The last commitment of `MaxReplicas`: the reveal phase starts, its deadline block crowded.
    #[benchmark]
    fn commit_result() {
        set_block::<T>(10u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        let reveal_window = spec.reveal_window;
        let job_id = submit::<T>(&caller, spec);
        let replicas: Vec<T::AccountId> =
            Jobs_::<T>::get(job_id).expect("open").replicas.iter().map(|r| r.provider.clone()).collect();
        let (last, others) = replicas.split_last().expect("replicas");
        for (i, p) in others.iter().enumerate() {
            Jobs::<T>::do_commit_result(p.clone(), job_id, sealed::<T>(job_id, p, &root(1), i))
                .expect("commits");
        }
        fill_buckets::<T>(now::<T>().saturating_add(reveal_window.into()), 1);
        let last_commitment = sealed::<T>(job_id, last, &root(1), others.len());
        #[extrinsic_call]
        _(RawOrigin::Signed(last.clone()), job_id, last_commitment);
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Revealing));
    }

    /// The last reveal of `MaxReplicas`: the resolution moves to the next block, that block
    /// crowded.
    #[benchmark]
    fn reveal_result() {
        set_block::<T>(10u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        let job_id = submit::<T>(&caller, spec);
        let replicas: Vec<T::AccountId> =
            Jobs_::<T>::get(job_id).expect("open").replicas.iter().map(|r| r.provider.clone()).collect();
        for (i, p) in replicas.iter().enumerate() {
            Jobs::<T>::do_commit_result(p.clone(), job_id, sealed::<T>(job_id, p, &root(1), i))
                .expect("commits");
        }
        let (last, others) = replicas.split_last().expect("replicas");
        for (i, p) in others.iter().enumerate() {
            Jobs::<T>::do_reveal_result(p.clone(), job_id, root(1), salt(i)).expect("reveals");
        }
        let deadline = Jobs_::<T>::get(job_id).expect("open").deadline;
        fill_buckets::<T>(now::<T>().saturating_add(1u32.into()), 1);
        #[extrinsic_call]
        _(RawOrigin::Signed(last.clone()), job_id, root(1), salt(others.len()));
        assert!(Jobs_::<T>::get(job_id).expect("open").deadline < deadline);
    }

    /// An assigned job of `MaxReplicas` in a full deadline bucket.
    #[benchmark]
    fn cancel_job() {
        // Late enough for the staking side to build warm-up batches due now (see `fill_pools`).
        set_block::<T>(20u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        let job_id = submit::<T>(&caller, spec);
        let job = Jobs_::<T>::get(job_id).expect("open");
        fill_buckets::<T>(job.deadline, 1);
        // The compensation paid to each assigned provider meets its costliest pool.
        let assigned: Vec<T::AccountId> =
            job.replicas.iter().map(|replica| replica.provider.clone()).collect();
        T::BenchmarkHelper::fill_pools(&assigned);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller), job_id);
        assert!(!Jobs_::<T>::contains_key(job_id));
    }

    /// A queued job at the back of a full queue, in a full deadline bucket.
    #[benchmark]
    fn cancel_job_queued() {
        set_block::<T>(10u32.into());
        let mut spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        spec.needs.min_vram_mib = u32::MAX;
        let caller = requester::<T>(&spec);
        fill_queue::<T>(1);
        let job_id = submit::<T>(&caller, spec);
        fill_buckets::<T>(Jobs_::<T>::get(job_id).expect("open").deadline, 1);
        #[extrinsic_call]
        cancel_job(RawOrigin::Signed(caller), job_id);
        assert!(!Jobs_::<T>::contains_key(job_id));
    }

    /// Settlement of a disputed job with `r` replicas and every referee: a quorum of winners and the
    /// referees paid, the others alternately wrong and silent, all slashed, slashed funds settled.
    #[benchmark]
    fn resolve(r: Linear<1, { T::MaxReplicas::get() }>) {
        // Late enough for the staking side to build warm-up batches due now (see `fill_pools`).
        set_block::<T>(20u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), r);
        let quorum = usize::from(spec.quorum);
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        let job_id = submit::<T>(&caller, spec);
        Jobs_::<T>::mutate(job_id, |job| {
            let job = job.as_mut().expect("open");
            job.phase = JobPhase::Revealing;
            for (i, replica) in job.replicas.iter_mut().enumerate() {
                let result = match i {
                    i if i < quorum => Some(root(1)),
                    i if (i - quorum) % 2 == 0 => Some(root(2)),
                    _ => None,
                };
                replica.commitment = result.map(|root| sealed::<T>(job_id, &replica.provider, &root, i));
                replica.revealed = result;
            }
        });
        let mut job = Jobs_::<T>::get(job_id).expect("open");
        Jobs::<T>::unschedule(job_id, job.deadline);
        if Jobs::<T>::open_dispute(job_id, &mut job, now::<T>()).is_ok() {
            Jobs::<T>::unschedule(job_id, job.deadline);
            let originals = usize::from(job.spec.replicas);
            for (i, referee) in job.replicas.iter_mut().enumerate().skip(originals) {
                referee.commitment = Some(sealed::<T>(job_id, &referee.provider, &root(1), i));
                referee.revealed = Some(root(1));
            }
        }
        job.phase = JobPhase::Revealing;
        job.deadline = now::<T>();
        let assigned: Vec<T::AccountId> =
            job.replicas.iter().map(|replica| replica.provider.clone()).collect();
        T::BenchmarkHelper::fill_pools(&assigned);
        Jobs_::<T>::insert(job_id, job);
        #[block]
        {
            Jobs::<T>::handle_deadline(job_id, now::<T>(), now::<T>());
        }
        assert!(Results::<T>::contains_key(job_id));
    }

    /// A committing job with a commitment reaches its commit deadline: the reveal phase starts, its
    /// deadline block crowded.
    #[benchmark]
    fn start_reveal() {
        set_block::<T>(10u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        providers::<T>(&spec);
        let caller = requester::<T>(&spec);
        let reveal_window = spec.reveal_window;
        let job_id = submit::<T>(&caller, spec);
        let first = Jobs_::<T>::get(job_id).expect("open").replicas[0].provider.clone();
        Jobs::<T>::do_commit_result(first.clone(), job_id, sealed::<T>(job_id, &first, &root(1), 0))
            .expect("commits");
        due_now::<T>(job_id);
        fill_buckets::<T>(now::<T>().saturating_add(reveal_window.into()), 1);
        #[block]
        {
            Jobs::<T>::handle_deadline(job_id, now::<T>(), now::<T>());
        }
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Revealing));
    }

    /// A queued job at the back of a full queue reaches the end of its queue window: its last assignment
    /// attempt fails and it is refunded.
    #[benchmark]
    fn expire_queued() {
        set_block::<T>(10u32.into());
        let mut spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        spec.needs.min_vram_mib = u32::MAX;
        let queue_window = spec.queue_window;
        let caller = requester::<T>(&spec);
        fill_queue::<T>(1);
        let job_id = submit::<T>(&caller, spec);
        set_block::<T>(now::<T>().saturating_add(queue_window.into()));
        due_now::<T>(job_id);
        #[block]
        {
            Jobs::<T>::handle_deadline(job_id, now::<T>(), now::<T>());
        }
        assert!(!Jobs_::<T>::contains_key(job_id));
        assert!(Results::<T>::contains_key(job_id));
    }

    /// One assignment attempt that succeeds: the job at the front of a full queue gets `MaxReplicas`
    /// providers; its commit deadline block crowded.
    #[benchmark]
    fn assign_queued() {
        set_block::<T>(10u32.into());
        let spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        let caller = requester::<T>(&spec);
        let commit_window = spec.commit_window;
        // No providers yet: the job is queued.
        let job_id = submit::<T>(&caller, spec.clone());
        fill_queue::<T>(0);
        providers::<T>(&spec);
        set_block::<T>(now::<T>().saturating_add(1u32.into()));
        fill_buckets::<T>(now::<T>().saturating_add(commit_window.into()), 1);
        #[block]
        {
            let mut queue = Queue::<T>::get();
            Jobs::<T>::assign_next(&mut queue, now::<T>());
            Queue::<T>::put(queue);
        }
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Committing));
    }

    /// The record of one finished job pruned.
    #[benchmark]
    fn prune_record() {
        set_block::<T>(10u32.into());
        let mut spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        spec.needs.min_vram_mib = u32::MAX;
        let caller = requester::<T>(&spec);
        let job_id = submit::<T>(&caller, spec);
        Jobs::<T>::do_cancel_job(caller, job_id).expect("cancels");
        let at = now::<T>().saturating_add(T::RetentionPeriod::get());
        set_block::<T>(at);
        #[block]
        {
            Jobs::<T>::prune(at);
        }
        assert!(!Results::<T>::contains_key(job_id));
    }

    /// A canary issued and assigned: the runtime's canary, drawn among the provider population, into a
    /// crowded deadline bucket.
    #[benchmark]
    fn issue_canary() {
        set_block::<T>(10u32.into());
        let code = T::BenchmarkHelper::canary_kernel();
        if !Kernels::<T>::contains_key(kernel_id(&code)) {
            let owner: T::AccountId = account("owner", 0, SEED);
            let deposit = T::KernelDepositPerByte::get()
                .saturating_mul((code.len() as u32).into())
                .saturating_add(T::KernelDepositBase::get());
            fund::<T>(&owner, deposit);
            Jobs::<T>::do_register_kernel(owner, BoundedVec::truncate_from(code)).expect("kernel registers");
        }
        let canary = T::Canaries::canary(&[0; 32]).expect("the runtime issues canaries");
        providers::<T>(&canary.spec);
        fill_buckets::<T>(now::<T>().saturating_add(canary.spec.commit_window.into()), 1);
        let job_id = NextJobId::<T>::get();
        #[block]
        {
            Jobs::<T>::issue_canary(now::<T>()).expect("a canary is issued");
        }
        assert_eq!(Jobs_::<T>::get(job_id).map(|j| j.phase), Some(JobPhase::Committing));
    }

    #[benchmark]
    fn set_canary_interval() {
        let origin = T::AdminOrigin::try_successful_origin().expect("the admin origin can be made");
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, 20);
        assert_eq!(CanaryInterval::<T>::get(), 20);
    }

    /// The hook with nothing to do: no job due, an empty queue, a record not yet prunable.
    #[benchmark]
    fn on_initialize_idle() {
        set_block::<T>(10u32.into());
        let mut spec = max_spec::<T>(kernel::<T>(1), T::MaxReplicas::get());
        spec.needs.min_vram_mib = u32::MAX;
        let caller = requester::<T>(&spec);
        let job_id = submit::<T>(&caller, spec);
        Jobs::<T>::do_cancel_job(caller, job_id).expect("cancels");
        let at = now::<T>().saturating_add(1u32.into());
        set_block::<T>(at);
        // The hook of the block before ran: it looks at one bucket.
        DeadlineCursor::<T>::put(at);
        #[block]
        {
            Jobs::<T>::on_initialize(at);
        }
        assert!(Results::<T>::contains_key(job_id));
    }

    impl_benchmark_test_suite!(Jobs, crate::mock::new_test_ext(), crate::mock::Test);
}
