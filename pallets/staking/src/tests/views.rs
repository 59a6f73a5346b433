//! The runtime API's views: `provider_stats`, `delegation_stats` and `quote_offer`; genesis providers.

use super::*;
use crate::UnbondingValue;
use compute_primitives::ComputeProviders;
use frame_support::traits::BuildGenesisConfig;

#[test]
fn stats_report_the_record_and_an_annualised_yield() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::from_percent(10), 3_000);
        delegate(D1, P1, 1_000);
        assert_eq!(Staking::provider_stats(&acc(P1), 1_000).unwrap().estimated_annual_yield, Perbill::zero());
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_000, JOB));
        // Registered at block 1; at block 11 the pool earned 900 (after 10% commission) in 10 blocks on a
        // stake of 4_900: 90 per block, 90_000 a year of 1_000 blocks, capped at 100%.
        set_block(11);
        let stats = Staking::provider_stats(&acc(P1), 1_000).unwrap();
        assert_eq!(stats.pool_earnings, 900);
        assert_eq!(stats.bond, 3_675);
        assert_eq!(stats.delegated, 1_225);
        assert_eq!(stats.registered_at, 1);
        assert_eq!(stats.reputation.total_earned, 1_000);
        assert_eq!(stats.estimated_annual_yield, Perbill::one());
        // Finding 11: a job payment, which the provider may have paid itself, is no emission.
        assert_eq!(stats.estimated_emission_yield, Perbill::zero());
        assert_eq!(stats.reputation.canaries_completed, 0);
        // A year of 100 blocks: 9_000 / 4_900 is still above 100%; 10 blocks: 900 / 4_900.
        assert_eq!(
            Staking::provider_stats(&acc(P1), 10).unwrap().estimated_annual_yield,
            Perbill::from_rational(900u128, 4_900u128)
        );
        assert!(stats.active);
        assert_eq!(stats.chilled_because, None);
        assert_eq!(Staking::provider_stats(&acc(P2), 1_000), None);
    });
}

#[test]
fn stats_show_a_chilled_provider() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        assert_ok!(Staking::chill(signed(P1)));
        let stats = Staking::provider_stats(&acc(P1), 1_000).unwrap();
        assert!(!stats.active);
        assert_eq!(stats.chilled_because, Some(ChillReason::Requested));
    });
}

#[test]
fn delegation_stats_value_shares_and_claims_as_a_withdrawal_would() {
    ExtBuilder::default().build_and_execute(|| {
        register_with(P1, profile(), Perbill::zero(), 3_000);
        assert_eq!(Staking::delegation_stats(&acc(P1), &acc(D1)), None);
        delegate(D1, P1, 1_000);
        delegate(D2, P1, 2_000);
        // 1_200 to the pool: 600 to the bond, 200 to D1's shares, 400 to D2's.
        assert_ok!(Staking::reward(&acc(P1), &acc(PAYER), 1_200, JOB));
        let stats = Staking::delegation_stats(&acc(P1), &acc(D1)).unwrap();
        assert_eq!(stats.active, 1_200);
        assert_eq!(stats.active, delegation_value(P1, D1));
        assert_eq!(stats.pool_shares, pool(P1).shares);
        assert_eq!(stats.shares * 3, stats.pool_shares);
        assert!(stats.unbonding.is_empty());
        assert_eq!(stats.withdrawable, 0);

        assert_ok!(Staking::undelegate(signed(D1), acc(P1), 300));
        let unlock = claims(P1, D1)[0].unlock;
        let stats = Staking::delegation_stats(&acc(P1), &acc(D1)).unwrap();
        assert_eq!(stats.active, 900);
        assert_eq!(stats.unbonding, vec![UnbondingValue { unlock, value: 300 }]);
        assert_eq!(stats.withdrawable, 0, "not unlocked yet");
        set_block(unlock);
        assert_eq!(Staking::delegation_stats(&acc(P1), &acc(D1)).unwrap().withdrawable, 300);
        let free_before = free(D1);
        assert_ok!(Staking::withdraw_delegation(signed(D1), acc(P1)));
        assert_eq!(free(D1), free_before + 300, "the view announced what the withdrawal released");
    });
}

#[test]
fn quote_is_the_nth_smallest_ask_of_providers_that_qualify() {
    ExtBuilder::default().build_and_execute(|| {
        for (n, ask, vram) in [(P1, 400, 24_576), (P2, 100, 24_576), (P3, 200, 8_192)] {
            register_with(n, ProviderProfile { ask, vram_mib: vram, ..profile() }, Perbill::zero(), MIN_BOND);
        }
        assert_eq!(Staking::quote_offer(1, 0, None), Ok((100, 3)));
        assert_eq!(Staking::quote_offer(2, 0, None), Ok((200, 3)));
        assert_eq!(Staking::quote_offer(3, 0, None), Ok((400, 3)));
        assert_eq!(Staking::quote_offer(4, 0, None), Err(3));
        assert_eq!(Staking::quote_offer(2, 16_384, None), Ok((400, 2)), "P3 has too little memory");
        assert_eq!(Staking::quote_offer(1, 0, Some(DeterminismClass([9; 16]))), Err(0));
        assert_eq!(Staking::quote_offer(0, 0, None), Err(3));
        // A full provider does not count.
        for _ in 0..profile().max_concurrent_jobs {
            assert_ok!(Staking::take_slot(&acc(P2), false));
        }
        assert_eq!(Staking::quote_offer(1, 0, None), Ok((200, 2)));
        for _ in 0..profile().max_concurrent_jobs {
            Staking::free_slot(&acc(P2));
        }
        // Nor does a chilled one.
        assert_ok!(Staking::chill(signed(P2)));
        assert_eq!(Staking::quote_offer(1, 0, None), Ok((200, 2)));
    });
}

fn genesis_provider(bond: Balance) -> crate::GenesisProvider<Test> {
    crate::GenesisProvider { account: acc(P1), bond, vram_mib: 8_192, max_concurrent_jobs: 2, ask: 50 }
}

#[test]
fn genesis_registers_providers_from_their_free_balance() {
    let mut ext = ExtBuilder::default().build();
    ext.execute_with(|| {
        crate::GenesisConfig::<Test> { providers: vec![genesis_provider(MIN_BOND)], delegation_warmup: 0 }
            .build();
        let info = provider(P1);
        assert_eq!(info.status, ProviderStatus::Active);
        assert_eq!(
            (info.profile.vram_mib, info.profile.max_concurrent_jobs, info.profile.ask),
            (8_192, 2, 50)
        );
        assert_eq!(bond_hold(P1), MIN_BOND);
        assert_eq!(free(P1), INITIAL - MIN_BOND - ED);
        assert_eq!(Staking::stake_of(&acc(P1)), MIN_BOND);
        Staking::do_try_state().unwrap();
    });
}

#[test]
#[should_panic(expected = "cannot register")]
fn genesis_refuses_an_underbonded_provider() {
    let mut ext = ExtBuilder::default().build();
    ext.execute_with(|| {
        crate::GenesisConfig::<Test> {
            providers: vec![genesis_provider(MIN_BOND - 1)],
            delegation_warmup: 0,
        }
        .build();
    });
}
