//! The lifecycle through the block hook: resolution, slashing and the sharing of slashed funds, the queue,
//! expiry, pruning, and the defensive paths.

use super::*;
use compute_primitives::{
    failure::{failure_root, FailureReason},
    JobOutcome, JobResult,
};
use frame_support::traits::Hooks;

const WORK: u64 = 4 * 2;

/// The default job of ALICE, assigned to P1..P3 at block 1; returns its id and providers in replica order.
fn start() -> (u64, [AccountId; 3]) {
    let kernel = register_kernel();
    providers(&[P1, P2, P3]);
    let job_id = submit(ALICE, spec(kernel));
    let [a, b, c] = assigned(job_id)[..] else { unreachable!() };
    System::reset_events();
    (job_id, [a, b, c])
}

fn record(job_id: u64) -> JobResult {
    Results::<Test>::get(job_id).expect("a finished job").outcome
}

/// Asserts that the job is finished and left nothing behind.
fn assert_finished(job_id: u64, providers: &[AccountId]) {
    assert!(!crate::Jobs::<Test>::contains_key(job_id));
    for p in providers {
        assert_eq!(slots(*p), 0, "slot of {p} freed");
        assert!(!Assignments::<Test>::contains_key(p, job_id));
    }
    assert_eq!(escrow_hold(ALICE), 0);
    assert_eq!(Kernels::<Test>::get(kernel_id(KERNEL)).unwrap().open_jobs, 0);
    assert_eq!(Deadlines::<Test>::iter().count(), 0);
}

#[test]
fn three_honest_replicas_are_all_paid() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        let before = Snapshot::all();
        for p in ps {
            commit(job_id, p, root(1));
        }
        for p in ps {
            reveal(job_id, p, root(1));
        }
        System::reset_events();
        run_to_block(2);
        assert_eq!(
            events(),
            vec![Event::JobCompleted { job_id, result_root: root(1), winners: 3, paid: 3 * REWARD }]
        );
        assert_finished(job_id, &ps);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        // The escrow paid the providers, the fee was taken from the hold: the free balance did not move.
        assert_eq!(free(ALICE), before.free[&ALICE]);
        assert_eq!(free(ALICE), INITIAL - 3 * REWARD - FEE);
        for p in ps {
            assert_eq!(free(p), INITIAL + REWARD);
            assert_eq!(stake(p), STAKE);
        }
        assert_eq!(FeesCollected::get(), FEE);
        assert_eq!(issuance(), before.issuance - FEE);
        assert_eq!(
            Outcomes::get(),
            ps.iter().map(|p| (*p, JobOutcome::Completed { work_units: WORK })).collect::<Vec<_>>()
        );
        before.assert_unchanged_except(&[ALICE, ps[0], ps[1], ps[2]]);
    });
}

#[test]
fn a_wrong_replica_is_slashed_and_the_winners_share_its_slash() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        let before = Snapshot::all();
        commit(job_id, a, root(1));
        commit(job_id, b, root(1));
        commit(job_id, c, root(2));
        reveal(job_id, c, root(2));
        reveal(job_id, a, root(1));
        reveal(job_id, b, root(1));
        System::reset_events();
        run_to_block(2);
        // max(10% of 10 000, 3 × 100) = 1 000; half to the winners, a quarter to ALICE, a quarter burned.
        let slash = 1_000;
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: slash,
                    reason: SlashReason::WrongResult
                },
                Event::SlashedFundsShared { job_id, to_winners: 500, to_requester: 250, burned: 250 },
                Event::JobCompleted { job_id, result_root: root(1), winners: 2, paid: 2 * REWARD },
            ]
        );
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(free(a), INITIAL + REWARD + 250);
        assert_eq!(free(b), INITIAL + REWARD + 250);
        assert_eq!(free(c), INITIAL - slash);
        assert_eq!(stake(c), STAKE - slash);
        assert_eq!(free(ALICE), INITIAL - FEE - 2 * REWARD + 250);
        assert_eq!(issuance(), before.issuance - FEE - 250);
        assert_eq!(
            Outcomes::get(),
            vec![
                (a, JobOutcome::Completed { work_units: WORK }),
                (b, JobOutcome::Completed { work_units: WORK }),
                (c, JobOutcome::WrongResult),
            ]
        );
    });
}

#[test]
fn the_wrong_result_slash_is_at_least_a_multiple_of_the_reward() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2, P3] {
            register_provider(p, provider(2_000));
        }
        let job_id = submit(ALICE, spec(kernel));
        let [a, b, c] = assigned(job_id)[..] else { unreachable!() };
        for (p, r) in [(a, 1), (b, 1), (c, 3)] {
            commit(job_id, p, root(r));
        }
        for (p, r) in [(a, 1), (b, 1), (c, 3)] {
            reveal(job_id, p, root(r));
        }
        System::reset_events();
        run_to_block(2);
        // 10% of 2 000 = 200 < 3 × 100.
        assert_eq!(
            events()[0],
            Event::ProviderSlashed { job_id, provider: c, amount: 300, reason: SlashReason::WrongResult }
        );
        assert_eq!(stake(c), 1_700);
    });
}

#[test]
fn two_silent_replicas_fail_the_job_and_are_slashed() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        let before = Snapshot::all();
        commit(job_id, a, root(1));
        System::reset_events();
        run_to_block(6);
        assert_eq!(events(), vec![Event::RevealPhaseStarted { job_id, reveal_deadline: 11 }]);
        reveal(job_id, a, root(1));
        assert_eq!(job(job_id).deadline, 7);
        System::reset_events();
        run_to_block(7);
        // max(2% of 10 000, 100) = 200 each; no winners: their half goes to ALICE with her quarter.
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: b,
                    amount: 200,
                    reason: SlashReason::MissedDeadline
                },
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: 200,
                    reason: SlashReason::MissedDeadline
                },
                Event::SlashedFundsShared { job_id, to_winners: 0, to_requester: 300, burned: 100 },
                Event::JobFailed { job_id, refunded: 3 * REWARD },
            ]
        );
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(record(job_id), JobResult::Failed);
        assert_eq!(free(ALICE), INITIAL - FEE + 300);
        assert_eq!(free(a), INITIAL, "a lone revealer is neither paid nor slashed");
        assert_eq!(free(b), INITIAL - 200);
        assert_eq!(free(c), INITIAL - 200);
        assert_eq!(issuance(), before.issuance - FEE - 100);
        assert_eq!(Outcomes::get(), vec![(b, JobOutcome::MissedDeadline), (c, JobOutcome::MissedDeadline)]);
    });
}

#[test]
fn a_job_nobody_commits_to_fails_at_its_commit_deadline() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        run_to_block(5);
        assert!(crate::Jobs::<Test>::contains_key(job_id));
        run_to_block(6);
        let mut expected: Vec<_> = ps
            .iter()
            .map(|p| Event::ProviderSlashed {
                job_id,
                provider: *p,
                amount: 200,
                reason: SlashReason::MissedDeadline,
            })
            .collect();
        expected.push(Event::SlashedFundsShared { job_id, to_winners: 0, to_requester: 450, burned: 150 });
        expected.push(Event::JobFailed { job_id, refunded: 3 * REWARD });
        assert_eq!(events(), expected);
        assert_finished(job_id, &ps);
        assert_eq!(free(ALICE), INITIAL - FEE + 450);
    });
}

#[test]
fn a_replica_that_does_not_reveal_is_slashed_at_the_reveal_deadline() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        for p in [a, b, c] {
            commit(job_id, p, root(1));
        }
        reveal(job_id, a, root(1));
        reveal(job_id, b, root(1));
        assert_eq!(job(job_id).deadline, 6, "c has yet to reveal");
        System::reset_events();
        run_to_block(5);
        assert!(events().is_empty());
        run_to_block(6);
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: 200,
                    reason: SlashReason::MissedDeadline
                },
                Event::SlashedFundsShared { job_id, to_winners: 100, to_requester: 50, burned: 50 },
                Event::JobCompleted { job_id, result_root: root(1), winners: 2, paid: 2 * REWARD },
            ]
        );
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(free(a), INITIAL + REWARD + 50);
        assert_eq!(free(ALICE), INITIAL - FEE - 2 * REWARD + 50);
        assert_eq!(
            Outcomes::get(),
            vec![
                (a, JobOutcome::Completed { work_units: WORK }),
                (b, JobOutcome::Completed { work_units: WORK }),
                (c, JobOutcome::MissedDeadline),
            ]
        );
    });
}

#[test]
fn without_a_quorum_revealers_are_neither_paid_nor_slashed() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        for (i, p) in ps.iter().enumerate() {
            commit(job_id, *p, root(i as u8));
        }
        for (i, p) in ps.iter().enumerate() {
            reveal(job_id, *p, root(i as u8));
        }
        System::reset_events();
        run_to_block(2);
        assert_eq!(events(), vec![Event::JobFailed { job_id, refunded: 3 * REWARD }]);
        assert_finished(job_id, &ps);
        assert_eq!(free(ALICE), INITIAL - FEE);
        for p in ps {
            assert_eq!(free(p), INITIAL);
        }
        assert!(Outcomes::get().is_empty());
    });
}

#[test]
fn failure_roots_are_ordinary_results() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        let failed = failure_root(FailureReason::InvalidWgsl);
        // Two honest providers agree that the kernel is invalid; one claims an output.
        for (p, r) in [(a, failed), (b, failed), (c, root(1))] {
            assert_ok!(Jobs::commit_result(signed(p), job_id, commitment_of(job_id, p, r)));
        }
        for (p, r) in [(a, failed), (b, failed), (c, root(1))] {
            reveal(job_id, p, r);
        }
        System::reset_events();
        run_to_block(2);
        assert_eq!(
            events().last(),
            Some(&Event::JobCompleted { job_id, result_root: failed, winners: 2, paid: 2 * REWARD })
        );
        assert_eq!(record(job_id), JobResult::Completed { root: failed });
        assert_eq!(free(a), INITIAL + REWARD + 250);
        assert_eq!(free(c), INITIAL - 1_000);
    });
}

#[test]
fn a_reward_that_fails_stays_with_the_requester() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        for p in ps {
            commit(job_id, p, root(1));
        }
        for p in ps {
            reveal(job_id, p, root(1));
        }
        RewardsFail::put(true);
        System::reset_events();
        run_to_block(2);
        let mut expected: Vec<_> = ps
            .iter()
            .map(|p| Event::RewardFailed {
                job_id,
                provider: *p,
                amount: REWARD,
                error: compute_primitives::ProviderError::InsufficientFunds,
            })
            .collect();
        expected.push(Event::JobCompleted { job_id, result_root: root(1), winners: 3, paid: 0 });
        assert_eq!(events(), expected);
        assert_finished(job_id, &ps);
        assert_eq!(free(ALICE), INITIAL - FEE);
        // They did the work: it still counts for their reputation.
        assert_eq!(Outcomes::get().len(), 3);
    });
}

#[test]
fn a_queued_job_is_assigned_once_providers_join() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let job_id = submit(ALICE, spec(kernel));
        run_to_block(3);
        assert_eq!(job(job_id).phase, JobPhase::Queued);
        providers(&[P1, P2, P3]);
        System::reset_events();
        let before = Snapshot::all();
        run_to_block(4);
        let job = job(job_id);
        assert_eq!(job.phase, JobPhase::Committing);
        assert_eq!(job.deadline, 4 + 5);
        assert_eq!(
            events(),
            vec![Event::JobAssigned {
                job_id,
                providers: BoundedVec::truncate_from(assigned(job_id)),
                commit_deadline: 9
            }]
        );
        assert!(Queue::<Test>::get().is_empty());
        assert!(!Deadlines::<Test>::contains_key(11), "out of the queue deadline's block");
        for p in [P1, P2, P3] {
            assert_eq!(slots(p), 1);
        }
        before.assert_unchanged_except(&[]);
        // And it runs to completion from there.
        for p in assigned(job_id) {
            commit(job_id, p, root(1));
        }
        for p in assigned(job_id) {
            reveal(job_id, p, root(1));
        }
        run_to_block(5);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
    });
}

#[test]
fn a_queued_job_expires_with_a_full_refund() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let job_id = submit(ALICE, spec(kernel));
        let before = Snapshot::all();
        System::reset_events();
        run_to_block(10);
        assert!(events().is_empty());
        run_to_block(11);
        assert_eq!(events(), vec![Event::JobExpired { job_id, refunded: 3 * REWARD + FEE }]);
        assert_eq!(record(job_id), JobResult::Expired);
        assert!(Queue::<Test>::get().is_empty());
        assert_eq!(free(ALICE), INITIAL);
        assert_eq!(escrow_hold(ALICE), 0);
        assert_eq!(FeesCollected::get(), 0);
        assert_eq!(issuance(), before.issuance);
        assert_finished(job_id, &[]);
    });
}

#[test]
fn the_queue_is_served_in_order_a_few_jobs_per_block() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let mut picky = spec(kernel);
        picky.needs.min_vram_mib = 1 << 20;
        let jobs = [
            submit(ALICE, picky),
            submit(ALICE, spec(kernel)),
            submit(BOB, spec(kernel)),
            submit(BOB, spec(kernel)),
        ];
        for p in [P1, P2, P3] {
            register_provider(p, MockProvider { capacity: 10, ..provider(STAKE) });
        }
        run_to_block(2);
        // Two attempts: the picky job finds nobody and goes to the back; the next one is assigned.
        assert_eq!(Queue::<Test>::get().into_inner(), vec![jobs[2], jobs[3], jobs[0]]);
        assert_eq!(job(jobs[1]).phase, JobPhase::Committing);
        run_to_block(3);
        assert_eq!(Queue::<Test>::get().into_inner(), vec![jobs[0]]);
        assert_eq!(job(jobs[2]).phase, JobPhase::Committing);
        assert_eq!(job(jobs[3]).phase, JobPhase::Committing);
        // One job left: one attempt per block.
        run_to_block(4);
        assert_eq!(Queue::<Test>::get().into_inner(), vec![jobs[0]]);
    });
}

#[test]
fn records_are_pruned_after_the_retention_period() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let jobs: Vec<u64> = (0..3).map(|_| submit(ALICE, spec(kernel))).collect();
        for job_id in &jobs {
            assert_ok!(Jobs::cancel_job(signed(ALICE), *job_id));
        }
        run_to_block(3);
        let late = submit(BOB, spec(kernel));
        assert_ok!(Jobs::cancel_job(signed(BOB), late));
        assert_eq!((PruneHead::<Test>::get(), PruneTail::<Test>::get()), (0, 4));
        System::reset_events();
        run_to_block(1 + RETENTION - 1);
        assert!(events().is_empty());
        assert_eq!(Results::<Test>::iter().count(), 4);
        run_to_block(1 + RETENTION);
        assert_eq!(
            events(),
            vec![Event::JobPruned { job_id: jobs[0] }, Event::JobPruned { job_id: jobs[1] }]
        );
        run_to_block(2 + RETENTION);
        assert_eq!(events(), vec![Event::JobPruned { job_id: jobs[2] }]);
        assert!(Results::<Test>::contains_key(late));
        assert!(Jobs::job_details(jobs[0]).is_none());
        run_to_block(3 + RETENTION);
        assert_eq!(events(), vec![Event::JobPruned { job_id: late }]);
        assert_eq!((PruneHead::<Test>::get(), PruneTail::<Test>::get()), (4, 4));
        assert_eq!(PruneQueue::<Test>::iter().count(), 0);
    });
}

#[test]
fn a_reveal_phase_that_cannot_be_scheduled_aborts_the_job_without_blame() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2] {
            register_provider(p, MockProvider { capacity: 100, ..provider(STAKE) });
        }
        let mut pair = spec(kernel);
        pair.replicas = 2;
        pair.quorum = 2;
        let job_id = submit(ALICE, pair);
        // Fill every block where its reveal deadline could go (from 6 + 5).
        let mut filler = spec(kernel);
        filler.replicas = 1;
        filler.quorum = 1;
        filler.commit_window = 10;
        for _ in 0..MAX_DEADLINES * crate::DEADLINE_PROBES {
            submit(BOB, filler.clone());
        }
        let committed = assigned(job_id)[0];
        commit(job_id, committed, root(1));
        System::reset_events();
        let before = Snapshot::all();
        run_to_block(6);
        assert_eq!(events(), vec![Event::JobAborted { job_id, refunded: 2 * REWARD + FEE }]);
        assert_eq!(record(job_id), JobResult::Failed);
        assert_eq!(free(ALICE), before.free[&ALICE] + 2 * REWARD + FEE);
        assert_eq!(free(committed), INITIAL);
        assert!(Outcomes::get().is_empty());
    });
}

#[test]
fn a_last_commitment_that_cannot_start_the_reveal_keeps_the_commit_deadline() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        register_provider(P1, MockProvider { capacity: 100, ..provider(STAKE) });
        let mut single = spec(kernel);
        single.replicas = 1;
        single.quorum = 1;
        single.commit_window = 10;
        let job_id = submit(ALICE, single.clone());
        // Its reveal deadline would go to 2 + 5 ..= 2 + 5 + 7: fill those blocks.
        let mut filler = single.clone();
        filler.commit_window = 6;
        for _ in 0..MAX_DEADLINES * crate::DEADLINE_PROBES - 1 {
            submit(BOB, filler.clone());
        }
        run_to_block(2);
        System::reset_events();
        commit(job_id, P1, root(1));
        assert_eq!(events(), vec![Event::ResultCommitted { job_id, provider: P1 }]);
        assert_eq!(job(job_id).phase, JobPhase::Committing);
        assert_eq!(job(job_id).deadline, 11);
        assert_eq!(Deadlines::<Test>::get(11).len() as u32, MAX_DEADLINES);
    });
}

#[test]
fn the_hook_reports_the_weight_it_used() {
    use crate::weights::WeightInfo;
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        System::set_block_number(2);
        assert_eq!(Jobs::on_initialize(2), <() as WeightInfo>::on_initialize_idle());
        for p in ps {
            commit(job_id, p, root(1));
        }
        for p in ps {
            reveal(job_id, p, root(1));
        }
        System::set_block_number(3);
        assert_eq!(
            Jobs::on_initialize(3),
            <() as WeightInfo>::on_initialize_idle() + <() as WeightInfo>::resolve(3)
        );
        // A queued job costs an assignment attempt per block.
        set_active(P1, false);
        submit(BOB, spec(kernel_id(KERNEL)));
        System::set_block_number(4);
        assert_eq!(
            Jobs::on_initialize(4),
            <() as WeightInfo>::on_initialize_idle() + <() as WeightInfo>::assign_queued()
        );
    });
}
