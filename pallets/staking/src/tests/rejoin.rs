//! `rejoin`.

use super::*;
use compute_primitives::{ComputeProviders, JobOutcome};
use frame_support::assert_noop;

#[test]
fn returns_to_the_active_set() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        let before = Snapshot::take(&[P1]);
        System::reset_events();
        assert_ok!(Staking::rejoin(signed(P1)));
        assert_eq!(events(), vec![Event::Rejoined { provider: acc(P1) }]);
        assert_eq!(provider(P1).status, ProviderStatus::Active);
        assert!(provider(P1).position.is_some());
        assert_eq!(Snapshot::take(&[P1]), before);
    });
}

/// Finding 9 of the sound-economics review: `rejoin` was immediate and cleared the fault record, so a
/// provider that failed three jobs could fail three more at once.
#[test]
fn a_provider_chilled_for_faults_waits_out_the_cooldown_and_keeps_its_record() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        set_block(5);
        for _ in 0..3 {
            Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline, JOB);
        }
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::TooManyFaults));
        set_block(5 + COOLDOWN - 1);
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::CooldownNotOver);
        // A fault while chilled (a job assigned before) restarts the cooldown.
        Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline, JOB);
        set_block(5 + COOLDOWN);
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::CooldownNotOver);
        set_block(5 + 2 * COOLDOWN - 1);
        assert_ok!(Staking::rejoin(signed(P1)));
        let last = 5 + COOLDOWN - 1;
        assert_eq!(provider(P1).recent_faults.into_inner(), vec![last], "the record is not washed");
        assert_eq!(provider(P1).status, ProviderStatus::Active);
    });
}

#[test]
fn faults_still_in_the_window_chill_a_rejoined_provider_again() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        for _ in 0..3 {
            Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        }
        set_block(1 + COOLDOWN);
        assert_ok!(Staking::rejoin(signed(P1)));
        // The cooldown (30) outlasts the fault window (20): the old faults have expired by now, so one
        // new fault alone does not chill.
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        assert_eq!(provider(P1).status, ProviderStatus::Active);
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        Staking::record_outcome(&acc(P1), JobOutcome::WrongResult, JOB);
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::TooManyFaults));
    });
}

#[test]
fn refuses_an_active_provider() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::NotChilled);
    });
}

#[test]
fn refuses_a_bond_below_the_minimum() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), 1));
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::InsufficientBond);
        assert_ok!(Staking::bond_extra(signed(P1), 1));
        assert_ok!(Staking::rejoin(signed(P1)));
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::NotAProvider);
    });
}
