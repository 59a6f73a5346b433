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

#[test]
fn clears_the_fault_window() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        for _ in 0..3 {
            Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline);
        }
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::TooManyFaults));
        assert_ok!(Staking::rejoin(signed(P1)));
        assert!(provider(P1).recent_faults.is_empty());
        // One more fault does not chill it again.
        Staking::record_outcome(&acc(P1), JobOutcome::MissedDeadline);
        assert_eq!(provider(P1).status, ProviderStatus::Active);
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
