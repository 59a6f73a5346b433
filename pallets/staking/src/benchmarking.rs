//! Benchmarks (v2) of every call, of the `ComputeProviders` functions the jobs pallet calls, of the block
//! hook at its per-block payout cap, and of the sampler against the number of providers.
//!
//! Each benchmark sets up its worst case: the longest profile, the most unbonding chunks and pools, a
//! stake change that moves the provider to another level of the sampler's index and so moves another
//! provider (swap-remove), pool dissolution, and so on.

#![cfg(feature = "runtime-benchmarks")]

use super::*;
use crate::Pallet as Staking;
use alloc::vec;
use compute_primitives::{ComputeProviders, DeterminismClass, JobOutcome, Requirements};
use frame_benchmarking::v2::*;
use frame_support::{
    traits::{
        fungible::{Inspect, Mutate},
        EnsureOrigin, Get, Hooks,
    },
    BoundedVec,
};
use frame_system::{pallet_prelude::BlockNumberFor, Pallet as System, RawOrigin};
use sp_runtime::{
    traits::{Bounded, SaturatedConversion, Saturating, Zero},
    Perbill,
};

const SEED: u32 = 0;
/// The job the benchmarked rewards, slashes and outcomes are for.
const JOB: compute_primitives::JobId = 0;

fn min_bond<T: Config>() -> BalanceOf<T> {
    T::MinProviderBond::get()
}

/// Gives `who` enough to bond or delegate `amount` several times over.
fn fund<T: Config>(who: &T::AccountId, amount: BalanceOf<T>) {
    let plenty = amount
        .saturating_mul(4u32.into())
        .saturating_add(min_bond::<T>().saturating_mul(4u32.into()))
        .saturating_add(T::MinDelegation::get().saturating_mul(100u32.into()))
        .saturating_add(T::Currency::minimum_balance().saturating_mul(100u32.into()));
    T::Currency::set_balance(who, plenty);
}

/// The longest valid profile.
fn max_profile<T: Config>() -> ProviderProfile<T> {
    let name = T::MaxNameLength::get().max(1) as usize;
    let url = T::MaxUrlLength::get().max(1) as usize;
    ProviderProfile {
        gpu_name: BoundedVec::truncate_from(vec![b'g'; name]),
        vendor: BoundedVec::truncate_from(vec![b'v'; name]),
        backend: GpuBackend::Vulkan,
        vram_mib: 81_920,
        benchmark_score: 1_000_000,
        determinism_class: DeterminismClass([7; 16]),
        max_concurrent_jobs: T::MaxConcurrentJobs::get(),
        ask: Zero::zero(),
        endpoint: BoundedVec::truncate_from(vec![b'u'; url]),
    }
}

/// A registered provider with a 10% commission.
fn provider<T: Config>(name: &'static str, index: u32, bond: BalanceOf<T>) -> T::AccountId {
    let who: T::AccountId = account(name, index, SEED);
    fund::<T>(&who, bond);
    Staking::<T>::do_register(who.clone(), max_profile::<T>(), Perbill::from_percent(10), bond)
        .expect("registration of a funded provider succeeds");
    who
}

/// A delegator of `provider`, active at once (whatever warm-up the chain has).
fn delegator<T: Config>(index: u32, provider: &T::AccountId, amount: BalanceOf<T>) -> T::AccountId {
    let who: T::AccountId = account("delegator", index, SEED);
    fund::<T>(&who, amount);
    let warmup = DelegationWarmup::<T>::take();
    Staking::<T>::do_delegate(who.clone(), provider.clone(), amount).expect("delegation succeeds");
    DelegationWarmup::<T>::put(warmup);
    who
}

/// Gives `who` (funded anew) a claim in as many warm-up batches of `provider`'s pool as can be pending at
/// once (a warm-up of `MaxUnbondingPools - 2` blocks, batches a block apart); with `due`, moves past their
/// activation: the most batches one operation activates and the most claims one delegation settles.
/// Returns the number of batches.
fn warm_up_batches<T: Config>(provider: &T::AccountId, who: &T::AccountId, due: bool) -> u32 {
    let pools = T::MaxUnbondingPools::get();
    DelegationWarmup::<T>::put(BlockNumberFor::<T>::from(pools.saturating_sub(2).max(1)));
    let step = T::MinDelegation::get();
    fund::<T>(who, step.saturating_mul(pools.into()));
    let first = Staking::<T>::warm_up_key(now::<T>());
    let mut batches = 0u32;
    while batches < pools && (batches == 0 || now::<T>() < first) {
        Staking::<T>::do_delegate(who.clone(), provider.clone(), step).expect("delegation succeeds");
        set_block::<T>(now::<T>().saturating_add(1u32.into()));
        batches += 1;
    }
    let last = Staking::<T>::warm_up_key(now::<T>().saturating_sub(1u32.into()));
    if due {
        set_block::<T>(last);
    }
    batches
}

/// The largest stake of the level of `MinProviderBond`: it is accepted by almost every draw.
fn top_of_min_level<T: Config>() -> BalanceOf<T> {
    let min: u128 = min_bond::<T>().saturated_into();
    let level = 127 - min.leading_zeros();
    let top = if level >= 127 { u128::MAX } else { (1u128 << (level + 1)) - 1 };
    top.saturated_into()
}

fn set_block<T: Config>(n: BlockNumberFor<T>) {
    System::<T>::set_block_number(n);
}

fn now<T: Config>() -> BlockNumberFor<T> {
    System::<T>::block_number()
}

/// Blocks between two unbonding batches.
fn granularity<T: Config>() -> BlockNumberFor<T> {
    let a = Staking::<T>::unbonding_key(now::<T>());
    Staking::<T>::unbonding_key(a.saturating_add(1u32.into())).saturating_sub(a)
}

/// A provider with the most slashable unbonding chunks and pools, and delegators; and a second provider.
fn slash_setup<T: Config>() -> T::AccountId {
    let target = provider::<T>("provider", 0, min_bond::<T>().saturating_mul(2u32.into()));
    Staking::<T>::fill_pool_for_benchmark(&target, 0);
    let _other = provider::<T>("provider", 1, Staking::<T>::stake_of(&target));
    target
}

#[benchmarks]
mod benchmarks {
    use super::*;

    #[benchmark]
    fn register_provider() {
        let caller: T::AccountId = whitelisted_caller();
        let bond = min_bond::<T>();
        fund::<T>(&caller, bond);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), max_profile::<T>(), Perbill::from_percent(10), bond);
        assert!(Providers::<T>::contains_key(&caller));
    }

    /// Worst case: a new ask moves the provider to another tier of the sampler, and another provider into
    /// its old slot.
    #[benchmark]
    fn update_profile() {
        let caller = provider::<T>("provider", 0, min_bond::<T>());
        provider::<T>("provider", 1, min_bond::<T>());
        let base: u128 = T::AskTierBase::get().saturated_into();
        let ask: BalanceOf<T> =
            crate::ask_tier_price(base, 1).expect("checked by integrity_test").saturated_into();
        let profile = ProviderProfile { vram_mib: 1, ask, ..max_profile::<T>() };
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), profile);
        let info = Providers::<T>::get(&caller).expect("registered");
        assert_eq!((info.profile.vram_mib, info.position.map(|p| p.tier)), (1, Some(1)));
    }

    #[benchmark]
    fn set_commission() {
        let caller = provider::<T>("provider", 0, min_bond::<T>());
        set_block::<T>(now::<T>().saturating_add(T::CommissionChangeDelay::get()));
        let target = Perbill::from_percent(10)
            .saturating_add(T::MaxCommissionIncrease::get())
            .min(T::MaxCommission::get());
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), target);
        assert_eq!(Providers::<T>::get(&caller).map(|p| p.commission), Some(target));
    }

    #[benchmark]
    fn bond_extra() {
        let bond = min_bond::<T>();
        let caller = provider::<T>("provider", 0, bond);
        // Same level: moving the caller out of it moves this one.
        let _other = provider::<T>("provider", 1, bond);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), bond);
        assert_eq!(Staking::<T>::stake_of(&caller), bond.saturating_mul(2u32.into()));
    }

    #[benchmark]
    fn unbond() {
        let chunks = T::MaxUnbondingChunks::get();
        let bond = min_bond::<T>().saturating_mul(4u32.into()).saturating_add(chunks.into());
        let caller = provider::<T>("provider", 0, bond);
        for _ in 1..chunks {
            set_block::<T>(now::<T>().saturating_add(1u32.into()));
            Staking::<T>::do_unbond(caller.clone(), 1u32.into()).expect("unbond succeeds");
        }
        let _other = provider::<T>("provider", 1, Staking::<T>::stake_of(&caller));
        set_block::<T>(now::<T>().saturating_add(1u32.into()));
        let amount = min_bond::<T>().saturating_mul(2u32.into());
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), amount);
        assert_eq!(Pools::<T>::get(&caller).map(|p| p.bond_unbonding.len() as u32), Some(chunks));
    }

    #[benchmark]
    fn withdraw_unbonded() {
        let chunks = T::MaxUnbondingChunks::get();
        let caller = provider::<T>("provider", 0, min_bond::<T>().saturating_add(chunks.into()));
        for _ in 0..chunks {
            set_block::<T>(now::<T>().saturating_add(1u32.into()));
            Staking::<T>::do_unbond(caller.clone(), 1u32.into()).expect("unbond succeeds");
        }
        set_block::<T>(now::<T>().saturating_add(T::UnbondingPeriod::get()));
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()));
        assert_eq!(Pools::<T>::get(&caller).map(|p| p.bond_unbonding.len()), Some(0));
    }

    #[benchmark]
    fn chill() {
        let caller = provider::<T>("provider", 0, min_bond::<T>());
        let _other = provider::<T>("provider", 1, min_bond::<T>());
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()));
        assert_eq!(Providers::<T>::get(&caller).and_then(|p| p.position), None);
    }

    #[benchmark]
    fn rejoin() {
        let caller = provider::<T>("provider", 0, min_bond::<T>());
        Staking::<T>::do_chill(caller.clone()).expect("chill succeeds");
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()));
        assert!(Providers::<T>::get(&caller).and_then(|p| p.position).is_some());
    }

    #[benchmark]
    fn deregister() {
        let bond = min_bond::<T>();
        let caller = provider::<T>("provider", 0, bond);
        Staking::<T>::do_chill(caller.clone()).expect("chill succeeds");
        Staking::<T>::do_unbond(caller.clone(), bond).expect("unbond succeeds");
        set_block::<T>(now::<T>().saturating_add(T::UnbondingPeriod::get()));
        Staking::<T>::do_withdraw_unbonded(caller.clone()).expect("withdraw succeeds");
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()));
        assert!(!Providers::<T>::contains_key(&caller));
        assert!(!Pools::<T>::contains_key(&caller));
    }

    #[benchmark]
    fn delegate() {
        let bond = min_bond::<T>();
        let target = provider::<T>("provider", 0, bond);
        let _other = provider::<T>("provider", 1, bond);
        let _first = delegator::<T>(1, &target, T::MinDelegation::get());
        let caller: T::AccountId = whitelisted_caller();
        let batches = warm_up_batches::<T>(&target, &caller, true);
        fund::<T>(&caller, bond);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), target.clone(), bond);
        let delegation = Delegations::<T>::get(&target, &caller).expect("a delegation");
        assert!(batches > 1 && delegation.pending.len() == 1 && !delegation.shares.is_zero());
    }

    #[benchmark]
    fn undelegate() {
        let chunks = T::MaxUnbondingChunks::get();
        let step = T::MinDelegation::get();
        let amount = step.saturating_mul((chunks + 2).into()).saturating_add(min_bond::<T>());
        let target = provider::<T>("provider", 0, min_bond::<T>());
        let caller = delegator::<T>(0, &target, amount);
        let g = granularity::<T>();
        for _ in 1..chunks {
            Staking::<T>::do_undelegate(caller.clone(), target.clone(), step).expect("undelegate succeeds");
            set_block::<T>(now::<T>().saturating_add(g));
        }
        let _other = provider::<T>("provider", 1, Staking::<T>::stake_of(&target));
        let batches = warm_up_batches::<T>(&target, &caller, true);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), target.clone(), min_bond::<T>());
        let delegation = Delegations::<T>::get(&target, &caller).expect("a delegation");
        assert_eq!(delegation.unbonding.len() as u32, chunks);
        assert!(batches > 1 && delegation.pending.is_empty());
    }

    #[benchmark]
    fn withdraw_delegation() {
        let chunks = T::MaxUnbondingChunks::get();
        let step = T::MinDelegation::get();
        let amount = step.saturating_mul((chunks + 1).into());
        let bond = min_bond::<T>();
        let target = provider::<T>("provider", 0, bond);
        let caller = delegator::<T>(0, &target, amount);
        let g = granularity::<T>();
        for _ in 1..chunks {
            Staking::<T>::do_undelegate(caller.clone(), target.clone(), step).expect("undelegate succeeds");
            set_block::<T>(now::<T>().saturating_add(g));
        }
        Staking::<T>::do_undelegate(caller.clone(), target.clone(), amount).expect("undelegate all succeeds");
        // The provider leaves: the last withdrawal also dissolves the pool.
        Staking::<T>::do_chill(target.clone()).expect("chill succeeds");
        Staking::<T>::do_unbond(target.clone(), bond).expect("unbond succeeds");
        set_block::<T>(now::<T>().saturating_add(T::UnbondingPeriod::get()).saturating_add(g));
        Staking::<T>::do_withdraw_unbonded(target.clone()).expect("withdraw succeeds");
        Staking::<T>::do_deregister(target.clone()).expect("deregister succeeds");
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), target.clone());
        assert!(!Delegations::<T>::contains_key(&target, &caller));
        assert!(!Pools::<T>::contains_key(&target));
    }

    /// Worst case: a cancellable claim in every batch that can be pending.
    #[benchmark]
    fn cancel_pending_delegation() {
        let target = provider::<T>("provider", 0, min_bond::<T>());
        let _other = provider::<T>("provider", 1, min_bond::<T>());
        let caller = delegator::<T>(0, &target, min_bond::<T>());
        let start = now::<T>();
        let batches = warm_up_batches::<T>(&target, &caller, false);
        // Back to the first delegation's block: every claim is still early enough to be cancelled.
        set_block::<T>(start);
        #[extrinsic_call]
        _(RawOrigin::Signed(caller.clone()), target.clone());
        let delegation = Delegations::<T>::get(&target, &caller).expect("a delegation");
        assert!(batches > 1 && delegation.pending.is_empty());
    }

    #[benchmark]
    fn force_slash() -> Result<(), BenchmarkError> {
        let target = slash_setup::<T>();
        let origin = T::ForceOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
        let amount = Staking::<T>::stake_of(&target);
        #[extrinsic_call]
        _(origin as T::RuntimeOrigin, target.clone(), amount);
        assert!(Staking::<T>::stake_of(&target) < amount);
        Ok(())
    }

    #[benchmark]
    fn reward() {
        let bond = min_bond::<T>();
        let target = provider::<T>("provider", 0, bond);
        let _other = provider::<T>("provider", 1, bond);
        let member = delegator::<T>(0, &target, T::MinDelegation::get());
        warm_up_batches::<T>(&target, &member, true);
        let payer: T::AccountId = account("payer", 0, SEED);
        let amount = Staking::<T>::stake_of(&target);
        fund::<T>(&payer, amount);
        #[block]
        {
            Staking::<T>::reward(&target, &payer, amount, JOB).expect("reward succeeds");
        }
        assert!(Staking::<T>::stake_of(&target) > amount);
    }

    #[benchmark]
    fn slash() {
        let target = slash_setup::<T>();
        let member: T::AccountId = account("member", 0, SEED);
        warm_up_batches::<T>(&target, &member, true);
        let amount = Staking::<T>::stake_of(&target);
        #[block]
        {
            let (credit, slashed) =
                <Staking<T> as ComputeProviders<T::AccountId>>::slash(&target, amount, JOB, Zero::zero());
            assert!(!slashed.is_zero());
            drop(credit);
        }
    }

    #[benchmark]
    fn record_outcome() {
        let target = provider::<T>("provider", 0, min_bond::<T>());
        let _other = provider::<T>("provider", 1, min_bond::<T>());
        for _ in 1..T::MaxFaults::get() {
            Staking::<T>::record_outcome(&target, JobOutcome::WrongResult, JOB);
        }
        #[block]
        {
            Staking::<T>::record_outcome(&target, JobOutcome::WrongResult, JOB);
        }
        assert_eq!(
            Providers::<T>::get(&target).map(|p| p.status),
            Some(ProviderStatus::Chilled(ChillReason::TooManyFaults))
        );
    }

    /// Worst case: the last free slot, so the sampler's entry is rewritten too.
    #[benchmark]
    fn take_slot() {
        let target = provider::<T>("provider", 0, min_bond::<T>());
        let capacity = Providers::<T>::get(&target).map(|p| p.profile.max_concurrent_jobs).unwrap_or(1);
        for _ in 1..capacity {
            Staking::<T>::take_slot(&target, false).expect("a free slot");
        }
        #[block]
        {
            Staking::<T>::take_slot(&target, false).expect("a free slot");
        }
        assert_eq!(Providers::<T>::get(&target).map(|p| p.slots_taken), Some(capacity));
    }

    /// Worst case: a full provider, so the sampler's entry is rewritten too.
    #[benchmark]
    fn free_slot() {
        let target = provider::<T>("provider", 0, min_bond::<T>());
        let capacity = Providers::<T>::get(&target).map(|p| p.profile.max_concurrent_jobs).unwrap_or(1);
        for _ in 0..capacity {
            Staking::<T>::take_slot(&target, false).expect("a free slot");
        }
        #[block]
        {
            Staking::<T>::free_slot(&target);
        }
        assert_eq!(Providers::<T>::get(&target).map(|p| p.slots_taken), Some(capacity - 1));
    }

    /// The block hook closing an era and paying `n` providers (up to the per-block cap).
    #[benchmark]
    fn on_initialize(n: Linear<0, { T::MaxPayoutsPerBlock::get() }>) {
        for i in 0..n {
            let who = provider::<T>("provider", i, min_bond::<T>());
            let member = delegator::<T>(i, &who, T::MinDelegation::get());
            // Due at the payout, which activates them.
            warm_up_batches::<T>(&who, &member, false);
            Staking::<T>::record_outcome(&who, JobOutcome::Completed { work_units: 1_000 }, JOB);
        }
        let era = CurrentEra::<T>::get();
        let mut info = Eras::<T>::get(era).unwrap_or_default();
        info.start = now::<T>();
        // Whatever `EmissionPerBlock` is, pay real amounts.
        info.emission = min_bond::<T>().saturating_mul(1_000u32.into());
        Eras::<T>::insert(era, info);
        let at = now::<T>().saturating_add(T::EraLength::get());
        set_block::<T>(at);
        #[block]
        {
            Staking::<T>::on_initialize(at);
        }
        assert_eq!(CurrentEra::<T>::get(), era + 1);
        if n < T::MaxPayoutsPerBlock::get() {
            assert_eq!(NextEraToPay::<T>::get(), era + 1);
        }
    }

    /// Sampling among `n` providers, worst case: no provider is eligible (every draw is accepted by
    /// weight, then refused), so all `MaxSampleAttempts` draws are made, over every ask tier (each read
    /// once). Flat in `n`.
    #[benchmark]
    fn sample(n: Linear<10, 10_000>) {
        let stake = top_of_min_level::<T>();
        let base: u128 = T::AskTierBase::get().saturated_into();
        for i in 0..n {
            let who = provider::<T>("provider", i, stake);
            let tier = (i % u32::from(crate::ASK_TIERS)) as u8;
            let price = crate::ask_tier_price(base, tier).expect("checked by integrity_test");
            let profile = ProviderProfile { ask: price.saturated_into(), ..max_profile::<T>() };
            Staking::<T>::do_update_profile(who, profile).expect("a valid profile");
        }
        let requirements = Requirements {
            min_vram_mib: u32::MAX,
            determinism_class: None,
            offer: BalanceOf::<T>::max_value(),
            min_stake: Zero::zero(),
            beyond_capacity: false,
        };
        let result;
        #[block]
        {
            result = Staking::<T>::sample(&[42; 32], 3, &requirements);
        }
        assert_eq!(result, Err(compute_primitives::ProviderError::NotEnoughEligible { eligible: 0 }));
    }

    impl_benchmark_test_suite!(Staking, crate::mock::new_test_ext(), crate::mock::Test);
}
