//! polkadot-js (`@polkadot/api`, no custom types) drives the node: metadata, properties, a finalized transfer.

mod common;

use std::{path::PathBuf, process::Command};

use common::{Node, NodeOptions};

fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/e2e")
}

/// Runs one of the polkadot-js scripts against `node`; fails the test with the script's output.
pub fn run_script(node: &Node, script: &str) {
    let dir = e2e_dir();
    assert!(
        dir.join("node_modules/@polkadot/api").is_dir(),
        "the polkadot-js packages are not installed: run scripts/setup.sh (it runs `npm ci` in scripts/e2e)"
    );
    let output = Command::new("node")
        .arg(script)
        .arg(format!("ws://127.0.0.1:{}", node.rpc_port))
        .current_dir(&dir)
        .output()
        .expect("Node.js runs (scripts/setup.sh installs it)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("PASS"),
        "{script} failed ({})\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}\n--- node log ---\n{}",
        output.status,
        node.log()
    );
}

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
