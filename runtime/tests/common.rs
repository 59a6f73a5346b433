//! Helpers shared by the runtime's integration tests: genesis from a preset, and blocks run through
//! `frame_executive` exactly as the node runs them.

#![allow(dead_code)]

use codec::Encode;
use compute_runtime::{
    extrinsic::SigningContext, genesis_config_presets, Executive, Header, RuntimeCall, RuntimeGenesisConfig,
    System, UncheckedExtrinsic, SLOT_DURATION, VERSION,
};
use serde_json::Value;
use sp_consensus_babe::digests::{PreDigest, SecondaryPlainPreDigest};
use sp_runtime::{traits::Header as _, BuildStorage, Digest, DigestItem};

/// The full genesis configuration of a named preset.
pub fn preset_config(name: &str) -> RuntimeGenesisConfig {
    let patch = genesis_config_presets::get_preset(&name.into()).expect("the preset exists");
    let patch: Value = serde_json::from_slice(&patch).expect("a preset is JSON");
    let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("the default serialises");
    genesis_config_presets::json_merge(&mut config, patch);
    // Unknown fields are refused: a preset that names a field the runtime lacks fails here.
    serde_json::from_value(config).expect("the preset is a valid genesis configuration")
}

/// Test externalities holding the genesis state of a preset.
pub fn externalities(preset: &str) -> sp_io::TestExternalities {
    let config = preset_config(preset);
    let storage = config.build_storage().expect("genesis storage builds");
    sp_io::TestExternalities::new(storage)
}

/// Where transactions for the test chain are valid.
pub fn signing_context() -> SigningContext {
    SigningContext {
        genesis_hash: System::block_hash(0),
        spec_version: VERSION.spec_version,
        transaction_version: VERSION.transaction_version,
    }
}

/// Starts block `number` in BABE slot `slot`, authored by authority 0, and sets its timestamp.
pub fn start_block(number: u32, slot: u64) {
    let pre_digest =
        PreDigest::SecondaryPlain(SecondaryPlainPreDigest { authority_index: 0, slot: slot.into() });
    let digest =
        Digest { logs: vec![DigestItem::PreRuntime(sp_consensus_babe::BABE_ENGINE_ID, pre_digest.encode())] };
    let parent = if number == 1 { System::block_hash(0) } else { System::parent_hash() };
    let header = Header::new(number, Default::default(), Default::default(), parent, digest);
    Executive::initialize_block(&header);
    let timestamp = UncheckedExtrinsic::new_bare(RuntimeCall::Timestamp(pallet_timestamp::Call::set {
        now: slot * SLOT_DURATION,
    }));
    Executive::apply_extrinsic(timestamp).expect("the timestamp inherent is valid").expect("and dispatches");
}

/// Finishes the current block.
pub fn finish_block() -> Header {
    Executive::finalize_block()
}

/// The events of the current block, newest last.
pub fn events() -> Vec<compute_runtime::RuntimeEvent> {
    System::events().into_iter().map(|record| record.event).collect()
}
