//! `unbond`.

use super::*;
use frame_support::assert_noop;

#[test]
fn starts_an_unbonding_chunk_that_stays_held() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 3 * MIN_BOND);
        let before = Snapshot::take(&[P1]);
        System::reset_events();
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        let unlock = 1 + UNBONDING;
        assert_eq!(events(), vec![Event::Unbonded { provider: acc(P1), amount: MIN_BOND, unlock }]);
        let pool = pool(P1);
        assert_eq!(pool.bond, 2 * MIN_BOND);
        assert_eq!(pool.bond_unbonding.into_inner(), vec![UnbondingChunk { unlock, value: MIN_BOND }]);
        // Still on hold, still slashable; no token moved.
        assert_eq!(Snapshot::take(&[P1]).free, before.free);
        assert_eq!(bond_hold(P1), 3 * MIN_BOND);
        use compute_primitives::ComputeProviders;
        assert_eq!(Staking::stake_of(&acc(P1)), 2 * MIN_BOND);
    });
}

#[test]
fn merges_chunks_of_the_same_block() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 3 * MIN_BOND);
        assert_ok!(Staking::unbond(signed(P1), 10));
        assert_ok!(Staking::unbond(signed(P1), 20));
        assert_eq!(pool(P1).bond_unbonding.len(), 1);
        assert_eq!(pool(P1).bond_unbonding[0].value, 30);
    });
}

#[test]
fn an_active_provider_keeps_the_minimum_bond() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        assert_noop!(Staking::unbond(signed(P1), MIN_BOND + 1), Error::<Test>::InsufficientBond);
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
    });
}

#[test]
fn a_chilled_provider_may_unbond_everything() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), 2 * MIN_BOND));
        assert_eq!(pool(P1).bond, 0);
        // And cannot rejoin without bonding again.
        assert_noop!(Staking::rejoin(signed(P1)), Error::<Test>::InsufficientBond);
    });
}

#[test]
fn refuses_more_than_bonded() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_noop!(Staking::unbond(signed(P1), 2 * MIN_BOND + 1), Error::<Test>::InsufficientBond);
    });
}

#[test]
fn refuses_too_many_chunks() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        for block in 1..=4 {
            set_block(block);
            assert_ok!(Staking::unbond(signed(P1), 1));
        }
        set_block(5);
        assert_noop!(Staking::unbond(signed(P1), 1), Error::<Test>::TooManyUnbondingChunks);
        // Withdrawing the unlocked ones makes room.
        set_block(1 + UNBONDING);
        assert_ok!(Staking::withdraw_unbonded(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), 1));
    });
}

#[test]
fn refuses_zero_and_non_providers() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::unbond(signed(P1), 1), Error::<Test>::NotAProvider);
        register(P1, 2 * MIN_BOND);
        assert_noop!(Staking::unbond(signed(P1), 0), Error::<Test>::ZeroAmount);
    });
}
