//! Tests: one file per call, the lifecycle through the block hook, the read functions, and a property test.
//! Every test runs through `ExtBuilder::build_and_execute`, which checks `do_try_state` (and that every mock
//! provider's slots match its assignments) when the test ends.
//!
//! Astar-style helpers: `Snapshot` records balances and holds before a call; the helpers dispatch, check the
//! events and check every balance and hold that must (and must not) move.

use crate::{mock::*, pallet::*, types::*};
// The pallet, not its `Jobs` storage item (used as `crate::Jobs::<Test>`).
use crate::mock::Jobs;
use compute_primitives::{
    commitment, kernel_id, Commitment, HardwareNeeds, JobInput, JobPhase, KernelId, ResultRoot, Salt,
};
use frame_support::{assert_ok, traits::fungible::InspectHold, BoundedVec};
use std::collections::BTreeMap;

mod canary;
mod cancel_job;
mod commit_result;
mod lifecycle;
mod property;
mod read_api;
mod register_kernel;
mod remove_kernel;
mod reveal_result;
mod submit_job;

/// Requesters.
pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
/// Kernel owner.
pub const OWNER: AccountId = 50;
/// Providers.
pub const P1: AccountId = 11;
pub const P2: AccountId = 12;
pub const P3: AccountId = 13;
pub const P4: AccountId = 14;
pub const P5: AccountId = 15;
/// A bystander.
pub const EVE: AccountId = 40;
/// Stake of the test providers.
pub const STAKE: Balance = 10_000;
/// Reward per replica of the default spec.
pub const REWARD: Balance = 100;
/// Escrow of the default spec: its 3 replicas and the `REFEREES` of a dispute.
pub const ESCROW: Balance = (3 + REFEREES as Balance) * REWARD;
/// A sixth provider, for jobs with three replicas and three referees.
pub const P6: AccountId = 16;

/// The escrow `submit_job` holds for `spec` (without the fee).
pub fn escrow_of(spec: &JobSpecOf<Test>) -> Balance {
    let referees = if spec.replicas >= 2 { Balance::from(REFEREES) } else { 0 };
    spec.reward_per_replica * (Balance::from(spec.replicas) + referees)
}

/// The storage deposit `submit_job` holds for `spec` (reason `JobDeposit`), released when the job ends.
pub fn deposit_of(spec: &JobSpecOf<Test>) -> Balance {
    JOB_DEPOSIT_BASE + JOB_DEPOSIT_PER_BYTE * codec::Encode::encoded_size(spec) as Balance
}

/// A small valid kernel.
pub const KERNEL: &[u8] = b"@group(0) @binding(0) var<storage, read> a: array<u32>;\n\
@group(0) @binding(1) var<storage, read_write> out: array<u32>;\n\
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) { out[id.x] = a[id.x]; }\n";

pub fn signed(who: AccountId) -> RuntimeOrigin {
    RuntimeOrigin::signed(who)
}

pub fn free(who: AccountId) -> Balance {
    Balances::free_balance(who)
}

pub fn escrow_hold(who: AccountId) -> Balance {
    Balances::balance_on_hold(&HoldReason::JobEscrow.into(), &who)
}

/// The `JobDeposit` hold of `who`.
pub fn job_deposit_hold(who: AccountId) -> Balance {
    Balances::balance_on_hold(&HoldReason::JobDeposit.into(), &who)
}

pub fn deposit_hold(who: AccountId) -> Balance {
    Balances::balance_on_hold(&HoldReason::KernelDeposit.into(), &who)
}

pub fn issuance() -> Balance {
    Balances::total_issuance()
}

pub fn bounded<S: frame_support::traits::Get<u32>>(bytes: &[u8]) -> BoundedVec<u8, S> {
    BoundedVec::try_from(bytes.to_vec()).expect("within bounds")
}

/// The pallet's events since the last call, and clears them.
pub fn events() -> Vec<Event<Test>> {
    let events = System::events()
        .into_iter()
        .filter_map(|r| if let RuntimeEvent::Jobs(e) = r.event { Some(e) } else { None })
        .collect();
    System::reset_events();
    events
}

/// Registers `KERNEL` from `OWNER`.
pub fn register_kernel() -> KernelId {
    assert_ok!(Jobs::register_kernel(signed(OWNER), bounded(KERNEL)));
    System::reset_events();
    kernel_id(KERNEL)
}

/// The default spec: 3 replicas, quorum 2, reward 100, windows 5 / 5 / 10, one inline and one generated input.
pub fn spec(kernel: KernelId) -> JobSpecOf<Test> {
    JobSpecOf::<Test> {
        kernel,
        entry_point: bounded(b"main"),
        inputs: BoundedVec::truncate_from(vec![
            JobInput::Inline(bounded(&[1, 2, 3, 4])),
            JobInput::Generated { seed: [7; 32], len: 256 },
        ]),
        params: Default::default(),
        output_len: 64,
        workgroups: [4, 2, 1],
        fuel: 0,
        replicas: 3,
        quorum: 2,
        reward_per_replica: REWARD,
        commit_window: 5,
        reveal_window: 5,
        queue_window: 10,
        needs: HardwareNeeds { min_vram_mib: 1024, determinism_class: None },
    }
}

/// Registers mock providers with `STAKE`.
pub fn providers(who: &[AccountId]) {
    for p in who {
        register_provider(*p, provider(STAKE));
    }
}

pub fn set_active(who: AccountId, active: bool) {
    Registry::mutate(who, |p| p.as_mut().expect("a mock provider").active = active);
}

pub fn slots(who: AccountId) -> u32 {
    Registry::get(who).map(|p| p.slots).unwrap_or_default()
}

pub fn stake(who: AccountId) -> Balance {
    Registry::get(who).map(|p| p.stake).unwrap_or_default()
}

pub fn job(job_id: u64) -> Job<Test> {
    crate::Jobs::<Test>::get(job_id).expect("an open job")
}

/// The jobs due in block `at`, in id order.
pub fn bucket(at: u64) -> Vec<u64> {
    let mut jobs: Vec<u64> = Deadlines::<Test>::iter_key_prefix(at).collect();
    jobs.sort_unstable();
    jobs
}

/// The providers of an assigned job, in replica order.
pub fn assigned(job_id: u64) -> Vec<AccountId> {
    job(job_id).replicas.iter().map(|r| r.provider).collect()
}

/// Each provider's salt.
pub fn salt(who: AccountId) -> Salt {
    Salt([who as u8; 32])
}

/// The result roots used in the tests.
pub fn root(n: u8) -> ResultRoot {
    compute_primitives::result_root(&[n; 64])
}

pub fn commitment_of(job_id: u64, who: AccountId, root: ResultRoot) -> Commitment {
    commitment(job_id, &codec::Encode::encode(&who), &root, &salt(who))
}

pub fn commit(job_id: u64, who: AccountId, root: ResultRoot) {
    assert_ok!(Jobs::commit_result(signed(who), job_id, commitment_of(job_id, who, root)));
}

pub fn reveal(job_id: u64, who: AccountId, root: ResultRoot) {
    assert_ok!(Jobs::reveal_result(signed(who), job_id, root, salt(who)));
}

/// Submits `spec` from `who`, checking the hold, the events and the job, which waits for the next block;
/// returns the job id.
pub fn submit_only(who: AccountId, spec: JobSpecOf<Test>) -> u64 {
    let before = Snapshot::take(&[who]);
    let job_id = NextJobId::<Test>::get();
    let escrow = escrow_of(&spec);
    let deposit = deposit_of(&spec);
    let deposit_before = job_deposit_hold(who);
    let kernel_jobs = Kernels::<Test>::get(spec.kernel).unwrap().open_jobs;
    let now = System::block_number();
    System::reset_events();
    assert_ok!(Jobs::submit_job(signed(who), Box::new(spec.clone())));
    let job = job(job_id);
    assert_eq!(
        events(),
        vec![Event::JobSubmitted { job_id, requester: who, kernel: spec.kernel, escrow, fee: FEE, deposit }]
    );
    assert_eq!(job.phase, JobPhase::Queued);
    assert!(job.replicas.is_empty(), "nobody is drawn with randomness known at submission");
    assert_eq!(job.deadline, now + 1, "assigned in the next block");
    assert_eq!(job.spec, spec);
    assert_eq!((job.escrow, job.fee, job.requester, job.submitted_at), (escrow, FEE, who, now));
    assert!(Deadlines::<Test>::contains_key(job.deadline, job_id));
    assert_eq!(escrow_hold(who), before.escrow_hold[&who] + escrow + FEE);
    assert_eq!(job_deposit_hold(who), deposit_before + deposit);
    assert_eq!(job.deposit, deposit);
    assert_eq!(free(who), before.free[&who] - escrow - FEE - deposit);
    assert_eq!(issuance(), before.issuance);
    assert_eq!(Kernels::<Test>::get(spec.kernel).unwrap().open_jobs, kernel_jobs + 1);
    assert_eq!(NextJobId::<Test>::get(), job_id + 1);
    job_id
}

/// [`submit_only`], then the next block, which assigns the job or queues it; checks the event and the
/// replicas. Returns the job id.
pub fn submit(who: AccountId, spec: JobSpecOf<Test>) -> u64 {
    let job_id = submit_only(who, spec.clone());
    let next = System::block_number() + 1;
    run_to_block(next);
    check_assigned_or_queued(job_id, next, &events());
    job_id
}

/// Checks that `events` of block `at` assigned or queued `job_id` as its state says.
pub fn check_assigned_or_queued(job_id: u64, at: u64, events: &[Event<Test>]) {
    let job = job(job_id);
    if job.phase == JobPhase::Queued {
        let until = job.submitted_at + u64::from(job.spec.queue_window);
        assert!(events.contains(&Event::JobQueued { job_id, until }), "{events:?}");
        assert_eq!(job.deadline, until);
        assert!(Queue::<Test>::get().contains(&job_id));
    } else {
        assert_eq!(job.phase, JobPhase::Committing);
        assert!(events.contains(&Event::JobAssigned {
            job_id,
            providers: BoundedVec::truncate_from(assigned(job_id)),
            commit_deadline: job.deadline,
        }));
        assert_eq!(job.deadline, at + u64::from(job.spec.commit_window));
        assert_eq!(job.replicas.len(), usize::from(job.spec.replicas));
        for p in assigned(job_id) {
            assert!(Assignments::<Test>::contains_key(p, job_id));
        }
    }
}

/// Balances and holds of some accounts, the total issuance and the fees collected.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub free: BTreeMap<AccountId, Balance>,
    pub escrow_hold: BTreeMap<AccountId, Balance>,
    pub deposit_hold: BTreeMap<AccountId, Balance>,
    pub issuance: Balance,
    pub fees: Balance,
}

impl Snapshot {
    pub fn take(accounts: &[AccountId]) -> Self {
        Self {
            free: accounts.iter().map(|a| (*a, free(*a))).collect(),
            escrow_hold: accounts.iter().map(|a| (*a, escrow_hold(*a))).collect(),
            deposit_hold: accounts.iter().map(|a| (*a, deposit_hold(*a))).collect(),
            issuance: issuance(),
            fees: FeesCollected::get(),
        }
    }

    /// Every account of the tests.
    pub fn all() -> Self {
        Self::take(&[ALICE, BOB, OWNER, P1, P2, P3, P4, P5, P6, EVE])
    }

    /// Asserts that no balance or hold moved since the snapshot except those of `changed` (which the test
    /// checks itself).
    pub fn assert_unchanged_except(&self, changed: &[AccountId]) {
        let now = Self::take(&self.free.keys().copied().collect::<Vec<_>>());
        for who in self.free.keys().filter(|who| !changed.contains(who)) {
            assert_eq!(self.free[who], now.free[who], "free balance of {who} moved");
            assert_eq!(self.escrow_hold[who], now.escrow_hold[who], "escrow hold of {who} moved");
            assert_eq!(self.deposit_hold[who], now.deposit_hold[who], "deposit hold of {who} moved");
        }
    }
}
