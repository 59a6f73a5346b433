#!/usr/bin/env bash
# Runs every test: pallet and runtime tests, the node's end-to-end tests (real node binary on free ports)
# and the polkadot-js end-to-end script. One cargo profile (release) for building and testing.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
echo "[test] cargo fmt --check"
cargo fmt --all -- --check
echo "[test] cargo test (release)"
cargo test --release --workspace
echo "[test] all tests passed"
