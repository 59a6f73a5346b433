//! polkadot-js (`@polkadot/api`, no custom types) drives the node: metadata, properties, a finalized transfer,
//! a job read through the runtime API, and a dispute followed through its events.

mod common;

use common::{run_script, Node, NodeOptions};

#[test]
fn polkadot_js_transfers_and_sees_it_finalized() {
    let node = Node::start_dev(NodeOptions::default());
    run_script(&node, "transfer.mjs");
}

#[test]
fn polkadot_js_registers_a_kernel_submits_a_job_and_reads_it_through_the_runtime_api() {
    let node = Node::start_dev(NodeOptions::default());
    run_script(&node, "jobs.mjs");
}

#[test]
fn polkadot_js_follows_a_dispute_through_its_events() {
    let node = Node::start_dev(NodeOptions::default());
    run_script(&node, "dispute.mjs");
}
