use super::*;
use frame_support::assert_noop;

#[test]
fn cancels_an_assigned_job_before_any_commitment() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let providers = assigned(job_id);
        let before = Snapshot::all();
        assert_ok!(Jobs::cancel_job(signed(ALICE), job_id));
        // Finding 5 of the review: cancelling re-drew providers for the fee alone. Now each assigned
        // provider is compensated a tenth of its reward.
        let compensation = REWARD / 10;
        let refunded = ESCROW - 3 * compensation;
        assert_eq!(events(), vec![Event::JobCancelled { job_id, refunded, fee: FEE }]);
        assert_eq!(escrow_hold(ALICE), 0);
        let deposit = deposit_of(&spec(kernel_id(KERNEL)));
        assert_eq!(job_deposit_hold(ALICE), 0, "the deposit comes back");
        assert_eq!(free(ALICE), before.free[&ALICE] + refunded + deposit);
        assert_eq!(free(ALICE), INITIAL - FEE - 3 * compensation);
        for p in &providers {
            assert_eq!(free(*p), before.free[p] + compensation);
        }
        assert_eq!(FeesCollected::get(), FEE);
        assert_eq!(issuance(), before.issuance - FEE, "the fee sink burns the fee");
        for p in providers {
            assert_eq!(slots(p), 0);
            assert!(!Assignments::<Test>::contains_key(p, job_id));
        }
        assert!(!crate::Jobs::<Test>::contains_key(job_id));
        assert_eq!(Deadlines::<Test>::iter().count(), 0);
        let record = Results::<Test>::get(job_id).unwrap();
        assert_eq!(record.outcome, compute_primitives::JobResult::Cancelled);
        assert_eq!((record.requester, record.finished_at), (ALICE, 2));
        assert_eq!(Kernels::<Test>::get(kernel_id(KERNEL)).unwrap().open_jobs, 0);
        assert_eq!(Outcomes::get(), vec![], "nobody is blamed");
    });
}

#[test]
fn cancels_a_queued_job() {
    ExtBuilder::default().build_and_execute(|| {
        let kernel = register_kernel();
        let first = submit_only(ALICE, spec(kernel));
        let second = submit_only(ALICE, spec(kernel));
        let third = submit_only(BOB, spec(kernel));
        run_to_block(2);
        System::reset_events();
        let before = Snapshot::all();
        assert_ok!(Jobs::cancel_job(signed(ALICE), second));
        assert_eq!(events(), vec![Event::JobCancelled { job_id: second, refunded: ESCROW, fee: FEE }]);
        let mut queue = Queue::<Test>::get().into_inner();
        queue.sort_unstable();
        assert_eq!(queue, vec![first, third]);
        assert_eq!(escrow_hold(ALICE), ESCROW + FEE, "the other job's hold stays");
        assert_eq!(free(ALICE), before.free[&ALICE] + ESCROW + deposit_of(&spec(kernel)));
        assert_eq!(job_deposit_hold(ALICE), deposit_of(&spec(kernel)), "the other job's deposit stays");
        assert_eq!(bucket(11), vec![first, third]);
        before.assert_unchanged_except(&[ALICE]);
    });
}

#[test]
fn refuses_an_unknown_job() {
    ExtBuilder::default().build_and_execute(|| {
        super::commit_result::assigned_job();
        assert_noop!(Jobs::cancel_job(signed(ALICE), 1), Error::<Test>::JobNotFound);
    });
}

#[test]
fn refuses_anyone_but_the_requester() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        for who in [BOB, P1, OWNER] {
            assert_noop!(Jobs::cancel_job(signed(who), job_id), Error::<Test>::NotRequester);
        }
    });
}

#[test]
fn refuses_a_job_with_a_commitment() {
    ExtBuilder::default().build_and_execute(|| {
        let job_id = super::commit_result::assigned_job();
        let providers = assigned(job_id);
        commit(job_id, providers[1], root(1));
        assert_noop!(Jobs::cancel_job(signed(ALICE), job_id), Error::<Test>::AlreadyStarted);
        // Nor in the reveal phase.
        run_to_block(7);
        assert_eq!(job(job_id).phase, JobPhase::Revealing);
        assert_noop!(Jobs::cancel_job(signed(ALICE), job_id), Error::<Test>::AlreadyStarted);
    });
}
