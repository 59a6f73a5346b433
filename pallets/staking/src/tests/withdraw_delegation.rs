//! `withdraw_delegation`.

use super::*;
use frame_support::assert_noop;

#[test]
fn pays_out_unlocked_claims() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 100));
        set_block(6);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 50));
        set_block(14);
        assert_noop!(Staking::withdraw_delegation(signed(D1), acc(P1)), Error::<Test>::NothingToWithdraw);
        set_block(15);
        let before = Snapshot::take(&[P1, D1]);
        System::reset_events();
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_eq!(
            events(),
            vec![Event::DelegationWithdrawn { delegator: acc(D1), provider: acc(P1), amount: 100 }]
        );
        assert_eq!(free(D1), before.free(D1) + 100);
        assert_eq!(delegation_hold(P1), before.delegation_hold[&P1] - 100);
        assert_eq!(issuance(), before.issuance);
        assert_eq!(claims(P1, D1), vec![UnbondingClaim { unlock: 20, points: 50 }]);
        assert!(UnbondingPools::<Test>::get(acc(P1), 15).is_none());
        assert_eq!(pool(P1).unbonding_pool_count, 1);
        set_block(20);
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_eq!(free(D1), before.free(D1) + 150);
        // Still delegating 350: the record stays.
        assert_eq!(delegation_value(P1, D1), 350);
    });
}

#[test]
fn delegators_of_one_batch_share_its_balance_and_the_last_takes_the_rest() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 300);
        delegate(D2, P1, 300);
        delegate(D3, P1, 300);
        for d in [D1, D2, D3] {
            assert_ok!(Staking::undelegate(signed(d), acc(P1), 300));
        }
        // A slash of the whole stake leaves one planck in each shared bucket: the unbonding pool keeps 1
        // of 900. Make it uneven: slash 400 of the 1_900 at risk.
        use compute_primitives::ComputeProviders;
        let (credit, slashed) = Staking::slash(&acc(P1), 400, JOB, 0);
        drop(credit);
        // Bond 1_000 loses 210, the unbonding pool 900 loses 189.
        assert_eq!(slashed, 399);
        assert_eq!(
            UnbondingPools::<Test>::get(acc(P1), 15),
            Some(UnbondingPool { points: 900, balance: 711 })
        );
        set_block(15);
        let start = [free(D1), free(D2), free(D3)];
        for d in [D1, D2, D3] {
            assert_ok!(Staking::withdraw_delegation(signed(d), acc(P1)));
        }
        // 711 / 3 = 237 each.
        assert_eq!([free(D1) - start[0], free(D2) - start[1], free(D3) - start[2]], [237, 237, 237]);
        assert!(UnbondingPools::<Test>::get(acc(P1), 15).is_none());
        assert_eq!(delegation_hold(P1), 0);
        assert!(!Delegations::<Test>::contains_key(acc(P1), acc(D1)));
    });
}

#[test]
fn rounding_dust_goes_to_the_last_claimant() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 100);
        delegate(D2, P1, 200);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 100));
        assert_ok!(Staking::undelegate(signed(D2), acc(P1), 200));
        use compute_primitives::ComputeProviders;
        // 1_300 at risk; the unbonding pool of 300 loses floor(300 × 100 / 1_300) = 23.
        let (credit, _) = Staking::slash(&acc(P1), 100, JOB, 0);
        drop(credit);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance, 277);
        set_block(15);
        let (d1, d2) = (free(D1), free(D2));
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_ok!(Staking::withdraw_delegation(signed(D2), acc(P1)));
        // D1: floor(100 × 277 / 300) = 92; D2 takes the remaining 185 (184.67 exactly).
        assert_eq!((free(D1) - d1, free(D2) - d2), (92, 185));
    });
}

#[test]
fn refuses_without_a_delegation() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::withdraw_delegation(signed(D1), acc(P1)), Error::<Test>::NotDelegated);
    });
}

#[test]
fn refuses_when_nothing_is_unlocked() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 500);
        assert_noop!(Staking::withdraw_delegation(signed(D1), acc(P1)), Error::<Test>::NothingToWithdraw);
    });
}

#[test]
fn refuses_an_amount_the_account_cannot_receive() {
    ExtBuilder::default().balance(acc(D1), 20).build_and_execute(|| {
        register(P1, MIN_BOND);
        delegate(D1, P1, 15);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 15));
        // D1 sends its last tokens away (a second provider reference lets its free balance reach zero).
        frame_system::Pallet::<Test>::inc_providers(&acc(D1));
        assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
            &acc(D1),
            &acc(PAYER),
            5,
            frame_support::traits::tokens::Preservation::Expendable
        ));
        // A smaller slash leaves the claim below the existential deposit.
        use compute_primitives::ComputeProviders;
        let (credit, _) = Staking::slash(&acc(P1), 1_010, JOB, 0);
        drop(credit);
        set_block(15);
        let claim = UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance;
        assert!(claim < ED, "claim {claim}");
        assert_noop!(Staking::withdraw_delegation(signed(D1), acc(P1)), Error::<Test>::CannotReceive);
    });
}
