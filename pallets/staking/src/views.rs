//! Read-only views for the runtime API: a provider's record with an estimated yield, a delegator's
//! position in a pool, and the asks of the providers that could take a job. They iterate storage without a bound, so they are for runtime API
//! calls (off-chain reads), never for dispatchables or hooks.

use crate::{pallet::*, pool::value_of, types::*};
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode};
use compute_primitives::{DeterminismClass, Requirements};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;
use sp_runtime::{
    traits::{Bounded, Saturating, UniqueSaturatedInto, Zero},
    Perbill,
};

/// A provider's public record, as `ComputeApi::provider_stats` returns it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct ProviderStats<Balance, BlockNumber> {
    /// Whether it takes new jobs (false when chilled).
    pub active: bool,
    /// Why it is chilled, when it is.
    pub chilled_because: Option<ChillReason>,
    /// Active self-bond.
    pub bond: Balance,
    /// Active delegated stake (the value of all shares).
    pub delegated: Balance,
    /// Delegated tokens still warming up: neither earning nor at risk yet.
    pub warming_up: Balance,
    /// Share of every reward kept by the provider.
    pub commission: Perbill,
    /// Least reward per replica it accepts.
    pub ask: Balance,
    /// GPU memory in MiB.
    pub vram_mib: u32,
    /// Capacity slots and those in use.
    pub max_concurrent_jobs: u32,
    /// Capacity slots in use.
    pub slots_taken: u32,
    /// Block of registration.
    pub registered_at: BlockNumber,
    /// Rewards that went to the pool (bond and delegators, after commission) since registration.
    pub pool_earnings: Balance,
    /// Counters kept across registrations: jobs completed, wrong, missed, slashed and earned.
    pub reputation: Reputation<Balance>,
    /// What a staked token has earned per year since registration: `pool_earnings × blocks_per_year /
    /// (blocks since registration × active stake)`, saturating at 100%. A delegator's yield is this rate,
    /// the commission being already deducted; it says nothing about future slashes. Job payments count:
    /// a provider that pays for its own jobs inflates it (see `estimated_emission_yield`).
    pub estimated_annual_yield: Perbill,
    /// The same rate from `pool_emission` alone: what the chain paid for its canaries, which nobody can
    /// inflate by paying for jobs.
    pub estimated_emission_yield: Perbill,
}

/// A delegator's position in one provider's pool, as `ComputeApi::delegation` returns it: what its
/// shares and unbonding claims are worth now, rounded down as a withdrawal would round them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct DelegationStats<Balance, BlockNumber> {
    /// Shares of the pool's active delegated stake.
    pub shares: Balance,
    /// All shares of the pool.
    pub pool_shares: Balance,
    /// Value of the shares: what undelegating all of them would unbond.
    pub active: Balance,
    /// Unbonding claims, by unlock block, with their value now (still slashable before the unlock).
    pub unbonding: Vec<UnbondingValue<BlockNumber, Balance>>,
    /// Value of the claims unlocked by now: what `withdraw_delegation` would release.
    pub withdrawable: Balance,
    /// Tokens still warming up, by activation block: not yet earning nor at risk
    /// (`cancel_pending_delegation` returns them).
    pub warming_up: Vec<crate::PendingClaim<BlockNumber, Balance>>,
}

/// An unbonding claim and what it is worth now.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
pub struct UnbondingValue<BlockNumber, Balance> {
    /// First block at which it can be withdrawn.
    pub unlock: BlockNumber,
    /// Its value.
    pub value: Balance,
}

impl<T: Config> Pallet<T> {
    /// The position of `delegator` in the pool of `provider`; `None` when it has none.
    pub fn delegation_stats(
        provider: &T::AccountId,
        delegator: &T::AccountId,
    ) -> Option<DelegationStats<BalanceOf<T>, BlockNumberFor<T>>> {
        let delegation = Delegations::<T>::get(provider, delegator)?;
        let pool = Pools::<T>::get(provider).unwrap_or_default();
        // Due batches count as active, as the next operation on the pool will find them.
        let (delegation, pool) = Self::settled_view(provider, delegation, pool);
        let now = frame_system::Pallet::<T>::block_number();
        let unbonding: Vec<_> = delegation
            .unbonding
            .iter()
            .map(|claim| {
                let sub = UnbondingPools::<T>::get(provider, claim.unlock).unwrap_or_default();
                UnbondingValue {
                    unlock: claim.unlock,
                    value: value_of::<T>(claim.points, sub.points, sub.balance),
                }
            })
            .collect();
        let withdrawable = unbonding
            .iter()
            .filter(|claim| claim.unlock <= now)
            .fold(BalanceOf::<T>::zero(), |sum, claim| sum.saturating_add(claim.value));
        Some(DelegationStats {
            shares: delegation.shares,
            pool_shares: pool.shares,
            active: value_of::<T>(delegation.shares, pool.shares, pool.delegated),
            unbonding,
            withdrawable,
            warming_up: delegation.pending.into_inner(),
        })
    }

    /// The record of `provider`, with an estimated annual yield for `blocks_per_year` blocks a year.
    pub fn provider_stats(
        provider: &T::AccountId,
        blocks_per_year: u32,
    ) -> Option<ProviderStats<BalanceOf<T>, BlockNumberFor<T>>> {
        let info = Providers::<T>::get(provider)?;
        let pool = Pools::<T>::get(provider).unwrap_or_default();
        let (_, pool) = Self::settled_view(provider, Default::default(), pool);
        let stake = pool.active_stake();
        let age: u128 = frame_system::Pallet::<T>::block_number()
            .saturating_sub(info.registered_at)
            .unique_saturated_into();
        let yield_of = |earned: BalanceOf<T>| {
            if age == 0 || stake.is_zero() {
                return Perbill::zero();
            }
            let earned: u128 = earned.unique_saturated_into();
            let per_year = earned.saturating_mul(blocks_per_year.into()) / age;
            Perbill::from_rational(per_year, stake.unique_saturated_into())
        };
        let estimated_annual_yield = yield_of(info.pool_earnings);
        let estimated_emission_yield = yield_of(info.pool_emission);
        let chilled_because = match info.status {
            ProviderStatus::Active => None,
            ProviderStatus::Chilled(reason) => Some(reason),
        };
        Some(ProviderStats {
            active: chilled_because.is_none(),
            chilled_because,
            bond: pool.bond,
            delegated: pool.delegated,
            warming_up: pool.warming_up,
            commission: info.commission,
            ask: info.profile.ask,
            vram_mib: info.profile.vram_mib,
            max_concurrent_jobs: info.profile.max_concurrent_jobs,
            slots_taken: info.slots_taken,
            registered_at: info.registered_at,
            pool_earnings: info.pool_earnings,
            reputation: Reputations::<T>::get(provider),
            estimated_annual_yield,
            estimated_emission_yield,
        })
    }

    /// The least offer per replica at which `count` active providers with at least `min_vram_mib` of
    /// memory, of `determinism_class` when given, and with a free slot would take a job: the `count`-th
    /// smallest of their asks, with the number of such providers. `Err(eligible)` when fewer than `count`
    /// such providers exist.
    pub fn quote_offer(
        count: u32,
        min_vram_mib: u32,
        determinism_class: Option<DeterminismClass>,
    ) -> Result<(BalanceOf<T>, u32), u32> {
        // The sampler's own eligibility test, with an offer no ask exceeds.
        let requirements = Requirements {
            min_vram_mib,
            determinism_class,
            offer: BalanceOf::<T>::max_value(),
            min_stake: Zero::zero(),
            beyond_capacity: false,
        };
        let mut asks: Vec<BalanceOf<T>> = Providers::<T>::iter()
            .filter(|(who, info)| {
                let stake = Pools::<T>::get(who).map(|pool| pool.active_stake()).unwrap_or_default();
                Self::is_eligible(info, stake, &requirements)
            })
            .map(|(_, info)| info.profile.ask)
            .collect();
        let eligible = asks.len() as u32;
        let nth = count.checked_sub(1).ok_or(eligible)? as usize;
        if nth >= asks.len() {
            return Err(eligible);
        }
        let (_, ask, _) = asks.select_nth_unstable(nth);
        Ok((*ask, eligible))
    }
}
