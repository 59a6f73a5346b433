//! The costliest pool a reward or slash can meet, built for benchmarks (this pallet's and those of the
//! pallets that pay and slash through it): the most slashable unbonding chunks, the most slashable
//! delegators' unbonding pools, and warm-up batches due to activate.

#![cfg(feature = "runtime-benchmarks")]

use crate::{pallet::*, types::*};
use codec::Decode;
use frame_support::traits::{fungible::Mutate, Get};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

impl<T: Config> Pallet<T> {
    fn bench_set_block(n: BlockNumberFor<T>) {
        frame_system::Pallet::<T>::set_block_number(n);
    }

    fn bench_account(purpose: &'static str, provider: &T::AccountId, index: u32) -> T::AccountId {
        use codec::Encode;
        let seed = sp_io::hashing::blake2_256(&(purpose, provider, index).encode());
        T::AccountId::decode(&mut &seed[..]).expect("32-byte account ids")
    }

    fn bench_fund(who: &T::AccountId) -> BalanceOf<T> {
        let step = T::MinDelegation::get();
        let amount = step.saturating_mul(1_000u32.into()).saturating_add(T::MinProviderBond::get());
        let _ = T::Currency::mint_into(who, amount);
        step
    }

    /// Gives `provider`'s pool, at the current block `now`, `MaxUnbondingChunks` slashable unbonding
    /// chunks of its self-bond (1 planck each) and as many slashable unbonding pools of delegators as can
    /// be, created by moving the block number forward and back to `now` (their unlock blocks all lie after
    /// `now + UnbondingPeriod`, so faults of jobs assigned up to `now` slash them). With `batches`, also up
    /// to that many warm-up batches due at `now`, not yet activated (created at earlier blocks, which `now`
    /// must leave room for: about two blocks per batch). Returns the number of batches made.
    pub fn fill_pool_for_benchmark(provider: &T::AccountId, batches: u32) -> u32 {
        let start = frame_system::Pallet::<T>::block_number();
        let warmup = DelegationWarmup::<T>::take();
        let chunks = T::MaxUnbondingChunks::get();
        let _ = T::Currency::mint_into(provider, T::MinProviderBond::get());
        Self::do_bond_extra(provider.clone(), chunks.into()).expect("a funded provider bonds");
        for c in 0..chunks {
            Self::bench_set_block(start.saturating_add(c.into()));
            Self::do_unbond(provider.clone(), 1u32.into()).expect("an unbond of 1 planck");
        }
        Self::bench_set_block(start);
        let first_key = Self::unbonding_key(start);
        let g = Self::unbonding_key(first_key.saturating_add(1u32.into())).saturating_sub(first_key);
        for i in 0..T::MaxUnbondingPools::get() {
            let now = frame_system::Pallet::<T>::block_number();
            // Every pool created must still be slashable at `now + g`, the last block used.
            if i > 0 && now.saturating_add(g) >= first_key {
                break;
            }
            let who = Self::bench_account("unbonding delegator", provider, i);
            let step = Self::bench_fund(&who);
            Self::do_delegate(who.clone(), provider.clone(), step.saturating_mul(3u32.into()))
                .expect("a delegation");
            Self::do_undelegate(who, provider.clone(), step).expect("an undelegation");
            Self::bench_set_block(now.saturating_add(g));
        }
        Self::bench_set_block(start);

        // Batches created at blocks `b0 ..= b0 + n - 1` with a warm-up of `n` (batched block by block)
        // activate at `b0 + n ..= b0 + 2n - 1 <= start`: none is due while they are made.
        let max_batches = T::MaxUnbondingPools::get().saturating_sub(2);
        let room: u32 =
            sp_runtime::SaturatedConversion::saturated_into(start.saturating_sub(1u32.into()) / 2u32.into());
        let n = batches.min(max_batches).min(room);
        let mut made = 0;
        if n > 0 {
            DelegationWarmup::<T>::put(BlockNumberFor::<T>::from(n));
            let b0 = start.saturating_sub((2 * n - 1).into());
            for i in 0..n {
                Self::bench_set_block(b0.saturating_add(i.into()));
                let who = Self::bench_account("warming-up delegator", provider, i);
                let step = Self::bench_fund(&who);
                Self::do_delegate(who, provider.clone(), step).expect("a delegation");
                made += 1;
            }
            Self::bench_set_block(start);
            debug_assert!(
                Pools::<T>::get(provider).is_some_and(|p| p.warm_up_keys.iter().all(|k| *k <= start))
            );
        }
        DelegationWarmup::<T>::put(warmup);
        made
    }
}
