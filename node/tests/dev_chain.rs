//! A `--dev` node authors and finalizes blocks, executes signed transfers, and resumes from its database.

mod common;

use common::{Node, NodeOptions};
use compute_runtime::{extrinsic::signed_extrinsic, RuntimeCall, UNIT};
use sp_keyring::Sr25519Keyring;

#[test]
fn dev_node_finalizes_blocks() {
    let node = Node::start_dev(NodeOptions::default());
    let height = node.wait_until("the finalized height reaches 2", || {
        let finalized = node.finalized_number();
        (finalized >= 2).then_some(finalized)
    });
    assert!(node.best_number() >= height, "the best block is never behind the finalized one");
}

#[test]
fn signed_transfer_changes_balances() {
    let node = Node::start_dev(NodeOptions::default());
    let (alice, bob) = (Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
    let (alice_before, bob_before) = (node.free_balance(&alice), node.free_balance(&bob));
    let amount = 42 * UNIT;

    let call = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
        dest: bob.clone().into(),
        value: amount,
    });
    let extrinsic = signed_extrinsic(
        call,
        &Sr25519Keyring::Alice.pair(),
        node.next_nonce(&alice),
        node.signing_context(),
    );
    let tx_hash = node.submit(&extrinsic).unwrap_or_else(|error| panic!("transfer refused: {error}"));
    assert!(
        tx_hash.as_str().is_some_and(|hash| hash.starts_with("0x")),
        "author_submitExtrinsic returns a hash"
    );

    node.wait_until("Bob receives the transfer", || {
        (node.free_balance(&bob) == bob_before + amount).then_some(())
    });
    let alice_after = node.free_balance(&alice);
    assert!(
        alice_after < alice_before - amount,
        "Alice pays the amount and a fee: {alice_before} -> {alice_after}"
    );
}

#[test]
fn chain_resumes_from_its_database_after_a_restart() {
    let base = tempfile::tempdir().expect("a base path");
    let node = Node::start_dev(NodeOptions { base_path: Some(base.path()), ..Default::default() });
    let genesis = node.genesis_hash();
    node.wait_until("the chain reaches height 3", || (node.best_number() >= 3).then_some(()));
    let finalized_before = node.finalized_number();
    let best_before = node.best_number();
    node.stop();

    let node = Node::start_dev(NodeOptions { base_path: Some(base.path()), ..Default::default() });
    assert_eq!(node.genesis_hash(), genesis, "the same chain");
    let best_after_restart = node.best_number();
    assert!(
        best_after_restart >= best_before,
        "the chain resumes at {best_before}, not from scratch (found {best_after_restart})"
    );
    assert!(node.finalized_number() >= finalized_before);
    node.wait_until("the restarted node authors new blocks", || {
        (node.best_number() > best_after_restart).then_some(())
    });
}
