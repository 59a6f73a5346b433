//! Emission: `EmissionPerBlock` accumulates in the current era; when the era closes it is shared among
//! the providers in proportion to the work units of the jobs they completed in it, a bounded number of
//! payouts per block.
//!
//! Only what is paid is minted: an era without work, a provider's share rounded down, and the share of a
//! provider that deregistered before its payout are never minted.

use crate::{pallet::*, pool::Source, types::*, weights::WeightInfo, LOG_TARGET};
use frame_support::{defensive, storage::with_storage_layer, traits::Get, weights::Weight};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
    helpers_128bit::multiply_by_rational_with_rounding,
    traits::{SaturatedConversion, Saturating, Zero},
    Rounding,
};

impl<T: Config> Pallet<T> {
    /// The era in progress, created on first use.
    fn current_era_info(now: BlockNumberFor<T>) -> (EraIndex, EraInfo<BlockNumberFor<T>, BalanceOf<T>>) {
        let era = CurrentEra::<T>::get();
        let info = Eras::<T>::get(era).unwrap_or_else(|| EraInfo {
            start: now,
            emission: Zero::zero(),
            work: 0,
            paid: Zero::zero(),
        });
        (era, info)
    }

    /// Adds `work_units` to the provider's work in the current era.
    pub(crate) fn record_work(provider: &T::AccountId, work_units: u64) {
        if work_units == 0 {
            return;
        }
        let (era, mut info) = Self::current_era_info(frame_system::Pallet::<T>::block_number());
        info.work = info.work.saturating_add(work_units as u128);
        Eras::<T>::insert(era, info);
        EraWork::<T>::mutate(era, provider, |work| *work = work.saturating_add(work_units));
    }

    /// The block hook: closes the era when it is over, accrues this block's emission, pays out.
    pub(crate) fn on_initialize_emission(now: BlockNumberFor<T>) -> Weight {
        let (mut era, mut info) = Self::current_era_info(now);
        if now >= info.start.saturating_add(T::EraLength::get()) {
            Self::deposit_event(Event::EraClosed { era, emission: info.emission, work: info.work });
            if info.work == 0 {
                Eras::<T>::remove(era);
            } else {
                Eras::<T>::insert(era, info);
            }
            era = era.saturating_add(1);
            CurrentEra::<T>::put(era);
            info = EraInfo { start: now, emission: Zero::zero(), work: 0, paid: Zero::zero() };
        }
        info.emission = info.emission.saturating_add(T::EmissionPerBlock::get());
        Eras::<T>::insert(era, info);
        let payouts = Self::pay_out(era, T::MaxPayoutsPerBlock::get());
        T::WeightInfo::on_initialize(payouts)
    }

    /// Pays up to `budget` providers of closed eras, oldest first. Returns the number paid (or skipped).
    fn pay_out(current: EraIndex, budget: u32) -> u32 {
        let mut next = NextEraToPay::<T>::get();
        let mut done = 0u32;
        // Eras without work have no entry; stepping over them is bounded by the loop (at most one era
        // closes per block, so `next` never falls more than a few eras behind).
        let mut steps = budget.saturating_add(2);
        while next < current && done < budget && steps > 0 {
            steps -= 1;
            let Some(mut info) = Eras::<T>::get(next) else {
                next = next.saturating_add(1);
                continue;
            };
            let room = budget - done;
            let mut drained = 0u32;
            for (provider, work) in EraWork::<T>::drain_prefix(next).take(room as usize) {
                drained += 1;
                Self::pay_provider(next, &mut info, &provider, work);
            }
            done = done.saturating_add(drained);
            if drained < room {
                Eras::<T>::remove(next);
                Self::deposit_event(Event::EraPaid { era: next, paid: info.paid });
                next = next.saturating_add(1);
            } else {
                Eras::<T>::insert(next, info);
            }
        }
        NextEraToPay::<T>::put(next);
        done
    }

    fn pay_provider(
        era: EraIndex,
        info: &mut EraInfo<BlockNumberFor<T>, BalanceOf<T>>,
        provider: &T::AccountId,
        work: u64,
    ) {
        let share = multiply_by_rational_with_rounding(
            info.emission.saturated_into(),
            work as u128,
            info.work,
            Rounding::Down,
        )
        .map(|s| s.saturated_into::<BalanceOf<T>>())
        .unwrap_or_else(Zero::zero);
        if share.is_zero() {
            return;
        }
        let Some(provider_info) = Providers::<T>::get(provider) else {
            log::debug!(target: LOG_TARGET, "emission share of {provider:?} forfeited: not a provider");
            return;
        };
        match with_storage_layer(|| Self::distribute(provider, provider_info.commission, share, Source::Mint))
        {
            Ok(split) => {
                info.paid = info.paid.saturating_add(share);
                Self::deposit_event(Event::EmissionPaid { era, provider: provider.clone(), work, split });
            }
            Err(e) => {
                defensive!("emission payout failed", e);
            }
        }
    }
}
