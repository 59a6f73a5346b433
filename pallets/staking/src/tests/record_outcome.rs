//! `ComputeProviders::record_outcome`.

use super::*;
use compute_primitives::{ComputeProviders, JobOutcome};

#[test]
fn counts_completed_jobs_and_their_work() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        System::reset_events();
        Staking::record_outcome(&acc(P1), JobOutcome::Completed { work_units: 70 }, JOB);
        Staking::record_outcome(&acc(P1), JobOutcome::Completed { work_units: 30 }, JOB);
        assert_eq!(
            events(),
            vec![
                Event::OutcomeRecorded {
                    provider: acc(P1),
                    outcome: JobOutcome::Completed { work_units: 70 },
                    job_id: JOB,
                },
                Event::OutcomeRecorded {
                    provider: acc(P1),
                    outcome: JobOutcome::Completed { work_units: 30 },
                    job_id: JOB,
                },
            ]
        );
        assert_eq!(Reputations::<Test>::get(acc(P1)).jobs_completed, 2);
        assert_eq!(
            Reputations::<Test>::get(acc(P1)).canaries_completed,
            2,
            "work units come only from canaries"
        );
        // A requester's job credits no work: completed, but not a canary.
        Staking::record_outcome(&acc(P1), JobOutcome::Completed { work_units: 0 }, JOB);
        assert_eq!(Reputations::<Test>::get(acc(P1)).jobs_completed, 3);
        assert_eq!(Reputations::<Test>::get(acc(P1)).canaries_completed, 2);
        System::reset_events();
        assert_eq!(EraWork::<Test>::get(0, acc(P1)), 100);
        assert_eq!(Eras::<Test>::get(0).unwrap().work, 100);
        assert_eq!(provider(P1).status, ProviderStatus::Active);
    });
}

#[test]
fn counts_faults_and_chills_at_max_faults_within_the_window() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        set_block(10);
        Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline, JOB);
        // The first fault (block 1) leaves the 20-block window at block 21.
        set_block(21);
        Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline, JOB);
        assert_eq!(provider(P1).status, ProviderStatus::Active);
        assert_eq!(provider(P1).recent_faults.clone().into_inner(), vec![10, 21]);
        set_block(29);
        System::reset_events();
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        assert_eq!(
            events(),
            vec![
                Event::Chilled { provider: acc(P1), reason: ChillReason::TooManyFaults },
                Event::OutcomeRecorded { provider: acc(P1), outcome: JobOutcome::WrongResult, job_id: JOB },
            ]
        );
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::TooManyFaults));
        assert_eq!(provider(P1).position, None);
        let reputation = Reputations::<Test>::get(acc(P1));
        assert_eq!((reputation.wrong_results, reputation.missed_deadlines), (2, 2));
        // More faults while chilled: counted, the window stays bounded.
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        assert_eq!(provider(P1).recent_faults.len(), 3);
        assert_eq!(Reputations::<Test>::get(acc(P1)).wrong_results, 3);
    });
}

#[test]
fn faults_do_not_move_funds() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 100);
        let before = Snapshot::take(&[P1, D1]);
        for _ in 0..5 {
            Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        }
        let after = Snapshot::take(&[P1, D1]);
        assert_eq!(
            (after.free, after.bond_hold, after.delegation_hold),
            (before.free, before.bond_hold, before.delegation_hold)
        );
    });
}

#[test]
fn reputation_outlives_the_registration() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        set_block(1 + UNBONDING);
        assert_ok!(Staking::withdraw_unbonded(signed(P1)));
        assert_ok!(Staking::deregister(signed(P1)));
        assert_eq!(Reputations::<Test>::get(acc(P1)).wrong_results, 1);
        register(P1, MIN_BOND);
        assert_eq!(Reputations::<Test>::get(acc(P1)).wrong_results, 1);
    });
}

#[test]
fn faults_in_the_first_blocks_of_the_chain_count() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        // Genesis-time faults (block 0) are inside the window too: nothing saturates them away.
        set_block(0);
        for _ in 0..3 {
            Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline, JOB);
        }
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::TooManyFaults));
    });
}
