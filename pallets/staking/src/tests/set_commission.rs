//! `set_commission`.

use super::*;
use frame_support::assert_noop;

fn set(n: u8, percent: u32) -> sp_runtime::DispatchResult {
    Staking::set_commission(signed(n), Perbill::from_percent(percent))
}

#[test]
fn decreases_apply_at_once() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(20), MIN_BOND);
        System::reset_events();
        assert_ok!(set(P1, 5));
        assert_eq!(
            events(),
            vec![Event::CommissionChanged {
                provider: acc(P1),
                old: Perbill::from_percent(20),
                new: Perbill::from_percent(5)
            }]
        );
        assert_ok!(set(P1, 0));
        assert_eq!(provider(P1).commission, Perbill::zero());
        assert_eq!(provider(P1).commission_raised_at, 1);
    });
}

#[test]
fn increases_are_capped_and_rate_limited() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), MIN_BOND);
        // Registration counts as an increase: the first one waits `CommissionChangeDelay` (10 blocks).
        set_block(10);
        assert_noop!(set(P1, 11), Error::<Test>::CommissionChangeTooSoon);
        set_block(11);
        assert_noop!(set(P1, 16), Error::<Test>::CommissionIncreaseTooLarge);
        assert_ok!(set(P1, 15));
        assert_eq!(provider(P1).commission_raised_at, 11);
        // A decrease does not reset the clock, a further increase waits.
        assert_ok!(set(P1, 12));
        set_block(20);
        assert_noop!(set(P1, 13), Error::<Test>::CommissionChangeTooSoon);
        set_block(21);
        assert_ok!(set(P1, 17));
        assert_eq!(provider(P1).commission, Perbill::from_percent(17));
    });
}

#[test]
fn refuses_above_the_maximum() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(50), MIN_BOND);
        set_block(100);
        assert_noop!(set(P1, 51), Error::<Test>::CommissionTooHigh);
    });
}

#[test]
fn refuses_a_non_provider() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(set(P1, 1), Error::<Test>::NotAProvider);
    });
}
