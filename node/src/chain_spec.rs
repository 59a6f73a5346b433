//! The built-in chain specifications, built from the runtime's genesis presets.

use compute_runtime::{SS58_PREFIX, TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::ChainType;
use sp_genesis_builder::{DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};

/// The chain specification type of this node.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm_binary() -> Result<&'static [u8], String> {
    WASM_BINARY
        .ok_or_else(|| "the runtime's Wasm binary is not available; build with the `std` feature".into())
}

/// Token symbol, decimals and address format, as `system_properties` reports them.
fn properties() -> sc_chain_spec::Properties {
    let mut properties = sc_chain_spec::Properties::new();
    properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
    properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
    properties.insert("ss58Format".into(), SS58_PREFIX.into());
    properties
}

/// `dev`: a single validator (Alice) that authors and finalizes alone.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("Compute Development")
        .with_id("compute_dev")
        .with_chain_type(ChainType::Development)
        .with_genesis_config_preset_name(DEV_RUNTIME_PRESET)
        .with_properties(properties())
        .build())
}

/// `local`: four validators (Alice, Bob, Charlie, Dave) on one machine.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("Compute Local Testnet")
        .with_id("compute_local")
        .with_chain_type(ChainType::Local)
        .with_genesis_config_preset_name(LOCAL_TESTNET_RUNTIME_PRESET)
        .with_protocol_id("compute-local")
        .with_properties(properties())
        .build())
}

/// `benchmark`: the development chain with 1 000 providers registered at genesis (see the runtime's
/// `benchmark` preset), for `benchmark extrinsic` runs of the jobs pallet.
pub fn benchmark_chain_spec() -> Result<ChainSpec, String> {
    Ok(ChainSpec::builder(wasm_binary()?, None)
        .with_name("Compute Benchmark")
        .with_id("compute_benchmark")
        .with_chain_type(ChainType::Development)
        .with_genesis_config_preset_name(compute_runtime::genesis_config_presets::BENCHMARK_PRESET)
        .with_properties(properties())
        .build())
}
