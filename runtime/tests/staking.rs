//! The staking pallet works through the real runtime: a provider registers and a delegator delegates with
//! signed transactions, their tokens move onto the provider's pool account under the right holds, and the
//! pallet's invariants hold.

mod common;

use compute_runtime::{
    extrinsic::signed_extrinsic, Balances, ComputeStaking, Executive, Runtime, RuntimeCall,
    RuntimeHoldReason, UNIT,
};
use frame_support::traits::fungible::InspectHold;
use pallet_compute_staking::types::{GpuBackend, ProviderProfile};
use sp_keyring::Sr25519Keyring;
use sp_runtime::Perbill;

fn profile() -> ProviderProfile<Runtime> {
    ProviderProfile {
        gpu_name: b"llvmpipe (LLVM 15.0.6, 256 bits)".to_vec().try_into().expect("short"),
        vendor: b"Mesa".to_vec().try_into().expect("short"),
        backend: GpuBackend::Vulkan,
        vram_mib: 8_192,
        benchmark_score: 1_000,
        determinism_class: compute_primitives::DeterminismClass([7; 16]),
        max_concurrent_jobs: 4,
        ask: UNIT,
        endpoint: b"http://127.0.0.1:8080".to_vec().try_into().expect("short"),
    }
}

#[test]
fn provider_registers_and_is_delegated_to_through_the_runtime() {
    common::externalities("development").execute_with(|| {
        let (provider, delegator) = (Sr25519Keyring::Charlie, Sr25519Keyring::Dave);
        let provider_id = provider.to_account_id();
        let pool = ComputeStaking::pool_account(&provider_id);
        let provider_before = Balances::free_balance(&provider_id);

        common::start_block(1, 1_000);
        let register = RuntimeCall::ComputeStaking(pallet_compute_staking::Call::register_provider {
            profile: profile(),
            commission: Perbill::from_percent(10),
            bond: 2_000 * UNIT,
        });
        Executive::apply_extrinsic(signed_extrinsic(
            register,
            &provider.pair(),
            0,
            common::signing_context(),
        ))
        .expect("valid")
        .expect("registered");
        let delegate = RuntimeCall::ComputeStaking(pallet_compute_staking::Call::delegate {
            provider: provider_id.clone(),
            amount: 500 * UNIT,
        });
        Executive::apply_extrinsic(signed_extrinsic(
            delegate,
            &delegator.pair(),
            0,
            common::signing_context(),
        ))
        .expect("valid")
        .expect("delegated");
        common::finish_block();

        let bond_reason = RuntimeHoldReason::ComputeStaking(pallet_compute_staking::HoldReason::ProviderBond);
        let delegation_reason =
            RuntimeHoldReason::ComputeStaking(pallet_compute_staking::HoldReason::Delegation);
        assert_eq!(Balances::balance_on_hold(&bond_reason, &pool), 2_000 * UNIT);
        assert_eq!(Balances::balance_on_hold(&delegation_reason, &pool), 500 * UNIT);
        assert!(
            Balances::free_balance(&provider_id) < provider_before - 2_000 * UNIT,
            "the bond (and the pool account's deposit and fees) left the provider's free balance"
        );
        assert!(common::events().iter().any(|event| matches!(
            event,
            compute_runtime::RuntimeEvent::ComputeStaking(pallet_compute_staking::Event::Delegated { .. })
        )));
        // Warming up for the dev chain's 10 blocks (rounded up to its batch), then active.
        let delegation = ComputeStaking::delegation_stats(&provider_id, &delegator.to_account_id()).unwrap();
        assert_eq!((delegation.active, delegation.warming_up.len()), (0, 1));
        let activation = delegation.warming_up[0].activation;
        assert!(activation > compute_runtime::DEV_DELEGATION_WARMUP);
        frame_system::Pallet::<Runtime>::set_block_number(activation);
        let delegation = ComputeStaking::delegation_stats(&provider_id, &delegator.to_account_id()).unwrap();
        assert_eq!((delegation.active, delegation.warming_up.len()), (500 * UNIT, 0));
        ComputeStaking::do_try_state().expect("the staking invariants hold");
    });
}

/// The just-in-time delegation defence holds only if no delegation activates while a job assigned before
/// it was made is still unpaid: the warm-up must outlast a job's longest run from assignment to payout (a
/// dispute doubles the commit and reveal windows) plus an emission era.
#[test]
fn the_delegation_warm_up_outlasts_any_job_and_an_era() {
    use compute_runtime::{BlockNumber, DELEGATION_WARMUP};
    use frame_support::traits::Get;
    type Jobs = <Runtime as pallet_compute_jobs::Config>::MaxCommitWindow;
    type Reveal = <Runtime as pallet_compute_jobs::Config>::MaxRevealWindow;
    type Era = <Runtime as pallet_compute_staking::Config>::EraLength;
    let longest_job: BlockNumber =
        2 * (<Jobs as Get<BlockNumber>>::get() + <Reveal as Get<BlockNumber>>::get());
    assert!(DELEGATION_WARMUP > longest_job + <Era as Get<BlockNumber>>::get());
    // A delegator decides to stay (its last chance to cancel) before any job it will be paid for exists.
    assert!(DELEGATION_WARMUP * 3 / 4 > longest_job + <Era as Get<BlockNumber>>::get());
    for preset in ["local_testnet", "benchmark"] {
        common::externalities(preset).execute_with(|| {
            assert_eq!(
                pallet_compute_staking::DelegationWarmup::<Runtime>::get(),
                DELEGATION_WARMUP,
                "{preset}"
            );
        });
    }
    common::externalities("development").execute_with(|| {
        assert_eq!(
            pallet_compute_staking::DelegationWarmup::<Runtime>::get(),
            compute_runtime::DEV_DELEGATION_WARMUP
        );
    });
}
