//! `ComputeProviders::slash`.

use super::*;
use compute_primitives::ComputeProviders;
use frame_support::traits::Imbalance;

#[test]
fn slashes_bond_delegators_and_unbonding_pro_rata() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 4_000);
        delegate(D1, P1, 3_000);
        delegate(D2, P1, 1_000);
        assert_ok!(Staking::unbond(signed(P1), 1_000));
        assert_ok!(Staking::undelegate(signed(D2), acc(P1), 1_000));
        // At risk: bond 3_000, chunk 1_000, delegated 3_000, unbonding pool 1_000 = 8_000.
        let before = Snapshot::take(&[P1, D1, D2]);
        System::reset_events();
        let (credit, slashed) = Staking::slash(&acc(P1), 800, JOB, 0);
        assert_eq!(slashed, 800);
        assert_eq!(credit.peek(), 800);
        assert_eq!(
            events(),
            vec![Event::Slashed {
                provider: acc(P1),
                requested: 800,
                from_bond: 400,
                from_delegators: 400,
                job_id: Some(JOB),
            }]
        );
        let pool = pool(P1);
        assert_eq!(pool.bond, 2_700);
        assert_eq!(pool.bond_unbonding[0].value, 900);
        assert_eq!(pool.delegated, 2_700);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance, 900);
        assert_eq!(bond_hold(P1), before.bond_hold[&P1] - 400);
        assert_eq!(delegation_hold(P1), before.delegation_hold[&P1] - 400);
        // Every share lost 10%: one storage write, whatever the number of delegators.
        assert_eq!(delegation_value(P1, D1), 2_700);
        // Free balances untouched; the tokens are in the credit, not yet burned.
        assert_eq!(Snapshot::take(&[P1, D1, D2]).free, before.free);
        assert_eq!(issuance(), before.issuance);
        drop(credit);
        assert_eq!(issuance(), before.issuance - 800);
        assert_eq!(Reputations::<Test>::get(acc(P1)).total_slashed, 800);
    });
}

#[test]
fn unlocked_funds_are_not_slashed() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 3_000);
        delegate(D1, P1, 1_000);
        assert_ok!(Staking::unbond(signed(P1), 1_000));
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500));
        set_block(15);
        // The chunk (unlock 11) and the unbonding pool (unlock 15) are withdrawable: out of reach.
        let (credit, slashed) = Staking::slash(&acc(P1), 250, JOB, 0);
        drop(credit);
        assert_eq!(slashed, 250);
        assert_eq!(pool(P1).bond_unbonding[0].value, 1_000);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance, 500);
        assert_eq!((pool(P1).bond, pool(P1).delegated), (1_800, 450));
        assert!(pool(P1).unbonding_keys.is_empty());
    });
}

#[test]
fn rounding_favours_the_slashed() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 1_000);
        delegate(D1, P1, 333);
        // 1_333 at risk, 10 asked: the bond loses floor(7.50) = 7, the delegators floor(2.49) = 2.
        let (credit, slashed) = Staking::slash(&acc(P1), 10, JOB, 0);
        assert_eq!((credit.peek(), slashed), (9, 9));
        assert_eq!((pool(P1).bond, pool(P1).delegated), (993, 331));
    });
}

#[test]
fn slashing_everything_keeps_one_planck_behind_shares() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 1_000);
        delegate(D1, P1, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 100));
        System::reset_events();
        let (credit, slashed) = Staking::slash(&acc(P1), u128::MAX, JOB, 0);
        drop(credit);
        assert_eq!(slashed, 1_000 + 399 + 99);
        assert_eq!(pool(P1).bond, 0);
        assert_eq!(pool(P1).delegated, 1);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance, 1);
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::BondBelowMinimum));
        assert_eq!(provider(P1).position, None);
        assert_eq!(
            events(),
            vec![
                Event::Chilled { provider: acc(P1), reason: ChillReason::BondBelowMinimum },
                Event::Slashed {
                    provider: acc(P1),
                    requested: u128::MAX,
                    from_bond: 1_000,
                    from_delegators: 498,
                    job_id: Some(JOB),
                }
            ]
        );
        // The pool still works: the delegator can leave with what is left.
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), u128::MAX));
        assert_eq!(pool(P1).delegated, 0);
    });
}

#[test]
fn a_slash_below_the_minimum_bond_chills_and_moves_down_a_level() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2_048);
        register(P2, 4_096);
        assert_eq!(provider(P1).position.unwrap().level, 11);
        let (credit, _) = Staking::slash(&acc(P1), 1, JOB, 0);
        drop(credit);
        assert_eq!(provider(P1).position.unwrap().level, 10);
        let (credit, _) = Staking::slash(&acc(P2), 3_097, JOB, 0);
        drop(credit);
        assert_eq!(pool(P2).bond, 999);
        assert_eq!(provider(P2).status, ProviderStatus::Chilled(ChillReason::BondBelowMinimum));
    });
}

#[test]
fn an_unknown_provider_or_zero_slashes_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        let (credit, slashed) = Staking::slash(&acc(P1), 100, JOB, 0);
        assert_eq!((credit.peek(), slashed), (0, 0));
        register(P1, MIN_BOND);
        let (credit, slashed) = Staking::slash(&acc(P1), 0, JOB, 0);
        assert_eq!((credit.peek(), slashed), (0, 0));
        assert_eq!(pool(P1).bond, MIN_BOND);
    });
}

/// Finding 15 of the sound-economics review: tokens that had begun unbonding before a job was assigned
/// (so were not at risk for it: `stake_of` left them out) paid for its faults. Now they are spared;
/// unbonding begun after the assignment still pays.
#[test]
fn unbonding_begun_before_the_assignment_is_spared() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2 * MIN_BOND);
        delegate(D1, P1, 500);
        delegate(D2, P1, 500);
        // Block 1, before the job: the provider unbonds half its bond, D1 all of its delegation (its
        // pool unlocks at 15: the first multiple of the batching granularity, 5, after 1 + 10).
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 500));
        // The job is assigned at block 7; at block 8 D2 tries to leave with its stake at risk.
        set_block(8);
        assert_ok!(Staking::undelegate(signed(D2), acc(P1), 500));
        let d1_pool = UnbondingPools::<Test>::get(acc(P1), 15).unwrap();
        let (credit, slashed) = Staking::slash(&acc(P1), 300, JOB, 7);
        drop(credit);
        // At risk for the job: the bond left (1 000) and D2's unbonding pool (500): 300 of 1 500 is a fifth.
        assert_eq!(slashed, 300);
        assert_eq!(pool(P1).bond, MIN_BOND - 200);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 20).unwrap().balance, 500 - 100);
        assert_eq!(pool(P1).bond_unbonding[0].value, MIN_BOND, "the chunk begun before is spared");
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap(), d1_pool, "D1's pool is spared");
        // A job assigned before all of it (`since` 0, like `force_slash`) spares nothing: 27 of the 2 700
        // still unbonding or bonded is a hundredth of each.
        let (credit, slashed) = Staking::slash(&acc(P1), 27, JOB, 0);
        drop(credit);
        assert_eq!(slashed, 27);
        assert_eq!(UnbondingPools::<Test>::get(acc(P1), 15).unwrap().balance, 495);
        assert_eq!(pool(P1).bond_unbonding[0].value, MIN_BOND - 10);
    });
}
