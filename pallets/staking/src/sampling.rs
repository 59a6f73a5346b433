//! Stake-weighted sampling of providers at a cost independent of their number.
//!
//! # Index
//!
//! Active providers are grouped by stake level: a provider whose sampling weight `w` (its active stake,
//! capped at `2^(MAX_LEVEL+1) - 1`) lies in `[2^l, 2^(l+1))` is in level `l`, at an index
//! `0 .. count(l)` of [`ActiveSet`]. [`ActiveLevels`] lists the non-empty levels and their counts (at
//! most `MAX_LEVEL + 1` entries). Moving a provider between levels is O(1): swap-remove from the old
//! level, push onto the new one. Each slot holds a [`SamplerEntry`]: the provider with its weight and the
//! terms a job is matched against (memory, determinism class, ask, a free slot), rewritten whenever they
//! change, so that a draw reads nothing else.
//!
//! # Draw
//!
//! Each level is covered by an envelope of mass `count(l) × 2^(l+1)`: one slot of width `2^(l+1)` per
//! provider. One attempt draws a uniform point `r` of the total envelope `E = Σ count(l) × 2^(l+1)` from
//! `blake2_256(SAMPLE_DOMAIN ‖ seed ‖ attempt)`; the point falls in the slot of provider `i` of level `l`
//! at offset `o`, and the attempt accepts `i` if `o < w(i)`. So each attempt accepts provider `i` with
//! probability exactly `w(i) / E`: stake-weighted. An accepted provider that is ineligible for the job or
//! already chosen is skipped; conditioned on acceptance, the next pick is therefore distributed like a
//! stake-weighted draw among the eligible providers not yet chosen (successive sampling without
//! replacement).
//!
//! # Cost and failure
//!
//! An attempt reads `ActiveLevels` (cached after the first) and one `ActiveSet` entry: constant, whatever
//! the number of providers. A call makes at most
//! `MaxSampleAttempts` attempts. Since every weight is at least half its slot, `E < 2 × W` (`W` the total
//! active stake), and an attempt yields a new eligible provider with probability at least `f / 2`, where
//! `f` is the share of active stake that is eligible and not yet chosen. With `A` attempts and `n`
//! providers wanted, the call fails (returns `NotEnoughEligible`) with probability at most
//! `P[Binomial(A, f/2) < n]` (`f` here the least such share during the call); for `A = 128`, `n = 3`:
//! `f = 0.5` → 10⁻¹³, `f = 0.3` → 3 × 10⁻⁷, `f = 0.2` → 2 × 10⁻⁴, `f = 0.1` → 0.04 (for `n = 1`:
//! 10⁻¹⁶, 10⁻⁹, 10⁻⁶, 10⁻³). The jobs pallet queues a job that found too few providers and retries it in a later
//! block with fresh randomness. The trade-off: rare, well-understood failures instead of a cost that grows
//! with the number of providers (a full scan) or with its logarithm (a Fenwick tree of stakes).
//!
//! The reduction of the 128-bit draw modulo `E` biases a point by at most `E / 2^128`: with realistic
//! stakes (below 2^80 planck in total) under 2^-48.

use crate::{pallet::*, types::*};
use alloc::vec::Vec;
use codec::Encode;
use compute_primitives::{ProviderError, Requirements};
use frame_support::{defensive, traits::Get};
use sp_runtime::traits::SaturatedConversion;

/// Highest stake level: sampling weights saturate at `2^(MAX_LEVEL+1) - 1` planck (about 7.7 × 10²⁵, i.e.
/// 7.7 × 10¹³ tokens of 12 decimals), so that the envelope of up to 2³² providers fits in 128 bits.
pub const MAX_LEVEL: u8 = 85;

/// Domain separator of the sampler's hashing. Changing it changes every assignment: it is versioned.
pub const SAMPLE_DOMAIN: &[u8] = b"compute-chain staking sample v1";

/// Sampling weight of a stake.
pub(crate) fn weight_of<T: Config>(stake: BalanceOf<T>) -> u128 {
    let cap = (1u128 << (MAX_LEVEL as u32 + 1)) - 1;
    stake.saturated_into::<u128>().min(cap)
}

/// Level of a weight: `floor(log2(weight))`; none for zero.
pub(crate) fn level_of(weight: u128) -> Option<u8> {
    if weight == 0 {
        None
    } else {
        Some((127 - weight.leading_zeros()) as u8)
    }
}

/// The `attempt`-th uniform 128-bit draw of `seed`.
pub(crate) fn draw(seed: &[u8; 32], attempt: u32) -> u128 {
    let hash = sp_io::hashing::blake2_256(&(SAMPLE_DOMAIN, seed, attempt).encode());
    u128::from_le_bytes(core::array::from_fn(|i| hash[i]))
}

impl<T: Config> Pallet<T> {
    /// The sampler's entry for `who`, with sampling weight `weight`.
    pub(crate) fn sampler_entry(
        who: &T::AccountId,
        info: &ProviderInfo<T>,
        weight: u128,
    ) -> SamplerEntry<T::AccountId, BalanceOf<T>> {
        SamplerEntry {
            provider: who.clone(),
            weight,
            vram_mib: info.profile.vram_mib,
            determinism_class: info.profile.determinism_class,
            ask: info.profile.ask,
            has_free_slot: info.slots_taken < info.profile.max_concurrent_jobs,
        }
    }

    /// Puts `who` where its status and stake say: at its stake level in the active set, with an entry
    /// made from `info` and `stake`, or out of it. Updates `info.position`; the caller writes `info`. May
    /// move one other provider (swap-remove).
    pub(crate) fn place(who: &T::AccountId, info: &mut ProviderInfo<T>, stake: BalanceOf<T>) {
        let weight = weight_of::<T>(stake);
        let desired = match info.status {
            ProviderStatus::Active => level_of(weight),
            ProviderStatus::Chilled(_) => None,
        };
        match (info.position, desired) {
            (Some(position), Some(level)) if position.level == level => {
                ActiveSet::<T>::insert(level, position.index, Self::sampler_entry(who, info, weight));
                return;
            }
            (None, None) => return,
            _ => {}
        }
        if let Some(position) = info.position.take() {
            Self::remove_from_level(position);
        }
        if let Some(level) = desired {
            info.position = Self::push_to_level(Self::sampler_entry(who, info, weight), level);
        }
    }

    /// Brings an active provider's entry up to date with `info` after a change of its profile or of its
    /// free capacity (its weight is unchanged).
    pub(crate) fn refresh_entry(info: &ProviderInfo<T>) {
        let Some(position) = info.position else { return };
        ActiveSet::<T>::mutate(position.level, position.index, |maybe| match maybe {
            Some(entry) => *entry = Self::sampler_entry(&entry.provider, info, entry.weight),
            None => {
                defensive!("an active position without its entry");
            }
        });
    }

    fn push_to_level(entry: SamplerEntry<T::AccountId, BalanceOf<T>>, level: u8) -> Option<ActivePosition> {
        let mut levels = ActiveLevels::<T>::get();
        let index = match levels.binary_search_by_key(&level, |l| l.level) {
            Ok(i) => {
                let entry = levels.get_mut(i)?;
                let index = entry.count;
                entry.count = entry.count.saturating_add(1);
                index
            }
            Err(i) => {
                if levels.try_insert(i, LevelCount { level, count: 1 }).is_err() {
                    defensive!("more levels than MAX_LEVEL + 1");
                    return None;
                }
                0
            }
        };
        ActiveSet::<T>::insert(level, index, entry);
        ActiveLevels::<T>::put(levels);
        Some(ActivePosition { level, index })
    }

    fn remove_from_level(position: ActivePosition) {
        let mut levels = ActiveLevels::<T>::get();
        let Ok(i) = levels.binary_search_by_key(&position.level, |l| l.level) else {
            defensive!("active position in an empty level");
            return;
        };
        let Some(entry) = levels.get_mut(i) else { return };
        let last = entry.count.saturating_sub(1);
        if position.index != last {
            match ActiveSet::<T>::take(position.level, last) {
                Some(moved) => {
                    Providers::<T>::mutate(&moved.provider, |maybe| match maybe {
                        Some(info) => info.position = Some(position),
                        None => {
                            defensive!("active set entry of an unregistered provider");
                        }
                    });
                    ActiveSet::<T>::insert(position.level, position.index, moved);
                }
                None => {
                    defensive!("active level shorter than its count");
                }
            }
        } else {
            ActiveSet::<T>::remove(position.level, last);
        }
        entry.count = last;
        if last == 0 {
            levels.remove(i);
        }
        ActiveLevels::<T>::put(levels);
    }

    /// Whether the provider of an active set entry may take a job with these requirements (the entry's
    /// copy of [`Self::is_eligible`]: every provider in the set is active).
    fn accepts(
        entry: &SamplerEntry<T::AccountId, BalanceOf<T>>,
        requirements: &Requirements<BalanceOf<T>>,
    ) -> bool {
        entry.vram_mib >= requirements.min_vram_mib
            && requirements.determinism_class.is_none_or(|class| class == entry.determinism_class)
            && entry.ask <= requirements.offer
            && entry.weight >= weight_of::<T>(requirements.min_stake)
            && (entry.has_free_slot || requirements.beyond_capacity)
    }

    /// Whether `info`, with `stake` behind it, may take a job with these requirements.
    pub(crate) fn is_eligible(
        info: &ProviderInfo<T>,
        stake: BalanceOf<T>,
        requirements: &Requirements<BalanceOf<T>>,
    ) -> bool {
        info.status == ProviderStatus::Active
            && weight_of::<T>(stake) >= weight_of::<T>(requirements.min_stake)
            && info.profile.vram_mib >= requirements.min_vram_mib
            && requirements.determinism_class.is_none_or(|class| class == info.profile.determinism_class)
            && info.profile.ask <= requirements.offer
            && (info.slots_taken < info.profile.max_concurrent_jobs || requirements.beyond_capacity)
    }

    /// Picks `count` distinct eligible providers, stake-weighted, from `seed` (see the module docs).
    pub(crate) fn do_sample(
        seed: &[u8; 32],
        count: u32,
        requirements: &Requirements<BalanceOf<T>>,
    ) -> Result<Vec<T::AccountId>, ProviderError> {
        let wanted = count as usize;
        let mut chosen: Vec<T::AccountId> = Vec::new();
        if wanted == 0 {
            return Ok(chosen);
        }
        let levels = ActiveLevels::<T>::get();
        // At most 86 terms below 2^(32 + 86) each: no overflow.
        let envelope: u128 = levels.iter().map(|l| (l.count as u128) << (l.level as u32 + 1)).sum();
        if envelope == 0 {
            return Err(ProviderError::NotEnoughEligible { eligible: 0 });
        }
        for attempt in 0..T::MaxSampleAttempts::get() {
            let mut point = draw(seed, attempt) % envelope;
            let mut slot = None;
            for l in levels.iter() {
                let width = l.level as u32 + 1;
                let mass = (l.count as u128) << width;
                if point < mass {
                    slot = Some((l.level, (point >> width) as u32, point & ((1u128 << width) - 1)));
                    break;
                }
                point -= mass;
            }
            let Some((level, index, offset)) = slot else {
                defensive!("sample point outside the envelope");
                continue;
            };
            let Some(entry) = ActiveSet::<T>::get(level, index) else {
                defensive!("active level shorter than its count");
                continue;
            };
            if offset >= entry.weight
                || !Self::accepts(&entry, requirements)
                || chosen.contains(&entry.provider)
            {
                continue;
            }
            chosen.push(entry.provider);
            if chosen.len() == wanted {
                return Ok(chosen);
            }
        }
        Err(ProviderError::NotEnoughEligible { eligible: chosen.len() as u32 })
    }
}
