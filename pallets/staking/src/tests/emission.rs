//! The block hook: emission accrual, era close, bounded payout.

use super::*;
use compute_primitives::{ComputeProviders, JobOutcome};

fn work(n: u8, units: u64) {
    Staking::record_outcome(&acc(n), JobOutcome::Completed { work_units: units }, JOB);
}

fn paid_events() -> Vec<(AccountId, RewardSplit<Balance>)> {
    events()
        .into_iter()
        .filter_map(|e| match e {
            Event::EmissionPaid { provider, split, .. } => Some((provider, split)),
            _ => None,
        })
        .collect()
}

#[test]
fn emission_is_shared_by_work_after_the_era() {
    ExtBuilder::default().build_and_execute(|| {
        EmissionPerBlock::set(100);
        register_with(P1, profile(), Perbill::from_percent(10), MIN_BOND);
        register(P2, MIN_BOND);
        register(P3, MIN_BOND);
        delegate(D1, P3, MIN_BOND);
        work(P1, 300);
        work(P2, 100);
        work(P3, 600);
        let start = issuance();
        // Era 0 began at block 1 (first work); blocks 2 ..= 10 accrue 100 each.
        run_to_block(10);
        assert_eq!(Eras::<Test>::get(0).unwrap().emission, 900);
        assert_eq!(issuance(), start);
        System::reset_events();
        run_to_block(11);
        let all = events();
        assert!(all.contains(&Event::EraClosed { era: 0, emission: 900, work: 1_000 }));
        // Two payouts per block.
        assert_eq!(all.iter().filter(|e| matches!(e, Event::EmissionPaid { .. })).count(), 2);
        run_to_block(12);
        assert_eq!(issuance(), start + 900);
        assert_eq!(NextEraToPay::<Test>::get(), 1);
        assert!(Eras::<Test>::get(0).is_none());
        assert_eq!(EraWork::<Test>::iter_prefix(0).count(), 0);
        // P1: 270 = 27 commission + 243 to its bond; P2: 90 to its bond; P3: 540 split with D1.
        assert_eq!(pool(P1).bond, MIN_BOND + 243);
        assert_eq!(pool(P2).bond, MIN_BOND + 90);
        assert_eq!((pool(P3).bond, pool(P3).delegated), (MIN_BOND + 270, MIN_BOND + 270));
        assert_eq!(Reputations::<Test>::get(acc(P3)).total_earned, 540);
        // The pool's emission is counted apart from job payments (finding 11: only it cannot be bought).
        assert_eq!(provider(P1).pool_emission, 243);
        assert_eq!(provider(P1).pool_emission, provider(P1).pool_earnings);
        assert!(Staking::provider_stats(&acc(P3), 1_000).unwrap().estimated_emission_yield > Perbill::zero());
    });
}

#[test]
fn the_payout_is_bounded_per_block_and_reports_the_era() {
    ExtBuilder::default().build_and_execute(|| {
        EmissionPerBlock::set(1_000);
        for n in 1..=5 {
            register(n, MIN_BOND);
            work(n, 1);
        }
        run_to_block(10);
        System::reset_events();
        run_to_block(11);
        assert_eq!(paid_events().len(), 2);
        run_to_block(12);
        assert_eq!(paid_events().len(), 2);
        run_to_block(13);
        let last = events();
        assert_eq!(last.iter().filter(|e| matches!(e, Event::EmissionPaid { .. })).count(), 1);
        // 9_000 shared by 5 equal workers: 1_800 each, nothing lost to rounding.
        assert!(last.contains(&Event::EraPaid { era: 0, paid: 9_000 }));
    });
}

#[test]
fn rounding_and_forfeited_shares_are_never_minted() {
    ExtBuilder::default().build_and_execute(|| {
        EmissionPerBlock::set(100);
        register(P1, MIN_BOND);
        register(P2, MIN_BOND);
        register(P3, MIN_BOND);
        assert_ok!(Staking::chill(signed(P3)));
        assert_ok!(Staking::unbond(signed(P3), MIN_BOND));
        // Era 0 (blocks 2 ..= 11) closes without work at block 12.
        run_to_block(12);
        work(P1, 1);
        work(P2, 1);
        work(P3, 1);
        // P3 leaves before era 1 (blocks 12 ..= 21) is paid.
        assert_ok!(Staking::withdraw_unbonded(signed(P3)));
        assert_ok!(Staking::deregister(signed(P3)));
        let start = issuance();
        System::reset_events();
        run_to_block(23);
        // 1_000 / 3 = 333 each (1 lost to rounding); P3's 333 is forfeited.
        assert!(events().contains(&Event::EraPaid { era: 1, paid: 666 }));
        assert_eq!(issuance(), start + 666);
    });
}

#[test]
fn an_era_without_work_mints_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        EmissionPerBlock::set(100);
        register(P1, MIN_BOND);
        let start = issuance();
        System::reset_events();
        run_to_block(25);
        let all = events();
        // Era 0 began with the first hook, at block 2.
        assert!(all.contains(&Event::EraClosed { era: 0, emission: 1_000, work: 0 }));
        assert!(all.contains(&Event::EraClosed { era: 1, emission: 1_000, work: 0 }));
        assert!(!all.iter().any(|e| matches!(e, Event::EmissionPaid { .. } | Event::EraPaid { .. })));
        assert_eq!(issuance(), start);
        assert_eq!(CurrentEra::<Test>::get(), 2);
        assert_eq!(NextEraToPay::<Test>::get(), 2);
        assert!(Eras::<Test>::get(0).is_none() && Eras::<Test>::get(1).is_none());
    });
}

#[test]
fn zero_emission_pays_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        work(P1, 10);
        let start = issuance();
        run_to_block(30);
        assert_eq!(issuance(), start);
        assert_eq!(pool(P1).bond, MIN_BOND);
        assert_eq!(Reputations::<Test>::get(acc(P1)).jobs_completed, 1);
    });
}
