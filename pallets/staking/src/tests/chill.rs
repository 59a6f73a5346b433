//! `chill`.

use super::*;
use frame_support::assert_noop;

#[test]
fn leaves_the_active_set() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        register(P2, MIN_BOND);
        let level = provider(P1).position.unwrap().level;
        let before = Snapshot::take(&[P1, P2]);
        System::reset_events();
        assert_ok!(Staking::chill(signed(P1)));
        assert_eq!(events(), vec![Event::Chilled { provider: acc(P1), reason: ChillReason::Requested }]);
        assert_eq!(provider(P1).status, ProviderStatus::Chilled(ChillReason::Requested));
        assert_eq!(provider(P1).position, None);
        assert_eq!(provider(P2).position, Some(ActivePosition { tier: TIER, level, index: 0 }));
        assert_eq!(ActiveLevels::<Test>::get(TIER).into_inner(), vec![LevelCount { level, count: 1 }]);
        assert_eq!(Snapshot::take(&[P1, P2]), before);
    });
}

#[test]
fn refuses_twice() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_noop!(Staking::chill(signed(P1)), Error::<Test>::AlreadyChilled);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::chill(signed(P1)), Error::<Test>::NotAProvider);
    });
}
