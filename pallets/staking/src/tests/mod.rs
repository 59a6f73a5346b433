//! Tests: one file per call, plus the `ComputeProviders` functions, the emission hook, the sampler and a
//! property test. Every test runs through `ExtBuilder::build_and_execute`, which checks
//! `do_try_state` when the test ends.
//!
//! Astar-style helpers: `Snapshot` records balances, holds and pools before a call; the `assert_*`
//! helpers dispatch, check the event and check every balance and hold that must (and must not) move.

use crate::{mock::*, pallet::*, types::*};

/// Shares of a first delegation per planck.
pub const SCALE: u128 = crate::INITIAL_SHARES_PER_PLANCK as u128;
use compute_primitives::DeterminismClass;
use frame_support::{
    assert_ok,
    traits::fungible::{Inspect, InspectHold},
};
use sp_runtime::Perbill;
use std::collections::BTreeMap;

mod bond_extra;
mod chill;
mod delegate;
mod deregister;
mod emission;
mod force_slash;
mod property;
mod record_outcome;
mod register_provider;
mod rejoin;
mod reward;
mod sampling;
mod set_commission;
mod slash;
mod slots;
mod unbond;
mod undelegate;
mod update_profile;
mod views;
mod warmup;
mod withdraw_delegation;
mod withdraw_unbonded;

/// Providers used across the tests.
/// The job the tests' rewards, slashes and outcomes are for.
pub const JOB: compute_primitives::JobId = 7;
pub const P1: u8 = 1;
pub const P2: u8 = 2;
pub const P3: u8 = 3;
/// Delegators.
pub const D1: u8 = 11;
pub const D2: u8 = 12;
pub const D3: u8 = 13;
/// A payer of job rewards.
pub const PAYER: u8 = 30;

pub fn acc(n: u8) -> AccountId {
    account(n)
}

pub fn signed(n: u8) -> RuntimeOrigin {
    RuntimeOrigin::signed(acc(n))
}

/// The ask tier of `profile()`'s ask, 100: `ASK_TIER_BASE × 2^(8/4)`.
pub const TIER: u8 = 8;

/// A valid profile.
pub fn profile() -> ProviderProfile<Test> {
    ProviderProfile {
        gpu_name: b"NVIDIA GeForce RTX 4090".to_vec().try_into().unwrap(),
        vendor: b"NVIDIA".to_vec().try_into().unwrap(),
        backend: GpuBackend::Vulkan,
        vram_mib: 24_576,
        benchmark_score: 1_000,
        determinism_class: DeterminismClass([1; 16]),
        max_concurrent_jobs: 4,
        ask: 100,
        endpoint: b"https://gpu.example.org/outputs".to_vec().try_into().unwrap(),
    }
}

/// Free balance.
pub fn free(n: u8) -> Balance {
    Balances::free_balance(acc(n))
}

/// The pool account of provider `n`.
pub fn pool_account(n: u8) -> AccountId {
    Staking::pool_account(&acc(n))
}

/// `ProviderBond` hold on provider `n`'s pool account.
pub fn bond_hold(n: u8) -> Balance {
    Balances::balance_on_hold(&HoldReason::ProviderBond.into(), &pool_account(n))
}

/// `Delegation` hold on provider `n`'s pool account.
pub fn delegation_hold(n: u8) -> Balance {
    Balances::balance_on_hold(&HoldReason::Delegation.into(), &pool_account(n))
}

pub fn pool(n: u8) -> Pool<Test> {
    Pools::<Test>::get(acc(n)).expect("provider has a pool")
}

pub fn provider(n: u8) -> ProviderInfo<Test> {
    Providers::<Test>::get(acc(n)).expect("registered provider")
}

pub fn issuance() -> Balance {
    Balances::total_issuance()
}

/// Value of delegator `d`'s active shares in provider `p`'s pool.
pub fn delegation_value(p: u8, d: u8) -> Balance {
    let pool = pool(p);
    Delegations::<Test>::get(acc(p), acc(d))
        .map(|x| crate::pool::value_of::<Test>(x.shares, pool.shares, pool.delegated))
        .unwrap_or(0)
}

/// The pallet's events since the last call, and clears them.
pub fn events() -> Vec<Event<Test>> {
    let events = System::events()
        .into_iter()
        .filter_map(|r| if let RuntimeEvent::Staking(e) = r.event { Some(e) } else { None })
        .collect();
    System::reset_events();
    events
}

/// Balances, holds and pools of the given accounts and providers.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub free: BTreeMap<u8, Balance>,
    pub bond_hold: BTreeMap<u8, Balance>,
    pub delegation_hold: BTreeMap<u8, Balance>,
    pub pools: BTreeMap<u8, Option<Pool<Test>>>,
    pub issuance: Balance,
}

impl Snapshot {
    pub fn take(accounts: &[u8]) -> Self {
        Self {
            free: accounts.iter().map(|n| (*n, free(*n))).collect(),
            bond_hold: accounts.iter().map(|n| (*n, bond_hold(*n))).collect(),
            delegation_hold: accounts.iter().map(|n| (*n, delegation_hold(*n))).collect(),
            pools: accounts.iter().map(|n| (*n, Pools::<Test>::get(acc(*n)))).collect(),
            issuance: issuance(),
        }
    }

    pub fn free(&self, n: u8) -> Balance {
        self.free[&n]
    }

    pub fn pool(&self, n: u8) -> Pool<Test> {
        self.pools[&n].clone().expect("pool in snapshot")
    }
}

/// Asserts that the balances of `accounts` other than `changed` did not move since `before`.
pub fn assert_others_unchanged(before: &Snapshot, changed: &[u8]) {
    let after = Snapshot::take(&before.free.keys().copied().collect::<Vec<_>>());
    for n in before.free.keys().filter(|n| !changed.contains(n)) {
        assert_eq!(before.free[n], after.free[n], "free balance of {n} moved");
        assert_eq!(before.bond_hold[n], after.bond_hold[n], "bond hold of pool {n} moved");
        assert_eq!(before.delegation_hold[n], after.delegation_hold[n], "delegation hold of pool {n} moved");
    }
}

/// Registers `n` with the default profile and no commission.
pub fn register(n: u8, bond: Balance) {
    register_with(n, profile(), Perbill::zero(), bond);
}

/// Registers `n`, checking its balances, holds, pool, event and active-set membership.
pub fn register_with(n: u8, profile: ProviderProfile<Test>, commission: Perbill, bond: Balance) {
    let before = Snapshot::take(&[n]);
    let new_pool = before.pools[&n].is_none();
    let deposit = if new_pool { ED } else { 0 };
    System::reset_events();
    assert_ok!(Staking::register_provider(signed(n), profile.clone(), commission, bond));
    assert_eq!(
        events(),
        vec![Event::ProviderRegistered { provider: acc(n), commission, bond, pool_deposit: deposit }]
    );
    assert_eq!(free(n), before.free(n) - bond - deposit);
    assert_eq!(bond_hold(n), before.bond_hold[&n] + bond);
    assert!(Balances::free_balance(pool_account(n)) >= ED);
    assert_eq!(issuance(), before.issuance);
    let info = provider(n);
    assert_eq!(info.profile, profile);
    assert_eq!(info.commission, commission);
    assert_eq!(info.status, ProviderStatus::Active);
    assert!(info.position.is_some());
    assert_eq!(pool(n).bond, bond);
}

fn now() -> u64 {
    System::block_number()
}

/// Delegates, checking balances, holds, shares and the event.
pub fn delegate(d: u8, p: u8, amount: Balance) {
    let before = Snapshot::take(&[d, p]);
    let pool_before = before.pool(p);
    let shares_before = Delegations::<Test>::get(acc(p), acc(d)).map(|x| x.shares).unwrap_or(0);
    let expected_shares = if pool_before.shares == 0 {
        amount * crate::INITIAL_SHARES_PER_PLANCK as u128
    } else {
        amount * pool_before.shares / pool_before.delegated
    };
    System::reset_events();
    assert_ok!(Staking::delegate(signed(d), acc(p), amount));
    assert_eq!(
        events(),
        vec![
            Event::Delegated { delegator: acc(d), provider: acc(p), amount, activation: now() },
            // No warm-up in the mock by default: the delegation is active at once.
            Event::DelegationsActivated {
                provider: acc(p),
                activation: now(),
                amount,
                shares: expected_shares
            },
        ]
    );
    assert_eq!(free(d), before.free(d) - amount);
    assert_eq!(delegation_hold(p), before.delegation_hold[&p] + amount);
    assert_eq!(bond_hold(p), before.bond_hold[&p]);
    let pool_after = pool(p);
    assert_eq!(pool_after.delegated, pool_before.delegated + amount);
    assert_eq!(pool_after.shares, pool_before.shares + expected_shares);
    assert_eq!(Delegations::<Test>::get(acc(p), acc(d)).unwrap().shares, shares_before + expected_shares);
    assert_eq!(issuance(), before.issuance);
}

/// Moves to block `n` without running hooks.
pub fn set_block(n: u64) {
    System::set_block_number(n);
}

/// A delegator's claims on provider `p`.
pub fn claims(p: u8, d: u8) -> Vec<UnbondingClaim<u64, Balance>> {
    Delegations::<Test>::get(acc(p), acc(d)).map(|x| x.unbonding.into_inner()).unwrap_or_default()
}
