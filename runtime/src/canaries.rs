//! The canary jobs the chain issues to pay its emission: SHA-256 of generated messages, the built-in
//! `sha256` kernel registered at genesis. Integer work that every worker runs bit for bit alike, on inputs
//! nobody knows before the issuing block, checked by replication like any job.

use alloc::{vec, vec::Vec};
use compute_primitives::{kernel_id, HardwareNeeds, JobInput, KernelId};
use frame_support::BoundedVec;
use pallet_compute_jobs::{Canary, CanaryJobs, JobSpecOf};

use crate::{genesis_config_presets::BUILT_IN_KERNELS, Runtime, MINUTES};

/// Messages hashed by one canary.
pub const CANARY_MESSAGES: u32 = 4096;
/// Bytes per message: one SHA-256 block and a half, so two compression rounds per message.
pub const CANARY_MESSAGE_LEN: u32 = 64;
/// Workgroup size of the `sha256` kernel (one invocation per message).
const SHA256_WORKGROUP: u32 = 64;
/// Loop iterations of one invocation of the `sha256` kernel on a canary's message: two blocks of 16 words
/// loaded and 64 rounds, and the block loop's own two, with room to spare.
pub const CANARY_FUEL: u32 = 200;
/// Providers drawn for each canary (two when only two are eligible).
pub const CANARY_REPLICAS: u8 = 3;
/// Blocks to commit: a minute, far more than the few milliseconds of the work plus inclusion.
pub const CANARY_COMMIT_WINDOW: u32 = MINUTES;
/// Blocks to reveal.
pub const CANARY_REVEAL_WINDOW: u32 = MINUTES / 2;
/// Blocks between two canaries (genesis value of `CanaryInterval`).
pub const CANARY_INTERVAL: u32 = MINUTES;

/// The source of the `sha256` kernel.
fn sha256_source() -> &'static str {
    BUILT_IN_KERNELS
        .iter()
        .find(|(name, _)| *name == "sha256")
        .map(|(_, wgsl)| *wgsl)
        .expect("sha256 is a built-in kernel")
}

/// The id of the kernel the canaries run.
pub fn canary_kernel() -> KernelId {
    kernel_id(sha256_source().as_bytes())
}

/// The source of the kernel the canaries run (for the benchmarks).
pub fn canary_kernel_source() -> &'static [u8] {
    sha256_source().as_bytes()
}

/// SHA-256 canaries on inputs generated from the chain's seed.
pub struct Sha256Canaries;

impl CanaryJobs<Runtime> for Sha256Canaries {
    fn canary(seed: &[u8; 32]) -> Option<Canary<Runtime>> {
        let params = [CANARY_MESSAGES, CANARY_MESSAGE_LEN, 0, 0];
        let spec = JobSpecOf::<Runtime> {
            kernel: canary_kernel(),
            entry_point: BoundedVec::truncate_from(b"main".to_vec()),
            inputs: BoundedVec::truncate_from(vec![JobInput::Generated {
                seed: *seed,
                len: CANARY_MESSAGES * CANARY_MESSAGE_LEN,
            }]),
            params: BoundedVec::truncate_from(
                params.iter().flat_map(|w| w.to_le_bytes()).collect::<Vec<_>>(),
            ),
            output_len: 32 * CANARY_MESSAGES,
            workgroups: [CANARY_MESSAGES / SHA256_WORKGROUP, 1, 1],
            fuel: CANARY_FUEL,
            replicas: CANARY_REPLICAS,
            // Set by the pallet to a majority of the providers drawn.
            quorum: 0,
            // A canary pays no reward: the emission pays its winners.
            reward_per_replica: 0,
            commit_window: CANARY_COMMIT_WINDOW,
            reveal_window: CANARY_REVEAL_WINDOW,
            queue_window: 1,
            needs: HardwareNeeds { min_vram_mib: 0, determinism_class: None },
        };
        // The unit of the emission: messages hashed, the same for every canary.
        Some(Canary { spec, work_units: u64::from(CANARY_MESSAGES) })
    }

    fn uses_kernel(kernel: &KernelId) -> bool {
        *kernel == canary_kernel()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canaries_are_valid_jobs_of_the_registered_sha256_kernel() {
        let Canary { spec, work_units } = Sha256Canaries::canary(&[7; 32]).expect("a canary");
        assert_eq!(work_units, 4096);
        assert_eq!(spec.workgroups[0] * SHA256_WORKGROUP, CANARY_MESSAGES, "one invocation per message");
        assert_eq!(spec.inputs[0].len(), CANARY_MESSAGES * CANARY_MESSAGE_LEN);
        assert!(Sha256Canaries::uses_kernel(&spec.kernel));
        let other = Sha256Canaries::canary(&[8; 32]).expect("a canary");
        assert_ne!(other.spec.inputs, spec.inputs, "the seed makes the inputs");
    }

    #[test]
    fn the_canary_ask_cap_is_an_ask_tier_price() {
        use frame_support::traits::Get;
        // Asks are stored as tier prices: a cap between two would silently shut out the tier above it.
        let base = <Runtime as pallet_compute_staking::Config>::AskTierBase::get();
        let cap = <Runtime as pallet_compute_jobs::Config>::MaxCanaryAsk::get();
        assert!((0..pallet_compute_staking::ASK_TIERS)
            .any(|tier| pallet_compute_staking::ask_tier_price(base, tier) == Some(cap)));
    }

    #[test]
    fn the_canary_window_covers_the_canary_budget() {
        use frame_support::traits::Get;
        let Canary { spec, .. } = Sha256Canaries::canary(&[7; 32]).expect("a canary");
        let needed = spec
            .commit_window_needed(
                canary_kernel_source().len() as u32,
                <Runtime as pallet_compute_jobs::Config>::MinCommitWindow::get(),
                <Runtime as pallet_compute_jobs::Config>::ByteStepsPerBlock::get(),
            )
            .expect("fits");
        assert!(needed <= CANARY_COMMIT_WINDOW, "{needed} blocks needed, {CANARY_COMMIT_WINDOW} given");
    }
}
