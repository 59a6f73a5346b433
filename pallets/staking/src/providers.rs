//! [`ComputeProviders`]: the staking side of the compute market, as the jobs pallet sees it.

use crate::{pallet::*, pool::Source, types::*};
use alloc::vec::Vec;
use compute_primitives::{ComputeProviders, JobId, JobOutcome, ProviderError, Requirements};
use frame_support::{
    defensive, ensure,
    storage::with_storage_layer,
    traits::{
        fungible::Inspect,
        tokens::{Fortitude, Preservation},
        Get, Imbalance,
    },
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    traits::{Saturating, Zero},
    ArithmeticError, DispatchError,
};

impl<T: Config> ComputeProviders<T::AccountId> for Pallet<T> {
    type Balance = BalanceOf<T>;
    type SlashedFunds = CreditOf<T>;
    type BlockNumber = BlockNumberFor<T>;

    fn sample(
        seed: &[u8; 32],
        count: u32,
        requirements: &Requirements<BalanceOf<T>>,
    ) -> Result<Vec<T::AccountId>, ProviderError> {
        Self::do_sample(seed, count, requirements)
    }

    fn take_slot(provider: &T::AccountId, beyond_capacity: bool) -> Result<(), ProviderError> {
        Providers::<T>::try_mutate(provider, |maybe| {
            let info = maybe.as_mut().ok_or(ProviderError::NotAProvider)?;
            ensure!(
                beyond_capacity || info.slots_taken < info.profile.max_concurrent_jobs,
                ProviderError::NoFreeSlot
            );
            info.slots_taken = info.slots_taken.saturating_add(1);
            if info.slots_taken == info.profile.max_concurrent_jobs {
                Self::refresh_entry(info);
            }
            Ok(())
        })
    }

    fn free_slot(provider: &T::AccountId) {
        Providers::<T>::mutate(provider, |maybe| match maybe {
            Some(info) if info.slots_taken > 0 => {
                let was_full = info.slots_taken >= info.profile.max_concurrent_jobs;
                info.slots_taken = info.slots_taken.saturating_sub(1);
                if was_full {
                    Self::refresh_entry(info);
                }
            }
            _ => {
                defensive!("free_slot without a slot taken");
            }
        })
    }

    fn reward(
        provider: &T::AccountId,
        payer: &T::AccountId,
        amount: BalanceOf<T>,
        job: JobId,
    ) -> Result<(), ProviderError> {
        Self::do_reward(provider, payer, amount, job)
    }

    fn slash(
        provider: &T::AccountId,
        amount: BalanceOf<T>,
        job: JobId,
        since: BlockNumberFor<T>,
    ) -> (CreditOf<T>, BalanceOf<T>) {
        let (credit, _, _) = Self::slash_pool(provider, amount, Some((job, since)));
        let slashed = credit.peek();
        (credit, slashed)
    }

    fn record_outcome(provider: &T::AccountId, outcome: JobOutcome, job: JobId) {
        Self::do_record_outcome(provider, outcome, job)
    }

    fn stake_of(provider: &T::AccountId) -> BalanceOf<T> {
        Pools::<T>::get(provider).map(|pool| pool.active_stake()).unwrap_or_default()
    }
}

impl<T: Config> Pallet<T> {
    /// [`ComputeProviders::reward`]: all or nothing.
    pub(crate) fn do_reward(
        provider: &T::AccountId,
        payer: &T::AccountId,
        amount: BalanceOf<T>,
        job_id: JobId,
    ) -> Result<(), ProviderError> {
        let info = Providers::<T>::get(provider).ok_or(ProviderError::NotAProvider)?;
        if amount.is_zero() {
            return Ok(());
        }
        ensure!(
            T::Currency::reducible_balance(payer, Preservation::Preserve, Fortitude::Polite) >= amount,
            ProviderError::InsufficientFunds
        );
        let split = with_storage_layer(|| {
            Self::distribute(provider, info.commission, amount, Source::Account(payer))
        })
        .map_err(|e| match e {
            DispatchError::Arithmetic(ArithmeticError::Overflow) => ProviderError::Overflow,
            e if e == DispatchError::from(Error::<T>::Overflow) => ProviderError::Overflow,
            _ => ProviderError::InsufficientFunds,
        })?;
        Self::deposit_event(Event::Rewarded {
            provider: provider.clone(),
            payer: payer.clone(),
            split,
            job_id,
        });
        Ok(())
    }

    /// [`ComputeProviders::record_outcome`]: reputation, fault window, emission share.
    pub(crate) fn do_record_outcome(provider: &T::AccountId, outcome: JobOutcome, job_id: JobId) {
        let now = frame_system::Pallet::<T>::block_number();
        Reputations::<T>::mutate(provider, |r| match outcome {
            JobOutcome::Completed { work_units } => {
                r.jobs_completed = r.jobs_completed.saturating_add(1);
                // Only the chain's canaries credit work (requesters' jobs credit none).
                if work_units > 0 {
                    r.canaries_completed = r.canaries_completed.saturating_add(1);
                }
            }
            JobOutcome::WrongResult => r.wrong_results = r.wrong_results.saturating_add(1),
            JobOutcome::MissedDeadline => r.missed_deadlines = r.missed_deadlines.saturating_add(1),
        });
        match outcome {
            JobOutcome::Completed { work_units } => Self::record_work(provider, work_units),
            JobOutcome::WrongResult | JobOutcome::MissedDeadline => {
                if let Some(mut info) = Providers::<T>::get(provider) {
                    // A fault counts while `at + FaultWindow > now`. (Comparing with `now - FaultWindow`
                    // would saturate at zero early in the chain and forget faults recorded at block 0.)
                    let window = T::FaultWindow::get();
                    info.recent_faults.retain(|at| at.saturating_add(window) > now);
                    if info.recent_faults.is_full() {
                        // Already at the limit (chilled): keep the most recent faults.
                        info.recent_faults.remove(0);
                    }
                    let _ = info.recent_faults.try_push(now);
                    if info.status == ProviderStatus::Active
                        && info.recent_faults.len() as u32 >= T::MaxFaults::get()
                    {
                        info.status = ProviderStatus::Chilled(ChillReason::TooManyFaults);
                        let stake = Pools::<T>::get(provider).map(|p| p.active_stake()).unwrap_or_default();
                        Self::place(provider, &mut info, stake);
                        Self::deposit_event(Event::Chilled {
                            provider: provider.clone(),
                            reason: ChillReason::TooManyFaults,
                        });
                    }
                    Providers::<T>::insert(provider, info);
                }
            }
        }
        Self::deposit_event(Event::OutcomeRecorded { provider: provider.clone(), outcome, job_id });
    }
}
