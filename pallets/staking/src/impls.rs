//! The logic of the dispatchables: each call in `lib.rs` checks its origin and calls one function here.
//!
//! Every function validates before it writes; dispatch is transactional besides, so a refused call
//! changes no balance, hold or storage item.

use crate::{
    pallet::*,
    pool::{mul_div, shares_for, value_of, Source, INITIAL_SHARES_PER_PLANCK, MAX_SHARE_DILUTION},
    types::*,
};
use alloc::vec::Vec;
use frame_support::{
    ensure,
    traits::{
        fungible::{Inspect, MutateHold},
        tokens::{DepositConsequence, Fortitude, Precision, Preservation, Provenance, Restriction},
        Get,
    },
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{CheckedAdd, One, SaturatedConversion, Saturating, Zero},
    DispatchResult, Perbill, Rounding,
};

impl<T: Config> Pallet<T> {
    fn now() -> BlockNumberFor<T> {
        frame_system::Pallet::<T>::block_number()
    }

    /// Tokens `who` can pay from its free balance and stay alive.
    fn spendable(who: &T::AccountId) -> BalanceOf<T> {
        T::Currency::reducible_balance(who, Preservation::Preserve, Fortitude::Polite)
    }

    /// Checks a profile and rounds its ask up to the price of its tier (see the sampler).
    fn validate_profile(profile: &mut ProviderProfile<T>) -> DispatchResult {
        ensure!(!profile.gpu_name.is_empty() && !profile.endpoint.is_empty(), Error::<T>::EmptyProfileField);
        ensure!(
            profile.max_concurrent_jobs > 0 && profile.max_concurrent_jobs <= T::MaxConcurrentJobs::get(),
            Error::<T>::InvalidCapacity
        );
        profile.ask = Self::rounded_ask(profile.ask).ok_or(Error::<T>::AskTooHigh)?;
        Ok(())
    }

    /// Unlock block of a delegator unbonding at `now`: the first multiple of the batching granularity
    /// `g = ceil(UnbondingPeriod / (MaxUnbondingPools - 2))` at or after `now + UnbondingPeriod`. Unlock
    /// blocks in the future are then multiples of `g` in `(now, now + UnbondingPeriod + g]`: at most
    /// `MaxUnbondingPools` of them.
    pub(crate) fn unbonding_key(now: BlockNumberFor<T>) -> BlockNumberFor<T> {
        crate::warmup::batch_key(now, T::UnbondingPeriod::get(), T::MaxUnbondingPools::get())
    }

    pub(crate) fn do_register(
        who: T::AccountId,
        mut profile: ProviderProfile<T>,
        commission: Perbill,
        bond: BalanceOf<T>,
    ) -> DispatchResult {
        ensure!(!Providers::<T>::contains_key(&who), Error::<T>::AlreadyRegistered);
        Self::validate_profile(&mut profile)?;
        ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
        ensure!(bond >= T::MinProviderBond::get(), Error::<T>::InsufficientBond);

        let existing = Pools::<T>::get(&who);
        let deposit = if existing.is_some() { Zero::zero() } else { T::Currency::minimum_balance() };
        let needed = bond.checked_add(&deposit).ok_or(Error::<T>::Overflow)?;
        ensure!(Self::spendable(&who) >= needed, Error::<T>::InsufficientBalance);
        let mut pool = existing.unwrap_or_default();
        pool.bond = pool.bond.checked_add(&bond).ok_or(Error::<T>::Overflow)?;

        let pool_account = Self::pool_account(&who);
        if !deposit.is_zero() {
            <T::Currency as frame_support::traits::fungible::Mutate<_>>::transfer(
                &who,
                &pool_account,
                deposit,
                Preservation::Preserve,
            )?;
            pool.deposit = deposit;
        }
        Self::fund_hold(Source::Account(&who), &pool_account, HoldReason::ProviderBond, bond)?;

        let mut info = ProviderInfo {
            profile,
            commission,
            commission_raised_at: Self::now(),
            status: ProviderStatus::Active,
            slots_taken: 0,
            position: None,
            recent_faults: Default::default(),
            registered_at: Self::now(),
            pool_earnings: Zero::zero(),
            pool_emission: Zero::zero(),
        };
        Self::place(&who, &mut info, pool.active_stake());
        Providers::<T>::insert(&who, info);
        Pools::<T>::insert(&who, pool);
        Self::deposit_event(Event::ProviderRegistered {
            provider: who,
            commission,
            bond,
            pool_deposit: deposit,
        });
        Ok(())
    }

    pub(crate) fn do_update_profile(who: T::AccountId, mut profile: ProviderProfile<T>) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        Self::validate_profile(&mut profile)?;
        info.profile = profile;
        // A new ask may move the provider to another tier of the sampler.
        let stake = Pools::<T>::get(&who).map(|pool| pool.active_stake()).unwrap_or_default();
        Self::place(&who, &mut info, stake);
        Providers::<T>::insert(&who, info);
        Self::deposit_event(Event::ProfileUpdated { provider: who });
        Ok(())
    }

    pub(crate) fn do_set_commission(who: T::AccountId, commission: Perbill) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        ensure!(commission <= T::MaxCommission::get(), Error::<T>::CommissionTooHigh);
        let old = info.commission;
        if commission > old {
            ensure!(
                commission.saturating_sub(old) <= T::MaxCommissionIncrease::get(),
                Error::<T>::CommissionIncreaseTooLarge
            );
            let now = Self::now();
            ensure!(
                now >= info.commission_raised_at.saturating_add(T::CommissionChangeDelay::get()),
                Error::<T>::CommissionChangeTooSoon
            );
            info.commission_raised_at = now;
        }
        info.commission = commission;
        Providers::<T>::insert(&who, info);
        Self::deposit_event(Event::CommissionChanged { provider: who, old, new: commission });
        Ok(())
    }

    pub(crate) fn do_bond_extra(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let mut pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        pool.bond = pool.bond.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
        ensure!(Self::spendable(&who) >= amount, Error::<T>::InsufficientBalance);

        Self::fund_hold(Source::Account(&who), &Self::pool_account(&who), HoldReason::ProviderBond, amount)?;
        Self::place(&who, &mut info, pool.active_stake());
        Providers::<T>::insert(&who, info);
        Pools::<T>::insert(&who, pool);
        Self::deposit_event(Event::Bonded { provider: who, amount });
        Ok(())
    }

    pub(crate) fn do_unbond(who: T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let mut pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        ensure!(amount <= pool.bond, Error::<T>::InsufficientBond);
        let remaining = pool.bond.saturating_sub(amount);
        if info.status == ProviderStatus::Active {
            ensure!(remaining >= T::MinProviderBond::get(), Error::<T>::InsufficientBond);
        }
        let unlock = Self::now().saturating_add(T::UnbondingPeriod::get());
        match pool.bond_unbonding.iter_mut().find(|c| c.unlock == unlock) {
            Some(chunk) => chunk.value = chunk.value.checked_add(&amount).ok_or(Error::<T>::Overflow)?,
            None => pool
                .bond_unbonding
                .try_push(UnbondingChunk { unlock, value: amount })
                .map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
        }
        pool.bond = remaining;
        Self::place(&who, &mut info, pool.active_stake());
        Providers::<T>::insert(&who, info);
        Pools::<T>::insert(&who, pool);
        Self::deposit_event(Event::Unbonded { provider: who, amount, unlock });
        Ok(())
    }

    pub(crate) fn do_withdraw_unbonded(who: T::AccountId) -> DispatchResult {
        ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotAProvider);
        let mut pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        let now = Self::now();
        let before = pool.bond_unbonding.len();
        let mut amount: BalanceOf<T> = Zero::zero();
        pool.bond_unbonding.retain(|chunk| {
            if chunk.unlock <= now {
                amount = amount.saturating_add(chunk.value);
                false
            } else {
                true
            }
        });
        ensure!(pool.bond_unbonding.len() < before, Error::<T>::NothingToWithdraw);
        Self::release_to(&who, &who, HoldReason::ProviderBond, amount)?;
        Pools::<T>::insert(&who, pool);
        Self::deposit_event(Event::Withdrawn { provider: who, amount });
        Ok(())
    }

    /// Moves `amount` held for `reason` on `provider`'s pool account to `to`'s free balance.
    pub(crate) fn release_to(
        provider: &T::AccountId,
        to: &T::AccountId,
        reason: HoldReason,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        if amount.is_zero() {
            return Ok(());
        }
        ensure!(
            T::Currency::can_deposit(to, amount, Provenance::Extant) == DepositConsequence::Success,
            Error::<T>::CannotReceive
        );
        T::Currency::transfer_on_hold(
            &reason.into(),
            &Self::pool_account(provider),
            to,
            amount,
            Precision::Exact,
            Restriction::Free,
            Fortitude::Polite,
        )?;
        Ok(())
    }

    pub(crate) fn do_chill(who: T::AccountId) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        ensure!(info.status == ProviderStatus::Active, Error::<T>::AlreadyChilled);
        let stake = Pools::<T>::get(&who).map(|p| p.active_stake()).unwrap_or_default();
        info.status = ProviderStatus::Chilled(ChillReason::Requested);
        Self::place(&who, &mut info, stake);
        Providers::<T>::insert(&who, info);
        Self::deposit_event(Event::Chilled { provider: who, reason: ChillReason::Requested });
        Ok(())
    }

    pub(crate) fn do_rejoin(who: T::AccountId) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        ensure!(matches!(info.status, ProviderStatus::Chilled(_)), Error::<T>::NotChilled);
        if info.status == ProviderStatus::Chilled(ChillReason::TooManyFaults) {
            // The last fault is the one that chilled it (later ones only replace it).
            let last_fault = info.recent_faults.last().copied().unwrap_or_default();
            ensure!(
                Self::now() >= last_fault.saturating_add(T::RejoinCooldown::get()),
                Error::<T>::CooldownNotOver
            );
        }
        let pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        ensure!(pool.bond >= T::MinProviderBond::get(), Error::<T>::InsufficientBond);
        info.status = ProviderStatus::Active;
        Self::place(&who, &mut info, pool.active_stake());
        Providers::<T>::insert(&who, info);
        Self::deposit_event(Event::Rejoined { provider: who });
        Ok(())
    }

    pub(crate) fn do_deregister(who: T::AccountId) -> DispatchResult {
        let mut info = Providers::<T>::get(&who).ok_or(Error::<T>::NotAProvider)?;
        let pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        ensure!(
            pool.bond.is_zero()
                && pool.bond_unbonding.is_empty()
                && pool.shares.is_zero()
                && pool.warming_up.is_zero()
                && info.slots_taken == 0,
            Error::<T>::NotIdle
        );
        // Defensive: a provider without bond is never active.
        info.status = ProviderStatus::Chilled(ChillReason::Requested);
        Self::place(&who, &mut info, Zero::zero());
        Providers::<T>::remove(&who);
        Self::deposit_event(Event::Deregistered { provider: who.clone() });
        Self::maybe_dissolve_pool(&who);
        Ok(())
    }

    pub(crate) fn do_delegate(
        who: T::AccountId,
        provider: T::AccountId,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        ensure!(who != provider, Error::<T>::SelfDelegation);
        ensure!(Providers::<T>::contains_key(&provider), Error::<T>::NotAProvider);
        ensure!(amount >= T::MinDelegation::get(), Error::<T>::DelegationTooSmall);
        let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::Inconsistent)?;
        Self::activate_due(&provider, &mut pool);
        // A provider without a self-bond is leaving (see `unbond_delegator`): nothing to earn there.
        ensure!(!pool.bond.is_zero(), Error::<T>::ProviderLeaving);
        let max_shares = pool
            .delegated
            .saturating_mul(INITIAL_SHARES_PER_PLANCK.into())
            .saturating_mul(MAX_SHARE_DILUTION.into());
        ensure!(pool.shares <= max_shares, Error::<T>::PoolDepleted);
        // What the tokens would buy now; they buy at the price of their activation.
        let shares = shares_for::<T>(amount, pool.shares, pool.delegated, INITIAL_SHARES_PER_PLANCK)
            .ok_or(Error::<T>::Overflow)?;
        ensure!(!shares.is_zero(), Error::<T>::DelegationTooSmall);
        ensure!(Self::spendable(&who) >= amount, Error::<T>::InsufficientBalance);

        let mut delegation = Delegations::<T>::get(&provider, &who).unwrap_or_default();
        Self::settle_claims(&provider, &mut delegation, &mut pool)?;
        let activation = Self::warm_up_key(Self::now());
        Self::join_batch(&provider, &mut delegation, &mut pool, activation, amount)?;
        Self::fund_hold(
            Source::Account(&who),
            &Self::pool_account(&provider),
            HoldReason::Delegation,
            amount,
        )?;
        Self::deposit_event(Event::Delegated {
            delegator: who.clone(),
            provider: provider.clone(),
            amount,
            activation,
        });
        // Without a warm-up the batch is due at once.
        Self::activate_due(&provider, &mut pool);
        Self::settle_claims(&provider, &mut delegation, &mut pool)?;

        Self::after_stake_change(&provider, &pool);
        Pools::<T>::insert(&provider, pool);
        Delegations::<T>::insert(&provider, &who, delegation);
        Ok(())
    }

    pub(crate) fn do_undelegate(
        who: T::AccountId,
        provider: T::AccountId,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let mut delegation = Delegations::<T>::get(&provider, &who).ok_or(Error::<T>::NotDelegated)?;
        let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::Inconsistent)?;
        Self::activate_due(&provider, &mut pool);
        Self::settle_claims(&provider, &mut delegation, &mut pool)?;
        if delegation.shares.is_zero() {
            let warming_up = !delegation.pending.is_empty();
            return Err(if warming_up { Error::<T>::NotYetActive } else { Error::<T>::NotDelegated }.into());
        }
        ensure!(delegation.shares <= pool.shares, Error::<T>::Inconsistent);

        // Burn shares rounded up (at least the requested value leaves the pool's remaining holders
        // whole); unbonding everything takes the value of all the caller's shares, rounded down.
        let value = value_of::<T>(delegation.shares, pool.shares, pool.delegated);
        let (burn, out) = if amount >= value {
            (delegation.shares, value)
        } else {
            let burn = mul_div::<T>(amount, pool.shares, pool.delegated, Rounding::Up)
                .ok_or(Error::<T>::Overflow)?
                .min(delegation.shares);
            (burn, amount)
        };
        let remaining = delegation.shares.saturating_sub(burn);
        let pool_shares = pool.shares.saturating_sub(burn);
        let pool_delegated = pool.delegated.saturating_sub(out);
        if !remaining.is_zero() {
            ensure!(
                value_of::<T>(remaining, pool_shares, pool_delegated) >= T::MinDelegation::get(),
                Error::<T>::RemainderTooSmall
            );
        }

        let now = Self::now();
        let unlock = Self::unbonding_key(now);
        if !out.is_zero() {
            let existing = UnbondingPools::<T>::get(&provider, unlock);
            let mut sub = existing.unwrap_or_default();
            let points = shares_for::<T>(out, sub.points, sub.balance, 1).ok_or(Error::<T>::Overflow)?;
            ensure!(!points.is_zero(), Error::<T>::DelegationTooSmall);
            sub.points = sub.points.checked_add(&points).ok_or(Error::<T>::Overflow)?;
            sub.balance = sub.balance.checked_add(&out).ok_or(Error::<T>::Overflow)?;
            match delegation.unbonding.iter_mut().find(|c| c.unlock == unlock) {
                Some(claim) => {
                    claim.points = claim.points.checked_add(&points).ok_or(Error::<T>::Overflow)?
                }
                None => delegation
                    .unbonding
                    .try_push(UnbondingClaim { unlock, points })
                    .map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
            }
            if existing.is_none() {
                pool.unbonding_pool_count = pool.unbonding_pool_count.saturating_add(1);
            }
            if !pool.unbonding_keys.contains(&unlock) {
                pool.unbonding_keys.retain(|k| *k > now);
                // At most `MaxUnbondingPools` unlock blocks lie in the future (see `unbonding_key`).
                pool.unbonding_keys.try_push(unlock).map_err(|_| Error::<T>::Inconsistent)?;
            }
            UnbondingPools::<T>::insert(&provider, unlock, sub);
        }
        delegation.shares = remaining;
        pool.shares = pool_shares;
        pool.delegated = pool_delegated;

        if delegation.is_empty() {
            Delegations::<T>::remove(&provider, &who);
        } else {
            Delegations::<T>::insert(&provider, &who, delegation);
        }
        Self::after_stake_change(&provider, &pool);
        Pools::<T>::insert(&provider, pool);
        Self::deposit_event(Event::Undelegated {
            delegator: who,
            provider,
            amount: out,
            shares: burn,
            unlock,
        });
        Ok(())
    }

    pub(crate) fn do_unbond_delegator(who: T::AccountId, delegator: T::AccountId) -> DispatchResult {
        ensure!(Providers::<T>::contains_key(&who), Error::<T>::NotAProvider);
        let pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        ensure!(pool.bond.is_zero(), Error::<T>::StillBonded);
        // What still warms up goes back at once (it was never at risk); activated claims become shares.
        let returned = Self::cancel_pending(&delegator, &who, false)?;
        // Claims that have unlocked are paid out first, so that the delegator's list of claims (which
        // holds more than the unlock blocks that can lie ahead) always has room for this one.
        let now = Self::now();
        let Some(delegation) = Delegations::<T>::get(&who, &delegator) else { return Ok(()) };
        let matured = delegation.unbonding.iter().any(|claim| claim.unlock <= now);
        if matured {
            Self::do_withdraw_delegation(delegator.clone(), who.clone())?;
        }
        if delegation.shares.is_zero() {
            ensure!(matured || !returned.is_zero(), Error::<T>::NotDelegated);
            return Ok(());
        }
        // All of it: at least its value.
        let pool = Pools::<T>::get(&who).ok_or(Error::<T>::Inconsistent)?;
        Self::do_undelegate(delegator, who, pool.delegated.max(One::one()))
    }

    pub(crate) fn do_withdraw_delegation(who: T::AccountId, provider: T::AccountId) -> DispatchResult {
        let mut delegation = Delegations::<T>::get(&provider, &who).ok_or(Error::<T>::NotDelegated)?;
        let mut pool = Pools::<T>::get(&provider).ok_or(Error::<T>::Inconsistent)?;
        let now = Self::now();
        let (ready, pending): (Vec<_>, Vec<_>) =
            delegation.unbonding.iter().copied().partition(|c| c.unlock <= now);
        ensure!(!ready.is_empty(), Error::<T>::NothingToWithdraw);

        let mut amount: BalanceOf<T> = Zero::zero();
        let mut updates = Vec::with_capacity(ready.len());
        for claim in ready {
            let mut sub =
                UnbondingPools::<T>::get(&provider, claim.unlock).ok_or(Error::<T>::Inconsistent)?;
            ensure!(claim.points <= sub.points, Error::<T>::Inconsistent);
            let value = value_of::<T>(claim.points, sub.points, sub.balance);
            sub.points = sub.points.saturating_sub(claim.points);
            sub.balance = sub.balance.saturating_sub(value);
            amount = amount.checked_add(&value).ok_or(Error::<T>::Overflow)?;
            updates.push((claim.unlock, sub));
        }
        Self::release_to(&provider, &who, HoldReason::Delegation, amount)?;

        for (unlock, sub) in updates {
            if sub.points.is_zero() {
                // The last claim takes the whole balance (`value_of` of all points): nothing is left.
                UnbondingPools::<T>::remove(&provider, unlock);
                pool.unbonding_pool_count = pool.unbonding_pool_count.saturating_sub(1);
                pool.unbonding_keys.retain(|k| *k != unlock);
            } else {
                UnbondingPools::<T>::insert(&provider, unlock, sub);
            }
        }
        delegation.unbonding = pending.try_into().map_err(|_| Error::<T>::Inconsistent)?;
        if delegation.is_empty() {
            Delegations::<T>::remove(&provider, &who);
        } else {
            Delegations::<T>::insert(&provider, &who, delegation);
        }
        Pools::<T>::insert(&provider, pool);
        Self::deposit_event(Event::DelegationWithdrawn {
            delegator: who,
            provider: provider.clone(),
            amount,
        });
        Self::maybe_dissolve_pool(&provider);
        Ok(())
    }

    pub(crate) fn do_force_slash(
        provider: &T::AccountId,
        amount: BalanceOf<T>,
    ) -> Result<CreditOf<T>, Error<T>> {
        ensure!(!amount.is_zero(), Error::<T>::ZeroAmount);
        let (credit, from_bond, from_delegators) = Self::slash_pool(provider, amount, None);
        ensure!(!from_bond.saturating_add(from_delegators).is_zero(), Error::<T>::NothingToSlash);
        Ok(credit)
    }

    /// Panics on a configuration the pallet cannot work with (run by `integrity_test`).
    pub(crate) fn check_config() {
        assert!(!T::MinProviderBond::get().is_zero(), "MinProviderBond must be > 0");
        assert!(!T::MinDelegation::get().is_zero(), "MinDelegation must be > 0");
        assert!(T::MaxUnbondingPools::get() >= 3, "MaxUnbondingPools must be >= 3");
        assert!(
            T::MaxUnbondingChunks::get() >= T::MaxUnbondingPools::get(),
            "MaxUnbondingChunks must be >= MaxUnbondingPools: a delegation's claims cover every batch ahead"
        );
        assert!(T::MaxFaults::get() > 0, "MaxFaults must be > 0");
        assert!(T::MaxConcurrentJobs::get() > 0, "MaxConcurrentJobs must be > 0");
        assert!(T::MaxSampleAttempts::get() > 0, "MaxSampleAttempts must be > 0");
        assert!(!T::AskTierBase::get().is_zero(), "AskTierBase must be > 0");
        let top = crate::ask_tier_price(T::AskTierBase::get().saturated_into(), crate::ASK_TIERS - 1);
        assert!(
            top.is_some_and(|price| BalanceOf::<T>::try_from(price).is_ok()),
            "the highest ask tier's price must fit a balance"
        );
        assert!(!T::EraLength::get().is_zero(), "EraLength must be > 0");
    }
}
