//! The lifecycle through the block hook: resolution, disputes, slashing and the settling of slashed funds,
//! the queue, expiry, pruning, and the defensive paths.

use super::*;
use compute_primitives::{
    failure::{failure_root, FailureReason},
    JobOutcome, JobResult,
};
use frame_support::traits::Hooks;

/// Requester jobs earn no emission (it pays only work the chain issues itself): their outcomes carry no
/// work units.
const WORK: u64 = 0;
/// The slash of a wrong or withheld result: 10% of the stake at risk.
const WRONG_SLASH: Balance = STAKE / 10;
/// The slash of a missed commitment: 2% of the stake at risk.
const LIVENESS_SLASH: Balance = STAKE / 50;

/// The default job of ALICE, assigned to P1..P3 at block 1; returns its id and providers in replica order.
fn start() -> (u64, [AccountId; 3]) {
    let kernel = register_kernel();
    providers(&[P1, P2, P3]);
    let job_id = submit(ALICE, spec(kernel));
    let [a, b, c] = assigned(job_id)[..] else { unreachable!() };
    System::reset_events();
    (job_id, [a, b, c])
}

/// The default job of ALICE with six providers registered, so that a dispute finds three referees.
fn start_with_referees() -> (u64, [AccountId; 3]) {
    let kernel = register_kernel();
    providers(&[P1, P2, P3, P4, P5, P6]);
    let job_id = submit(ALICE, spec(kernel));
    let [a, b, c] = assigned(job_id)[..] else { unreachable!() };
    System::reset_events();
    (job_id, [a, b, c])
}

/// Commits and reveals `roots` for `who`, in order.
fn commit_and_reveal(job_id: u64, results: &[(AccountId, ResultRoot)]) {
    for (p, r) in results {
        commit(job_id, *p, *r);
    }
    for (p, r) in results {
        reveal(job_id, *p, *r);
    }
}

/// Commits and reveals the first replicas' `results`, which disagree, and runs the next block: the dispute
/// opens. Returns the referees.
fn dispute(job_id: u64, results: &[(AccountId, ResultRoot)]) -> Vec<AccountId> {
    commit_and_reveal(job_id, results);
    System::reset_events();
    let now = System::block_number();
    run_to_block(now + 1);
    let job = job(job_id);
    assert!(job.is_disputed(), "the disagreement opens a dispute");
    assert_eq!(job.phase, JobPhase::Committing);
    let referees: Vec<AccountId> = job.replicas[3..].iter().map(|r| r.provider).collect();
    assert_eq!(referees.len() as u32, REFEREES);
    assert_eq!(
        events(),
        vec![Event::DisputeOpened {
            job_id,
            referees: BoundedVec::truncate_from(referees.clone()),
            commit_deadline: now + 1 + 5,
        }]
    );
    for r in &referees {
        assert!(!job.replicas[..3].iter().any(|x| x.provider == *r), "referees are new providers");
        assert_eq!(slots(*r), 1);
    }
    referees
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
        commit_and_reveal(job_id, &ps.map(|p| (p, root(1))));
        System::reset_events();
        run_to_block(3);
        assert_eq!(
            events(),
            vec![Event::JobCompleted { job_id, result_root: root(1), winners: 3, paid: 3 * REWARD }]
        );
        assert_finished(job_id, &ps);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        // The escrow paid the providers and its referees' part came back; the fee was taken from the hold.
        let deposit = deposit_of(&spec(kernel_id(KERNEL)));
        assert_eq!(free(ALICE), before.free[&ALICE] + ESCROW - 3 * REWARD + deposit);
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

/// A wrong replica no longer loses to a simple majority: its reveal opens a dispute, referees drawn after
/// the reveals run the job, and the verdict slashes it. The slash is a share of its own stake, burned but
/// for what reimburses the requester for the referees.
#[test]
fn a_wrong_replica_opens_a_dispute_that_referees_settle() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let before = Snapshot::all();
        let referees = dispute(job_id, &[(a, root(1)), (b, root(1)), (c, root(2))]);
        assert_eq!(stake(c), STAKE, "nothing is settled before the verdict");
        let results: Vec<_> = referees.iter().map(|r| (*r, root(1))).collect();
        commit_and_reveal(job_id, &results);
        System::reset_events();
        run_to_block(System::block_number() + 1);
        let burned = WRONG_SLASH - 3 * REWARD;
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: WRONG_SLASH,
                    reason: SlashReason::WrongResult
                },
                Event::SlashedFundsSettled { job_id, slashed: WRONG_SLASH, reimbursed: 3 * REWARD, burned },
                Event::JobCompleted { job_id, result_root: root(1), winners: 5, paid: 5 * REWARD },
            ]
        );
        let mut everyone = vec![a, b, c];
        everyone.extend(&referees);
        assert_finished(job_id, &everyone);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        for p in [a, b].iter().chain(&referees) {
            assert_eq!(free(*p), INITIAL + REWARD, "{p} did the work and is paid");
            assert_eq!(stake(*p), STAKE);
        }
        assert_eq!(free(c), INITIAL - WRONG_SLASH);
        assert_eq!(stake(c), STAKE - WRONG_SLASH);
        // ALICE paid the referees and was reimbursed for them: she paid what an undisputed job costs.
        assert_eq!(free(ALICE), INITIAL - FEE - 2 * REWARD);
        assert_eq!(SlashesBurned::get(), burned);
        assert_eq!(issuance(), before.issuance - FEE - burned);
        let outcomes = Outcomes::get();
        assert_eq!(
            outcomes.iter().filter(|(_, o)| *o == JobOutcome::Completed { work_units: WORK }).count(),
            5
        );
        assert!(outcomes.contains(&(c, JobOutcome::WrongResult)));
    });
}

/// Finding 3 of the sound-economics review: two sybils out-voted an honest provider in a 3-replica,
/// quorum-2 job and confiscated its pool. Now the referees side with the honest root and the sybils pay.
#[test]
fn two_sybils_cannot_outvote_an_honest_replica() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, honest]) = start_with_referees();
        let sybil_root = root(9);
        let referees = dispute(job_id, &[(a, sybil_root), (b, sybil_root), (honest, root(1))]);
        let results: Vec<_> = referees.iter().map(|r| (*r, root(1))).collect();
        commit_and_reveal(job_id, &results);
        run_to_block(System::block_number() + 1);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        assert_eq!(stake(honest), STAKE, "the honest provider loses nothing");
        assert_eq!(free(honest), INITIAL + REWARD);
        for sybil in [a, b] {
            assert_eq!(stake(sybil), STAKE - WRONG_SLASH);
            assert_eq!(free(sybil), INITIAL - WRONG_SLASH, "the sybils earn nothing");
        }
        // The colluding requester (ALICE) got back what the referees cost her, not a planck more.
        assert_eq!(free(ALICE), INITIAL - FEE - REWARD);
    });
}

/// A non-deterministic (racing) kernel: the referees disagree too. Nobody is slashed for a result, and the
/// requester pays every replica that did the work.
#[test]
fn a_dispute_without_a_clear_verdict_slashes_nobody_and_pays_every_revealer() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let referees = dispute(job_id, &[(a, root(1)), (b, root(1)), (c, root(2))]);
        let results: Vec<_> = referees.iter().enumerate().map(|(i, r)| (*r, root(3 + i as u8))).collect();
        commit_and_reveal(job_id, &results);
        System::reset_events();
        let before = Snapshot::all();
        run_to_block(System::block_number() + 1);
        assert_eq!(events(), vec![Event::JobInconclusive { job_id, paid: 6 * REWARD }]);
        assert_eq!(record(job_id), JobResult::NoConsensus);
        for p in [a, b, c].iter().chain(&referees) {
            assert_eq!(stake(*p), STAKE, "{p} is not slashed");
            assert_eq!(free(*p), INITIAL + REWARD, "{p} is paid");
        }
        assert_eq!(free(ALICE), INITIAL - FEE - ESCROW);
        assert_eq!(issuance(), before.issuance - FEE);
        assert!(Outcomes::get().is_empty(), "no verdict, no reputation either way");
    });
}

/// Two thirds of the reveals are needed even with the panel's majority: one liar among the panel and a
/// split first round end without a verdict.
#[test]
fn a_panel_majority_without_two_thirds_of_all_reveals_is_no_verdict() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let referees = dispute(job_id, &[(a, root(1)), (b, root(2)), (c, root(2))]);
        // root(1): a and two referees = 3 of 6 reveals, a panel majority but not two thirds.
        let results = [(referees[0], root(1)), (referees[1], root(1)), (referees[2], root(2))];
        commit_and_reveal(job_id, &results);
        run_to_block(System::block_number() + 1);
        assert_eq!(record(job_id), JobResult::NoConsensus);
        for p in [a, b, c].iter().chain(&referees) {
            assert_eq!(stake(*p), STAKE);
        }
    });
}

/// When no referee can be drawn (every eligible provider already runs the job), disagreeing replicas are
/// not settled by majority either: no verdict, nobody slashed, every revealer paid.
#[test]
fn without_referees_disagreeing_replicas_slash_nobody() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        commit_and_reveal(job_id, &[(ps[0], root(1)), (ps[1], root(1)), (ps[2], root(2))]);
        System::reset_events();
        run_to_block(3);
        assert_eq!(events(), vec![Event::JobInconclusive { job_id, paid: 3 * REWARD }]);
        assert_finished(job_id, &ps);
        assert_eq!(record(job_id), JobResult::NoConsensus);
        assert_eq!(free(ALICE), INITIAL - FEE - 3 * REWARD);
        for p in ps {
            assert_eq!(stake(p), STAKE);
            assert_eq!(free(p), INITIAL + REWARD);
        }
    });
}

/// Referees that stay silent are slashed like any replica; the verdict then rests on those that revealed.
#[test]
fn a_silent_referee_is_slashed_and_the_others_decide() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let referees = dispute(job_id, &[(a, root(1)), (b, root(1)), (c, root(2))]);
        commit(job_id, referees[0], root(1));
        commit(job_id, referees[1], root(1));
        // The third referee never commits: the reveal phase starts at the dispute's commit deadline.
        let deadline = job(job_id).deadline;
        run_to_block(deadline);
        assert_eq!(job(job_id).phase, JobPhase::Revealing);
        reveal(job_id, referees[0], root(1));
        reveal(job_id, referees[1], root(1));
        run_to_block(job(job_id).deadline);
        // root(1): 2 of 3 referees (a majority of the panel) and 4 of 5 reveals.
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        assert_eq!(stake(referees[2]), STAKE - LIVENESS_SLASH);
        assert_eq!(stake(c), STAKE - WRONG_SLASH);
        assert_eq!(free(referees[0]), INITIAL + REWARD);
        assert_eq!(free(referees[2]), INITIAL - LIVENESS_SLASH);
    });
}

/// Finding 3 of the review and P3: a job whose reward needs more stake at risk than a provider has is not
/// given to it. With a 10% slash and a multiple of 3, a reward of 100 needs 3 000 at stake.
#[test]
fn a_provider_with_too_little_stake_for_the_reward_is_not_assigned() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2, P3] {
            register_provider(p, provider(2_999));
        }
        assert_eq!(Jobs::min_stake_for(REWARD), 3_000);
        let job_id = submit(ALICE, spec(kernel));
        assert_eq!(job(job_id).phase, JobPhase::Queued, "nobody has enough at stake");
        let mut small = spec(kernel);
        small.reward_per_replica = 99;
        let affordable = submit(ALICE, small);
        assert_eq!(job(affordable).phase, JobPhase::Committing, "a smaller reward needs less stake");
        register_provider(P4, provider(3_000));
        register_provider(P5, provider(3_000));
        register_provider(P6, provider(3_000));
        run_to_block(System::block_number() + 1);
        let mut assigned = assigned(job_id);
        assigned.sort_unstable();
        assert_eq!(assigned, vec![P4, P5, P6]);
    });
}

/// Finding 6 of the review: stake at risk is what the replica had when it was assigned. Unbonding,
/// undelegating or being slashed by another job afterwards does not shrink this job's slash.
#[test]
fn the_slash_is_a_share_of_the_stake_at_assignment() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        assert_eq!(job(job_id).at_risk.iter().map(|r| r.stake).collect::<Vec<_>>(), vec![STAKE; 3]);
        // `c` (say, its delegators) pulls stake out after the assignment; in the staking pallet the
        // unbonding tokens stay slashable, which the mock models by keeping them in `stake`.
        Registry::mutate(c, |p| p.as_mut().unwrap().stake = STAKE * 3);
        let referees = dispute(job_id, &[(a, root(1)), (b, root(1)), (c, root(2))]);
        assert_eq!(job(job_id).at_risk.len(), 6);
        let results: Vec<_> = referees.iter().map(|r| (*r, root(1))).collect();
        commit_and_reveal(job_id, &results);
        run_to_block(System::block_number() + 1);
        assert_eq!(stake(c), STAKE * 3 - WRONG_SLASH, "10% of the stake at assignment, not of today's");
    });
}

/// Finding 6 of the review: a committed liar that sees it will lose and withholds its reveal pays what a
/// wrong reveal costs, not the smaller liveness slash.
#[test]
fn a_replica_that_does_not_reveal_is_slashed_like_a_wrong_one() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        for p in [a, b, c] {
            commit(job_id, p, root(1));
        }
        reveal(job_id, a, root(1));
        reveal(job_id, b, root(1));
        assert_eq!(job(job_id).deadline, 7, "c has yet to reveal");
        System::reset_events();
        run_to_block(6);
        assert!(events().is_empty());
        run_to_block(7);
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: WRONG_SLASH,
                    reason: SlashReason::RevealWithheld
                },
                Event::SlashedFundsSettled {
                    job_id,
                    slashed: WRONG_SLASH,
                    reimbursed: 0,
                    burned: WRONG_SLASH
                },
                Event::JobCompleted { job_id, result_root: root(1), winners: 2, paid: 2 * REWARD },
            ]
        );
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(free(a), INITIAL + REWARD);
        assert_eq!(free(ALICE), INITIAL - FEE - 2 * REWARD, "the requester gets nothing of the slash");
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
fn two_silent_replicas_fail_the_job_and_are_slashed() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start();
        let before = Snapshot::all();
        commit(job_id, a, root(1));
        System::reset_events();
        run_to_block(7);
        assert_eq!(events(), vec![Event::RevealPhaseStarted { job_id, reveal_deadline: 12 }]);
        reveal(job_id, a, root(1));
        assert_eq!(job(job_id).deadline, 8);
        System::reset_events();
        run_to_block(8);
        // 2% of 10 000 = 200 each, burned: the requester gets none of it.
        let slashed = 2 * LIVENESS_SLASH;
        assert_eq!(
            events(),
            vec![
                Event::ProviderSlashed {
                    job_id,
                    provider: b,
                    amount: LIVENESS_SLASH,
                    reason: SlashReason::MissedDeadline
                },
                Event::ProviderSlashed {
                    job_id,
                    provider: c,
                    amount: LIVENESS_SLASH,
                    reason: SlashReason::MissedDeadline
                },
                Event::SlashedFundsSettled { job_id, slashed, reimbursed: 0, burned: slashed },
                Event::JobFailed { job_id, refunded: ESCROW },
            ]
        );
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(record(job_id), JobResult::Failed);
        assert_eq!(free(ALICE), INITIAL - FEE);
        assert_eq!(free(a), INITIAL, "a lone revealer is neither paid nor slashed");
        assert_eq!(free(b), INITIAL - LIVENESS_SLASH);
        assert_eq!(free(c), INITIAL - LIVENESS_SLASH);
        assert_eq!(issuance(), before.issuance - FEE - slashed);
        assert_eq!(Outcomes::get(), vec![(b, JobOutcome::MissedDeadline), (c, JobOutcome::MissedDeadline)]);
    });
}

/// Finding 1 of the review: a requester (the provider's second account) offered a reward as large as the
/// pool in a one-replica job aimed at the provider, which never committed; the pair took half the
/// delegators' stake. Now the slash is a small share of the stake, whatever the reward, it is burned, and
/// a reward the stake cannot back finds no provider.
#[test]
fn a_requester_cannot_size_a_slash_or_collect_it() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        register_provider(P1, provider(STAKE));
        let mut aimed = spec(kernel);
        aimed.replicas = 1;
        aimed.quorum = 1;
        aimed.reward_per_replica = STAKE;
        let too_big = submit(BOB, aimed.clone());
        assert_eq!(job(too_big).phase, JobPhase::Queued, "a reward of the whole pool finds no provider");
        assert_ok!(Jobs::cancel_job(signed(BOB), too_big));
        // The largest reward 10 000 at stake backs: 10% of it is 3 rewards.
        let backed = STAKE / 10 / 3;
        assert!(Jobs::min_stake_for(backed) <= STAKE && Jobs::min_stake_for(backed + 1) > STAKE);
        aimed.reward_per_replica = backed;
        let deposit = deposit_of(&aimed);
        let job_id = submit(BOB, aimed);
        assert_eq!(assigned(job_id), vec![P1]);
        let before = Snapshot::all();
        // P1 never commits.
        run_to_block(8);
        assert_eq!(record(job_id), JobResult::Failed);
        assert_eq!(stake(P1), STAKE - LIVENESS_SLASH, "2% of the stake, not the reward");
        assert_eq!(
            free(BOB),
            before.free[&BOB] + backed + deposit,
            "escrow and deposit come back, nothing more"
        );
        assert_eq!(
            free(BOB) + free(P1),
            before.free[&BOB] + before.free[&P1] + backed + deposit - LIVENESS_SLASH
        );
        assert_eq!(SlashesBurned::get(), LIVENESS_SLASH);
        assert_eq!(issuance(), before.issuance - FEE - LIVENESS_SLASH);
    });
}

#[test]
fn a_job_nobody_commits_to_fails_at_its_commit_deadline() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        run_to_block(6);
        assert!(crate::Jobs::<Test>::contains_key(job_id));
        run_to_block(7);
        let mut expected: Vec<_> = ps
            .iter()
            .map(|p| Event::ProviderSlashed {
                job_id,
                provider: *p,
                amount: LIVENESS_SLASH,
                reason: SlashReason::MissedDeadline,
            })
            .collect();
        let slashed = 3 * LIVENESS_SLASH;
        expected.push(Event::SlashedFundsSettled { job_id, slashed, reimbursed: 0, burned: slashed });
        expected.push(Event::JobFailed { job_id, refunded: ESCROW });
        assert_eq!(events(), expected);
        assert_finished(job_id, &ps);
        assert_eq!(free(ALICE), INITIAL - FEE);
    });
}

/// One replica is not verified: it is paid, but earns no reputation.
#[test]
fn a_single_replica_earns_no_reputation() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        providers(&[P1]);
        let mut single = spec(kernel);
        single.replicas = 1;
        single.quorum = 1;
        let job_id = submit(ALICE, single);
        assert_eq!(escrow_hold(ALICE), REWARD + FEE, "no referees to pay for");
        commit_and_reveal(job_id, &[(P1, root(1))]);
        run_to_block(3);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) });
        assert_eq!(free(P1), INITIAL + REWARD);
        assert!(Outcomes::get().is_empty());
    });
}

#[test]
fn failure_roots_are_ordinary_results() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let failed = failure_root(FailureReason::InvalidWgsl);
        // Two honest providers agree that the kernel is invalid; one claims an output.
        let referees = dispute(job_id, &[(a, failed), (b, failed), (c, root(1))]);
        let results: Vec<_> = referees.iter().map(|r| (*r, failed)).collect();
        commit_and_reveal(job_id, &results);
        System::reset_events();
        run_to_block(System::block_number() + 1);
        assert_eq!(
            events().last(),
            Some(&Event::JobCompleted { job_id, result_root: failed, winners: 5, paid: 5 * REWARD })
        );
        assert_eq!(record(job_id), JobResult::Completed { root: failed });
        assert_eq!(free(a), INITIAL + REWARD);
        assert_eq!(free(c), INITIAL - WRONG_SLASH);
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
        run_to_block(3);
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
        assert!(bucket(11).is_empty(), "out of the queue deadline's block");
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
fn a_queued_job_expires_with_its_escrow_refunded_and_its_fee_taken() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let job_id = submit(ALICE, spec(kernel));
        let before = Snapshot::all();
        System::reset_events();
        run_to_block(10);
        assert!(events().is_empty());
        run_to_block(11);
        assert_eq!(events(), vec![Event::JobExpired { job_id, refunded: ESCROW }]);
        assert_eq!(record(job_id), JobResult::Expired);
        assert!(Queue::<Test>::get().is_empty());
        // Finding 10 of the review: a queue slot is not free. The fee is taken.
        assert_eq!(free(ALICE), INITIAL - FEE);
        assert_eq!(escrow_hold(ALICE), 0);
        assert_eq!(FeesCollected::get(), FEE);
        assert_eq!(issuance(), before.issuance - FEE);
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
        // No providers yet: all four wait in the queue (which the attempts of each block rotate).
        let mut expected = Queue::<Test>::get().into_inner();
        let mut sorted = expected.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, jobs.to_vec());
        for p in [P1, P2, P3] {
            register_provider(p, MockProvider { capacity: 10, ..provider(STAKE) });
        }
        // Each block makes `MAX_ASSIGNMENTS` attempts from the front: the picky job finds nobody and goes
        // to the back, every other one is assigned.
        for block in 6..=9 {
            for _ in 0..MAX_ASSIGNMENTS.min(expected.len() as u32) {
                let front = expected.remove(0);
                if front == jobs[0] {
                    expected.push(front);
                }
            }
            run_to_block(block);
            assert_eq!(Queue::<Test>::get().into_inner(), expected, "block {block}");
        }
        assert_eq!(expected, vec![jobs[0]]);
        for id in &jobs[1..] {
            assert_eq!(job(*id).phase, JobPhase::Committing);
        }
    });
}

#[test]
fn records_are_pruned_after_the_retention_period() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let jobs: Vec<u64> = (0..3).map(|_| submit_only(ALICE, spec(kernel))).collect();
        for job_id in &jobs {
            assert_ok!(Jobs::cancel_job(signed(ALICE), *job_id));
        }
        run_to_block(3);
        let late = submit_only(BOB, spec(kernel));
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

/// Finding 4 of the sound-economics review: filling the deadline buckets around a job's reveal deadline
/// (with queued jobs, refunded in full at expiry) aborted it with nobody slashed. Now a crowded block only
/// delays some deadlines by a few blocks, oldest first; the victim job still ends with the outcome its
/// replicas earned, and the flood's queue fees are gone.
#[test]
fn a_flood_of_deadlines_delays_but_never_aborts_a_job() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2] {
            register_provider(p, MockProvider { capacity: 100, ..provider(STAKE) });
        }
        let mut pair = spec(kernel);
        pair.replicas = 2;
        pair.quorum = 2;
        let job_id = submit(ALICE, pair.clone());
        let [committed, silent] = assigned(job_id)[..] else { unreachable!() };
        commit(job_id, committed, root(1));
        // The reveal phase would start at 7 and end at 12: the attacker aims a flood of one-replica jobs
        // (run by a provider of its own, which stays silent) at those blocks.
        set_active(P1, false);
        set_active(P2, false);
        register_provider(P3, MockProvider { capacity: 100, ..provider(STAKE) });
        let mut flood = spec(kernel);
        flood.replicas = 1;
        flood.quorum = 1;
        let mut flooded = Vec::new();
        for window in [4, 9] {
            flood.commit_window = window;
            for _ in 0..MAX_DEADLINES * 3 {
                flooded.push(submit_only(BOB, flood.clone()));
            }
        }
        let before = Snapshot::all();
        let mut revealed = false;
        let mut outcome = None;
        for block in 2..=40 {
            run_to_block(block);
            outcome = outcome.or_else(|| Results::<Test>::get(job_id).map(|r| r.outcome));
            let revealing = crate::Jobs::<Test>::get(job_id).is_some_and(|j| j.phase == JobPhase::Revealing);
            if revealing && !revealed {
                reveal(job_id, committed, root(1));
                revealed = true;
            }
        }
        assert!(revealed, "the reveal phase started: {:?}", crate::Jobs::<Test>::get(job_id));
        assert_eq!(outcome, Some(JobResult::Failed), "quorum 2 with one reveal: the job failed");
        assert_eq!(stake(silent), STAKE - LIVENESS_SLASH, "the no-show is slashed: no blameless end");
        assert_eq!(stake(committed), STAKE, "the replica that revealed is not");
        for id in &flooded {
            assert!(!crate::Jobs::<Test>::contains_key(id), "every job of the flood ended too");
        }
        // The flood got its escrows back and paid every fee.
        assert_eq!(free(BOB), before.free[&BOB] + flooded.len() as Balance * (REWARD + deposit_of(&flood)));
        assert_eq!(escrow_hold(BOB), 0);
        assert!(Deadlines::<Test>::iter().next().is_none());
        assert_eq!(DeadlineCursor::<Test>::get(), 41, "the hook caught up");
    });
}

/// The hook handles at most `MaxDeadlinesPerBlock` jobs per block, oldest deadline first, and catches up.
#[test]
fn crowded_deadlines_are_worked_off_in_order() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        register_provider(P1, MockProvider { capacity: 100, ..provider(STAKE) });
        let mut single = spec(kernel);
        single.replicas = 1;
        single.quorum = 1;
        let jobs: Vec<u64> = (0..MAX_DEADLINES * 2 + 1).map(|_| submit_only(ALICE, single.clone())).collect();
        let assigned =
            |ids: &[u64]| ids.iter().filter(|id| job(**id).phase == JobPhase::Committing).count() as u32;
        run_to_block(2);
        assert_eq!(assigned(&jobs), MAX_DEADLINES, "one block's worth handled");
        assert_eq!(DeadlineCursor::<Test>::get(), 2);
        run_to_block(3);
        assert_eq!(assigned(&jobs), 2 * MAX_DEADLINES);
        run_to_block(4);
        assert_eq!(assigned(&jobs), 2 * MAX_DEADLINES + 1);
        assert_eq!(DeadlineCursor::<Test>::get(), 5);
        // Later assignments have later commit deadlines: nobody's window was cut short.
        let deadlines: Vec<u64> = jobs.iter().map(|id| job(*id).deadline).collect();
        assert!(deadlines.iter().all(|d| (7..=9).contains(d)), "{deadlines:?}");
    });
}

#[test]
fn the_hook_reports_the_weight_it_used() {
    use crate::weights::WeightInfo;
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, ps) = start();
        run_to_block(2);
        System::set_block_number(3);
        assert_eq!(Jobs::on_initialize(3), <() as WeightInfo>::on_initialize_idle());
        for p in ps {
            commit(job_id, p, root(1));
        }
        for p in ps {
            reveal(job_id, p, root(1));
        }
        System::set_block_number(4);
        assert_eq!(
            Jobs::on_initialize(4),
            <() as WeightInfo>::on_initialize_idle() + <() as WeightInfo>::resolve(3)
        );
        // A queued job costs an assignment attempt per block.
        set_active(P1, false);
        submit(BOB, spec(kernel_id(KERNEL)));
        System::set_block_number(5);
        assert_eq!(
            Jobs::on_initialize(5),
            <() as WeightInfo>::on_initialize_idle() + <() as WeightInfo>::assign_queued()
        );
        // Behind by a few blocks, the hook steps over the empty ones (a read each, which the mock's
        // database weights price at zero) and catches up.
        System::set_block_number(8);
        assert_eq!(DeadlineCursor::<Test>::get(), 6);
        Jobs::on_initialize(8);
        assert_eq!(DeadlineCursor::<Test>::get(), 9);
    });
}

/// The attack on finding 7's first fix, found in review: loops are not metered yet, so a requester's kernel
/// that loops past its fuel runs every honest replica out of its window. Had they committed nothing, each
/// would pay the liveness slash for a 0.01 GPUC job. They reveal the abstention instead: nobody is paid
/// or slashed, no dispute opens, and the requester only loses its fee.
#[test]
fn a_job_that_runs_every_replica_out_of_time_slashes_nobody() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let abstention = crate::abstention_root();
        commit_and_reveal(job_id, &[(a, abstention), (b, abstention), (c, abstention)]);
        let before = Snapshot::take(&[a, b, c]);
        run_to_block(System::block_number() + 1);
        assert_eq!(record(job_id), JobResult::Failed, "no quorum of results");
        assert_finished(job_id, &[a, b, c]);
        before.assert_unchanged_except(&[]);
        assert_eq!(free(ALICE), INITIAL - FEE, "the escrow comes back, the fee does not");
        assert!(Outcomes::get().is_empty(), "no fault and no credit");
        assert_eq!(TotalSlashed::get(), 0);
    });
}

/// A colluder that computes the result elsewhere and reveals it beside honest replicas that ran out of
/// time neither opens a dispute nor gets them slashed: abstentions are left out of the verdict.
#[test]
fn a_result_beside_abstentions_wins_only_with_a_quorum_and_slashes_nobody() {
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let abstention = crate::abstention_root();
        commit_and_reveal(job_id, &[(a, root(1)), (b, abstention), (c, abstention)]);
        run_to_block(System::block_number() + 1);
        assert_eq!(record(job_id), JobResult::Failed, "one result is below the quorum of 2");
        assert_finished(job_id, &[a, b, c]);
        assert_eq!(TotalSlashed::get(), 0);
        assert_eq!(free(b), INITIAL);
        assert_eq!(free(c), INITIAL);
    });
    ExtBuilder::default().build_and_execute(|| {
        let (job_id, [a, b, c]) = start_with_referees();
        let abstention = crate::abstention_root();
        commit_and_reveal(job_id, &[(a, root(1)), (b, root(1)), (c, abstention)]);
        run_to_block(System::block_number() + 1);
        assert_eq!(record(job_id), JobResult::Completed { root: root(1) }, "a quorum of results, no dispute");
        assert_finished(job_id, &[a, b, c]);
        assert_eq!((free(a), free(b), free(c)), (INITIAL + REWARD, INITIAL + REWARD, INITIAL));
        assert_eq!(TotalSlashed::get(), 0);
    });
}
