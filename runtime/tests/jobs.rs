//! A job's whole lifecycle through the real runtime (`frame_executive`), with the real staking pallet
//! behind the jobs pallet: six providers register with signed transactions, a requester submits a job
//! on a built-in kernel, the three assigned providers commit and reveal (one of them a wrong result), the
//! disagreement opens a dispute, the three referees settle it, and every token is accounted for.

mod common;

use codec::Encode;
use compute_primitives::{
    commitment, kernel_id, result_root, HardwareNeeds, JobInput, JobSpec, ResultRoot, Salt,
};
use compute_runtime::{
    extrinsic::signed_extrinsic, genesis_config_presets::BUILT_IN_KERNELS, Balances, ComputeJobs,
    ComputeStaking, Executive, Runtime, RuntimeCall, RuntimeEvent, RuntimeHoldReason, UNIT,
};
use frame_support::traits::fungible::InspectHold;
use frame_support::traits::Get;
use pallet_compute_jobs::{Event as JobsEvent, HoldReason as JobsHold};
use pallet_compute_staking::types::{GpuBackend, ProviderProfile};
use sp_keyring::Sr25519Keyring;
use sp_runtime::Perbill;

fn profile(ask: u128) -> ProviderProfile<Runtime> {
    ProviderProfile {
        gpu_name: b"llvmpipe (LLVM 15.0.6, 256 bits)".to_vec().try_into().expect("short"),
        vendor: b"Mesa".to_vec().try_into().expect("short"),
        backend: GpuBackend::Vulkan,
        vram_mib: 8_192,
        benchmark_score: 1_000,
        determinism_class: compute_primitives::DeterminismClass([7; 16]),
        max_concurrent_jobs: 4,
        ask,
        endpoint: b"http://127.0.0.1:8080".to_vec().try_into().expect("short"),
    }
}

/// Applies a signed call and expects it to dispatch.
fn apply(who: Sr25519Keyring, nonce: u32, call: RuntimeCall) {
    let xt = signed_extrinsic(call, &who.pair(), nonce, common::signing_context());
    Executive::apply_extrinsic(xt).expect("valid transaction").expect("dispatched");
}

fn jobs_events() -> Vec<JobsEvent<Runtime>> {
    common::events()
        .into_iter()
        .filter_map(|e| if let RuntimeEvent::ComputeJobs(e) = e { Some(e) } else { None })
        .collect()
}

fn check_invariants() {
    ComputeJobs::do_try_state().expect("jobs invariants");
    ComputeStaking::do_try_state().expect("staking invariants");
}

#[test]
fn genesis_registers_the_built_in_kernels() {
    common::externalities("development").execute_with(|| {
        for (name, wgsl) in BUILT_IN_KERNELS {
            let id = kernel_id(wgsl.as_bytes());
            let info = pallet_compute_jobs::Kernels::<Runtime>::get(id)
                .unwrap_or_else(|| panic!("{name} is registered"));
            assert_eq!(info.len as usize, wgsl.len());
            assert_eq!(info.owner, Sr25519Keyring::Alice.to_account_id());
        }
        check_invariants();
    });
}

/// The keyring accounts that act as providers (funded in the development preset).
const PROVIDERS: [Sr25519Keyring; 6] = [
    Sr25519Keyring::Charlie,
    Sr25519Keyring::Dave,
    Sr25519Keyring::Eve,
    Sr25519Keyring::Ferdie,
    Sr25519Keyring::AliceStash,
    Sr25519Keyring::CharlieStash,
];

fn keyring_of(account: &compute_runtime::AccountId) -> Sr25519Keyring {
    *PROVIDERS.iter().find(|p| p.to_account_id() == *account).expect("a provider of the test")
}

/// Commits (`reveal == false`) or reveals `root` for each `(provider, root)`, with nonce `nonce`.
fn act(job_id: u64, results: &[(Sr25519Keyring, ResultRoot)], nonce: u32, reveal: bool) {
    let salt = |p: &Sr25519Keyring| Salt(sp_io::hashing::blake2_256(&p.to_account_id().encode()));
    for (p, root) in results {
        let call = if reveal {
            pallet_compute_jobs::Call::reveal_result { job_id, result_root: *root, salt: salt(p) }
        } else {
            let c = commitment(job_id, &p.to_account_id().encode(), root, &salt(p));
            pallet_compute_jobs::Call::commit_result { job_id, commitment: c }
        };
        apply(*p, nonce, RuntimeCall::ComputeJobs(call));
        assert_eq!(transaction_fees_of(&p.to_account_id()), 0, "honest work pays no transaction fee");
    }
}

#[test]
fn a_job_runs_its_lifecycle_and_a_dispute_through_the_runtime() {
    common::externalities("development").execute_with(|| {
        let requester = Sr25519Keyring::Bob;
        let reward = UNIT;
        let issuance_before = Balances::total_issuance();

        common::start_block(1, 1_000);
        for p in PROVIDERS {
            apply(
                p,
                0,
                RuntimeCall::ComputeStaking(pallet_compute_staking::Call::register_provider {
                    profile: profile(reward / 2),
                    commission: Perbill::from_percent(10),
                    bond: 10_000 * UNIT,
                }),
            );
        }
        common::finish_block();

        // Block 2: the requester submits a 3-replica job on the built-in matmul kernel.
        common::start_block(2, 1_001);
        let (_, matmul) = BUILT_IN_KERNELS[0];
        let spec = JobSpec {
            kernel: kernel_id(matmul.as_bytes()),
            entry_point: b"main".to_vec().try_into().unwrap(),
            inputs: vec![JobInput::Generated { seed: [1; 32], len: 4_096 }].try_into().unwrap(),
            params: Default::default(),
            output_len: 4_096,
            workgroups: [4, 4, 1],
            fuel: 0,
            replicas: 3,
            quorum: 2,
            reward_per_replica: reward,
            commit_window: 20,
            reveal_window: 10,
            queue_window: 10,
            needs: HardwareNeeds { min_vram_mib: 4_096, determinism_class: None },
        };
        let requester_id = requester.to_account_id();
        let requester_before = Balances::free_balance(&requester_id);
        apply(requester, 0, RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job { spec: Box::new(spec) }));
        let fee: u128 = <Runtime as pallet_compute_jobs::Config>::JobFee::get();
        let escrow_hold = || {
            Balances::balance_on_hold(&RuntimeHoldReason::ComputeJobs(JobsHold::JobEscrow), &requester_id)
        };
        assert_eq!(escrow_hold(), (3 + 3) * reward + fee, "three replicas and three referees");
        let submit_fee = transaction_fees_of(&requester_id);
        assert!(submit_fee > 0);
        assert!(
            !jobs_events().iter().any(|e| matches!(e, JobsEvent::JobAssigned { .. })),
            "nobody is drawn with randomness known when the submission was signed"
        );
        check_invariants();
        common::finish_block();

        // Block 3: the job is assigned with the randomness of block 2; each replica commits, the first to
        // a wrong root. Block 4: each reveals.
        common::start_block(3, 1_002);
        let (job_id, chosen) = jobs_events()
            .into_iter()
            .find_map(|e| if let JobsEvent::JobAssigned { job_id, providers, .. } = e { Some((job_id, providers)) } else { None })
            .expect("assigned in the block after its submission");
        let chosen: Vec<Sr25519Keyring> = chosen.iter().map(keyring_of).collect();
        assert_eq!(chosen.len(), 3);
        let good = result_root(b"the right output");
        let bad = ResultRoot([0xee; 32]);
        let liar = chosen[0];
        let results: Vec<_> = chosen.iter().map(|p| (*p, if *p == liar { bad } else { good })).collect();
        act(job_id, &results, 1, false);
        assert!(jobs_events().iter().any(|e| matches!(e, JobsEvent::RevealPhaseStarted { .. })));
        common::finish_block();
        common::start_block(4, 1_003);
        act(job_id, &results, 2, true);
        common::finish_block();

        // Block 5: the reveals disagree, so the hook draws three referees: the other three providers.
        common::start_block(5, 1_004);
        let referees = jobs_events()
            .into_iter()
            .find_map(|e| if let JobsEvent::DisputeOpened { referees, .. } = e { Some(referees) } else { None })
            .expect("a dispute, not a majority vote");
        let referees: Vec<Sr25519Keyring> = referees.iter().map(keyring_of).collect();
        assert_eq!(referees.len(), 3);
        assert!(referees.iter().all(|r| !chosen.contains(r)));
        let liar_id = liar.to_account_id();
        let liar_stake = <ComputeStaking as compute_primitives::ComputeProviders<_>>::stake_of(&liar_id);
        check_invariants();
        let referee_results: Vec<_> = referees.iter().map(|r| (*r, good)).collect();
        act(job_id, &referee_results, 1, false);
        common::finish_block();
        common::start_block(6, 1_005);
        act(job_id, &referee_results, 2, true);
        common::finish_block();

        // Block 7: the verdict.
        common::start_block(7, 1_006);
        let events = jobs_events();
        assert!(
            events.iter().any(|e| matches!(e, JobsEvent::JobCompleted { job_id: j, result_root, winners: 5, .. } if *j == job_id && *result_root == good)),
            "completed with the honest root: {events:?}"
        );
        let slashed = events
            .iter()
            .find_map(|e| match e {
                JobsEvent::ProviderSlashed { provider, amount, .. } if *provider == liar_id => Some(*amount),
                _ => None,
            })
            .expect("the liar is slashed");
        // 10% of the stake it had at risk, whatever the reward.
        assert_eq!(slashed, Perbill::from_percent(10) * liar_stake);
        assert!(events.iter().any(|e| matches!(
            e,
            JobsEvent::SlashedFundsSettled { reimbursed, .. } if *reimbursed == 3 * reward
        )));
        common::finish_block();

        assert_eq!(escrow_hold(), 0, "the escrow is fully released");
        // The requester paid five rewards and the fee and was paid back the referees' three out of the
        // slash: what an undisputed job costs. The rest of the slash is burned.
        assert_eq!(
            Balances::free_balance(&requester_id),
            requester_before - submit_fee - 2 * reward - fee
        );
        for p in chosen.iter().filter(|p| **p != liar).chain(&referees) {
            let stats = ComputeStaking::provider_stats(&p.to_account_id(), compute_runtime::BLOCKS_PER_YEAR).unwrap();
            assert_eq!(stats.reputation.jobs_completed, 1);
            assert_eq!(stats.reputation.total_slashed, 0);
        }
        let liar_stats = ComputeStaking::provider_stats(&liar_id, compute_runtime::BLOCKS_PER_YEAR).unwrap();
        assert_eq!(liar_stats.reputation.wrong_results, 1);
        assert_eq!(liar_stats.reputation.total_slashed, slashed);
        // Issuance only falls: by the burned part of the slash, the fee and the transaction fees.
        assert!(Balances::total_issuance() <= issuance_before - (slashed - 3 * reward) - fee);
        check_invariants();
    });
}

/// Transaction fees `who` paid in the current block.
fn transaction_fees_of(who: &compute_runtime::AccountId) -> u128 {
    common::events()
        .into_iter()
        .filter_map(|e| match e {
            RuntimeEvent::TransactionPayment(pallet_transaction_payment::Event::TransactionFeePaid {
                who: payer,
                actual_fee,
                ..
            }) if payer == *who => Some(actual_fee),
            _ => None,
        })
        .sum()
}

#[test]
fn benchmark_chain_assigns_the_benchmarked_jobs() {
    use compute_runtime::job_benchmarks::{alice_job, sampled_job, PREPARED_JOBS};
    common::externalities("benchmark").execute_with(|| {
        common::start_block(1, 1_000);
        // What `benchmark extrinsic` submits: each is assigned among the thousand providers.
        for i in 0..PREPARED_JOBS {
            let spec = Box::new(sampled_job(i));
            apply(
                Sr25519Keyring::Alice,
                i,
                RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job { spec }),
            );
        }
        common::finish_block();
        // Assigned in the next block.
        common::start_block(2, 1_001);
        let assigned = jobs_events().iter().filter(|e| matches!(e, JobsEvent::JobAssigned { .. })).count();
        assert_eq!(assigned as u32, PREPARED_JOBS);
        // The jobs prepared for commit and reveal go to Alice.
        let spec = Box::new(alice_job());
        apply(
            Sr25519Keyring::Bob,
            0,
            RuntimeCall::ComputeJobs(pallet_compute_jobs::Call::submit_job { spec }),
        );
        common::finish_block();
        common::start_block(3, 1_002);
        let providers = jobs_events()
            .into_iter()
            .filter_map(
                |e| if let JobsEvent::JobAssigned { providers, .. } = e { Some(providers) } else { None },
            )
            .next_back()
            .expect("assigned");
        assert_eq!(providers.into_inner(), vec![Sr25519Keyring::Alice.to_account_id()]);
        check_invariants();
    });
}
