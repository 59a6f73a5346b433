//! Delegation warm-up: a delegation joins a batch of its provider's pool and is active only from the
//! batch's activation block on (`DelegationWarmup`), so that nobody can buy into a payout for which
//! others' stake was at risk.
//!
//! Batches activate lazily, at the first operation on the pool from their activation block on
//! (a delegation, undelegation, withdrawal, cancellation, reward or slash): since every change of the
//! share price is such an operation, which activates due batches before it changes anything, a batch
//! buys its shares at the price its activation block had. Each claim on an activated batch turns into
//! shares at its delegator's next operation (its views show it turned already).

use crate::{
    pallet::*,
    pool::{shares_for, INITIAL_SHARES_PER_PLANCK, MAX_SHARE_DILUTION},
    types::*,
};
use frame_support::{
    defensive, ensure,
    storage::{with_transaction, TransactionOutcome},
    traits::Get,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{CheckedAdd, CheckedSub, Saturating, Zero},
    DispatchError, DispatchResult, Rounding,
};

/// The first multiple of `g = ceil(period / (batches - 2))` at or after `now + period`: keys in the
/// future are then multiples of `g` in `(now, now + period + g]`, at most `batches` of them.
pub(crate) fn batch_key<N: sp_runtime::traits::AtLeast32BitUnsigned + Copy>(
    now: N,
    period: N,
    batches: u32,
) -> N {
    let batches: N = batches.saturating_sub(2).max(1).into();
    let one = N::one();
    let granularity = (period.saturating_add(batches).saturating_sub(one) / batches).max(one);
    let target = now.saturating_add(period);
    let batch = target.saturating_add(granularity).saturating_sub(one) / granularity;
    batch.saturating_mul(granularity)
}

impl<T: Config> Pallet<T> {
    /// Activation block of a delegation made at `now`.
    pub(crate) fn warm_up_key(now: BlockNumberFor<T>) -> BlockNumberFor<T> {
        batch_key(now, DelegationWarmup::<T>::get(), T::MaxUnbondingPools::get())
    }

    /// Activates the batches of `provider`'s pool whose activation block has come: each buys shares at
    /// the pool's price (which no operation has changed since that block, see the module's doc). Writes
    /// the batches; the caller writes `pool` and places the provider in the sampler. Bounded by
    /// `MaxUnbondingPools` batches.
    pub(crate) fn activate_due(provider: &T::AccountId, pool: &mut Pool<T>) {
        let now = frame_system::Pallet::<T>::block_number();
        if !pool.warm_up_keys.iter().any(|key| *key <= now) {
            return;
        }
        let mut due: alloc::vec::Vec<_> =
            pool.warm_up_keys.iter().copied().filter(|key| *key <= now).collect();
        due.sort();
        // A batch that cannot activate stays listed and pending (its delegators may cancel it).
        for activation in due {
            let Some(mut batch) = PendingDelegations::<T>::get(provider, activation) else {
                defensive!("a warm-up key without its batch");
                continue;
            };
            let shares = shares_for::<T>(batch.value, pool.shares, pool.delegated, INITIAL_SHARES_PER_PLANCK);
            let (Some(shares), Some(delegated)) = (shares, pool.delegated.checked_add(&batch.value)) else {
                defensive!("a batch's activation overflows");
                continue;
            };
            let Some(total_shares) = pool.shares.checked_add(&shares) else {
                defensive!("a batch's shares overflow");
                continue;
            };
            let max_shares = pool
                .delegated
                .saturating_mul(INITIAL_SHARES_PER_PLANCK.into())
                .saturating_mul(MAX_SHARE_DILUTION.into());
            if pool.shares > max_shares {
                // Slashes since the delegation depleted the pool (`PoolDepleted`): the batch waits for
                // rewards to restore it, or for its delegators to cancel.
                continue;
            }
            if shares.is_zero() {
                // Delegation checks that its amount buys a share; only a price risen a million-fold
                // since then gets here, and the tokens then back the pool's other shares.
                defensive!("an activated batch buys no share");
            }
            pool.warm_up_keys.retain(|key| *key != activation);
            pool.warming_up = pool.warming_up.saturating_sub(batch.value);
            pool.delegated = delegated;
            pool.shares = total_shares;
            batch.shares = shares;
            batch.active = true;
            PendingDelegations::<T>::insert(provider, activation, batch);
            Self::deposit_event(Event::DelegationsActivated {
                provider: provider.clone(),
                activation,
                amount: batch.value,
                shares,
            });
        }
    }

    /// Turns `delegation`'s claims on activated batches into shares. The batches (already counted in
    /// the pool's shares) give up what the claims take; an emptied batch is removed. Call after
    /// [`Self::activate_due`].
    pub(crate) fn settle_claims(
        provider: &T::AccountId,
        delegation: &mut Delegation<T>,
        pool: &mut Pool<T>,
    ) -> Result<(), DispatchError> {
        let mut kept = alloc::vec::Vec::with_capacity(delegation.pending.len());
        for claim in delegation.pending.iter().copied() {
            let mut batch =
                PendingDelegations::<T>::get(provider, claim.activation).ok_or(Error::<T>::Inconsistent)?;
            if !batch.active {
                kept.push(claim);
                continue;
            }
            ensure!(claim.value <= batch.value, Error::<T>::Inconsistent);
            let shares = if claim.value == batch.value {
                batch.shares
            } else {
                crate::pool::mul_div::<T>(batch.shares, claim.value, batch.value, Rounding::Down)
                    .ok_or(Error::<T>::Overflow)?
            };
            batch.value = batch.value.saturating_sub(claim.value);
            batch.shares = batch.shares.saturating_sub(shares);
            delegation.shares = delegation.shares.checked_add(&shares).ok_or(Error::<T>::Overflow)?;
            Self::write_batch(provider, claim.activation, batch, pool);
        }
        delegation.pending = kept.try_into().map_err(|_| Error::<T>::Inconsistent)?;
        Ok(())
    }

    /// Writes `batch` back, or removes it (and its key, if it was not activated) once claims took all
    /// of its tokens.
    fn write_batch(
        provider: &T::AccountId,
        activation: BlockNumberFor<T>,
        batch: PendingBatch<BalanceOf<T>>,
        pool: &mut Pool<T>,
    ) {
        if batch.value.is_zero() {
            PendingDelegations::<T>::remove(provider, activation);
            pool.pending_batch_count = pool.pending_batch_count.saturating_sub(1);
            pool.warm_up_keys.retain(|key| *key != activation);
        } else {
            PendingDelegations::<T>::insert(provider, activation, batch);
        }
    }

    /// Adds `amount` to the batch activating at `activation`, and a claim on it to `delegation`.
    pub(crate) fn join_batch(
        provider: &T::AccountId,
        delegation: &mut Delegation<T>,
        pool: &mut Pool<T>,
        activation: BlockNumberFor<T>,
        amount: BalanceOf<T>,
    ) -> Result<(), DispatchError> {
        let existing = PendingDelegations::<T>::get(provider, activation);
        let mut batch = existing.unwrap_or_default();
        ensure!(!batch.active, Error::<T>::Inconsistent);
        batch.value = batch.value.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
        match delegation.pending.iter_mut().find(|c| c.activation == activation) {
            Some(claim) => claim.value = claim.value.checked_add(&amount).ok_or(Error::<T>::Overflow)?,
            None => delegation
                .pending
                .try_push(PendingClaim { activation, value: amount })
                .map_err(|_| Error::<T>::TooManyUnbondingChunks)?,
        }
        if existing.is_none() {
            // After `activate_due`, the keys listed are those of batches in the future (at most
            // `MaxUnbondingPools - 1` of them besides this one, see `batch_key`) and of due batches a
            // depleted pool could not take, which hold their slot until cancelled or activated.
            pool.warm_up_keys.try_push(activation).map_err(|_| Error::<T>::WarmUpFull)?;
            pool.pending_batch_count = pool.pending_batch_count.saturating_add(1);
        }
        pool.warming_up = pool.warming_up.checked_add(&amount).ok_or(Error::<T>::Overflow)?;
        PendingDelegations::<T>::insert(provider, activation, batch);
        Ok(())
    }

    /// Blocks before its activation from which a warm-up claim can no longer be cancelled by its
    /// delegator: three quarters of the warm-up. Were a delegation free to leave up to its activation,
    /// its delegator could wait, watch the jobs assigned to the provider meanwhile, and stay only when a
    /// large payment is about to come: the decision to stay must be made before any job paid after the
    /// activation can be known (the runtime's warm-up is chosen so that three quarters of it outlast any
    /// job plus an era).
    pub fn cancel_cutoff() -> BlockNumberFor<T> {
        DelegationWarmup::<T>::get().saturating_mul(3u32.into()) / 4u32.into()
    }

    /// Returns to `who` its delegation to `provider` that is still warming up (with `only_early`, the
    /// claims whose activation is more than [`Self::cancel_cutoff`] away, and those due that could not
    /// activate), and turns its activated claims into shares. Writes the delegation and the pool. Returns
    /// the tokens returned.
    pub(crate) fn cancel_pending(
        who: &T::AccountId,
        provider: &T::AccountId,
        only_early: bool,
    ) -> Result<BalanceOf<T>, DispatchError> {
        let mut delegation = Delegations::<T>::get(provider, who).ok_or(Error::<T>::NotDelegated)?;
        let mut pool = Pools::<T>::get(provider).ok_or(Error::<T>::Inconsistent)?;
        Self::activate_due(provider, &mut pool);
        Self::settle_claims(provider, &mut delegation, &mut pool)?;

        let now = frame_system::Pallet::<T>::block_number();
        let cutoff = now.saturating_add(Self::cancel_cutoff());
        let (cancelled, kept): (alloc::vec::Vec<_>, alloc::vec::Vec<_>) = delegation
            .pending
            .iter()
            .copied()
            .partition(|claim| !only_early || claim.activation > cutoff || claim.activation <= now);
        let mut returned = BalanceOf::<T>::zero();
        for claim in cancelled.iter() {
            let mut batch =
                PendingDelegations::<T>::get(provider, claim.activation).ok_or(Error::<T>::Inconsistent)?;
            ensure!(!batch.active && claim.value <= batch.value, Error::<T>::Inconsistent);
            batch.value = batch.value.saturating_sub(claim.value);
            Self::write_batch(provider, claim.activation, batch, &mut pool);
            returned = returned.checked_add(&claim.value).ok_or(Error::<T>::Overflow)?;
        }
        delegation.pending = kept.try_into().map_err(|_| Error::<T>::Inconsistent)?;
        pool.warming_up = pool.warming_up.checked_sub(&returned).ok_or(Error::<T>::Inconsistent)?;
        Self::release_to(provider, who, HoldReason::Delegation, returned)?;

        if delegation.is_empty() {
            Delegations::<T>::remove(provider, who);
        } else {
            Delegations::<T>::insert(provider, who, delegation);
        }
        Self::after_stake_change(provider, &pool);
        Pools::<T>::insert(provider, pool);
        if !returned.is_zero() {
            Self::deposit_event(Event::PendingDelegationCancelled {
                delegator: who.clone(),
                provider: provider.clone(),
                amount: returned,
            });
        }
        Ok(returned)
    }

    pub(crate) fn do_cancel_pending_delegation(who: T::AccountId, provider: T::AccountId) -> DispatchResult {
        let returned = Self::cancel_pending(&who, &provider, true)?;
        ensure!(!returned.is_zero(), Error::<T>::NothingPending);
        Self::maybe_dissolve_pool(&provider);
        Ok(())
    }

    /// `delegation` and `pool` as the next operation on them would find them: due batches activated
    /// and the delegation's claims on them turned into shares. Writes nothing.
    pub(crate) fn settled_view(
        provider: &T::AccountId,
        mut delegation: Delegation<T>,
        mut pool: Pool<T>,
    ) -> (Delegation<T>, Pool<T>) {
        with_transaction(|| {
            Self::activate_due(provider, &mut pool);
            let settled = Self::settle_claims(provider, &mut delegation, &mut pool);
            if settled.is_err() {
                defensive!("a delegation's claims do not settle");
            }
            TransactionOutcome::Rollback(Ok::<_, DispatchError>((delegation, pool)))
        })
        .unwrap_or_else(|_: DispatchError| (Default::default(), Default::default()))
    }
}

#[cfg(test)]
mod tests {
    use super::batch_key;

    #[test]
    fn batch_keys_are_multiples_of_the_granularity_at_or_after_the_period() {
        // period 12, 8 batches: granularity 2.
        assert_eq!(batch_key(0u32, 12, 8), 12);
        assert_eq!(batch_key(1u32, 12, 8), 14);
        assert_eq!(batch_key(2u32, 12, 8), 14);
        // A zero period keys at `now`.
        assert_eq!(batch_key(7u32, 0, 8), 7);
    }
}
