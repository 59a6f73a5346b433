#!/usr/bin/env bash
# Builds the node, the GPU worker and every test binary with the one profile and feature set that the test
# command uses, so that running and testing share all artifacts (a `cargo build -p compute-node` alone would
# resolve other features for shared dependencies and rebuild most of polkadot-sdk when the tests run).
# The binaries land in ${CARGO_TARGET_DIR:-target}/release/.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "[build] cargo test --release --workspace --no-run (about 40 minutes the first time on two cores)"
cargo test --release --workspace --no-run
