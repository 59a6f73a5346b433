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
        assert!(ActiveTiers::<Test>::get().is_empty());
        assert_eq!(ActiveLevels::<Test>::iter().count(), 0);
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

/// Finding 15 of the sound-economics review: one delegation, of any size, kept its provider registered for
/// ever. A leaving provider (no self-bond) may now unbond its delegators; their tokens stay theirs.
#[test]
fn a_leaving_provider_unbonds_the_delegators_that_stay() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 10);
        delegate(D2, P1, 300);
        let d1_before = free(D1) + 10;
        // While it is bonded it may not: its delegators are earning.
        let before = Snapshot::take(&[P1, D1, D2]);
        assert_noop!(Staking::unbond_delegator(signed(P1), acc(D1)), Error::<Test>::StillBonded);
        assert_noop!(Staking::unbond_delegator(signed(D2), acc(D1)), Error::<Test>::NotAProvider);
        assert_eq!(Snapshot::take(&[P1, D1, D2]), before);
        empty(P1);
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
        assert_noop!(Staking::unbond_delegator(signed(P1), acc(D3)), Error::<Test>::NotDelegated);
        // Nobody can come back in between to keep it registered.
        assert_noop!(Staking::delegate(signed(D3), acc(P1), 10), Error::<Test>::ProviderLeaving);
        assert_ok!(Staking::unbond_delegator(signed(P1), acc(D1)));
        assert_ok!(Staking::unbond_delegator(signed(P1), acc(D2)));
        assert_ok!(Staking::deregister(signed(P1)));
        // Each delegator withdraws all it delegated once the unbonding period is over.
        set_block(System::block_number() + 2 * UNBONDING);
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_ok!(Staking::withdraw_delegation(signed(D2), acc(P1)));
        assert_eq!(free(D1), d1_before);
        assert!(!Pools::<Test>::contains_key(acc(P1)), "the pool dissolved");
    });
}

/// A delegator that filled its list of unbonding claims (and never withdraws) cannot keep a leaving
/// provider registered: the claims that unlocked are paid out to it first.
#[test]
fn a_full_list_of_claims_does_not_stop_a_leaving_provider() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 1_000);
        let start = free(D1) + 1_000;
        // Four claims (`MaxUnbondingChunks`), each in its own unlock batch, none withdrawn.
        for i in 0..4u64 {
            set_block(1 + 5 * i);
            assert_ok!(Staking::undelegate(signed(D1), acc(P1), 10));
        }
        set_block(60);
        empty(P1);
        assert_ok!(Staking::unbond_delegator(signed(P1), acc(D1)));
        assert_ok!(Staking::deregister(signed(P1)));
        set_block(System::block_number() + 2 * UNBONDING);
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_eq!(free(D1), start, "every token came back");
    });
}
