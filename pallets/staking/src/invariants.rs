//! The pallet's invariants, checked by `try_state` and after every test.

use crate::{pallet::*, sampling::*, types::*};
use alloc::collections::btree_map::BTreeMap;
use frame_support::{
    ensure,
    traits::{
        fungible::{Inspect, InspectHold},
        Get,
    },
};
use sp_runtime::{
    traits::{SaturatedConversion, Saturating, Zero},
    TryRuntimeError,
};

impl<T: Config> Pallet<T> {
    /// Checks every invariant of the pallet's storage against itself and against the currency:
    ///
    /// - on each pool account, the `ProviderBond` hold equals the self-bond plus its unbonding chunks,
    ///   and the `Delegation` hold equals the delegated stake plus the delegators' unbonding pools;
    /// - the `Delegation` hold also covers the tokens warming up, which are the sum of the batches not
    ///   yet activated; the claims on a batch sum to its tokens;
    /// - the shares of a pool's delegations and of its activated batches sum to the pool's shares, the
    ///   points of the claims on an unbonding pool sum to its points;
    /// - no shares (or points) without tokens behind them, and no tokens without shares;
    /// - every registered provider has a pool; an active provider has at least `MinProviderBond`;
    /// - the sampler's index holds exactly the active providers, each at the level of its stake and the
    ///   tier of its ask (a tier's price), and each tier's mass is the sum of its levels'.
    pub fn do_try_state() -> Result<(), TryRuntimeError> {
        let mut delegated_shares: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
        let mut claimed_points: BTreeMap<
            (T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>),
            BalanceOf<T>,
        > = BTreeMap::new();
        let mut claimed_pending: BTreeMap<
            (T::AccountId, frame_system::pallet_prelude::BlockNumberFor<T>),
            BalanceOf<T>,
        > = BTreeMap::new();
        for (provider, delegator, delegation) in Delegations::<T>::iter() {
            ensure!(provider != delegator, "a provider delegates to itself");
            ensure!(!delegation.is_empty(), "an empty delegation is stored");
            for claim in delegation.pending.iter() {
                ensure!(!claim.value.is_zero(), "a warm-up claim without tokens");
                let sum = claimed_pending.entry((provider.clone(), claim.activation)).or_default();
                *sum = sum.saturating_add(claim.value);
            }
            let sum = delegated_shares.entry(provider.clone()).or_default();
            *sum = sum.saturating_add(delegation.shares);
            for claim in delegation.unbonding.iter() {
                ensure!(!claim.points.is_zero(), "an unbonding claim without points");
                let sum = claimed_points.entry((provider.clone(), claim.unlock)).or_default();
                *sum = sum.saturating_add(claim.points);
            }
        }

        for (provider, pool) in Pools::<T>::iter() {
            let account = Self::pool_account(&provider);
            let chunks =
                pool.bond_unbonding.iter().fold(BalanceOf::<T>::zero(), |acc, c| acc.saturating_add(c.value));
            ensure!(
                T::Currency::balance_on_hold(&HoldReason::ProviderBond.into(), &account)
                    == pool.bond.saturating_add(chunks),
                "ProviderBond hold differs from bond plus unbonding chunks"
            );
            ensure!(pool.bond_unbonding.iter().all(|c| !c.value.is_zero()), "an empty unbonding chunk");

            let mut unbonding = BalanceOf::<T>::zero();
            let mut count = 0u32;
            for (unlock, sub) in UnbondingPools::<T>::iter_prefix(&provider) {
                count += 1;
                ensure!(!sub.points.is_zero(), "an unbonding pool without points");
                ensure!(!sub.balance.is_zero(), "an unbonding pool with points but no tokens");
                ensure!(
                    claimed_points.remove(&(provider.clone(), unlock)).unwrap_or_default() == sub.points,
                    "claims on an unbonding pool differ from its points"
                );
                unbonding = unbonding.saturating_add(sub.balance);
            }
            ensure!(count == pool.unbonding_pool_count, "unbonding pool count is wrong");
            ensure!(
                pool.unbonding_keys.iter().all(|k| UnbondingPools::<T>::contains_key(&provider, k)),
                "a slashable unbonding key without its pool"
            );
            let (mut warming_up, mut batch_shares, mut batches) =
                (BalanceOf::<T>::zero(), BalanceOf::<T>::zero(), 0u32);
            for (activation, batch) in PendingDelegations::<T>::iter_prefix(&provider) {
                batches += 1;
                ensure!(!batch.value.is_zero(), "an empty warm-up batch is stored");
                ensure!(
                    claimed_pending.remove(&(provider.clone(), activation)).unwrap_or_default()
                        == batch.value,
                    "claims on a warm-up batch differ from its tokens"
                );
                ensure!(
                    batch.active != pool.warm_up_keys.contains(&activation),
                    "a warm-up batch is active yet listed, or pending yet unlisted"
                );
                if batch.active {
                    batch_shares = batch_shares.saturating_add(batch.shares);
                } else {
                    ensure!(batch.shares.is_zero(), "a pending warm-up batch holds shares");
                    warming_up = warming_up.saturating_add(batch.value);
                }
            }
            ensure!(batches == pool.pending_batch_count, "warm-up batch count is wrong");
            ensure!(warming_up == pool.warming_up, "warming-up tokens differ from the pending batches");
            ensure!(
                T::Currency::balance_on_hold(&HoldReason::Delegation.into(), &account)
                    == pool.delegated.saturating_add(unbonding).saturating_add(warming_up),
                "Delegation hold differs from delegated stake plus unbonding pools plus warm-ups"
            );
            ensure!(
                delegated_shares.remove(&provider).unwrap_or_default().saturating_add(batch_shares)
                    == pool.shares,
                "delegations' and activated batches' shares differ from the pool's shares"
            );
            ensure!(
                pool.shares.is_zero() == pool.delegated.is_zero(),
                "shares without stake or stake without shares"
            );
            ensure!(T::Currency::balance(&account) >= pool.deposit, "the pool account lost its deposit");
        }
        ensure!(delegated_shares.values().all(|s| s.is_zero()), "delegations to a provider without a pool");
        ensure!(claimed_points.is_empty(), "claims on a missing unbonding pool");
        ensure!(claimed_pending.is_empty(), "claims on a missing warm-up batch");

        let mut active = 0u32;
        for (provider, info) in Providers::<T>::iter() {
            let pool = Pools::<T>::get(&provider).ok_or("a provider without a pool")?;
            match (info.status, info.position) {
                (ProviderStatus::Active, Some(position)) => {
                    active += 1;
                    ensure!(
                        pool.bond >= T::MinProviderBond::get(),
                        "an active provider below the minimum bond"
                    );
                    let weight = weight_of::<T>(pool.active_stake());
                    ensure!(
                        ActiveSet::<T>::get((position.tier, position.level), position.index)
                            == Some(Pallet::<T>::sampler_entry(&provider, &info, weight)),
                        "the active set entry disagrees with the provider's position, stake or terms"
                    );
                    ensure!(
                        level_of(weight_of::<T>(pool.active_stake())) == Some(position.level),
                        "a provider sits at the wrong stake level"
                    );
                    let base = T::AskTierBase::get().saturated_into();
                    let tier = tier_of_ask(base, info.profile.ask.saturated_into());
                    ensure!(tier == Some(position.tier), "a provider sits at the wrong ask tier");
                    ensure!(
                        ask_tier_price(base, position.tier) == Some(info.profile.ask.saturated_into()),
                        "an ask that is not its tier's price"
                    );
                }
                (ProviderStatus::Chilled(_), None) => {}
                _ => return Err("a provider's status and position disagree".into()),
            }
        }

        let tiers = ActiveTiers::<T>::get();
        ensure!(tiers.windows(2).all(|w| w[0].tier < w[1].tier), "tiers out of order");
        ensure!(
            ActiveLevels::<T>::iter_keys().all(|tier| tiers.iter().any(|t| t.tier == tier)),
            "levels listed for a tier that is not"
        );
        let mut indexed = 0u32;
        for tier in tiers.iter() {
            ensure!(tier.tier < ASK_TIERS, "a tier above ASK_TIERS");
            let levels = ActiveLevels::<T>::get(tier.tier);
            ensure!(levels.windows(2).all(|w| w[0].level < w[1].level), "levels out of order");
            let mut mass = 0u128;
            for level in levels.iter() {
                ensure!(level.count > 0, "an empty level is listed");
                ensure!(level.level <= MAX_LEVEL, "a level above MAX_LEVEL");
                for index in 0..level.count {
                    ensure!(
                        ActiveSet::<T>::contains_key((tier.tier, level.level), index),
                        "a hole in a level"
                    );
                }
                indexed = indexed.saturating_add(level.count);
                mass = mass.saturating_add(u128::from(level.count) << (u32::from(level.level) + 1));
            }
            ensure!(mass > 0 && mass == tier.mass, "a tier's mass is not the sum of its levels'");
        }
        ensure!(ActiveSet::<T>::iter().count() as u32 == indexed, "active set entries outside the levels");
        ensure!(indexed == active, "the active set and the active providers differ");
        ensure!(NextEraToPay::<T>::get() <= CurrentEra::<T>::get(), "payout ahead of the current era");
        Ok(())
    }
}
