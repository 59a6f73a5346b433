//! `force_slash`.

use super::*;
use frame_support::assert_noop;
use sp_runtime::DispatchError;

#[test]
fn slashes_and_hands_the_funds_to_on_slash() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, 2_000);
        delegate(D1, P1, 2_000);
        let before = Snapshot::take(&[P1, D1]);
        System::reset_events();
        assert_ok!(Staking::force_slash(RuntimeOrigin::root(), acc(P1), 400));
        assert_eq!(
            events(),
            vec![Event::Slashed {
                provider: acc(P1),
                requested: 400,
                from_bond: 200,
                from_delegators: 200,
                job_id: None,
            }]
        );
        assert_eq!(SlashedToSink::get(), 400);
        // The sink dropped the credit: burned.
        assert_eq!(issuance(), before.issuance - 400);
        assert_eq!(bond_hold(P1), 1_800);
        assert_eq!(delegation_hold(P1), 1_800);
        assert_eq!(Snapshot::take(&[P1, D1]).free, before.free);
    });
}

#[test]
fn refuses_other_origins() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::force_slash(signed(D1), acc(P1), 1), DispatchError::BadOrigin);
    });
}

#[test]
fn refuses_zero() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_noop!(Staking::force_slash(RuntimeOrigin::root(), acc(P1), 0), Error::<Test>::ZeroAmount);
    });
}

#[test]
fn refuses_when_nothing_is_at_risk() {
    ExtBuilder::default().build_and_execute(|| {
        assert_noop!(Staking::force_slash(RuntimeOrigin::root(), acc(P1), 1), Error::<Test>::NothingToSlash);
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        set_block(1 + UNBONDING);
        assert_noop!(Staking::force_slash(RuntimeOrigin::root(), acc(P1), 1), Error::<Test>::NothingToSlash);
    });
}
