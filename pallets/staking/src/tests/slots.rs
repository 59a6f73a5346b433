//! `ComputeProviders::take_slot` and `free_slot`.

use super::*;
use compute_primitives::{ComputeProviders, ProviderError};
use frame_support::assert_storage_noop;

#[test]
fn slots_are_bounded_by_capacity() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        for taken in 1..=4 {
            assert_ok!(Staking::take_slot(&acc(P1), false));
            assert_eq!(provider(P1).slots_taken, taken);
        }
        assert_storage_noop!(assert_eq!(Staking::take_slot(&acc(P1), false), Err(ProviderError::NoFreeSlot)));
        Staking::free_slot(&acc(P1));
        assert_eq!(provider(P1).slots_taken, 3);
        assert_ok!(Staking::take_slot(&acc(P1), false));
    });
}

/// A canary may take a slot beyond capacity, and a full provider stays eligible for canaries only.
#[test]
fn a_canary_slot_goes_beyond_capacity() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        for _ in 1..=4 {
            assert_ok!(Staking::take_slot(&acc(P1), false));
        }
        let any = |beyond_capacity| compute_primitives::Requirements {
            min_vram_mib: 0,
            determinism_class: None,
            offer: Balance::MAX,
            min_stake: 0,
            beyond_capacity,
        };
        assert!(Staking::sample(&[1; 32], 1, &any(false)).is_err(), "full for a requester's job");
        assert_eq!(Staking::sample(&[1; 32], 1, &any(true)), Ok(vec![acc(P1)]), "drawn for a canary");
        assert_ok!(Staking::take_slot(&acc(P1), true));
        assert_eq!(provider(P1).slots_taken, 5);
        Staking::free_slot(&acc(P1));
        Staking::free_slot(&acc(P1));
        assert_eq!(provider(P1).slots_taken, 3);
        assert_eq!(Staking::sample(&[1; 32], 1, &any(false)), Ok(vec![acc(P1)]), "a slot is free again");
    });
}

#[test]
fn a_chilled_provider_keeps_its_slots() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::take_slot(&acc(P1), false));
        assert_ok!(Staking::chill(signed(P1)));
        assert_eq!(provider(P1).slots_taken, 1);
        Staking::free_slot(&acc(P1));
        assert_eq!(provider(P1).slots_taken, 0);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_storage_noop!(assert_eq!(
            Staking::take_slot(&acc(P1), false),
            Err(ProviderError::NotAProvider)
        ));
    });
}

#[test]
fn freeing_a_slot_never_taken_changes_nothing() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        // Defensive path: logged (and a debug assertion in debug builds); the count stays at zero.
        if !cfg!(debug_assertions) {
            assert_storage_noop!(Staking::free_slot(&acc(P1)));
        }
    });
}
