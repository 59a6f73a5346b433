//! Pool accounting: where the tokens sit, share arithmetic, rewards and slashes.
//!
//! Every token staked behind a provider sits on its pool account, a keyless account derived from the
//! pallet id and the provider, on hold: `ProviderBond` for the provider's self-bond and its unbonding
//! chunks, `Delegation` for the delegators' active stake and their unbonding pools. The pool account also
//! keeps a free deposit (the existential deposit) so that it always exists and can receive any amount.
//!
//! A slash is one `BalancedHold::slash` per hold reason on that account, whatever the number of
//! delegators; the bookkeeping lowers the self-bond, the delegated stake (hence the value of every
//! share) and each slashable unbonding chunk and pool in proportion. Rewards add to the self-bond and to
//! the delegated stake in proportion to them.

use crate::{pallet::*, types::*, LOG_TARGET};
use codec::Encode;
use frame_support::{
    defensive,
    traits::{
        fungible::{BalancedHold, Inspect, Mutate, MutateHold},
        tokens::{DepositConsequence, Fortitude, Precision, Preservation, Provenance},
        Get, Imbalance,
    },
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    helpers_128bit::multiply_by_rational_with_rounding,
    traits::{AccountIdConversion, CheckedAdd, CheckedMul, SaturatedConversion, Saturating, Zero},
    DispatchError, DispatchResult, Rounding,
};

/// Shares minted per planck by the first delegation to a pool. Fine-grained shares keep what a later
/// delegator loses to the rounding of its shares (at most one share) below a planck, even after rewards
/// have raised the share price a millionfold.
pub const INITIAL_SHARES_PER_PLANCK: u32 = 1_000_000;

/// A pool whose slashes pushed the share price below `1 / MAX_SHARE_DILUTION` of the initial price takes
/// no new delegations: share counts stay within a few orders of magnitude of the stake (as nomination
/// pools' `MaxPointsToBalance`). Its delegators can still leave, and rewards restore it.
pub const MAX_SHARE_DILUTION: u32 = 10;

/// `a × b / c` with the given rounding, or `None` when `c` is zero or the result overflows.
pub(crate) fn mul_div<T: Config>(
    a: BalanceOf<T>,
    b: BalanceOf<T>,
    c: BalanceOf<T>,
    rounding: Rounding,
) -> Option<BalanceOf<T>> {
    if c.is_zero() {
        return None;
    }
    let result = multiply_by_rational_with_rounding(
        a.saturated_into(),
        b.saturated_into(),
        c.saturated_into(),
        rounding,
    )?;
    BalanceOf::<T>::try_from(result).ok()
}

/// Shares (or points) minted for `value` joining a pool of `total_value` backing `total_shares`, rounded
/// down so that the newcomer never gets more than it brings; `initial` shares per planck in an empty pool.
/// `None` on overflow, or if the pool has shares but no value (which the slash rules prevent).
pub(crate) fn shares_for<T: Config>(
    value: BalanceOf<T>,
    total_shares: BalanceOf<T>,
    total_value: BalanceOf<T>,
    initial: u32,
) -> Option<BalanceOf<T>> {
    if total_shares.is_zero() {
        value.checked_mul(&initial.into())
    } else {
        mul_div::<T>(value, total_shares, total_value, Rounding::Down)
    }
}

/// Value of `shares` of a pool, rounded down. The whole pool is worth exactly `total_value`.
pub(crate) fn value_of<T: Config>(
    shares: BalanceOf<T>,
    total_shares: BalanceOf<T>,
    total_value: BalanceOf<T>,
) -> BalanceOf<T> {
    if total_shares.is_zero() {
        return Zero::zero();
    }
    // `shares <= total_shares`, so the result is at most `total_value`: no overflow.
    mul_div::<T>(shares, total_value, total_shares, Rounding::Down).unwrap_or_else(Zero::zero)
}

/// Where the tokens of a reward come from.
pub(crate) enum Source<'a, AccountId> {
    /// Transferred from this account's free balance (kept alive).
    Account(&'a AccountId),
    /// Minted (emission).
    Mint,
}

// Copy whatever the account type: only a reference is held.
impl<AccountId> Clone for Source<'_, AccountId> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<AccountId> Copy for Source<'_, AccountId> {}

impl<T: Config> Pallet<T> {
    /// The account on which the tokens staked behind `provider` are held.
    ///
    /// `PalletId` sub-account of `blake2_256(provider)`: with 32-byte account ids 20 bytes of the hash
    /// remain after the `modl` prefix and the pallet id, so two providers share a pool account only by
    /// a 160-bit collision.
    pub fn pool_account(provider: &T::AccountId) -> T::AccountId {
        let hash = sp_io::hashing::blake2_256(&provider.encode());
        T::PalletId::get().into_sub_account_truncating(hash)
    }

    /// Moves `amount` from `source` onto the pool account, on hold for `reason`.
    pub(crate) fn fund_hold(
        source: Source<'_, T::AccountId>,
        pool_account: &T::AccountId,
        reason: HoldReason,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        if amount.is_zero() {
            return Ok(());
        }
        match source {
            Source::Account(from) => T::Currency::transfer_and_hold(
                &reason.into(),
                from,
                pool_account,
                amount,
                Precision::Exact,
                Preservation::Preserve,
                Fortitude::Polite,
            )
            .map(|_| ()),
            Source::Mint => {
                T::Currency::mint_into(pool_account, amount)?;
                T::Currency::hold(&reason.into(), pool_account, amount)
            }
        }
    }

    /// Moves `amount` from `source` to `dest`'s free balance.
    fn fund_free(
        source: Source<'_, T::AccountId>,
        dest: &T::AccountId,
        amount: BalanceOf<T>,
    ) -> DispatchResult {
        if amount.is_zero() {
            return Ok(());
        }
        match source {
            Source::Account(from) => {
                T::Currency::transfer(from, dest, amount, Preservation::Preserve).map(|_| ())
            }
            Source::Mint => T::Currency::mint_into(dest, amount).map(|_| ()),
        }
    }

    /// Pays `amount` for `provider`'s work: the commission to the provider, the rest to its pool, split
    /// between its self-bond and its delegators in proportion to their active stake (delegators' part
    /// rounded down, the dust to the bond). When the provider's account cannot receive the commission
    /// (its free balance would stay below the existential deposit) the commission is added to its bond.
    ///
    /// Not transactional by itself: callers run it in a storage layer.
    pub(crate) fn distribute(
        provider: &T::AccountId,
        commission_rate: sp_runtime::Perbill,
        amount: BalanceOf<T>,
        source: Source<'_, T::AccountId>,
    ) -> Result<RewardSplit<BalanceOf<T>>, DispatchError> {
        let mut pool = Pools::<T>::get(provider).ok_or(Error::<T>::Inconsistent)?;
        // Delegations that are active by now share in the payment; those still warming up do not.
        Self::activate_due(provider, &mut pool);
        let pool_account = Self::pool_account(provider);

        let mut commission = commission_rate.mul_floor(amount);
        let rest = amount.saturating_sub(commission);
        let stake = pool.active_stake();
        let to_delegators = if pool.shares.is_zero() || stake.is_zero() {
            Zero::zero()
        } else {
            mul_div::<T>(rest, pool.delegated, stake, Rounding::Down).ok_or(Error::<T>::Overflow)?
        };
        let mut to_bond = rest.saturating_sub(to_delegators);
        let provenance = match source {
            Source::Account(_) => Provenance::Extant,
            Source::Mint => Provenance::Minted,
        };
        if !commission.is_zero()
            && T::Currency::can_deposit(provider, commission, provenance) != DepositConsequence::Success
        {
            to_bond = to_bond.saturating_add(commission);
            commission = Zero::zero();
        }
        let new_bond = pool.bond.checked_add(&to_bond).ok_or(Error::<T>::Overflow)?;
        let new_delegated = pool.delegated.checked_add(&to_delegators).ok_or(Error::<T>::Overflow)?;

        Self::fund_free(source, provider, commission)?;
        Self::fund_hold(source, &pool_account, HoldReason::ProviderBond, to_bond)?;
        Self::fund_hold(source, &pool_account, HoldReason::Delegation, to_delegators)?;

        pool.bond = new_bond;
        pool.delegated = new_delegated;
        Self::after_stake_change(provider, &pool);
        Pools::<T>::insert(provider, pool);
        Providers::<T>::mutate(provider, |maybe| {
            if let Some(info) = maybe {
                let to_pool = to_bond.saturating_add(to_delegators);
                info.pool_earnings = info.pool_earnings.saturating_add(to_pool);
                if matches!(source, Source::Mint) {
                    info.pool_emission = info.pool_emission.saturating_add(to_pool);
                }
            }
        });
        Reputations::<T>::mutate(provider, |r| r.total_earned = r.total_earned.saturating_add(amount));
        Ok(RewardSplit { commission, to_bond, to_delegators })
    }

    /// Slashes up to `amount` from everything at risk behind `provider`: its self-bond, its unbonding
    /// chunks not yet unlocked, its delegators' stake and their unbonding pools not yet unlocked. For a
    /// fault in a job assigned at block `since`, unbonding that began before `since` was not at risk and
    /// is spared: a chunk unlocking before `since + UnbondingPeriod`, and an unbonding pool unlocking
    /// before it (every claim on such a pool began unbonding before `since`; a pool unlocking later may
    /// hold claims begun up to one batching granularity before `since`, which are slashed with it).
    ///
    /// Each of these buckets loses `floor(bucket × min(amount, total) / total)`, so the sum slashed is at
    /// most `amount` and every holder loses in proportion (rounding in the holders' favour). A bucket
    /// shared by shares or points keeps at least one planck, so that shares never lose all backing.
    /// Returns the slashed funds, the part taken from the bond side and the part taken from the
    /// delegators. Cost: bounded by `MaxUnbondingChunks + MaxUnbondingPools`, not by delegators. `job` is
    /// the job whose fault it pays and when it was assigned (`None` for `force_slash`, which spares
    /// nothing).
    pub(crate) fn slash_pool(
        provider: &T::AccountId,
        amount: BalanceOf<T>,
        job: Option<(compute_primitives::JobId, BlockNumberFor<T>)>,
    ) -> (CreditOf<T>, BalanceOf<T>, BalanceOf<T>) {
        let job_id = job.map(|(id, _)| id);
        // Unbonding that unlocks before this began before the assignment.
        let at_risk_from =
            job.map_or_else(Zero::zero, |(_, since)| since.saturating_add(T::UnbondingPeriod::get()));
        let zero = || (CreditOf::<T>::zero(), Zero::zero(), Zero::zero());
        let Some(mut pool) = Pools::<T>::get(provider) else { return zero() };
        if amount.is_zero() {
            return zero();
        }
        // Active delegations are at risk; those still warming up are not.
        Self::activate_due(provider, &mut pool);
        let now = frame_system::Pallet::<T>::block_number();
        pool.unbonding_keys.retain(|unlock| *unlock > now);
        let slashable = |unlock: &BlockNumberFor<T>| *unlock > now && *unlock >= at_risk_from;
        let mut unbonding_pools = alloc::vec::Vec::with_capacity(pool.unbonding_keys.len());
        for unlock in pool.unbonding_keys.iter().filter(|unlock| slashable(unlock)) {
            match UnbondingPools::<T>::get(provider, unlock) {
                Some(sub) => unbonding_pools.push((*unlock, sub)),
                None => {
                    defensive!("unbonding key without its pool");
                }
            }
        }

        let mut total = pool.bond.saturating_add(pool.delegated);
        for chunk in pool.bond_unbonding.iter().filter(|c| slashable(&c.unlock)) {
            total = total.saturating_add(chunk.value);
        }
        for (_, sub) in unbonding_pools.iter() {
            total = total.saturating_add(sub.balance);
        }
        if total.is_zero() {
            return zero();
        }
        let take = amount.min(total);
        // The cut of one bucket; `shared` buckets keep at least one planck.
        let cut = |bucket: BalanceOf<T>, shared: bool| -> BalanceOf<T> {
            let c = mul_div::<T>(bucket, take, total, Rounding::Down).unwrap_or_else(Zero::zero).min(bucket);
            if shared && c == bucket && !bucket.is_zero() {
                bucket.saturating_sub(1u32.into())
            } else {
                c
            }
        };

        let mut from_bond = cut(pool.bond, false);
        pool.bond = pool.bond.saturating_sub(from_bond);
        for chunk in pool.bond_unbonding.iter_mut().filter(|c| slashable(&c.unlock)) {
            let c = cut(chunk.value, false);
            chunk.value = chunk.value.saturating_sub(c);
            from_bond = from_bond.saturating_add(c);
        }
        pool.bond_unbonding.retain(|c| !c.value.is_zero());

        let mut from_delegators = cut(pool.delegated, !pool.shares.is_zero());
        pool.delegated = pool.delegated.saturating_sub(from_delegators);
        for (unlock, mut sub) in unbonding_pools {
            let c = cut(sub.balance, !sub.points.is_zero());
            sub.balance = sub.balance.saturating_sub(c);
            from_delegators = from_delegators.saturating_add(c);
            UnbondingPools::<T>::insert(provider, unlock, sub);
        }

        let account = Self::pool_account(provider);
        let (bond_credit, bond_missing) = <T::Currency as BalancedHold<T::AccountId>>::slash(
            &HoldReason::ProviderBond.into(),
            &account,
            from_bond,
        );
        let (delegation_credit, delegation_missing) = <T::Currency as BalancedHold<T::AccountId>>::slash(
            &HoldReason::Delegation.into(),
            &account,
            from_delegators,
        );
        if !bond_missing.is_zero() || !delegation_missing.is_zero() {
            defensive!("pool holds below the pool's accounts", (bond_missing, delegation_missing));
        }
        let credit = bond_credit.merge(delegation_credit);
        let slashed = credit.peek();

        Reputations::<T>::mutate(provider, |r| r.total_slashed = r.total_slashed.saturating_add(slashed));
        if let Some(mut info) = Providers::<T>::get(provider) {
            if info.status == ProviderStatus::Active && pool.bond < T::MinProviderBond::get() {
                info.status = ProviderStatus::Chilled(ChillReason::BondBelowMinimum);
                Self::deposit_event(Event::Chilled {
                    provider: provider.clone(),
                    reason: ChillReason::BondBelowMinimum,
                });
            }
            Self::place(provider, &mut info, pool.active_stake());
            Providers::<T>::insert(provider, info);
        }
        Pools::<T>::insert(provider, pool);
        log::debug!(target: LOG_TARGET, "slashed {slashed:?} of {amount:?} asked from {provider:?}");
        Self::deposit_event(Event::Slashed {
            provider: provider.clone(),
            requested: amount,
            from_bond,
            from_delegators,
            job_id,
        });
        (credit, from_bond, from_delegators)
    }

    /// Keeps the sampler's index in step after `provider`'s active stake changed.
    pub(crate) fn after_stake_change(provider: &T::AccountId, pool: &Pool<T>) {
        if let Some(mut info) = Providers::<T>::get(provider) {
            let before = info.position;
            Self::place(provider, &mut info, pool.active_stake());
            if info.position != before {
                Providers::<T>::insert(provider, info);
            }
        }
    }

    /// Returns the deposit and removes the pool of a deregistered provider once nothing is left in it.
    pub(crate) fn maybe_dissolve_pool(provider: &T::AccountId) {
        if Providers::<T>::contains_key(provider) {
            return;
        }
        let Some(pool) = Pools::<T>::get(provider) else { return };
        let empty = pool.bond.is_zero()
            && pool.bond_unbonding.is_empty()
            && pool.shares.is_zero()
            && pool.delegated.is_zero()
            && pool.unbonding_pool_count == 0
            && pool.warming_up.is_zero()
            && pool.pending_batch_count == 0;
        if !empty {
            return;
        }
        let account = Self::pool_account(provider);
        let returned = T::Currency::reducible_balance(&account, Preservation::Expendable, Fortitude::Polite);
        match T::Currency::transfer(&account, provider, returned, Preservation::Expendable) {
            Ok(_) => {
                Pools::<T>::remove(provider);
                Self::deposit_event(Event::PoolDissolved { provider: provider.clone(), returned });
            }
            // The provider cannot receive the deposit (say, the existential deposit rose since): the
            // pool stays, harmless, and dissolves on a later withdrawal.
            Err(e) => log::warn!(target: LOG_TARGET, "pool of {provider:?} not dissolved: {e:?}"),
        }
    }
}
