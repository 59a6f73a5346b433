//! The checked-in chain specs are exactly what the node generates (run scripts/generate-chain-specs.sh after a
//! runtime or genesis change).

mod common;

use std::{path::PathBuf, process::Command};

use serde_json::Value;

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
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../chain-specs").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

/// Names the first differing path, so a failure says what changed rather than dumping megabytes of Wasm.
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

#[test]
fn checked_in_chain_specs_match_the_node() {
    for (chain, raw, file) in [
        ("dev", false, "dev.json"),
        ("dev", true, "dev-raw.json"),
        ("local", false, "local.json"),
        ("local", true, "local-raw.json"),
    ] {
        if let Some(difference) = first_difference("", &checked_in(file), &generated(chain, raw)) {
            panic!("chain-specs/{file} is stale ({difference}); run scripts/generate-chain-specs.sh");
        }
    }
}
