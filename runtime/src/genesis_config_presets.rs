//! Genesis presets: `development` (Alice alone validates) and `local_testnet` (Alice, Bob, Charlie and Dave).
//!
//! The node turns these into its `dev` and `local` chain specs; `build-spec --chain dev` prints the result.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_babe::AuthorityId as BabeId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
    AccountId, BabeConfig, Balance, BalancesConfig, ComputeJobsConfig, ComputeStakingConfig, GrandpaConfig,
    Runtime, RuntimeGenesisConfig, SudoConfig, BABE_GENESIS_EPOCH_CONFIG, MILLI_UNIT, UNIT,
};
use codec::Encode;
use pallet_compute_staking::GenesisProvider;
use sp_runtime::traits::{BlakeTwo256, Hash as HashT};

/// The built-in kernel library of the GPU worker (integer kernels with CPU references), registered at
/// genesis so that jobs can use them from the first block. `compute-kernel-sources` (the WGSL files and
/// nothing else) is the single source the worker runs too.
pub const BUILT_IN_KERNELS: [(&str, &str); 6] = compute_kernel_sources::PORTABLE;

/// What every endowed development account starts with: enough to bond, delegate and pay for many jobs.
pub const ENDOWMENT: Balance = 1_000_000 * UNIT;

/// One validator's consensus keys.
pub struct ValidatorKeys {
    /// Authors blocks.
    pub babe: BabeId,
    /// Votes on finality.
    pub grandpa: GrandpaId,
}

/// The consensus keys that the node's `--alice`, `--bob`… flags put in the keystore.
pub fn dev_validator(babe: Sr25519Keyring, grandpa: Ed25519Keyring) -> ValidatorKeys {
    ValidatorKeys { babe: babe.public().into(), grandpa: grandpa.public().into() }
}

/// Builds a genesis configuration patch from validators, endowed accounts and the sudo key.
pub fn testnet_genesis(validators: Vec<ValidatorKeys>, endowed: Vec<AccountId>, root: AccountId) -> Value {
    build_struct_json_patch!(RuntimeGenesisConfig {
        balances: BalancesConfig {
            balances: endowed.into_iter().map(|account| (account, ENDOWMENT)).collect::<Vec<_>>(),
        },
        babe: BabeConfig {
            authorities: validators.iter().map(|v| (v.babe.clone(), 1)).collect::<Vec<_>>(),
            epoch_config: BABE_GENESIS_EPOCH_CONFIG,
        },
        grandpa: GrandpaConfig {
            authorities: validators.iter().map(|v| (v.grandpa.clone(), 1)).collect::<Vec<_>>(),
        },
        compute_jobs: ComputeJobsConfig {
            kernels: BUILT_IN_KERNELS
                .iter()
                .map(|(_, wgsl)| (root.clone(), wgsl.as_bytes().to_vec()))
                .collect::<Vec<_>>(),
            canary_interval: crate::canaries::CANARY_INTERVAL,
        },
        compute_staking: ComputeStakingConfig { delegation_warmup: crate::DELEGATION_WARMUP },
        sudo: SudoConfig { key: Some(root) },
    })
}

/// The well-known development accounts (Alice … Ferdie and their `//stash` accounts).
fn dev_accounts() -> Vec<AccountId> {
    Sr25519Keyring::well_known().map(|k| k.to_account_id()).collect()
}

/// `development`: Alice is the only validator and the sudo key; delegations warm up in half a minute.
pub fn development_config_genesis() -> Value {
    let mut genesis = testnet_genesis(
        vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
        dev_accounts(),
        Sr25519Keyring::Alice.to_account_id(),
    );
    let patch = build_struct_json_patch!(RuntimeGenesisConfig {
        compute_staking: ComputeStakingConfig { delegation_warmup: crate::DEV_DELEGATION_WARMUP },
    });
    json_merge(&mut genesis, patch);
    genesis
}

/// `local_testnet`: Alice, Bob, Charlie and Dave validate; Alice is the sudo key.
pub fn local_config_genesis() -> Value {
    testnet_genesis(
        vec![
            dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
            dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
            dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
            dev_validator(Sr25519Keyring::Dave, Ed25519Keyring::Dave),
        ],
        dev_accounts(),
        Sr25519Keyring::Alice.to_account_id(),
    )
}

/// Name of the preset for the node's `benchmark extrinsic` runs of the jobs pallet.
pub const BENCHMARK_PRESET: &str = "benchmark";

/// Providers registered by the `benchmark` preset besides Alice.
pub const BENCHMARK_PROVIDERS: u32 = 1_000;

/// GPU memory of Alice in the `benchmark` preset: no other provider has as much, so jobs that need it are
/// assigned to her, and the benchmark can commit and reveal them with her key.
pub const BENCHMARK_ALICE_VRAM_MIB: u32 = 1 << 20;

/// The `i`-th provider of the `benchmark` preset: an account nobody holds the key of.
pub fn benchmark_provider(i: u32) -> AccountId {
    AccountId::new(<BlakeTwo256 as HashT>::hash(&(b"benchmark provider", i).encode()).0)
}

/// `benchmark`: the development chain plus 1 000 providers (equal stake, ask 1 milli-unit, 64 slots each)
/// and Alice as a provider with more GPU memory than any other and about half of all stake, for `benchmark extrinsic` runs of
/// assignment, commit and reveal among a realistic number of providers.
pub fn benchmark_config_genesis() -> Value {
    let mut endowed = dev_accounts();
    endowed.extend((0..BENCHMARK_PROVIDERS).map(benchmark_provider));
    let mut genesis = testnet_genesis(
        vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
        endowed,
        Sr25519Keyring::Alice.to_account_id(),
    );
    let bond = 1_000 * UNIT;
    let ask = MILLI_UNIT;
    let provider = |account, bond, vram_mib| GenesisProvider::<Runtime> {
        account,
        bond,
        vram_mib,
        max_concurrent_jobs: 64,
        ask,
    };
    let mut providers: Vec<GenesisProvider<Runtime>> =
        (0..BENCHMARK_PROVIDERS).map(|i| provider(benchmark_provider(i), bond, 8_192)).collect();
    // Alice's stake about equals all the others' together: the sampler, which draws by stake, finds her
    // quickly for the jobs only she qualifies for (with a thousandth of the stake it would mostly miss her).
    let alice_bond = 900 * bond;
    providers.push(provider(Sr25519Keyring::Alice.to_account_id(), alice_bond, BENCHMARK_ALICE_VRAM_MIB));
    // No canaries: the measured calls run alone.
    let patch = build_struct_json_patch!(RuntimeGenesisConfig {
        compute_staking: ComputeStakingConfig { providers },
        compute_jobs: ComputeJobsConfig { canary_interval: 0 },
    });
    json_merge(&mut genesis, patch);
    genesis
}

/// Merges `patch` into `base`, objects key by key, as the node's chain-spec builder merges a preset into the
/// default configuration.
pub fn json_merge(base: &mut Value, patch: Value) {
    match (base, patch) {
        (Value::Object(base), Value::Object(patch)) => {
            for (key, value) in patch {
                json_merge(base.entry(key).or_insert(Value::Null), value);
            }
        }
        (base, patch) => *base = patch,
    }
}

/// The JSON of a named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
    let patch = match id.as_ref() {
        DEV_RUNTIME_PRESET => development_config_genesis(),
        LOCAL_TESTNET_RUNTIME_PRESET => local_config_genesis(),
        BENCHMARK_PRESET => benchmark_config_genesis(),
        _ => return None,
    };
    // Serialising a `serde_json::Value` cannot fail.
    serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
    vec![
        PresetId::from(DEV_RUNTIME_PRESET),
        PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET),
        PresetId::from(BENCHMARK_PRESET),
    ]
}
