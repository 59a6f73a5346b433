//! The checked-in chain specs are what the node generates (run scripts/generate-chain-specs.sh after a
//! runtime or genesis change).
//!
//! Every field is compared byte for byte except the runtime's Wasm blob: rustc embeds the checkout's absolute
//! path in it (cargo's crate hashes of path dependencies), so two correct builds in different directories
//! differ in a few bytes. The blob is instead compared by what it is: a node started from the checked-in
//! spec must report the same runtime version (bumped on every logic change) and the same metadata as the
//! runtime built into the node.

mod common;

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use common::{Node, NodeOptions};
use serde_json::{json, Value};

/// Where the runtime's code sits in a plain and in a raw spec.
const PLAIN_CODE: &[&str] = &["genesis", "runtimeGenesis", "code"];
const RAW_CODE: &[&str] = &["genesis", "raw", "top", "0x3a636f6465"];

fn spec_path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs").join(file)
}

fn generated(chain: &str, raw: bool) -> Value {
    let mut command = Command::new(common::NODE_BINARY);
    command.args(["build-spec", "--chain", chain, "--disable-default-bootnode"]);
    if raw {
        command.arg("--raw");
    }
    let output = command.output().expect("the node runs");
    assert!(output.status.success(), "build-spec failed: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("build-spec prints JSON")
}

fn checked_in(file: &str) -> Value {
    let path = spec_path(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Removes the code blob at `path` and returns it.
fn take_code(spec: &mut Value, path: &[&str]) -> Value {
    let (last, parents) = path.split_last().expect("a non-empty path");
    let parent = parents.iter().fold(spec, |value, key| &mut value[*key]);
    parent.as_object_mut().and_then(|object| object.remove(*last)).expect("the spec holds the runtime code")
}

/// Names the first differing path, so a failure says what changed rather than dumping megabytes of JSON.
fn first_difference(path: &str, expected: &Value, actual: &Value) -> Option<String> {
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            let keys = expected.keys().chain(actual.keys().filter(|key| !expected.contains_key(*key)));
            keys.into_iter().find_map(|key| match (expected.get(key), actual.get(key)) {
                (Some(e), Some(a)) => first_difference(&format!("{path}.{key}"), e, a),
                _ => Some(format!("{path}.{key} is only on one side")),
            })
        }
        _ if expected == actual => None,
        _ => {
            let short = |value: &Value| value.to_string().chars().take(120).collect::<String>();
            Some(format!("{path}: checked in {} …, generated {} …", short(expected), short(actual)))
        }
    }
}

/// The runtime version and metadata a node reports at genesis.
fn runtime_identity(node: &Node) -> (Value, Value) {
    let genesis = node.rpc("chain_getBlockHash", json!([0]));
    let mut version = node.rpc("state_getRuntimeVersion", json!([genesis]));
    // A Wasm blob lists its APIs in a linker section whose order follows codegen-unit order, which is
    // not stable across builds; the set of (api id, version) pairs is what identifies the runtime.
    if let Some(Value::Array(apis)) = version.get_mut("apis") {
        apis.sort_by_key(|api| api.to_string());
    }
    let metadata = node.rpc("state_getMetadata", json!([genesis]));
    (version, metadata)
}

fn runtime_of_spec(spec: &Path) -> (Value, Value) {
    let node = Node::start_dev(NodeOptions { chain_spec: Some(spec), ..Default::default() });
    runtime_identity(&node)
}

#[test]
fn checked_in_chain_specs_match_the_node() {
    for chain in ["dev", "local"] {
        let mut plain = checked_in(&format!("{chain}.json"));
        let mut raw = checked_in(&format!("{chain}-raw.json"));
        let plain_code = take_code(&mut plain, PLAIN_CODE);
        let raw_code = take_code(&mut raw, RAW_CODE);
        assert_eq!(
            plain_code, raw_code,
            "chain-specs/{chain}.json and {chain}-raw.json carry different runtimes"
        );

        for (file, checked, mut generated, code_path) in [
            (format!("{chain}.json"), plain, generated(chain, false), PLAIN_CODE),
            (format!("{chain}-raw.json"), raw, generated(chain, true), RAW_CODE),
        ] {
            take_code(&mut generated, code_path);
            if let Some(difference) = first_difference("", &checked, &generated) {
                panic!("chain-specs/{file} is stale ({difference}); run scripts/generate-chain-specs.sh");
            }
        }
    }

    let built_in = {
        let node = Node::start_dev(NodeOptions::default());
        runtime_identity(&node)
    };
    for file in ["dev-raw.json", "local-raw.json"] {
        let (version, metadata) = runtime_of_spec(&spec_path(file));
        assert_eq!(
            version, built_in.0,
            "chain-specs/{file} carries another runtime version; run scripts/generate-chain-specs.sh"
        );
        assert!(
            metadata == built_in.1,
            "chain-specs/{file} carries a runtime with other metadata; run scripts/generate-chain-specs.sh"
        );
    }
}
