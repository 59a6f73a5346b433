//! `delegate`.

use super::*;
use compute_primitives::ComputeProviders;
use frame_support::assert_noop;

#[test]
fn first_delegation_mints_shares_at_the_initial_rate() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        let before = Snapshot::take(&[P1, D1]);
        delegate(D1, P1, 400);
        assert_others_unchanged(&before, &[P1, D1]);
        assert_eq!(pool(P1).shares, 400 * SCALE);
        assert_eq!(delegation_value(P1, D1), 400);
        assert_eq!(Staking::stake_of(&acc(P1)), MIN_BOND + 400);
    });
}

#[test]
fn later_delegations_mint_at_the_pool_rate_rounded_down() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 1_000);
        // A reward of 2_000: half to the bond, half to the delegators (equal stakes, no commission).
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 2_000, JOB));
        assert_eq!((pool(P1).delegated, pool(P1).shares), (2_000, 1_000 * SCALE));
        // 999 tokens at 2 tokens per million shares.
        delegate(D2, P1, 999);
        assert_eq!(Delegations::<Test>::get(acc(P1), acc(D2)).unwrap().shares, 999 * SCALE / 2);
        assert_eq!(delegation_value(P1, D2), 999);
        assert_eq!(delegation_value(P1, D1), 2_000);
    });
}

#[test]
fn a_newcomer_loses_less_than_a_planck_to_rounding() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 17);
        // Delegators get floor(1_017_333 × 17 / 1_017) = 17_005: the share price rose a thousandfold,
        // to an uneven value.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_017_000 + 333, JOB));
        let pool_before = pool(P1);
        for amount in [10, 11, 999, 12_345] {
            let d1_before = delegation_value(P1, D1);
            let d2_before = delegation_value(P1, D2);
            delegate(D2, P1, amount);
            // Value is rounded down twice (shares, then value): under two planck lost in total, none
            // of which leaves the pool.
            assert!(delegation_value(P1, D2) + 2 > d2_before + amount);
            assert!(delegation_value(P1, D1) >= d1_before);
        }
        assert!(pool(P1).delegated > pool_before.delegated);
    });
}

#[test]
fn a_chilled_provider_accepts_delegations() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        delegate(D1, P1, 100);
        assert_eq!(provider(P1).position, None);
    });
}

#[test]
fn moves_the_provider_up_the_sampler_levels() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        let level = provider(P1).position.unwrap().level;
        delegate(D1, P1, 3 * MIN_BOND);
        assert_eq!(provider(P1).position.unwrap().level, level + 2);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::delegate(signed(D1), acc(P1), 100), Error::<Test>::NotAProvider);
    });
}

#[test]
fn refuses_self_delegation() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::delegate(signed(P1), acc(P1), 100), Error::<Test>::SelfDelegation);
    });
}

#[test]
fn refuses_less_than_the_minimum() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(
            Staking::delegate(signed(D1), acc(P1), MIN_DELEGATION - 1),
            Error::<Test>::DelegationTooSmall
        );
    });
}

#[test]
fn refuses_a_depleted_pool() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 1_000);
        // 95% of everything: shares of 1_000 tokens left with 50 tokens behind them.
        let (credit, _) = Staking::slash(&acc(P1), 1_900, JOB, 0);
        drop(credit);
        assert_eq!((pool(P1).shares, pool(P1).delegated), (1_000 * SCALE, 50));
        assert_noop!(Staking::delegate(signed(D2), acc(P1), 1_000), Error::<Test>::PoolDepleted);
        // Rewards bring it back to a tenth of a token per share.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_100, JOB));
        assert!(pool(P1).delegated >= 100);
        delegate(D2, P1, 1_000);
    });
}

#[test]
fn refuses_more_than_the_account_can_pay() {
    ExtBuilder::default().balance(acc(D1), 100).build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::delegate(signed(D1), acc(P1), 96), Error::<Test>::InsufficientBalance);
        delegate(D1, P1, 95);
        assert_eq!(free(D1), ED);
    });
}
