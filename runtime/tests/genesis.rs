//! Both genesis presets build a working state with the validators, balances and sudo key they promise.

mod common;

use compute_runtime::{genesis_config_presets::ENDOWMENT, Babe, Balances, Grandpa, System};
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
                assert_eq!(Balances::free_balance(account), ENDOWMENT, "{preset}: {account}");
            }
            assert_eq!(Balances::total_issuance(), ENDOWMENT * accounts.len() as u128, "{preset}");
            assert_eq!(System::block_number(), 0);
        });
    }
}

#[test]
fn unknown_preset_is_refused() {
    assert!(compute_runtime::genesis_config_presets::get_preset(&"mainnet".into()).is_none());
    let names = compute_runtime::genesis_config_presets::preset_names();
    assert_eq!(names.len(), 2);
}
