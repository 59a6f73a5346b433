//! Stake-weighted sampling of providers at a cost independent of their number.
//!
//! # Index
//!
//! Asks are quantised: a provider's ask is rounded up to the price of its *tier*,
//! `AskTierBase × 2^(t/4)` (four tiers per doubling, so by less than 19 %), for `t < ASK_TIERS`.
//! Active providers are grouped by tier and by stake level: a provider of tier `t` whose sampling weight
//! `w` (its active stake, capped at `2^(MAX_LEVEL+1) - 1`) lies in `[2^l, 2^(l+1))` is in bucket `(t, l)`,
//! at an index `0 .. count(t, l)` of [`ActiveSet`]. [`ActiveLevels`] lists the non-empty levels of each
//! tier and their counts (at most `MAX_LEVEL + 1` entries), [`ActiveTiers`] the non-empty tiers and their
//! mass (at most `ASK_TIERS`). Moving a provider between buckets is O(1): swap-remove from the old one,
//! push onto the new one. Each slot holds a [`SamplerEntry`]: the provider with its weight and the terms a
//! job is matched against (memory, determinism class, ask, a free slot), rewritten whenever they change,
//! so that a draw reads nothing else.
//!
//! # Draw
//!
//! Each bucket is covered by an envelope of mass `count(t, l) × 2^(l+1)`: one slot of width `2^(l+1)` per
//! provider. A draw for an offer covers only the tiers whose price is at most the offer, whose providers
//! all ask no more than it: stake that asks more is outside the envelope and cannot use up the attempts
//! (sound-economics finding 12). One attempt draws a uniform point `r` of the covered envelope
//! `E = Σ count(t, l) × 2^(l+1)` from `blake2_256(SAMPLE_DOMAIN ‖ seed ‖ attempt)`; the point falls in
//! the slot of provider `i` at offset `o`, and the attempt accepts `i` if `o < w(i)`. So each attempt
//! accepts provider `i` with probability exactly `w(i) / E`: stake-weighted. An accepted provider that is
//! ineligible for the job or already chosen is skipped; conditioned on acceptance, the next pick is
//! therefore distributed like a stake-weighted draw among the eligible providers not yet chosen
//! (successive sampling without replacement).
//!
//! # Cost and failure
//!
//! A call reads `ActiveTiers` once, and an attempt the levels of one tier (cached after the first read)
//! and one `ActiveSet` entry: constant, whatever the number of providers. A call makes at most
//! `MaxSampleAttempts` attempts. Since every weight is at least half its slot, `E < 2 × W` (`W` the total
//! active stake), and an attempt yields a new eligible provider with probability at least `f / 2`, where
//! `f` is the share of the covered stake that is eligible and not yet chosen. With `A` attempts and `n`
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

/// Number of ask tiers: four per doubling, so the highest price is `AskTierBase × 2^15.75`.
pub const ASK_TIERS: u8 = 64;

/// `2^(k/4)` for `k = 0 .. 4`, in ten-thousandths, rounded up.
const QUARTER_OCTAVES: [u128; 4] = [10_000, 11_893, 14_143, 16_818];

/// The price of ask tier `tier` (`tier < ASK_TIERS`) over `base`, `ceil(base × 2^(tier/4))` to four
/// digits; `None` on overflow.
pub fn ask_tier_price(base: u128, tier: u8) -> Option<u128> {
    let octave = 1u128.checked_shl(u32::from(tier / 4))?;
    Some(base.checked_mul(octave)?.checked_mul(QUARTER_OCTAVES[usize::from(tier % 4)])?.div_ceil(10_000))
}

/// The lowest tier whose price covers `ask`; `None` above the highest.
pub(crate) fn tier_of_ask(base: u128, ask: u128) -> Option<u8> {
    (0..ASK_TIERS).find(|tier| ask_tier_price(base, *tier).is_some_and(|price| price >= ask))
}

/// The highest tier whose price `offer` pays; `None` below the lowest.
pub(crate) fn tier_of_offer(base: u128, offer: u128) -> Option<u8> {
    (0..ASK_TIERS).rev().find(|tier| ask_tier_price(base, *tier).is_some_and(|price| price <= offer))
}

/// Domain separator of the sampler's hashing. Changing it changes every assignment: it is versioned.
pub const SAMPLE_DOMAIN: &[u8] = b"compute-chain staking sample v2";

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
            ProviderStatus::Active => level_of(weight).and_then(|level| Some((Self::tier_of(info)?, level))),
            ProviderStatus::Chilled(_) => None,
        };
        match (info.position, desired) {
            (Some(position), Some((tier, level))) if (position.tier, position.level) == (tier, level) => {
                ActiveSet::<T>::insert((tier, level), position.index, Self::sampler_entry(who, info, weight));
                return;
            }
            (None, None) => return,
            _ => {}
        }
        if let Some(position) = info.position.take() {
            Self::remove_from_bucket(position);
        }
        if let Some((tier, level)) = desired {
            info.position = Self::push_to_bucket(Self::sampler_entry(who, info, weight), tier, level);
        }
    }

    /// The ask tier of a provider (its ask is a tier price: see `Pallet::rounded_ask`).
    fn tier_of(info: &ProviderInfo<T>) -> Option<u8> {
        let tier = tier_of_ask(T::AskTierBase::get().saturated_into(), info.profile.ask.saturated_into());
        if tier.is_none() {
            defensive!("a registered ask above the highest tier");
        }
        tier
    }

    /// `ask` rounded up to the price of its tier; `None` above the highest tier.
    pub(crate) fn rounded_ask(ask: BalanceOf<T>) -> Option<BalanceOf<T>> {
        let base = T::AskTierBase::get().saturated_into();
        let price = ask_tier_price(base, tier_of_ask(base, ask.saturated_into())?)?;
        price.try_into().ok()
    }

    /// Brings an active provider's entry up to date with `info` after a change of its free capacity (its
    /// weight and ask are unchanged; a new ask may change its tier: see `place`).
    pub(crate) fn refresh_entry(info: &ProviderInfo<T>) {
        let Some(position) = info.position else { return };
        ActiveSet::<T>::mutate((position.tier, position.level), position.index, |maybe| match maybe {
            Some(entry) => *entry = Self::sampler_entry(&entry.provider, info, entry.weight),
            None => {
                defensive!("an active position without its entry");
            }
        });
    }

    fn push_to_bucket(
        entry: SamplerEntry<T::AccountId, BalanceOf<T>>,
        tier: u8,
        level: u8,
    ) -> Option<ActivePosition> {
        let mut tiers = ActiveTiers::<T>::get();
        let slot = 1u128 << (level as u32 + 1);
        match tiers.binary_search_by_key(&tier, |t| t.tier) {
            Ok(i) => {
                let t = tiers.get_mut(i)?;
                t.mass = t.mass.saturating_add(slot);
            }
            Err(i) => {
                if tiers.try_insert(i, TierMass { tier, mass: slot }).is_err() {
                    defensive!("more tiers than ASK_TIERS");
                    return None;
                }
            }
        }
        let mut levels = ActiveLevels::<T>::get(tier);
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
        ActiveSet::<T>::insert((tier, level), index, entry);
        ActiveLevels::<T>::insert(tier, levels);
        ActiveTiers::<T>::put(tiers);
        Some(ActivePosition { tier, level, index })
    }

    fn remove_from_bucket(position: ActivePosition) {
        let ActivePosition { tier, level, index } = position;
        let mut levels = ActiveLevels::<T>::get(tier);
        let Ok(i) = levels.binary_search_by_key(&level, |l| l.level) else {
            defensive!("active position in an empty level");
            return;
        };
        let Some(entry) = levels.get_mut(i) else { return };
        let last = entry.count.saturating_sub(1);
        if index != last {
            match ActiveSet::<T>::take((tier, level), last) {
                Some(moved) => {
                    Providers::<T>::mutate(&moved.provider, |maybe| match maybe {
                        Some(info) => info.position = Some(position),
                        None => {
                            defensive!("active set entry of an unregistered provider");
                        }
                    });
                    ActiveSet::<T>::insert((tier, level), index, moved);
                }
                None => {
                    defensive!("active level shorter than its count");
                }
            }
        } else {
            ActiveSet::<T>::remove((tier, level), last);
        }
        entry.count = last;
        if last == 0 {
            levels.remove(i);
        }
        if levels.is_empty() {
            ActiveLevels::<T>::remove(tier);
        } else {
            ActiveLevels::<T>::insert(tier, levels);
        }
        let mut tiers = ActiveTiers::<T>::get();
        if let Ok(i) = tiers.binary_search_by_key(&tier, |t| t.tier) {
            let slot = 1u128 << (level as u32 + 1);
            let mass = tiers.get(i).map_or(0, |t| t.mass.saturating_sub(slot));
            if mass == 0 {
                tiers.remove(i);
            } else if let Some(t) = tiers.get_mut(i) {
                t.mass = mass;
            }
            ActiveTiers::<T>::put(tiers);
        } else {
            defensive!("active position in an empty tier");
        }
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
        let base = T::AskTierBase::get().saturated_into();
        let Some(top) = tier_of_offer(base, requirements.offer.saturated_into()) else {
            return Err(ProviderError::NotEnoughEligible { eligible: 0 });
        };
        // Only the tiers the offer pays: every provider in them asks no more than it.
        let tiers: Vec<TierMass> = ActiveTiers::<T>::get().into_iter().filter(|t| t.tier <= top).collect();
        // At most 64 tiers of 86 levels of 2^32 providers below 2^(32 + 86) each: below 2^125.
        let envelope: u128 = tiers.iter().map(|t| t.mass).sum();
        if envelope == 0 {
            return Err(ProviderError::NotEnoughEligible { eligible: 0 });
        }
        let mut levels_of: Vec<(u8, Vec<LevelCount>)> = Vec::new();
        for attempt in 0..T::MaxSampleAttempts::get() {
            let mut point = draw(seed, attempt) % envelope;
            let Some(tier) = tiers.iter().find_map(|t| {
                if point < t.mass {
                    Some(t.tier)
                } else {
                    point -= t.mass;
                    None
                }
            }) else {
                defensive!("sample point outside the envelope");
                continue;
            };
            let levels = match levels_of.iter().position(|(t, _)| *t == tier) {
                Some(i) => &levels_of[i].1,
                None => {
                    levels_of.push((tier, ActiveLevels::<T>::get(tier).into_inner()));
                    &levels_of[levels_of.len() - 1].1
                }
            };
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
            let Some(entry) = ActiveSet::<T>::get((tier, level), index) else {
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
