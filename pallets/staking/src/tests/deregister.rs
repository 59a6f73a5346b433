//! `deregister`.

use super::*;
use compute_primitives::ComputeProviders;
use frame_support::assert_noop;

/// Chills `n`, unbonds its whole bond and withdraws it.
fn empty(n: u8) {
    let bond = pool(n).bond;
    assert_ok!(Staking::chill(signed(n)));
    assert_ok!(Staking::unbond(signed(n), bond));
    set_block(System::block_number() + UNBONDING);
    assert_ok!(Staking::withdraw_unbonded(signed(n)));
}

#[test]
fn removes_the_provider_and_returns_the_deposit() {
    ExtBuilder::default().build_and_execute(|| {
        let start = free(P1);
        register(P1, MIN_BOND);
        empty(P1);
        assert_eq!(free(P1), start - ED);
        System::reset_events();
        assert_ok!(Staking::deregister(signed(P1)));
        assert_eq!(
            events(),
            vec![
                Event::Deregistered { provider: acc(P1) },
                Event::PoolDissolved { provider: acc(P1), returned: ED }
            ]
        );
        assert_eq!(free(P1), start);
        assert!(!Providers::<Test>::contains_key(acc(P1)));
        assert!(!Pools::<Test>::contains_key(acc(P1)));
        assert_eq!(Balances::total_balance(&pool_account(P1)), 0);
        assert!(ActiveLevels::<Test>::get().is_empty());
    });
}

#[test]
fn keeps_the_pool_while_delegators_unbond() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500));
        empty(P1);
        assert_ok!(Staking::deregister(signed(P1)));
        assert!(Pools::<Test>::contains_key(acc(P1)));
        assert_eq!(delegation_hold(P1), 500);
        // The delegator's funds stay withdrawable; the last withdrawal dissolves the pool.
        let provider_free = free(P1);
        set_block(100);
        System::reset_events();
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_eq!(
            events(),
            vec![
                Event::DelegationWithdrawn { delegator: acc(D1), provider: acc(P1), amount: 500 },
                Event::PoolDissolved { provider: acc(P1), returned: ED }
            ]
        );
        assert_eq!(free(P1), provider_free + ED);
        assert!(!Pools::<Test>::contains_key(acc(P1)));
    });
}

#[test]
fn registering_again_reuses_a_remaining_pool() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500));
        empty(P1);
        assert_ok!(Staking::deregister(signed(P1)));
        // No second deposit (checked by the helper).
        register(P1, MIN_BOND);
        assert_eq!(pool(P1).deposit, ED);
        assert_eq!(delegation_hold(P1), 500);
    });
}

#[test]
fn refuses_while_bonded() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
        assert_ok!(Staking::chill(signed(P1)));
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
    });
}

#[test]
fn refuses_while_unbonding() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
    });
}

#[test]
fn refuses_while_delegated() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 100);
        empty(P1);
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
    });
}

#[test]
fn refuses_while_assigned() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::take_slot(&acc(P1), false));
        empty(P1);
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
        Staking::free_slot(&acc(P1));
        assert_ok!(Staking::deregister(signed(P1)));
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotAProvider);
    });
}
