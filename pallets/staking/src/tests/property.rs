//! Property test: random sequences of up to 50 operations over three providers and four delegators,
//! with or without a delegation warm-up.
//!
//! After every operation: `do_try_state`; a refused call moved no balance or hold; total issuance moved
//! only by the slashed funds (burned; emission is off). After every slash: each bucket (self-bond,
//! delegated stake, slashable chunk or unbonding pool) lost its exact pro-rata share of the slash, less
//! under one planck, so each delegator lost its pro-rata share within one planck (exact share value) and
//! never a planck or more beyond it (claimable value). At the end everybody exits; nobody withdraws more
//! than it put in plus its rewards (a delegator: plus the sub-planck rounding dust other holders left in
//! the pool, at most one planck per operation), and what came out equals exactly what went in plus
//! rewards minus slashes: no token created or lost.

use super::*;
use compute_primitives::ComputeProviders;
use proptest::prelude::*;
use sp_runtime::{biguint::BigUint, helpers_128bit::multiply_by_rational_with_rounding, Rounding};

const PROVIDERS: [u8; 3] = [P1, P2, P3];
const DELEGATORS: [u8; 4] = [D1, D2, D3, 14];

#[derive(Debug, Clone)]
enum Op {
    Delegate {
        d: u8,
        p: u8,
        amount: u128,
    },
    /// Of the `pick`-th active delegation (modulo their number).
    Undelegate {
        pick: u8,
        amount: u128,
    },
    /// Of the `pick`-th delegation with unbonding claims.
    WithdrawDelegation {
        pick: u8,
    },
    BondExtra {
        p: u8,
        amount: u128,
    },
    Unbond {
        p: u8,
        amount: u128,
    },
    WithdrawUnbonded {
        p: u8,
    },
    Reward {
        p: u8,
        amount: u128,
    },
    Slash {
        p: u8,
        amount: u128,
    },
    SetCommission {
        p: u8,
        percent: u32,
    },
    Chill {
        p: u8,
    },
    Rejoin {
        p: u8,
    },
    Advance {
        blocks: u64,
    },
    /// Of the `pick`-th delegation with tokens warming up.
    CancelPending {
        pick: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let p = || prop::sample::select(PROVIDERS.to_vec());
    let d = || prop::sample::select(DELEGATORS.to_vec());
    prop_oneof![
        4 => (d(), p(), 1u128..200_000).prop_map(|(d, p, amount)| Op::Delegate { d, p, amount }),
        3 => (any::<u8>(), 1u128..300_000).prop_map(|(pick, amount)| Op::Undelegate { pick, amount }),
        2 => any::<u8>().prop_map(|pick| Op::WithdrawDelegation { pick }),
        1 => (p(), 1u128..100_000).prop_map(|(p, amount)| Op::BondExtra { p, amount }),
        2 => (p(), 1u128..20_000).prop_map(|(p, amount)| Op::Unbond { p, amount }),
        1 => p().prop_map(|p| Op::WithdrawUnbonded { p }),
        3 => (p(), 0u128..100_000).prop_map(|(p, amount)| Op::Reward { p, amount }),
        3 => (p(), 0u128..20_000).prop_map(|(p, amount)| Op::Slash { p, amount }),
        1 => (p(), 0u128..400_000).prop_map(|(p, amount)| Op::Slash { p, amount }),
        1 => (p(), 0u32..=60).prop_map(|(p, percent)| Op::SetCommission { p, percent }),
        1 => p().prop_map(|p| Op::Chill { p }),
        1 => p().prop_map(|p| Op::Rejoin { p }),
        3 => (1u64..12).prop_map(|blocks| Op::Advance { blocks }),
        1 => any::<u8>().prop_map(|pick| Op::CancelPending { pick }),
    ]
}

/// Money flows of the run, per account.
#[derive(Default)]
struct Flows {
    /// Tokens put in (bonded or delegated).
    put_in: BTreeMap<u8, u128>,
    /// Tokens withdrawn back.
    taken_out: BTreeMap<u8, u128>,
    /// Upper bound of rewards earned on stake: for a delegator the sum of `ceil(share of each reward)`,
    /// for a provider the sum of what was added to its bond.
    rewards: BTreeMap<u8, u128>,
    /// Rewards paid into pools (bond and delegators), in total.
    rewards_to_pools: u128,
    /// Tokens slashed, in total.
    slashed: u128,
}

fn add(map: &mut BTreeMap<u8, u128>, n: u8, amount: u128) {
    *map.entry(n).or_default() += amount;
}

/// Free balance and both holds of every account and pool involved.
fn balances() -> Vec<(u128, u128, u128)> {
    PROVIDERS
        .iter()
        .chain(DELEGATORS.iter())
        .chain([PAYER].iter())
        .map(|n| (free(*n), bond_hold(*n), delegation_hold(*n)))
        .collect()
}

/// The slashable buckets of a provider now: (bond, chunks, delegated, unbonding pools).
struct Buckets {
    bond: u128,
    chunks: Vec<(u64, u128)>,
    delegated: u128,
    shares: u128,
    pools: Vec<(u64, UnbondingPool<u128>)>,
}

fn buckets(p: u8) -> Buckets {
    let now = System::block_number();
    let pool = pool(p);
    Buckets {
        bond: pool.bond,
        chunks: pool.bond_unbonding.iter().filter(|c| c.unlock > now).map(|c| (c.unlock, c.value)).collect(),
        delegated: pool.delegated,
        shares: pool.shares,
        pools: UnbondingPools::<Test>::iter_prefix(acc(p)).filter(|(k, _)| *k > now).collect(),
    }
}

impl Buckets {
    fn total(&self) -> u128 {
        self.bond
            + self.delegated
            + self.chunks.iter().map(|c| c.1).sum::<u128>()
            + self.pools.iter().map(|p| p.1.balance).sum::<u128>()
    }
}

fn big(x: u128) -> BigUint {
    BigUint::from(x)
}

/// `floor(a × b / c)` without overflow (the result fits: `a <= c`).
fn mul_div(a: u128, b: u128, c: u128) -> u128 {
    multiply_by_rational_with_rounding(a, b, c, Rounding::Down).expect("a part of a bucket fits")
}

/// `cut` of a bucket of `before` tokens is its pro-rata share of `take` of `total`, less under one planck
/// (or exactly one when the bucket keeps its last planck). Compared scaled by `total`, in big integers.
fn assert_bucket_cut(what: &str, before: u128, after: u128, take: u128, total: u128) {
    let cut = before - after;
    let exact = big(before) * big(take);
    let scaled = big(cut) * big(total);
    assert!(scaled <= exact, "{what}: cut {cut} beyond pro rata {before} × {take} / {total}");
    assert!(
        exact <= scaled + big(total),
        "{what}: cut {cut} more than a planck short of {before} × {take} / {total}"
    );
}

/// A holder of `part` of `parts` of a bucket going from `before` to `after`: exact loss within one planck
/// of its pro-rata share, claimable (rounded down) loss never a planck beyond it nor two short of it.
fn assert_holder_loss(
    what: &str,
    part: u128,
    parts: u128,
    before: u128,
    after: u128,
    take: u128,
    total: u128,
) {
    if part == 0 {
        return;
    }
    // Exact values are `part × bucket / parts`; everything below is scaled by `parts × total`.
    let unit = big(parts) * big(total);
    let ideal = big(part) * big(before) * big(take);
    let exact_loss = big(part) * big(before - after) * big(total);
    assert!(exact_loss <= ideal, "{what}: lost more than pro rata");
    assert!(ideal <= exact_loss + unit.clone(), "{what}: exact loss more than a planck short of pro rata");
    let claim_loss = big(mul_div(part, before, parts) - mul_div(part, after, parts)) * unit.clone();
    assert!(
        claim_loss < ideal.clone() + unit.clone(),
        "{what}: claimable loss a planck or more beyond pro rata"
    );
    assert!(claim_loss + unit.clone() + unit > ideal, "{what}: claimable loss two planck short of pro rata");
}

/// Rewards and slashes activate the batches that are due before they pay or take anything: brings the
/// pool (and its delegators' claims, as their next operation would) to that state, so that the checks
/// compare with the pool the payment or slash meets.
fn activate_and_settle(p: u8) {
    let mut activated = pool(p);
    Staking::activate_due(&acc(p), &mut activated);
    for d in DELEGATORS {
        if let Some(mut delegation) = Delegations::<Test>::get(acc(p), acc(d)) {
            Staking::settle_claims(&acc(p), &mut delegation, &mut activated).expect("claims settle");
            Delegations::<Test>::insert(acc(p), acc(d), delegation);
        }
    }
    // The pallet reweighs a provider's sampler entry whenever it activates stake (`after_stake_change`); so
    // must this shortcut, or an operation that activates nothing (a reward of 0) leaves the entry stale.
    Staking::after_stake_change(&acc(p), &activated);
    Pools::<Test>::insert(acc(p), activated);
}

/// A delegator of the slashed pool: its shares and its unbonding claims.
type Member = (u8, u128, Vec<UnbondingClaim<u64, u128>>);

fn check_slash(p: u8, amount: u128, flows: &mut Flows) {
    activate_and_settle(p);
    let before = buckets(p);
    let total = before.total();
    let take = amount.min(total);
    let members: Vec<Member> = DELEGATORS
        .iter()
        .filter_map(|d| {
            Delegations::<Test>::get(acc(p), acc(*d)).map(|x| (*d, x.shares, x.unbonding.into_inner()))
        })
        .collect();
    let issuance_before = issuance();
    let (credit, slashed) = Staking::slash(&acc(p), amount, JOB, 0);
    drop(credit);
    flows.slashed += slashed;
    assert!(slashed <= amount);
    assert_eq!(issuance(), issuance_before - slashed, "the dropped credit is burned");
    if total == 0 || amount == 0 {
        assert_eq!(slashed, 0);
        return;
    }
    let after = buckets(p);
    assert_bucket_cut("bond", before.bond, after.bond, take, total);
    assert_bucket_cut("delegated", before.delegated, after.delegated, take, total);
    let chunk_after = |unlock: u64| {
        pool(p).bond_unbonding.iter().find(|c| c.unlock == unlock).map(|c| c.value).unwrap_or(0)
    };
    for (unlock, value) in before.chunks.iter() {
        assert_bucket_cut("chunk", *value, chunk_after(*unlock), take, total);
    }
    for (unlock, sub) in before.pools.iter() {
        let sub_after = UnbondingPools::<Test>::get(acc(p), unlock).unwrap();
        assert_bucket_cut("unbonding pool", sub.balance, sub_after.balance, take, total);
        for (d, _, claims) in members.iter() {
            for claim in claims.iter().filter(|c| c.unlock == *unlock) {
                let what = format!("claim of {d}");
                assert_holder_loss(
                    &what,
                    claim.points,
                    sub.points,
                    sub.balance,
                    sub_after.balance,
                    take,
                    total,
                );
            }
        }
    }
    for (d, shares, _) in members.iter() {
        let what = format!("shares of {d}");
        assert_holder_loss(&what, *shares, before.shares, before.delegated, after.delegated, take, total);
    }
}

/// The `pick`-th (modulo) delegation that satisfies `filter`, as (delegator, provider).
fn pick_delegation(pick: u8, filter: impl Fn(&Delegation<Test>) -> bool) -> Option<(u8, u8)> {
    let all: Vec<(u8, u8)> = PROVIDERS
        .iter()
        .flat_map(|p| DELEGATORS.iter().map(move |d| (*d, *p)))
        .filter(|(d, p)| Delegations::<Test>::get(acc(*p), acc(*d)).is_some_and(|x| filter(&x)))
        .collect();
    if all.is_empty() {
        None
    } else {
        Some(all[pick as usize % all.len()])
    }
}

fn apply(op: &Op, flows: &mut Flows) {
    let before = balances();
    let result: Result<(), String> = match op.clone() {
        Op::Delegate { d, p, amount } => Staking::delegate(signed(d), acc(p), amount)
            .map(|_| add(&mut flows.put_in, d, amount))
            .map_err(|e| format!("{e:?}")),
        Op::Undelegate { pick, amount } => {
            match pick_delegation(pick, |x| x.shares > 0 || !x.pending.is_empty()) {
                Some((d, p)) => Staking::undelegate(signed(d), acc(p), amount).map_err(|e| format!("{e:?}")),
                None => Ok(()),
            }
        }
        Op::WithdrawDelegation { pick } => {
            let Some((d, p)) = pick_delegation(pick, |x| !x.unbonding.is_empty()) else {
                return;
            };
            let start = free(d);
            Staking::withdraw_delegation(signed(d), acc(p))
                .map(|_| add(&mut flows.taken_out, d, free(d) - start))
                .map_err(|e| format!("{e:?}"))
        }
        Op::BondExtra { p, amount } => Staking::bond_extra(signed(p), amount)
            .map(|_| add(&mut flows.put_in, p, amount))
            .map_err(|e| format!("{e:?}")),
        Op::Unbond { p, amount } => Staking::unbond(signed(p), amount).map_err(|e| format!("{e:?}")),
        Op::WithdrawUnbonded { p } => {
            let start = free(p);
            Staking::withdraw_unbonded(signed(p))
                .map(|_| add(&mut flows.taken_out, p, free(p) - start))
                .map_err(|e| format!("{e:?}"))
        }
        Op::Reward { p, amount } => {
            activate_and_settle(p);
            let pool = pool(p);
            let members: Vec<(u8, u128)> = DELEGATORS
                .iter()
                .filter_map(|d| Delegations::<Test>::get(acc(p), acc(*d)).map(|x| (*d, x.shares)))
                .collect();
            System::reset_events();
            let result = Staking::reward(&acc(p), &acc(PAYER), amount, JOB).map_err(|e| format!("{e:?}"));
            if result.is_ok() && amount > 0 {
                let split = events()
                    .into_iter()
                    .find_map(|e| if let Event::Rewarded { split, .. } = e { Some(split) } else { None })
                    .expect("a reward event");
                assert_eq!(split.commission + split.to_bond + split.to_delegators, amount);
                add(&mut flows.rewards, p, split.to_bond);
                flows.rewards_to_pools += split.to_bond + split.to_delegators;
                for (d, shares) in members.into_iter().filter(|(_, s)| *s > 0 && split.to_delegators > 0) {
                    let share = multiply_by_rational_with_rounding(
                        split.to_delegators,
                        shares,
                        pool.shares,
                        Rounding::Up,
                    )
                    .expect("a share of a reward fits");
                    add(&mut flows.rewards, d, share);
                }
            }
            result
        }
        Op::Slash { p, amount } => {
            check_slash(p, amount, flows);
            Ok(())
        }
        Op::SetCommission { p, percent } => {
            Staking::set_commission(signed(p), Perbill::from_percent(percent)).map_err(|e| format!("{e:?}"))
        }
        Op::Chill { p } => Staking::chill(signed(p)).map_err(|e| format!("{e:?}")),
        Op::Rejoin { p } => Staking::rejoin(signed(p)).map_err(|e| format!("{e:?}")),
        Op::CancelPending { pick } => {
            let Some((d, p)) = pick_delegation(pick, |x| !x.pending.is_empty()) else {
                return;
            };
            let start = free(d);
            Staking::cancel_pending_delegation(signed(d), acc(p))
                .map(|_| add(&mut flows.taken_out, d, free(d) - start))
                .map_err(|e| format!("{e:?}"))
        }
        Op::Advance { blocks } => {
            run_to_block(System::block_number() + blocks);
            Ok(())
        }
    };
    if result.is_err() {
        assert_eq!(balances(), before, "refused {op:?} moved funds");
    }
    Staking::do_try_state().unwrap_or_else(|e| panic!("invariant broken after {op:?}: {e:?}"));
}

/// Everybody leaves: withdraw what is unlocked, unbond everything, wait, withdraw again.
fn exit_all(flows: &mut Flows) {
    let withdraw_all = |flows: &mut Flows| {
        for p in PROVIDERS {
            let start = free(p);
            if Staking::withdraw_unbonded(signed(p)).is_ok() {
                add(&mut flows.taken_out, p, free(p) - start);
            }
            for d in DELEGATORS {
                let start = free(d);
                if Staking::withdraw_delegation(signed(d), acc(p)).is_ok() {
                    add(&mut flows.taken_out, d, free(d) - start);
                }
            }
        }
    };
    // What warms up comes back at once; what is active unbonds.
    for p in PROVIDERS {
        for d in DELEGATORS {
            if Delegations::<Test>::contains_key(acc(p), acc(d)) {
                let start = free(d);
                assert_ok!(Staking::cancel_pending(&acc(d), &acc(p), false));
                add(&mut flows.taken_out, d, free(d) - start);
            }
        }
    }
    run_to_block(System::block_number() + UNBONDING + 5);
    withdraw_all(flows);
    for p in PROVIDERS {
        for d in DELEGATORS {
            if Delegations::<Test>::get(acc(p), acc(d)).is_some_and(|x| x.shares > 0) {
                assert_ok!(Staking::undelegate(signed(d), acc(p), u128::MAX));
            }
        }
        let _ = Staking::chill(signed(p));
        let bond = pool(p).bond;
        if bond > 0 {
            assert_ok!(Staking::unbond(signed(p), bond));
        }
    }
    run_to_block(System::block_number() + UNBONDING + 5);
    withdraw_all(flows);
    Staking::do_try_state().expect("invariants hold after the exit");
}

fn run(bonds: [u128; 3], commissions: [u32; 3], warmup: u64, ops: Vec<Op>) {
    ExtBuilder::default().build_and_execute(|| {
        DelegationWarmup::<Test>::put(warmup);
        let mut flows = Flows::default();
        for (i, p) in PROVIDERS.iter().enumerate() {
            assert_ok!(Staking::register_provider(
                signed(*p),
                profile(),
                Perbill::from_percent(commissions[i]),
                bonds[i]
            ));
            add(&mut flows.put_in, *p, bonds[i]);
        }
        let issuance_start = issuance();
        for op in ops.iter() {
            apply(op, &mut flows);
            assert_eq!(issuance(), issuance_start - flows.slashed, "issuance moved other than by slashes");
        }
        exit_all(&mut flows);

        // A provider's bond has no shares: exact. A delegator may also collect the rounding dust that
        // other holders leave in its pools (under a planck per operation).
        let dust = ops.len() as u128 + 12;
        for n in PROVIDERS.iter().chain(DELEGATORS.iter()) {
            let put_in = flows.put_in.get(n).copied().unwrap_or(0);
            let out = flows.taken_out.get(n).copied().unwrap_or(0);
            let rewards = flows.rewards.get(n).copied().unwrap_or(0);
            let slack = if PROVIDERS.contains(n) { 0 } else { dust };
            assert!(
                out <= put_in + rewards + slack,
                "account {n} took out {out} > {put_in} put in + {rewards} rewards + {slack} dust"
            );
        }
        for p in PROVIDERS {
            assert_eq!((bond_hold(p), delegation_hold(p)), (0, 0), "pool {p} still holds tokens");
        }
        let put_in: u128 = flows.put_in.values().sum();
        let out: u128 = flows.taken_out.values().sum();
        assert_eq!(out + flows.slashed, put_in + flows.rewards_to_pools, "tokens created or lost");
    });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn pools_conserve_tokens_and_slash_pro_rata(
        bonds in [MIN_BOND..50_000u128, MIN_BOND..50_000u128, MIN_BOND..50_000u128],
        commissions in [0u32..=50, 0u32..=50, 0u32..=50],
        warmup in prop_oneof![Just(0u64), 1u64..20],
        ops in prop::collection::vec(op(), 1..=50),
    ) {
        run(bonds, commissions, warmup, ops);
    }
}

/// A case the property found: a warm-up batch activated by a reward of 0, which activates nothing itself.
#[test]
fn a_reward_of_nothing_after_an_activation_keeps_the_sampler_consistent() {
    let ops = vec![
        Op::Delegate { d: 11, p: 1, amount: 1 },
        Op::Delegate { d: 11, p: 2, amount: 10 },
        Op::Advance { blocks: 1 },
        Op::Advance { blocks: 8 },
        Op::Reward { p: 2, amount: 0 },
    ];
    run([1000, 6938, 1000], [0, 0, 0], 9, ops);
}
