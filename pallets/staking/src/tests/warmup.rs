//! Delegation warm-up: a delegation is neither paid nor at risk before its activation block, and buys
//! its shares at the price of that block (the just-in-time delegation attack, finding 15 of issue 13).

use super::*;
use compute_primitives::ComputeProviders;
use frame_support::assert_noop;

/// The warm-up of these tests: batches every `12 / (4 - 2) = 6` blocks.
const WARMUP: u64 = 12;

fn with_warmup(test: impl FnOnce()) {
    ExtBuilder::default().build_and_execute(|| {
        DelegationWarmup::<Test>::put(WARMUP);
        test()
    });
}

fn pending(p: u8, d: u8) -> Vec<PendingClaim<u64, Balance>> {
    Delegations::<Test>::get(acc(p), acc(d)).map(|x| x.pending.into_inner()).unwrap_or_default()
}

fn stats(p: u8, d: u8) -> crate::DelegationStats<Balance, u64> {
    Staking::delegation_stats(&acc(p), &acc(d)).expect("a delegation")
}

#[test]
fn a_delegation_waits_for_its_batch_and_is_returned_by_no_view_as_active() {
    with_warmup(|| {
        register(P1, MIN_BOND);
        set_block(3);
        System::reset_events();
        assert_ok!(Staking::delegate(signed(D1), acc(P1), 500));
        // 3 + 12 = 15, rounded up to a multiple of 6.
        assert_eq!(
            events(),
            vec![Event::Delegated { delegator: acc(D1), provider: acc(P1), amount: 500, activation: 18 }]
        );
        assert_eq!(pending(P1, D1), vec![PendingClaim { activation: 18, value: 500 }]);
        assert_eq!((pool(P1).delegated, pool(P1).shares, pool(P1).warming_up), (0, 0, 500));
        assert_eq!(delegation_hold(P1), 500);
        // Not in the sampler's stake, nor in the stake a job would put at risk.
        assert_eq!(Staking::stake_of(&acc(P1)), MIN_BOND);
        let view = stats(P1, D1);
        assert_eq!((view.active, view.shares), (0, 0));
        assert_eq!(view.warming_up, vec![PendingClaim { activation: 18, value: 500 }]);
        assert_eq!(Staking::provider_stats(&acc(P1), 1).unwrap().warming_up, 500);

        // From block 18 on the views count it active, before anything is written.
        set_block(18);
        let view = stats(P1, D1);
        assert_eq!((view.active, view.shares, view.warming_up.len()), (500, 500 * SCALE, 0));
        assert_eq!(pool(P1).warming_up, 500, "a view writes nothing");
        // The next operation on the pool activates the batch.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1, JOB));
        assert_eq!((pool(P1).delegated, pool(P1).shares, pool(P1).warming_up), (500, 500 * SCALE, 0));
        assert_eq!(Staking::stake_of(&acc(P1)), MIN_BOND + 1 + 500);
    });
}

#[test]
fn just_in_time_delegation_earns_nothing_of_the_payout_it_came_for() {
    with_warmup(|| {
        register(P1, 3_000);
        delegate_at_once(D1, 1_000);
        // A job's payment is about to be made: the attacker delegates as much as the pool holds.
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 4_000));
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 4_000, JOB));
        // All of the delegators' part (a quarter of the stake that was at risk) goes to D1.
        assert_eq!(delegation_value(P1, D1), 2_000);
        assert_ok!(Staking::cancel_pending_delegation(signed(D2), acc(P1)));
        // D2 leaves with exactly what it brought: the attack gains nothing and costs the fees.
        assert_eq!(free(D2), INITIAL);
        assert!(Delegations::<Test>::get(acc(P1), acc(D2)).is_none());
    });
}

/// Delegates `d` to P1 with the warm-up switched off for the call, so that it is active at once.
fn delegate_at_once(d: u8, amount: Balance) {
    let warmup = DelegationWarmup::<Test>::take();
    delegate(d, P1, amount);
    DelegationWarmup::<Test>::put(warmup);
}

#[test]
fn warming_up_tokens_are_not_slashed_but_active_ones_are() {
    with_warmup(|| {
        register(P1, 1_000);
        delegate_at_once(D1, 1_000);
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 2_000));
        let (credit, _) = Staking::slash(&acc(P1), 200, JOB, 0);
        drop(credit);
        // 200 of the 2 000 at risk, half each from the bond and D1; D2's tokens untouched.
        assert_eq!((pool(P1).bond, delegation_value(P1, D1)), (900, 900));
        assert_eq!(pool(P1).warming_up, 2_000);
        // Once active (block 18), D2 shares the next slash pro rata.
        set_block(18);
        let (credit, _) = Staking::slash(&acc(P1), 380, JOB, 18);
        drop(credit);
        // 380 of 3 800: a tenth of each (D2's shares, bought at 900 for 1 000 of them, round down).
        assert_eq!(pool(P1).bond, 810);
        assert_eq!(delegation_value(P1, D1), 810);
        assert!(stats(P1, D2).active.abs_diff(1_800) <= 1, "{}", stats(P1, D2).active);
    });
}

#[test]
fn a_batch_buys_at_the_price_of_its_activation_block() {
    with_warmup(|| {
        register(P1, 1_000);
        delegate_at_once(D1, 1_000);
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 300));
        assert_ok!(Staking::delegate(signed(D3), acc(P1), 100));
        // A reward while they warm up raises the price they will pay: 1 000 of shares now worth 1 500.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_000, JOB));
        assert_eq!(delegation_value(P1, D1), 1_500);
        set_block(20);
        // Nothing touched the pool between the activation block (18) and now: the price is that block's.
        System::reset_events();
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 15));
        let price_shares = |value: Balance| value * 1_000 * SCALE / 1_500;
        assert!(events().contains(&Event::DelegationsActivated {
            provider: acc(P1),
            activation: 18,
            amount: 400,
            shares: price_shares(400)
        }));
        let batch = PendingDelegations::<Test>::get(acc(P1), 18).unwrap();
        assert_eq!((batch.value, batch.shares, batch.active), (400, price_shares(400), true));
        // Each claim takes its part on the delegator's next operation; the last one takes the rest.
        assert_ok!(Staking::undelegate(signed(D2), acc(P1), 10));
        assert_eq!(Delegations::<Test>::get(acc(P1), acc(D2)).unwrap().pending.len(), 0);
        assert_eq!(stats(P1, D3).active, 100);
        assert_ok!(Staking::undelegate(signed(D3), acc(P1), 10));
        assert!(PendingDelegations::<Test>::get(acc(P1), 18).is_none());
        assert_eq!(pool(P1).pending_batch_count, 0);
        assert!((stats(P1, D2).active + stats(P1, D3).active).abs_diff(380) <= 1);
    });
}

#[test]
fn undelegating_or_cancelling_at_the_wrong_time_is_refused_and_changes_nothing() {
    with_warmup(|| {
        register(P1, 1_000);
        assert_ok!(Staking::delegate(signed(D1), acc(P1), 500));
        assert_noop!(Staking::undelegate(signed(D1), acc(P1), 100), Error::<Test>::NotYetActive);
        assert_noop!(Staking::cancel_pending_delegation(signed(D2), acc(P1)), Error::<Test>::NotDelegated);
        set_block(18);
        // Active now: nothing pending any more, and the refusal writes nothing (not even the activation).
        assert_noop!(Staking::cancel_pending_delegation(signed(D1), acc(P1)), Error::<Test>::NothingPending);
        assert_eq!(pool(P1).warming_up, 500);
        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 100));
        assert_eq!(stats(P1, D1).active, 400);
    });
}

#[test]
fn claims_in_several_batches_activate_one_by_one_and_only_early_ones_can_be_cancelled() {
    with_warmup(|| {
        register(P1, 1_000);
        assert_ok!(Staking::delegate(signed(D1), acc(P1), 100));
        set_block(7);
        assert_ok!(Staking::delegate(signed(D1), acc(P1), 200));
        assert_eq!(
            pending(P1, D1),
            vec![PendingClaim { activation: 18, value: 100 }, PendingClaim { activation: 24, value: 200 }]
        );
        // The cut-off is 9 blocks (three quarters of the warm-up): at block 12 the claim activating at 18
        // must stay, the one at 24 may go.
        assert_eq!(Staking::cancel_cutoff(), 9);
        set_block(12);
        assert_ok!(Staking::cancel_pending_delegation(signed(D1), acc(P1)));
        assert_eq!(free(D1), INITIAL - 100);
        assert_eq!(pending(P1, D1), vec![PendingClaim { activation: 18, value: 100 }]);
        set_block(18);
        assert_eq!(stats(P1, D1).active, 100);
    });
}

#[test]
fn a_delegator_cannot_wait_for_a_payout_to_decide_whether_to_stay() {
    with_warmup(|| {
        register(P1, 1_000);
        delegate_at_once(D1, 1_000);
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 1_000));
        // Just before the activation (18) a large payment is in sight: too late to back out of one that
        // is not, so there is no free option to take.
        set_block(17);
        assert_noop!(Staking::cancel_pending_delegation(signed(D2), acc(P1)), Error::<Test>::NothingPending);
        set_block(18);
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_000, JOB));
        assert_eq!(stats(P1, D2).active, delegation_value(P1, D1));
    });
}

#[test]
fn a_batch_that_a_depleted_pool_cannot_take_stays_pending_and_can_be_cancelled() {
    with_warmup(|| {
        register(P1, 1_000);
        delegate_at_once(D1, 1_000);
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 500));
        // Slashed to a twentieth of its price: no new shares until rewards restore it.
        let (credit, _) = Staking::slash(&acc(P1), 1_900, JOB, 0);
        drop(credit);
        set_block(18);
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1, JOB));
        assert_eq!(pool(P1).warming_up, 500);
        assert_eq!(pool(P1).warm_up_keys.into_inner(), vec![18]);
        Staking::do_try_state().unwrap();
        assert_ok!(Staking::cancel_pending_delegation(signed(D2), acc(P1)));
        assert_eq!(free(D2), INITIAL);
    });
}

#[test]
fn a_leaving_provider_returns_warming_up_delegations_and_can_deregister() {
    with_warmup(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::delegate(signed(D1), acc(P1), 500));
        assert_ok!(Staking::chill(signed(P1)));
        assert_ok!(Staking::unbond(signed(P1), MIN_BOND));
        assert_noop!(Staking::deregister(signed(P1)), Error::<Test>::NotIdle);
        assert_ok!(Staking::unbond_delegator(signed(P1), acc(D1)));
        assert_eq!(free(D1), INITIAL);
        assert!(Delegations::<Test>::get(acc(P1), acc(D1)).is_none());
        assert_noop!(Staking::unbond_delegator(signed(P1), acc(D1)), Error::<Test>::NotDelegated);
        set_block(UNBONDING + 6);
        assert_ok!(Staking::withdraw_unbonded(signed(P1)));
        assert_ok!(Staking::deregister(signed(P1)));
        assert!(Pools::<Test>::get(acc(P1)).is_none(), "the pool dissolved");
    });
}

#[test]
fn the_emission_of_an_era_goes_to_delegations_active_at_its_payout_only() {
    with_warmup(|| {
        EmissionPerBlock::set(100);
        register(P1, 1_000);
        delegate_at_once(D1, 1_000);
        Staking::record_outcome(&acc(P1), compute_primitives::JobOutcome::Completed { work_units: 10 }, JOB);
        // Just before the era's payout, the attacker delegates a thousand times the pool.
        run_to_block(ERA - 1);
        assert_ok!(Staking::delegate(signed(D2), acc(P1), 1_000_000));
        run_to_block(ERA + 2);
        assert!(events().iter().any(|e| matches!(e, Event::EmissionPaid { .. })));
        // 900 emitted: half to the bond, half to D1, none to D2.
        assert_eq!(delegation_value(P1, D1), 1_450);
        assert_eq!(stats(P1, D2).active, 0);
        assert_eq!(pool(P1).warming_up, 1_000_000);
    });
}

#[cfg(feature = "runtime-benchmarks")]
#[test]
fn the_benchmarks_costliest_pool_is_consistent_and_all_of_it_is_met_by_a_slash() {
    with_warmup(|| {
        set_block(20);
        register(P1, MIN_BOND);
        assert_eq!(Staking::fill_pool_for_benchmark(&acc(P1), u32::MAX), 2);
        let filled = pool(P1);
        assert_eq!(
            filled.bond_unbonding.len() as u32,
            <<Test as Config>::MaxUnbondingChunks as frame_support::traits::Get<u32>>::get()
        );
        assert!(!filled.unbonding_keys.is_empty());
        assert_eq!((filled.warm_up_keys.len(), DelegationWarmup::<Test>::get()), (2, WARMUP));
        Staking::do_try_state().unwrap();
        System::reset_events();
        let (credit, _) = Staking::slash(&acc(P1), 100, JOB, 20);
        drop(credit);
        let activated = events().iter().filter(|e| matches!(e, Event::DelegationsActivated { .. })).count();
        assert_eq!(activated, 2);
    });
}
