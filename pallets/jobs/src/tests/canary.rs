//! Canary jobs: issued by the chain on schedule, assigned at once by stake (whatever the providers ask up to
//! `MaxCanaryAsk`),
//! verified like any job, and the only work credited to the emission.

use super::*;
use compute_primitives::{JobOutcome, JobResult};
use frame_support::{assert_noop, traits::fungible::Inspect};
use sp_runtime::DispatchError;

const INTERVAL: u32 = 5;

/// Registers the canary kernel and schedules canaries every `INTERVAL` blocks.
fn canaries_on() -> KernelId {
    assert_ok!(Jobs::register_kernel(signed(OWNER), bounded(CANARY_KERNEL)));
    assert_ok!(Jobs::set_canary_interval(RuntimeOrigin::root(), INTERVAL));
    System::reset_events();
    kernel_id(CANARY_KERNEL)
}

/// Runs to the next block where a canary is due and returns its id (checking the events).
fn next_canary() -> u64 {
    let at = (System::block_number() / u64::from(INTERVAL) + 1) * u64::from(INTERVAL);
    run_to_block(at - 1);
    System::reset_events();
    let job_id = NextJobId::<Test>::get();
    run_to_block(at);
    let job = job(job_id);
    assert_eq!(
        events(),
        vec![
            Event::CanaryIssued { job_id, kernel: kernel_id(CANARY_KERNEL), work_units: CANARY_WORK },
            Event::JobAssigned {
                job_id,
                providers: BoundedVec::truncate_from(assigned(job_id)),
                commit_deadline: at + u64::from(MIN_WINDOW + 2),
            },
        ]
    );
    assert_eq!(job.phase, JobPhase::Committing);
    assert_eq!(job.origin, JobOrigin::Canary { work_units: CANARY_WORK });
    job_id
}

fn completed(work_units: u64) -> JobOutcome {
    JobOutcome::Completed { work_units }
}

fn outcomes_of(who: AccountId) -> Vec<JobOutcome> {
    Outcomes::get().into_iter().filter(|(p, _)| *p == who).map(|(_, o)| o).collect()
}

#[test]
fn a_canary_is_issued_every_interval_and_assigned_at_once() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3, P4]);
        run_to_block(12);
        assert_eq!(NextJobId::<Test>::get(), 0, "no canaries while the interval is 0");
        canaries_on();
        let job_id = next_canary();
        assert_eq!(System::block_number(), 15);
        let canary = job(job_id);
        assert_eq!(canary.requester, Jobs::canary_account());
        assert_eq!((canary.escrow, canary.fee), (0, 0), "nobody pays for a canary");
        assert_eq!((canary.spec.replicas, canary.spec.quorum, canary.spec.reward_per_replica), (3, 2, 0));
        assert_eq!(canary.spec.inputs.len(), 1);
        let JobInput::Generated { seed, .. } = canary.spec.inputs[0] else { panic!("a generated input") };
        assert_eq!(seed, Jobs::seed(crate::CANARY_SUBJECT, job_id, 15), "inputs from the block's randomness");
        assert_eq!(Kernels::<Test>::get(kernel_id(CANARY_KERNEL)).unwrap().open_jobs, 1);
        assert_eq!(
            canary.at_risk.iter().map(|r| r.stake).collect::<Vec<_>>(),
            vec![STAKE; 3],
            "stake at risk snapshotted"
        );
        run_to_block(19);
        assert_eq!(NextJobId::<Test>::get(), job_id + 1, "nothing between two due blocks");
        let second = next_canary();
        assert_eq!(second, job_id + 1);
        assert_ne!(job(second).spec.inputs, canary.spec.inputs, "every canary has fresh inputs");
        assert!(Results::<Test>::contains_key(job_id), "the first ended at its commit deadline");
    });
}

#[test]
fn canary_winners_are_credited_work_and_nobody_is_paid() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        canaries_on();
        let job_id = next_canary();
        let before = Snapshot::all();
        for p in assigned(job_id) {
            commit(job_id, p, root(1));
        }
        for p in assigned(job_id) {
            reveal(job_id, p, root(1));
        }
        let drawn = assigned(job_id);
        run_to_block(System::block_number() + 1);
        let record = Results::<Test>::get(job_id).unwrap();
        assert_eq!(record.outcome, JobResult::Completed { root: root(1) });
        assert_eq!(record.winners.to_vec(), drawn, "the record names the winners");
        for p in [P1, P2, P3] {
            assert_eq!(outcomes_of(p), vec![completed(CANARY_WORK)], "{p} is credited the canary's work");
            assert_eq!(slots(p), 0);
        }
        before.assert_unchanged_except(&[]);
        assert_eq!(issuance(), before.issuance, "a canary moves no funds: the emission pays it later");
        assert_eq!(Kernels::<Test>::get(kernel_id(CANARY_KERNEL)).unwrap().open_jobs, 0);
    });
}

/// Finding 2: the emission paid the requester's declared workgroups. A self-dealing requester with the
/// largest dispatch now earns no work at all; only the chain's canaries do.
#[test]
fn self_dealt_work_earns_no_emission_whatever_its_size() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        let kernel = register_kernel();
        let mut huge = spec(kernel);
        huge.workgroups = [MAX_WORKGROUPS; 3];
        huge.needs.min_vram_mib = 0;
        // Its declared budget alone now keeps it off the chain: no commit window is long enough.
        assert_noop!(Jobs::submit_job(signed(ALICE), Box::new(huge.clone())), Error::<Test>::BudgetTooLarge);
        // The largest the chain accepts earns no emission either.
        huge.workgroups = [MAX_WORKGROUPS, 4, 1];
        huge.commit_window = MAX_WINDOW;
        let job_id = submit(ALICE, huge);
        for p in assigned(job_id) {
            commit(job_id, p, root(1));
        }
        for p in assigned(job_id) {
            reveal(job_id, p, root(1));
        }
        run_to_block(System::block_number() + 1);
        assert_eq!(Results::<Test>::get(job_id).unwrap().outcome, JobResult::Completed { root: root(1) });
        for p in [P1, P2, P3] {
            assert_eq!(outcomes_of(p), vec![completed(0)], "a requester's job is worth no emission");
        }
    });
}

#[test]
fn a_canary_draws_providers_up_to_the_canary_ask_and_at_least_two() {
    ExtBuilder::default().build_and_execute(|| {
        // Asks far above the requesters' rewards: their jobs never reach them, canaries do.
        for p in [P1, P2] {
            register_provider(p, MockProvider { ask: MAX_CANARY_ASK, ..provider(STAKE) });
        }
        // Stake that prices itself out of the market (finding 12) earns no emission, however large.
        register_provider(P4, MockProvider { ask: MAX_CANARY_ASK + 1, ..provider(STAKE * 100) });
        canaries_on();
        let job_id = next_canary();
        let job = job(job_id);
        assert_eq!(assigned(job_id).len(), 2, "two of the three asked for, all there are");
        assert!(!assigned(job_id).contains(&P4));
        set_active(P4, false);
        assert_eq!((job.spec.replicas, job.spec.quorum), (2, 2));

        // With one provider left there is no verified canary: skipped, nothing written.
        for p in [P1, P2] {
            set_active(p, false);
        }
        register_provider(P3, provider(STAKE));
        run_to_block(System::block_number() + u64::from(INTERVAL) - 1);
        System::reset_events();
        let next = NextJobId::<Test>::get();
        run_to_block(System::block_number() + 1);
        assert!(events().contains(&Event::CanarySkipped { reason: CanarySkip::NotEnoughProviders }));
        assert_eq!(NextJobId::<Test>::get(), next, "a skipped canary takes no id");
        assert_eq!(slots(P3), 0, "the partial draw was rolled back");
    });
}

#[test]
fn a_lying_canary_replica_is_slashed_by_the_referees_and_the_slash_burned() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        canaries_on();
        let job_id = next_canary();
        providers(&[P4, P5, P6]);
        let [honest_a, honest_b, liar] = assigned(job_id)[..] else { panic!("three replicas") };
        let burned_before = SlashesBurned::get();
        let issuance_before = issuance();
        for (p, r) in [(honest_a, root(1)), (honest_b, root(1)), (liar, root(2))] {
            commit(job_id, p, r);
        }
        for (p, r) in [(honest_a, root(1)), (honest_b, root(1)), (liar, root(2))] {
            reveal(job_id, p, r);
        }
        run_to_block(System::block_number() + 1);
        let disputed = job(job_id);
        assert!(disputed.is_disputed(), "a canary's disagreement is disputed like any job's");
        let referees: Vec<AccountId> = disputed.replicas[3..].iter().map(|r| r.provider).collect();
        assert_eq!(referees.len(), 3);
        for r in &referees {
            commit(job_id, *r, root(1));
        }
        for r in &referees {
            reveal(job_id, *r, root(1));
        }
        run_to_block(System::block_number() + 1);
        let record = Results::<Test>::get(job_id).unwrap();
        assert_eq!(record.outcome, JobResult::Completed { root: root(1) });
        let mut winners = vec![honest_a, honest_b];
        winners.extend(&referees);
        assert_eq!(record.winners.to_vec(), winners, "the record names the winners, not the liar");
        let slash = WrongResultSlash::get() * STAKE;
        assert_eq!(stake(liar), STAKE - slash);
        for p in [honest_a, honest_b].iter().chain(&referees) {
            assert_eq!(stake(*p), STAKE, "{p} is not slashed");
            assert_eq!(outcomes_of(*p), vec![completed(CANARY_WORK)], "{p} is credited");
        }
        assert_eq!(outcomes_of(liar), vec![JobOutcome::WrongResult]);
        assert_eq!(SlashesBurned::get() - burned_before, slash, "the whole slash is burned");
        assert_eq!(issuance(), issuance_before - slash);
        assert_eq!(Balances::total_balance(&Jobs::canary_account()), 0, "the canary account gets nothing");
    });
}

#[test]
fn a_missed_canary_costs_the_liveness_slash() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        canaries_on();
        let job_id = next_canary();
        let [a, b, idle] = assigned(job_id)[..] else { panic!("three replicas") };
        for p in [a, b] {
            commit(job_id, p, root(1));
        }
        run_to_block(job(job_id).deadline);
        for p in [a, b] {
            reveal(job_id, p, root(1));
        }
        run_to_block(System::block_number() + 1);
        assert_eq!(Results::<Test>::get(job_id).unwrap().outcome, JobResult::Completed { root: root(1) });
        assert_eq!(stake(idle), STAKE - LivenessSlash::get() * STAKE);
        assert_eq!(outcomes_of(idle), vec![JobOutcome::MissedDeadline]);
        assert_eq!((stake(a), stake(b)), (STAKE, STAKE));
    });
}

#[test]
fn the_canary_kernel_stays_and_a_missing_one_skips_the_canary() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        assert_ok!(Jobs::set_canary_interval(RuntimeOrigin::root(), INTERVAL));
        run_to_block(4);
        System::reset_events();
        run_to_block(5);
        assert_eq!(events(), vec![Event::CanarySkipped { reason: CanarySkip::InvalidSpec }]);
        assert_eq!(NextJobId::<Test>::get(), 0);

        let kernel = canaries_on();
        assert_noop!(Jobs::remove_kernel(signed(OWNER), kernel), Error::<Test>::KernelInUse);
    });
}

/// The reviewer's attack: a requester fills the honest providers' slots with jobs just before a canary
/// is due (to cancel them before anyone commits), so that only its own idle providers could be drawn.
/// Canaries are drawn among full providers too: the draw follows the stake, not who is busy.
#[test]
fn filling_the_honest_slots_does_not_steer_the_canary() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        for p in [P1, P2, P3] {
            register_provider(p, MockProvider { capacity: 1, ..provider(STAKE) });
        }
        // The attacker's two providers ask more than its jobs offer: never drawn for them.
        for p in [P4, P5] {
            register_provider(p, MockProvider { ask: REWARD * 10, ..provider(STAKE) });
        }
        canaries_on();
        let mut filler = spec(kernel);
        filler.needs.min_vram_mib = 0;
        let filling = submit(BOB, filler);
        assert_eq!(assigned(filling).len(), 3);
        for p in [P1, P2, P3] {
            assert_eq!(slots(p), 1, "{p} is full");
        }
        // The canary is due while they are full (the filler's commit window is still open).
        let canary = next_canary();
        assert!(crate::Jobs::<Test>::contains_key(filling), "the filler still holds the slots");
        let honest = assigned(canary).iter().filter(|p| [P1, P2, P3].contains(p)).count();
        assert!(honest >= 1, "full honest providers are drawn for the canary: {:?}", assigned(canary));
        assert!(slots(P1) + slots(P2) + slots(P3) > 3, "the canary took slots beyond capacity");
    });
}

#[test]
fn a_canary_cannot_be_cancelled_even_by_its_account() {
    ExtBuilder::default().build_and_execute(|| {
        providers(&[P1, P2, P3]);
        canaries_on();
        let job_id = next_canary();
        let canary = Jobs::canary_account();
        assert_noop!(Jobs::cancel_job(signed(canary), job_id), Error::<Test>::NotRequester);
    });
}

#[test]
fn only_the_admin_origin_sets_the_interval() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Jobs::set_canary_interval(signed(ALICE), 1), DispatchError::BadOrigin);
        assert_ok!(Jobs::set_canary_interval(RuntimeOrigin::root(), 7));
        assert_eq!(CanaryInterval::<Test>::get(), 7);
        assert_eq!(events(), vec![Event::CanaryIntervalSet { interval: 7 }]);
    });
}
