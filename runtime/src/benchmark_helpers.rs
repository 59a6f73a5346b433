//! Benchmark set-up that needs more than one pallet: the jobs pallet's benchmarks register providers
//! with the real staking pallet, so that assignment is measured with the real sampler.

use alloc::vec::Vec;
use compute_primitives::{DeterminismClass, HardwareNeeds};
use frame_support::{
    traits::{fungible::Mutate, Get},
    BoundedVec,
};
use pallet_compute_staking::{GpuBackend, ProviderProfile};
use sp_runtime::Perbill;

use crate::{AccountId, Balance, Balances, ComputeStaking, Runtime, RuntimeOrigin, UNIT};

/// Registers providers through `ComputeStaking::register_provider`.
pub struct ComputeJobsBenchmarkHelper;

impl pallet_compute_jobs::BenchmarkHelper<Runtime> for ComputeJobsBenchmarkHelper {
    fn provider_population() -> u32 {
        // The target: assignment among a thousand registered providers.
        1_000
    }

    fn register_providers(count: u32, needs: &HardwareNeeds, ask: Balance) -> Vec<AccountId> {
        let bond: Balance = <Runtime as pallet_compute_staking::Config>::MinProviderBond::get();
        (0..count)
            .map(|i| {
                let who: AccountId = frame_benchmarking::account("provider", i, 0);
                // Stake, fees and room for slashes and rewards.
                let _ = Balances::mint_into(&who, bond.saturating_mul(4).saturating_add(1_000 * UNIT));
                let profile = ProviderProfile::<Runtime> {
                    gpu_name: BoundedVec::truncate_from(b"benchmark GPU".to_vec()),
                    vendor: BoundedVec::truncate_from(b"benchmark".to_vec()),
                    backend: GpuBackend::Vulkan,
                    vram_mib: needs.min_vram_mib.max(1),
                    benchmark_score: 1,
                    determinism_class: needs.determinism_class.unwrap_or(DeterminismClass([0; 16])),
                    max_concurrent_jobs: 64,
                    // Asks are rounded up to a tier price: the lowest tier is within every valid offer.
                    ask: ask.min(<Runtime as pallet_compute_staking::Config>::AskTierBase::get()),
                    endpoint: BoundedVec::truncate_from(b"http://127.0.0.1:8040".to_vec()),
                };
                if let Err(e) = ComputeStaking::register_provider(
                    RuntimeOrigin::signed(who.clone()),
                    profile,
                    Perbill::zero(),
                    bond,
                ) {
                    panic!("benchmark provider {i} cannot register: {e:?}");
                }
                who
            })
            .collect()
    }

    fn canary_kernel() -> Vec<u8> {
        crate::canaries::canary_kernel_source().to_vec()
    }

    fn fill_pools(providers: &[AccountId]) {
        for provider in providers {
            ComputeStaking::fill_pool_for_benchmark(provider, u32::MAX);
        }
    }
}
