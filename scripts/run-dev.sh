#!/usr/bin/env bash
# One command for a new user: installs prerequisites, builds the node, and runs a development chain
# (Alice authors with BABE and finalizes with GRANDPA) with RPC on ws://127.0.0.1:9944.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh
./scripts/build.sh
echo "[run-dev] starting a development chain; Ctrl-C to stop"
exec "${CARGO_TARGET_DIR:-target}/release/compute-node" --dev --tmp --rpc-cors all "$@"
