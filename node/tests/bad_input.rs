//! Malformed and wrongly signed extrinsics get JSON-RPC errors, and the node keeps producing blocks.

mod common;

use common::{Node, NodeOptions};
use compute_runtime::{extrinsic::signed_extrinsic, Address, RuntimeCall, UncheckedExtrinsic, UNIT};
use sp_keyring::Sr25519Keyring;
use sp_runtime::generic::Preamble;

/// JSON-RPC error code of an invalid transaction (`author` module).
const INVALID_TRANSACTION: i64 = 1010;

fn error_code(error: &serde_json::Value) -> i64 {
    error["code"].as_i64().unwrap_or_else(|| panic!("a JSON-RPC error object, got {error}"))
}

#[test]
fn bad_extrinsics_are_refused_and_the_chain_goes_on() {
    let node = Node::start_dev(NodeOptions::default());
    let alice = Sr25519Keyring::Alice.to_account_id();
    let bob = Sr25519Keyring::Bob.to_account_id();
    let alice_before = node.free_balance(&alice);

    // Bytes that are no extrinsic at all.
    let malformed = node.submit_bytes(&[0x12, 0x34, 0x56]).expect_err("garbage is refused");
    assert!(error_code(&malformed) != 0, "{malformed}");
    let message = malformed["message"].as_str().unwrap_or_default().to_lowercase();
    assert!(message.contains("decode") || message.contains("invalid"), "the error says why: {malformed}");

    // A transfer signed by Bob that claims to come from Alice.
    let call =
        RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive { dest: bob.into(), value: UNIT });
    let by_bob =
        signed_extrinsic(call, &Sr25519Keyring::Bob.pair(), node.next_nonce(&alice), node.signing_context());
    let Preamble::Signed(_, signature, extension) = by_bob.preamble else { panic!("signed") };
    let forged =
        UncheckedExtrinsic::new_signed(by_bob.function, Address::Id(alice.clone()), signature, extension);
    let refused = node.submit(&forged).expect_err("a forged signature is refused");
    assert_eq!(error_code(&refused), INVALID_TRANSACTION, "{refused}");
    assert!(
        refused.to_string().to_lowercase().contains("bad signature")
            || refused.to_string().contains("BadProof"),
        "the error names the bad proof: {refused}"
    );

    // A transaction for another chain (wrong genesis hash) is refused as well.
    let mut other_chain = node.signing_context();
    other_chain.genesis_hash = Default::default();
    let call = RuntimeCall::System(frame_system::Call::remark { remark: b"hello".to_vec() });
    let wrong_chain =
        signed_extrinsic(call, &Sr25519Keyring::Alice.pair(), node.next_nonce(&alice), other_chain);
    let refused = node.submit(&wrong_chain).expect_err("a transaction for another chain is refused");
    assert_eq!(error_code(&refused), INVALID_TRANSACTION, "{refused}");

    let height = node.best_number();
    node.wait_until("the node authors two more blocks", || (node.best_number() >= height + 2).then_some(()));
    assert_eq!(node.free_balance(&alice), alice_before, "refused transactions cost nothing");
}
