//! `ComputeProviders::sample`: eligibility, distinctness, stake weighting, and cost.
//!
//! Statistical tests use a fixed set of seeds (`blake2_256` of the index), so they are deterministic; the
//! thresholds are those of a test at the 0.1% level, so a correct sampler passes with probability 99.9%
//! for a random seed set (and, the seeds being fixed, always). A sampler off by the margins that matter
//! (uniform instead of stake-weighted, say) fails by orders of magnitude: each test checks that too.

use super::*;
use codec::Encode;
use compute_primitives::{ComputeProviders, DeterminismClass, ProviderError, Requirements};
use std::collections::BTreeSet;

fn seed(i: u32) -> [u8; 32] {
    sp_io::hashing::blake2_256(&i.to_le_bytes())
}

fn any() -> Requirements<Balance> {
    Requirements {
        min_vram_mib: 0,
        determinism_class: None,
        offer: Balance::MAX,
        min_stake: 0,
        beyond_capacity: false,
    }
}

/// Registers `n` with the given profile tweaks.
fn register_custom(n: u8, bond: Balance, vram: u32, class: u8, ask: Balance, capacity: u32) {
    let mut p = profile();
    p.vram_mib = vram;
    p.determinism_class = DeterminismClass([class; 16]);
    p.ask = ask;
    p.max_concurrent_jobs = capacity;
    assert_ok!(Staking::register_provider(signed(n), p, Perbill::zero(), bond));
}

#[test]
fn nothing_to_sample_from() {
    ExtBuilder::default().build_and_execute(|| {
        assert_eq!(
            Staking::sample(&seed(0), 1, &any()),
            Err(ProviderError::NotEnoughEligible { eligible: 0 })
        );
        assert_eq!(Staking::sample(&seed(0), 0, &any()), Ok(vec![]));
        register(P1, MIN_BOND);
        assert_eq!(Staking::sample(&seed(0), 1, &any()), Ok(vec![acc(P1)]));
        assert_eq!(
            Staking::sample(&seed(0), 2, &any()),
            Err(ProviderError::NotEnoughEligible { eligible: 1 })
        );
    });
}

#[test]
fn never_ineligible_never_duplicate() {
    ExtBuilder::default().build_and_execute(|| {
        // 24 providers: VRAM 4 / 8 / 16 / 24 GiB, classes 1 and 2, asks 50 / 150, capacity 1 or 2, some
        // chilled, some full, stakes over several levels.
        for n in 1..=24u8 {
            let vram = [4_096, 8_192, 16_384, 24_576][(n % 4) as usize];
            let class = 1 + n % 2;
            let ask = if n % 3 == 0 { 150 } else { 50 };
            let capacity = 1 + (n as u32 % 2);
            register_custom(
                n,
                MIN_BOND * (1 + n as u128 % 7) * (1 + n as u128 / 8),
                vram,
                class,
                ask,
                capacity,
            );
        }
        for n in [5u8, 12, 19] {
            assert_ok!(Staking::chill(signed(n)));
        }
        for n in [2u8, 7, 14] {
            while Staking::take_slot(&acc(n), false).is_ok() {}
        }
        let requirement_sets = [
            any(),
            Requirements {
                min_vram_mib: 16_384,
                determinism_class: None,
                offer: 100,
                min_stake: 0,
                beyond_capacity: false,
            },
            Requirements {
                min_vram_mib: 8_192,
                determinism_class: Some(DeterminismClass([2; 16])),
                offer: 200,
                min_stake: 0,
                beyond_capacity: false,
            },
            Requirements {
                min_vram_mib: 0,
                determinism_class: Some(DeterminismClass([1; 16])),
                offer: 50,
                min_stake: 0,
                beyond_capacity: false,
            },
        ];
        let mut failures = BTreeMap::new();
        for (r, requirements) in requirement_sets.iter().enumerate() {
            let eligible: Vec<AccountId> = (1..=24u8)
                .map(acc)
                .filter(|a| {
                    Staking::is_eligible(
                        &Providers::<Test>::get(a).unwrap(),
                        Pools::<Test>::get(a).unwrap().active_stake(),
                        requirements,
                    )
                })
                .collect();
            assert!(eligible.len() >= 4, "requirement set {r} leaves {} eligible", eligible.len());
            for i in 0..500u32 {
                for count in 1..=4u32 {
                    match Staking::sample(&seed(i * 10 + count), count, requirements) {
                        Ok(chosen) => {
                            assert_eq!(chosen.len(), count as usize);
                            for (k, who) in chosen.iter().enumerate() {
                                assert!(eligible.contains(who), "ineligible {who:?} for set {r}");
                                assert!(!chosen[..k].contains(who), "duplicate {who:?}");
                            }
                        }
                        Err(ProviderError::NotEnoughEligible { eligible: found }) => {
                            assert!(found < count);
                            *failures.entry((r, count)).or_insert(0u32) += 1;
                        }
                        Err(e) => panic!("unexpected {e:?}"),
                    }
                }
            }
        }
        // With most of the stake eligible, up to three picks never fail (each below 10⁻⁶).
        for count in 1..=3 {
            assert_eq!(failures.get(&(0, count)), None, "failures: {failures:?}");
        }
    });
}

/// Stakes spanning six stake levels; shares 1% … 52%.
const STAKES: [Balance; 8] = [1_000, 1_500, 2_500, 4_000, 7_000, 12_000, 20_000, 52_000];

fn chi_square(observed: &[u64], expected: &[f64]) -> f64 {
    observed.iter().zip(expected).map(|(o, e)| (*o as f64 - e).powi(2) / e).sum()
}

#[test]
fn single_picks_follow_stake_shares() {
    ExtBuilder::default().build_and_execute(|| {
        for (i, stake) in STAKES.iter().enumerate() {
            register(i as u8 + 1, *stake);
        }
        let total: Balance = STAKES.iter().sum();
        const DRAWS: u32 = 20_000;
        let mut observed = [0u64; 8];
        for i in 0..DRAWS {
            let chosen = Staking::sample(&seed(i), 1, &any()).expect("all eligible");
            let index = (1..=8u8).position(|n| acc(n) == chosen[0]).unwrap();
            observed[index] += 1;
        }
        let expected: Vec<f64> = STAKES.iter().map(|s| DRAWS as f64 * *s as f64 / total as f64).collect();
        let chi2 = chi_square(&observed, &expected);
        // 7 degrees of freedom: P(χ² > 24.32) = 0.001.
        assert!(chi2 < 24.32, "χ² = {chi2:.2}, observed {observed:?}, expected {expected:?}");
        // Power: the same counts against a uniform choice are rejected by far.
        let uniform = vec![DRAWS as f64 / 8.0; 8];
        assert!(chi_square(&observed, &uniform) > 1_000.0);
    });
}

/// Exact inclusion probabilities of stake-weighted successive sampling of `count` out of `weights`.
fn inclusion(weights: &[f64], count: usize) -> Vec<f64> {
    fn walk(weights: &[f64], taken: &mut Vec<usize>, p: f64, count: usize, out: &mut [f64]) {
        if taken.len() == count {
            for i in taken.iter() {
                out[*i] += p;
            }
            return;
        }
        let left: f64 = weights.iter().enumerate().filter(|(i, _)| !taken.contains(i)).map(|(_, w)| w).sum();
        for i in 0..weights.len() {
            if !taken.contains(&i) {
                taken.push(i);
                walk(weights, taken, p * weights[i] / left, count, out);
                taken.pop();
            }
        }
    }
    let mut out = vec![0.0; weights.len()];
    walk(weights, &mut Vec::new(), 1.0, count, &mut out);
    out
}

#[test]
fn multi_picks_follow_successive_sampling() {
    ExtBuilder::default().build_and_execute(|| {
        let stakes = [1_000u128, 2_000, 3_000, 6_000, 12_000, 24_000];
        for (i, stake) in stakes.iter().enumerate() {
            register(i as u8 + 1, *stake);
        }
        const DRAWS: u32 = 20_000;
        let mut observed = [0u64; 6];
        for i in 0..DRAWS {
            for who in Staking::sample(&seed(i), 3, &any()).expect("all eligible") {
                observed[(1..=6u8).position(|n| acc(n) == who).unwrap()] += 1;
            }
        }
        let weights: Vec<f64> = stakes.iter().map(|s| *s as f64).collect();
        let exact = inclusion(&weights, 3);
        assert!((exact.iter().sum::<f64>() - 3.0).abs() < 1e-9);
        for (i, p) in exact.iter().enumerate() {
            let mean = DRAWS as f64 * p;
            let sd = (DRAWS as f64 * p * (1.0 - p)).sqrt();
            // Per provider |z| < 4 (two-sided 6 × 10⁻⁵ each; 4 × 10⁻⁴ for the six).
            let z = (observed[i] as f64 - mean) / sd;
            assert!(z.abs() < 4.0, "provider {i}: observed {}, expected {mean:.0} (z = {z:.2})", observed[i]);
        }
        // Power: proportional-to-stake inclusion (the wrong model for sampling without replacement)
        // is rejected for the largest provider.
        let naive: f64 = 3.0 * 24_000.0 / 48_000.0;
        let naive = naive.min(1.0) * DRAWS as f64;
        assert!((observed[5] as f64 - naive).abs() > 500.0);
    });
}

#[test]
fn requirements_filter_the_draw_without_bias() {
    ExtBuilder::default().build_and_execute(|| {
        // Class 1 providers (odd) are eligible; even ones are not, and hold most of the stake.
        for n in 1..=6u8 {
            let stake = MIN_BOND * n as u128 * n as u128;
            register_custom(n, stake, 24_576, if n % 2 == 1 { 1 } else { 2 }, 25, 4);
        }
        let requirements = Requirements {
            min_vram_mib: 0,
            determinism_class: Some(DeterminismClass([1; 16])),
            offer: 25,
            min_stake: 0,
            beyond_capacity: false,
        };
        const DRAWS: u32 = 10_000;
        let mut observed = [0u64; 3];
        let mut failures = 0;
        for i in 0..DRAWS {
            match Staking::sample(&seed(i), 1, &requirements) {
                Ok(chosen) => {
                    observed[(chosen[0] == acc(3)) as usize + 2 * (chosen[0] == acc(5)) as usize] += 1
                }
                Err(_) => failures += 1,
            }
        }
        // Eligible stake 1 + 9 + 25 = 35 of 91 (38%): an attempt succeeds with probability ≥ 19%, 64
        // attempts fail together with probability below 10⁻⁵.
        assert_eq!(failures, 0);
        let expected: Vec<f64> = [1.0, 9.0, 25.0].iter().map(|s| DRAWS as f64 * s / 35.0).collect();
        // observed[0] counts P1, [1] P3, [2] P5. 2 degrees of freedom: P(χ² > 13.82) = 0.001.
        let chi2 = chi_square(&observed, &expected);
        assert!(chi2 < 13.82, "χ² = {chi2:.2}, observed {observed:?}");
    });
}

#[test]
fn the_index_follows_stake_changes() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        register(P2, MIN_BOND);
        register(P3, MIN_BOND);
        assert_eq!(ActiveLevels::<Test>::get(TIER).into_inner(), vec![LevelCount { level: 9, count: 3 }]);
        assert_eq!(ActiveTiers::<Test>::get().into_inner(), vec![TierMass { tier: TIER, mass: 3 << 10 }]);
        delegate(D1, P2, 3_000);
        assert_ok!(Staking::chill(signed(P1)));
        assert_eq!(
            ActiveLevels::<Test>::get(TIER).into_inner(),
            vec![LevelCount { level: 9, count: 1 }, LevelCount { level: 11, count: 1 }]
        );
        assert_eq!(ActiveSet::<Test>::get((TIER, 9), 0).map(|e| e.provider), Some(acc(P3)));
        assert_eq!(
            ActiveSet::<Test>::get((TIER, 11), 0).map(|e| (e.provider, e.weight)),
            Some((acc(P2), 4_000))
        );
        // A new ask moves a provider to its tier.
        assert_ok!(Staking::update_profile(signed(P3), ProviderProfile { ask: 200, ..profile() }));
        assert_eq!(provider(P3).position, Some(ActivePosition { tier: TIER + 4, level: 9, index: 0 }));
        assert_eq!(
            ActiveTiers::<Test>::get().into_inner(),
            vec![TierMass { tier: TIER, mass: 1 << 12 }, TierMass { tier: TIER + 4, mass: 1 << 10 }]
        );
        // Sampling never returns the chilled provider.
        for i in 0..200 {
            assert!(!Staking::sample(&seed(i), 2, &any()).unwrap().contains(&acc(P1)));
        }
    });
}

/// A job whose reward needs more stake at risk than a provider has is never given to it: delegations
/// count, a slash that lowers the stake below the bar removes the provider from such jobs.
#[test]
fn providers_with_too_little_stake_for_the_reward_are_not_drawn() {
    ExtBuilder::default().build_and_execute(|| {
        register(P1, MIN_BOND);
        register(P2, MIN_BOND * 4);
        let needs = |min_stake| Requirements { min_stake, ..any() };
        let drawn = |requirements: &Requirements<Balance>| -> BTreeSet<AccountId> {
            (0..200).filter_map(|i| Staking::sample(&seed(i), 1, requirements).ok()).flatten().collect()
        };
        assert_eq!(drawn(&needs(MIN_BOND)), BTreeSet::from([acc(P1), acc(P2)]));
        assert_eq!(drawn(&needs(MIN_BOND * 2)), BTreeSet::from([acc(P2)]));
        assert!(matches!(
            Staking::sample(&seed(1), 2, &needs(MIN_BOND * 2)),
            Err(ProviderError::NotEnoughEligible { eligible: 1 })
        ));
        delegate(D1, P1, MIN_BOND);
        assert_eq!(drawn(&needs(MIN_BOND * 2)), BTreeSet::from([acc(P1), acc(P2)]));
        let p1 = Providers::<Test>::get(acc(P1)).unwrap();
        assert!(Staking::is_eligible(&p1, MIN_BOND * 2, &needs(MIN_BOND * 2)));
        assert!(!Staking::is_eligible(&p1, MIN_BOND * 2 - 1, &needs(MIN_BOND * 2)));
        assert_ok!(Staking::force_slash(RuntimeOrigin::root(), acc(P2), MIN_BOND * 2 + 1));
        assert!(Providers::<Test>::get(acc(P2)).unwrap().status == ProviderStatus::Active, "still active");
        assert_eq!(drawn(&needs(MIN_BOND * 2)), BTreeSet::from([acc(P1)]));
    });
}

#[test]
fn the_index_follows_terms_and_capacity() {
    ExtBuilder::default().build_and_execute(|| {
        register_custom(P1, MIN_BOND, 8_192, 1, 50, 2);
        register_custom(P2, MIN_BOND, 8_192, 1, 50, 2);
        let drawn = |requirements: &Requirements<Balance>| -> BTreeSet<AccountId> {
            (0..100).filter_map(|i| Staking::sample(&seed(i), 1, requirements).ok()).flatten().collect()
        };
        assert_eq!(drawn(&any()), BTreeSet::from([acc(P1), acc(P2)]));
        // A full provider is not drawn until a slot is free again.
        assert_ok!(Staking::take_slot(&acc(P1), false));
        assert_eq!(drawn(&any()), BTreeSet::from([acc(P1), acc(P2)]), "one slot left");
        assert_ok!(Staking::take_slot(&acc(P1), false));
        assert_eq!(drawn(&any()), BTreeSet::from([acc(P2)]));
        Staking::free_slot(&acc(P1));
        assert_eq!(drawn(&any()), BTreeSet::from([acc(P1), acc(P2)]));
        // A new profile's ask, memory and class are what the draw is matched against.
        let offer_100 = Requirements {
            min_vram_mib: 0,
            determinism_class: None,
            offer: 100,
            min_stake: 0,
            beyond_capacity: false,
        };
        let mut raised = profile();
        raised.ask = 200;
        raised.vram_mib = 24_576;
        raised.determinism_class = DeterminismClass([3; 16]);
        assert_ok!(Staking::update_profile(signed(P2), raised));
        assert_eq!(drawn(&offer_100), BTreeSet::from([acc(P1)]));
        let big = Requirements {
            min_vram_mib: 16_384,
            determinism_class: Some(DeterminismClass([3; 16])),
            offer: 200,
            min_stake: 0,
            beyond_capacity: false,
        };
        assert_eq!(drawn(&big), BTreeSet::from([acc(P2)]));
    });
}

/// Cost against the number of providers, measured natively (not in Wasm, no database): prints the
/// average time of a worst-case call (no provider eligible, all `MaxSampleAttempts` draws made) and of a
/// typical one (3 picks, all eligible), and the proof size of the worst case.
/// `cargo test --release -p pallet-compute-staking sampling_cost -- --ignored --nocapture`
#[test]
#[ignore]
fn sampling_cost() {
    use std::time::Instant;
    for n in [10u32, 1_000, 10_000] {
        let mut ext = ExtBuilder::default().build();
        ext.execute_with(|| {
            for i in 0..n {
                let who = sp_runtime::AccountId32::new(sp_io::hashing::blake2_256(&(b"p", i).encode()));
                <Balances as frame_support::traits::fungible::Mutate<_>>::set_balance(&who, 10 * MIN_BOND);
                let stake = 1_023 + (i as u128 % 7) * 1_000;
                assert_ok!(Staking::register_provider(
                    RuntimeOrigin::signed(who),
                    profile(),
                    Perbill::zero(),
                    stake
                ));
            }
        });
        ext.commit_all().unwrap();
        let impossible = Requirements {
            min_vram_mib: u32::MAX,
            determinism_class: None,
            offer: Balance::MAX,
            min_stake: 0,
            beyond_capacity: false,
        };
        let (_, proof) = ext.execute_and_prove(|| {
            let _ = Staking::sample(&seed(1), 3, &impossible);
        });
        ext.execute_with(|| {
            const CALLS: u32 = 200;
            let start = Instant::now();
            for i in 0..CALLS {
                assert!(Staking::sample(&seed(i), 3, &impossible).is_err());
            }
            let worst = start.elapsed() / CALLS;
            let start = Instant::now();
            for i in 0..CALLS {
                assert!(Staking::sample(&seed(i), 3, &any()).is_ok());
            }
            let typical = start.elapsed() / CALLS;
            println!(
                "providers {n:>6}: worst case {worst:>10.2?} (proof: {} trie nodes, {} bytes), 3 eligible picks {typical:>10.2?}",
                proof.len(),
                proof.iter_nodes().map(|node| node.len()).sum::<usize>()
            );
        });
    }
}

/// Finding 12 of the sound-economics review: stake that no offer pays (an ask above every offer) took most
/// of the draws and starved honest jobs. Asks are now tiers, and a draw covers only the tiers its offer
/// pays.
#[test]
fn stake_that_asks_more_than_the_offer_uses_up_no_draws() {
    ExtBuilder::default().build_and_execute(|| {
        // Three honest providers at the lowest ask; an attacker with 10 000 times the stake of each asks the
        // most there is.
        for n in 1..=3u8 {
            register_custom(n, MIN_BOND, 24_576, 1, ASK_TIER_BASE, 4);
        }
        let top = crate::ask_tier_price(ASK_TIER_BASE, crate::ASK_TIERS - 1).unwrap();
        register_custom(9, MIN_BOND * 10_000, 24_576, 2, top, 4);
        let cheap = Requirements {
            min_vram_mib: 0,
            determinism_class: None,
            offer: ASK_TIER_BASE,
            min_stake: 0,
            beyond_capacity: false,
        };
        for i in 0..200 {
            let chosen = Staking::sample(&seed(i), 3, &cheap).expect("the honest providers are drawn");
            assert!(!chosen.contains(&acc(9)));
        }
        // An offer that pays the attacker's tier draws it, by stake.
        let rich = Requirements { offer: top, ..cheap };
        assert!((0..20).any(|i| Staking::sample(&seed(i), 1, &rich) == Ok(vec![acc(9)])));
        // What every draw looked like before: the attacker's stake inside the envelope, ineligible (here by
        // its class, which the tiers do not separate): nearly every call fails.
        let other_class = Requirements { determinism_class: Some(DeterminismClass([1; 16])), ..rich };
        let failed = (0..200).filter(|i| Staking::sample(&seed(*i), 3, &other_class).is_err()).count();
        assert!(failed >= 195, "{failed} of 200 failed");
    });
}
