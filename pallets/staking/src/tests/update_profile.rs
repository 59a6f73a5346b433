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
