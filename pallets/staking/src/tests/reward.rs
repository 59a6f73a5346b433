//! `ComputeProviders::reward`.

use super::*;
use compute_primitives::{ComputeProviders, ProviderError};
use frame_support::assert_storage_noop;

#[test]
fn commission_first_then_bond_and_delegators_pro_rata() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), 3_000);
        delegate(D1, P1, 1_000);
        let before = Snapshot::take(&[P1, D1, PAYER]);
        System::reset_events();
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_000, JOB));
        // 100 commission; 900 split 3:1 between the bond (675) and the delegators (225).
        let split = RewardSplit { commission: 100, to_bond: 675, to_delegators: 225 };
        assert_eq!(
            events(),
            vec![Event::Rewarded { provider: acc(P1), payer: acc(PAYER), split, job_id: JOB }]
        );
        assert_eq!(free(PAYER), before.free(PAYER) - 1_000);
        assert_eq!(free(P1), before.free(P1) + 100);
        assert_eq!(bond_hold(P1), before.bond_hold[&P1] + 675);
        assert_eq!(delegation_hold(P1), before.delegation_hold[&P1] + 225);
        assert_eq!(free(D1), before.free(D1));
        assert_eq!(issuance(), before.issuance);
        assert_eq!(delegation_value(P1, D1), 1_225);
        assert_eq!(Reputations::<Test>::get(acc(P1)).total_earned, 1_000);
    });
}

#[test]
fn rounding_dust_goes_to_the_bond() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(33), 1_000);
        delegate(D1, P1, 333);
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 10, JOB));
        // Commission floor(3.3) = 3; delegators floor(7 × 333 / 1_333) = 1; bond 6.
        assert_eq!(
            events().last(),
            Some(&Event::Rewarded {
                provider: acc(P1),
                payer: acc(PAYER),
                split: RewardSplit { commission: 3, to_bond: 6, to_delegators: 1 },
                job_id: JOB,
            })
        );
    });
}

#[test]
fn without_delegators_the_rest_goes_to_the_bond() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), MIN_BOND);
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 500, JOB));
        assert_eq!(pool(P1).bond, MIN_BOND + 450);
        assert_eq!(pool(P1).delegated, 0);
        assert_eq!(pool(P1).shares, 0);
    });
}

#[test]
fn a_provider_that_cannot_receive_gets_its_commission_bonded() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), MIN_BOND);
        frame_system::Pallet::<Test>::inc_providers(&acc(P1));
        let all = free(P1);
        assert_ok!(<Balances as frame_support::traits::fungible::Mutate<_>>::transfer(
            &acc(P1),
            &acc(D3),
            all,
            frame_support::traits::tokens::Preservation::Expendable
        ));
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 40, JOB));
        // A commission of 4 would leave P1 below the existential deposit (5).
        assert_eq!(free(P1), 0);
        assert_eq!(pool(P1).bond, MIN_BOND + 40);
    });
}

#[test]
fn zero_is_a_no_op() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_storage_noop!(assert_eq!(Staking::reward(&acc(P1), &acc(PAYER), 0, JOB), Ok(())));
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_storage_noop!(assert_eq!(
            Staking::reward(&acc(P1), &acc(PAYER), 10, JOB),
            Err(ProviderError::NotAProvider)
        ));
    });
}

#[test]
fn refuses_a_payer_that_cannot_pay_and_changes_nothing() {
    ExtBuilder::default().balance(acc(PAYER), 100).build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), MIN_BOND);
        delegate(D1, P1, 100);
        assert_storage_noop!(assert_eq!(
            Staking::reward(&acc(P1), &acc(PAYER), 96, JOB),
            Err(ProviderError::InsufficientFunds)
        ));
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 95, JOB));
        assert_eq!(free(PAYER), ED);
    });
}
