//! `bond_extra`.

use super::*;
use frame_support::assert_noop;

#[test]
fn adds_to_the_bond_and_moves_up_a_level() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        register(P2, MIN_BOND);
        let level = provider(P1).position.unwrap().level;
        let before = Snapshot::take(&[P1, P2]);
        System::reset_events();
        assert_ok!(Staking::bond_extra(signed(P1), MIN_BOND));
        assert_eq!(events(), vec![Event::Bonded { provider: acc(P1), amount: MIN_BOND }]);
        assert_eq!(free(P1), before.free(P1) - MIN_BOND);
        assert_eq!(bond_hold(P1), 2 * MIN_BOND);
        assert_eq!(pool(P1).bond, 2 * MIN_BOND);
        assert_eq!(issuance(), before.issuance);
        assert_others_unchanged(&before, &[P1]);
        // 1_000 is in level 9, 2_000 in level 10; P2 took P1's index in level 9.
        assert_eq!(provider(P1).position.unwrap().level, level + 1);
        assert_eq!(provider(P2).position, Some(ActivePosition { tier: TIER, level, index: 0 }));
    });
}

#[test]
fn works_for_a_chilled_provider() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::bond_extra(signed(P1), 1));
        assert_eq!(pool(P1).bond, MIN_BOND + 1);
        assert_eq!(provider(P1).position, None);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::bond_extra(signed(P1), 1), Error::<Test>::NotAProvider);
    });
}

#[test]
fn refuses_zero() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::bond_extra(signed(P1), 0), Error::<Test>::ZeroAmount);
    });
}

#[test]
fn refuses_more_than_the_account_can_pay() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        let spendable = free(P1) - ED;
        assert_noop!(Staking::bond_extra(signed(P1), spendable + 1), Error::<Test>::InsufficientBalance);
        assert_ok!(Staking::bond_extra(signed(P1), spendable));
        assert_eq!(free(P1), ED);
    });
}
