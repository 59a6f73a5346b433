//! `update_profile`.

use super::*;
use frame_support::assert_noop;

#[test]
fn replaces_the_profile() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        let before = Snapshot::take(&[P1]);
        let mut p = profile();
        p.vram_mib = 8_192;
        p.backend = GpuBackend::Metal;
        p.ask = 7;
        p.endpoint = b"https://other.example/out".to_vec().try_into().unwrap();
        System::reset_events();
        assert_ok!(Staking::update_profile(signed(P1), p.clone()));
        assert_eq!(events(), vec![Event::ProfileUpdated { provider: acc(P1) }]);
        // The ask is rounded up to the price of its tier: the lowest, `ASK_TIER_BASE`.
        p.ask = ASK_TIER_BASE;
        assert_eq!(provider(P1).profile, p);
        assert_eq!(Snapshot::take(&[P1]), before);
    });
}

#[test]
fn lowering_capacity_below_slots_in_use_only_stops_new_assignments() {
    ExtBuilder::default().build_and_execute(|| {
        use compute_primitives::ComputeProviders;
        register(P1, MIN_BOND);
        assert_ok!(Staking::take_slot(&acc(P1), false));
        assert_ok!(Staking::take_slot(&acc(P1), false));
        let mut p = profile();
        p.max_concurrent_jobs = 1;
        assert_ok!(Staking::update_profile(signed(P1), p));
        assert_eq!(Staking::take_slot(&acc(P1), false), Err(compute_primitives::ProviderError::NoFreeSlot));
        Staking::free_slot(&acc(P1));
        Staking::free_slot(&acc(P1));
        assert_ok!(Staking::take_slot(&acc(P1), false));
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::update_profile(signed(P1), profile()), Error::<Test>::NotAProvider);
    });
}

#[test]
fn refuses_an_invalid_profile() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        let mut p = profile();
        p.gpu_name = Default::default();
        assert_noop!(Staking::update_profile(signed(P1), p), Error::<Test>::EmptyProfileField);
        let mut p = profile();
        p.max_concurrent_jobs = 0;
        assert_noop!(Staking::update_profile(signed(P1), p), Error::<Test>::InvalidCapacity);
    });
}

#[test]
fn asks_are_rounded_up_to_their_tier_and_capped() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        // Four tiers per doubling: 25, 30, 36, 43, 50, ...
        for (ask, rounded) in
            [(0, 25), (25, 25), (26, 30), (30, 30), (31, 36), (44, 50), (150, 169), (400, 400)]
        {
            assert_ok!(Staking::update_profile(signed(P1), ProviderProfile { ask, ..profile() }));
            assert_eq!(provider(P1).profile.ask, rounded, "ask {ask}");
        }
        let top = crate::ask_tier_price(ASK_TIER_BASE, crate::ASK_TIERS - 1).unwrap();
        assert_eq!(top, 25 * (1 << 15) * 16_818 / 10_000 + 1, "2^15.75 times the base, rounded up");
        assert_ok!(Staking::update_profile(signed(P1), ProviderProfile { ask: top, ..profile() }));
        let before = Snapshot::take(&[P1]);
        let info = provider(P1);
        assert_noop!(
            Staking::update_profile(signed(P1), ProviderProfile { ask: top + 1, ..profile() }),
            Error::<Test>::AskTooHigh
        );
        assert_noop!(
            Staking::register_provider(
                signed(P2),
                ProviderProfile { ask: Balance::MAX, ..profile() },
                Perbill::zero(),
                MIN_BOND
            ),
            Error::<Test>::AskTooHigh
        );
        assert_eq!(Snapshot::take(&[P1]), before);
        assert_eq!(provider(P1), info);
    });
}
