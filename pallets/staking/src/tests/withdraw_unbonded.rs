//! `withdraw_unbonded`.

use super::*;
use frame_support::assert_noop;

#[test]
fn frees_unlocked_chunks_only() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 3 * MIN_BOND);
        assert_ok!(Staking::unbond(signed(P1), 100));
        set_block(3);
        assert_ok!(Staking::unbond(signed(P1), 200));
        set_block(1 + UNBONDING - 1);
        assert_noop!(Staking::withdraw_unbonded(signed(P1)), Error::<Test>::NothingToWithdraw);
        set_block(1 + UNBONDING);
        let before = Snapshot::take(&[P1]);
        System::reset_events();
        assert_ok!(Staking::withdraw_unbonded(signed(P1)));
        assert_eq!(events(), vec![Event::Withdrawn { provider: acc(P1), amount: 100 }]);
        assert_eq!(free(P1), before.free(P1) + 100);
        assert_eq!(bond_hold(P1), before.bond_hold[&P1] - 100);
        assert_eq!(issuance(), before.issuance);
        assert_eq!(pool(P1).bond_unbonding.len(), 1);
        set_block(3 + UNBONDING);
        assert_ok!(Staking::withdraw_unbonded(signed(P1)));
        assert_eq!(free(P1), before.free(P1) + 300);
        assert!(pool(P1).bond_unbonding.is_empty());
    });
}

#[test]
fn refuses_when_nothing_unbonds() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::withdraw_unbonded(signed(P1)), Error::<Test>::NothingToWithdraw);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::withdraw_unbonded(signed(P1)), Error::<Test>::NotAProvider);
    });
}

#[test]
fn refuses_an_amount_the_account_cannot_receive() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        assert_ok!(Staking::unbond(signed(P1), 1));
        // Empty P1's free balance: a second provider reference lets it go below the existential deposit.
        frame_system::Pallet::<Test>::inc_providers(&acc(P1));
        let all = free(P1);
        assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
            &acc(P1),
            &acc(PAYER),
            all,
            frame_support::traits::tokens::Preservation::Expendable
        ));
        assert_eq!(free(P1), 0);
        set_block(1 + UNBONDING);
        assert_noop!(Staking::withdraw_unbonded(signed(P1)), Error::<Test>::CannotReceive);
    });
}
