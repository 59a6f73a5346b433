//! Both genesis presets build a working state with the validators, balances and sudo key they promise.

mod common;

use compute_runtime::{genesis_config_presets::ENDOWMENT, Babe, Balances, Grandpa, System};
use frame_support::traits::fungible::Inspect;
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

fn babe_authorities() -> Vec<sp_consensus_babe::AuthorityId> {
    Babe::authorities().into_iter().map(|(id, _)| id).collect()
}

fn grandpa_authorities() -> Vec<sp_consensus_grandpa::AuthorityId> {
    Grandpa::grandpa_authorities().into_iter().map(|(id, _)| id).collect()
}

#[test]
fn development_preset_has_alice_as_sole_validator() {
    common::externalities("development").execute_with(|| {
        assert_eq!(babe_authorities(), vec![Sr25519Keyring::Alice.public().into()]);
        assert_eq!(grandpa_authorities(), vec![Ed25519Keyring::Alice.public().into()]);
        assert_eq!(
            pallet_sudo::Key::<compute_runtime::Runtime>::get(),
            Some(Sr25519Keyring::Alice.to_account_id())
        );
    });
}

#[test]
fn local_testnet_preset_has_four_validators() {
    common::externalities("local_testnet").execute_with(|| {
        let validators =
            [Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];
        assert_eq!(babe_authorities(), validators.iter().map(|k| k.public().into()).collect::<Vec<_>>());
        let finality =
            [Ed25519Keyring::Alice, Ed25519Keyring::Bob, Ed25519Keyring::Charlie, Ed25519Keyring::Dave];
        assert_eq!(grandpa_authorities(), finality.iter().map(|k| k.public().into()).collect::<Vec<_>>());
    });
}

#[test]
fn every_preset_endows_the_dev_accounts() {
    for preset in ["development", "local_testnet"] {
        common::externalities(preset).execute_with(|| {
            let accounts: Vec<_> = Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect();
            for account in &accounts {
                // Alice's part is held for the deposits of the built-in kernels she registers.
                assert_eq!(
                    <Balances as Inspect<_>>::total_balance(account),
                    ENDOWMENT,
                    "{preset}: {account}"
                );
            }
            let alice = Sr25519Keyring::Alice.to_account_id();
            let deposits: u128 = pallet_compute_jobs::Kernels::<compute_runtime::Runtime>::iter_values()
                .map(|kernel| kernel.deposit)
                .sum();
            assert!(deposits > 0);
            assert_eq!(Balances::free_balance(&alice), ENDOWMENT - deposits, "{preset}: Alice's deposits");
            assert_eq!(Balances::total_issuance(), ENDOWMENT * accounts.len() as u128, "{preset}");
            assert_eq!(System::block_number(), 0);
        });
    }
}

#[test]
fn unknown_preset_is_refused() {
    assert!(compute_runtime::genesis_config_presets::get_preset(&"mainnet".into()).is_none());
    let names = compute_runtime::genesis_config_presets::preset_names();
    assert_eq!(names.len(), 3, "development, local_testnet and benchmark");
}

#[test]
fn benchmark_preset_registers_a_thousand_providers_and_alice() {
    use compute_runtime::genesis_config_presets::{BENCHMARK_ALICE_VRAM_MIB, BENCHMARK_PROVIDERS};
    common::externalities("benchmark").execute_with(|| {
        let providers = pallet_compute_staking::Providers::<compute_runtime::Runtime>::iter().count();
        assert_eq!(providers as u32, BENCHMARK_PROVIDERS + 1);
        let alice =
            compute_runtime::ComputeStaking::provider_stats(&Sr25519Keyring::Alice.to_account_id(), 1)
                .expect("Alice provides");
        assert_eq!(alice.vram_mib, BENCHMARK_ALICE_VRAM_MIB);
        compute_runtime::ComputeStaking::do_try_state().expect("staking invariants");
        compute_runtime::ComputeJobs::do_try_state().expect("jobs invariants");
    });
}
