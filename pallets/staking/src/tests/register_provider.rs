//! `register_provider`.

use super::*;
use frame_support::assert_noop;

#[test]
fn registers_bonds_and_joins_the_active_set() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), 5_000);
        let info = provider(P1);
        assert_eq!(info.slots_taken, 0);
        assert_eq!(info.commission_raised_at, 1);
        assert_eq!(pool(P1).deposit, ED);
        assert_eq!(Balances::free_balance(pool_account(P1)), ED);
        let position = info.position.unwrap();
        assert_eq!(
            ActiveSet::<Test>::get((position.tier, position.level), position.index).map(|e| e.provider),
            Some(acc(P1))
        );
        // 5_000 lies in [2^12, 2^13).
        assert_eq!(position.level, 12);
        assert_eq!(Reputations::<Test>::get(acc(P1)), Reputation::default());
    });
}

#[test]
fn pool_accounts_are_distinct() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        register(P2, MIN_BOND);
        assert_ne!(pool_account(P1), pool_account(P2));
        assert_ne!(pool_account(P1), acc(P1));
        assert_eq!(bond_hold(P1), MIN_BOND);
        assert_eq!(bond_hold(P2), MIN_BOND);
    });
}

#[test]
fn refuses_a_second_registration() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(
            Staking::register_provider(signed(P1), profile(), Perbill::zero(), MIN_BOND),
            Error::<Test>::AlreadyRegistered
        );
    });
}

#[test]
fn refuses_empty_profile_fields() {
    ExtBuilder::default().build_and_execute(|| {
        let mut no_name = profile();
        no_name.gpu_name = Default::default();
        assert_noop!(
            Staking::register_provider(signed(P1), no_name, Perbill::zero(), MIN_BOND),
            Error::<Test>::EmptyProfileField
        );
        let mut no_endpoint = profile();
        no_endpoint.endpoint = Default::default();
        assert_noop!(
            Staking::register_provider(signed(P1), no_endpoint, Perbill::zero(), MIN_BOND),
            Error::<Test>::EmptyProfileField
        );
    });
}

#[test]
fn refuses_an_invalid_capacity() {
    ExtBuilder::default().build_and_execute(|| {
        for capacity in [0, 9] {
            let mut p = profile();
            p.max_concurrent_jobs = capacity;
            assert_noop!(
                Staking::register_provider(signed(P1), p, Perbill::zero(), MIN_BOND),
                Error::<Test>::InvalidCapacity
            );
        }
        let mut p = profile();
        p.max_concurrent_jobs = 8;
        assert_ok!(Staking::register_provider(signed(P1), p, Perbill::zero(), MIN_BOND));
    });
}

#[test]
fn refuses_a_commission_above_the_maximum() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Staking::register_provider(signed(P1), profile(), Perbill::from_percent(51), MIN_BOND),
            Error::<Test>::CommissionTooHigh
        );
        register_with(P1, profile(), Perbill::from_percent(50), MIN_BOND);
    });
}

#[test]
fn refuses_a_bond_below_the_minimum() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Staking::register_provider(signed(P1), profile(), Perbill::zero(), MIN_BOND - 1),
            Error::<Test>::InsufficientBond
        );
    });
}

#[test]
fn refuses_what_the_account_cannot_pay() {
    // The bond, the pool deposit and the existential deposit that keeps the account alive.
    ExtBuilder::default().balance(acc(P1), MIN_BOND + 2 * ED - 1).build_and_execute(|| {
        assert_noop!(
            Staking::register_provider(signed(P1), profile(), Perbill::zero(), MIN_BOND),
            Error::<Test>::InsufficientBalance
        );
    });
    ExtBuilder::default().balance(acc(P1), MIN_BOND + 2 * ED).build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_eq!(free(P1), ED);
    });
}

#[test]
fn refuses_unsigned_origins() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(
            Staking::register_provider(RuntimeOrigin::none(), profile(), Perbill::zero(), MIN_BOND),
            sp_runtime::DispatchError::BadOrigin
        );
    });
}
