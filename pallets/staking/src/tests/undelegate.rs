//! `undelegate`.

use super::*;
use compute_primitives::ComputeProviders;
use frame_support::assert_noop;

#[test]
fn burns_shares_rounded_up_and_joins_an_unbonding_pool() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 1_000);
        delegate(D2, P1, 1_000);
        // Delegators get 1_000 of a 1_500 reward: shares of 2_000 tokens now worth 3_000.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_500, JOB));
        assert_eq!((pool(P1).shares, pool(P1).delegated), (2_000 * SCALE, 3_000));
        let before = Snapshot::take(&[P1, D1, D2]);
        System::reset_events();
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 100));
        // 100 tokens = 66_666_666.7 shares: 66_666_667 burned.
        let unlock = 15;
        let burned = 66_666_667;
        assert_eq!(
            events(),
            vec![Event::Undelegated {
                delegator: acc(D1),
                provider: acc(P1),
                amount: 100,
                shares: burned,
                unlock
            }]
        );
        assert_eq!(claims(P1, D1), vec![UnbondingClaim { unlock, points: 100 }]);
        assert_eq!(
            UnbondingPools::<Test>::get(acc(P1), unlock),
            Some(UnbondingPool { points: 100, balance: 100 })
        );
        let pool = pool(P1);
        assert_eq!((pool.shares, pool.delegated), (2_000 * SCALE - burned, 2_900));
        assert_eq!(pool.unbonding_keys.into_inner(), vec![unlock]);
        // Nothing moved: the tokens stay held (and slashable) on the pool account.
        assert_eq!(Snapshot::take(&[P1, D1, D2]).free, before.free);
        assert_eq!(delegation_hold(P1), before.delegation_hold[&P1]);
        assert_eq!(Staking::stake_of(&acc(P1)), before.pool(P1).active_stake() - 100);
        // The other delegator lost nothing to the rounding.
        assert!(delegation_value(P1, D2) >= 1_500);
    });
}

#[test]
fn at_least_the_whole_value_unbonds_everything() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), u128::MAX));
        assert_eq!(pool(P1).shares, 0);
        assert_eq!(pool(P1).delegated, 0);
        let d = Delegations::<Test>::get(acc(P1), acc(D1)).unwrap();
        assert_eq!(d.shares, 0);
        assert_eq!(d.unbonding.into_inner(), vec![UnbondingClaim { unlock: 15, points: 500 }]);
    });
}

#[test]
fn claims_of_one_batch_merge_and_later_ones_do_not() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
        set_block(5);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
        set_block(6);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
        assert_eq!(
            claims(P1, D1),
            vec![UnbondingClaim { unlock: 15, points: 20 }, UnbondingClaim { unlock: 20, points: 10 }]
        );
        assert_eq!(pool(P1).unbonding_keys.into_inner(), vec![15, 20]);
        assert_eq!(pool(P1).unbonding_pool_count, 2);
    });
}

#[test]
fn every_unlock_waits_at_least_the_unbonding_period() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        for block in 1..=30u64 {
            let unlock = Staking::unbonding_key(block);
            assert!(unlock >= block + UNBONDING);
            assert!(unlock < block + UNBONDING + 5);
        }
    });
}

#[test]
fn refuses_zero() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_noop!(Staking::undelegate(signed(D1), acc(P1), 0), Error::<Test>::ZeroAmount);
    });
}

#[test]
fn refuses_without_an_active_delegation() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::undelegate(signed(D1), acc(P1), 10), Error::<Test>::NotDelegated);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500));
        // Only unbonding claims are left.
        assert_noop!(Staking::undelegate(signed(D1), acc(P1), 10), Error::<Test>::NotDelegated);
    });
}

#[test]
fn refuses_to_leave_dust() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_noop!(
            Staking::undelegate(signed(D1), acc(P1), 500 - MIN_DELEGATION + 1),
            Error::<Test>::RemainderTooSmall
        );
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500 - MIN_DELEGATION));
        assert_eq!(delegation_value(P1, D1), MIN_DELEGATION);
    });
}

#[test]
fn refuses_too_many_claims() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        for batch in 0..4u64 {
            set_block(1 + 5 * batch);
            assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
        }
        set_block(21);
        assert_noop!(Staking::undelegate(signed(D1), acc(P1), 10), Error::<Test>::TooManyUnbondingChunks);
        // Withdrawing the unlocked claims makes room.
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
    });
}
