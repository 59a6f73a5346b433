#!/usr/bin/env bash
# Regenerates chain-specs/{dev,local}.json (plain) and {dev,local}-raw.json from the node, and the runtime
# metadata checked in for the worker's client (gpu-worker/client/metadata/compute-chain.scale).
# Run it after every runtime or genesis change; tests fail while the checked-in specs or metadata are stale.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir="${CARGO_TARGET_DIR:-target}"
echo "[chain-specs] building the node (release)"
./scripts/build.sh
node_bin="$target_dir/release/compute-node"

for chain in dev local; do
  echo "[chain-specs] $chain: plain and raw"
  "$node_bin" build-spec --chain "$chain" --disable-default-bootnode 2>/dev/null > "chain-specs/$chain.json"
  "$node_bin" build-spec --chain "$chain" --disable-default-bootnode --raw 2>/dev/null > "chain-specs/$chain-raw.json"
done
echo "[chain-specs] written to chain-specs/"
# `--workspace`: the same features as the test command, so nothing is built a second time.
UPDATE_METADATA=1 cargo test --release --workspace --test metadata > /dev/null
echo "[chain-specs] runtime metadata written to gpu-worker/client/metadata/compute-chain.scale"
